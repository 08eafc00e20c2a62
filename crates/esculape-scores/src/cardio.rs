//! Cardiovascular scores: CHA₂DS₂-VASc, HAS-BLED, HEART, Wells (pulmonary embolism and
//! deep-vein thrombosis), QTc (Bazett, Fridericia).

use crate::calculator::{
    Calculator, Computed, Input, Reference, Values, band, choice, flag, number, option,
};
use crate::inputs::{AGE_ADULT, HEART_RATE, SEX};
use crate::units::{Quantity, Unit};

/// Sums the points of the flags that are present.
fn flag_points(values: &Values, points: &[(&str, f64)]) -> f64 {
    points
        .iter()
        .filter(|(id, _)| values.flag(id))
        .map(|(_, points)| points)
        .sum()
}

/// CHA₂DS₂-VASc: congestive heart failure 1, hypertension 1, age ≥ 75 2, diabetes 1,
/// stroke/TIA/thromboembolism 2, vascular disease 1, age 65–74 1, female sex 1 (max 9).
/// Points checked on globalrph.com and droracle.ai (which quote the ESC guideline).
pub(crate) const CHA2DS2_VASC: Calculator = Calculator {
    id: "cha2ds2-vasc",
    name_fr: "CHA₂DS₂-VASc",
    name_en: "CHA₂DS₂-VASc",
    estimates_fr: "risque d'AVC et d'embolie systémique dans la fibrillation atriale",
    estimates_en: "stroke and thromboembolism risk in atrial fibrillation",
    inputs: &[
        AGE_ADULT,
        SEX,
        flag(
            "heart-failure",
            "insuffisance cardiaque congestive ou dysfonction VG",
            "congestive heart failure or LV dysfunction",
        ),
        flag("hypertension", "hypertension artérielle", "hypertension"),
        flag("diabetes", "diabète", "diabetes mellitus"),
        flag(
            "stroke",
            "antécédent d'AVC, d'AIT ou de thrombo-embolie",
            "prior stroke, TIA or thromboembolism",
        ),
        flag(
            "vascular",
            "maladie vasculaire (IDM, artériopathie périphérique, plaque aortique)",
            "vascular disease (prior MI, peripheral artery disease, aortic plaque)",
        ),
    ],
    result_unit: "points",
    decimals: 0,
    bands: &[
        band(None, "0", "risque faible", "low risk"),
        band(Some(1.0), "1", "risque intermédiaire", "intermediate risk"),
        band(Some(2.0), "≥ 2", "risque élevé", "high risk"),
    ],
    bands_source: Some(
        "risk categories of the derivation paper, 0 low, 1 intermediate, ≥ 2 high (checked on https://staging.scite.ai/reports/national-heart-foundation-of-australia-kADYZE and http://webedcafe.com/extern/program_media/amjmed.com/2013/anticoag3/figure.php?figure=4&speaker=camm); later ESC guidelines read the score by sex (≥ 2 men, ≥ 3 women for high risk)",
    ),
    reference: Reference {
        authors: "Lip GYH, Nieuwlaat R, Pisters R, Lane DA, Crijns HJGM",
        title: "Refining clinical risk stratification for predicting stroke and thromboembolism in atrial fibrillation using a novel risk factor-based approach: the Euro Heart Survey on atrial fibrillation",
        journal: "Chest 2010;137(2):263–272",
        year: 2010,
        doi: Some("10.1378/chest.09-1584"),
        pmid: None,
        checked_at: &[
            "http://predictivemedicine.northwell.edu/calculators/CHA2DS2/",
            "http://globalrph.com/medcalcs/chads2-vasc-score-stroke-risk-assessment-in-a-fib/",
            "https://www.droracle.ai/articles/191687/how-do-i-calculate-a-patients-cha2ds2-vasc-congestive-heart",
        ],
    },
    caveat_fr: "Fibrillation atriale non valvulaire. Le sexe féminin est un modificateur de risque : une femme sans autre facteur (score 1) est à bas risque.",
    compute: cha2ds2_vasc,
};

