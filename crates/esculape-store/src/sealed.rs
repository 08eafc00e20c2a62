//! Columns that hold patient text (a draft's title, text, trace and rejection reason) are
//! stored sealed: XChaCha20-Poly1305 under the site's data key, with a random nonce per
//! value and the row it belongs to as associated data, so a value moved to another row
//! does not open. A sealed value is `sealed:v1:` then the base64 of nonce and ciphertext.

use crate::error::{Error, Result};
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

const PREFIX: &str = "sealed:v1:";
const NONCE_BYTES: usize = 24;

/// The 32-byte key that seals patient text in the database. Its `Debug` never shows it.
#[derive(Clone)]
pub struct DataKey([u8; 32]);

impl std::fmt::Debug for DataKey {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("DataKey([redacted])")
    }
}

impl DataKey {
    /// Parses 64 hex digits or the base64 of 32 bytes (surrounding blanks ignored).
    pub fn parse(text: &str) -> Result<DataKey> {
        let text = text.trim();
        let bytes = if text.len() == 64 && text.bytes().all(|byte| byte.is_ascii_hexdigit()) {
            (0..32)
                .map(|index| u8::from_str_radix(&text[index * 2..index * 2 + 2], 16))
                .collect::<std::result::Result<Vec<u8>, _>>()
                .map_err(|_| invalid_key("a hex digit is wrong"))?
        } else {
            base64::engine::general_purpose::STANDARD
                .decode(text)
                .map_err(|_| invalid_key("it is neither 64 hex digits nor base64"))?
        };
        let key: [u8; 32] = bytes.try_into().map_err(|bytes: Vec<u8>| {
            invalid_key(&format!("{} bytes instead of 32", bytes.len()))
        })?;
        Ok(DataKey(key))
    }

    /// A new random key from the operating system.
    pub fn random() -> Result<DataKey> {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key)
            .map_err(|error| invalid_key(&format!("no random bytes from the system: {error}")))?;
        Ok(DataKey(key))
    }

    /// The key as 64 hex digits, to write into a new key file.
    pub fn to_hex(&self) -> String {
        self.0.iter().map(|byte| format!("{byte:02x}")).collect()
    }

    /// Seals `text` for the place `row` names (table, column and row).
    pub(crate) fn seal(&self, row: &str, text: &str) -> Result<String> {
        let mut nonce = [0u8; NONCE_BYTES];
        getrandom::fill(&mut nonce)
            .map_err(|error| Error::Sealing(format!("no random bytes from the system: {error}")))?;
        let cipher = XChaCha20Poly1305::new((&self.0).into());
        let sealed = cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: text.as_bytes(),
                    aad: row.as_bytes(),
                },
            )
            .map_err(|_| Error::Sealing("the cipher refused the value".into()))?;
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        Ok(format!(
            "{PREFIX}{}",
            base64::engine::general_purpose::STANDARD.encode(bytes)
        ))
    }

    /// Opens a value sealed for `row`. A value without the prefix was written before
    /// sealing existed (drafts of an older version) and is returned as it is.
    pub(crate) fn open(&self, row: &str, stored: String) -> Result<String> {
        let Some(encoded) = stored.strip_prefix(PREFIX) else {
            return Ok(stored);
        };
        let unreadable = || {
            Error::Sealing(format!(
                "a sealed value ({row}) does not open with this data key: the key is not the one it was written with, or the database was altered; restore the key file the site used"
            ))
        };
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .map_err(|_| unreadable())?;
        if bytes.len() < NONCE_BYTES {
            return Err(unreadable());
        }
        let (nonce, sealed) = bytes.split_at(NONCE_BYTES);
        let cipher = XChaCha20Poly1305::new((&self.0).into());
        let plain = cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: sealed,
                    aad: row.as_bytes(),
                },
            )
            .map_err(|_| unreadable())?;
        String::from_utf8(plain).map_err(|_| unreadable())
    }
}

fn invalid_key(reason: &str) -> Error {
    Error::Sealing(format!(
        "invalid data key: {reason}; give 32 random bytes as 64 hex digits or base64 (for example `openssl rand -hex 32`)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_value_opens_only_with_its_key_and_row() {
        let key = DataKey::random().unwrap();
        let sealed = key
            .seal("draft_versions.body 1/1", "Patiente vue ce jour.")
            .unwrap();
        assert!(sealed.starts_with(PREFIX));
        assert!(!sealed.contains("Patiente"));
        assert_eq!(
            key.open("draft_versions.body 1/1", sealed.clone()).unwrap(),
            "Patiente vue ce jour."
        );
        // Moved to another row, or read with another key: refused, never garbage.
        assert!(key.open("draft_versions.body 2/1", sealed.clone()).is_err());
        let other = DataKey::random().unwrap();
        let error = other.open("draft_versions.body 1/1", sealed).unwrap_err();
        assert!(
            error.to_string().contains("restore the key file"),
            "{error}"
        );
    }

    #[test]
    fn two_seals_of_one_text_differ() {
        let key = DataKey::random().unwrap();
        assert_ne!(
            key.seal("r", "même texte").unwrap(),
            key.seal("r", "même texte").unwrap()
        );
    }

    #[test]
    fn a_tampered_value_is_refused() {
        let key = DataKey::random().unwrap();
        let mut sealed = key.seal("r", "texte").unwrap().into_bytes();
        let last = sealed.len() - 3;
        sealed[last] = if sealed[last] == b'A' { b'B' } else { b'A' };
        let sealed = String::from_utf8(sealed).unwrap();
        assert!(key.open("r", sealed).is_err());
    }

    #[test]
    fn keys_parse_from_hex_and_base64_and_bad_keys_are_named() {
        let key = DataKey::random().unwrap();
        let again = DataKey::parse(&format!("  {}\n", key.to_hex())).unwrap();
        assert_eq!(again.0, key.0);
        let base64 = base64::engine::general_purpose::STANDARD.encode(key.0);
        assert_eq!(DataKey::parse(&base64).unwrap().0, key.0);
        let error = DataKey::parse("abcd").unwrap_err().to_string();
        assert!(error.contains("openssl rand -hex 32"), "{error}");
        assert!(!format!("{key:?}").contains(&key.to_hex()));
    }

    #[test]
    fn legacy_plain_values_are_read_as_they_are() {
        let key = DataKey::random().unwrap();
        assert_eq!(
            key.open("r", "ancien texte".into()).unwrap(),
            "ancien texte"
        );
    }
}
