//! Drug resolution: a brand name, an INN, a CIS, CIP7 or CIP13 code, typed with typos,
//! accents or a strength ("kardegic 75", "KARDÉGIC 75 mg", "acide acétylsalicylique",
//! "3400935955838") → the specialties and their active substances. Ambiguous text gives
//! the candidates, never a guess.

use crate::bdpm::Bdpm;
use crate::names::{bridge_keys, name_key};
use crate::thesaurus::Thesaurus;
use rustc_hash::FxHashMap;
use serde::Serialize;
use std::borrow::Cow;

/// What a piece of drug text resolved to.
#[derive(Debug, Clone, Serialize)]
pub struct Resolution {
    pub query: String,
    /// The query as understood after typo correction, when a word was corrected.
    pub corrected: Option<String>,
    pub outcome: Outcome,
}

/// The outcome of a resolution.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Outcome {
    /// One or more specialties (forms or strengths of one product) that share the same
    /// active substances.
    Specialties {
        cis: Vec<String>,
        substances: Vec<String>,
    },
    /// An active substance (INN), named as the BDPM or the thesaurus writes it.
    Substance { name: String, specialties: usize },
    /// Specialties with different active substances: the prescriber must choose.
    Ambiguous { candidates: Vec<Candidate> },
    /// Nothing matched; `suggestions` are near names.
    NotFound { suggestions: Vec<String> },
}

/// A specialty offered as a candidate.
#[derive(Debug, Clone, Serialize)]
pub struct Candidate {
    pub cis: String,
    pub denomination: String,
    pub substances: Vec<String>,
}

/// Word index of the BDPM names, built once at loading.
#[derive(Debug, Default)]
pub(crate) struct NameIndex {
    /// Every distinct word and number of the denominations and of the substance keys →
    /// its number.
    word_numbers: FxHashMap<String, u32>,
    /// The numbers of each denomination's words and numbers, sorted and distinct: those of
    /// the specialty at position `p` are `denomination_words[word_starts[p]..word_starts[p + 1]]`.
    denomination_words: Vec<u32>,
    word_starts: Vec<u32>,
    /// The number of a denomination's first name word → the positions of its specialties.
    by_first_word: FxHashMap<u32, Vec<u32>>,
    /// Name words and the words of substance keys, sorted and distinct: the known words,
    /// and the targets of typo correction.
    vocabulary: Vec<String>,
    /// Substance keys (as written and bridged) → (display name, specialties holding it).
    substances: FxHashMap<String, (String, usize)>,
}

/// Words that carry no name: units and dose wording.
const UNIT_WORDS: &[&str] = &[
    "mg", "g", "ml", "µg", "μg", "mcg", "ui", "j", "jour", "jours", "par", "prise", "semaine", "x",
    "fois", "l", "dl",
];

/// The words and numbers of folded text; a decimal comma becomes a point ("1,5" → "1.5").
fn tokens(folded: &str) -> impl Iterator<Item = Cow<'_, str>> {
    folded
        .split(|character: char| {
            !(character.is_alphanumeric()
                || character == '\''
                || character == ','
                || character == '.'
                || character == '-')
        })
        .map(|token| token.trim_matches(|c: char| c == ',' || c == '.' || c == '-' || c == '\''))
        .filter(|token| !token.is_empty())
        .map(|token| {
            if token.contains(',')
                && token
                    .bytes()
                    .all(|byte| byte.is_ascii_digit() || byte == b',' || byte == b'.')
            {
                Cow::Owned(token.replace(',', "."))
            } else {
                Cow::Borrowed(token)
            }
        })
}

fn is_number(token: &str) -> bool {
    token
        .bytes()
        .next()
        .is_some_and(|byte| byte.is_ascii_digit())
        && token
            .bytes()
            .all(|byte| byte.is_ascii_digit() || byte == b'.')
}

