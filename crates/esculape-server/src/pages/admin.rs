//! Administration: sources with their versions, users and roles (admins), the audit trail
//! with its verification (auditors).

use crate::error::ApiError;
use crate::pages::layout::{Frame, LangChoice, SignedIn, error_page, page};
use crate::pages::texts::Texts;
use crate::session::blocking;
use crate::state::AppState;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use esculape_app::{AccountChange, Auth, NewAccount, Password, Permission, Role, UserView};
use esculape_kb::InstalledPack;
use maud::{Markup, html};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct AdminQuery {
    #[serde(default)]
    done: bool,
}

pub async fn admin_page(
    State(state): State<AppState>,
    choice: LangChoice,
    SignedIn(auth): SignedIn,
    Query(query): Query<AdminQuery>,
) -> Response {
    let texts = choice.lang.texts();
    let identity = auth.identity().clone();
    let app = state.app.clone();
    let loaded = blocking(move || {
        let packs = app.sources(&identity)?;
        let users = if identity.can(Permission::ManageUsers) {
            Some(app.users(&identity)?)
        } else {
            None
        };
        Ok((packs, users))
    })
    .await;
    let (packs, users) = match loaded {
        Ok(loaded) => loaded,
        Err(error) => return error_page(choice, Some(&auth), state.app.features(), error.into()),
    };
    let frame = Frame {
        title: texts.admin_title,
        auth: Some(&auth),
        features: state.app.features(),
        shows_ai_output: false,
        path: "/administration",
    };
    page(
        choice,
        &frame,
        html! {
            @if query.done {
                p class="notice" role="status" { (texts.done) }
            }
            (sources_section(texts, &auth, &packs))
            @if let Some(users) = &users {
                (users_section(texts, &auth, users))
            }
            @if auth.identity().can(Permission::ReadAudit) {
                section {
                    h2 { (texts.audit_title) }
                    p { a href="/administration/journal" { (texts.audit_link) } }
                }
            }
        },
    )
}

