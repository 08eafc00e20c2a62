//! The word lists of `data/` (gazetteers, context words, eponyms), parsed once.

use esculape_text::{Abbreviations, Language, fold, is_stop_word};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::sync::LazyLock;

/// Every list the rule detectors and the surrogate generator use.
#[derive(Debug)]
pub(crate) struct Lexicon {
    /// Folded words of the common-word, English-vocabulary, first-name and surname lists,
    /// with the lists each belongs to: one look-up answers the four.
    pub words: HashMap<String, WordLists>,
    /// First names and surnames as written, to draw surrogates from.
    pub first_name_pool: Vec<String>,
    pub surname_pool: Vec<String>,
    /// City and region names as written (case-sensitive matching).
    pub places: Vec<String>,
    pub countries: Vec<String>,
    /// French cities to draw surrogates from (places that are not countries).
    pub city_pool: Vec<String>,
    /// Folded words of French clinical text and drug names (common words too):
    /// a place of this list ("Centre", "Réunion") is not a place on its own.
    pub clinical_vocabulary: HashSet<String>,
    /// Eponyms as written (Parkinson, Crohn…).
    pub eponyms: HashSet<String>,
    pub eponym_contexts: HashSet<String>,
    pub titles: HashSet<String>,
    pub name_contexts: Vec<String>,
    pub id_contexts: Vec<(String, String)>,
    pub phone_contexts: Vec<String>,
    pub street_types: Vec<String>,
    pub street_suffixes: Vec<String>,
    pub hospital_words: Vec<String>,
    pub place_contexts: Vec<String>,
    pub birth_contexts: Vec<String>,
    pub year_contexts: Vec<String>,
    /// Folded month word → month number, and month words per language for formatting.
    pub months: HashMap<String, (u32, &'static str)>,
    pub month_words: Vec<(String, u32, &'static str)>,
}

/// The lists of [`Lexicon::words`] a folded word belongs to.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct WordLists {
    /// Common words of French, Spanish, English and CIM-10 labels, stop words, medical
    /// abbreviations and French clinical vocabulary: a capitalised word from this list is
    /// not a name on its own.
    pub common: bool,
    /// English medical words and acronyms (MedQuAD): in English text, "ICU" or "CABG" is
    /// no surname. Apart from `common`, since in French text "ECHO" or "AID" in capitals
    /// may well be one.
    pub english_vocabulary: bool,
    /// First names (Faker fr_FR, es_ES, en_US; French first names by frequency).
    pub first_name: bool,
    /// Surnames (same sources).
    pub surname: bool,
}

static LEXICON: LazyLock<Lexicon> = LazyLock::new(Lexicon::load);

/// The built-in lexicon.
pub(crate) fn lexicon() -> &'static Lexicon {
    &LEXICON
}

