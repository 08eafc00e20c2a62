//! The encrypted vault: round trip, tampering, wrong key, expiry.

use super::scope;
use esculape_pseudo::{Config, Error, Scope, Vault, VaultKey, pseudonymize, reidentify};

const KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

#[test]
fn round_trip_restores_the_text() {
    let folder = tempfile::tempdir().unwrap();
    let vault = Vault::open(folder.path(), VaultKey::parse(KEY).unwrap());
    let mut scope = scope("visit-1");
    let text = "Mme Jeanne DUPONT, tél 06 12 34 56 78";
    let output = pseudonymize(text, &mut scope, &Config::default()).unwrap();
    vault.save(&scope).unwrap();
    let bytes = std::fs::read(vault.path_of("visit-1").unwrap()).unwrap();
    assert!(
        !bytes.windows(6).any(|window| window == b"DUPONT"),
        "the file is encrypted"
    );
    let loaded = vault.load("visit-1").unwrap();
    assert_eq!(reidentify(output.value(), &loaded), text);
    // The loaded scope goes on giving the same surrogates.
    let mut loaded = loaded;
    let again = pseudonymize(text, &mut loaded, &Config::default()).unwrap();
    assert_eq!(again.value(), output.value());
}

#[test]
fn base64_keys_are_accepted_and_short_keys_refused() {
    assert!(VaultKey::parse("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=").is_ok());
    assert!(matches!(VaultKey::parse("abcd"), Err(Error::InvalidKey(_))));
    assert!(!format!("{:?}", VaultKey::parse(KEY).unwrap()).contains("0001"));
}

#[test]
fn tampered_file_is_refused() {
    let folder = tempfile::tempdir().unwrap();
    let vault = Vault::open(folder.path(), VaultKey::parse(KEY).unwrap());
    vault.save(&scope("visit-2")).unwrap();
    let path = vault.path_of("visit-2").unwrap();
    let mut bytes = std::fs::read(&path).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&path, &bytes).unwrap();
    assert!(matches!(
        vault.load("visit-2"),
        Err(Error::CorruptVault { .. })
    ));
    std::fs::write(&path, b"garbage").unwrap();
    assert!(matches!(
        vault.load("visit-2"),
        Err(Error::CorruptVault { .. })
    ));
}

#[test]
fn wrong_key_and_renamed_file_are_refused() {
    let folder = tempfile::tempdir().unwrap();
    let vault = Vault::open(folder.path(), VaultKey::parse(KEY).unwrap());
    vault.save(&scope("visit-3")).unwrap();
    let other_key = Vault::open(folder.path(), VaultKey::random().unwrap());
    assert!(matches!(
        other_key.load("visit-3"),
        Err(Error::CorruptVault { .. })
    ));
    std::fs::copy(
        vault.path_of("visit-3").unwrap(),
        vault.path_of("visit-4").unwrap(),
    )
    .unwrap();
    assert!(matches!(
        vault.load("visit-4"),
        Err(Error::CorruptVault { .. })
    ));
    assert!(matches!(
        vault.load("never-saved"),
        Err(Error::UnknownScope(_))
    ));
    assert!(matches!(
        vault.load("../etc/passwd"),
        Err(Error::InvalidScopeId(_))
    ));
}

#[test]
fn expired_scope_is_refused_and_purged() {
    let folder = tempfile::tempdir().unwrap();
    let vault = Vault::open(folder.path(), VaultKey::parse(KEY).unwrap());
    let expired = Scope::with_secret("old", [3; 32], 0).unwrap();
    vault.save(&expired).unwrap();
    vault.save(&scope("fresh")).unwrap();
    assert!(matches!(vault.load("old"), Err(Error::Expired { .. })));
    assert!(!vault.path_of("old").unwrap().exists());
    assert!(vault.load("fresh").is_ok());
}
