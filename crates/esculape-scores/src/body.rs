//! Body size: body mass index and body surface area (Mosteller, Du Bois).

use crate::calculator::{Calculator, Computed, Reference, Values, band};
use crate::inputs::{HEIGHT, WEIGHT};

/// BMI = weight (kg) / height (m)². Bands: WHO adult classification.
pub(crate) const BMI: Calculator = Calculator {
    id: "bmi",
    name_fr: "Indice de masse corporelle (IMC)",
    name_en: "Body mass index (BMI)",
    estimates_fr: "corpulence de l'adulte (classification OMS)",
    estimates_en: "adult body size (WHO classification)",
    inputs: &[WEIGHT, HEIGHT],
    result_unit: "kg/m²",
    // Two decimals, as the WHO table gives its cut-offs (normal range 18.50–24.99): a
    // BMI of 24.98 is in the normal range, which one decimal (25.0) would hide.
    decimals: 2,
    bands: &[
        band(None, "< 18.50", "insuffisance pondérale", "underweight"),
        band(
            Some(18.5),
            "18.50–24.99",
            "corpulence normale",
            "normal range",
        ),
        band(
            Some(25.0),
            "25.00–29.99",
            "surpoids (pré-obésité)",
            "pre-obese",
        ),
        band(
            Some(30.0),
            "30.00–34.99",
            "obésité classe I",
            "obese class I",
        ),
        band(
            Some(35.0),
            "35.00–39.99",
            "obésité classe II",
            "obese class II",
        ),
        band(
            Some(40.0),
            "≥ 40.00",
            "obésité classe III",
            "obese class III",
        ),
    ],
    bands_source: None,
    reference: Reference {
        authors: "World Health Organization",
        title: "Obesity: preventing and managing the global epidemic. Report of a WHO consultation",
        journal: "WHO Technical Report Series 894, 2000",
        year: 2000,
        doi: None,
        pmid: None,
        checked_at: &[
            "https://mail.medilib.ir/uptodate/show/97661",
            "https://www.calculatemybmi.net/blog/bmi-categories",
            "https://www.jomes.org/journal/popup_file.html?uid=656&file=&md=tbl&idx=1",
        ],
    },
    caveat_fr: "Adultes ; ne distingue pas masse grasse et masse maigre ; seuils plus bas proposés pour les populations asiatiques.",
    compute: bmi,
};

fn bmi(values: &Values) -> Computed {
    let height_m = values.number("height") / 100.0;
    Computed::value(values.number("weight") / (height_m * height_m))
}

/// Mosteller: BSA (m²) = √(height (cm) × weight (kg) / 3600).
pub(crate) const BSA_MOSTELLER: Calculator = Calculator {
    id: "bsa-mosteller",
    name_fr: "Surface corporelle (Mosteller)",
    name_en: "Body surface area (Mosteller)",
    estimates_fr: "surface corporelle (posologies en mg/m²)",
    estimates_en: "body surface area (doses per m²)",
    inputs: &[WEIGHT, HEIGHT],
    result_unit: "m²",
    decimals: 2,
    bands: &[],
    bands_source: None,
    reference: Reference {
        authors: "Mosteller RD",
        title: "Simplified calculation of body-surface area",
        journal: "N Engl J Med 1987;317(17):1098",
        year: 1987,
        doi: None,
        pmid: None,
        checked_at: &[
            "http://globalrph.com/bsa2.htm",
            "https://thestandardengine.com/health/body-surface-area-calculator",
        ],
    },
    caveat_fr: "Grandeur sans bande d'interprétation : elle sert au calcul de doses et d'index.",
    compute: bsa_mosteller,
};

fn bsa_mosteller(values: &Values) -> Computed {
    Computed::value((values.number("height") * values.number("weight") / 3600.0).sqrt())
}

/// Du Bois: BSA (m²) = 0.007184 × weight (kg)^0.425 × height (cm)^0.725.
pub(crate) const BSA_DU_BOIS: Calculator = Calculator {
    id: "bsa-dubois",
    name_fr: "Surface corporelle (Du Bois)",
    name_en: "Body surface area (Du Bois)",
    estimates_fr: "surface corporelle (posologies en mg/m²)",
    estimates_en: "body surface area (doses per m²)",
    inputs: &[WEIGHT, HEIGHT],
    result_unit: "m²",
    decimals: 2,
    bands: &[],
    bands_source: None,
    reference: Reference {
        authors: "Du Bois D, Du Bois EF",
        title: "A formula to estimate the approximate surface area if height and weight be known",
        journal: "Arch Intern Med 1916;17:863–871",
        year: 1916,
        doi: None,
        pmid: None,
        checked_at: &[
            "http://globalrph.com/bsa2.htm",
            "https://superglobalcalculator.com/formulas/health/body-surface-area",
        ],
    },
    caveat_fr: "Dérivée de 9 sujets ; sous-estime la surface des patients obèses. Sans bande d'interprétation.",
    compute: bsa_du_bois,
};

fn bsa_du_bois(values: &Values) -> Computed {
    Computed::value(
        0.007184 * values.number("weight").powf(0.425) * values.number("height").powf(0.725),
    )
}
