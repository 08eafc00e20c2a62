//! Re-identification of a model's answer while it streams in: the pieces a model emits
//! cut surrogates anywhere ("Luc" + "ie MAR" + "TIN"), so text is passed on only up to a
//! point no surrogate can straddle, and the rest is held until more arrives. The text
//! passed on, joined, is exactly [`reidentify`] of the whole answer.

use crate::pseudonymize::reidentify;
use crate::scope::Scope;

/// Restores a streamed answer piece by piece; [`StreamRestorer::finish`] gives the rest.
pub struct StreamRestorer<'scope> {
    scope: &'scope Scope,
    surrogates: Vec<String>,
    pending: String,
}

impl std::fmt::Debug for StreamRestorer<'_> {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("StreamRestorer")
            .field("pending_bytes", &self.pending.len())
            .finish_non_exhaustive()
    }
}

impl<'scope> StreamRestorer<'scope> {
    pub fn new(scope: &'scope Scope) -> StreamRestorer<'scope> {
        let surrogates = scope
            .surrogate_pairs()
            .map(|(surrogate, _)| surrogate.to_string())
            .filter(|surrogate| !surrogate.is_empty())
            .collect();
        StreamRestorer {
            scope,
            surrogates,
            pending: String::new(),
        }
    }

    /// Takes the next piece of the answer; returns the restored text that can be shown now
    /// (possibly empty).
    pub fn push(&mut self, piece: &str) -> String {
        self.pending.push_str(piece);
        let cut = self.safe_cut();
        if cut == 0 {
            return String::new();
        }
        let rest = self.pending.split_off(cut);
        let head = std::mem::replace(&mut self.pending, rest);
        reidentify(&head, self.scope)
    }

    /// The restored text still held back, once the answer is complete.
    pub fn finish(self) -> String {
        reidentify(&self.pending, self.scope)
    }

    /// The largest prefix of `pending` that ends with white space and that no surrogate
    /// occurrence, present or to come, straddles.
    fn safe_cut(&self) -> usize {
        let pending = self.pending.as_str();
        // After white space the next match starts on a word boundary in the whole text as
        // in the piece, and no surrogate ends with white space.
        let Some((last_space, space)) = pending
            .char_indices()
            .rev()
            .find(|(_, c)| c.is_whitespace())
        else {
            return 0;
        };
        let mut cut = last_space + space.len_utf8();
        loop {
            let straddled = word_starts(pending, cut).find(|&start| {
                let tail = &pending[start..];
                self.surrogates.iter().any(|surrogate| {
                    if tail.len() >= surrogate.len() {
                        tail.starts_with(surrogate.as_str()) && start + surrogate.len() > cut
                    } else {
                        surrogate.starts_with(tail)
                    }
                })
            });
            match straddled {
                // Cut just before that word (after the white space that precedes it).
                Some(start) => cut = start,
                None => return cut,
            }
            if cut == 0 {
                return 0;
            }
        }
    }
}

/// Byte offsets before `cut` where a word starts (the text's start or after white
/// space), earliest first.
fn word_starts(text: &str, cut: usize) -> impl Iterator<Item = usize> + '_ {
    let mut previous_is_space = true;
    text[..cut].char_indices().filter_map(move |(index, c)| {
        let starts = previous_is_space && !c.is_whitespace();
        previous_is_space = c.is_whitespace();
        starts.then_some(index)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Config, pseudonymize};

    fn scope_with(note: &str) -> (Scope, String) {
        let mut scope = Scope::new("stream", 60).unwrap();
        let pseudonymized = pseudonymize(note, &mut scope, &Config::default()).unwrap();
        (scope, pseudonymized.into_value())
    }

    #[test]
    fn every_way_of_cutting_the_answer_restores_the_same_text() {
        let note =
            "Mme Jeanne DUPONT, née le 03/04/1956, tél 06 12 34 56 78, vue par le Dr Martin.";
        let (scope, surrogate_text) = scope_with(note);
        let answer = format!("Résumé : {surrogate_text} Fin de la lettre pour {surrogate_text}");
        let expected = reidentify(&answer, &scope);
        assert!(expected.contains("DUPONT") && expected.contains("06 12 34 56 78"));
        let boundaries: Vec<usize> = (0..=answer.len())
            .filter(|&index| answer.is_char_boundary(index))
            .collect();
        // Two cuts anywhere, then pieces of every small size.
        for &first in &boundaries {
            for &second in boundaries
                .iter()
                .filter(|&&second| second >= first)
                .step_by(7)
            {
                let mut restorer = StreamRestorer::new(&scope);
                let mut shown = restorer.push(&answer[..first]);
                shown.push_str(&restorer.push(&answer[first..second]));
                shown.push_str(&restorer.push(&answer[second..]));
                shown.push_str(&restorer.finish());
                assert_eq!(shown, expected, "cut at {first} and {second}");
            }
        }
        for size in 1..12 {
            let mut restorer = StreamRestorer::new(&scope);
            let mut shown = String::new();
            let mut start = 0;
            while start < answer.len() {
                let mut end = (start + size).min(answer.len());
                while !answer.is_char_boundary(end) {
                    end += 1;
                }
                shown.push_str(&restorer.push(&answer[start..end]));
                start = end;
            }
            shown.push_str(&restorer.finish());
            assert_eq!(shown, expected, "pieces of {size} bytes");
        }
    }

    #[test]
    fn text_without_surrogates_flows_word_by_word() {
        let (scope, _) = scope_with("Mme Jeanne DUPONT");
        let mut restorer = StreamRestorer::new(&scope);
        assert_eq!(restorer.push("La tension "), "La tension ");
        assert_eq!(restorer.push("artérielle"), "");
        assert_eq!(restorer.push(" est"), "artérielle ");
        assert_eq!(restorer.finish(), "est");
    }
}