fn sources_section(texts: &Texts, auth: &Auth, packs: &[InstalledPack]) -> Markup {
    let can_update = auth.identity().can(Permission::UpdateSources);
    html! {
        section {
            h2 { (texts.sources_title) }
            @if packs.is_empty() {
                p { (texts.no_sources) }
            } @else {
                table {
                    thead { tr {
                        th scope="col" { (texts.source) } th scope="col" { (texts.publisher) }
                        th scope="col" { (texts.version) } th scope="col" { (texts.date) }
                        th scope="col" { (texts.licence) } th scope="col" { (texts.documents) }
                        th scope="col" { (texts.passages) } th scope="col" { (texts.retrieved) }
                        @if can_update { th scope="col" { span class="visually-hidden" { (texts.update) } } }
                    } }
                    tbody {
                        @for pack in packs {
                            tr {
                                th scope="row" { (pack.title) br; code { (pack.id) } }
                                td { (pack.publisher) } td { (pack.version) }
                                td { (pack.published.as_deref().unwrap_or("—")) } td { (pack.licence) }
                                td class="number" { (pack.documents) } td class="number" { (pack.chunks) }
                                td { (pack.retrieved_at) }
                                @if can_update {
                                    td {
                                        form method="post" action="/administration/sources/update" {
                                            input type="hidden" name="csrf" value=(auth.csrf_token());
                                            input type="hidden" name="pack" value=(pack.id);
                                            button type="submit" aria-label={ (texts.update) " " (pack.title) } { (texts.update) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn role_options(texts: &Texts, selected: Role) -> Markup {
    html! {
        @for role in Role::ALL {
            option value=(role.as_str()) selected[role == selected] { (texts.role(role)) }
        }
    }
}

fn users_section(texts: &Texts, auth: &Auth, users: &[UserView]) -> Markup {
    let csrf = auth.csrf_token();
    let now_s = esculape_app::now_s();
    html! {
        section {
            h2 { (texts.users_title) }
            table {
                thead { tr {
                    th scope="col" { (texts.login_label) } th scope="col" { (texts.display_name) }
                    th scope="col" { (texts.role) } th scope="col" { (texts.status) }
                    th scope="col" { (texts.reset_password) }
                } }
                tbody {
                    @for user in users {
                        tr {
                            th scope="row" { code { (user.login) } }
                            td { (user.display_name) }
                            td {
                                form method="post" action="/administration/users/role" class="inline" {
                                    input type="hidden" name="csrf" value=(csrf);
                                    input type="hidden" name="user_id" value=(user.id);
                                    label for={ "role-" (user.id) } class="visually-hidden" { (texts.role) " " (user.login) }
                                    select id={ "role-" (user.id) } name="role" { (role_options(texts, user.role)) }
                                    button type="submit" { (texts.change_role) }
                                }
                            }
                            td {
                                @if user.disabled { (texts.disabled) }
                                @else if user.locked_until_s.is_some_and(|until| until > now_s) { (texts.locked) }
                                @else { (texts.active) }
                                form method="post" action="/administration/users/disable" class="inline" {
                                    input type="hidden" name="csrf" value=(csrf);
                                    input type="hidden" name="user_id" value=(user.id);
                                    input type="hidden" name="disabled" value=(!user.disabled);
                                    button type="submit" { @if user.disabled { (texts.enable) } @else { (texts.disable) } }
                                }
                            }
                            td {
                                form method="post" action="/administration/users/password" class="inline" {
                                    input type="hidden" name="csrf" value=(csrf);
                                    input type="hidden" name="user_id" value=(user.id);
                                    label for={ "password-" (user.id) } class="visually-hidden" { (texts.new_password) " " (user.login) }
                                    input id={ "password-" (user.id) } name="password" type="password" autocomplete="new-password" minlength="12" required;
                                    button type="submit" { (texts.reset_password) }
                                }
                            }
                        }
                    }
                }
            }
            h3 { (texts.create_user) }
            form method="post" action="/administration/users" class="create-user" {
                input type="hidden" name="csrf" value=(csrf);
                p { label for="new-login" { (texts.login_label) } input id="new-login" name="login" type="text" required autocomplete="off"; }
                p { label for="new-name" { (texts.display_name) } input id="new-name" name="display_name" type="text" required; }
                p { label for="new-role" { (texts.role) } select id="new-role" name="role" { (role_options(texts, Role::Clinician)) } }
                p {
                    label for="new-password" { (texts.password_label) }
                    input id="new-password" name="password" type="password" autocomplete="new-password" minlength="12" required aria-describedby="password-rule";
                    span id="password-rule" class="hint" { (texts.password_rule) }
                }
                p { button type="submit" { (texts.create) } }
            }
        }
    }
}

/// Checks the session and the form's CSRF token, runs `change`, then back to the page.
async fn form_change(
    state: AppState,
    choice: LangChoice,
    auth: Auth,
    csrf: String,
    change: impl FnOnce(esculape_app::App, esculape_app::Identity) -> esculape_app::Result<()>
    + Send
    + 'static,
) -> Response {
    if !auth.csrf_matches(&csrf) {
        return error_page(choice, Some(&auth), state.app.features(), ApiError::Csrf);
    }
    let app = state.app.clone();
    let identity = auth.identity().clone();
    match blocking(move || change(app, identity)).await {
        Ok(()) => Redirect::to("/administration?done=true").into_response(),
        Err(error) => error_page(choice, Some(&auth), state.app.features(), error.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct UpdateSourceForm {
    csrf: String,
    pack: String,
}

pub async fn update_source(
    State(state): State<AppState>,
    choice: LangChoice,
    SignedIn(auth): SignedIn,
    Form(form): Form<UpdateSourceForm>,
) -> Response {
    form_change(state, choice, auth, form.csrf, move |app, identity| {
        app.update_source(&identity, &form.pack).map(|_| ())
    })
    .await
}

#[derive(Debug, Deserialize)]
pub struct CreateUserForm {
    csrf: String,
    login: String,
    display_name: String,
    role: String,
    password: String,
}

pub async fn create_user(
    State(state): State<AppState>,
    choice: LangChoice,
    SignedIn(auth): SignedIn,
    Form(form): Form<CreateUserForm>,
) -> Response {
    form_change(state, choice, auth, form.csrf, move |app, identity| {
        let account = NewAccount {
            login: form.login,
            display_name: form.display_name,
            role: Role::parse(&form.role)?,
            password: Password::new(form.password),
        };
        app.create_user(&identity, &account).map(|_| ())
    })
    .await
}

#[derive(Debug, Deserialize)]
pub struct RoleForm {
    csrf: String,
    user_id: i64,
    role: String,
}

pub async fn change_role(
    State(state): State<AppState>,
    choice: LangChoice,
    SignedIn(auth): SignedIn,
    Form(form): Form<RoleForm>,
) -> Response {
    form_change(state, choice, auth, form.csrf, move |app, identity| {
        let change = AccountChange::Role(Role::parse(&form.role)?);
        app.change_user(&identity, form.user_id, &change)
            .map(|_| ())
    })
    .await
}

#[derive(Debug, Deserialize)]
pub struct DisableForm {
    csrf: String,
    user_id: i64,
    disabled: bool,
}

pub async fn disable_user(
    State(state): State<AppState>,
    choice: LangChoice,
    SignedIn(auth): SignedIn,
    Form(form): Form<DisableForm>,
) -> Response {
    form_change(state, choice, auth, form.csrf, move |app, identity| {
        app.change_user(
            &identity,
            form.user_id,
            &AccountChange::Disabled(form.disabled),
        )
        .map(|_| ())
    })
    .await
}

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    csrf: String,
    user_id: i64,
    password: String,
}

pub async fn reset_password(
    State(state): State<AppState>,
    choice: LangChoice,
    SignedIn(auth): SignedIn,
    Form(form): Form<PasswordForm>,
) -> Response {
    form_change(state, choice, auth, form.csrf, move |app, identity| {
        let change = AccountChange::Password(Password::new(form.password));
        app.change_user(&identity, form.user_id, &change)
            .map(|_| ())
    })
    .await
}

#[derive(Debug, Deserialize)]
pub struct JournalQuery {
    before: Option<i64>,
    #[serde(default)]
    verify: bool,
}

const JOURNAL_PAGE: usize = 100;

pub async fn journal_page(
    State(state): State<AppState>,
    choice: LangChoice,
    SignedIn(auth): SignedIn,
    Query(query): Query<JournalQuery>,
) -> Response {
    let texts = choice.lang.texts();
    let app = state.app.clone();
    let identity = auth.identity().clone();
    let loaded = blocking(move || {
        let verification = if query.verify {
            Some(app.verify_audit(&identity)?)
        } else {
            None
        };
        let records = app.audit_records(&identity, query.before, JOURNAL_PAGE)?;
        Ok((verification, records))
    })
    .await;
    let (verification, records) = match loaded {
        Ok(loaded) => loaded,
        Err(error) => return error_page(choice, Some(&auth), state.app.features(), error.into()),
    };
    let frame = Frame {
        title: texts.audit_title,
        auth: Some(&auth),
        features: state.app.features(),
        shows_ai_output: false,
        path: "/administration/journal",
    };
    let oldest = records.last().map(|record| record.id);
    page(
        choice,
        &frame,
        html! {
            form method="get" action="/administration/journal" {
                input type="hidden" name="verify" value="true";
                button type="submit" { (texts.verify_chain) }
            }
            @if let Some(verification) = &verification {
                @match &verification.problem {
                    None => p class="notice verified" role="status" {
                        strong { (texts.chain_intact) } " — " (verification.records_checked) " " (texts.records_checked)
                    },
                    Some(problem) => p class="error" role="alert" {
                        strong { (texts.chain_broken) } " — " (problem)
                    },
                }
            }
            table class="audit" {
                thead { tr {
                    th scope="col" { "#" } th scope="col" { (texts.at) } th scope="col" { (texts.actor) }
                    th scope="col" { (texts.action) } th scope="col" { (texts.target) }
                    th scope="col" { (texts.outcome) } th scope="col" { (texts.details) }
                } }
                tbody {
                    @for record in &records {
                        tr class=(record.outcome) {
                            td class="number" { (record.id) }
                            td { (esculape_app::rfc3339_utc(record.at_ms)) }
                            td { (record.actor) } td { code { (record.action) } } td { (record.target) }
                            td { (record.outcome) } td { code { (record.details) } }
                        }
                    }
                }
            }
            @if let Some(oldest) = oldest.filter(|_| records.len() == JOURNAL_PAGE) {
                p { a href={ "/administration/journal?before=" (oldest) } { (texts.older) } }
            }
        },
    )
}
