//! Person names: after a title or a context word, first name + surname pairs from the
//! gazetteers, runs of capitalised words, lone gazetteer names, and every later mention of
//! a name already found. Eponyms (maladie de Parkinson) are never names, except after a
//! title (Dr Parkinson).

use super::DetectionContext;
use super::context_phrases::{ContextList, ContextPhrases};
use super::words::{Shape, Token, tokens};
use crate::label::{Finding, Label};
use crate::lexicon::{Lexicon, lexicon};
use esculape_text::{Language, fold, fold_char_into, guess_language, is_stop_word};
use rustc_hash::FxHashMap;
use std::borrow::Cow;
use std::cell::OnceCell;
use std::sync::LazyLock;

/// Particles written in capitals before a surname in capitals.
const UPPER_PARTICLES: [&str; 14] = [
    "de", "du", "des", "le", "la", "al", "el", "ben", "ibn", "van", "von", "di", "da", "del",
];

/// Context words after which the next words are a name whatever their case
/// ("Prénom : aziz").
const FIELD_CONTEXTS: [&str; 6] = [
    "nom",
    "prenom",
    "nom de naissance",
    "nom d'usage",
    "nom de jeune fille",
    "nom de famille",
];

/// English prepositions after which a word in capitals is a place ("flew to HORTEN").
const ENGLISH_PLACE_PREPOSITIONS: [&str; 6] = ["in", "at", "to", "from", "of", "near"];

/// Lower-case words allowed inside a name ("Pierre de Coubertin", "García y López").
const PARTICLES: [&str; 11] = [
    "de", "du", "des", "la", "le", "van", "von", "del", "da", "di", "y",
];

struct Word<'t> {
    token: Token,
    text: &'t str,
    /// The folded word, computed on first use for words in lower case (most of them are
    /// never looked at); borrowed when already folded (plain lower-case ASCII).
    folded: OnceCell<Cow<'t, str>>,
    common: bool,
    first_name: bool,
    surname: bool,
    title: bool,
}

impl Word<'_> {
    fn folded(&self) -> &str {
        self.folded
            .get_or_init(|| fold_word(self.text.trim_end_matches('.')))
    }

    fn is_candidate(&self) -> bool {
        self.token.shape != Shape::Lower && !self.title
    }

    fn is_gazetteer_name(&self) -> bool {
        self.first_name || self.surname
    }

    fn is_particle(&self) -> bool {
        self.token.shape == Shape::Lower && PARTICLES.contains(&self.folded())
    }
}

