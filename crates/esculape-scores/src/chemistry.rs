//! Blood chemistry: albumin-adjusted calcium (Payne) and the anion gap.

use crate::calculator::{Calculator, Computed, Reference, Values, number};
use crate::inputs::{ALBUMIN_G_PER_L, SODIUM};
use crate::units::{Quantity, Unit};

/// Payne's adjustment as published: adjusted calcium (mg/100 mL) = calcium (mg/100 mL) −
/// albumin (g/100 mL) + 4.0 (abstract checked on https://pubmed.ncbi.nlm.nih.gov/4758544/).
/// Computed in those units and converted back to mmol/L; in SI units it adds
/// 0.0249 mmol/L per g/L of albumin below 40 g/L. The widely quoted "+ 0.02 × (40 −
/// albumin)" variant is a later simplification and is not what Payne published.
pub(crate) const CORRECTED_CALCIUM: Calculator = Calculator {
    id: "calcium-corrected",
    name_fr: "Calcémie corrigée (Payne)",
    name_en: "Albumin-adjusted calcium (Payne)",
    estimates_fr: "calcémie totale ajustée à une albumine normale",
    estimates_en: "total calcium adjusted to a normal albumin",
    inputs: &[
        // Total calcium 0.5–5 mmol/L: incompatible with life beyond either end.
        number(
            "calcium",
            "calcémie totale",
            "total serum calcium",
            Quantity::Calcium,
            Unit::MillimolePerLitre,
            0.5,
            5.0,
        ),
        ALBUMIN_G_PER_L,
    ],
    result_unit: "mmol/L",
    decimals: 2,
    bands: &[],
    bands_source: None,
    reference: Reference {
        authors: "Payne RB, Little AJ, Williams RB, Milner JR",
        title: "Interpretation of serum calcium in patients with abnormal serum proteins",
        journal: "Br Med J 1973;4(5893):643–646",
        year: 1973,
        doi: Some("10.1136/bmj.4.5893.643"),
        pmid: Some(4758544),
        checked_at: &["https://pubmed.ncbi.nlm.nih.gov/4758544/"],
    },
    caveat_fr: "À interpréter selon les valeurs de référence du laboratoire ; le calcium ionisé est préférable en cas d'hypoalbuminémie marquée, d'insuffisance rénale ou de trouble acido-basique.",
    compute: corrected_calcium,
};

fn corrected_calcium(values: &Values) -> Computed {
    let calcium_mg_per_dl = Quantity::Calcium.convert(
        values.number("calcium"),
        Unit::MillimolePerLitre,
        Unit::MilligramPerDecilitre,
    );
    let albumin_g_per_dl = Quantity::Albumin.convert(
        values.number("albumin"),
        Unit::GramPerLitre,
        Unit::GramPerDecilitre,
    );
    let adjusted_mg_per_dl = calcium_mg_per_dl - albumin_g_per_dl + 4.0;
    Computed::value(Quantity::Calcium.convert(
        adjusted_mg_per_dl,
        Unit::MilligramPerDecilitre,
        Unit::MillimolePerLitre,
    ))
}

/// Anion gap = Na⁺ − (Cl⁻ + HCO₃⁻), without potassium.
pub(crate) const ANION_GAP: Calculator = Calculator {
    id: "anion-gap",
    name_fr: "Trou anionique",
    name_en: "Anion gap",
    estimates_fr: "anions non mesurés (orientation d'une acidose métabolique)",
    estimates_en: "unmeasured anions (metabolic acidosis work-up)",
    inputs: &[
        SODIUM,
        // Chloride 60–150 mmol/L and bicarbonate 1–60 mmol/L: extreme values seen in
        // severe vomiting, acidosis or alkalosis, not beyond.
        number(
            "chloride",
            "chlorémie",
            "serum chloride",
            Quantity::MonovalentIon,
            Unit::MillimolePerLitre,
            60.0,
            150.0,
        ),
        number(
            "bicarbonate",
            "bicarbonates",
            "serum bicarbonate",
            Quantity::MonovalentIon,
            Unit::MillimolePerLitre,
            1.0,
            60.0,
        ),
    ],
    result_unit: "mmol/L",
    decimals: 0,
    bands: &[],
    bands_source: None,
    reference: Reference {
        authors: "Emmett M, Narins RG",
        title: "Clinical use of the anion gap",
        journal: "Medicine (Baltimore) 1977;56(1):38–54",
        year: 1977,
        doi: None,
        pmid: Some(401925),
        checked_at: &[
            "https://www.ncbi.nlm.nih.gov/pubmed/401925",
            "https://www.healthcare.uiowa.edu/path_handbook/handbook/test2734.html",
        ],
    },
    caveat_fr: "Valeurs normales propres à la méthode du laboratoire ; l'hypoalbuminémie abaisse le trou anionique et peut masquer une acidose à trou anionique élevé.",
    compute: anion_gap,
};

fn anion_gap(values: &Values) -> Computed {
    Computed::value(
        values.number("sodium") - values.number("chloride") - values.number("bicarbonate"),
    )
}
