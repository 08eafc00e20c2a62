//! Content terms: the knowledge base's analyzers (folded, stop words dropped, stemmed),
//! so that the answer scores sentences with the same terms retrieval matched.

use esculape_text::Language;
use std::collections::BTreeSet;

/// The distinct content terms of `text` in `language`.
pub fn content_terms(language: Language, text: &str) -> BTreeSet<String> {
    esculape_kb::analyze(language, text)
        .into_iter()
        .filter(|term| !term.chars().all(|character| character.is_ascii_digit()))
        .collect()
}

/// The distinct content terms of a question in `question_language`, analyzed as
/// `passage_language` passages are (the terms a passage of that language can share with
/// it). The question's own function words go first: its stop words and elisions (a
/// French question read with the English analyzer must not count "la" or "et" as
/// content), and in French the verb of an interrogative inversion ("peut" in "Peut-on",
/// "faut" in "Faut-il", "existe" in "Existe-t-il"), which frames the question rather than
/// naming what it is about.
pub fn question_terms(
    question: &str,
    question_language: Language,
    passage_language: Language,
) -> BTreeSet<String> {
    let words: Vec<esculape_text::Word> = esculape_text::words(question).collect();
    let content: Vec<&str> = words
        .iter()
        .enumerate()
        .filter(|(index, word)| {
            let function_word = esculape_text::is_stop_word(question_language, &word.folded)
                || (question_language == Language::French
                    && (esculape_text::is_elision(&word.folded)
                        || is_inverted_verb(question, &words, *index)));
            !function_word
        })
        .map(|(_, word)| &question[word.start..word.end])
        .collect();
    content_terms(passage_language, &content.join(" "))
}

/// Subject pronouns of a French interrogative inversion ("peut-on", "doit-il").
const INVERTED_PRONOUNS: &[&str] = &[
    "on", "il", "elle", "ils", "elles", "je", "tu", "nous", "vous",
];

/// Whether `words[index]` is a verb joined by a hyphen to a following subject pronoun,
/// with or without the euphonic "-t-" ("existe-t-il").
fn is_inverted_verb(text: &str, words: &[esculape_text::Word], index: usize) -> bool {
    let hyphen_before = |next: &esculape_text::Word, previous_end: usize| {
        text[previous_end..next.start].trim() == "-"
    };
    let mut end = words[index].end;
    let mut next = index + 1;
    if let Some(euphonic) = words.get(next)
        && euphonic.folded == "t"
        && hyphen_before(euphonic, end)
    {
        end = euphonic.end;
        next += 1;
    }
    words.get(next).is_some_and(|pronoun| {
        INVERTED_PRONOUNS.contains(&pronoun.folded.as_str()) && hyphen_before(pronoun, end)
    })
}

/// Share of `terms` found in `other`, 0 when `terms` is empty.
pub fn share_found(terms: &BTreeSet<String>, other: &BTreeSet<String>) -> f32 {
    if terms.is_empty() {
        return 0.0;
    }
    terms.iter().filter(|term| other.contains(*term)).count() as f32 / terms.len() as f32
}

/// Jaccard similarity of two term sets (1 when both are empty).
pub fn jaccard(left: &BTreeSet<String>, right: &BTreeSet<String>) -> f32 {
    let union = left.union(right).count();
    if union == 0 {
        return 1.0;
    }
    left.intersection(right).count() as f32 / union as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_french_question_read_as_english_keeps_no_french_stop_word() {
        let question = "Quelle est la dose de l'amoxicilline et du paracétamol ?";
        let terms = question_terms(question, Language::French, Language::English);
        let english_only = content_terms(Language::English, question);
        assert!(english_only.contains("la") && english_only.contains("et"));
        assert!(!terms.contains("la") && !terms.contains("et") && !terms.contains("l"));
        assert!(
            terms.iter().any(|term| term.starts_with("amoxicillin")),
            "{terms:?}"
        );
        assert_eq!(
            question_terms(question, Language::French, Language::French),
            content_terms(Language::French, question)
        );
    }

    fn check_french(question: &str, expect: &[&str]) {
        let terms = question_terms(question, Language::French, Language::French);
        let expect: BTreeSet<String> = expect
            .iter()
            .flat_map(|word| content_terms(Language::French, word))
            .collect();
        assert_eq!(terms, expect, "{question}");
    }

    #[test]
    fn the_verb_of_a_french_interrogative_inversion_is_not_content() {
        check_french(
            "Peut-on associer la clarithromycine et la simvastatine ?",
            &["associer", "clarithromycine", "simvastatine"],
        );
        check_french(
            "Faut-il traiter une HTA gravidique ?",
            &["traiter", "HTA", "gravidique"],
        );
        check_french(
            "Existe-t-il un antidote au dabigatran ?",
            &["antidote", "dabigatran"],
        );
        // A hyphenated word is not an inversion.
        check_french(
            "Dose de l'anti-inflammatoire",
            &["dose", "anti", "inflammatoire"],
        );
    }
}
