//! The server-rendered pages: login with its CSRF cookie, search, passage, administration
//! by role, the audit trail, languages.

use crate::*;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};

/// A browser's state: its cookies.
#[derive(Debug, Default)]
pub struct Browser {
    cookies: Vec<(String, String)>,
}

impl Browser {
    pub async fn go(
        &mut self,
        server: &TestServer,
        method: Method,
        uri: &str,
        form: Option<&str>,
        accept_language: Option<&str>,
    ) -> Reply {
        let cookie_header = self
            .cookies
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; ");
        let mut builder = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::COOKIE, cookie_header);
        if let Some(language) = accept_language {
            builder = builder.header(header::ACCEPT_LANGUAGE, language);
        }
        let request = match form {
            Some(form) => builder
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(form.to_string()))
                .unwrap(),
            None => builder.body(Body::empty()).unwrap(),
        };
        let reply = send(&server.router, request).await;
        for line in reply.set_cookies() {
            let pair = line.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            self.cookies.retain(|(existing, _)| existing != name);
            if !value.is_empty() {
                self.cookies.push((name.to_string(), value.to_string()));
            }
        }
        reply
    }

    pub async fn sign_in(&mut self, server: &TestServer, login: &str) -> Reply {
        let page = self.go(server, Method::GET, "/login", None, None).await;
        let csrf = hidden_csrf(&page.body);
        let form = format!(
            "login={login}&password={}&csrf={csrf}",
            PASSWORD.replace(' ', "+")
        );
        self.go(server, Method::POST, "/login", Some(&form), None)
            .await
    }
}

/// The value of the first hidden `csrf` field of a page.
pub fn hidden_csrf(html: &str) -> String {
    let start =
        html.find("name=\"csrf\" value=\"").expect("a CSRF field") + "name=\"csrf\" value=\"".len();
    html[start..].split('"').next().unwrap().to_string()
}

fn location(reply: &Reply) -> &str {
    reply
        .headers
        .get(header::LOCATION)
        .map(|value| value.to_str().unwrap())
        .unwrap_or_default()
}

#[tokio::test]
async fn pages_need_a_session() {
    let server = server();
    for uri in [
        "/",
        "/rechercher",
        "/passage?id=x",
        "/administration",
        "/administration/journal",
    ] {
        let reply = Browser::default()
            .go(&server, Method::GET, uri, None, None)
            .await;
        assert_eq!(
            (reply.status, location(&reply)),
            (StatusCode::SEE_OTHER, "/login"),
            "{uri}"
        );
    }
}

#[tokio::test]
async fn login_page_is_french_by_default_with_labelled_fields() {
    let server = server();
    let reply = Browser::default()
        .go(&server, Method::GET, "/login", None, None)
        .await;
    assert!(reply.body.contains("<html lang=\"fr\">"));
    assert!(
        reply
            .body
            .contains("<label for=\"login\">Identifiant</label>")
    );
    assert!(
        reply
            .body
            .contains("<label for=\"password\">Mot de passe</label>")
    );
    let csrf_cookie = reply
        .set_cookies()
        .into_iter()
        .find(|line| line.starts_with("esculape_login_csrf="))
        .unwrap();
    assert!(csrf_cookie.contains("HttpOnly") && csrf_cookie.contains("SameSite=Strict"));
}

#[tokio::test]
async fn english_is_chosen_by_query_then_remembered_or_by_the_browser() {
    let server = server();
    let mut browser = Browser::default();
    let english = browser
        .go(&server, Method::GET, "/login?lang=en", None, None)
        .await;
    assert!(english.body.contains("<html lang=\"en\">") && english.body.contains("Password"));
    assert_eq!(english.cookie("esculape_lang").as_deref(), Some("en"));
    let remembered = browser.go(&server, Method::GET, "/login", None, None).await;
    assert!(remembered.body.contains("<html lang=\"en\">"));
    let by_browser = Browser::default()
        .go(
            &server,
            Method::GET,
            "/login",
            None,
            Some("en-GB,en;q=0.9,fr;q=0.5"),
        )
        .await;
    assert!(by_browser.body.contains("<html lang=\"en\">"));
    let french_first = Browser::default()
        .go(&server, Method::GET, "/login", None, Some("fr-FR,en;q=0.5"))
        .await;
    assert!(french_first.body.contains("<html lang=\"fr\">"));
}

