//! The JSON API under `/api/v1`, and its OpenAPI document generated from these handlers.

use crate::api_clinical as clinical;
use crate::api_drafts as drafts;
use crate::api_openai as openai;
use crate::error::{ApiError, ErrorBody};
use crate::session::{self, ApiAuth, ApiChangeAuth, SESSION_COOKIE, blocking};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, patch, post, put};
use esculape_app::{AccountChange, NewAccount, Password, Role, SearchQuery};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

/// One route of the API: method, path (axum and OpenAPI share the `{param}` syntax) and
/// handler. The router is built from this list only, and a test compares it with the
/// OpenAPI document, so neither can gain a route the other lacks.
#[derive(Debug)]
pub struct Endpoint {
    pub method: &'static str,
    pub path: &'static str,
    pub handler: MethodRouter<AppState>,
}

pub fn endpoints() -> Vec<Endpoint> {
    let endpoint = |method, path, handler| Endpoint {
        method,
        path,
        handler,
    };
    vec![
        endpoint("post", "/api/v1/auth/login", post(login)),
        endpoint("post", "/api/v1/auth/logout", post(logout)),
        endpoint("get", "/api/v1/auth/me", get(me)),
        endpoint("get", "/api/v1/search", get(search)),
        endpoint("get", "/api/v1/passages/{id}", get(passage)),
        endpoint("get", "/api/v1/sources", get(sources)),
        endpoint("post", "/api/v1/sources/{id}/update", post(update_source)),
        endpoint("get", "/api/v1/users", get(users)),
        endpoint("post", "/api/v1/users", post(create_user)),
        endpoint("patch", "/api/v1/users/{id}", patch(change_user)),
        endpoint("get", "/api/v1/audit", get(audit)),
        endpoint("get", "/api/v1/audit/verify", get(verify_audit)),
        endpoint("post", "/api/v1/ask", post(clinical::ask)),
        endpoint("post", "/api/v1/interactions", post(clinical::interactions)),
        endpoint("get", "/api/v1/drugs/{id}", get(clinical::drug)),
        endpoint("get", "/api/v1/scores", get(clinical::calculators)),
        endpoint("post", "/api/v1/scores/{id}", post(clinical::compute_score)),
        endpoint("post", "/api/v1/pseudonymize", post(clinical::pseudonymize)),
        endpoint("post", "/api/v1/drafts", post(drafts::create)),
        endpoint("get", "/api/v1/drafts", get(drafts::list)),
        endpoint("get", "/api/v1/drafts/{id}", get(drafts::show)),
        endpoint("put", "/api/v1/drafts/{id}", put(drafts::edit)),
        endpoint(
            "post",
            "/api/v1/drafts/{id}/validate",
            post(drafts::validate),
        ),
        endpoint("post", "/api/v1/drafts/{id}/reject", post(drafts::reject)),
        endpoint("get", "/api/v1/drafts/{id}/export", get(drafts::export)),
        endpoint("get", "/api/v1/drafts/{id}/notice", get(drafts::notice)),
        endpoint(
            "post",
            "/v1/chat/completions",
            post(openai::chat_completions),
        ),
        endpoint("post", "/v1/embeddings", post(openai::embeddings)),
        endpoint("get", "/api/v1/openapi.json", get(openapi)),
    ]
}

#[derive(Debug, OpenApi)]
#[openapi(
    info(
        title = "Esculape API",
        description = "Sovereign assistant for health professionals. Sign in with \
            POST /api/v1/auth/login, then send `Authorization: Bearer <token>` (or the \
            session cookie plus the `X-CSRF-Token` header on changes)."
    ),
    paths(
        login,
        logout,
        me,
        search,
        passage,
        sources,
        update_source,
        users,
        create_user,
        change_user,
        audit,
        verify_audit,
        clinical::ask,
        clinical::interactions,
        clinical::drug,
        clinical::calculators,
        clinical::compute_score,
        clinical::pseudonymize,
        drafts::create,
        drafts::list,
        drafts::show,
        drafts::edit,
        drafts::validate,
        drafts::reject,
        drafts::export,
        drafts::notice,
        openai::chat_completions,
        openai::embeddings,
        openapi
    )
)]
pub struct ApiDoc;

#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginRequest {
    pub login: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    /// Bearer token of the new session (also set as an HttpOnly cookie).
    pub token: String,
    /// Send it as `X-CSRF-Token` on changes made with the cookie.
    pub csrf_token: String,
    pub expires_at: String,
    pub user: Me,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub login: String,
    pub display_name: String,
    /// `clinician`, `admin` or `auditor`.
    pub role: String,
}

