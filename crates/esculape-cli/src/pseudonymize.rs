//! `esculape pseudonymize`: replace identifiers with surrogates, or restore them.
//!
//! Keys and scopes: with `--scope ID` the mapping is stored encrypted in the vault
//! (`pseudo.vault_dir`, default `<data_dir>/vault`) under the key named by
//! `pseudo.key_env` / `pseudo.key_file`, and a later `--restore --scope ID` puts the
//! originals back. Without `--scope` the run is one-shot: an ephemeral scope lives in memory
//! only, and a note on standard error says that restoring later is impossible.

use crate::settings::Settings;
use anyhow::{Context, Result, bail};
use clap::Args;
use esculape_pseudo::{
    Config, Error as PseudoError, Finding, Mode, Scope, Vault, VaultKey, pseudonymize_stream,
    reidentify,
};
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub struct PseudonymizeArgs {
    /// Text file to read, or `-` for standard input (UTF-8).
    #[arg(default_value = "-")]
    input: PathBuf,
    /// Print one JSON object: the pseudonymized text, the scope and every finding (label,
    /// offsets in bytes and characters, confidence). Holds the output in memory.
    #[arg(long)]
    json: bool,
    /// Typed placeholders ([NOM_1], [DATE_1]) instead of realistic surrogates.
    #[arg(long)]
    placeholders: bool,
    /// Scope (document or conversation) whose mapping is kept in the encrypted vault, so
    /// the same person gets the same surrogate across calls and the text can be restored.
    #[arg(long, value_name = "ID")]
    scope: Option<String>,
    /// Put the originals back into the input (for example a model's answer), using the
    /// mapping of --scope.
    #[arg(long, requires = "scope")]
    restore: bool,
}

pub fn run(settings: &Settings, args: PseudonymizeArgs) -> Result<()> {
    let mode = if args.placeholders || settings.pseudo.mode == "placeholders" {
        Mode::Placeholders
    } else {
        Mode::Surrogates
    };
    let config = Config {
        mode,
        ..Config::default()
    };
    let reader = open_input(&args.input)?;
    if args.restore {
        let scope_id = args.scope.as_deref().unwrap_or_default();
        let vault = vault(settings)?;
        let scope = vault.load(scope_id)?;
        let mut text = Vec::new();
        let mut reader = reader;
        reader
            .read_to_end(&mut text)
            .context("cannot read the input")?;
        let text = String::from_utf8(text).map_err(|error| PseudoError::InvalidUtf8 {
            byte_offset: error.utf8_error().valid_up_to() as u64,
        })?;
        let restored = reidentify(&text, &scope);
        let mut stdout = std::io::stdout().lock();
        stdout.write_all(restored.as_bytes())?;
        stdout.flush()?;
        return Ok(());
    }
    let (mut scope, vault) = match args.scope.as_deref() {
        Some(scope_id) => {
            let vault = vault(settings)?;
            let scope = match vault.load(scope_id) {
                Ok(scope) => scope,
                Err(PseudoError::UnknownScope(_)) => Scope::new(
                    scope_id,
                    settings.pseudo.scope_ttl_hours.saturating_mul(3600),
                )?,
                Err(error) => return Err(error.into()),
            };
            (scope, Some(vault))
        }
        None => {
            eprintln!(
                "esculape: note: no --scope, so the mapping lives in memory only: restoring this output later is impossible (give --scope ID with a key in {} to keep it)",
                settings.pseudo.key_env
            );
            (Scope::new("one-shot", 3600)?, None)
        }
    };
    if args.json {
        let mut text = Vec::new();
        let mut findings: Vec<Finding> = Vec::new();
        pseudonymize_stream(reader, &mut text, &mut scope, &config, |found| {
            findings.extend_from_slice(found)
        })?;
        let value = serde_json::json!({
            "scope": scope.id(),
            "restorable": vault.is_some(),
            "text": String::from_utf8_lossy(&text),
            "findings": findings,
        });
        println!("{}", serde_json::to_string_pretty(&value)?);
    } else {
        let stdout = std::io::stdout().lock();
        pseudonymize_stream(reader, BufWriter::new(stdout), &mut scope, &config, |_| {})?;
    }
    if let Some(vault) = vault {
        vault.save(&scope)?;
    }
    Ok(())
}

fn open_input(input: &Path) -> Result<Box<dyn Read>> {
    if input == Path::new("-") {
        Ok(Box::new(std::io::stdin().lock()))
    } else {
        let file = std::fs::File::open(input)
            .with_context(|| format!("cannot open `{}`", input.display()))?;
        Ok(Box::new(file))
    }
}

/// The vault, with the key from `pseudo.key_file` or the variable `pseudo.key_env`.
fn vault(settings: &Settings) -> Result<Vault> {
    let key_text = if !settings.pseudo.key_file.trim().is_empty() {
        let path = settings.pseudo.key_file.trim();
        std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the pseudonymization key file `{path}`"))?
    } else {
        match std::env::var(&settings.pseudo.key_env) {
            Ok(value) if !value.trim().is_empty() => value,
            _ => bail!(
                "--scope and --restore keep the mapping in the encrypted vault, which needs a key: set {} to 64 hex digits (for example `export {}=$(openssl rand -hex 32)`) or pseudo.key_file",
                settings.pseudo.key_env,
                settings.pseudo.key_env
            ),
        }
    };
    let key = VaultKey::parse(&key_text)?;
    let folder = if settings.pseudo.vault_dir.trim().is_empty() {
        settings.paths.data_dir.join("vault")
    } else {
        PathBuf::from(settings.pseudo.vault_dir.trim())
    };
    let vault = Vault::open(folder, key);
    let purged = vault.purge_expired()?;
    if purged > 0 {
        tracing::info!(scopes = purged, "expired scopes purged from the vault");
    }
    Ok(vault)
}