fn cha2ds2_vasc(values: &Values) -> Computed {
    let age_years = values.number("age");
    let age_points = if age_years >= 75.0 {
        2.0
    } else if age_years >= 65.0 {
        1.0
    } else {
        0.0
    };
    let sex_points = if values.choice("sex") == "F" {
        1.0
    } else {
        0.0
    };
    Computed::value(
        age_points
            + sex_points
            + flag_points(
                values,
                &[
                    ("heart-failure", 1.0),
                    ("hypertension", 1.0),
                    ("diabetes", 1.0),
                    ("stroke", 2.0),
                    ("vascular", 1.0),
                ],
            ),
    )
}

/// HAS-BLED: one point each for uncontrolled hypertension (systolic > 160 mmHg),
/// abnormal renal function, abnormal liver function, stroke, bleeding, labile INR,
/// elderly (> 65 years), drugs (antiplatelets, NSAIDs), alcohol (≥ 8 units/week).
/// Bleeds per 100 patient-years by score from the derivation cohort.
pub(crate) const HAS_BLED: Calculator = Calculator {
    id: "has-bled",
    name_fr: "HAS-BLED",
    name_en: "HAS-BLED",
    estimates_fr: "risque hémorragique majeur à 1 an sous anticoagulant (fibrillation atriale)",
    estimates_en: "1-year major bleeding risk on anticoagulation (atrial fibrillation)",
    inputs: &[
        AGE_ADULT,
        flag(
            "hypertension",
            "HTA non contrôlée (systolique > 160 mmHg)",
            "uncontrolled hypertension (systolic > 160 mmHg)",
        ),
        flag(
            "renal",
            "fonction rénale anormale (dialyse, greffe, créatinine ≥ 200 µmol/L)",
            "abnormal renal function (dialysis, transplant, creatinine ≥ 200 µmol/L)",
        ),
        flag(
            "liver",
            "fonction hépatique anormale (cirrhose, bilirubine > 2 N avec transaminases > 3 N)",
            "abnormal liver function (cirrhosis, bilirubin > 2× ULN with AST/ALT/ALP > 3× ULN)",
        ),
        flag("stroke", "antécédent d'AVC", "prior stroke"),
        flag(
            "bleeding",
            "antécédent hémorragique ou prédisposition (anémie)",
            "prior bleeding or predisposition (anaemia)",
        ),
        flag(
            "labile-inr",
            "INR instable (temps dans la cible < 60 %)",
            "labile INR (time in therapeutic range < 60%)",
        ),
        flag(
            "drugs",
            "antiagrégant plaquettaire ou AINS",
            "antiplatelet agent or NSAID",
        ),
        flag(
            "alcohol",
            "alcool (≥ 8 verres par semaine)",
            "alcohol (≥ 8 units per week)",
        ),
    ],
    result_unit: "points",
    decimals: 0,
    bands: &[
        band(
            None,
            "0",
            "1,13 hémorragie majeure / 100 patients-années",
            "1.13 major bleeds per 100 patient-years",
        ),
        band(
            Some(1.0),
            "1",
            "1,02 / 100 patients-années",
            "1.02 per 100 patient-years",
        ),
        band(
            Some(2.0),
            "2",
            "1,88 / 100 patients-années",
            "1.88 per 100 patient-years",
        ),
        band(
            Some(3.0),
            "3",
            "risque élevé (≥ 3) : 3,74 / 100 patients-années",
            "high risk (≥ 3): 3.74 per 100 patient-years",
        ),
        band(
            Some(4.0),
            "4",
            "risque élevé : 8,70 / 100 patients-années",
            "high risk: 8.70 per 100 patient-years",
        ),
        band(
            Some(5.0),
            "5",
            "risque élevé : 12,50 / 100 patients-années",
            "high risk: 12.50 per 100 patient-years",
        ),
        band(
            Some(6.0),
            "6–9",
            "risque élevé : données insuffisantes dans la cohorte de dérivation",
            "high risk: insufficient data in the derivation cohort",
        ),
    ],
    bands_source: None,
    reference: Reference {
        authors: "Pisters R, Lane DA, Nieuwlaat R, de Vos CB, Crijns HJGM, Lip GYH",
        title: "A novel user-friendly score (HAS-BLED) to assess 1-year risk of major bleeding in patients with atrial fibrillation: the Euro Heart Survey",
        journal: "Chest 2010;138:1093–1100",
        year: 2010,
        doi: None,
        pmid: None,
        checked_at: &[
            "https://pmc.ncbi.nlm.nih.gov/articles/PMC3418985/table/t3-0580850",
            "https://www.jabfm.org/highwire/markup/9515/expansion",
        ],
    },
    caveat_fr: "Un score élevé appelle à corriger les facteurs modifiables et à surveiller, pas à renoncer à l'anticoagulation.",
    compute: has_bled,
};

