//! Rechercher: the search form and its cited results; a passage in its context.

use crate::pages::layout::{Frame, LangChoice, SignedIn, encode_query_value, error_page, page};
use crate::pages::texts::Texts;
use crate::session::blocking;
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::response::Response;
use esculape_app::SearchQuery;
use esculape_kb::SearchHit;
use maud::{Markup, html};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct SearchForm {
    #[serde(default)]
    q: String,
}

pub async fn search_page(
    State(state): State<AppState>,
    choice: LangChoice,
    SignedIn(auth): SignedIn,
    Query(form): Query<SearchForm>,
) -> Response {
    let texts = choice.lang.texts();
    let query = form.q.trim().to_string();
    let hits = if query.is_empty() {
        None
    } else {
        let app = state.app.clone();
        let identity = auth.identity().clone();
        let search = SearchQuery {
            query: query.clone(),
            k: 10,
            sources: Vec::new(),
        };
        match blocking(move || app.search(&identity, &search)).await {
            Ok(hits) => Some(hits),
            Err(error) => {
                return error_page(choice, Some(&auth), state.app.features(), error.into());
            }
        }
    };
    let frame = Frame {
        title: texts.search_title,
        auth: Some(&auth),
        features: state.app.features(),
        shows_ai_output: false,
        path: "/rechercher",
    };
    page(
        choice,
        &frame,
        html! {
            form class="search" method="get" action="/rechercher" role="search" {
                label for="q" { (texts.search_label) }
                input id="q" name="q" type="search" value=(query) required maxlength="1000" aria-describedby="q-hint";
                button type="submit" { (texts.search_button) }
                p id="q-hint" class="hint" { (texts.search_hint) }
            }
            @if let Some(hits) = &hits {
                h2 { (texts.results_for) " « " (query) " »" }
                @if hits.is_empty() {
                    p { (texts.no_results) }
                } @else {
                    ol class="hits" {
                        @for hit in hits {
                            li { (hit_card(texts, hit)) }
                        }
                    }
                }
            }
        },
    )
}

/// One result: the document, its source's provenance, the passage with the query's words
/// marked, and the link to the passage in context.
fn hit_card(texts: &Texts, hit: &SearchHit) -> Markup {
    html! {
        article class="hit" {
            h3 { (hit.document_title) }
            @if !hit.heading_path.is_empty() {
                p class="heading-path" { (hit.heading_path) }
            }
            (provenance(texts, hit))
            blockquote lang=(hit.language) { (highlighted(&hit.text, &hit.highlights)) }
            p { a href={ "/passage?id=" (encode_query_value(&hit.chunk_id)) } { (texts.in_context) } }
        }
    }
}

fn provenance(texts: &Texts, hit: &SearchHit) -> Markup {
    let date = hit.date.as_deref().or(hit.source.published.as_deref());
    html! {
        dl class="provenance" {
            dt { (texts.source) } dd { (hit.source.title) }
            dt { (texts.publisher) } dd { (hit.source.publisher) }
            dt { (texts.version) } dd { (hit.source.version) }
            @if let Some(date) = date {
                dt { (texts.date) } dd { (date) }
            }
            dt { (texts.licence) } dd { (hit.source.licence) }
        }
    }
}

/// The text with its highlighted character ranges in `<mark>`, everything escaped.
fn highlighted(text: &str, highlights: &[[usize; 2]]) -> Markup {
    let characters: Vec<char> = text.chars().collect();
    let mut ranges: Vec<[usize; 2]> = highlights
        .iter()
        .map(|[start, end]| [(*start).min(characters.len()), (*end).min(characters.len())])
        .filter(|[start, end]| start < end)
        .collect();
    ranges.sort_unstable();
    let mut pieces: Vec<(String, bool)> = Vec::new();
    let mut position = 0;
    for [start, end] in ranges {
        if start < position {
            continue;
        }
        pieces.push((characters[position..start].iter().collect(), false));
        pieces.push((characters[start..end].iter().collect(), true));
        position = end;
    }
    pieces.push((characters[position..].iter().collect(), false));
    html! {
        @for (piece, marked) in pieces {
            @if marked { mark { (piece) } } @else { (piece) }
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct PassageForm {
    id: String,
}

pub async fn passage_page(
    State(state): State<AppState>,
    choice: LangChoice,
    SignedIn(auth): SignedIn,
    Query(form): Query<PassageForm>,
) -> Response {
    let texts = choice.lang.texts();
    let app = state.app.clone();
    let identity = auth.identity().clone();
    let passage = match blocking(move || app.passage(&identity, &form.id, 1500)).await {
        Ok(passage) => passage,
        Err(error) => return error_page(choice, Some(&auth), state.app.features(), error.into()),
    };
    let hit = &passage.hit;
    let frame = Frame {
        title: texts.passage_title,
        auth: Some(&auth),
        features: state.app.features(),
        shows_ai_output: false,
        path: "/passage",
    };
    page(
        choice,
        &frame,
        html! {
            h2 { (hit.document_title) }
            @if !hit.heading_path.is_empty() {
                p class="heading-path" { (hit.heading_path) }
            }
            (provenance(texts, hit))
            @if let Some(url) = hit.url.as_deref().filter(|url| url.starts_with("https://") || url.starts_with("http://")) {
                p { a href=(url) rel="noreferrer noopener" { (texts.original_document) } }
            }
            div class="context" lang=(hit.language) {
                span class="before" { (passage.before) }
                mark class="passage" { (passage.hit.text) }
                span class="after" { (passage.after) }
            }
            p { a href="/rechercher" { (texts.back_to_search) } }
        },
    )
}
