//! A cheap language guess for questions and documents, from function-word counts.

use crate::words::words;

/// Languages Esculape analyses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Language {
    French,
    English,
    Spanish,
}

impl Language {
    /// ISO 639-1 code.
    pub fn code(self) -> &'static str {
        match self {
            Language::French => "fr",
            Language::English => "en",
            Language::Spanish => "es",
        }
    }

    /// Parses an ISO 639-1 code ("fr", "en", "es"), case-insensitively.
    pub fn from_code(code: &str) -> Option<Language> {
        match code.trim().to_ascii_lowercase().as_str() {
            "fr" | "fra" | "fre" | "french" => Some(Language::French),
            "en" | "eng" | "english" => Some(Language::English),
            "es" | "spa" | "spanish" => Some(Language::Spanish),
            _ => None,
        }
    }
}

// Short, distinctive function words of each language (folded). Words shared by two of
// the languages ("de", "la", "a") are left out so they do not blur the vote.
const FRENCH_MARKERS: &[&str] = &[
    "le", "les", "des", "du", "est", "et", "une", "dans", "pour", "au", "aux", "avec", "sur",
    "quelle", "quel", "que", "qui", "chez", "ou", "il", "elle", "pas", "sont", "ce", "cette", "d",
    "l", "qu", "faut", "quels", "quelles",
];
const ENGLISH_MARKERS: &[&str] = &[
    "the", "and", "of", "is", "are", "what", "how", "with", "for", "in", "to", "which", "does",
    "do", "can", "be", "should", "this", "that", "it", "from", "or", "after", "when", "who",
];
const SPANISH_MARKERS: &[&str] = &[
    "el", "los", "las", "y", "es", "en", "un", "una", "con", "por", "para", "del", "que", "cual",
    "como", "se", "su", "al", "paciente", "esta", "son",
];

/// Guesses the language of `text`, or `None` when no marker word decides it.
pub fn guess_language(text: &str) -> Option<Language> {
    let mut votes = [0usize; 3];
    for word in words(text).take(2000) {
        let folded = word.folded.as_str();
        votes[0] += FRENCH_MARKERS.contains(&folded) as usize;
        votes[1] += ENGLISH_MARKERS.contains(&folded) as usize;
        votes[2] += SPANISH_MARKERS.contains(&folded) as usize;
    }
    let best = votes.iter().copied().max().unwrap_or(0);
    if best == 0 || votes.iter().filter(|&&count| count == best).count() > 1 {
        return None;
    }
    [Language::French, Language::English, Language::Spanish]
        .into_iter()
        .zip(votes)
        .find(|&(_, count)| count == best)
        .map(|(language, _)| language)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expect: Option<Language>) {
        assert_eq!(guess_language(text), expect, "{text:?}");
    }

    #[test]
    fn guesses_clinical_questions() {
        check(
            "Quelle est la conduite à tenir devant une HTA chez la femme enceinte ?",
            Some(Language::French),
        );
        check(
            "What are the side effects of aspirin with warfarin?",
            Some(Language::English),
        );
        check(
            "¿Cuál es el tratamiento de la neumonía en el paciente anciano?",
            Some(Language::Spanish),
        );
    }

    #[test]
    fn undecided_text_gives_none() {
        check("HTA", None);
        check("", None);
    }
}
