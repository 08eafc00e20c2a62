//! Password hashing (argon2id) and random tokens.

use crate::{Error, Result};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use sha2::{Digest, Sha256};

/// Shortest password accepted when one is set.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// argon2id with the `argon2` crate's default cost (19 MiB, 2 passes, 1 lane), the
/// OWASP Password Storage Cheat Sheet's first recommended configuration.
fn hasher() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::default())
}

/// The PHC string of `password` under a fresh random salt.
pub fn hash_password(password: &str) -> Result<String> {
    let mut salt_bytes = [0u8; 16];
    fill_random(&mut salt_bytes)?;
    let salt = SaltString::encode_b64(&salt_bytes)
        .map_err(|error| Error::Internal(format!("password salt: {error}")))?;
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| Error::Internal(format!("password hashing: {error}")))
}

/// Whether `password` matches `phc_hash` (the comparison inside is constant-time). A hash
/// that cannot be parsed matches nothing.
pub fn verify_password(password: &str, phc_hash: &str) -> bool {
    match PasswordHash::new(phc_hash) {
        Ok(parsed) => hasher()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Checks a new password's length (in characters).
pub fn check_new_password(password: &str) -> Result<()> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(Error::Invalid(format!(
            "the password is too short: use at least {MIN_PASSWORD_CHARS} characters"
        )));
    }
    Ok(())
}

/// `bytes` random bytes from the operating system, URL-safe base64 without padding.
pub fn random_token(bytes: usize) -> Result<String> {
    let mut buffer = vec![0u8; bytes];
    fill_random(&mut buffer)?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buffer))
}

/// A random password for a new administrator: 18 bytes, 24 URL-safe characters.
pub fn random_password() -> Result<String> {
    random_token(18)
}

pub(crate) fn token_sha256(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

fn fill_random(buffer: &mut [u8]) -> Result<()> {
    getrandom::fill(buffer)
        .map_err(|error| Error::Internal(format!("the system random generator failed: {error}")))
}