fn has_bled(values: &Values) -> Computed {
    let elderly_points = if values.number("age") > 65.0 {
        1.0
    } else {
        0.0
    };
    Computed::value(
        elderly_points
            + flag_points(
                values,
                &[
                    ("hypertension", 1.0),
                    ("renal", 1.0),
                    ("liver", 1.0),
                    ("stroke", 1.0),
                    ("bleeding", 1.0),
                    ("labile-inr", 1.0),
                    ("drugs", 1.0),
                    ("alcohol", 1.0),
                ],
            ),
    )
}

/// HEART: history, ECG, age, risk factors, troponin, 0–2 points each (max 10).
/// Age: ≤ 45 years 0, 46–64 1, ≥ 65 2 (checked on the BMJ Open reproduction of the
/// original table).
pub(crate) const HEART: Calculator = Calculator {
    id: "heart",
    name_fr: "Score HEART",
    name_en: "HEART score",
    estimates_fr: "risque d'événement cardiaque majeur à 6 semaines (douleur thoracique aux urgences)",
    estimates_en: "6-week major adverse cardiac event risk (chest pain in the emergency department)",
    inputs: &[
        choice(
            "history",
            "anamnèse",
            "history",
            &[
                option("0", "peu suspecte", "slightly suspicious"),
                option("1", "moyennement suspecte", "moderately suspicious"),
                option("2", "très suspecte", "highly suspicious"),
            ],
        ),
        choice(
            "ecg",
            "ECG",
            "ECG",
            &[
                option("0", "normal", "normal"),
                option(
                    "1",
                    "troubles de repolarisation non spécifiques (BBG, pacemaker, HVG)",
                    "non-specific repolarisation disturbance (LBBB, paced, LVH)",
                ),
                option(
                    "2",
                    "sous-décalage ST significatif",
                    "significant ST depression",
                ),
            ],
        ),
        AGE_ADULT,
        choice(
            "risk-factors",
            "facteurs de risque (HTA, diabète, tabac, hypercholestérolémie, obésité, hérédité)",
            "risk factors (hypertension, diabetes, smoking, hypercholesterolaemia, obesity, family history)",
            &[
                option("0", "aucun connu", "none known"),
                option("1", "1 ou 2", "1 or 2"),
                option(
                    "2",
                    "≥ 3 ou maladie athéroscléreuse connue",
                    "≥ 3 or known atherosclerotic disease",
                ),
            ],
        ),
        choice(
            "troponin",
            "troponine initiale",
            "initial troponin",
            &[
                option("0", "≤ limite normale", "≤ normal limit"),
                option("1", "1 à 3 fois la limite normale", "1–3 × normal limit"),
                option("2", "≥ 3 fois la limite normale", "≥ 3 × normal limit"),
            ],
        ),
    ],
    result_unit: "points",
    decimals: 0,
    bands: &[
        band(
            None,
            "0–3",
            "risque faible (MACE 1,7 %)",
            "low risk (MACE 1.7%)",
        ),
        band(
            Some(4.0),
            "4–6",
            "risque intermédiaire (MACE 16,6 %)",
            "intermediate risk (MACE 16.6%)",
        ),
        band(
            Some(7.0),
            "7–10",
            "risque élevé (MACE 50,1 %)",
            "high risk (MACE 50.1%)",
        ),
    ],
    bands_source: Some(
        "Backus BE, Six AJ, Kelder JC, et al. A prospective validation of the HEART score for chest pain patients at the emergency department. Int J Cardiol 2013, doi:10.1016/j.ijcard.2013.01.255 (abstract checked on https://www.internationaljournalofcardiology.com/article/S0167-5273(13)00315-X/fulltext)",
    ),
    reference: Reference {
        authors: "Six AJ, Backus BE, Kelder JC",
        title: "Chest pain in the emergency room: value of the HEART score",
        journal: "Neth Heart J 2008;16(6):191–196",
        year: 2008,
        doi: None,
        pmid: None,
        checked_at: &[
            "https://bmjopen.bmj.com/highwire/markup/201812/expansion",
            "https://emj.bmj.com/highwire/markup/154214/expansion",
        ],
    },
    caveat_fr: "Douleur thoracique sans sus-décalage ST ; ne remplace pas la répétition de la troponine.",
    compute: heart,
};