/// Builds the [`NameIndex`] while the BDPM join reads the rows, so that each name is read
/// once, while its row is being joined: the denominations in specialty order, then the
/// active substances of the composition rows in file order. A substance name is bridged
/// once, however many specialties hold it.
pub(crate) struct NameIndexBuilder {
    index: NameIndex,
    in_vocabulary: Vec<bool>,
    /// Substance names → their number; by number, the name and its key numbers.
    substance_numbers: FxHashMap<String, u32>,
    substance_names: Vec<String>,
    substance_keys: Vec<Vec<u32>>,
    /// Substance keys → their number.
    key_numbers: FxHashMap<String, u32>,
    /// (specialty position, substance number, therapeutic fraction number or `NO_FRACTION`)
    /// of each active substance row, in file order.
    holdings: Vec<(u32, u32, u32)>,
    /// The word numbers of one denomination.
    scratch: Vec<u32>,
}

const NO_FRACTION: u32 = u32::MAX;

impl NameIndexBuilder {
    pub(crate) fn with_capacity(specialties: usize) -> NameIndexBuilder {
        let mut index = NameIndex::default();
        index.word_starts.reserve(specialties + 1);
        index.word_starts.push(0);
        NameIndexBuilder {
            index,
            in_vocabulary: Vec::new(),
            substance_numbers: FxHashMap::default(),
            substance_names: Vec::new(),
            substance_keys: Vec::new(),
            key_numbers: FxHashMap::default(),
            holdings: Vec::with_capacity(specialties * 2),
            scratch: Vec::new(),
        }
    }

    fn word_number(&mut self, word: Cow<'_, str>) -> u32 {
        if let Some(&number) = self.index.word_numbers.get(word.as_ref()) {
            return number;
        }
        let number = self.index.word_numbers.len() as u32;
        self.index.word_numbers.insert(word.into_owned(), number);
        self.in_vocabulary.push(false);
        number
    }

    /// The denomination of the next specialty (positions 0, 1, 2… in turn).
    pub(crate) fn denomination(&mut self, denomination: &str) {
        let position = self.index.word_starts.len() as u32 - 1;
        let folded = esculape_text::fold(denomination);
        let head = folded.split(',').next().unwrap_or("");
        let name_words = tokens(head).take_while(|token| !is_number(token));
        for (rank, word) in name_words.enumerate() {
            let number = self.word_number(word);
            self.in_vocabulary[number as usize] = true;
            if rank == 0 {
                self.index
                    .by_first_word
                    .entry(number)
                    .or_default()
                    .push(position);
            }
        }
        self.scratch.clear();
        for token in tokens(&folded) {
            let number = self.word_number(token);
            self.scratch.push(number);
        }
        self.scratch.sort_unstable();
        self.scratch.dedup();
        self.index
            .denomination_words
            .extend_from_slice(&self.scratch);
        self.index
            .word_starts
            .push(self.index.denomination_words.len() as u32);
    }

    /// An active substance of the specialty at `position`, with its therapeutic fraction.
    pub(crate) fn component(&mut self, position: u32, substance: &str, fraction: Option<&str>) {
        let substance = self.substance_number(substance);
        let fraction = fraction.map_or(NO_FRACTION, |fraction| self.substance_number(fraction));
        self.holdings.push((position, substance, fraction));
    }

    fn substance_number(&mut self, substance: &str) -> u32 {
        if let Some(&number) = self.substance_numbers.get(substance) {
            return number;
        }
        let mut key_numbers = Vec::new();
        for key in bridge_keys(substance) {
            for word in key.split(' ') {
                let number = self.word_number(Cow::Borrowed(word));
                self.in_vocabulary[number as usize] = true;
            }
            let next = self.key_numbers.len() as u32;
            let key_number = *self.key_numbers.entry(key).or_insert(next);
            key_numbers.push(key_number);
        }
        let number = self.substance_names.len() as u32;
        self.substance_numbers.insert(substance.to_string(), number);
        self.substance_names.push(substance.to_string());
        self.substance_keys.push(key_numbers);
        number
    }