/// Appends the names of `text` to `findings`.
pub(crate) fn detect(
    text: &str,
    context: &DetectionContext<'_>,
    contexts: &ContextPhrases,
    findings: &mut Vec<Finding>,
) {
    let lexicon = lexicon();
    // English medical vocabulary counts as common words except in French text (where
    // "ECHO" or "AID" in capitals may be a surname): Spanish clinical text shares its Latin
    // words and English acronyms.
    let language = guess_language(text);
    let english = language == Some(Language::English);
    let english_vocabulary = matches!(language, Some(Language::English | Language::Spanish));
    let mut words: Vec<Word<'_>> = tokens(text)
        .into_iter()
        .map(|token| {
            let word = &text[token.start..token.end];
            let bare = word.trim_end_matches('.');
            if token.shape == Shape::Lower {
                return Word {
                    token,
                    text: word,
                    folded: OnceCell::new(),
                    common: false,
                    first_name: false,
                    surname: false,
                    title: false,
                };
            }
            let folded = fold_word(bare);
            let lists = lexicon.lists(&folded);
            Word {
                token,
                text: word,
                common: lexicon.is_common(lists, &folded)
                    || (english_vocabulary && lists.english_vocabulary),
                first_name: token.shape != Shape::Initial && lexicon.is_first_name(lists, &folded),
                surname: lists.surname,
                title: lexicon.titles.contains(word),
                folded: OnceCell::from(folded),
            }
        })
        .collect();
    let mut labels: Vec<Option<(Label, f32)>> = vec![None; words.len()];
    // Most rules start at a word that is not in lower case: they visit only those.
    let not_lower: Vec<usize> = words
        .iter()
        .enumerate()
        .filter(|(_, word)| word.token.shape != Shape::Lower)
        .map(|(index, _)| index)
        .collect();

    // After a title: the next names, whatever they are (Dr Parkinson is a person).
    for &index in &not_lower {
        if !words[index].title {
            continue;
        }
        let followed_by_name = words.get(index + 1).is_some_and(|next| {
            let gap = &text[words[index].token.end..next.token.start];
            !gap.is_empty() && gap.len() <= 3 && gap.chars().all(|c| matches!(c, ' ' | '\t' | '.'))
        });
        if followed_by_name {
            // "Dr M. LEROY", "Pr M Petit": after a title, "M." is an initial, not Monsieur.
            let next = &words[index + 1];
            let initial_title = next.title
                && matches!(next.token.shape, Shape::Initial | Shape::Upper)
                && next.text.trim_end_matches('.').chars().count() == 1
                && words
                    .get(index + 2)
                    .is_some_and(|name| name.is_candidate() && close(text, next, name));
            let run = if initial_title {
                let mut run = vec![index + 1];
                run.extend(name_run(&words, index + 2, true));
                run
            } else {
                name_run(&words, index + 1, true)
            };
            assign(&words, &run, 0.9, &mut labels);
        }
    }
    // Initials then a name: "C. Carlizian", "P.E. Jilliot", "Z.Phillot", "P-A. POULMANI".
    for &index in &not_lower {
        if words[index].token.shape != Shape::Initial
            || words[index].title
            || (index > 0
                && words[index - 1].token.shape == Shape::Initial
                && !words[index].token.new_line
                && text[words[index - 1].token.end..words[index].token.start].len() <= 1)
        {
            continue;
        }
        let mut next = index;
        let mut initials = Vec::new();
        while next < words.len() && words[next].token.shape == Shape::Initial && initials.len() < 3
        {
            if next > index && !close(text, &words[next - 1], &words[next]) {
                break;
            }
            initials.push(next);
            next += 1;
        }
        let Some(name) = words.get(next) else {
            continue;
        };
        let last_initial = &words[*initials.last().expect("one initial at least")];
        // "A. Cabannon, L.\nHespadon, R. Ramen": in a list of names broken across lines,
        // an initial ending its line after a comma goes with the name that opens the next.
        let broken_list_entry = || {
            let gap = &text[last_initial.token.end..name.token.start];
            let entry_ends = text[name.token.end..]
                .trim_start_matches([' ', '\t'])
                .starts_with([',', ';', '\n']);
            gap.chars().all(char::is_whitespace)
                && gap.matches('\n').count() == 1
                && index > 0
                && words[index - 1].token.shape != Shape::Lower
                && text[words[index - 1].token.end..words[index].token.start]
                    .trim_matches([' ', '\t'])
                    == ","
                && entry_ends
        };
        if !(close(text, last_initial, name) || broken_list_entry())
            || !name.is_candidate()
            || name.token.shape == Shape::Initial
            || name.text.chars().count() < 2
            // "L. MARTEAU": a word in capitals after an initial is a surname even if common.
            || (name.common && !name.is_gazetteer_name() && name.token.shape != Shape::Upper)
            || is_stop_word(Language::French, name.folded())
            || is_stop_word(Language::English, name.folded())
            || is_eponym(lexicon, &words, next)
        {
            continue;
        }
        let mut run = initials;
        let rest = name_run(&words, next, false);
        if rest.is_empty() {
            // A common word in capitals ("MARTEAU"), accepted above.
            run.push(next);
        } else {
            run.extend(rest);
        }
        assign(&words, &run, 0.75, &mut labels);
    }
    // After a context word ("Nom :", "Interne", "rédigé par").
    for (start, end, _) in contexts.find_words(ContextList::Name) {
        let next = words.partition_point(|word| word.token.start < end);
        // A form field ("Prénom : aziz", "Nom: dupont"): the words up to the end of the
        // line, whatever their case.
        let field = FIELD_CONTEXTS.contains(&fold(&text[start..end]).as_str())
            && text[end..].trim_start_matches([' ', '\t']).starts_with(':');
        if field {
            let mut run: Vec<usize> = Vec::new();
            let mut index = next;
            while index < words.len()
                && run.len() < 3
                && !words[index].token.new_line
                && (run.is_empty() || close(text, &words[index - 1], &words[index]))
                && !is_stop_word(Language::French, words[index].folded())
                && !(words[index].common
                    && words[index].token.shape == Shape::Lower
                    && !words[index].is_gazetteer_name())
            {
                run.push(index);
                index += 1;
            }
            if !run.is_empty()
                && next < words.len()
                && !text[end..words[next].token.start].contains('\n')
            {
                let label = if fold(&text[start..end]).starts_with("prenom") {
                    Label::FirstName
                } else {
                    Label::LastName
                };
                for member in run {
                    labels[member] = Some((label, 0.85));
                }
                continue;
            }
        }
        if next < words.len()
            && text[end..words[next].token.start]
                .chars()
                .all(|c| c == ':' || c == ' ' || c == '\t')
        {
            // "Infirmiers : theodore roux, marie cécile lefevre": after a colon, a list of
            // names up to the end of the line, in any case.
            let listed = text[end..words[next].token.start].contains(':');
            let mut entry = next;
            loop {
                let run: Vec<usize> = if words[entry].token.shape == Shape::Lower {
                    if !listed {
                        break;
                    }
                    lower_case_name(lexicon, text, &mut words, entry)
                } else {
                    name_run(&words, entry, false)
                        .into_iter()
                        .filter(|&index| !is_eponym(lexicon, &words, index))
                        .collect()
                };
                let Some(&last) = run.last() else {
                    break;
                };
                assign(&words, &run, 0.85, &mut labels);
                match next_list_entry(text, &words, last) {
                    Some(following) if listed => entry = following,
                    _ => break,
                }
            }
        }
    }
    // Runs of capitalised words holding a gazetteer first name and another name, or two
    // unknown words in capitals ("IVANKA PRIGOSIEV").
    let mut index = 0;
    for &candidate in &not_lower {
        if candidate < index || !words[candidate].is_candidate() {
            continue;
        }
        index = candidate;
        let run = name_run(&words, index, false);
        let next = run.last().map_or(index + 1, |last| last + 1);
        let names: Vec<usize> = run
            .iter()
            .copied()
            .filter(|&member| !is_eponym(lexicon, &words, member))
            .collect();
        let unknown =
            |member: &usize| !words[*member].common && !words[*member].is_gazetteer_name();
        let has_first_name = names.iter().any(|&member| words[member].first_name);
        let others = names
            .iter()
            .filter(|&&member| {
                !words[member].first_name
                    || words[member].token.shape == Shape::Upper
                    // "Jean-Luc Martin": a first name that is also a surname, after a first name.
                    || (words[member].surname && member != names[0])
            })
            .filter(|&&member| !words[member].common || words[member].surname)
            .count();
        let unknown_capitals = names
            .iter()
            .filter(|member| {
                unknown(member)
                    && words[**member].token.shape == Shape::Upper
                    && words[**member].text.chars().count() >= 3
            })
            .count();
        // "Marco Vincenzo": two first names of the lists, neither a common word.
        let first_names_only = names.len() >= 2
            && names
                .iter()
                .all(|&member| words[member].first_name && !words[member].common);
        if names.len() >= 2
            && ((has_first_name && others >= 1) || unknown_capitals >= 2 || first_names_only)
        {
            assign(&words, &names, 0.8, &mut labels);
        }
        index = next.max(index + 1);
    }
    // "Marie Côte" at the end of a line, "Elodie Bonheur," before a comma or a number: in a
    // list or a signature, a capitalised common word after a first name is the surname.
    for &index in &not_lower {
        if index + 1 >= words.len() {
            break;
        }
        let (first, second) = (&words[index], &words[index + 1]);
        let ends_entry = || {
            let after = &text[second.token.end..];
            after.is_empty()
                || after.starts_with(['\n', ',', ';', '(', '\r'])
                || after
                    .trim_start_matches([' ', '\t'])
                    .starts_with(|c: char| c.is_ascii_digit() || c == '\n')
        };
        if labels[index].is_none()
            && labels[index + 1].is_none()
            && first.first_name
            && !first.common
            && first.token.shape == Shape::Capitalised
            && second.token.shape == Shape::Capitalised
            && second.common
            && close(text, first, second)
            && ends_entry()
            && !is_stop_word(Language::French, second.folded())
            && !is_eponym(lexicon, &words, index + 1)
        {
            labels[index] = Some((Label::FirstName, 0.6));
            labels[index + 1] = Some((Label::LastName, 0.6));
        }
    }
    // A lone gazetteer name that is no common word, except on a line in title case
    // ("Biochemical Markers of Bone Turnover"), where capitals say nothing.
    let mut title_case = TitleCaseLines::default();
    for &index in &not_lower {
        let word = &words[index];
        if labels[index].is_none()
            && word.is_candidate()
            && word.token.shape != Shape::Initial
            && !word.common
            && word.is_gazetteer_name()
            && !is_eponym(lexicon, &words, index)
            && !title_case.holds(&words, index)
        {
            let label = if word.surname {
                Label::LastName
            } else {
                Label::FirstName
            };
            labels[index] = Some((label, 0.6));
        }
    }
    // A lone unknown word in capitals, three letters or more ("DUPONT"): French and
    // Spanish documents write surnames so; known acronyms are common words or
    // abbreviations. Not on a line written all in capitals (a heading: "TRAITEMENT DE
    // SORTIE"). In English text such a word is an acronym ("CABG", "NICU"), unless a
    // preposition of place comes just before it ("grew up in ESPOO"): then a city.
    let lines_with_lower_case: Vec<(usize, bool)> = line_starts_and_case(text);
    for &index in &not_lower {
        let word = &words[index];
        let on_heading = || {
            let line =
                lines_with_lower_case.partition_point(|(start, _)| *start <= word.token.start);
            line > 0 && !lines_with_lower_case[line - 1].1
        };
        if labels[index].is_none()
            && word.token.shape == Shape::Upper
            && !word.common
            && !word.title
            && word.text.chars().count() >= 3
            && word
                .text
                .chars()
                .any(|c| "AEIOUYÀÂÄÉÈÊËÎÏÔÖÙÛÜ".contains(c))
            && !on_heading()
            && !is_eponym(lexicon, &words, index)
        {
            if !english {
                labels[index] = Some((Label::LastName, 0.5));
            } else if index > 0
                && !words[index].token.new_line
                && ENGLISH_PLACE_PREPOSITIONS.contains(&words[index - 1].text)
                && close(text, &words[index - 1], word)
            {
                labels[index] = Some((Label::City, 0.5));
            }
        }
    }
    // "DE LUCA", "AL BAHIRT", "EL MANSOURI": a particle in capitals before a surname in
    // capitals is part of it.
    for &index in not_lower.iter().rev() {
        if index + 1 >= words.len() {
            continue;
        }
        let word = &words[index];
        if labels[index].is_none()
            && word.token.shape == Shape::Upper
            && UPPER_PARTICLES.contains(&word.folded())
            && close(text, word, &words[index + 1])
            && words[index + 1].token.shape == Shape::Upper
            && let Some((Label::LastName, confidence)) = labels[index + 1]
        {
            labels[index] = Some((Label::LastName, confidence));
        }
    }
    // Every other mention of a name found here or earlier in the scope.
    let found_here: FxHashMap<&str, Label> = labels
        .iter()
        .enumerate()
        .filter_map(|(index, label)| {
            let (label, _) = (*label)?;
            let word = &words[index];
            (word.token.shape != Shape::Initial).then_some((word.folded(), label))
        })
        .collect();
    for &index in &not_lower {
        let word = &words[index];
        if labels[index].is_some() || !word.is_candidate() || word.token.shape == Shape::Initial {
            continue;
        }
        let known = found_here
            .get(word.folded())
            .copied()
            .or_else(|| context.known_name(word.folded()));
        if let Some(label) = known
            && !is_eponym(lexicon, &words, index)
        {
            labels[index] = Some((label, 0.8));
        }
    }
    // Beside a name found, on the same line after one space: an unknown capitalised word
    // before a surname in capitals is its first name ("Norodom PIMA"); a gazetteer first
    // name kept as an eponym is a first name before a surname ("Louis Delors"); a
    // gazetteer name in lower case after a name completes it ("RHIFDA aziz", "Dr. Caroline
    // pidoux").
    for index in 0..words.len().saturating_sub(1) {
        if labels[index].is_none() && labels[index + 1].is_none() {
            continue;
        }
        let (word, next) = (&words[index], &words[index + 1]);
        if next.token.new_line || text[word.token.end..next.token.start] != *" " {
            continue;
        }
        let before_surname = matches!(labels[index + 1], Some((Label::LastName, _)));
        if labels[index].is_none()
            && before_surname
            && word.token.shape == Shape::Capitalised
            && !word.title
            && !word.common
            && word.text.chars().count() >= 3
            && !is_eponym_by_context(lexicon, &words, index)
        {
            // Not at the start of a sentence or inside brackets ("Bosniak IIF",
            // "(Estadío III-B)"), where a capital says nothing.
            let entry_start = index == 0
                || words[index].token.new_line
                || text[words[index - 1].token.end..word.token.start]
                    .trim_matches([' ', '\t'])
                    .chars()
                    .all(|c| matches!(c, ',' | ';' | ':'));
            // French documents only: in Spanish and English text a capitalised word before
            // capitals is mostly a term ("Stratus OCT", "Grado Funcional NYHA").
            let unknown_before_capitals = !english_vocabulary
                && entry_start
                && !word.is_gazetteer_name()
                && next.token.shape == Shape::Upper;
            let listed_eponym = word.first_name && lexicon.eponyms.contains(word.text);
            if unknown_before_capitals || listed_eponym {
                labels[index] = Some((Label::FirstName, 0.6));
            }
            continue;
        }
        // French documents only ("EPOC severo": a Spanish adjective may be a surname).
        if let Some((label, confidence)) = labels[index]
            && !english_vocabulary
            && labels[index + 1].is_none()
            && word.token.shape != Shape::Initial
            && next.token.shape == Shape::Lower
        {
            look_up(lexicon, &mut words[index + 1]);
            let (word, next) = (&words[index], &words[index + 1]);
            if next.common
                || !next.is_gazetteer_name()
                || next.text.chars().count() < 3
                || is_stop_word(Language::Spanish, next.folded())
            {
                continue;
            }
            if label == Label::LastName
                && word.first_name
                && !word.surname
                && next.surname
                && !next.first_name
            {
                // "Caroline" alone after the title was taken for the surname.
                labels[index] = Some((Label::FirstName, confidence));
                labels[index + 1] = Some((Label::LastName, 0.6));
            } else if label == Label::LastName && next.first_name {
                labels[index + 1] = Some((Label::FirstName, 0.6));
            } else if label == Label::FirstName && next.surname {
                labels[index + 1] = Some((Label::LastName, 0.6));
            }
        }
    }
    // Adjacent words of one kind make one finding ("Jean Pierre", "ANDROSEF ASTIFA
    // GRIGOT", "DE LUCA"), as a reader would mark them; initials stay apart.
    let mut previous: Option<(usize, Label)> = None;
    for (index, label) in labels.into_iter().enumerate() {
        let Some((label, confidence)) = label else {
            previous = None;
            continue;
        };
        let word = &words[index];
        let initial = word.token.shape == Shape::Initial || word.text.chars().count() == 1;
        if let Some((before, before_label)) = previous
            && before_label == label
            && !initial
            && before + 1 == index
            && text[words[before].token.end..word.token.start] == *" "
            && let Some(last) = findings.last_mut()
        {
            last.end = word.token.end;
            last.confidence = last.confidence.min(confidence);
        } else {
            findings.push(Finding::new(
                label,
                word.token.start,
                word.token.end,
                confidence,
            ));
        }
        previous = (!initial).then_some((index, label));
    }
}

