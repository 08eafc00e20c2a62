//! Server-rendered pages (maud: every interpolated value is HTML-escaped), French by
//! default, English on request; no script.

mod admin;
mod layout;
mod library;
mod login;
mod texts;

pub use layout::ai_output_banner;
pub use texts::{Lang, Texts};

use crate::state::AppState;
use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post};

const STYLE_CSS: &str = include_str!("../../assets/style.css");

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
        .route("/static/style.css", get(style))
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