    /// Counts, for each key, the specialties holding a substance with that key, visiting
    /// the specialties in order and, in each, its distinct active substances then its
    /// therapeutic fractions: the first substance to reach a key names it.
    pub(crate) fn finish(self) -> NameIndex {
        let NameIndexBuilder {
            mut index,
            in_vocabulary,
            substance_names,
            substance_keys,
            key_numbers,
            mut holdings,
            ..
        } = self;
        holdings.sort_by_key(|&(position, _, _)| position);
        let mut entries: Vec<(Option<u32>, usize)> = vec![(None, 0); key_numbers.len()];
        // The last specialty that counted each substance.
        let mut counted_by: Vec<Option<u32>> = vec![None; substance_names.len()];
        let mut count = |position: u32, substance: u32| {
            if substance == NO_FRACTION || counted_by[substance as usize] == Some(position) {
                return;
            }
            counted_by[substance as usize] = Some(position);
            for &key in &substance_keys[substance as usize] {
                let entry = &mut entries[key as usize];
                entry.0.get_or_insert(substance);
                entry.1 += 1;
            }
        };
        for specialty in holdings.chunk_by(|a, b| a.0 == b.0) {
            for &(position, substance, _) in specialty {
                count(position, substance);
            }
            for &(position, _, fraction) in specialty {
                count(position, fraction);
            }
        }
        index.vocabulary = index
            .word_numbers
            .iter()
            .filter(|(_, number)| in_vocabulary[**number as usize])
            .map(|(word, _)| word.clone())
            .collect();
        index.vocabulary.sort_unstable();
        index.substances = key_numbers
            .into_iter()
            .filter_map(|(key, number)| {
                let (substance, specialties) = entries[number as usize];
                let name = substance_names[substance? as usize].clone();
                Some((key, (name, specialties)))
            })
            .collect();
        index
    }
}

impl NameIndex {
    /// Whether a name word or a word of a substance key is `word`.
    fn knows(&self, word: &str) -> bool {
        self.vocabulary
            .binary_search_by(|known| known.as_str().cmp(word))
            .is_ok()
    }

    /// Whether the denomination of the specialty at `position` holds the word or number.
    fn denomination_has(&self, position: u32, word: &str) -> bool {
        let Some(number) = self.word_numbers.get(word) else {
            return false;
        };
        let start = self.word_starts[position as usize] as usize;
        let end = self.word_starts[position as usize + 1] as usize;
        self.denomination_words[start..end]
            .binary_search(number)
            .is_ok()
    }
}