/// The folded form of a word, as [`fold`] gives it: borrowed when already folded (plain
/// lower-case ASCII, most words), else folded character by character, the letters of
/// Latin-1 and Latin Extended-A and B through a table of their folded forms.
fn fold_word(word: &str) -> Cow<'_, str> {
    if word
        .bytes()
        .all(|byte| byte.is_ascii_lowercase() || byte == b'-')
    {
        return Cow::Borrowed(word);
    }
    static FOLDED_LATIN: LazyLock<Vec<String>> = LazyLock::new(|| {
        (FOLDED_LATIN_FIRST..=FOLDED_LATIN_LAST)
            .map(|code| {
                char::from_u32(code)
                    .map(|c| fold(c.encode_utf8(&mut [0; 4])))
                    .unwrap_or_default()
            })
            .collect()
    });
    let mut folded = String::with_capacity(word.len());
    for character in word.chars() {
        let code = u32::from(character);
        if character.is_ascii() {
            folded.push(character.to_ascii_lowercase());
        } else if (FOLDED_LATIN_FIRST..=FOLDED_LATIN_LAST).contains(&code) {
            folded.push_str(&FOLDED_LATIN[(code - FOLDED_LATIN_FIRST) as usize]);
        } else {
            fold_char_into(character, &mut folded);
        }
    }
    Cow::Owned(folded)
}

