//! Check-digit validators and generators for structured identifiers.
//!
//! - NIR (French social security number): the key is 97 − (the 13-digit number mod 97).
//!   Specified by INSEE; verified against the worked examples of
//!   scienceetonnante.com ("1 37 04 76 243 484" → key 15) and trabucaire.free.fr
//!   ("2 62 08 75 032 039" → key 77), found with the project's search tool. For Corsica the
//!   department letters are replaced before the division, 2A → 19 and 2B → 18 (rule given in
//!   issue 4; no stored page confirmed it, hence the test with both departments).
//! - IBAN: ISO 13616 / ISO 7064 MOD 97-10: move the first four characters to the end,
//!   letters become 10..35, the number mod 97 must be 1 (esrot.com and a.tools IBAN pages,
//!   found with the search tool).
//! - Payment cards: the Luhn ("mod 10") formula, US patent 2,950,048: from the right, double
//!   every second digit, subtract 9 above 9, the sum must be a multiple of 10.
//!
//! RPPS, ADELI and FINESS numbers are recognised by their context word and length only: no
//! stored source confirmed their check-digit rule, so none is applied.

/// The 2-digit key of a 13-character NIR body (digits, or `2A`/`2B` at positions 6–7).
/// `None` when the body is not 13 such characters.
pub fn nir_key(body: &str) -> Option<u32> {
    let bytes = body.as_bytes();
    if bytes.len() != 13 {
        return None;
    }
    let mut digits = String::with_capacity(13);
    for (index, &byte) in bytes.iter().enumerate() {
        match byte {
            b'0'..=b'9' => digits.push(byte as char),
            b'A' | b'a' | b'B' | b'b' if index == 6 && bytes[5] == b'2' => {
                // 2A → 19, 2B → 18: the department "2X" becomes 19 or 18.
                digits.pop();
                digits.push_str(if byte.eq_ignore_ascii_case(&b'A') {
                    "19"
                } else {
                    "18"
                });
            }
            _ => return None,
        }
    }
    let number: u64 = digits.parse().ok()?;
    Some(97 - (number % 97) as u32)
}

/// Whether `nir` (15 characters once spaces are removed) carries a valid key.
pub fn nir_is_valid(nir: &str) -> bool {
    let compact: String = nir.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.len() != 15 || !compact.is_ascii() {
        return false;
    }
    let (body, key) = compact.split_at(13);
    match (nir_key(body), key.parse::<u32>()) {
        (Some(expected), Ok(found)) => expected == found,
        _ => false,
    }
}

/// Whether the digits of `number` (other characters ignored) pass the Luhn check.
pub fn luhn_is_valid(number: &str) -> bool {
    let digits: Vec<u32> = number.chars().filter_map(|c| c.to_digit(10)).collect();
    if digits.len() < 2 {
        return false;
    }
    luhn_sum(&digits).is_multiple_of(10)
}

/// The Luhn check digit to append to `digits`.
pub fn luhn_check_digit(digits: &[u32]) -> u32 {
    let mut with_zero = digits.to_vec();
    with_zero.push(0);
    (10 - luhn_sum(&with_zero) % 10) % 10
}

fn luhn_sum(digits: &[u32]) -> u32 {
    digits
        .iter()
        .rev()
        .enumerate()
        .map(|(index, &digit)| {
            if index % 2 == 1 {
                let doubled = digit * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                digit
            }
        })
        .sum()
}

/// Whether `iban` (spaces allowed) passes the ISO 7064 MOD 97-10 check.
pub fn iban_is_valid(iban: &str) -> bool {
    let compact: String = iban.chars().filter(|c| !c.is_whitespace()).collect();
    if !(15..=34).contains(&compact.len())
        || !compact.is_ascii()
        || !compact.as_bytes()[..2].iter().all(u8::is_ascii_uppercase)
        || !compact.as_bytes()[2..4].iter().all(u8::is_ascii_digit)
    {
        return false;
    }
    iban_remainder(&compact[4..], &compact[..2], &compact[2..4]) == Some(1)
}

/// The two check digits of an IBAN with `country` and `bban`.
pub fn iban_check_digits(country: &str, bban: &str) -> Option<u32> {
    iban_remainder(bban, country, "00").map(|remainder| 98 - remainder)
}

fn iban_remainder(bban: &str, country: &str, check: &str) -> Option<u32> {
    let mut remainder: u32 = 0;
    for character in bban.chars().chain(country.chars()).chain(check.chars()) {
        let value = character.to_digit(36)?;
        remainder = if value >= 10 {
            (remainder * 100 + value) % 97
        } else {
            (remainder * 10 + value) % 97
        };
    }
    Some(remainder)
}