impl Me {
    fn of(identity: &esculape_app::Identity) -> Me {
        Me {
            login: identity.login().to_string(),
            display_name: identity.display_name().to_string(),
            role: identity.role().as_str().to_string(),
        }
    }
}

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, body = ErrorBody)))]
async fn login(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<Response, ApiError> {
    let app = state.app.clone();
    let password = Password::new(request.password);
    let outcome = blocking(move || app.login(&request.login, &password)).await?;
    let auth = &outcome.auth;
    let max_age_s = auth.expires_at_s() - esculape_app::now_s();
    let body = LoginResponse {
        token: outcome.token.expose().to_string(),
        csrf_token: auth.csrf_token().to_string(),
        expires_at: esculape_app::rfc3339_utc(auth.expires_at_s() * 1000),
        user: Me::of(auth.identity()),
    };
    let cookie = session::set_cookie(
        SESSION_COOKIE,
        outcome.token.expose(),
        max_age_s,
        state.config.secure_cookies,
    );
    Ok(([(header::SET_COOKIE, cookie)], Json(body)).into_response())
}

#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth",
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn logout(
    State(state): State<AppState>,
    ApiChangeAuth(auth): ApiChangeAuth,
) -> Result<Response, ApiError> {
    let app = state.app.clone();
    blocking(move || app.logout(&auth)).await?;
    let cookie = session::set_cookie(SESSION_COOKIE, "", 0, state.config.secure_cookies);
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, cookie)]).into_response())
}

