//! The vault: scopes persisted as encrypted files (XChaCha20-Poly1305 under a 32-byte key
//! from configuration), one per scope, written atomically, refused once expired.
//!
//! File layout: `ESCVAULT1` magic (9 bytes), 24-byte nonce, ciphertext of the scope as
//! JSON. The magic and the scope id are authenticated as associated data, so a file copied
//! under another scope's name fails to open, like a modified one.

use crate::error::{Error, Result, io_error};
use crate::scope::{Scope, StoredScope, now_unix_s, validate_scope_id};
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use std::io::Write;
use std::path::{Path, PathBuf};

const MAGIC: &[u8; 9] = b"ESCVAULT1";
const NONCE_BYTES: usize = 24;

/// A 32-byte key. Its `Debug` never shows it.
#[derive(Clone)]
pub struct VaultKey([u8; 32]);

impl std::fmt::Debug for VaultKey {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("VaultKey([redacted])")
    }
}

impl VaultKey {
    /// Parses 64 hex digits or the base64 of 32 bytes (surrounding blanks ignored).
    pub fn parse(text: &str) -> Result<VaultKey> {
        let text = text.trim();
        let bytes = if text.len() == 64 && text.bytes().all(|byte| byte.is_ascii_hexdigit()) {
            (0..32)
                .map(|index| u8::from_str_radix(&text[index * 2..index * 2 + 2], 16))
                .collect::<std::result::Result<Vec<u8>, _>>()
                .map_err(|_| Error::InvalidKey("bad hex digit".to_string()))?
        } else {
            base64::engine::general_purpose::STANDARD
                .decode(text)
                .map_err(|_| Error::InvalidKey("neither 64 hex digits nor base64".to_string()))?
        };
        let array: [u8; 32] = bytes.try_into().map_err(|bytes: Vec<u8>| {
            Error::InvalidKey(format!("{} bytes instead of 32", bytes.len()))
        })?;
        Ok(VaultKey(array))
    }

    /// A random key from the operating system (for a one-shot run that stores nothing).
    pub fn random() -> Result<VaultKey> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|error| {
            Error::InvalidKey(format!("no random bytes from the system: {error}"))
        })?;
        Ok(VaultKey(bytes))
    }
}

/// Encrypted scopes under one folder.
#[derive(Debug)]
pub struct Vault {
    folder: PathBuf,
    key: VaultKey,
}

impl Vault {
    /// A vault in `folder` (created when first saved to).
    pub fn open(folder: impl Into<PathBuf>, key: VaultKey) -> Vault {
        Vault {
            folder: folder.into(),
            key,
        }
    }

    /// The file of scope `id`.
    pub fn path_of(&self, id: &str) -> Result<PathBuf> {
        validate_scope_id(id)?;
        Ok(self.folder.join(format!("{id}.vault")))
    }

    /// Writes `scope` atomically: a temporary file, fsync, rename, fsync of the folder.
    pub fn save(&self, scope: &Scope) -> Result<()> {
        let path = self.path_of(scope.id())?;
        std::fs::create_dir_all(&self.folder)
            .map_err(io_error("create the vault folder", &self.folder))?;
        let plaintext =
            serde_json::to_vec(&scope.to_stored()).map_err(|error| Error::CorruptVault {
                path: path.clone(),
                reason: format!("cannot serialise the scope: {error}"),
            })?;
        let mut nonce = [0u8; NONCE_BYTES];
        getrandom::fill(&mut nonce).map_err(|error| {
            Error::InvalidKey(format!("no random bytes from the system: {error}"))
        })?;
        let cipher = XChaCha20Poly1305::new((&self.key.0).into());
        let associated = associated_data(scope.id());
        let ciphertext = cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: &plaintext,
                    aad: &associated,
                },
            )
            .map_err(|_| Error::CorruptVault {
                path: path.clone(),
                reason: "encryption failed".to_string(),
            })?;
        let temporary = self.folder.join(format!(".{}.vault.tmp", scope.id()));
        {
            let mut file =
                std::fs::File::create(&temporary).map_err(io_error("create", &temporary))?;
            file.write_all(MAGIC)
                .and_then(|()| file.write_all(&nonce))
                .and_then(|()| file.write_all(&ciphertext))
                .and_then(|()| file.sync_all())
                .map_err(io_error("write", &temporary))?;
        }
        std::fs::rename(&temporary, &path).map_err(io_error("rename into place", &path))?;
        if let Ok(folder) = std::fs::File::open(&self.folder) {
            let _ = folder.sync_all();
        }
        tracing::debug!(scope = scope.id(), entries = scope.len(), "vault saved");
        Ok(())
    }

    /// Reads scope `id`; refuses an expired one (and deletes its file).
    pub fn load(&self, id: &str) -> Result<Scope> {
        let path = self.path_of(id)?;
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::UnknownScope(id.to_string()));
            }
            Err(error) => return Err(io_error("read", &path)(error)),
        };
        let corrupt = |reason: &str| Error::CorruptVault {
            path: path.clone(),
            reason: reason.to_string(),
        };
        if bytes.len() < MAGIC.len() + NONCE_BYTES + 16 || &bytes[..MAGIC.len()] != MAGIC {
            return Err(corrupt("not a vault file"));
        }
        let (nonce, ciphertext) = bytes[MAGIC.len()..].split_at(NONCE_BYTES);
        let cipher = XChaCha20Poly1305::new((&self.key.0).into());
        let associated = associated_data(id);
        let plaintext = cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: &associated,
                },
            )
            .map_err(|_| corrupt("authentication failed"))?;
        let stored: StoredScope =
            serde_json::from_slice(&plaintext).map_err(|_| corrupt("unreadable content"))?;
        let scope = Scope::from_stored(stored);
        if scope.id() != id {
            return Err(corrupt("the scope id inside differs from the file name"));
        }
        if scope.is_expired_at(now_unix_s()) {
            let _ = std::fs::remove_file(&path);
            return Err(Error::Expired {
                scope: id.to_string(),
                expired_at_unix_s: scope.expires_at_unix_s(),
            });
        }
        Ok(scope)
    }

    /// Removes the files of expired scopes; returns how many were removed. Files that
    /// cannot be opened with this key are left alone.
    pub fn purge_expired(&self) -> Result<usize> {
        let entries = match std::fs::read_dir(&self.folder) {
            Ok(entries) => entries,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(0),
            Err(error) => return Err(io_error("list", &self.folder)(error)),
        };
        let mut removed = 0;
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().to_string();
            if let Some(id) = name.strip_suffix(".vault")
                && matches!(self.load(id), Err(Error::Expired { .. }))
            {
                removed += 1;
            }
        }
        Ok(removed)
    }

    pub fn folder(&self) -> &Path {
        &self.folder
    }
}

fn associated_data(id: &str) -> Vec<u8> {
    let mut associated = MAGIC.to_vec();
    associated.extend_from_slice(id.as_bytes());
    associated
}
