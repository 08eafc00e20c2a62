//! Liver disease: Child-Pugh and MELD-Na.

use crate::calculator::{
    Calculator, Computed, Reference, Values, band, choice, flag, number, option,
};
use crate::inputs::{ALBUMIN_G_PER_L, INR, SODIUM};
use crate::units::{Quantity, Unit};

/// Child-Pugh: bilirubin under 34 / 34–51 / over 51 µmol/L (2 / 2–3 / 3 mg/dL), albumin
/// over 35 / 28–35 / under 28 g/L, INR under 1.7 / 1.7–2.3 / over 2.3, ascites none / mild / moderate to
/// severe, encephalopathy none / grade 1–2 / grade 3–4: 1, 2 or 3 points each. Class A
/// 5–6, B 7–9, C 10–15. Thresholds checked on the Gut table
/// (https://gut.bmj.com/highwire/markup/188450/expansion), Harrison's table and the
/// Cleveland Clinic Journal table (albumin 2.8–3.5 g/dL); some tables print 30–35 g/L for
/// albumin: this follows Pugh's 28–35 g/L.
pub(crate) const CHILD_PUGH: Calculator = Calculator {
    id: "child-pugh",
    name_fr: "Score de Child-Pugh",
    name_en: "Child-Pugh score",
    estimates_fr: "gravité de la cirrhose",
    estimates_en: "severity of cirrhosis",
    inputs: &[
        // Bilirubin 1–1000 µmol/L: from the lowest reported to extreme cholestasis.
        number(
            "bilirubin",
            "bilirubine totale",
            "total bilirubin",
            Quantity::Bilirubin,
            Unit::MicromolePerLitre,
            1.0,
            1000.0,
        ),
        ALBUMIN_G_PER_L,
        INR,
        choice(
            "ascites",
            "ascite",
            "ascites",
            &[
                option("none", "absente", "absent"),
                option("mild", "minime (contrôlée)", "mild (controlled)"),
                option("moderate", "modérée à importante", "moderate to severe"),
            ],
        ),
        choice(
            "encephalopathy",
            "encéphalopathie hépatique",
            "hepatic encephalopathy",
            &[
                option("none", "absente", "none"),
                option("1-2", "grade 1–2", "grade 1–2"),
                option("3-4", "grade 3–4", "grade 3–4"),
            ],
        ),
    ],
    result_unit: "points",
    decimals: 0,
    bands: &[
        band(None, "5–6", "classe A", "class A"),
        band(Some(7.0), "7–9", "classe B", "class B"),
        band(Some(10.0), "10–15", "classe C", "class C"),
    ],
    bands_source: None,
    reference: Reference {
        authors: "Pugh RNH, Murray-Lyon IM, Dawson JL, Pietroni MC, Williams R",
        title: "Transection of the oesophagus for bleeding oesophageal varices",
        journal: "Br J Surg 1973;60(8):646–649",
        year: 1973,
        doi: None,
        pmid: None,
        checked_at: &[
            "https://gut.bmj.com/highwire/markup/188450/expansion",
            "https://download.skyscape.com/download/ota/lonestar/76CD77F7-898A-4928-AE45-A3D54D0FF0F0/harrisons.ed20/content/HTML/m/tl14.htm",
            "https://www.ccjm.org/highwire/markup/12320/expansion",
        ],
    },
    caveat_fr: "L'INR remplace ici l'allongement du temps de prothrombine de l'article original ; seuils de bilirubine différents dans la cholangite biliaire primitive (non appliqués).",
    compute: child_pugh,
};

fn child_pugh(values: &Values) -> Computed {
    let bilirubin_umol_per_l = values.number("bilirubin");
    let bilirubin_points = if bilirubin_umol_per_l < 34.0 {
        1.0
    } else if bilirubin_umol_per_l <= 51.0 {
        2.0
    } else {
        3.0
    };
    let albumin_g_per_l = values.number("albumin");
    let albumin_points = if albumin_g_per_l > 35.0 {
        1.0
    } else if albumin_g_per_l >= 28.0 {
        2.0
    } else {
        3.0
    };
    let inr = values.number("inr");
    let inr_points = if inr < 1.7 {
        1.0
    } else if inr <= 2.3 {
        2.0
    } else {
        3.0
    };
    let ascites_points = match values.choice("ascites") {
        "none" => 1.0,
        "mild" => 2.0,
        _ => 3.0,
    };
    let encephalopathy_points = match values.choice("encephalopathy") {
        "none" => 1.0,
        "1-2" => 2.0,
        _ => 3.0,
    };
    Computed::value(
        bilirubin_points + albumin_points + inr_points + ascites_points + encephalopathy_points,
    )
}