/// Lines of a data file, without comments and blank lines.
fn lines(text: &'static str) -> impl Iterator<Item = &'static str> {
    text.lines()
        .map(str::trim_end)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
}

impl Lexicon {
    fn load() -> Lexicon {
        let first_name_pool: Vec<String> = lines(include_str!("../data/first_names.txt"))
            .map(str::to_string)
            .collect();
        let surname_pool: Vec<String> = lines(include_str!("../data/surnames.txt"))
            .filter(|name| !name.contains(' '))
            .map(str::to_string)
            .collect();
        let mut places: Vec<String> = lines(include_str!("../data/places.txt"))
            .map(str::to_string)
            .collect();
        let gazetteer_places = places.len();
        let countries: Vec<String> = lines(include_str!("../data/countries.txt"))
            .map(str::to_string)
            .collect();
        let mut common_words: HashSet<String> = lines(include_str!("../data/common_words.txt"))
            .map(str::to_string)
            .collect();
        // Context words ("IPP", "IBAN", "tél") are never names either.
        for line in lines(include_str!("../data/id_contexts.tsv"))
            .chain(lines(include_str!("../data/phone_contexts.txt")))
        {
            let phrase = line.rsplit('\t').next().unwrap_or(line);
            common_words.extend(phrase.split_whitespace().map(fold));
        }
        common_words.extend(["iban", "nir", "ins", "url", "ip"].map(String::from));
        // Drugs, tests and clinical words written in capitals are not surnames either.
        let clinical_vocabulary: HashSet<String> =
            lines(include_str!("../data/clinical_vocabulary.txt"))
                .map(str::to_string)
                .collect();
        common_words.extend(clinical_vocabulary.iter().cloned());
        common_words.extend(lines(include_str!("../data/clinical_acronyms.txt")).map(fold));
        for row in Abbreviations::builtin().rows() {
            common_words.insert(fold(&row.abbreviation));
        }
        // French and Spanish towns (GeoNames); the surrogate pool stays the first list.
        places.extend(lines(include_str!("../data/cities_geonames.txt")).map(str::to_string));
        places.sort_unstable();
        places.dedup();
        let month_rows: Vec<(String, u32, &'static str)> =
            lines(include_str!("../data/months.tsv"))
                .filter_map(|line| {
                    let mut fields = line.split('\t');
                    let word = fields.next()?;
                    let number = fields.next()?.parse().ok()?;
                    let language = match fields.next()? {
                        "fr" => "fr",
                        "es" => "es",
                        _ => "en",
                    };
                    Some((word.to_string(), number, language))
                })
                .collect();
        let city_pool: Vec<String> = places[..gazetteer_places]
            .iter()
            .filter(|place| !place.contains(' ') && place.len() > 3)
            .cloned()
            .collect();
        // French first names and surnames by frequency (INSEE-derived lists), for detection.
        let first_names: HashSet<String> = first_name_pool
            .iter()
            .map(|name| fold(name))
            .chain(lines(include_str!("../data/first_names_fr.txt")).map(fold))
            .collect();
        let surnames: HashSet<String> = surname_pool
            .iter()
            .map(|name| fold(name))
            .chain(lines(include_str!("../data/surnames_fr.txt")).map(fold))
            .collect();
        let english_vocabulary: HashSet<String> =
            lines(include_str!("../data/clinical_vocabulary_en.txt"))
                .map(str::to_string)
                .collect();
        let mut words: HashMap<String, WordLists> = HashMap::default();
        for word in common_words {
            words.entry(word).or_default().common = true;
        }
        for word in english_vocabulary {
            words.entry(word).or_default().english_vocabulary = true;
        }
        for word in first_names {
            words.entry(word).or_default().first_name = true;
        }
        for word in surnames {
            words.entry(word).or_default().surname = true;
        }
        Lexicon {
            clinical_vocabulary,
            words,
            first_name_pool,
            surname_pool,
            places,
            countries,
            city_pool,
            eponyms: lines(include_str!("../data/eponyms.txt"))
                .map(str::to_string)
                .collect(),
            eponym_contexts: lines(include_str!("../data/eponym_contexts.txt"))
                .map(fold)
                .collect(),
            titles: lines(include_str!("../data/titles.txt"))
                .map(str::to_string)
                .collect(),
            name_contexts: lines(include_str!("../data/name_contexts.txt"))
                .map(str::to_string)
                .collect(),
            id_contexts: lines(include_str!("../data/id_contexts.tsv"))
                .filter_map(|line| {
                    let (label, phrase) = line.split_once('\t')?;
                    Some((label.to_string(), phrase.to_string()))
                })
                .collect(),
            phone_contexts: lines(include_str!("../data/phone_contexts.txt"))
                .map(str::to_string)
                .collect(),
            street_types: lines(include_str!("../data/street_types.txt"))
                .map(str::to_string)
                .collect(),
            street_suffixes: lines(include_str!("../data/street_suffixes.txt"))
                .map(str::to_string)
                .collect(),
            hospital_words: lines(include_str!("../data/hospital_words.txt"))
                .map(str::to_string)
                .collect(),
            place_contexts: lines(include_str!("../data/place_contexts.txt"))
                .map(str::to_string)
                .collect(),
            birth_contexts: lines(include_str!("../data/birth_contexts.txt"))
                .map(str::to_string)
                .collect(),
            year_contexts: lines(include_str!("../data/year_contexts.txt"))
                .map(str::to_string)
                .collect(),
            months: month_rows
                .iter()
                .map(|(word, number, language)| (fold(word), (*number, *language)))
                .collect(),
            month_words: month_rows,
        }
    }

    /// The lists a folded word belongs to.
    pub fn lists(&self, folded: &str) -> WordLists {
        self.words.get(folded).copied().unwrap_or_default()
    }

    /// Whether a folded word, of `lists`, is common vocabulary (so not a name on its own).
    pub fn is_common(&self, lists: WordLists, folded: &str) -> bool {
        lists.common
            || is_stop_word(Language::French, folded)
            || is_stop_word(Language::English, folded)
    }

    /// Whether a folded word, of `lists`, is a first name of the gazetteer (each part of a
    /// hyphenated name, "jean-pierre").
    pub fn is_first_name(&self, lists: WordLists, folded: &str) -> bool {
        lists.first_name
            || (folded.contains('-') && folded.split('-').all(|part| self.lists(part).first_name))
    }
}
