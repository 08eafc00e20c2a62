//! Who is calling: roles, permissions, and the identity types that only a successful
//! login or session check produces.

use serde::Serialize;
use subtle::ConstantTimeEq;

/// What a user may do. One role per account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Searches the sources (and later asks, checks prescriptions, drafts).
    Clinician,
    /// Manages accounts and sources; also searches.
    Admin,
    /// Reads and verifies the audit trail; also searches.
    Auditor,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Clinician, Role::Admin, Role::Auditor];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Clinician => "clinician",
            Role::Admin => "admin",
            Role::Auditor => "auditor",
        }
    }

    /// Parses `clinician`, `admin` or `auditor`.
    pub fn parse(text: &str) -> crate::Result<Role> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str() == text)
            .ok_or_else(|| {
                crate::Error::Invalid(format!(
                    "unknown role `{text}`: use clinician, admin or auditor"
                ))
            })
    }

    /// The one table of who may do what.
    pub fn allows(self, permission: Permission) -> bool {
        match permission {
            Permission::Search | Permission::ReadSources => true,
            Permission::UpdateSources | Permission::ManageUsers => self == Role::Admin,
            Permission::ReadAudit => self == Role::Auditor,
            Permission::Ask
            | Permission::CheckPrescription
            | Permission::ComputeScore
            | Permission::Pseudonymize
            | Permission::Draft => self == Role::Clinician,
        }
    }
}

/// One permission per use case (or family of use cases).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    Search,
    ReadSources,
    UpdateSources,
    ManageUsers,
    ReadAudit,
    /// Grounded answers ("Demander").
    Ask,
    /// Prescription checks and drug cards ("Ordonnance").
    CheckPrescription,
    /// Clinical calculators ("Scores").
    ComputeScore,
    /// Pseudonymization of a text ("Pseudonymiser").
    Pseudonymize,
    /// Drafts: save, read, edit, validate, reject and export one's own ("Rédiger").
    Draft,
}

/// A signed-in user. Only this crate constructs it, after checking a password or a
/// session, so a function that takes an `&Identity` cannot be called anonymously.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Identity {
    user_id: i64,
    login: String,
    display_name: String,
    role: Role,
}

impl Identity {
    pub(crate) fn new(user_id: i64, login: String, display_name: String, role: Role) -> Identity {
        Identity {
            user_id,
            login,
            display_name,
            role,
        }
    }

    pub fn user_id(&self) -> i64 {
        self.user_id
    }

    pub fn login(&self) -> &str {
        &self.login
    }

    pub fn display_name(&self) -> &str {
        &self.display_name
    }

    pub fn role(&self) -> Role {
        self.role
    }

    pub fn can(&self, permission: Permission) -> bool {
        self.role.allows(permission)
    }
}

/// A checked session: the identity, plus what a transport needs to protect forms. Its
/// `Debug` hides the session's secrets.
#[derive(Clone)]
pub struct Auth {
    identity: Identity,
    csrf_token: String,
    token_sha256: [u8; 32],
    expires_at_s: i64,
}

impl Auth {
    pub(crate) fn new(
        identity: Identity,
        csrf_token: String,
        token_sha256: [u8; 32],
        expires_at_s: i64,
    ) -> Auth {
        Auth {
            identity,
            csrf_token,
            token_sha256,
            expires_at_s,
        }
    }

    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// The token that forms of this session carry.
    pub fn csrf_token(&self) -> &str {
        &self.csrf_token
    }

    pub fn expires_at_s(&self) -> i64 {
        self.expires_at_s
    }

    pub(crate) fn token_sha256(&self) -> &[u8; 32] {
        &self.token_sha256
    }

    /// Whether `presented` is this session's CSRF token, compared in constant time.
    pub fn csrf_matches(&self, presented: &str) -> bool {
        !presented.is_empty() && bool::from(presented.as_bytes().ct_eq(self.csrf_token.as_bytes()))
    }
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Auth")
            .field("identity", &self.identity)
            .field("expires_at_s", &self.expires_at_s)
            .finish_non_exhaustive()
    }
}

/// A session's bearer token, as handed to the client once at login. Its `Debug` hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken(pub(crate) String);

impl SessionToken {
    /// Wraps a token presented by a client (cookie or `Authorization: Bearer`).
    pub fn presented(token: impl Into<String>) -> SessionToken {
        SessionToken(token.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SessionToken {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("SessionToken([redacted])")
    }
}

/// A password as typed. Its `Debug` hides it.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    pub fn new(password: impl Into<String>) -> Password {
        Password(password.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("Password([redacted])")
    }
}

/// Someone at the server's own terminal (the `esculape users` and `esculape audit`
/// commands): they can read the database file anyway, so they act without a session, and
/// what they do is audited as `terminal`.
#[derive(Debug, Clone, Copy)]
pub struct Operator(());

impl Operator {
    /// Only the binary calls this, for commands typed on the server itself.
    pub fn terminal() -> Operator {
        Operator(())
    }
}
