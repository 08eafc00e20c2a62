//! Which calculators a question names ("score CHA₂DS₂-VASc", "clairance de Cockcroft",
//! "IMC"), so that an answer points to the deterministic calculator instead of letting a
//! number come from a text or a model. The triggers are names of the calculators, not
//! medical content.

use crate::calculator::Calculator;

/// Names that point to a calculator (compared without accents, case, spaces or
/// punctuation, as consecutive words of the question). A name shared by two calculators
/// points to both.
const TRIGGERS: &[(&str, &[&str])] = &[
    ("ckd-epi", &["ckd epi"]),
    (
        "cockcroft-gault",
        &["cockcroft", "cockcroft gault", "clairance de la creatinine"],
    ),
    ("mdrd", &["mdrd"]),
    (
        "bmi",
        &[
            "imc",
            "bmi",
            "indice de masse corporelle",
            "body mass index",
        ],
    ),
    (
        "bsa-mosteller",
        &["surface corporelle", "body surface area", "mosteller"],
    ),
    (
        "bsa-dubois",
        &[
            "surface corporelle",
            "body surface area",
            "du bois",
            "dubois",
        ],
    ),
    ("cha2ds2-vasc", &["cha2ds2 vasc", "chads vasc"]),
    ("has-bled", &["has bled"]),
    ("heart", &["score heart", "heart score"]),
    ("wells-pe", &["wells"]),
    ("wells-dvt", &["wells"]),
    (
        "qtc-bazett",
        &["qtc", "qt corrige", "corrected qt", "bazett"],
    ),
    (
        "qtc-fridericia",
        &["qtc", "qt corrige", "corrected qt", "fridericia"],
    ),
    ("glasgow", &["glasgow", "gcs"]),
    ("qsofa", &["qsofa", "quick sofa"]),
    ("news2", &["news2", "news 2"]),
    ("curb-65", &["curb 65", "crb 65"]),
    ("mcisaac", &["mcisaac", "centor"]),
    ("child-pugh", &["child pugh"]),
    ("meld-na", &["meld", "meld na"]),
    (
        "calcium-corrected",
        &["calcemie corrigee", "calcium corrige", "corrected calcium"],
    ),
    ("anion-gap", &["trou anionique", "anion gap"]),
];

/// Most words one trigger spans.
const MAX_TRIGGER_WORDS: usize = 5;

/// The calculators `text` names, in the order of [`crate::calculators`], each once.
pub fn calculators_named_in(text: &str) -> Vec<&'static Calculator> {
    let words = words(text);
    let mut spans = std::collections::HashSet::new();
    for start in 0..words.len() {
        let mut joined = String::new();
        for word in words.iter().skip(start).take(MAX_TRIGGER_WORDS) {
            joined.push_str(word);
            spans.insert(joined.clone());
        }
    }
    crate::calculators()
        .iter()
        .copied()
        .filter(|calculator| {
            TRIGGERS
                .iter()
                .filter(|(id, _)| *id == calculator.id)
                .flat_map(|(_, names)| names.iter())
                .any(|name| spans.contains(&compact(name)))
        })
        .collect()
}

/// Lower-case words without accents; subscript digits become digits (CHA₂DS₂).
fn words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    for c in text.chars() {
        let c = match c {
            '₀'..='₉' => char::from_digit(c as u32 - '₀' as u32, 10).unwrap_or(c),
            _ => c,
        };
        if c.is_alphanumeric() {
            word.extend(fold_char(c));
        } else if !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

fn compact(name: &str) -> String {
    words(name).concat()
}

/// `c` lower-cased without its accent (the Latin letters French and English use).
fn fold_char(c: char) -> impl Iterator<Item = char> {
    let base = match c {
        'à' | 'â' | 'ä' | 'á' | 'À' | 'Â' | 'Ä' | 'Á' => 'a',
        'ç' | 'Ç' => 'c',
        'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' | 'Ë' => 'e',
        'î' | 'ï' | 'í' | 'Î' | 'Ï' | 'Í' => 'i',
        'ô' | 'ö' | 'ó' | 'Ô' | 'Ö' | 'Ó' => 'o',
        'ù' | 'û' | 'ü' | 'ú' | 'Ù' | 'Û' | 'Ü' | 'Ú' => 'u',
        'ÿ' | 'Ÿ' => 'y',
        other => other,
    };
    base.to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(text: &str) -> Vec<&'static str> {
        calculators_named_in(text)
            .iter()
            .map(|calculator| calculator.id)
            .collect()
    }

    #[test]
    fn named_calculators_are_found_in_every_spelling() {
        assert_eq!(
            ids("Quel est le score CHA₂DS₂-VASc d'une femme de 72 ans ?"),
            ["cha2ds2-vasc"]
        );
        assert_eq!(ids("cha2ds2vasc et HAS-BLED"), ["cha2ds2-vasc", "has-bled"]);
        assert_eq!(
            ids("Calcul de la clairance de la créatinine"),
            ["cockcroft-gault"]
        );
        assert_eq!(ids("IMC à 31"), ["bmi"]);
        assert_eq!(ids("CURB 65 et qSOFA"), ["qsofa", "curb-65"]);
        assert_eq!(ids("score de Wells"), ["wells-pe", "wells-dvt"]);
        assert_eq!(ids("What is the HEART score?"), ["heart"]);
    }

    #[test]
    fn ordinary_words_do_not_name_a_calculator() {
        assert!(ids("heart failure with reduced ejection fraction").is_empty());
        assert!(ids("Conduite à tenir devant une HTA chez la femme enceinte").is_empty());
        assert!(ids("newsletter").is_empty());
    }

    #[test]
    fn every_trigger_names_a_real_calculator() {
        for (id, names) in TRIGGERS {
            assert!(crate::calculator(id).is_ok(), "{id}");
            assert!(!names.is_empty(), "{id}");
        }
        for calculator in crate::calculators() {
            assert!(
                TRIGGERS.iter().any(|(id, _)| *id == calculator.id),
                "{} has no trigger",
                calculator.id
            );
        }
    }
}
