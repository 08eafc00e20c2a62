//! Acute care: Glasgow coma scale, qSOFA, NEWS2, CURB-65, Centor/McIsaac.

use crate::calculator::{
    Calculator, Choice, Computed, Input, Reference, Values, band, choice, flag, number, option,
};
use crate::inputs::{AGE_ADULT, HEART_RATE, RESPIRATORY_RATE, SYSTOLIC};
use crate::units::{Quantity, Unit};

const EYE_OPENING: &[Choice] = &[
    option("4", "spontanée", "spontaneous"),
    option("3", "à la demande (bruit)", "to sound"),
    option("2", "à la douleur (pression)", "to pressure"),
    option("1", "aucune", "none"),
];

const VERBAL_RESPONSE: &[Choice] = &[
    option("5", "orientée", "oriented"),
    option("4", "confuse", "confused"),
    option("3", "mots inappropriés", "inappropriate words"),
    option("2", "sons incompréhensibles", "incomprehensible sounds"),
    option("1", "aucune", "none"),
];

const MOTOR_RESPONSE: &[Choice] = &[
    option("6", "obéit aux ordres", "obeys commands"),
    option("5", "localise la douleur", "localises pain"),
    option("4", "retrait (évitement)", "withdraws from pain"),
    option("3", "flexion anormale (décortication)", "abnormal flexion"),
    option("2", "extension (décérébration)", "extension"),
    option("1", "aucune", "none"),
];

/// Glasgow coma scale: eye 1–4, verbal 1–5, motor 1–6; total 3–15.
pub(crate) const GLASGOW: Calculator = Calculator {
    id: "glasgow",
    name_fr: "Échelle de coma de Glasgow",
    name_en: "Glasgow coma scale",
    estimates_fr: "niveau de conscience (gravité d'un traumatisme crânien)",
    estimates_en: "level of consciousness (head injury severity)",
    inputs: &[
        choice(
            "eye",
            "ouverture des yeux (1–4)",
            "eye opening (1–4)",
            EYE_OPENING,
        ),
        choice(
            "verbal",
            "réponse verbale (1–5)",
            "verbal response (1–5)",
            VERBAL_RESPONSE,
        ),
        choice(
            "motor",
            "réponse motrice (1–6)",
            "motor response (1–6)",
            MOTOR_RESPONSE,
        ),
    ],
    result_unit: "points",
    decimals: 0,
    bands: &[
        band(
            None,
            "3–8",
            "traumatisme crânien grave",
            "severe brain injury",
        ),
        band(
            Some(9.0),
            "9–12",
            "traumatisme crânien modéré",
            "moderate brain injury",
        ),
        band(
            Some(13.0),
            "13–15",
            "traumatisme crânien léger",
            "mild brain injury",
        ),
    ],
    bands_source: Some(
        "head-injury severity classification used with the scale: ≤ 8 severe, 9–12 moderate, ≥ 13 mild (checked on https://ejns.springeropen.com/articles/10.1186/s41984-020-00096-5/tables/1 and https://chestconditions.blogspot.com/2012/05)",
    ),
    reference: Reference {
        authors: "Teasdale G, Jennett B",
        title: "Assessment of coma and impaired consciousness. A practical scale",
        journal: "Lancet 1974;2(7872):81–84",
        year: 1974,
        doi: None,
        pmid: None,
        checked_at: &[
            "https://radiowiki.org.nz/index.php/GCS",
            "https://clinicalexam.com/n_ref_glasgow.htm",
        ],
    },
    caveat_fr: "Rapporter aussi les trois composantes (Y, V, M) ; non évaluable chez le patient intubé ou sédaté.",
    compute: glasgow,
};

fn glasgow(values: &Values) -> Computed {
    let total: f64 = ["eye", "verbal", "motor"]
        .iter()
        .map(|id| values.choice(id).parse::<f64>().unwrap_or(0.0))
        .sum();
    Computed::value(total)
}

