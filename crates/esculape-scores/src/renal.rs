//! Kidney function: CKD-EPI 2021 (creatinine), MDRD (IDMS-traceable), Cockcroft-Gault.

use crate::calculator::{Band, Calculator, Computed, Input, Reference, Values, band, flag};
use crate::inputs::{AGE_ADULT, CREATININE_MG_PER_DL, SEX, WEIGHT};

/// KDIGO 2012 GFR categories, as printed in the guideline (mL/min/1.73 m²).
const KDIGO_GFR_CATEGORIES: &[Band] = &[
    band(
        None,
        "< 15",
        "G5 — insuffisance rénale terminale",
        "G5 — kidney failure",
    ),
    band(
        Some(15.0),
        "15–29",
        "G4 — diminution sévère",
        "G4 — severely decreased",
    ),
    band(
        Some(30.0),
        "30–44",
        "G3b — diminution modérée à sévère",
        "G3b — moderately to severely decreased",
    ),
    band(
        Some(45.0),
        "45–59",
        "G3a — diminution légère à modérée",
        "G3a — mildly to moderately decreased",
    ),
    band(
        Some(60.0),
        "60–89",
        "G2 — diminution légère",
        "G2 — mildly decreased",
    ),
    band(
        Some(90.0),
        "≥ 90",
        "G1 — normal ou élevé",
        "G1 — normal or high",
    ),
];

const KDIGO_SOURCE: &str = "KDIGO 2012 Clinical Practice Guideline for the Evaluation and Management of Chronic Kidney Disease, GFR categories G1–G5 (checked on https://medikquantis.me/en/ckd-epi-2021 and https://costcalculator.calculator.city/?p=78412)";

/// CKD-EPI 2021 creatinine equation, without race:
/// eGFR = 142 × min(Scr/κ, 1)^α × max(Scr/κ, 1)^−1.200 × 0.9938^age × 1.012 [female],
/// κ = 0.7 (female) or 0.9 (male), α = −0.241 (female) or −0.302 (male), Scr in mg/dL.
/// Checked on https://kidney.org/ckd-epi-creatinine-equation-2021 (NKF).
pub(crate) const CKD_EPI_2021: Calculator = Calculator {
    id: "ckd-epi",
    name_fr: "CKD-EPI 2021 (créatinine)",
    name_en: "CKD-EPI 2021 (creatinine)",
    estimates_fr: "débit de filtration glomérulaire estimé (DFGe)",
    estimates_en: "estimated glomerular filtration rate (eGFR)",
    inputs: &[AGE_ADULT, SEX, CREATININE_MG_PER_DL],
    result_unit: "mL/min/1.73 m²",
    decimals: 0,
    bands: KDIGO_GFR_CATEGORIES,
    bands_source: Some(KDIGO_SOURCE),
    reference: Reference {
        authors: "Inker LA, Eneanya ND, Coresh J, et al.",
        title: "New creatinine- and cystatin C–based equations to estimate GFR without race",
        journal: "N Engl J Med 2021;385:1737–1749",
        year: 2021,
        doi: None,
        pmid: None,
        checked_at: &[
            "https://kidney.org/ckd-epi-creatinine-equation-2021",
            "https://www.niddk.nih.gov/research-funding/research-programs/kidney-clinical-research-epidemiology/laboratory/glomerular-filtration-rate-equations/adults",
        ],
    },
    caveat_fr: "Adultes, créatinine standardisée IDMS, fonction rénale stable ; peu fiable aux extrêmes de masse musculaire, en insuffisance rénale aiguë et pendant la grossesse.",
    compute: ckd_epi_2021,
};

fn ckd_epi_2021(values: &Values) -> Computed {
    let creatinine_mg_per_dl = values.number("creatinine");
    let age_years = values.number("age");
    let female = values.choice("sex") == "F";
    let (kappa, alpha, sex_factor) = if female {
        (0.7, -0.241, 1.012)
    } else {
        (0.9, -0.302, 1.0)
    };
    let ratio = creatinine_mg_per_dl / kappa;
    Computed::value(
        142.0
            * ratio.min(1.0).powf(alpha)
            * ratio.max(1.0).powf(-1.200)
            * 0.9938f64.powf(age_years)
            * sex_factor,
    )
}

const BLACK: Input = flag(
    "black",
    "coefficient 1,212 de l'équation publiée (patient afro-américain)",
    "published 1.212 coefficient (African American patient)",
);

