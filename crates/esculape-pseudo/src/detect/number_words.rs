//! French numbers written in words ("vingt-quatre", "mille neuf cent soixante-dix-huit"),
//! for dates written out in full.

/// The value of one French number word, tolerating a stray plural `s` ("vingts",
/// "milles", "troiss"), and "premier".
pub(crate) fn word_value(word: &str) -> Option<u32> {
    let lower = word.to_lowercase();
    value_of(&lower).or_else(|| lower.strip_suffix('s').and_then(value_of))
}

fn value_of(word: &str) -> Option<u32> {
    Some(match word {
        "zéro" | "zero" => 0,
        "et" => 0,
        "un" | "une" | "premier" | "1er" => 1,
        "deux" => 2,
        "trois" => 3,
        "quatre" => 4,
        "cinq" => 5,
        "six" => 6,
        "sept" => 7,
        "huit" => 8,
        "neuf" => 9,
        "dix" => 10,
        "onze" => 11,
        "douze" => 12,
        "treize" => 13,
        "quatorze" => 14,
        "quinze" => 15,
        "seize" => 16,
        "vingt" => 20,
        "trente" => 30,
        "quarante" => 40,
        "cinquante" => 50,
        "soixante" => 60,
        "septante" => 70,
        "octante" | "huitante" => 80,
        "nonante" => 90,
        "cent" => 100,
        "mille" | "mil" => 1000,
        _ => return None,
    })
}

/// The value of a run of French number words separated by spaces or hyphens; `None` when
/// a word is not a number word or the run is empty ("et" alone is no number).
pub(crate) fn words_value(text: &str) -> Option<u32> {
    let mut total = 0u32;
    let mut current = 0u32;
    let mut any = false;
    for word in text.split([' ', '\t', '-']).filter(|word| !word.is_empty()) {
        let value = word_value(word)?;
        let is_et = word.eq_ignore_ascii_case("et");
        match value {
            1000 => {
                total = total.checked_add(current.max(1).checked_mul(1000)?)?;
                current = 0;
            }
            100 => current = (current % 100).max(1) * 100 + (current / 100) * 100,
            // "quatre-vingt": eighty.
            20 if current % 100 == 4 => current = current - 4 + 80,
            _ => current = current.checked_add(value)?,
        }
        any |= !is_et;
    }
    any.then_some(total + current)
}

#[cfg(test)]
mod tests {
    use super::words_value;

    #[test]
    fn french_number_words() {
        assert_eq!(words_value("vingt quatre"), Some(24));
        assert_eq!(words_value("dix-sept"), Some(17));
        assert_eq!(words_value("trente et un"), Some(31));
        assert_eq!(words_value("deux mille dix-sept"), Some(2017));
        assert_eq!(words_value("mille neuf cent soixante dix huit"), Some(1978));
        assert_eq!(words_value("mille neuf-cent quatre-vingt-deux"), Some(1982));
        assert_eq!(words_value("deux-milles vingts troiss"), Some(2023));
        assert_eq!(words_value("et"), None);
        assert_eq!(words_value("vingt patients"), None);
    }
}