/// qSOFA: respiratory rate ≥ 22 /min, altered mentation, systolic ≤ 100 mmHg; 1 point each.
pub(crate) const QSOFA: Calculator = Calculator {
    id: "qsofa",
    name_fr: "qSOFA",
    name_en: "qSOFA (quick SOFA)",
    estimates_fr: "risque d'évolution défavorable d'une infection suspectée hors réanimation",
    estimates_en: "risk of poor outcome in suspected infection outside the ICU",
    inputs: &[
        RESPIRATORY_RATE,
        SYSTOLIC,
        flag(
            "altered-mentation",
            "altération de la conscience (Glasgow < 15)",
            "altered mentation (GCS < 15)",
        ),
    ],
    result_unit: "points",
    decimals: 0,
    bands: &[
        band(None, "0–1", "qSOFA négatif", "qSOFA negative"),
        band(
            Some(2.0),
            "≥ 2",
            "qSOFA positif : risque accru de décès ou de séjour prolongé en réanimation",
            "qSOFA positive: higher risk of death or prolonged ICU stay",
        ),
    ],
    bands_source: None,
    reference: Reference {
        authors: "Seymour CW, Liu VX, Iwashyna TJ, et al.",
        title: "Assessment of clinical criteria for sepsis: for the Third International Consensus Definitions for Sepsis and Septic Shock (Sepsis-3)",
        journal: "JAMA 2016;315(8):762–774",
        year: 2016,
        doi: Some("10.1001/jama.2016.0288"),
        pmid: Some(26903335),
        checked_at: &["https://pmc.ncbi.nlm.nih.gov/articles/PMC5433435/"],
    },
    caveat_fr: "Outil pronostique chez un patient infecté ; un qSOFA négatif n'exclut pas un sepsis.",
    compute: qsofa,
};

fn qsofa(values: &Values) -> Computed {
    let mut points = 0.0;
    if values.number("respiratory-rate") >= 22.0 {
        points += 1.0;
    }
    if values.number("systolic") <= 100.0 {
        points += 1.0;
    }
    if values.flag("altered-mentation") {
        points += 1.0;
    }
    Computed::value(points)
}

/// SpO₂: 40–100 % (below 40 % pulse oximeters are not reliable).
const SPO2: Input = number(
    "spo2",
    "saturation pulsée en oxygène",
    "oxygen saturation",
    Quantity::OxygenSaturation,
    Unit::Percent,
    40.0,
    100.0,
);

/// Temperature: 25–45 °C (severe hypothermia to the highest survivable fever).
const TEMPERATURE: Input = number(
    "temperature",
    "température",
    "temperature",
    Quantity::Temperature,
    Unit::DegreeCelsius,
    25.0,
    45.0,
);

