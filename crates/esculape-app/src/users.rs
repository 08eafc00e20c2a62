//! Accounts, for administrators (and the terminal operator).

use crate::app::{App, Outcome};
use crate::auth::normalize_login;
use crate::clock;
use crate::identity::{Identity, Operator, Password, Permission, Role};
use crate::secret;
use crate::{Error, Result};
use esculape_store::{NewUser, UserUpdate};
use serde::Serialize;

/// An account as shown to administrators (never its password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserView {
    pub id: i64,
    pub login: String,
    pub display_name: String,
    pub role: Role,
    pub disabled: bool,
    pub locked_until_s: Option<i64>,
    pub created_at_s: i64,
}

/// An account to create.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub login: String,
    pub display_name: String,
    pub role: Role,
    pub password: Password,
}

/// A change to an account.
#[derive(Debug, Clone)]
pub enum AccountChange {
    Role(Role),
    Disabled(bool),
    Password(Password),
}

fn view(user: esculape_store::UserRecord) -> Result<UserView> {
    let role = Role::parse(&user.role).map_err(|_| {
        Error::Internal(format!("user {} has an unknown role in the store", user.id))
    })?;
    Ok(UserView {
        id: user.id,
        login: user.login,
        display_name: user.display_name,
        role,
        disabled: user.disabled,
        locked_until_s: user.locked_until_s,
        created_at_s: user.created_at_s,
    })
}

fn check_login(login: &str) -> Result<()> {
    let valid_length = (2..=64).contains(&login.len());
    let valid_characters = login
        .chars()
        .all(|character| character.is_ascii_alphanumeric() || "._-@".contains(character));
    if !valid_length || !valid_characters {
        return Err(Error::Invalid(
            "a login has 2 to 64 characters among letters, digits and . _ - @".into(),
        ));
    }
    Ok(())
}

impl App {
    /// Every account, by login.
    pub fn users(&self, identity: &Identity) -> Result<Vec<UserView>> {
        self.require(identity, Permission::ManageUsers, "users.list", "")?;
        let users = self
            .store
            .users()?
            .into_iter()
            .map(view)
            .collect::<Result<Vec<_>>>()?;
        self.audit(
            identity.login(),
            "users.list",
            "",
            Outcome::Success,
            serde_json::json!({ "count": users.len() }),
        )?;
        Ok(users)
    }

    /// Creates an account.
    pub fn create_user(&self, identity: &Identity, account: &NewAccount) -> Result<UserView> {
        self.require(identity, Permission::ManageUsers, "users.create", "")?;
        self.create_user_as(identity.login(), account)
    }

    /// Changes an account's role, enables or disables it, or sets a new password (which
    /// unlocks it). The last enabled administrator can be neither demoted nor disabled.
    pub fn change_user(
        &self,
        identity: &Identity,
        user_id: i64,
        change: &AccountChange,
    ) -> Result<UserView> {
        let action = match change {
            AccountChange::Role(_) => "users.role",
            AccountChange::Disabled(_) => "users.disable",
            AccountChange::Password(_) => "users.password",
        };
        self.require(identity, Permission::ManageUsers, action, "")?;
        self.change_user_as(identity.login(), user_id, change)
    }

    /// Creates the first administrator if no enabled one exists; returns its login, or
    /// `None` when there already is one.
    pub fn ensure_admin(&self, _operator: Operator, password: &Password) -> Result<Option<String>> {
        if self
            .store
            .count_active_users_with_role(Role::Admin.as_str())?
            > 0
        {
            return Ok(None);
        }
        let account = NewAccount {
            login: "admin".into(),
            display_name: "Administrateur".into(),
            role: Role::Admin,
            password: password.clone(),
        };
        let created = match self.create_user_as("terminal", &account) {
            Ok(user) => user,
            // An `admin` account exists but is disabled: give it the password and enable it.
            Err(Error::Conflict(_)) => {
                let existing = self
                    .store
                    .user_by_login("admin")?
                    .ok_or_else(|| Error::Internal("admin vanished during creation".into()))?;
                self.change_user_as("terminal", existing.id, &AccountChange::Role(Role::Admin))?;
                self.change_user_as("terminal", existing.id, &AccountChange::Disabled(false))?;
                self.change_user_as(
                    "terminal",
                    existing.id,
                    &AccountChange::Password(password.clone()),
                )?
            }
            Err(other) => return Err(other),
        };
        Ok(Some(created.login))
    }

