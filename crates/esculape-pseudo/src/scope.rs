//! A scope: one document or conversation, with its secret, its date offset and its mapping
//! from originals to surrogates. Its `Debug` never shows the mapping.

use crate::error::{Error, Result};
use crate::label::Label;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::collections::HashMap;

/// How identifiers are replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Realistic, consistent, format-preserving surrogates ("Jeanne DUPONT" → "Lucie MARTIN").
    #[default]
    Surrogates,
    /// Typed placeholders ("[NOM_1]").
    Placeholders,
}

/// One replacement made in a scope.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct Entry {
    pub label: Label,
    pub original: String,
    pub surrogate: String,
}

/// The state of one document or conversation. Build it with [`Scope::new`], keep it for
/// every message of the conversation (in memory or in a [`crate::Vault`]). It has no
/// `Serialize`: only the vault, through the crate-private `StoredScope`, turns a mapping
/// into bytes, and only encrypted.
#[derive(Clone)]
pub struct Scope {
    id: String,
    secret: [u8; 32],
    pub(crate) date_offset_days: i64,
    created_at_unix_s: u64,
    expires_at_unix_s: u64,
    pub(crate) entries: Vec<Entry>,
    /// Label → exact original → entry (two levels, so that a look-up borrows the original).
    by_original: HashMap<Label, HashMap<String, usize>>,
    /// Exact surrogate → entry.
    by_surrogate: HashMap<String, usize>,
    /// (label, normalised original) → base surrogate (before case is applied) or placeholder.
    pub(crate) bases: HashMap<String, String>,
    /// Base surrogates already taken, so two originals never share one.
    pub(crate) taken_bases: HashMap<String, String>,
    /// Folded names found in this scope, to find them again.
    pub(crate) known_names: HashMap<String, Label>,
    pub(crate) counters: HashMap<String, u32>,
}

/// What the vault stores of a scope (the same JSON field names as before this type).
#[derive(Serialize, Deserialize)]
pub(crate) struct StoredScope {
    id: String,
    secret: [u8; 32],
    date_offset_days: i64,
    created_at_unix_s: u64,
    expires_at_unix_s: u64,
    entries: Vec<Entry>,
    bases: HashMap<String, String>,
    taken_bases: HashMap<String, String>,
    known_names: HashMap<String, Label>,
    counters: HashMap<String, u32>,
}

impl Scope {
    pub(crate) fn to_stored(&self) -> StoredScope {
        StoredScope {
            id: self.id.clone(),
            secret: self.secret,
            date_offset_days: self.date_offset_days,
            created_at_unix_s: self.created_at_unix_s,
            expires_at_unix_s: self.expires_at_unix_s,
            entries: self.entries.clone(),
            bases: self.bases.clone(),
            taken_bases: self.taken_bases.clone(),
            known_names: self.known_names.clone(),
            counters: self.counters.clone(),
        }
    }

    pub(crate) fn from_stored(stored: StoredScope) -> Scope {
        let mut scope = Scope {
            id: stored.id,
            secret: stored.secret,
            date_offset_days: stored.date_offset_days,
            created_at_unix_s: stored.created_at_unix_s,
            expires_at_unix_s: stored.expires_at_unix_s,
            entries: stored.entries,
            by_original: HashMap::new(),
            by_surrogate: HashMap::new(),
            bases: stored.bases,
            taken_bases: stored.taken_bases,
            known_names: stored.known_names,
            counters: stored.counters,
        };
        scope.rebuild_indexes();
        scope
    }
}

impl std::fmt::Debug for Scope {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Scope")
            .field("id", &self.id)
            .field("entries", &self.entries.len())
            .field("expires_at_unix_s", &self.expires_at_unix_s)
            .field("mapping", &"[redacted]")
            .finish()
    }
}

impl Scope {
    /// A new scope with a fresh random secret, valid for `time_to_live_s` seconds.
    pub fn new(id: &str, time_to_live_s: u64) -> Result<Scope> {
        let mut secret = [0u8; 32];
        getrandom::fill(&mut secret).map_err(|error| Error::Detector {
            detector: "scope",
            reason: format!("the operating system gave no random bytes: {error}"),
        })?;
        Scope::with_secret(id, secret, time_to_live_s)
    }