/// NEWS2 (Royal College of Physicians 2017), chart 1. Respiration rate ≤ 8: 3, 9–11: 1,
/// 12–20: 0, 21–24: 2, ≥ 25: 3. SpO₂ scale 1: ≤ 91: 3, 92–93: 2, 94–95: 1, ≥ 96: 0.
/// SpO₂ scale 2 (hypercapnic respiratory failure, target 88–92 %): ≤ 83: 3, 84–85: 2,
/// 86–87: 1, 88–92 or ≥ 93 on air: 0, 93–94 on oxygen: 1, 95–96 on oxygen: 2, ≥ 97 on
/// oxygen: 3. Supplemental oxygen: 2. Systolic ≤ 90: 3, 91–100: 2, 101–110: 1, 111–219: 0,
/// ≥ 220: 3. Pulse ≤ 40: 3, 41–50: 1, 51–90: 0, 91–110: 1, 111–130: 2, ≥ 131: 3.
/// Consciousness: alert 0, new confusion/voice/pain/unresponsive 3. Temperature ≤ 35.0: 3,
/// 35.1–36.0: 1, 36.1–38.0: 0, 38.1–39.0: 1, ≥ 39.1: 2.
/// Chart checked on https://scribd.com/document/584338409/NEWS2-Chart-1-The-NEWS-scoring-system-0-0
/// and https://medicalaiapp.com/calculators/news2.
pub(crate) const NEWS2: Calculator = Calculator {
    id: "news2",
    name_fr: "NEWS2 (National Early Warning Score 2)",
    name_en: "NEWS2 (National Early Warning Score 2)",
    estimates_fr: "gravité d'une affection aiguë et niveau de réponse clinique",
    estimates_en: "acute illness severity and clinical response level",
    inputs: &[
        RESPIRATORY_RATE,
        SPO2,
        choice(
            "spo2-scale",
            "échelle SpO₂ (1 ; 2 si insuffisance respiratoire hypercapnique, cible 88–92 %)",
            "SpO₂ scale (1; 2 for hypercapnic respiratory failure, target 88–92%)",
            &[
                option("1", "échelle 1", "scale 1"),
                option("2", "échelle 2 (cible 88–92 %)", "scale 2 (target 88–92%)"),
            ],
        ),
        flag("oxygen", "oxygène supplémentaire", "supplemental oxygen"),
        SYSTOLIC,
        HEART_RATE,
        choice(
            "consciousness",
            "conscience (ACVPU)",
            "consciousness (ACVPU)",
            &[
                option("alert", "alerte", "alert"),
                option(
                    "cvpu",
                    "confusion nouvelle, réponse à la voix, à la douleur, ou aucune",
                    "new confusion, voice, pain or unresponsive",
                ),
            ],
        ),
        TEMPERATURE,
    ],
    result_unit: "points",
    decimals: 0,
    bands: &[
        band(None, "0–4", "risque clinique faible", "low clinical risk"),
        band(
            None,
            "3 dans un seul paramètre",
            "risque faible à moyen : évaluation urgente dans le service",
            "low-medium clinical risk: urgent ward-based response",
        ),
        band(
            Some(5.0),
            "5–6",
            "risque clinique moyen : réponse urgente",
            "medium clinical risk: urgent response",
        ),
        band(
            Some(7.0),
            "≥ 7",
            "risque clinique élevé : réponse en urgence (réanimation)",
            "high clinical risk: emergency response",
        ),
    ],
    bands_source: Some(
        "RCP NEWS2 chart 2 (clinical risk thresholds), checked on https://www.rcpjournals.org (NEWS2 definitions table) and https://medicalaiapp.com/calculators/news2",
    ),
    reference: Reference {
        authors: "Royal College of Physicians",
        title: "National Early Warning Score (NEWS) 2: Standardising the assessment of acute-illness severity in the NHS. Updated report of a working party",
        journal: "London: RCP, 2017",
        year: 2017,
        doi: None,
        pmid: None,
        checked_at: &[
            "https://scribd.com/document/584338409/NEWS2-Chart-1-The-NEWS-scoring-system-0-0",
            "https://medicalaiapp.com/calculators/news2",
        ],
    },
    caveat_fr: "Adultes (≥ 16 ans) hors grossesse ; l'échelle SpO₂ 2 ne s'emploie que sur prescription médicale chez l'insuffisant respiratoire hypercapnique.",
    compute: news2,
};

fn news2(values: &Values) -> Computed {
    let respiration_rate = values.number("respiratory-rate");
    let respiration_points = if respiration_rate <= 8.0 {
        3
    } else if respiration_rate <= 11.0 {
        1
    } else if respiration_rate <= 20.0 {
        0
    } else if respiration_rate <= 24.0 {
        2
    } else {
        3
    };
    let oxygen = values.flag("oxygen");
    let spo2_percent = values.number("spo2");
    let spo2_points = if values.choice("spo2-scale") == "2" {
        if spo2_percent <= 83.0 {
            3
        } else if spo2_percent <= 85.0 {
            2
        } else if spo2_percent <= 87.0 {
            1
        } else if spo2_percent <= 92.0 || !oxygen {
            0
        } else if spo2_percent <= 94.0 {
            1
        } else if spo2_percent <= 96.0 {
            2
        } else {
            3
        }
    } else if spo2_percent <= 91.0 {
        3
    } else if spo2_percent <= 93.0 {
        2
    } else if spo2_percent <= 95.0 {
        1
    } else {
        0
    };
    let oxygen_points = if oxygen { 2 } else { 0 };
    let systolic_mmhg = values.number("systolic");
    let systolic_points = if systolic_mmhg <= 90.0 {
        3
    } else if systolic_mmhg <= 100.0 {
        2
    } else if systolic_mmhg <= 110.0 {
        1
    } else if systolic_mmhg <= 219.0 {
        0
    } else {
        3
    };
    let pulse_per_min = values.number("heart-rate");
    let pulse_points = if pulse_per_min <= 40.0 {
        3
    } else if pulse_per_min <= 50.0 {
        1
    } else if pulse_per_min <= 90.0 {
        0
    } else if pulse_per_min <= 110.0 {
        1
    } else if pulse_per_min <= 130.0 {
        2
    } else {
        3
    };
    let consciousness_points = if values.choice("consciousness") == "alert" {
        0
    } else {
        3
    };
    let temperature_celsius = values.number("temperature");
    let temperature_points = if temperature_celsius <= 35.0 {
        3
    } else if temperature_celsius <= 36.0 {
        1
    } else if temperature_celsius <= 38.0 {
        0
    } else if temperature_celsius <= 39.0 {
        1
    } else {
        2
    };
    let parameter_points = [
        respiration_points,
        spo2_points,
        oxygen_points,
        systolic_points,
        pulse_points,
        consciousness_points,
        temperature_points,
    ];
    let total: i32 = parameter_points.iter().sum();
    // A score of 3 in any single parameter raises a low aggregate to low-medium (band 1).
    let band = if total <= 4 && parameter_points.contains(&3) {
        Some(1)
    } else if total <= 4 {
        Some(0)
    } else {
        None
    };
    Computed {
        value: f64::from(total),
        band,
    }
}