/// MELD-Na as applied by OPTN/UNOS from 2016: creatinine, bilirubin and INR below 1.0 are
/// set to 1.0; creatinine is capped at 4.0 mg/dL and set to 4.0 after two or more
/// dialyses in the past week; MELD = round(10 × (0.957 ln Cr + 0.378 ln bilirubin +
/// 1.120 ln INR + 0.643)); when MELD > 11, sodium is bounded to 125–137 mmol/L and
/// MELD-Na = MELD + 1.32 × (137 − Na) − 0.033 × MELD × (137 − Na); the result is bounded
/// to 6–40. Checked on https://calculatorhub.com/tools/meld-na-score-calculator/,
/// https://scoutmytool.com/calc/health/meld-score and https://tools.gera.services/meld-score.
pub(crate) const MELD_NA: Calculator = Calculator {
    id: "meld-na",
    name_fr: "MELD-Na",
    name_en: "MELD-Na",
    estimates_fr: "gravité de l'hépatopathie chronique (mortalité à 3 mois, priorité de greffe)",
    estimates_en: "chronic liver disease severity (3-month mortality, transplant priority)",
    inputs: &[
        number(
            "creatinine",
            "créatinine sérique",
            "serum creatinine",
            Quantity::Creatinine,
            Unit::MilligramPerDecilitre,
            0.1,
            25.0,
        ),
        // Bilirubin 0.05–60 mg/dL (≈ 1–1000 µmol/L), as for Child-Pugh.
        number(
            "bilirubin",
            "bilirubine totale",
            "total bilirubin",
            Quantity::Bilirubin,
            Unit::MilligramPerDecilitre,
            0.05,
            60.0,
        ),
        INR,
        SODIUM,
        flag(
            "dialysis",
            "≥ 2 dialyses (ou 24 h d'EER continue) dans la semaine",
            "≥ 2 dialyses (or 24 h of CVVHD) in the past week",
        ),
    ],
    result_unit: "points",
    decimals: 0,
    bands: &[
        band(
            None,
            "≤ 9",
            "mortalité à 3 mois 1,9 %",
            "3-month mortality 1.9%",
        ),
        band(
            Some(10.0),
            "10–19",
            "mortalité à 3 mois 6,0 %",
            "3-month mortality 6.0%",
        ),
        band(
            Some(20.0),
            "20–29",
            "mortalité à 3 mois 19,6 %",
            "3-month mortality 19.6%",
        ),
        band(
            Some(30.0),
            "30–39",
            "mortalité à 3 mois 52,6 %",
            "3-month mortality 52.6%",
        ),
        band(
            Some(40.0),
            "≥ 40",
            "mortalité à 3 mois 71,3 %",
            "3-month mortality 71.3%",
        ),
    ],
    bands_source: Some(
        "3-month mortality by MELD score on the OPTN waiting list: Wiesner R, Edwards E, Freeman R, et al. Model for end-stage liver disease (MELD) and allocation of donor livers. Gastroenterology 2003 (abstract checked on https://experts.umn.edu/en/publications/model-for-end-stage-liver-disease-meld-and-allocation-of-donor-li; intermediate bands on https://www.labtestsguide.com/meld-score-calculator-meld-na); these bands were measured for MELD, before sodium was added",
    ),
    reference: Reference {
        authors: "Kim WR, Biggins SW, Kremers WK, et al.",
        title: "Hyponatremia and mortality among patients on the liver-transplant waiting list",
        journal: "N Engl J Med 2008;359:1018–1026",
        year: 2008,
        doi: None,
        pmid: None,
        checked_at: &[
            "https://calculatorhub.com/tools/meld-na-score-calculator/",
            "https://scoutmytool.com/calc/health/meld-score",
            "https://tools.gera.services/meld-score",
        ],
    },
    caveat_fr: "Patients de 12 ans et plus atteints d'hépatopathie chronique ; l'INR n'est pas interprétable sous antivitamine K. L'OPTN utilise le MELD 3.0 depuis 2023.",
    compute: meld_na,
};

fn meld_na(values: &Values) -> Computed {
    let creatinine_mg_per_dl = if values.flag("dialysis") {
        4.0
    } else {
        values.number("creatinine").clamp(1.0, 4.0)
    };
    let bilirubin_mg_per_dl = values.number("bilirubin").max(1.0);
    let inr = values.number("inr").max(1.0);
    let meld = (10.0
        * (0.957 * creatinine_mg_per_dl.ln()
            + 0.378 * bilirubin_mg_per_dl.ln()
            + 1.120 * inr.ln()
            + 0.643))
        .round();
    let score = if meld > 11.0 {
        let sodium_deficit = 137.0 - values.number("sodium").clamp(125.0, 137.0);
        meld + 1.32 * sodium_deficit - 0.033 * meld * sodium_deficit
    } else {
        meld
    };
    Computed::value(score.round().clamp(6.0, 40.0))
}
