//! Surrogates: consistency, format preservation, date shifts, restoration, placeholders.

use super::scope;
use esculape_pseudo::{Config, Label, Mode, nir_is_valid, parse_date, pseudonymize, reidentify};

const NOTE: &str =
    "Mme Jeanne DUPONT, née le 03/04/1956, NIR 2 56 04 75 123 456 78, tél 06 12 34 56 78";

fn replaced(text: &str, scope: &mut esculape_pseudo::Scope) -> Vec<(Label, String, String)> {
    let output = pseudonymize(text, scope, &Config::default()).unwrap();
    output
        .findings()
        .iter()
        .zip(output.replacement_ranges())
        .map(|(finding, range)| {
            let range = range.clone().expect("every finding is replaced by default");
            (
                finding.label,
                text[finding.start..finding.end].to_string(),
                output.value()[range].to_string(),
            )
        })
        .collect()
}

fn digit_shape(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_ascii_digit() { 'd' } else { c })
        .collect()
}

#[test]
fn the_issue_example_round_trips() {
    let mut scope = scope("issue");
    let output = pseudonymize(NOTE, &mut scope, &Config::default()).unwrap();
    for original in [
        "Jeanne",
        "DUPONT",
        "03/04/1956",
        "2 56 04 75 123 456 78",
        "06 12 34 56 78",
    ] {
        assert!(
            !output.value().contains(original),
            "{original} leaked: {}",
            output.value()
        );
    }
    assert_eq!(reidentify(output.value(), &scope), NOTE);
    let labels: Vec<Label> = output
        .findings()
        .iter()
        .map(|finding| finding.label)
        .collect();
    assert_eq!(
        labels,
        [
            Label::FirstName,
            Label::LastName,
            Label::BirthDate,
            Label::Nir,
            Label::Phone
        ]
    );
}

#[test]
fn surrogates_keep_formats() {
    let mut scope = scope("formats");
    for (label, original, surrogate) in replaced(NOTE, &mut scope) {
        match label {
            Label::Nir => {
                assert!(
                    nir_is_valid(&surrogate),
                    "surrogate NIR {surrogate} has an invalid key"
                );
                assert_eq!(digit_shape(&surrogate), digit_shape(&original));
                assert_eq!(
                    surrogate.chars().next(),
                    original.chars().next(),
                    "sex digit kept"
                );
            }
            Label::Phone => {
                assert_eq!(digit_shape(&surrogate), digit_shape(&original));
                assert!(surrogate.starts_with("06"));
            }
            Label::LastName => assert!(surrogate.chars().all(|c| !c.is_lowercase()), "{surrogate}"),
            Label::FirstName => {
                assert!(surrogate.chars().next().unwrap().is_uppercase());
                assert!(
                    surrogate.chars().skip(1).any(char::is_lowercase),
                    "{surrogate}"
                );
            }
            _ => {}
        }
        assert_ne!(original, surrogate);
    }
}

#[test]
fn the_same_person_gets_the_same_surname_throughout_a_document() {
    let mut scope = scope("document");
    let text = "Jeanne DUPONT consulte. Mme Dupont va mieux. DUPONT sort.";
    let pairs = replaced(text, &mut scope);
    let surnames: Vec<String> = pairs
        .iter()
        .filter(|(label, _, _)| *label == Label::LastName)
        .map(|(_, _, surrogate)| surrogate.to_lowercase())
        .collect();
    assert_eq!(surnames.len(), 3, "{pairs:?}");
    assert!(
        surnames.iter().all(|surname| *surname == surnames[0]),
        "{surnames:?}"
    );
    let cased: Vec<&String> = pairs
        .iter()
        .filter(|(label, _, _)| *label == Label::LastName)
        .map(|(_, _, s)| s)
        .collect();
    assert!(
        cased[1].chars().skip(1).any(char::is_lowercase),
        "Dupont keeps its case: {cased:?}"
    );
}

#[test]
fn the_same_person_gets_the_same_surrogate_across_two_calls_in_a_scope() {
    let mut scope = scope("conversation");
    let first = pseudonymize(
        "Mme Jeanne DUPONT a appelé.",
        &mut scope,
        &Config::default(),
    )
    .unwrap();
    let second = pseudonymize("Rappeler DUPONT demain.", &mut scope, &Config::default()).unwrap();
    let surname_in_first = first.value().split_whitespace().nth(2).unwrap().to_string();
    assert!(
        second.value().contains(&surname_in_first),
        "{first:?} / {second:?}"
    );
    assert_eq!(
        reidentify(second.value(), &scope),
        "Rappeler DUPONT demain."
    );
}

#[test]
fn different_scopes_give_different_surrogates() {
    let mut scope_a = esculape_pseudo::Scope::with_secret("a", [1; 32], 60).unwrap();
    let mut scope_b = esculape_pseudo::Scope::with_secret("b", [2; 32], 60).unwrap();
    let text = "Mme Jeanne DUPONT, tél 06 12 34 56 78, IPP 8012939402";
    let a = pseudonymize(text, &mut scope_a, &Config::default()).unwrap();
    let b = pseudonymize(text, &mut scope_b, &Config::default()).unwrap();
    assert_ne!(a.value(), b.value());
}

