//! Surrogates: consistent within a scope (a keyed hash of the normalised original picks
//! them), format-preserving (case, digit grouping, valid check digits), dates shifted by the
//! scope's offset; or typed placeholders.

use crate::detect::parse_date;
use crate::label::Label;
use crate::lexicon::lexicon;
use crate::scope::{Mode, Scope};
use crate::validate::{iban_check_digits, luhn_check_digit, nir_key};
use esculape_text::fold;

/// The replacement of `original` (a finding's text) in `scope`, recorded there.
pub(crate) fn replacement(scope: &mut Scope, label: Label, original: &str, mode: Mode) -> String {
    if let Some(existing) = scope.surrogate_of(label, original) {
        return existing.to_string();
    }
    let normalised = normalise(label, original);
    let key = format!("{}:{normalised}", group(label));
    let surrogate = match mode {
        Mode::Placeholders => match scope.bases.get(&key) {
            Some(existing) => existing.clone(),
            None => {
                let stem = label.placeholder_stem();
                let counter = scope.counters.entry(stem.to_string()).or_insert(0);
                *counter += 1;
                let placeholder = format!("[{stem}_{counter}]");
                scope.bases.insert(key.clone(), placeholder.clone());
                placeholder
            }
        },
        Mode::Surrogates => {
            let base = match scope.bases.get(&key) {
                Some(existing) => existing.clone(),
                None => {
                    let base = fresh_base(scope, label, original, &normalised, &key);
                    scope.bases.insert(key.clone(), base.clone());
                    base
                }
            };
            shape_like(label, &base, original)
        }
    };
    if matches!(label, Label::LastName | Label::FirstName)
        && original.chars().filter(|c| c.is_alphabetic()).count() > 1
    {
        scope.known_names.insert(fold(original), label);
        // Each word of "Jean Pierre" or "DE LUCA" is found again on its own later.
        if original.contains(' ') {
            for word in original.split(' ').filter(|word| word.chars().count() > 2) {
                scope.known_names.entry(fold(word)).or_insert(label);
            }
        }
    }
    scope.record(label, original, &surrogate);
    surrogate
}

/// Labels that share surrogates: a surname is the same whatever role it was found in.
fn group(label: Label) -> &'static str {
    match label {
        Label::LastName | Label::Hospital => "surname",
        Label::Date | Label::BirthDate => "date",
        other => other.placeholder_stem(),
    }
}

