//! `esculape ask`: a grounded answer, every sentence cited and verified, or an abstention.

use crate::settings::Settings;
use crate::sources::open_kb;
use anyhow::{Context, Result, bail};
use clap::Args;
use esculape_answer::{
    Answer, AnswerConfig, AnswerMode, DrugNames, InteractionChecker, Resources, UsedPassage,
};
use esculape_kb::SearchMode;
use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

#[derive(Debug, Args)]
pub struct AskArgs {
    /// The question, in French, English or Spanish.
    question: String,
    /// Machine-readable output: the whole answer with its audit record (stable JSON).
    #[arg(long)]
    json: bool,
    /// extractive (quotes the sources; no model) or generative (the configured model writes,
    /// each sentence is verified). Default: answer.mode.
    #[arg(long)]
    mode: Option<String>,
    /// Passages retrieved (default: answer.k).
    #[arg(long)]
    k: Option<usize>,
    /// Only this pack (repeat for several).
    #[arg(long = "source", value_name = "PACK")]
    sources: Vec<String>,
}

pub fn ask(settings: &Settings, args: AskArgs) -> Result<()> {
    let kb = open_kb(settings)?;
    if kb.catalog().packs.is_empty() {
        bail!(
            "no source is installed: run `esculape setup` first (add --mirror DIR on a machine without Internet access)"
        );
    }
    for source in &args.sources {
        if !kb.catalog().packs.contains_key(source) {
            bail!("source `{source}` is not installed: see `esculape sources list`");
        }
    }
    let mode_name = args.mode.as_deref().unwrap_or(&settings.answer.mode);
    let mode = AnswerMode::from_name(mode_name).with_context(|| {
        format!("unknown answer mode `{mode_name}`: use extractive or generative")
    })?;
    let config = answer_config(settings, mode, args.k, args.sources);
    config.validate()?;
    let generator = match mode {
        AnswerMode::Generative => Some(crate::generate::generator(settings)?),
        AnswerMode::Extractive => None,
    };
    // The embedding model, when installed: hybrid retrieval over packs with vectors, and
    // the dense support check of the abstention decision.
    let embedder = match crate::embeddings::embedder(settings) {
        Ok(embedder) => embedder,
        Err(error) => {
            tracing::warn!(%error, "no embedding model: BM25 retrieval and the lexical support check only");
            None
        }
    };
    let mut config = config;
    if embedder.is_some() && kb.has_vectors() {
        config.search_mode = SearchMode::Hybrid;
    }
    // The checker of `esculape interactions` (ANSM thesaurus, names through the BDPM);
    // without the `ansm-interactions` pack the answer says interactions were not checked.
    let checker = esculape_app::Medication::load(&kb).ok();
    let drug_names = drug_names(
        settings,
        checker.as_ref().map(|checker| checker.drug_names()),
    );
    let resources = Resources {
        generator: generator.as_deref(),
        embedder: embedder.as_deref(),
        drug_names: Some(&drug_names),
        interactions: checker
            .as_ref()
            .map(|checker| checker as &dyn InteractionChecker),
        ..Resources::default()
    };
    let json = args.json;
    let mut stdout = std::io::stdout().lock();
    if !json {
        writeln!(stdout, "Réponse :")?;
    }
    let answer =
        esculape_answer::answer(&kb, &args.question, &config, resources, &mut |sentence| {
            if !json {
                let citations: String = sentence
                    .citations
                    .iter()
                    .map(|n| format!("[{n}]"))
                    .collect();
                let _ = writeln!(stdout, "  {} {citations}", sentence.text);
                let _ = stdout.flush();
            }
        })?;
    // A score the question names is computed by its calculator, never taken from a text.
    let calculators = esculape_scores::calculators_named_in(&args.question);
    if json {
        let mut value = serde_json::to_value(&answer)?;
        value["calculators"] = calculators
            .iter()
            .map(|calculator| {
                serde_json::json!({
                    "id": calculator.id,
                    "name_fr": calculator.name_fr,
                    "name_en": calculator.name_en,
                    "command": format!("esculape score {}", calculator.id),
                })
            })
            .collect();
        writeln!(stdout, "{}", serde_json::to_string_pretty(&value)?)?;
    } else {
        print_answer(&mut stdout, &answer)?;
        if !calculators.is_empty() {
            writeln!(stdout)?;
            writeln!(
                stdout,
                "Calculateurs (le score se calcule avec eux, pas à partir d'un texte) :"
            )?;
            for calculator in calculators {
                writeln!(
                    stdout,
                    "  {} — esculape score {} --help",
                    calculator.name_fr, calculator.id
                )?;
            }
        }
    }
    Ok(())
}

/// The `[answer]` settings with the command's flags applied.
pub fn answer_config(
    settings: &Settings,
    mode: AnswerMode,
    k: Option<usize>,
    sources: Vec<String>,
) -> AnswerConfig {
    let section = &settings.answer;
    AnswerConfig {
        mode,
        search_mode: SearchMode::Bm25,
        k: k.unwrap_or(section.k),
        sources,
        max_passages: section.max_passages,
        max_passages_per_document: section.max_passages_per_document,
        max_sentences: section.max_sentences,
        min_question_coverage: section.min_question_coverage,
        min_document_coverage: section.min_document_coverage,
        dense_min_support: section.dense_min_support,
        dense_min_question_coverage: section.dense_min_question_coverage,
        min_citation_support: section.min_citation_support,
        max_redundancy: section.max_redundancy,
        max_tokens: section.max_tokens,
        ..AnswerConfig::default()
    }
}