#[tokio::test]
async fn login_form_without_its_csrf_token_is_refused() {
    let server = server();
    let mut browser = Browser::default();
    browser.go(&server, Method::GET, "/login", None, None).await;
    let form = format!(
        "login=dr.martin&password={}&csrf=forged",
        PASSWORD.replace(' ', "+")
    );
    let reply = browser
        .go(&server, Method::POST, "/login", Some(&form), None)
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert!(reply.cookie("esculape_session").is_none());
}

#[tokio::test]
async fn a_wrong_password_shows_the_form_again() {
    let server = server();
    let mut browser = Browser::default();
    let page = browser.go(&server, Method::GET, "/login", None, None).await;
    let form = format!(
        "login=dr.martin&password=wrong&csrf={}",
        hidden_csrf(&page.body)
    );
    let reply = browser
        .go(&server, Method::POST, "/login", Some(&form), None)
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert!(reply.body.contains("role=\"alert\"") && reply.body.contains("<form class=\"login\""));
}

#[tokio::test]
async fn a_clinician_signs_in_searches_and_opens_a_passage() {
    let server = server();
    let mut browser = Browser::default();
    let signed_in = browser.sign_in(&server, "dr.martin").await;
    assert_eq!(
        (signed_in.status, location(&signed_in)),
        (StatusCode::SEE_OTHER, "/rechercher")
    );
    let results = browser
        .go(
            &server,
            Method::GET,
            "/rechercher?q=surveillance+glianorex",
            None,
            None,
        )
        .await;
    assert_eq!(results.status, StatusCode::OK);
    assert!(results.body.contains("<mark>"), "{}", results.body);
    for provenance in ["Protocoles du service", "Éditeur", "Version", "Licence"] {
        assert!(results.body.contains(provenance), "{provenance}");
    }
    // The navigation shows only what exists: no engine is plugged in.
    assert!(
        results
            .body
            .contains("href=\"/rechercher\" aria-current=\"page\"")
    );
    assert!(!results.body.contains("/demander") && !results.body.contains("/ordonnance"));
    let link_start = results.body.find("href=\"/passage?id=").unwrap() + "href=\"".len();
    let link = results.body[link_start..]
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&");
    let passage = browser.go(&server, Method::GET, &link, None, None).await;
    assert_eq!(passage.status, StatusCode::OK, "{link}");
    assert!(passage.body.contains("<mark class=\"passage\">"));
    assert!(passage.body.contains("organe fictif"));
}

#[tokio::test]
async fn search_text_is_escaped() {
    let server = server();
    let mut browser = Browser::default();
    browser.sign_in(&server, "dr.martin").await;
    let reply = browser
        .go(
            &server,
            Method::GET,
            "/rechercher?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
            None,
            None,
        )
        .await;
    assert!(!reply.body.contains("<script>"));
    assert!(reply.body.contains("&lt;script&gt;"));
}

#[tokio::test]
async fn engines_that_are_present_appear_in_the_navigation() {
    let server = server_with(Features {
        ask: true,
        scores: true,
        ..Features::default()
    });
    let mut browser = Browser::default();
    browser.sign_in(&server, "dr.martin").await;
    let page = browser
        .go(&server, Method::GET, "/rechercher", None, None)
        .await;
    assert!(
        page.body.contains("href=\"/demander\">Demander")
            && page.body.contains("href=\"/scores\">Scores")
    );
    assert!(!page.body.contains("/rediger"));
}

