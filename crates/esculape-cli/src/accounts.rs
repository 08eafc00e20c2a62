//! `esculape users …` and `esculape audit …`: accounts and the audit trail from the
//! server's own terminal (audited as `terminal`).

use crate::serve::open_app;
use crate::settings::Settings;
use anyhow::{Context, Result, bail};
use clap::Subcommand;
use esculape_app::{NewAccount, Operator, Password, Role};
use std::io::BufRead;

/// The environment variable that gives the password to `users add` and `users passwd`
/// (otherwise it is read from standard input).
pub const USER_PASSWORD_ENV: &str = "ESCULAPE_USER_PASSWORD";

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Create an account; the password comes from ESCULAPE_USER_PASSWORD or standard input.
    Add {
        login: String,
        /// Name shown in the interface ("Dr Jeanne Martin").
        #[arg(long)]
        name: String,
        /// clinician, admin or auditor.
        #[arg(long, default_value = "clinician")]
        role: String,
    },
    /// List the accounts.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Set a new password (which also unlocks the account and ends its sessions).
    Passwd { login: String },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Recompute the audit trail's hash chain; fails if a record was modified, removed or
    /// reordered.
    Verify {
        #[arg(long)]
        json: bool,
    },
}

pub fn users(settings: &Settings, command: UsersCommand) -> Result<()> {
    let app = open_app(settings, None)?;
    match command {
        UsersCommand::Add { login, name, role } => {
            let account = NewAccount {
                login,
                display_name: name,
                role: Role::parse(&role)?,
                password: read_password()?,
            };
            let user = app.operator_create_user(Operator::terminal(), &account)?;
            println!("{} créé / created ({})", user.login, user.role.as_str());
        }
        UsersCommand::List { json } => {
            let users = app.operator_users(Operator::terminal())?;
            if json {
                println!("{}", serde_json::to_string_pretty(&users)?);
            } else {
                let now_s = esculape_app::now_s();
                for user in users {
                    let status = if user.disabled {
                        "désactivé / disabled"
                    } else if user.locked_until_s.is_some_and(|until| until > now_s) {
                        "verrouillé / locked"
                    } else {
                        "actif / active"
                    };
                    println!(
                        "{:<24} {:<10} {:<22} {}",
                        user.login,
                        user.role.as_str(),
                        status,
                        user.display_name
                    );
                }
            }
        }
        UsersCommand::Passwd { login } => {
            let user =
                app.operator_set_password(Operator::terminal(), &login, &read_password()?)?;
            println!("{}: mot de passe changé / password changed", user.login);
        }
    }
    Ok(())
}

pub fn audit(settings: &Settings, command: AuditCommand) -> Result<()> {
    let app = open_app(settings, None)?;
    match command {
        AuditCommand::Verify { json } => {
            let verification = app.operator_verify_audit(Operator::terminal())?;
            if json {
                println!("{}", serde_json::to_string_pretty(&verification)?);
            } else if verification.is_intact() {
                println!(
                    "journal d'audit intègre / audit trail intact: {} enregistrements vérifiés / records checked (ancre / anchor {}, dernier / last {})",
                    verification.records_checked, verification.anchor_id, verification.head_id
                );
            }
            if let Some(problem) = verification.problem {
                bail!("the audit trail was tampered with: {problem}");
            }
        }
    }
    Ok(())
}

fn read_password() -> Result<Password> {
    if let Ok(password) = std::env::var(USER_PASSWORD_ENV) {
        return Ok(Password::new(password));
    }
    eprintln!("mot de passe / password (12 caractères au moins / at least 12 characters):");
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    let password = line.trim_end_matches(['\r', '\n']).to_string();
    if password.is_empty() {
        bail!("no password given: type it, or set {USER_PASSWORD_ENV}");
    }
    Ok(Password::new(password))
}