fn normalise(label: Label, original: &str) -> String {
    match label {
        Label::Nir
        | Label::Ipp
        | Label::Nda
        | Label::Rpps
        | Label::Adeli
        | Label::Finess
        | Label::Phone
        | Label::CardNumber
        | Label::Postcode => original
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect(),
        _ => fold(original)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// A new base surrogate, different from the original and from every other base.
fn fresh_base(
    scope: &mut Scope,
    label: Label,
    original: &str,
    normalised: &str,
    key: &str,
) -> String {
    for attempt in 0..64u32 {
        let draw = scope.keyed_u64(key, &attempt.to_string());
        let candidate = generate(scope, label, original, draw);
        let taken_key = format!("{}:{}", group(label), fold(&candidate));
        let collides = scope
            .taken_bases
            .get(&taken_key)
            .is_some_and(|owner| owner != normalised);
        if !collides && fold(&candidate) != fold(original) {
            scope.taken_bases.insert(taken_key, normalised.to_string());
            return candidate;
        }
    }
    // Every draw collided (tiny pools): a placeholder is still unique and safe.
    let stem = label.placeholder_stem();
    let counter = scope.counters.entry(stem.to_string()).or_insert(0);
    *counter += 1;
    format!("[{stem}_{counter}]")
}

fn pick(pool: &[String], draw: u64) -> String {
    if pool.is_empty() {
        return "X".to_string();
    }
    pool[(draw % pool.len() as u64) as usize].clone()
}

/// Digits and letters of `draw`, one per call.
struct Stream {
    state: u64,
}

impl Stream {
    fn digit(&mut self) -> u32 {
        // SplitMix64 step: cheap, well-spread digits from one keyed draw.
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut mixed = self.state;
        mixed = (mixed ^ (mixed >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        mixed = (mixed ^ (mixed >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        mixed ^= mixed >> 31;
        (mixed % 10) as u32
    }

    fn below(&mut self, bound: u32) -> u32 {
        (self.digit() * 10 + self.digit()) % bound
    }
}

fn generate(scope: &Scope, label: Label, original: &str, draw: u64) -> String {
    let lexicon = lexicon();
    let mut stream = Stream { state: draw };
    match label {
        Label::LastName | Label::Hospital => pick(&lexicon.surname_pool, draw),
        Label::FirstName => {
            if original.chars().count() <= 2 && original.ends_with('.')
                || original.chars().count() == 1
            {
                let letter = char::from(b'A' + (draw % 26) as u8);
                if original.ends_with('.') {
                    format!("{letter}.")
                } else {
                    letter.to_string()
                }
            } else {
                pick(&lexicon.first_name_pool, draw)
            }
        }
        Label::City => pick(&lexicon.city_pool, draw),
        Label::Country => pick(&lexicon.countries, draw),
        Label::Date | Label::BirthDate => match parse_date(original) {
            Some(date) => date.shifted(scope.date_offset_days),
            None => replace_digits(original, &mut stream),
        },
        Label::Age => (90 + stream.below(20)).to_string(),
        Label::Nir => surrogate_nir(original, &mut stream),
        Label::Phone => surrogate_phone(original, &mut stream),
        Label::Iban => surrogate_iban(original, &mut stream),
        Label::CardNumber => {
            let replaced = replace_digits(original, &mut stream);
            with_luhn_digit(&replaced)
        }
        Label::Email => {
            let first = fold(&pick(&lexicon.first_name_pool, draw));
            let last = fold(&pick(&lexicon.surname_pool, draw >> 20));
            let ascii = |word: &str| -> String {
                word.chars().filter(char::is_ascii_alphanumeric).collect()
            };
            format!("{}.{}@example.org", ascii(&first), ascii(&last))
        }
        Label::Url => format!("https://www.example.org/{:08x}", draw as u32),
        Label::IpAddress => {
            if original.contains(':') {
                format!("2001:db8::{:x}", draw as u16)
            } else {
                let networks = ["192.0.2", "198.51.100", "203.0.113"];
                format!(
                    "{}.{}",
                    networks[(draw % 3) as usize],
                    1 + (draw >> 8) % 254
                )
            }
        }
        Label::Address => surrogate_address(original, draw, &mut stream),
        Label::Postcode
        | Label::Ipp
        | Label::Nda
        | Label::Rpps
        | Label::Adeli
        | Label::Finess
        | Label::OtherId => {
            let mut replaced = replace_digits(original, &mut stream);
            if label == Label::Postcode && replaced.starts_with('0') {
                replaced.replace_range(0..1, "1");
            }
            replaced
        }
    }
}

/// Every digit replaced by a keyed digit, every letter by a keyed letter of the same case;
/// everything else kept.
fn replace_digits(original: &str, stream: &mut Stream) -> String {
    original
        .chars()
        .map(|character| {
            if character.is_ascii_digit() {
                char::from_digit(stream.digit(), 10).unwrap_or('0')
            } else if character.is_ascii_uppercase() {
                char::from(b'A' + stream.below(26) as u8)
            } else if character.is_ascii_lowercase() {
                char::from(b'a' + stream.below(26) as u8)
            } else {
                character
            }
        })
        .collect()
}

/// Writes `digits` into the digit positions of `layout`, keeping its separators.
fn lay_out(layout: &str, digits: &str) -> String {
    let mut digits = digits.chars();
    layout
        .chars()
        .map(|character| {
            if character.is_ascii_alphanumeric() {
                digits.next().unwrap_or(character)
            } else {
                character
            }
        })
        .collect()
}

/// A NIR with the same sex digit and layout, a plausible body and a valid key.
fn surrogate_nir(original: &str, stream: &mut Stream) -> String {
    let compact: Vec<char> = original
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    let sex = compact.first().copied().unwrap_or('1');
    let mut body = String::with_capacity(15);
    body.push(sex);
    body.push_str(&format!("{:02}", stream.below(100)));
    body.push_str(&format!("{:02}", 1 + stream.below(12)));
    body.push_str(&format!("{:02}", 1 + stream.below(95)));
    for _ in 0..6 {
        body.push(char::from_digit(stream.digit(), 10).unwrap_or('0'));
    }
    if compact.len() >= 15 {
        let key = nir_key(&body).unwrap_or(0);
        body.push_str(&format!("{key:02}"));
    }
    lay_out(original, &body)
}

/// A phone number with the same prefix ("+33 6", "06") and grouping.
fn surrogate_phone(original: &str, stream: &mut Stream) -> String {
    let digits: Vec<char> = original.chars().filter(char::is_ascii_digit).collect();
    let keep = if original.trim_start().starts_with('+') || original.starts_with("00") {
        // Country code and first national digit: "+33 6" keeps 3 digits.
        let code = if original.starts_with("00") { 4 } else { 2 };
        (code + 1).min(digits.len())
    } else if digits.first() == Some(&'0') {
        2.min(digits.len())
    } else {
        1.min(digits.len())
    };
    let mut new_digits: String = digits[..keep].iter().collect();
    for _ in keep..digits.len() {
        new_digits.push(char::from_digit(stream.digit(), 10).unwrap_or('0'));
    }
    let mut digit_iter = new_digits.chars();
    original
        .chars()
        .map(|character| {
            if character.is_ascii_digit() {
                digit_iter.next().unwrap_or(character)
            } else {
                character
            }
        })
        .collect()
}

/// An IBAN of the same country and layout with valid check digits.
fn surrogate_iban(original: &str, stream: &mut Stream) -> String {
    let compact: String = original.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.len() < 5 {
        return replace_digits(original, stream);
    }
    let country = &compact[..2];
    let bban = replace_digits(&compact[4..], stream).to_ascii_uppercase();
    let check = iban_check_digits(country, &bban).unwrap_or(0);
    lay_out(original, &format!("{country}{check:02}{bban}"))
}

fn with_luhn_digit(number: &str) -> String {
    let digits: Vec<u32> = number.chars().filter_map(|c| c.to_digit(10)).collect();
    let Some((_, body)) = digits.split_last() else {
        return number.to_string();
    };
    let check = luhn_check_digit(body);
    let last_digit = number.rfind(|c: char| c.is_ascii_digit()).unwrap_or(0);
    let mut result = number.to_string();
    result.replace_range(last_digit..last_digit + 1, &check.to_string());
    result
}

/// "12 rue des Lilas" → "47 rue Girard": the street type is kept, number and name change.
fn surrogate_address(original: &str, draw: u64, stream: &mut Stream) -> String {
    let lexicon = lexicon();
    let name = pick(&lexicon.surname_pool, draw);
    let number = 1 + stream.below(99);
    let words: Vec<&str> = original.split_whitespace().collect();
    let street_type = words.iter().find(|word| {
        lexicon
            .street_types
            .iter()
            .any(|street_type| street_type.eq_ignore_ascii_case(word))
    });
    if let Some(street_type) = street_type {
        if original
            .trim_start()
            .starts_with(|c: char| c.is_ascii_digit())
        {
            return format!("{number} {street_type} {name}");
        }
        return format!("{street_type} {name} {number}");
    }
    let suffix = words
        .iter()
        .rev()
        .find(|word| lexicon.street_suffixes.iter().any(|suffix| suffix == *word));
    match suffix {
        Some(suffix) => format!("{number} {name} {suffix}"),
        None => format!("{number} rue {name}"),
    }
}

/// `base` written with the case pattern of `original` (DUPONT → MARTIN, Dupont → Martin).
fn shape_like(label: Label, base: &str, original: &str) -> String {
    if !matches!(
        label,
        Label::LastName | Label::FirstName | Label::City | Label::Country | Label::Hospital
    ) || base.starts_with('[')
    {
        return base.to_string();
    }
    let letters: Vec<char> = original.chars().filter(|c| c.is_alphabetic()).collect();
    let all_upper = letters.len() >= 2 && letters.iter().all(|c| c.is_uppercase());
    if all_upper {
        base.to_uppercase()
    } else if letters.iter().all(|c| c.is_lowercase()) {
        base.to_lowercase()
    } else {
        base.to_string()
    }
}