#[tokio::test]
async fn administration_shows_each_role_its_part() {
    let server = server();
    let mut admin = Browser::default();
    admin.sign_in(&server, "admin").await;
    let page = admin
        .go(&server, Method::GET, "/administration", None, None)
        .await;
    assert!(
        page.body.contains("Sources installées") && page.body.contains("Utilisateurs et rôles")
    );
    assert!(page.body.contains("Mettre à jour") && !page.body.contains("/administration/journal"));
    let mut clinician = Browser::default();
    clinician.sign_in(&server, "dr.martin").await;
    let page = clinician
        .go(&server, Method::GET, "/administration", None, None)
        .await;
    assert!(
        page.body.contains("Sources installées") && !page.body.contains("Utilisateurs et rôles")
    );
    assert!(!page.body.contains("Mettre à jour"));
    let journal = clinician
        .go(&server, Method::GET, "/administration/journal", None, None)
        .await;
    assert_eq!(journal.status, StatusCode::FORBIDDEN);
    let mut auditor = Browser::default();
    auditor.sign_in(&server, "auditrice").await;
    let journal = auditor
        .go(
            &server,
            Method::GET,
            "/administration/journal?verify=true",
            None,
            None,
        )
        .await;
    assert_eq!(journal.status, StatusCode::OK);
    assert!(journal.body.contains("Journal intègre") && journal.body.contains("auth.login"));
}

#[tokio::test]
async fn admin_forms_need_the_session_csrf_token() {
    let server = server();
    let mut admin = Browser::default();
    admin.sign_in(&server, "admin").await;
    let page = admin
        .go(&server, Method::GET, "/administration", None, None)
        .await;
    let csrf = hidden_csrf(&page.body);
    let form = |csrf: &str| {
        format!(
            "csrf={csrf}&login=dr.neuf&display_name=Dr+Neuf&role=clinician&password={}",
            PASSWORD.replace(' ', "+")
        )
    };
    let refused = admin
        .go(
            &server,
            Method::POST,
            "/administration/users",
            Some(&form("forged")),
            None,
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let created = admin
        .go(
            &server,
            Method::POST,
            "/administration/users",
            Some(&form(&csrf)),
            None,
        )
        .await;
    assert_eq!(
        (created.status, location(&created)),
        (StatusCode::SEE_OTHER, "/administration?done=true")
    );
    let page = admin
        .go(
            &server,
            Method::GET,
            "/administration?done=true",
            None,
            None,
        )
        .await;
    assert!(
        page.body.contains("dr.neuf") && page.body.contains("C&#39;est fait.")
            || page.body.contains("C'est fait.")
    );
    // A clinician with a valid token of their own still cannot.
    let mut clinician = Browser::default();
    clinician.sign_in(&server, "dr.martin").await;
    let own = hidden_csrf(
        &clinician
            .go(&server, Method::GET, "/rechercher", None, None)
            .await
            .body,
    );
    let forbidden = clinician
        .go(
            &server,
            Method::POST,
            "/administration/users",
            Some(&form(&own).replace("dr.neuf", "dr.dix")),
            None,
        )
        .await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn logout_ends_the_session() {
    let server = server();
    let mut browser = Browser::default();
    browser.sign_in(&server, "dr.martin").await;
    let page = browser
        .go(&server, Method::GET, "/rechercher", None, None)
        .await;
    let csrf = hidden_csrf(&page.body);
    let reply = browser
        .go(
            &server,
            Method::POST,
            "/logout",
            Some(&format!("csrf={csrf}")),
            None,
        )
        .await;
    assert_eq!(location(&reply), "/login");
    let after = browser
        .go(&server, Method::GET, "/rechercher", None, None)
        .await;
    assert_eq!(location(&after), "/login");
}

#[test]
fn the_ai_banner_says_the_output_must_be_checked() {
    let french = esculape_server::ai_output_banner(esculape_server::Lang::Fr.texts()).into_string();
    assert!(french.contains("role=\"note\"") && french.contains("vérifier par le clinicien"));
}