/// MDRD Study equation re-expressed for IDMS-standardized creatinine:
/// eGFR = 175 × Scr^−1.154 × age^−0.203 × 0.742 [female] × 1.212 [Black], Scr in mg/dL.
/// Checked on https://www.kidney.org/content/mdrd-study-equation (NKF).
pub(crate) const MDRD: Calculator = Calculator {
    id: "mdrd",
    name_fr: "MDRD (4 variables, IDMS)",
    name_en: "MDRD Study equation (4 variables, IDMS)",
    estimates_fr: "débit de filtration glomérulaire estimé (DFGe)",
    estimates_en: "estimated glomerular filtration rate (eGFR)",
    inputs: &[AGE_ADULT, SEX, CREATININE_MG_PER_DL, BLACK],
    result_unit: "mL/min/1.73 m²",
    decimals: 0,
    bands: KDIGO_GFR_CATEGORIES,
    bands_source: Some(KDIGO_SOURCE),
    reference: Reference {
        authors: "Levey AS, Coresh J, Greene T, et al.",
        title: "Using standardized serum creatinine values in the Modification of Diet in Renal Disease study equation for estimating glomerular filtration rate",
        journal: "Ann Intern Med 2006;145(4):247–254",
        year: 2006,
        doi: None,
        pmid: None,
        checked_at: &[
            "https://www.kidney.org/content/mdrd-study-equation",
            "https://creatinineclearancecalculator.net/mdrd/",
        ],
    },
    caveat_fr: "Sous-estime le DFG au-dessus de 60 mL/min/1.73 m² ; CKD-EPI 2021 est préféré. Le coefficient ethnique n'est appliqué que s'il est demandé (--black).",
    compute: mdrd,
};

fn mdrd(values: &Values) -> Computed {
    let creatinine_mg_per_dl = values.number("creatinine");
    let age_years = values.number("age");
    let sex_factor = if values.choice("sex") == "F" {
        0.742
    } else {
        1.0
    };
    let race_factor = if values.flag("black") { 1.212 } else { 1.0 };
    Computed::value(
        175.0
            * creatinine_mg_per_dl.powf(-1.154)
            * age_years.powf(-0.203)
            * sex_factor
            * race_factor,
    )
}

/// Cockcroft-Gault: CrCl (mL/min) = (140 − age) × weight (kg) / (72 × Scr mg/dL),
/// × 0.85 for women. Checked on https://www.tabers.com (Cockcroft-Gault formula) and
/// https://superglobalcalculator.com/formulas/pharmacology/creatinine-clearance.
pub(crate) const COCKCROFT_GAULT: Calculator = Calculator {
    id: "cockcroft-gault",
    name_fr: "Cockcroft-Gault",
    name_en: "Cockcroft-Gault",
    estimates_fr: "clairance de la créatinine estimée (adaptation des doses)",
    estimates_en: "estimated creatinine clearance (drug dosing)",
    inputs: &[AGE_ADULT, SEX, WEIGHT, CREATININE_MG_PER_DL],
    result_unit: "mL/min",
    decimals: 0,
    bands: &[],
    bands_source: None,
    reference: Reference {
        authors: "Cockcroft DW, Gault MH",
        title: "Prediction of creatinine clearance from serum creatinine",
        journal: "Nephron 1976;16(1):31–41",
        year: 1976,
        doi: None,
        pmid: None,
        checked_at: &[
            "https://www.tabers.com/tabersonline/view/Tabers-Dictionary/738131/all/Cockcroft_Gault_formula",
            "https://superglobalcalculator.com/formulas/pharmacology/creatinine-clearance",
        ],
    },
    caveat_fr: "Non indexée sur la surface corporelle ; les seuils d'adaptation de dose sont ceux du résumé des caractéristiques du produit. Poids réel : peu fiable en cas d'obésité ou de dénutrition.",
    compute: cockcroft_gault,
};

fn cockcroft_gault(values: &Values) -> Computed {
    let creatinine_mg_per_dl = values.number("creatinine");
    let age_years = values.number("age");
    let weight_kg = values.number("weight");
    let sex_factor = if values.choice("sex") == "F" {
        0.85
    } else {
        1.0
    };
    Computed::value((140.0 - age_years) * weight_kg / (72.0 * creatinine_mg_per_dl) * sex_factor)
}
