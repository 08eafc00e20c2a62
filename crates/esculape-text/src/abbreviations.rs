//! Medical abbreviations and their expansions, read from `data/medical_abbreviations.tsv`.

use crate::language::Language;
use crate::words::words;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

const BUILTIN: &str = include_str!("../data/medical_abbreviations.tsv");

/// One row of the abbreviation table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Abbreviation {
    /// The abbreviation as written ("HTA").
    pub abbreviation: String,
    pub language: Language,
    /// The expansion as written ("hypertension artérielle").
    pub expansion: String,
    /// Folded words of the abbreviation (usually one).
    pub abbreviation_words: Vec<String>,
    /// Folded words of the expansion.
    pub expansion_words: Vec<String>,
}

/// A query span and an equivalent wording to search as well.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alternative {
    /// Which query words (indices into the folded word list) the alternative stands for.
    pub words: Range<usize>,
    /// The folded words to search instead.
    pub replacement: Vec<String>,
}

/// The abbreviation table, indexed for lookup in both directions.
#[derive(Debug, Default)]
pub struct Abbreviations {
    rows: Vec<Abbreviation>,
    // First folded word of either side -> rows whose side starts with it.
    by_first_word: HashMap<String, Vec<usize>>,
}

impl Abbreviations {
    /// The table shipped with Esculape.
    pub fn builtin() -> &'static Abbreviations {
        static TABLE: OnceLock<Abbreviations> = OnceLock::new();
        TABLE.get_or_init(|| {
            Abbreviations::parse(BUILTIN).expect("the built-in abbreviation table is well formed")
        })
    }

    /// Parses a table in the TSV format of `data/medical_abbreviations.tsv`.
    pub fn parse(tsv: &str) -> Result<Abbreviations, String> {
        let mut table = Abbreviations::default();
        for (line_index, line) in tsv.lines().enumerate() {
            let line = line.trim_end_matches('\r');
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let columns: Vec<&str> = line.split('\t').collect();
            let [abbreviation, language, expansion] = columns[..] else {
                return Err(format!(
                    "line {}: expected 3 tab-separated columns, found {}",
                    line_index + 1,
                    columns.len()
                ));
            };
            let language = Language::from_code(language)
                .ok_or_else(|| format!("line {}: unknown language `{language}`", line_index + 1))?;
            let row = Abbreviation {
                abbreviation: abbreviation.to_string(),
                language,
                expansion: expansion.to_string(),
                abbreviation_words: words(abbreviation).map(|word| word.folded).collect(),
                expansion_words: words(expansion).map(|word| word.folded).collect(),
            };
            if row.abbreviation_words.is_empty() || row.expansion_words.is_empty() {
                return Err(format!(
                    "line {}: empty abbreviation or expansion",
                    line_index + 1
                ));
            }
            let index = table.rows.len();
            for side in [&row.abbreviation_words, &row.expansion_words] {
                let entries = table.by_first_word.entry(side[0].clone()).or_default();
                if !entries.contains(&index) {
                    entries.push(index);
                }
            }
            table.rows.push(row);
        }
        Ok(table)
    }

    /// All rows, in file order.
    pub fn rows(&self) -> &[Abbreviation] {
        &self.rows
    }

    /// Equivalent wordings for spans of a folded query: each abbreviation gives its
    /// expansions, each expansion gives its abbreviations.
    pub fn alternatives(&self, folded_words: &[String]) -> Vec<Alternative> {
        let mut alternatives: Vec<Alternative> = Vec::new();
        for start in 0..folded_words.len() {
            let Some(rows) = self.by_first_word.get(&folded_words[start]) else {
                continue;
            };
            for &row_index in rows {
                let row = &self.rows[row_index];
                for (side, other) in [
                    (&row.abbreviation_words, &row.expansion_words),
                    (&row.expansion_words, &row.abbreviation_words),
                ] {
                    let end = start + side.len();
                    if end <= folded_words.len() && folded_words[start..end] == side[..] {
                        let alternative = Alternative {
                            words: start..end,
                            replacement: other.clone(),
                        };
                        if !alternatives.contains(&alternative) {
                            alternatives.push(alternative);
                        }
                    }
                }
            }
        }
        alternatives
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folded(text: &str) -> Vec<String> {
        words(text).map(|word| word.folded).collect()
    }

    fn check(query: &str, expect: &[&str]) {
        let query_words = folded(query);
        let got: Vec<String> = Abbreviations::builtin()
            .alternatives(&query_words)
            .into_iter()
            .map(|alternative| {
                format!(
                    "{}={}",
                    query_words[alternative.words].join(" "),
                    alternative.replacement.join(" ")
                )
            })
            .collect();
        assert_eq!(got, expect, "alternatives({query:?})");
    }

    #[test]
    fn abbreviation_expands() {
        check("HTA et grossesse", &["hta=hypertension arterielle"]);
    }

    #[test]
    fn expansion_contracts() {
        check(
            "hypertension artérielle gravidique",
            &["hypertension arterielle=hta", "hypertension=htn"],
        );
    }

    #[test]
    fn several_expansions_are_all_given() {
        check("AVK", &["avk=antivitamine k", "avk=antivitamines k"]);
    }

    #[test]
    fn unrelated_words_give_nothing() {
        check("paracétamol", &[]);
    }

    #[test]
    fn malformed_rows_are_rejected_with_their_line() {
        let error = Abbreviations::parse("HTA\tfr\n").unwrap_err();
        assert!(error.contains("line 1"), "{error}");
        let error = Abbreviations::parse("HTA\txx\thypertension\n").unwrap_err();
        assert!(error.contains("unknown language"), "{error}");
    }
}
