//! `esculape eval qa`: grounded answers on the PubMedQA development set — does the answer
//! cite the question's own abstract, are its sentences verified, and does it abstain when
//! that abstract is not in the sources?
//!
//! The 500 abstracts are split into two packs (even and odd positions). Each question is
//! asked twice: against the pack holding its own abstract (answerable), and against the
//! other pack only (its abstract removed from the sources: it should abstain).

use crate::ask::answer_config;
use crate::eval::pubmedqa;
use crate::progress::Bars;
use crate::settings::Settings;
use crate::sources::open_kb_at;
use anyhow::{Result, bail};
use clap::Args;
use esculape_answer::{Answer, AnswerMode, Resources};
use esculape_kb::local_folder_pack;
use serde::Serialize;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct QaArgs {
    /// Questions asked (spread evenly over the 500).
    #[arg(long, default_value_t = 500)]
    queries: usize,
    #[arg(long, default_value = "../shared/data")]
    data: PathBuf,
    /// Print the figures as JSON.
    #[arg(long)]
    json: bool,
}

/// The figures of one run.
#[derive(Debug, Default, Serialize)]
struct QaFigures {
    questions: usize,
    /// Answerable questions that got an answer (did not abstain).
    answered: usize,
    /// Answers with at least one sentence citing the question's own abstract.
    cite_own_abstract: usize,
    /// Sentences shown, and sentences dropped by verification, over all answers.
    sentences_shown: usize,
    sentences_dropped: usize,
    /// Unanswerable runs (own abstract removed) that abstained.
    correct_abstentions: usize,
    /// Questions in which pseudonymization replaced something (false positives here: the
    /// set has no patient identifiers), which changes what retrieval sees.
    questions_pseudonymized: usize,
    answer_p50_ms: f64,
}

pub fn qa(settings: &Settings, args: QaArgs) -> Result<()> {
    if !args.data.join("qa/pubmedqa_dev.json").exists() {
        bail!(
            "no PubMedQA set at `{}`: pass --data DIR (the folder ../shared/data)",
            args.data.display()
        );
    }
    let (documents, queries, language) = pubmedqa(&args.data, args.queries)?;
    let work = settings.paths.data_dir.join("eval").join("qa-pubmedqa");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work)?;
    let kb = open_kb_at(settings, &work.join("kb"))?;
    let halves = ["pubmedqa-even", "pubmedqa-odd"];
    let mut home = std::collections::HashMap::new();
    let mut parts: [Vec<_>; 2] = [Vec::new(), Vec::new()];
    for (index, document) in documents.into_iter().enumerate() {
        home.insert(document.key.clone(), index % 2);
        parts[index % 2].push(document);
    }
    for (half, part) in halves.iter().zip(parts) {
        let spec = local_folder_pack(work.join(half), half, language);
        kb.install_documents(&spec, part, &Bars::default())?;
    }
    let mut figures = QaFigures::default();
    let mut times = Vec::new();
    for query in &queries {
        let Some(own) = query.relevant.first() else {
            continue;
        };
        let Some(&half) = home.get(own) else {
            continue;
        };
        figures.questions += 1;
        let answerable = ask(settings, &kb, &query.query, halves[half])?;
        times.push(answerable.timings.total_ms);
        figures.questions_pseudonymized += usize::from(answerable.identifiers_replaced > 0);
        if !answerable.abstained {
            figures.answered += 1;
            let cites_own = answerable.sentences.iter().any(|sentence| {
                sentence.citations.iter().any(|number| {
                    answerable
                        .passages
                        .iter()
                        .any(|passage| passage.number == *number && &passage.document_key == own)
                })
            });
            figures.cite_own_abstract += usize::from(cites_own);
        }
        figures.sentences_shown += answerable.sentences.len();
        figures.sentences_dropped += answerable.dropped.len();
        let unanswerable = ask(settings, &kb, &query.query, halves[1 - half])?;
        figures.correct_abstentions += usize::from(unanswerable.abstained);
    }
    times.sort_by(f64::total_cmp);
    figures.answer_p50_ms = times.get(times.len() / 2).copied().unwrap_or(0.0);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&figures)?);
        return Ok(());
    }
    let share = |part: usize, whole: usize| part as f64 / whole.max(1) as f64;
    let questions = figures.questions;
    println!(
        "| dataset | mode | questions | answered | cite own abstract (of answered) | sentences verified | correct abstentions (own abstract removed) | false abstentions | questions pseudonymized | answer p50 (ms) |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    println!(
        "| pubmedqa | extractive | {questions} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {} | {:.1} |",
        share(figures.answered, questions),
        share(figures.cite_own_abstract, figures.answered),
        share(
            figures.sentences_shown,
            figures.sentences_shown + figures.sentences_dropped
        ),
        share(figures.correct_abstentions, questions),
        1.0 - share(figures.answered, questions),
        figures.questions_pseudonymized,
        figures.answer_p50_ms
    );
    Ok(())
}

fn ask(
    settings: &Settings,
    kb: &esculape_kb::KnowledgeBase,
    question: &str,
    pack: &str,
) -> Result<Answer> {
    let config = answer_config(
        settings,
        AnswerMode::Extractive,
        None,
        vec![pack.to_string()],
    );
    Ok(esculape_answer::answer(
        kb,
        question,
        &config,
        Resources::default(),
        &mut |_| {},
    )?)
}
