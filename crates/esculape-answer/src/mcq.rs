//! Multiple-choice questions scored by a language model's likelihood given the retrieved
//! evidence: each option is a continuation of one prompt (numbered passages, then the
//! question); the option the model finds most likely, per character, is its answer.
//!
//! The model is only a reader here: the options come from the question, the evidence from
//! the sources, and the choice is a number computed from the model's probabilities.

use crate::evidence::UsedPassage;
use esculape_text::Language;

/// Longest share of one passage put in the prompt, in characters: a small model's context
/// must hold several passages and the question.
pub const MAX_PASSAGE_CHARS: usize = 1200;

/// The prompt whose continuations are the options: the passages as numbered data, the
/// question, then "Réponse :" ("Answer:"). Without passages it is the question alone (the
/// closed-book baseline).
pub fn option_prompt(question: &str, language: Language, passages: &[UsedPassage]) -> String {
    let (sources, question_label, answer_label) = match language {
        Language::French => ("Extraits de sources médicales :", "Question :", "Réponse :"),
        Language::Spanish => ("Extractos de fuentes médicas:", "Pregunta:", "Respuesta:"),
        Language::English => ("Excerpts from medical sources:", "Question:", "Answer:"),
    };
    let mut prompt = String::new();
    if !passages.is_empty() {
        prompt.push_str(sources);
        prompt.push('\n');
        for passage in passages {
            let text: String = passage
                .evidence_text
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            let cut: String = text.chars().take(MAX_PASSAGE_CHARS).collect();
            prompt.push_str(&format!("[{}] {}\n", passage.number, cut));
        }
        prompt.push('\n');
    }
    let question: String = question.split_whitespace().collect::<Vec<_>>().join(" ");
    prompt.push_str(&format!("{question_label} {question}\n{answer_label}"));
    prompt
}

/// Each option's continuation: a space, then its text on one line.
pub fn option_continuation(option: &str) -> String {
    format!(
        " {}",
        option.split_whitespace().collect::<Vec<_>>().join(" ")
    )
}

/// Log-likelihoods per character of `continuations` (the scores a model gave them, sum
/// over their tokens), so that long options are not penalised for their length.
pub fn per_character(log_likelihoods: &[f64], continuations: &[String]) -> Vec<f64> {
    log_likelihoods
        .iter()
        .zip(continuations)
        .map(|(score, text)| score / text.chars().count().max(1) as f64)
        .collect()
}

/// The options chosen from per-character scores: the best one, and for questions that may
/// have several right options, every option whose softmax probability over the options is
/// above chance (1 / number of options). No threshold is fitted to a data set.
pub fn chosen_options(scores: &[f64], several: bool) -> Vec<usize> {
    let Some(best) =
        (0..scores.len()).max_by(|&left, &right| scores[left].total_cmp(&scores[right]))
    else {
        return Vec::new();
    };
    if !several {
        return vec![best];
    }
    let maximum = scores[best];
    let weights: Vec<f64> = scores.iter().map(|score| (score - maximum).exp()).collect();
    let total: f64 = weights.iter().sum();
    let chance = 1.0 / scores.len() as f64;
    (0..scores.len())
        .filter(|&index| index == best || weights[index] / total > chance)
        .collect()
}

/// Hamming score of one question (FrenchMedMCQA): |predicted ∩ correct| / |predicted ∪
/// correct|, 1 when both are empty.
pub fn hamming_score(predicted: &[usize], correct: &[usize]) -> f64 {
    let union = predicted
        .iter()
        .chain(correct)
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    if union == 0 {
        return 1.0;
    }
    let both = predicted
        .iter()
        .filter(|option| correct.contains(option))
        .count();
    both as f64 / union as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_best_option_is_always_chosen_and_others_only_above_chance() {
        let scores = [-2.0, -0.5, -0.6, -5.0];
        assert_eq!(chosen_options(&scores, false), vec![1]);
        // softmax: 0.5 and 0.6 are near each other (~0.4 each), the others far below 1/4.
        assert_eq!(chosen_options(&scores, true), vec![1, 2]);
        assert!(chosen_options(&[], true).is_empty());
    }

    #[test]
    fn hamming_score_is_intersection_over_union() {
        assert_eq!(hamming_score(&[0, 1], &[1, 2]), 1.0 / 3.0);
        assert_eq!(hamming_score(&[4], &[4]), 1.0);
        assert_eq!(hamming_score(&[], &[]), 1.0);
        assert_eq!(hamming_score(&[0], &[1]), 0.0);
    }

    #[test]
    fn long_options_are_scored_per_character() {
        let continuations = vec![" ab".to_string(), " abcdef".to_string()];
        let scores = per_character(&[-3.0, -3.5], &continuations);
        assert!(scores[1] > scores[0], "{scores:?}");
    }

    #[test]
    fn the_prompt_holds_numbered_passages_then_the_question() {
        let prompt = option_prompt("Quel est le traitement ?", Language::French, &[]);
        assert_eq!(prompt, "Question : Quel est le traitement ?\nRéponse :");
        assert_eq!(
            option_continuation("  Aspirine\n 100 mg"),
            " Aspirine 100 mg"
        );
    }
}