/// CURB-65: confusion, urea > 7 mmol/L, respiratory rate ≥ 30 /min, systolic < 90 or
/// diastolic ≤ 60 mmHg, age ≥ 65; 1 point each.
pub(crate) const CURB65: Calculator = Calculator {
    id: "curb-65",
    name_fr: "CURB-65",
    name_en: "CURB-65",
    estimates_fr: "gravité d'une pneumonie communautaire (mortalité à 30 jours)",
    estimates_en: "community-acquired pneumonia severity (30-day mortality)",
    inputs: &[
        flag("confusion", "confusion (nouvelle)", "confusion (new)"),
        // Urea 0.5–150 mmol/L: from the lowest measurable to severe uraemia.
        number(
            "urea",
            "urée sanguine",
            "blood urea",
            Quantity::Urea,
            Unit::MillimolePerLitre,
            0.5,
            150.0,
        ),
        RESPIRATORY_RATE,
        SYSTOLIC,
        // Diastolic 10–200 mmHg: profound shock to hypertensive crisis.
        number(
            "diastolic",
            "pression artérielle diastolique",
            "diastolic blood pressure",
            Quantity::BloodPressure,
            Unit::MillimetreOfMercury,
            10.0,
            200.0,
        ),
        AGE_ADULT,
    ],
    result_unit: "points",
    decimals: 0,
    bands: &[
        band(
            None,
            "0–1",
            "risque faible (mortalité < 2 %) : traitement ambulatoire possible",
            "low risk (mortality < 2%): home treatment possible",
        ),
        band(
            Some(2.0),
            "2",
            "risque intermédiaire (mortalité 9,2 %) : envisager l'hospitalisation",
            "intermediate risk (mortality 9.2%): consider hospital treatment",
        ),
        band(
            Some(3.0),
            "3–5",
            "risque élevé (mortalité 22 %) : pneumonie sévère, hospitaliser",
            "high risk (mortality 22%): severe pneumonia, manage in hospital",
        ),
    ],
    bands_source: None,
    reference: Reference {
        authors: "Lim WS, van der Eerden MM, Laing R, et al.",
        title: "Defining community acquired pneumonia severity on presentation to hospital: an international derivation and validation study",
        journal: "Thorax 2003;58(5):377–382",
        year: 2003,
        doi: Some("10.1136/thorax.58.5.377"),
        pmid: None,
        checked_at: &[
            "https://www.wikijournalclub.org/wiki/CURB-65",
            "https://www.healthcare.uiowa.edu/familymedicine/fpinfo/curb65.htm",
            "https://www.guidelinecentral.com/calculators/2c9e8038734e3c9e01735344666e0016/",
        ],
    },
    caveat_fr: "Pneumonie communautaire de l'adulte ; le jugement clinique et le contexte social priment pour l'orientation.",
    compute: curb65,
};