fn heart(values: &Values) -> Computed {
    let age_years = values.number("age");
    let age_points = if age_years >= 65.0 {
        2.0
    } else if age_years > 45.0 {
        1.0
    } else {
        0.0
    };
    let chosen_points: f64 = ["history", "ecg", "risk-factors", "troponin"]
        .iter()
        .map(|id| match values.choice(id) {
            "2" => 2.0,
            "1" => 1.0,
            _ => 0.0,
        })
        .sum();
    Computed::value(age_points + chosen_points)
}

/// Wells (pulmonary embolism): clinical signs of DVT 3, PE the most likely diagnosis 3,
/// heart rate > 100 1.5, immobilisation ≥ 3 days or surgery within 4 weeks 1.5, previous
/// DVT/PE 1.5, haemoptysis 1, cancer 1. Probability: < 2 low, 2–6 moderate, > 6 high.
pub(crate) const WELLS_PE: Calculator = Calculator {
    id: "wells-pe",
    name_fr: "Score de Wells (embolie pulmonaire)",
    name_en: "Wells score (pulmonary embolism)",
    estimates_fr: "probabilité clinique d'embolie pulmonaire",
    estimates_en: "clinical probability of pulmonary embolism",
    inputs: &[
        flag(
            "dvt-signs",
            "signes cliniques de TVP (œdème et douleur à la palpation veineuse)",
            "clinical signs of DVT (leg swelling, pain on palpation of deep veins)",
        ),
        flag(
            "pe-most-likely",
            "EP au moins aussi probable qu'un autre diagnostic",
            "PE as likely as or more likely than an alternative diagnosis",
        ),
        flag(
            "tachycardia",
            "fréquence cardiaque > 100 /min",
            "heart rate > 100 /min",
        ),
        flag(
            "immobilisation",
            "immobilisation ≥ 3 jours ou chirurgie dans les 4 semaines",
            "immobilisation ≥ 3 days or surgery in the previous 4 weeks",
        ),
        flag(
            "previous-vte",
            "antécédent de TVP ou d'EP",
            "previous DVT or PE",
        ),
        flag("haemoptysis", "hémoptysie", "haemoptysis"),
        flag(
            "cancer",
            "cancer (traité, < 6 mois ou palliatif)",
            "malignancy (treatment ongoing, within 6 months or palliative)",
        ),
    ],
    result_unit: "points",
    decimals: 1,
    bands: &[
        band(None, "< 2", "probabilité faible", "low probability"),
        band(
            Some(2.0),
            "2–6",
            "probabilité intermédiaire",
            "moderate probability",
        ),
        band(Some(6.5), "> 6", "probabilité forte", "high probability"),
    ],
    bands_source: None,
    reference: Reference {
        authors: "Wells PS, Anderson DR, Rodger M, et al.",
        title: "Derivation of a simple clinical model to categorize patients probability of pulmonary embolism: increasing the models utility with the SimpliRED D-dimer",
        journal: "Thromb Haemost 2000;83(3):416–420",
        year: 2000,
        doi: None,
        pmid: None,
        checked_at: &[
            "http://reference.medscape.com/calculator/wells-score-pe",
            "https://wikem.org/wiki/Wells_Criteria",
            "https://0-bmcfampract-biomedcentral-com.brum.beds.ac.uk/articles/10.1186/1471-2296-11-64/tables/1",
        ],
    },
    caveat_fr: "Lecture dichotomique également publiée : ≤ 4 EP peu probable, > 4 EP probable.",
    compute: wells_pe,
};

