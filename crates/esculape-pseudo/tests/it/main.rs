//! Integration tests of the pseudonymization engine, on synthetic text only.

mod detection;
mod scale;
mod surrogates;
mod vault;

use esculape_pseudo::{Config, Scope, detect};

/// The findings of `input`, written `LABEL=text` and joined with ", ".
pub fn findings(input: &str) -> String {
    let scope = Scope::with_secret("test", [1; 32], 3600).expect("scope");
    detect(input, &scope, &Config::default())
        .expect("detection")
        .iter()
        .map(|finding| format!("{}={}", finding.label, &input[finding.start..finding.end]))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Asserts the findings of `input`.
#[track_caller]
pub fn check(input: &str, expect: &str) {
    assert_eq!(findings(input), expect, "input: {input}");
}

/// A scope with a fixed secret, so runs are reproducible.
pub fn scope(id: &str) -> Scope {
    Scope::with_secret(id, [42; 32], 3600).expect("scope")
}
