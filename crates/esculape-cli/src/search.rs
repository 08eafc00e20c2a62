//! `esculape search` and `esculape passage`.

use crate::output;
use crate::settings::Settings;
use crate::sources::open_kb;
use anyhow::{Context, Result, bail};
use clap::Args;
use esculape_kb::{SearchMode, SearchRequest};
use esculape_text::Language;

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The question or keywords, in French or English ("anticoagulant et aspirine").
    query: String,
    /// Number of passages.
    #[arg(long)]
    k: Option<usize>,
    /// Only this pack (repeat for several): bdpm, ansm-interactions, cim10…
    #[arg(long = "source", value_name = "PACK")]
    sources: Vec<String>,
    /// Only passages in this language (fr, en, es).
    #[arg(long)]
    language: Option<String>,
    /// Only documents dated on or after this day (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    since: Option<String>,
    /// Only documents dated on or before this day (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    until: Option<String>,
    /// Ranking: auto (hybrid when vectors exist, else BM25), bm25, dense or hybrid.
    #[arg(long)]
    mode: Option<String>,
    /// Machine-readable output (stable JSON).
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct PassageArgs {
    /// Passage identifier as search prints it (pack:document#n).
    chunk_id: String,
    /// Characters of context on each side.
    #[arg(long, default_value_t = 600)]
    context: usize,
    #[arg(long)]
    json: bool,
}

pub fn search(settings: &Settings, args: SearchArgs) -> Result<()> {
    let kb = open_kb(settings)?;
    if kb.catalog().packs.is_empty() {
        bail!(
            "no source is installed: run `esculape setup` first (add --mirror DIR on a machine without Internet access)"
        );
    }
    for source in &args.sources {
        if !kb.catalog().packs.contains_key(source) {
            bail!(
                "source `{source}` is not installed (installed: {})",
                kb.catalog()
                    .packs
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    let language = match &args.language {
        Some(code) => Some(
            Language::from_code(code)
                .with_context(|| format!("unknown language `{code}`: use fr, en or es"))?,
        ),
        None => None,
    };
    let request = SearchRequest {
        query: args.query.clone(),
        k: args.k.unwrap_or(settings.search.k),
        sources: args.sources,
        language,
        since: args.since,
        until: args.until,
    };
    let mode = match args.mode.as_deref().unwrap_or(&settings.search.mode) {
        "auto" if kb.has_vectors() && settings.embeddings.backend != "none" => SearchMode::Hybrid,
        "auto" | "bm25" => SearchMode::Bm25,
        "dense" => SearchMode::Dense,
        "hybrid" => SearchMode::Hybrid,
        other => bail!("unknown search mode `{other}`: use auto, bm25, dense or hybrid"),
    };
    let embedder = if mode == SearchMode::Bm25 {
        None
    } else {
        crate::embeddings::embedder(settings)?
    };
    let hits = kb.search_mode(&request, mode, embedder.as_deref())?;
    if args.json {
        let mode_name = format!("{mode:?}").to_lowercase();
        let body = serde_json::json!({ "query": args.query, "mode": mode_name, "hits": hits });
        println!("{}", serde_json::to_string_pretty(&body)?);
    } else {
        output::print_hits(&args.query, &hits);
    }
    Ok(())
}

pub fn passage(settings: &Settings, args: PassageArgs) -> Result<()> {
    let kb = open_kb(settings)?;
    let passage = kb.passage(&args.chunk_id, args.context)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&passage)?);
    } else {
        output::print_passage(&passage);
    }
    Ok(())
}
