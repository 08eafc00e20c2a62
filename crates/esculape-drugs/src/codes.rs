//! Code → specialty maps for CIS, CIP7 and CIP13 codes. A code of digits is kept as a
//! number, so a lookup hashes a number instead of reading a key string stored elsewhere
//! in memory: the BDPM join makes about 100,000 of them.

use rustc_hash::FxHashMap;

/// Codes → specialty positions. Codes of 1 to 17 digits (every CIS and CIP code) are
/// stored as their value with their length, so "0123" and "123" stay distinct; any other
/// text is kept as it is.
#[derive(Debug, Default)]
pub(crate) struct CodeIndex {
    numeric: FxHashMap<u64, u32>,
    other: FxHashMap<String, u32>,
}

impl CodeIndex {
    pub(crate) fn with_capacity(capacity: usize) -> CodeIndex {
        CodeIndex {
            numeric: FxHashMap::with_capacity_and_hasher(capacity, Default::default()),
            other: FxHashMap::default(),
        }
    }

    /// Sets the position of a code; the last insertion of a code wins.
    pub(crate) fn insert(&mut self, code: &str, position: u32) {
        match numeric_key(code) {
            Some(key) => {
                self.numeric.insert(key, position);
            }
            None => {
                self.other.insert(code.to_string(), position);
            }
        }
    }

    pub(crate) fn get(&self, code: &str) -> Option<u32> {
        match numeric_key(code) {
            Some(key) => self.numeric.get(&key).copied(),
            None => self.other.get(code).copied(),
        }
    }

    pub(crate) fn contains(&self, code: &str) -> bool {
        self.get(code).is_some()
    }
}

/// A code of 1 to 17 digits as `value × 32 + length` (10^17 × 32 < 2^64).
fn numeric_key(code: &str) -> Option<u64> {
    let bytes = code.as_bytes();
    if bytes.is_empty() || bytes.len() > 17 {
        return None;
    }
    let mut value: u64 = 0;
    for &byte in bytes {
        if !byte.is_ascii_digit() {
            return None;
        }
        value = value * 10 + u64::from(byte - b'0');
    }
    Some(value << 5 | bytes.len() as u64)
}

#[cfg(test)]
mod tests {
    use super::CodeIndex;

    #[test]
    fn codes_keep_their_leading_zeros_and_any_text_is_a_code() {
        let mut index = CodeIndex::default();
        index.insert("60234100", 0);
        index.insert("060234100", 1);
        index.insert("3400935955838", 2);
        index.insert("", 3);
        index.insert("12a", 4);
        index.insert("123456789012345678", 5);
        index.insert("60234100", 6);
        assert_eq!(index.get("60234100"), Some(6));
        assert_eq!(index.get("060234100"), Some(1));
        assert_eq!(index.get("3400935955838"), Some(2));
        assert_eq!(index.get(""), Some(3));
        assert_eq!(index.get("12a"), Some(4));
        assert_eq!(index.get("123456789012345678"), Some(5));
        assert_eq!(index.get("6023410"), None);
        assert_eq!(index.get("99999999999999999"), None);
        assert!(!index.contains("0"));
    }
}