#[test]
fn date_shift_keeps_intervals_and_forms() {
    let mut scope = scope("dates");
    let text = "Entrée le 25/12/2019, sortie le 04/01/2020, contrôle le 3 février 2020.";
    let pairs = replaced(text, &mut scope);
    let days = |text: &str| {
        let date = parse_date(text).unwrap();
        let (year, month, day) = (date.year.unwrap(), date.month.unwrap(), date.day.unwrap());
        // Days from 2000-01-01, counted naively but identically for both sides.
        let mut total = 0i64;
        for y in 2000..year {
            total += if y % 4 == 0 { 366 } else { 365 };
        }
        let lengths = [
            31,
            if year % 4 == 0 { 29 } else { 28 },
            31,
            30,
            31,
            30,
            31,
            31,
            30,
            31,
            30,
            31,
        ];
        total + lengths[..(month - 1) as usize].iter().sum::<i64>() + i64::from(day)
    };
    assert_eq!(pairs.len(), 3, "{pairs:?}");
    for window in pairs.windows(2) {
        let original_gap = days(&window[1].1) - days(&window[0].1);
        let surrogate_gap = days(&window[1].2) - days(&window[0].2);
        assert_eq!(original_gap, surrogate_gap, "{pairs:?}");
    }
    let shift = days(&pairs[0].2) - days(&pairs[0].1);
    assert_eq!(shift, scope.date_offset_days());
    assert!(shift != 0);
    assert_eq!(digit_shape(&pairs[0].2), "dd/dd/dddd");
    assert!(pairs[2].2.split_whitespace().count() == 3, "{}", pairs[2].2);
}

#[test]
fn placeholders_by_configuration() {
    let mut scope = scope("placeholders");
    let config = Config {
        mode: Mode::Placeholders,
        ..Config::default()
    };
    let text = "Mme Jeanne DUPONT, puis M. Paul DUPONT et Dupont seul.";
    let output = pseudonymize(text, &mut scope, &config).unwrap();
    assert_eq!(
        output.value(),
        "Mme [PRENOM_1] [NOM_1], puis M. [PRENOM_2] [NOM_1] et [NOM_1] seul."
    );
    assert_eq!(
        reidentify(output.value(), &scope),
        "Mme Jeanne DUPONT, puis M. Paul DUPONT et DUPONT seul."
    );
}

#[test]
fn restore_leaves_other_words_alone() {
    let mut scope = scope("restore");
    let output = pseudonymize(
        "M. DURAND, tél 01 45 67 89 10.",
        &mut scope,
        &Config::default(),
    )
    .unwrap();
    let answer = format!("Réponse pour {} : rappeler.", output.value());
    assert_eq!(
        reidentify(&answer, &scope),
        "Réponse pour M. DURAND, tél 01 45 67 89 10. : rappeler."
    );
}

#[test]
fn debug_output_hides_text_and_mapping() {
    let mut scope = scope("debug");
    let output = pseudonymize(NOTE, &mut scope, &Config::default()).unwrap();
    let printed = format!("{output:?} {scope:?}");
    assert!(
        !printed.contains("DUPONT") && !printed.contains("06 12"),
        "{printed}"
    );
    assert!(printed.contains("[redacted]"));
}

#[test]
fn dates_in_words_and_compact_dates_are_replaced_and_restored() {
    let mut scope = scope("word-dates");
    let text = "imprimé le vingt quatre aout deux mille dix-sept, revu le 23022018.";
    let pairs = replaced(text, &mut scope);
    assert_eq!(pairs.len(), 2, "{pairs:?}");
    // A date in words has no digits to replace: it is written again, shifted.
    let words = parse_date(&pairs[0].2).expect("the surrogate is a date");
    assert_ne!(pairs[0].2, pairs[0].1);
    assert!(words.day.is_some() && words.month.is_some() && words.year.is_some());
    assert_eq!(digit_shape(&pairs[1].2), "dddddddd");
    assert_ne!(pairs[1].2, pairs[1].1);
    let output = pseudonymize(text, &mut scope, &Config::default()).unwrap();
    assert!(!output.value().contains("vingt quatre aout"));
    assert_eq!(reidentify(output.value(), &scope), text);
}

#[test]
fn each_word_of_a_multi_word_name_is_found_again_later_in_the_scope() {
    let mut scope = scope("multi-word");
    let first = pseudonymize(
        "Patient Androsef Astifa, suivi.",
        &mut scope,
        &Config::default(),
    )
    .unwrap();
    assert!(!first.value().contains("Astifa"), "{}", first.value());
    // A later message names him by one word only.
    let later = pseudonymize(
        "revu ce jour, Astifa va mieux",
        &mut scope,
        &Config::default(),
    )
    .unwrap();
    assert!(!later.value().contains("Astifa"), "{}", later.value());
}