/// Drug names for the verifier: `installed` (from the installed thesaurus and BDPM, see
/// [`esculape_app::drug_names`]) and the mirror's `terminology/atc_drug_names_fr.json` when
/// there is one. Empty without either: numbers and support are still checked.
pub fn drug_names(settings: &Settings, installed: Option<Vec<String>>) -> DrugNames {
    let mut names = installed.unwrap_or_default();
    let path = Path::new(&settings.kb.mirror).join("terminology/atc_drug_names_fr.json");
    if !settings.kb.mirror.is_empty() && path.exists() {
        let parsed: Option<HashMap<String, Vec<String>>> = std::fs::read(&path)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok());
        match parsed {
            Some(codes) => names.extend(codes.into_values().flatten()),
            None => {
                tracing::warn!(path = %path.display(), "cannot read the mirror's drug names")
            }
        }
    }
    if names.is_empty() {
        tracing::warn!("no drug names (no BDPM, thesaurus or mirror): drug names are not checked");
    }
    DrugNames::from_names(names.iter().map(String::as_str))
}

fn print_interactions(out: &mut impl Write, answer: &Answer) -> Result<()> {
    let interactions = &answer.interactions;
    if interactions.drugs_named.len() < 2 {
        return Ok(());
    }
    writeln!(out)?;
    if !interactions.checked {
        writeln!(
            out,
            "Interactions non vérifiées (installez la source ansm-interactions) : {}",
            interactions.drugs_named.join(", ")
        )?;
        return Ok(());
    }
    if interactions.alerts.is_empty() {
        writeln!(
            out,
            "Interactions : aucune alerte du thésaurus ANSM entre {}",
            interactions.drugs_named.join(", ")
        )?;
    } else {
        writeln!(
            out,
            "Alertes d'interaction (thésaurus ANSM, non modifiables) :"
        )?;
        for alert in &interactions.alerts {
            writeln!(
                out,
                "  ⚠ {} : {} + {} — {}",
                alert.level, alert.drugs[0], alert.drugs[1], alert.summary
            )?;
        }
    }
    if !interactions.unknown.is_empty() {
        writeln!(
            out,
            "  Non reconnus par le thésaurus : {}",
            interactions.unknown.join(", ")
        )?;
    }
    Ok(())
}

fn print_answer(out: &mut impl Write, answer: &Answer) -> Result<()> {
    print_interactions(out, answer)?;
    if answer.abstained {
        writeln!(
            out,
            "  {}",
            answer.abstention_message.as_deref().unwrap_or_default()
        )?;
        if !answer.closest_passages.is_empty() {
            writeln!(out)?;
            writeln!(out, "Passages les plus proches :")?;
            for number in &answer.closest_passages {
                let passage = &answer.passages[number - 1];
                writeln!(out, "{}", citation(passage))?;
                writeln!(out, "    « {} »", compact(&passage.evidence_text, 300))?;
            }
        }
    } else {
        writeln!(out)?;
        writeln!(out, "Sources :")?;
        let mut cited: Vec<usize> = answer
            .sentences
            .iter()
            .flat_map(|sentence| sentence.citations.iter().copied())
            .collect();
        cited.sort_unstable();
        cited.dedup();
        for number in cited {
            writeln!(out, "{}", citation(&answer.passages[number - 1]))?;
        }
    }
    if !answer.dropped.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "Phrases écartées car non vérifiées dans les sources : {}",
            answer.dropped.len()
        )?;
    }
    writeln!(out)?;
    let mode = match answer.mode {
        AnswerMode::Extractive => "extractif (citations exactes)".to_string(),
        AnswerMode::Generative => format!(
            "génératif ({}), chaque phrase vérifiée",
            answer.model.as_deref().unwrap_or("modèle")
        ),
    };
    writeln!(
        out,
        "Mode : {mode}{} · langue : {} · {:.0} ms",
        answer
            .fallback_reason
            .as_deref()
            .map(|reason| format!(" — repli extractif : {reason}"))
            .unwrap_or_default(),
        answer.language,
        answer.timings.total_ms
    )?;
    writeln!(
        out,
        "Ce texte est assemblé à partir des sources citées : le clinicien doit le vérifier avant toute décision."
    )?;
    Ok(())
}

/// `[n] publisher — title, version, date — chunk id`.
fn citation(passage: &UsedPassage) -> String {
    let date = passage
        .published
        .as_deref()
        .or(passage.date.as_deref())
        .unwrap_or("date inconnue");
    format!(
        "[{}] {} — {} ({}), version {}, {} — {}",
        passage.number,
        passage.publisher,
        passage.source_title,
        passage.document_title,
        passage.version,
        date,
        passage.chunk_id
    )
}

fn compact(text: &str, max_chars: usize) -> String {
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if joined.chars().count() <= max_chars {
        joined
    } else {
        format!("{}…", joined.chars().take(max_chars).collect::<String>())
    }
}