#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth",
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
async fn me(ApiAuth(auth): ApiAuth) -> Result<Json<Me>, ApiError> {
    Ok(Json(Me::of(auth.identity())))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct SearchParams {
    /// The question or keywords, French or English.
    pub q: String,
    /// Passages to return (1 to 50; default 10).
    pub k: Option<usize>,
    /// Only these packs, comma-separated (`bdpm,cim10`).
    pub sources: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResponse {
    pub query: String,
    pub hits: Vec<Hit>,
}

/// Where a passage comes from.
#[derive(Debug, Serialize, ToSchema)]
pub struct Provenance {
    pub pack: String,
    pub title: String,
    pub publisher: String,
    pub version: String,
    pub published: Option<String>,
    pub licence: String,
}

/// One passage found, with its provenance.
#[derive(Debug, Serialize, ToSchema)]
pub struct Hit {
    pub rank: usize,
    pub score: f32,
    /// `pack:document#n`; percent-encode it in `/api/v1/passages/{id}`.
    pub id: String,
    pub source: Provenance,
    pub document_title: String,
    pub url: Option<String>,
    pub date: Option<String>,
    pub language: String,
    pub heading_path: String,
    pub text: String,
    /// Character ranges of `text` that match the query.
    pub highlights: Vec<[usize; 2]>,
}

impl From<esculape_kb::SearchHit> for Hit {
    fn from(hit: esculape_kb::SearchHit) -> Hit {
        Hit {
            rank: hit.rank,
            score: hit.score,
            id: hit.chunk_id,
            source: Provenance {
                pack: hit.source.pack,
                title: hit.source.title,
                publisher: hit.source.publisher,
                version: hit.source.version,
                published: hit.source.published,
                licence: hit.source.licence,
            },
            document_title: hit.document_title,
            url: hit.url,
            date: hit.date,
            language: hit.language,
            heading_path: hit.heading_path,
            text: hit.text,
            highlights: hit.highlights,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/search", tag = "sources", params(SearchParams),
    responses((status = 200, body = SearchResponse), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn search(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Query(params): Query<SearchParams>,
) -> Result<Json<SearchResponse>, ApiError> {
    let query = SearchQuery {
        query: params.q.clone(),
        k: params.k.unwrap_or(10),
        sources: params
            .sources
            .iter()
            .flat_map(|list| list.split(','))
            .map(str::trim)
            .filter(|pack| !pack.is_empty())
            .map(String::from)
            .collect(),
    };
    let app = state.app.clone();
    let hits = blocking(move || app.search(auth.identity(), &query)).await?;
    Ok(Json(SearchResponse {
        query: params.q,
        hits: hits.into_iter().map(Hit::from).collect(),
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct PassageParams {
    /// Characters of the document on each side (default 600, at most 5000).
    pub context: Option<usize>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PassageResponse {
    pub hit: Hit,
    pub before: String,
    pub after: String,
}

#[utoipa::path(get, path = "/api/v1/passages/{id}", tag = "sources",
    params(("id" = String, Path, description = "passage id, percent-encoded"), PassageParams),
    responses((status = 200, body = PassageResponse), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn passage(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(id): Path<String>,
    Query(params): Query<PassageParams>,
) -> Result<Json<PassageResponse>, ApiError> {
    let app = state.app.clone();
    let context = params.context.unwrap_or(600);
    let passage = blocking(move || app.passage(auth.identity(), &id, context)).await?;
    Ok(Json(PassageResponse {
        hit: passage.hit.into(),
        before: passage.before,
        after: passage.after,
    }))
}

/// An installed source pack.
#[derive(Debug, Serialize, ToSchema)]
pub struct Pack {
    pub id: String,
    pub title: String,
    pub publisher: String,
    pub licence: String,
    pub homepage: String,
    pub version: String,
    pub published: Option<String>,
    pub retrieved_at: String,
    pub documents: usize,
    pub passages: usize,
}

impl From<esculape_kb::InstalledPack> for Pack {
    fn from(pack: esculape_kb::InstalledPack) -> Pack {
        Pack {
            id: pack.id,
            title: pack.title,
            publisher: pack.publisher,
            licence: pack.licence,
            homepage: pack.homepage,
            version: pack.version,
            published: pack.published,
            retrieved_at: pack.retrieved_at,
            documents: pack.documents,
            passages: pack.chunks,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/sources", tag = "sources",
    responses((status = 200, body = Vec<Pack>), (status = 401, body = ErrorBody)))]
async fn sources(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
) -> Result<Json<Vec<Pack>>, ApiError> {
    let app = state.app.clone();
    let packs = blocking(move || app.sources(auth.identity())).await?;
    Ok(Json(packs.into_iter().map(Pack::from).collect()))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SourceUpdated {
    pub pack: String,
    pub version: String,
    /// False when the files had not changed.
    pub changed: bool,
}

#[utoipa::path(post, path = "/api/v1/sources/{id}/update", tag = "sources",
    params(("id" = String, Path, description = "pack id")),
    responses((status = 200, body = SourceUpdated), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn update_source(
    State(state): State<AppState>,
    ApiChangeAuth(auth): ApiChangeAuth,
    Path(id): Path<String>,
) -> Result<Json<SourceUpdated>, ApiError> {
    let app = state.app.clone();
    let update = blocking(move || app.update_source(auth.identity(), &id)).await?;
    Ok(Json(SourceUpdated {
        pack: update.pack,
        version: update.version,
        changed: update.changed,
    }))
}

/// An account.
#[derive(Debug, Serialize, ToSchema)]
pub struct User {
    pub id: i64,
    pub login: String,
    pub display_name: String,
    pub role: String,
    pub disabled: bool,
    pub locked_until: Option<String>,
    pub created_at: String,
}

impl From<esculape_app::UserView> for User {
    fn from(user: esculape_app::UserView) -> User {
        User {
            id: user.id,
            login: user.login,
            display_name: user.display_name,
            role: user.role.as_str().to_string(),
            disabled: user.disabled,
            locked_until: user
                .locked_until_s
                .filter(|until| *until > esculape_app::now_s())
                .map(|until| esculape_app::rfc3339_utc(until * 1000)),
            created_at: esculape_app::rfc3339_utc(user.created_at_s * 1000),
        }
    }
}

#[utoipa::path(get, path = "/api/v1/users", tag = "users",
    responses((status = 200, body = Vec<User>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn users(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
) -> Result<Json<Vec<User>>, ApiError> {
    let app = state.app.clone();
    let users = blocking(move || app.users(auth.identity())).await?;
    Ok(Json(users.into_iter().map(User::from).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewUserRequest {
    pub login: String,
    pub display_name: String,
    /// `clinician`, `admin` or `auditor`.
    pub role: String,
    /// At least 12 characters.
    pub password: String,
}

#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = NewUserRequest,
    responses((status = 201, body = User), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_user(
    State(state): State<AppState>,
    ApiChangeAuth(auth): ApiChangeAuth,
    ApiJson(request): ApiJson<NewUserRequest>,
) -> Result<Response, ApiError> {
    let account = NewAccount {
        login: request.login,
        display_name: request.display_name,
        role: Role::parse(&request.role)?,
        password: Password::new(request.password),
    };
    let app = state.app.clone();
    let user = blocking(move || app.create_user(auth.identity(), &account)).await?;
    Ok((StatusCode::CREATED, Json(User::from(user))).into_response())
}

/// One change at a time: a role, enabling or disabling, or a new password.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UserChangeRequest {
    pub role: Option<String>,
    pub disabled: Option<bool>,
    pub password: Option<String>,
}

#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", request_body = UserChangeRequest,
    params(("id" = i64, Path, description = "user id")),
    responses((status = 200, body = User), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn change_user(
    State(state): State<AppState>,
    ApiChangeAuth(auth): ApiChangeAuth,
    Path(id): Path<i64>,
    ApiJson(request): ApiJson<UserChangeRequest>,
) -> Result<Json<User>, ApiError> {
    let change = match (request.role, request.disabled, request.password) {
        (Some(role), None, None) => AccountChange::Role(Role::parse(&role)?),
        (None, Some(disabled), None) => AccountChange::Disabled(disabled),
        (None, None, Some(password)) => AccountChange::Password(Password::new(password)),
        _ => {
            return Err(esculape_app::Error::Invalid(
                "give exactly one of role, disabled or password".into(),
            )
            .into());
        }
    };
    let app = state.app.clone();
    let user = blocking(move || app.change_user(auth.identity(), id, &change)).await?;
    Ok(Json(User::from(user)))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct AuditParams {
    /// Only records with a smaller id (for the next page).
    pub before: Option<i64>,
    /// Records per page (default 100, at most 500).
    pub limit: Option<usize>,
}

/// One audit record.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub outcome: String,
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
    pub previous_sha256: String,
    pub sha256: String,
}

impl From<esculape_app::AuditRecord> for AuditEntry {
    fn from(record: esculape_app::AuditRecord) -> AuditEntry {
        AuditEntry {
            id: record.id,
            at: esculape_app::rfc3339_utc(record.at_ms),
            actor: record.actor,
            action: record.action,
            target: record.target,
            outcome: record.outcome,
            details: serde_json::from_str(&record.details).unwrap_or(serde_json::Value::Null),
            previous_sha256: record.previous_sha256,
            sha256: record.sha256,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditParams),
    responses((status = 200, body = Vec<AuditEntry>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn audit(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Query(params): Query<AuditParams>,
) -> Result<Json<Vec<AuditEntry>>, ApiError> {
    let app = state.app.clone();
    let records = blocking(move || {
        app.audit_records(auth.identity(), params.before, params.limit.unwrap_or(100))
    })
    .await?;
    Ok(Json(records.into_iter().map(AuditEntry::from).collect()))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Verification {
    pub intact: bool,
    pub records_checked: usize,
    /// Records up to this id were removed by retention.
    pub anchor_id: i64,
    pub head_id: i64,
    /// The first break, in words.
    pub problem: Option<String>,
    /// The record where the break is seen.
    pub problem_id: Option<i64>,
}

impl From<esculape_app::AuditVerification> for Verification {
    fn from(verification: esculape_app::AuditVerification) -> Verification {
        Verification {
            intact: verification.is_intact(),
            records_checked: verification.records_checked,
            anchor_id: verification.anchor_id,
            head_id: verification.head_id,
            problem: verification.problem.as_ref().map(ToString::to_string),
            problem_id: verification.problem.as_ref().map(|problem| problem.id),
        }
    }
}

#[utoipa::path(get, path = "/api/v1/audit/verify", tag = "audit",
    responses((status = 200, body = Verification), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn verify_audit(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
) -> Result<Json<Verification>, ApiError> {
    let app = state.app.clone();
    let verification = blocking(move || app.verify_audit(auth.identity())).await?;
    Ok(Json(verification.into()))
}

#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "meta",
    responses((status = 200, description = "this document", content_type = "application/json")))]
async fn openapi() -> Response {
    Json(ApiDoc::openapi()).into_response()
}

/// A JSON body whose rejection is an `invalid` API error like any other.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> axum::extract::FromRequest<S> for ApiJson<T> {
    type Rejection = Response;

    async fn from_request(
        request: axum::extract::Request,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(crate::error::json_error(
                rejection.status(),
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    "payload_too_large"
                } else {
                    "invalid"
                },
                rejection.body_text(),
                None,
            )),
        }
    }
}
