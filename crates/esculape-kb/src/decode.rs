//! Bytes to text: UTF-8 (with or without BOM), UTF-16 with BOM, or Windows-1252.

/// The encoding a text file turned out to be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
    Windows1252,
}

/// Decodes a text file. Valid UTF-8 wins; a UTF-16 BOM is honoured; anything else is read
/// as Windows-1252, the encoding of the official BDPM files and of many hospital exports.
/// Windows-1252 maps every byte, so decoding never fails; callers report the encoding.
pub fn decode_text(bytes: &[u8]) -> (String, Encoding) {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF")
        && let Ok(text) = std::str::from_utf8(rest)
    {
        return (text.to_string(), Encoding::Utf8);
    }
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        let (text, _, _) = encoding_rs::UTF_16LE.decode(bytes);
        return (text.into_owned(), Encoding::Utf16);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => (text.to_string(), Encoding::Utf8),
        Err(_) => {
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
            (text.into_owned(), Encoding::Windows1252)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_1252_french_is_decoded() {
        // "comprimé pelliculé" in Windows-1252.
        let (text, encoding) = decode_text(b"comprim\xe9 pellicul\xe9");
        assert_eq!(text, "comprimé pelliculé");
        assert_eq!(encoding, Encoding::Windows1252);
    }

    #[test]
    fn utf8_with_bom_is_decoded_without_the_bom() {
        let (text, encoding) = decode_text("\u{FEFF}Œdème".as_bytes());
        assert_eq!(text, "Œdème");
        assert_eq!(encoding, Encoding::Utf8);
    }

    #[test]
    fn utf16_with_bom_is_decoded() {
        let bytes: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("é".encode_utf16().flat_map(|unit| unit.to_le_bytes()))
            .collect();
        assert_eq!(decode_text(&bytes), ("é".to_string(), Encoding::Utf16));
    }
}