fn wells_pe(values: &Values) -> Computed {
    Computed::value(flag_points(
        values,
        &[
            ("dvt-signs", 3.0),
            ("pe-most-likely", 3.0),
            ("tachycardia", 1.5),
            ("immobilisation", 1.5),
            ("previous-vte", 1.5),
            ("haemoptysis", 1.0),
            ("cancer", 1.0),
        ],
    ))
}

/// Wells (deep-vein thrombosis, 1997): nine findings at 1 point each, an alternative
/// diagnosis at least as likely −2. Probability: ≤ 0 low, 1–2 moderate, ≥ 3 high.
pub(crate) const WELLS_DVT: Calculator = Calculator {
    id: "wells-dvt",
    name_fr: "Score de Wells (thrombose veineuse profonde)",
    name_en: "Wells score (deep-vein thrombosis)",
    estimates_fr: "probabilité clinique de thrombose veineuse profonde",
    estimates_en: "clinical probability of deep-vein thrombosis",
    inputs: &[
        flag(
            "cancer",
            "cancer actif (traité, < 6 mois ou palliatif)",
            "active cancer (treatment ongoing, within 6 months or palliative)",
        ),
        flag(
            "paralysis",
            "paralysie, parésie ou plâtre récent d'un membre inférieur",
            "paralysis, paresis or recent plaster immobilisation of the leg",
        ),
        flag(
            "bedridden",
            "alitement > 3 jours ou chirurgie majeure dans les 4 semaines",
            "bedridden > 3 days or major surgery within 4 weeks",
        ),
        flag(
            "tenderness",
            "douleur le long du trajet veineux profond",
            "localised tenderness along the deep venous system",
        ),
        flag(
            "leg-swollen",
            "œdème de tout le membre",
            "entire leg swollen",
        ),
        flag(
            "calf-swelling",
            "mollet augmenté de > 3 cm par rapport au côté sain",
            "calf swelling > 3 cm compared with the other leg",
        ),
        flag("pitting-oedema", "œdème prenant le godet", "pitting oedema"),
        flag(
            "collateral-veins",
            "veines superficielles collatérales (non variqueuses)",
            "collateral superficial veins (non-varicose)",
        ),
        flag(
            "alternative-diagnosis",
            "diagnostic alternatif au moins aussi probable (−2)",
            "alternative diagnosis as likely or more likely (−2)",
        ),
    ],
    result_unit: "points",
    decimals: 0,
    bands: &[
        band(None, "≤ 0", "probabilité faible", "low probability"),
        band(
            Some(1.0),
            "1–2",
            "probabilité intermédiaire",
            "moderate probability",
        ),
        band(Some(3.0), "≥ 3", "probabilité forte", "high probability"),
    ],
    bands_source: None,
    reference: Reference {
        authors: "Wells PS, Anderson DR, Bormanis J, et al.",
        title: "Value of assessment of pretest probability of deep-vein thrombosis in clinical management",
        journal: "Lancet 1997;350:1795–1798",
        year: 1997,
        doi: None,
        pmid: None,
        checked_at: &[
            "https://download.skyscape.com/download/ota/lonestar/30A00C60-1F25-4C5D-97F2-BC1C9F65A5DD/acutemed.ed5/content/HTML/o/tu8.htm",
            "https://thrombosisjournal.biomedcentral.com/articles/10.1186/s12959-015-0050-4/tables/1",
        ],
    },
    caveat_fr: "Version 1997 à trois niveaux ; la version modifiée de 2003 ajoute l'antécédent de TVP et se lit en deux niveaux.",
    compute: wells_dvt,
};