impl Bdpm {
    /// Resolves drug text. With a thesaurus, substance names that only it knows (and its
    /// spellings) resolve too.
    pub fn resolve(&self, text: &str, thesaurus: Option<&Thesaurus>) -> Resolution {
        let query = text.trim().to_string();
        let compact: String = query.chars().filter(|c| !c.is_whitespace()).collect();
        if !compact.is_empty() && compact.bytes().all(|byte| byte.is_ascii_digit()) {
            let found = match compact.len() {
                13 => self.by_cip13.get(&compact),
                8 => self.by_cis.get(&compact),
                7 => self.by_cip7.get(&compact),
                _ => None,
            };
            let outcome = match found {
                Some(position) => self.specialties_outcome(&[position]),
                None => Outcome::NotFound {
                    suggestions: Vec::new(),
                },
            };
            return Resolution {
                query,
                corrected: None,
                outcome,
            };
        }
        let names = &self.names;
        let folded = esculape_text::fold(&query);
        let all_tokens: Vec<String> = tokens(&folded).map(Cow::into_owned).collect();
        let numbers: Vec<&String> = all_tokens.iter().filter(|token| is_number(token)).collect();
        let words: Vec<String> = all_tokens
            .iter()
            .filter(|token| !is_number(token) && !UNIT_WORDS.contains(&token.as_str()))
            .cloned()
            .collect();
        if words.is_empty() {
            return Resolution {
                query,
                corrected: None,
                outcome: Outcome::NotFound {
                    suggestions: Vec::new(),
                },
            };
        }
        // Typos: a word no name uses becomes the nearest word that one does.
        let mut corrected_words = words.clone();
        let mut corrected = false;
        for word in &mut corrected_words {
            if names.knows(word)
                || thesaurus.is_some_and(|thesaurus| thesaurus.find(word).is_some())
            {
                continue;
            }
            if let Some(nearest) = nearest_word(word, &names.vocabulary) {
                *word = nearest;
                corrected = true;
            }
        }
        let corrected = corrected.then(|| {
            let mut text = corrected_words.join(" ");
            for number in &numbers {
                text.push(' ');
                text.push_str(number);
            }
            text
        });
        let phrase = corrected_words.join(" ");
        // An INN: the whole phrase (dose aside) is a substance name.
        if let Some(key) = bridge_keys(&phrase)
            .into_iter()
            .find(|key| names.substances.contains_key(key))
        {
            let (name, specialties) = &names.substances[&key];
            let name = thesaurus
                .and_then(|thesaurus| {
                    thesaurus
                        .find(name)
                        .map(|id| thesaurus.term(id).name.clone())
                })
                .unwrap_or_else(|| name.clone());
            return Resolution {
                query,
                corrected,
                outcome: Outcome::Substance {
                    name,
                    specialties: *specialties,
                },
            };
        }
        if let Some(thesaurus) = thesaurus
            && let Some(term) = thesaurus.find(&phrase)
        {
            return Resolution {
                query,
                corrected,
                outcome: Outcome::Substance {
                    name: thesaurus.term(term).name.clone(),
                    specialties: 0,
                },
            };
        }
        // A brand: denominations whose name starts with the first word and that hold every
        // other word and number of the query.
        let brand: Vec<u32> = names
            .word_numbers
            .get(corrected_words[0].as_str())
            .and_then(|number| names.by_first_word.get(number))
            .map(|positions| {
                positions
                    .iter()
                    .copied()
                    .filter(|&position| {
                        corrected_words
                            .iter()
                            .all(|word| names.denomination_has(position, word))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let with_numbers: Vec<u32> = brand
            .iter()
            .copied()
            .filter(|&position| {
                numbers
                    .iter()
                    .all(|number| names.denomination_has(position, number))
            })
            .collect();
        if with_numbers.is_empty() {
            let mut suggestions: Vec<String> = brand
                .iter()
                .map(|&position| self.specialties[position as usize].denomination.clone())
                .collect();
            suggestions.sort();
            suggestions.dedup();
            suggestions.truncate(12);
            return Resolution {
                query,
                corrected,
                outcome: Outcome::NotFound { suggestions },
            };
        }
        // No preference among the matches: "aspirine" is ASPIRINE UPSA as much as ASPIRINE
        // 500 mg VITAMINE C OBERLIN, and different substances make it ambiguous.
        let chosen = with_numbers;
        Resolution {
            query,
            corrected,
            outcome: self.specialties_outcome(&chosen),
        }
    }

    fn specialties_outcome(&self, positions: &[u32]) -> Outcome {
        // Compared by moiety: "CHLORHYDRATE DE TRIHEXYPHÉNIDYLE" and "TRIHEXYPHÉNIDYLE
        // (CHLORHYDRATE DE)" are one substance.
        let substance_set = |position: u32| {
            let mut names: Vec<String> = self.specialties[position as usize]
                .active_substances()
                .into_iter()
                .filter_map(|name| bridge_keys(name).pop())
                .collect();
            names.sort();
            names.dedup();
            names
        };
        let first = substance_set(positions[0]);
        if positions
            .iter()
            .all(|&position| substance_set(position) == first)
        {
            return Outcome::Specialties {
                cis: positions
                    .iter()
                    .map(|&position| self.specialties[position as usize].cis.clone())
                    .collect(),
                substances: self.specialties[positions[0] as usize]
                    .active_substances()
                    .into_iter()
                    .map(String::from)
                    .collect(),
            };
        }
        let mut candidates: Vec<Candidate> = positions
            .iter()
            .map(|&position| {
                let specialty = &self.specialties[position as usize];
                Candidate {
                    cis: specialty.cis.clone(),
                    denomination: specialty.denomination.clone(),
                    substances: specialty
                        .active_substances()
                        .into_iter()
                        .map(String::from)
                        .collect(),
                }
            })
            .collect();
        candidates.sort_by(|a, b| a.denomination.cmp(&b.denomination));
        Outcome::Ambiguous { candidates }
    }

    /// The names to check for interactions for a specialty's substances: each active
    /// substance as the thesaurus knows it, through its therapeutic fraction when the
    /// substance's own name (a salt) is unknown to it; unknown ones as the BDPM writes
    /// them, so that the check reports them unmatched.
    pub fn interaction_substances(&self, cis: &str, thesaurus: &Thesaurus) -> Vec<String> {
        let Some(specialty) = self.by_cis(cis) else {
            return Vec::new();
        };
        let mut names: Vec<String> = Vec::new();
        for component in &specialty.components {
            // The substance as written first; then its therapeutic fraction (the moiety of
            // a salt: DL-LYSINE (ACÉTYLSALICYLATE DE) → ACIDE ACÉTYLSALICYLIQUE); then the
            // substance without its salt words.
            let fraction = component
                .therapeutic_fraction
                .as_ref()
                .filter(|fraction| thesaurus.find(fraction).is_some());
            let chosen = if thesaurus
                .find_key(&name_key(&component.substance))
                .is_some()
            {
                component.substance.clone()
            } else if let Some(fraction) = fraction {
                fraction.clone()
            } else {
                component.substance.clone()
            };
            if !names.iter().any(|name| name_key(name) == name_key(&chosen)) {
                names.push(chosen);
            }
        }
        names
    }
}

/// The nearest vocabulary word within 1 edit (2 for words of 8 letters or more); `None`
/// when the word is too short, nothing is near, or several words are equally near.
fn nearest_word(word: &str, vocabulary: &[String]) -> Option<String> {
    let length = word.chars().count();
    let limit = match length {
        0..=3 => return None,
        4..=7 => 1,
        _ => 2,
    };
    let mut best: Option<(usize, &String)> = None;
    let mut tie = false;
    for candidate in vocabulary {
        if candidate.chars().count().abs_diff(length) > limit {
            continue;
        }
        let distance = edit_distance(word, candidate);
        if distance > limit {
            continue;
        }
        match best {
            Some((best_distance, _)) if distance > best_distance => {}
            Some((best_distance, _)) if distance == best_distance => tie = true,
            _ => {
                best = Some((distance, candidate));
                tie = false;
            }
        }
    }
    if tie {
        return None;
    }
    best.map(|(_, candidate)| candidate.clone())
}

/// Optimal string alignment distance (insertions, deletions, substitutions, swaps).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut table = vec![0usize; (a.len() + 1) * width];
    for i in 0..=a.len() {
        table[i * width] = i;
    }
    for (j, cell) in table.iter_mut().enumerate().take(width) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut value = (table[(i - 1) * width + j] + 1)
                .min(table[i * width + j - 1] + 1)
                .min(table[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                value = value.min(table[(i - 2) * width + j - 2] + 1);
            }
            table[i * width + j] = value;
        }
    }
    table[a.len() * width + b.len()]
}

#[cfg(test)]
mod tests {
    use super::edit_distance;

    #[test]
    fn edit_distance_counts_swaps_as_one() {
        assert_eq!(edit_distance("kardegic", "kardegic"), 0);
        assert_eq!(edit_distance("kardgeic", "kardegic"), 1);
        assert_eq!(edit_distance("kardegik", "kardegic"), 1);
        assert_eq!(edit_distance("previscan", "prevscan"), 1);
    }
}
