//! Login, session check and logout.

use crate::app::{App, Outcome};
use crate::clock;
use crate::identity::{Auth, Identity, Password, Role, SessionToken};
use crate::secret::{self, token_sha256};
use crate::{Error, Result};
use esculape_store::{SessionRecord, UserRecord};
use std::sync::OnceLock;

/// What a successful login hands back: the session, and its bearer token (shown to the
/// client once; only its hash is stored).
#[derive(Debug, Clone)]
pub struct LoginOutcome {
    pub auth: Auth,
    pub token: SessionToken,
}

/// The message of every refused login: it does not say whether the login exists.
const REFUSED: &str =
    "wrong login or password (after repeated failures an account is locked for a while)";

/// A valid hash that no password matches, verified when the login is unknown so that the
/// answer takes as long as for a known one.
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| {
        secret::hash_password(&secret::random_token(24).unwrap_or_default()).unwrap_or_default()
    })
}

/// Logins are case-insensitive: kept in lower case, without surrounding spaces.
pub(crate) fn normalize_login(login: &str) -> String {
    login.trim().to_lowercase()
}

impl App {
    /// Checks a login and password; on success opens a session. Failed attempts are
    /// counted and lock the account at `lockout_attempts`, for `lockout_minutes`.
    pub fn login(&self, login: &str, password: &Password) -> Result<LoginOutcome> {
        let login = normalize_login(login);
        let now_s = clock::now_s();
        let Some(user) = self.store.user_by_login(&login)? else {
            secret::verify_password(password.expose(), decoy_hash());
            // The login typed is not recorded: it may be a password typed in the wrong box.
            self.audit(
                "anonymous",
                "auth.login",
                "",
                Outcome::Failure,
                serde_json::json!({ "reason": "unknown_login" }),
            )?;
            return Err(Error::Unauthenticated(REFUSED.into()));
        };
        if user.disabled || user.locked_until_s.is_some_and(|until| until > now_s) {
            secret::verify_password(password.expose(), decoy_hash());
            let reason = if user.disabled { "disabled" } else { "locked" };
            self.audit(
                &user.login,
                "auth.login",
                &user.login,
                Outcome::Denied,
                serde_json::json!({ "reason": reason }),
            )?;
            return Err(Error::Unauthenticated(REFUSED.into()));
        }
        if !secret::verify_password(password.expose(), &user.password_hash) {
            let after = self.store.record_failed_login(
                user.id,
                now_s,
                self.settings.lockout_attempts,
                self.settings.lockout_minutes as i64 * 60,
            )?;
            let locked = after.locked_until_s.is_some_and(|until| until > now_s);
            self.audit(
                &user.login,
                "auth.login",
                &user.login,
                Outcome::Failure,
                serde_json::json!({ "reason": "wrong_password", "locked": locked }),
            )?;
            return Err(Error::Unauthenticated(REFUSED.into()));
        }
        self.store.clear_failed_logins(user.id)?;
        let identity = identity_of(&user)?;
        let token = secret::random_token(32)?;
        let csrf_token = secret::random_token(32)?;
        let token_sha256 = token_sha256(&token);
        let expires_at_s = now_s + self.settings.session_hours as i64 * 3600;
        self.store.create_session(&SessionRecord {
            token_sha256,
            user_id: user.id,
            csrf_token: csrf_token.clone(),
            created_at_s: now_s,
            expires_at_s,
        })?;
        self.audit(
            &user.login,
            "auth.login",
            &user.login,
            Outcome::Success,
            serde_json::json!({ "role": identity.role().as_str() }),
        )?;
        Ok(LoginOutcome {
            auth: Auth::new(identity, csrf_token, token_sha256, expires_at_s),
            token: SessionToken(token),
        })
    }

    /// The session a bearer token opens, if it is live and its account still enabled.
    pub fn authenticate(&self, token: &SessionToken) -> Result<Auth> {
        let unauthenticated = || {
            Error::Unauthenticated("sign in first (the session is missing or has expired)".into())
        };
        if token.expose().is_empty() || token.expose().len() > 256 {
            return Err(unauthenticated());
        }
        let token_sha256 = token_sha256(token.expose());
        let session = self
            .store
            .session(&token_sha256, clock::now_s())?
            .ok_or_else(unauthenticated)?;
        let user = self
            .store
            .user(session.user_id)?
            .filter(|user| !user.disabled)
            .ok_or_else(unauthenticated)?;
        Ok(Auth::new(
            identity_of(&user)?,
            session.csrf_token,
            token_sha256,
            session.expires_at_s,
        ))
    }

    /// Ends the session.
    pub fn logout(&self, auth: &Auth) -> Result<()> {
        self.store.delete_session(auth.token_sha256())?;
        let login = auth.identity().login();
        self.audit(
            login,
            "auth.logout",
            login,
            Outcome::Success,
            serde_json::json!({}),
        )
    }
}

pub(crate) fn identity_of(user: &UserRecord) -> Result<Identity> {
    let role = Role::parse(&user.role).map_err(|_| {
        Error::Internal(format!("user {} has an unknown role in the store", user.id))
    })?;
    Ok(Identity::new(
        user.id,
        user.login.clone(),
        user.display_name.clone(),
        role,
    ))
}