    /// `esculape users add`.
    pub fn operator_create_user(
        &self,
        _operator: Operator,
        account: &NewAccount,
    ) -> Result<UserView> {
        self.create_user_as("terminal", account)
    }

    /// `esculape users passwd`.
    pub fn operator_set_password(
        &self,
        _operator: Operator,
        login: &str,
        password: &Password,
    ) -> Result<UserView> {
        let login = normalize_login(login);
        let user = self
            .store
            .user_by_login(&login)?
            .ok_or_else(|| Error::NotFound(format!("there is no user `{login}`")))?;
        self.change_user_as(
            "terminal",
            user.id,
            &AccountChange::Password(password.clone()),
        )
    }

    /// `esculape users list`.
    pub fn operator_users(&self, _operator: Operator) -> Result<Vec<UserView>> {
        let users = self
            .store
            .users()?
            .into_iter()
            .map(view)
            .collect::<Result<Vec<_>>>()?;
        self.audit(
            "terminal",
            "users.list",
            "",
            Outcome::Success,
            serde_json::json!({ "count": users.len() }),
        )?;
        Ok(users)
    }

    fn create_user_as(&self, actor: &str, account: &NewAccount) -> Result<UserView> {
        let login = normalize_login(&account.login);
        check_login(&login)?;
        let display_name = account.display_name.trim();
        if display_name.is_empty() || display_name.chars().count() > 100 {
            return Err(Error::Invalid(
                "a display name has 1 to 100 characters".into(),
            ));
        }
        secret::check_new_password(account.password.expose())?;
        let created = self.store.create_user(&NewUser {
            login: login.clone(),
            display_name: display_name.to_string(),
            role: account.role.as_str().to_string(),
            password_hash: secret::hash_password(account.password.expose())?,
            created_at_s: clock::now_s(),
        });
        let created = match created {
            Ok(user) => user,
            Err(error) => {
                let error = Error::from(error);
                if matches!(error, Error::Conflict(_)) {
                    self.audit(
                        actor,
                        "users.create",
                        &login,
                        Outcome::Failure,
                        serde_json::json!({ "reason": "login_taken" }),
                    )?;
                }
                return Err(error);
            }
        };
        self.audit(
            actor,
            "users.create",
            &login,
            Outcome::Success,
            serde_json::json!({ "role": account.role.as_str() }),
        )?;
        view(created)
    }

    fn change_user_as(
        &self,
        actor: &str,
        user_id: i64,
        change: &AccountChange,
    ) -> Result<UserView> {
        let user = self
            .store
            .user(user_id)?
            .ok_or_else(|| Error::NotFound(format!("there is no user with id {user_id}")))?;
        let is_enabled_admin = user.role == Role::Admin.as_str() && !user.disabled;
        let (action, update, details) = match change {
            AccountChange::Role(role) => {
                if is_enabled_admin && *role != Role::Admin {
                    self.refuse_if_last_admin()?;
                }
                (
                    "users.role",
                    UserUpdate {
                        role: Some(role.as_str().into()),
                        ..UserUpdate::default()
                    },
                    serde_json::json!({ "from": user.role, "to": role.as_str() }),
                )
            }
            AccountChange::Disabled(disabled) => {
                if is_enabled_admin && *disabled {
                    self.refuse_if_last_admin()?;
                }
                (
                    "users.disable",
                    UserUpdate {
                        disabled: Some(*disabled),
                        ..UserUpdate::default()
                    },
                    serde_json::json!({ "disabled": disabled }),
                )
            }
            AccountChange::Password(password) => {
                secret::check_new_password(password.expose())?;
                (
                    "users.password",
                    UserUpdate {
                        password_hash: Some(secret::hash_password(password.expose())?),
                        ..UserUpdate::default()
                    },
                    serde_json::json!({}),
                )
            }
        };
        let updated = self.store.update_user(user_id, &update)?;
        // A new role, a disabled account or a new password ends the account's sessions.
        let ended = self.store.delete_sessions_of_user(user_id)?;
        let mut details = details;
        details["sessions_ended"] = serde_json::json!(ended);
        self.audit(actor, action, &updated.login, Outcome::Success, details)?;
        view(updated)
    }

    fn refuse_if_last_admin(&self) -> Result<()> {
        if self
            .store
            .count_active_users_with_role(Role::Admin.as_str())?
            <= 1
        {
            return Err(Error::Conflict(
                "this is the last enabled administrator: make another account admin first".into(),
            ));
        }
        Ok(())
    }
}