fn curb65(values: &Values) -> Computed {
    let mut points = 0.0;
    if values.flag("confusion") {
        points += 1.0;
    }
    if values.number("urea") > 7.0 {
        points += 1.0;
    }
    if values.number("respiratory-rate") >= 30.0 {
        points += 1.0;
    }
    if values.number("systolic") < 90.0 || values.number("diastolic") <= 60.0 {
        points += 1.0;
    }
    if values.number("age") >= 65.0 {
        points += 1.0;
    }
    Computed::value(points)
}

/// Centor criteria modified by McIsaac: temperature > 38 °C, absence of cough, tender
/// anterior cervical adenopathy, tonsillar swelling or exudate 1 point each; age 3–14 +1,
/// 15–44 0, ≥ 45 −1. The score is reported from 0 to 4 (−1 counts as 0, 5 as 4).
pub(crate) const MCISAAC: Calculator = Calculator {
    id: "mcisaac",
    name_fr: "Score de Centor modifié par McIsaac",
    name_en: "Centor score modified by McIsaac",
    estimates_fr: "probabilité d'angine à streptocoque du groupe A",
    estimates_en: "probability of group A streptococcal pharyngitis",
    inputs: &[
        // 3–125 years: the score was derived and validated from age 3.
        number("age", "âge", "age", Quantity::Age, Unit::Years, 3.0, 125.0),
        flag("fever", "température > 38 °C", "temperature > 38 °C"),
        flag("no-cough", "absence de toux", "absence of cough"),
        flag(
            "tender-nodes",
            "adénopathies cervicales antérieures sensibles",
            "tender anterior cervical adenopathy",
        ),
        flag(
            "tonsils",
            "augmentation de volume ou exsudat amygdalien",
            "tonsillar swelling or exudate",
        ),
    ],
    result_unit: "points",
    decimals: 0,
    bands: &[
        band(
            None,
            "0",
            "2–3 % de streptocoque : ni prélèvement ni antibiotique",
            "2–3% streptococcal: no culture, no antibiotic",
        ),
        band(
            Some(1.0),
            "1",
            "4–6 % : ni prélèvement ni antibiotique",
            "4–6%: no culture, no antibiotic",
        ),
        band(
            Some(2.0),
            "2",
            "10–12 % : prélèvement, antibiotique si positif",
            "10–12%: culture all, antibiotic if culture positive",
        ),
        band(
            Some(3.0),
            "3",
            "27–28 % : prélèvement, antibiotique si positif",
            "27–28%: culture all, antibiotic if culture positive",
        ),
        band(
            Some(4.0),
            "4",
            "38–63 % : prélèvement, antibiotique sur critères cliniques",
            "38–63%: culture all, antibiotic on clinical grounds",
        ),
    ],
    bands_source: Some(
        "McIsaac 1998, table p. 79, as reproduced on https://www.medicalalgorithms.com/sore-throat-score",
    ),
    reference: Reference {
        authors: "McIsaac WJ, White D, Tannenbaum D, Low DE",
        title: "A clinical score to reduce unnecessary antibiotic use in patients with sore throat",
        journal: "CMAJ 1998;158(1):75–83",
        year: 1998,
        doi: None,
        pmid: None,
        checked_at: &[
            "https://www.cmaj.ca/highwire/citation/24453/medlars",
            "https://www.medicalalgorithms.com/sore-throat-score",
            "https://www.rcemlearning.org/modules/may-virtual-journal-club/lessons/background-3/topic/sore-throat/",
        ],
    },
    caveat_fr: "En France, la conduite à tenir repose sur le test de diagnostic rapide (TDR) selon les recommandations en vigueur ; les bandes ci-dessus sont celles de l'article original (prélèvement = culture).",
    compute: mcisaac,
};

fn mcisaac(values: &Values) -> Computed {
    let age_years = values.number("age");
    let age_points = if age_years < 15.0 {
        1.0
    } else if age_years < 45.0 {
        0.0
    } else {
        -1.0
    };
    let criteria_points: f64 = ["fever", "no-cough", "tender-nodes", "tonsils"]
        .iter()
        .filter(|id| values.flag(id))
        .count() as f64;
    Computed::value((age_points + criteria_points).clamp(0.0, 4.0))
}
