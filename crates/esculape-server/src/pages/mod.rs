//! Server-rendered pages (maud: every interpolated value is HTML-escaped), French by
//! default, English on request; one script of our own (`/static/ask.js`, streaming on
//! Demander), every page usable without it.

mod admin;
mod ask;
mod clinical_texts;
mod draft_texts;
mod drafts;
mod layout;
mod library;
mod login;
mod prescription;
mod pseudonymize;
mod scores;
mod texts;

pub use layout::ai_output_banner;
pub use texts::{Lang, Texts};

use crate::state::AppState;
use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post};

const STYLE_CSS: &str = include_str!("../../assets/style.css");
const ASK_JS: &str = include_str!("../../assets/ask.js");

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(login::home))
        .route("/login", get(login::login_page).post(login::login_submit))
        .route("/logout", post(login::logout_submit))
        .route("/rechercher", get(library::search_page))
        .route("/passage", get(library::passage_page))
        .route("/administration", get(admin::admin_page))
        .route("/administration/sources/update", post(admin::update_source))
        .route("/administration/users", post(admin::create_user))
        .route("/administration/users/role", post(admin::change_role))
        .route("/administration/users/disable", post(admin::disable_user))
        .route(
            "/administration/users/password",
            post(admin::reset_password),
        )
        .route("/administration/journal", get(admin::journal_page))
        .route("/demander", get(ask::ask_page).post(ask::ask_submit))
        .route(
            "/ordonnance",
            get(prescription::prescription_page).post(prescription::prescription_submit),
        )
        .route("/scores", get(scores::scores_page))
        .route(
            "/scores/{id}",
            get(scores::score_form).post(scores::score_submit),
        )
        .route(
            "/pseudonymiser",
            get(pseudonymize::pseudonymize_page).post(pseudonymize::pseudonymize_submit),
        )
        .route(
            "/rediger",
            get(drafts::drafts_page).post(drafts::draft_submit),
        )
        .route("/rediger/{id}", get(drafts::draft_page))
        .route("/rediger/{id}/valider", post(drafts::validate_submit))
        .route("/rediger/{id}/rejeter", post(drafts::reject_submit))
        .route("/rediger/{id}/modifier", post(drafts::edit_submit))
        .route("/static/style.css", get(style))
        .route("/static/ask.js", get(ask_script))
}

async fn style() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLE_CSS,
    )
}

async fn ask_script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        ASK_JS,
    )
}