/// The characters whose folded forms [`fold_word`] keeps in a table: U+0080 to U+024F.
const FOLDED_LATIN_FIRST: u32 = 0x80;
const FOLDED_LATIN_LAST: u32 = 0x24F;

/// The words of a name written in lower case from `start` ("theodore roux"): up to three
/// words on one line, each a gazetteer name or at least no common word, one of them a
/// gazetteer name. Looks the words up in the lexicon (lower-case words are not otherwise).
fn lower_case_name(
    lexicon: &Lexicon,
    text: &str,
    words: &mut [Word<'_>],
    start: usize,
) -> Vec<usize> {
    let mut run: Vec<usize> = Vec::new();
    let mut index = start;
    while index < words.len()
        && run.len() < 3
        && words[index].token.shape == Shape::Lower
        && (run.is_empty() || close(text, &words[index - 1], &words[index]))
    {
        look_up(lexicon, &mut words[index]);
        let word = &words[index];
        if (word.common && !word.is_gazetteer_name())
            || word.text.chars().count() < 2
            || is_stop_word(Language::French, word.folded())
            || is_stop_word(Language::English, word.folded())
        {
            break;
        }
        run.push(index);
        index += 1;
    }
    // One word alone ("paciente: varón") says too little.
    if run.len() >= 2 && run.iter().any(|&index| words[index].is_gazetteer_name()) {
        run
    } else {
        Vec::new()
    }
}

/// Sets the gazetteer facts of a word in lower case, which [`detect`] skips for speed.
fn look_up(lexicon: &Lexicon, word: &mut Word<'_>) {
    let lists = lexicon.lists(word.folded());
    word.common = lexicon.is_common(lists, word.folded());
    word.first_name = lexicon.is_first_name(lists, word.folded());
    word.surname = lists.surname;
}

/// The first word of the list entry after the word at `last`, on the same line, after a
/// comma or "et"/"and" ("Jean Dupont, Marie Martin et Paul Durand").
fn next_list_entry(text: &str, words: &[Word<'_>], last: usize) -> Option<usize> {
    let after = words.get(last + 1)?;
    let gap = &text[words[last].token.end..after.token.start];
    if gap.contains('\n') {
        return None;
    }
    if gap.trim_matches([' ', '\t']) == "," {
        return Some(last + 1);
    }
    let conjunction = matches!(after.folded(), "et" | "and" | "y")
        && gap.chars().all(|c| c == ' ' || c == '\t')
        && words
            .get(last + 2)
            .is_some_and(|following| close(text, after, following));
    conjunction.then_some(last + 2)
}

/// Whether `second` follows `first` on the same line, glued or after at most three blanks.
fn close(text: &str, first: &Word<'_>, second: &Word<'_>) -> bool {
    let gap = &text[first.token.end..second.token.start];
    gap.len() <= 3 && gap.chars().all(|c| c == ' ' || c == '\t')
}

/// Whether words lie on a line in title case: three capitalised common words or more after
/// the line's first word, and no lower-case word of four letters or more that is not a
/// stop word ("Does Hospital Type Affect Cost and Outcomes of Care?"). Asked in the order
/// of the words, it reads each line once.
#[derive(Default)]
struct TitleCaseLines {
    /// The last line asked about: its words `start..end`, and whether it is in title case.
    last: Option<(usize, usize, bool)>,
}

impl TitleCaseLines {
    fn holds(&mut self, words: &[Word<'_>], index: usize) -> bool {
        if let Some((start, end, title_case)) = self.last
            && (start..end).contains(&index)
        {
            return title_case;
        }
        let mut start = index;
        while start > 0 && !words[start].token.new_line {
            start -= 1;
        }
        let mut end = index + 1;
        while end < words.len() && !words[end].token.new_line {
            end += 1;
        }
        let line = &words[start..end];
        let capitalised_common = line
            .iter()
            .skip(1)
            .filter(|word| {
                word.token.shape == Shape::Capitalised && word.common && !word.is_gazetteer_name()
            })
            .count();
        let lower_content = || {
            line.iter().any(|word| {
                word.token.shape == Shape::Lower
                    && word.text.chars().count() >= 4
                    && !is_stop_word(Language::English, word.folded())
                    && !is_stop_word(Language::French, word.folded())
                    && !is_stop_word(Language::Spanish, word.folded())
            })
        };
        let title_case = capitalised_common >= 3 && !lower_content();
        self.last = Some((start, end, title_case));
        title_case
    }
}

/// (start, has a lower-case letter) of every line of `text`, in one pass.
fn line_starts_and_case(text: &str) -> Vec<(usize, bool)> {
    let mut lines = Vec::new();
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        lines.push((start, line.chars().any(char::is_lowercase)));
        start += line.len();
    }
    lines
}

/// The name words from `start`: capitalised words on one line, with particles between
/// them, up to four names. Without `after_title`, common words end the run unless they are
/// gazetteer names.
fn name_run(words: &[Word<'_>], start: usize, after_title: bool) -> Vec<usize> {
    let mut run: Vec<usize> = Vec::new();
    let mut index = start;
    while index < words.len() && run.len() < 4 {
        let word = &words[index];
        if !run.is_empty() && word.token.new_line {
            break;
        }
        if index > start && !word.token.joined {
            break;
        }
        if word.is_particle() && !run.is_empty() {
            if words
                .get(index + 1)
                .is_some_and(|next| next.is_candidate() && !next.token.new_line)
            {
                index += 1;
                continue;
            }
            break;
        }
        if !word.is_candidate() {
            break;
        }
        let after_initial = run
            .last()
            .is_some_and(|&last: &usize| words[last].token.shape == Shape::Initial);
        let accepted = (after_title && run.is_empty())
            || !word.common
            || word.is_gazetteer_name()
            || (after_initial
                && word.token.shape == Shape::Upper
                && !is_stop_word(Language::French, word.folded()));
        // "Dr Myriam Bureau": after a title and a first name, a common word is the surname.
        let surname_after_first_name = after_title
            && run.len() == 1
            && words[run[0]].first_name
            && word.token.shape != Shape::Initial;
        if !accepted && surname_after_first_name {
            run.push(index);
            break;
        }
        if !accepted {
            break;
        }
        run.push(index);
        index += 1;
    }
    run
}

/// Labels the words of a name: initials and gazetteer first names are first names, the
/// others surnames; in "Jeanne DUPONT" the word in capitals is the surname.
fn assign(words: &[Word<'_>], run: &[usize], confidence: f32, labels: &mut [Option<(Label, f32)>]) {
    // A single capital without its dot ("Dr M Vasaio") is an initial too.
    let is_initial = |index: usize| {
        words[index].token.shape == Shape::Initial || words[index].text.chars().count() == 1
    };
    let full: Vec<usize> = run
        .iter()
        .copied()
        .filter(|&index| !is_initial(index))
        .collect();
    let mixed_case = full
        .iter()
        .any(|&index| words[index].token.shape == Shape::Upper)
        && full
            .iter()
            .any(|&index| words[index].token.shape == Shape::Capitalised);
    let all_first_names = full.iter().all(|&index| words[index].first_name);
    // A word only ever a first name, beside one that can be a surname, settles the order
    // ("Dufour Elodie", "Martin Alain"); else a word only ever a surname does.
    let first_only = |index: usize| words[index].first_name && !words[index].surname;
    let surname_only = |index: usize| words[index].surname && !words[index].first_name;
    let by_first_only =
        full.iter().any(|&index| first_only(index)) && full.iter().any(|&index| !first_only(index));
    let by_surname_only = full.iter().any(|&index| surname_only(index))
        && full.iter().any(|&index| !surname_only(index));
    for &index in run {
        let word = &words[index];
        let label = if is_initial(index) {
            Label::FirstName
        } else if full.len() <= 1 {
            Label::LastName
        } else if mixed_case {
            if word.token.shape == Shape::Upper {
                Label::LastName
            } else {
                Label::FirstName
            }
        } else if by_first_only {
            if first_only(index) {
                Label::FirstName
            } else {
                Label::LastName
            }
        } else if by_surname_only {
            if surname_only(index) {
                Label::LastName
            } else {
                Label::FirstName
            }
        } else if all_first_names || !full.iter().any(|&index| words[index].first_name) {
            // No gazetteer help: French order, first name then surname.
            if index == full[0] {
                Label::FirstName
            } else {
                Label::LastName
            }
        } else if word.first_name {
            Label::FirstName
        } else {
            Label::LastName
        };
        let better = labels[index].is_none_or(|(_, existing)| existing < confidence);
        if better {
            labels[index] = Some((label, confidence));
        }
    }
}

/// Whether the word at `index` is an eponym: listed, or after "maladie de", "signe de"…,
/// or before "disease", "syndrome", "sign".
fn is_eponym(lexicon: &Lexicon, words: &[Word<'_>], index: usize) -> bool {
    lexicon.eponyms.contains(words[index].text) || is_eponym_by_context(lexicon, words, index)
}

/// Whether the word at `index` is an eponym by the words around it, listed or not.
fn is_eponym_by_context(lexicon: &Lexicon, words: &[Word<'_>], index: usize) -> bool {
    let context_at = |position: usize| lexicon.eponym_contexts.contains(words[position].folded());
    if index >= 1 && context_at(index - 1) {
        return true;
    }
    if index >= 2 && matches!(words[index - 1].folded(), "de" | "d" | "du") && context_at(index - 2)
    {
        return true;
    }
    // English: "Crohn's disease", "Murphy sign".
    let after = |offset: usize| {
        words
            .get(index + offset)
            .is_some_and(|word| word.token.shape == Shape::Lower && context_at(index + offset))
    };
    after(1)
        || (words
            .get(index + 1)
            .is_some_and(|word| word.folded() == "s")
            && after(2))
}

#[cfg(test)]
mod tests {
    use super::fold_word;
    use esculape_text::fold;

    #[test]
    fn fold_word_folds_as_fold_does() {
        let mut every_character: String = (0..0x3000u32).filter_map(char::from_u32).collect();
        every_character.push_str("Œdème ÉLODIE jean-pierre Straße ﬁn");
        for word in every_character
            .split_whitespace()
            .chain(["", "dupont", "Müller"])
        {
            assert_eq!(fold_word(word), fold(word), "{word:?}");
        }
        assert_eq!(fold_word(&every_character), fold(&every_character));
    }
}