fn wells_dvt(values: &Values) -> Computed {
    Computed::value(flag_points(
        values,
        &[
            ("cancer", 1.0),
            ("paralysis", 1.0),
            ("bedridden", 1.0),
            ("tenderness", 1.0),
            ("leg-swollen", 1.0),
            ("calf-swelling", 1.0),
            ("pitting-oedema", 1.0),
            ("collateral-veins", 1.0),
            ("alternative-diagnosis", -2.0),
        ],
    ))
}

/// QT interval: 200–800 ms spans the shortest and the longest QT recorded in practice.
const QT: Input = number(
    "qt",
    "intervalle QT mesuré",
    "measured QT interval",
    Quantity::QtInterval,
    Unit::Millisecond,
    200.0,
    800.0,
);

const QTC_CAVEAT: &str = "La publication ne donne pas de seuils. Seuils usuels (archétype QTc de Cambio CDS) : allongé si > 440 ms chez l'homme, > 460 ms chez la femme ; > 500 ms expose aux torsades de pointes. Bazett surcorrige au-dessus de 100 /min.";

/// Bazett: QTc = QT / √RR, RR (s) = 60 / heart rate. Checked on
/// https://www.mp.pl/oit/home/displayCalculator?id=157136 and ekginterpretation.com.
pub(crate) const QTC_BAZETT: Calculator = Calculator {
    id: "qtc-bazett",
    name_fr: "QT corrigé (Bazett)",
    name_en: "Corrected QT (Bazett)",
    estimates_fr: "intervalle QT corrigé pour la fréquence cardiaque",
    estimates_en: "QT interval corrected for heart rate",
    inputs: &[QT, HEART_RATE],
    result_unit: "ms",
    decimals: 0,
    bands: &[],
    bands_source: None,
    reference: Reference {
        authors: "Bazett HC",
        title: "An analysis of the time-relations of electrocardiograms",
        journal: "Heart 1920;7:353–370",
        year: 1920,
        doi: None,
        pmid: None,
        checked_at: &[
            "https://www.mp.pl/oit/home/displayCalculator?id=157136",
            "http://www.ekginterpretation.com/corrected-qt-interval/",
            "https://development.cds-platform.com/ckm/clinical-knowledge-manager/demo/view/QTc_Calculation/1?language=en",
        ],
    },
    caveat_fr: QTC_CAVEAT,
    compute: qtc_bazett,
};

fn qtc_bazett(values: &Values) -> Computed {
    let rr_interval_s = 60.0 / values.number("heart-rate");
    Computed::value(values.number("qt") / rr_interval_s.sqrt())
}

/// Fridericia: QTc = QT / RR^(1/3), RR (s) = 60 / heart rate. Checked on the Cambio CDS
/// QTc archetype and qtccalculator.com.
pub(crate) const QTC_FRIDERICIA: Calculator = Calculator {
    id: "qtc-fridericia",
    name_fr: "QT corrigé (Fridericia)",
    name_en: "Corrected QT (Fridericia)",
    estimates_fr: "intervalle QT corrigé pour la fréquence cardiaque",
    estimates_en: "QT interval corrected for heart rate",
    inputs: &[QT, HEART_RATE],
    result_unit: "ms",
    decimals: 0,
    bands: &[],
    bands_source: None,
    reference: Reference {
        authors: "Fridericia LS",
        title: "Die Systolendauer im Elektrokardiogramm bei normalen Menschen und bei Herzkranken",
        journal: "Acta Med Scand 1920;53:469–486",
        year: 1920,
        doi: None,
        pmid: None,
        checked_at: &[
            "https://development.cds-platform.com/ckm/clinical-knowledge-manager/demo/view/QTc_Calculation/1?language=en",
            "https://qtccalculator.com/QTc-Frederica-Calculator.php",
        ],
    },
    caveat_fr: QTC_CAVEAT,
    compute: qtc_fridericia,
};

fn qtc_fridericia(values: &Values) -> Computed {
    let rr_interval_s = 60.0 / values.number("heart-rate");
    Computed::value(values.number("qt") / rr_interval_s.cbrt())
}