    /// A scope with a given secret (deterministic surrogates, for tests and replays).
    pub fn with_secret(id: &str, secret: [u8; 32], time_to_live_s: u64) -> Result<Scope> {
        validate_scope_id(id)?;
        let now = now_unix_s();
        let mut scope = Scope {
            id: id.to_string(),
            secret,
            date_offset_days: 0,
            created_at_unix_s: now,
            expires_at_unix_s: now.saturating_add(time_to_live_s),
            entries: Vec::new(),
            by_original: HashMap::new(),
            by_surrogate: HashMap::new(),
            bases: HashMap::new(),
            taken_bases: HashMap::new(),
            known_names: HashMap::new(),
            counters: HashMap::new(),
        };
        // One offset per scope, 30 to 365 days back or forward: intervals survive.
        let draw = scope.keyed_u64("date-offset", "");
        let magnitude = 30 + (draw % 336) as i64;
        scope.date_offset_days = if draw & (1 << 40) == 0 {
            -magnitude
        } else {
            magnitude
        };
        Ok(scope)
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// The number of days every date of this scope is moved by.
    pub fn date_offset_days(&self) -> i64 {
        self.date_offset_days
    }

    pub fn expires_at_unix_s(&self) -> u64 {
        self.expires_at_unix_s
    }

    pub fn created_at_unix_s(&self) -> u64 {
        self.created_at_unix_s
    }

    /// Whether the scope has expired at `now_unix_s`.
    pub fn is_expired_at(&self, now_unix_s: u64) -> bool {
        now_unix_s >= self.expires_at_unix_s
    }

    /// How many distinct replacements this scope holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// A keyed hash of `value` under this scope's secret (HMAC-SHA-256, first 8 bytes).
    pub(crate) fn keyed_u64(&self, purpose: &str, value: &str) -> u64 {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.secret)
            .expect("HMAC takes keys of any length");
        mac.update(purpose.as_bytes());
        mac.update(&[0]);
        mac.update(value.as_bytes());
        let bytes = mac.finalize().into_bytes();
        u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes"))
    }

    /// The surrogate already given to this exact original, if any.
    pub(crate) fn surrogate_of(&self, label: Label, original: &str) -> Option<&str> {
        self.by_original
            .get(&label)
            .and_then(|originals| originals.get(original))
            .map(|&index| self.entries[index].surrogate.as_str())
    }

    /// Records a replacement.
    pub(crate) fn record(&mut self, label: Label, original: &str, surrogate: &str) {
        let index = self.entries.len();
        self.entries.push(Entry {
            label,
            original: original.to_string(),
            surrogate: surrogate.to_string(),
        });
        self.by_original
            .entry(label)
            .or_default()
            .insert(original.to_string(), index);
        self.by_surrogate
            .entry(surrogate.to_string())
            .or_insert(index);
    }

    /// (surrogate, original) pairs, for re-identification.
    pub(crate) fn surrogate_pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries
            .iter()
            .map(|entry| (entry.surrogate.as_str(), entry.original.as_str()))
    }

    /// Rebuilds the lookup tables after deserialisation.
    pub(crate) fn rebuild_indexes(&mut self) {
        self.by_original.clear();
        self.by_surrogate.clear();
        for (index, entry) in self.entries.iter().enumerate() {
            self.by_original
                .entry(entry.label)
                .or_default()
                .insert(entry.original.clone(), index);
            self.by_surrogate
                .entry(entry.surrogate.clone())
                .or_insert(index);
        }
    }
}

/// Checks that a scope id can name a file: 1–64 of `[A-Za-z0-9_-]`.
pub fn validate_scope_id(id: &str) -> Result<()> {
    let valid = !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_');
    if valid {
        Ok(())
    } else {
        Err(Error::InvalidScopeId(id.chars().take(80).collect()))
    }
}

pub(crate) fn now_unix_s() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}
