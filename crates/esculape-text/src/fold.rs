//! Case and accent folding: "Œdème Artériel" and "oedeme arteriel" fold to the same text.

use unicode_normalization::char::decompose_compatible;

/// Lowercases, strips diacritics, expands ligatures and unifies apostrophes.
///
/// Folding is per character, so callers can fold a token in place without
/// losing its offsets in the original text.
pub fn fold(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    for character in text.chars() {
        fold_char_into(character, &mut folded);
    }
    folded
}

/// Appends the folded form of one character (zero, one or more characters) to `out`.
pub fn fold_char_into(character: char, out: &mut String) {
    if character.is_ascii() {
        out.push(character.to_ascii_lowercase());
        return;
    }
    match character {
        'œ' | 'Œ' => out.push_str("oe"),
        'æ' | 'Æ' => out.push_str("ae"),
        'ß' => out.push_str("ss"),
        '\u{2019}' | '\u{2018}' | '\u{02BC}' | '\u{00B4}' | '\u{0060}' => out.push('\''),
        '\u{00A0}' | '\u{202F}' | '\u{2009}' => out.push(' '),
        _ => decompose_compatible(character, |part| {
            if !is_combining_mark(part) {
                for lower in part.to_lowercase() {
                    out.push(lower);
                }
            }
        }),
    }
}

fn is_combining_mark(character: char) -> bool {
    matches!(character as u32, 0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

#[cfg(test)]
mod tests {
    use super::fold;

    fn check(input: &str, expect: &str) {
        assert_eq!(fold(input), expect, "fold({input:?})");
    }

    #[test]
    fn folds_french_accents_and_ligatures() {
        check("Hypertension ARTÉRIELLE", "hypertension arterielle");
        check("œdème cœur", "oedeme coeur");
        check("naïf Noël ça où", "naif noel ca ou");
    }

    #[test]
    fn unifies_apostrophes_and_spaces() {
        check("l’HTA d\u{00A0}aujourd’hui", "l'hta d aujourd'hui");
    }

    #[test]
    fn folds_compatibility_forms() {
        check("ﬁbrose µg ²", "fibrose μg 2");
    }
}
