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
use anyhow::{Context, Result, bail};
use clap::Args;
use esculape_answer::{Answer, AnswerConfig, AnswerMode, Resources, Support};
use esculape_kb::local_folder_pack;
use serde::Serialize;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct QaArgs {
    /// pubmedqa (answers and abstention), frenchmedmcqa or casimedicos (multiple choice
    /// scored by the model's likelihood given the evidence), glianorex (the fictional-organ
    /// textbook).
    #[arg(long, default_value = "pubmedqa")]
    pub dataset: String,
    /// Questions asked (spread evenly over the set; PubMedQA has 500).
    #[arg(long, default_value_t = 500)]
    pub queries: usize,
    #[arg(long, default_value = "../shared/data")]
    pub data: PathBuf,
    /// extractive or generative (PubMedQA and Glianorex; generative needs the model).
    #[arg(long, default_value = "extractive")]
    pub mode: String,
    /// Print the figures as JSON.
    #[arg(long)]
    pub json: bool,
    /// Also print the abstention curve: every pair of `min_question_coverage` (sentence)
    /// and `min_document_coverage` (source) thresholds of a fixed grid.
    #[arg(long)]
    curve: bool,
    /// Measure dense support too (the configured embedding model, installed by
    /// `esculape setup`): the question–passage similarity of `answer.min_passage_similarity`.
    #[arg(long)]
    pub dense: bool,
    /// Write each question's support features (both runs) to this JSON-lines file.
    #[arg(long, value_name = "PATH")]
    features: Option<PathBuf>,
}

/// The pseudonymization secret of evaluation runs: surrogates are the same from run to
/// run, so a question pseudonymized by mistake retrieves the same way every time.
pub const EVAL_SCOPE_SECRET: [u8; 32] = [0x5e; 32];

/// The embedding model of `--dense` (the configured one), or none without `--dense`.
pub fn dense_embedder(
    settings: &Settings,
    dense: bool,
) -> Result<Option<Box<dyn esculape_llm::Embedder>>> {
    if !dense {
        return Ok(None);
    }
    Ok(Some(crate::embeddings::embedder(settings)?.context(
        "--dense needs an embedding model: set embeddings.backend (\"local\" by default)",
    )?))
}

/// The grid of the abstention curve.
const SENTENCE_THRESHOLDS: [f32; 4] = [0.1, 0.2, 0.3, 0.5];
const DOCUMENT_THRESHOLDS: [f32; 7] = [0.0, 0.3, 0.4, 0.45, 0.5, 0.6, 0.7];
const DENSE_THRESHOLDS: [f32; 8] = [0.6, 0.65, 0.7, 0.73, 0.74, 0.75, 0.8, 0.9];

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
    match args.dataset.as_str() {
        "pubmedqa" => {}
        "frenchmedmcqa" | "casimedicos" => return crate::eval_mcq::mcq(settings, &args),
        "glianorex" => return crate::eval_glianorex::glianorex(settings, &args),
        other => bail!(
            "unknown QA dataset `{other}`: use pubmedqa, frenchmedmcqa, casimedicos or glianorex"
        ),
    }
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
    let embedder = dense_embedder(settings, args.dense)?;
    let resources = Resources {
        scope_secret: Some(EVAL_SCOPE_SECRET),
        embedder: embedder.as_deref(),
        ..Resources::default()
    };
    if args.mode == "generative" {
        return generative(settings, &args, &kb, &queries, &home, &halves, resources);
    } else if args.mode != "extractive" {
        bail!("unknown mode `{}`: use extractive or generative", args.mode);
    }
    let mut figures = QaFigures::default();
    let mut times = Vec::new();
    let base = answer_config(settings, AnswerMode::Extractive, None, Vec::new());
    let mut features = match &args.features {
        Some(path) => Some(std::io::BufWriter::new(std::fs::File::create(path)?)),
        None => None,
    };
    // (question, own half) of every question asked, for the curve.
    let mut asked: Vec<(&str, &str, usize)> = Vec::new();
    let mut supports: Vec<(Support, Support)> = Vec::new();
    for query in &queries {
        let Some(own) = query.relevant.first() else {
            continue;
        };
        let Some(&half) = home.get(own) else {
            continue;
        };
        figures.questions += 1;
        asked.push((query.query.as_str(), own.as_str(), half));
        let answerable = ask(&kb, &base, resources, &query.query, halves[half])?;
        times.push(answerable.timings.total_ms);
        figures.questions_pseudonymized += usize::from(answerable.identifiers_replaced > 0);
        if !answerable.abstained {
            figures.answered += 1;
            figures.cite_own_abstract += usize::from(cites_own(&answerable, own));
        }
        figures.sentences_shown += answerable.sentences.len();
        figures.sentences_dropped += answerable.dropped.len();
        let unanswerable = ask(&kb, &base, resources, &query.query, halves[1 - half])?;
        figures.correct_abstentions += usize::from(unanswerable.abstained);
        supports.push((answerable.support, unanswerable.support));
        if let Some(out) = features.as_mut() {
            use std::io::Write;
            for (answerable, run) in [(true, &answerable), (false, &unanswerable)] {
                let line = serde_json::json!({
                    "own": own,
                    "answerable": answerable,
                    "abstained": run.abstained,
                    "pseudonymized": run.identifiers_replaced,
                    "support": run.support,
                    "top_score": run.passages.first().map(|passage| passage.retrieval_score),
                    "second_score": run.passages.get(1).map(|passage| passage.retrieval_score),
                    "top_is_own": run.passages.first().is_some_and(|passage| passage.document_key == *own),
                });
                writeln!(out, "{line}")?;
            }
        }
    }
    times.sort_by(f64::total_cmp);
    figures.answer_p50_ms = times.get(times.len() / 2).copied().unwrap_or(0.0);
    let curve = match (args.curve, resources.embedder.is_some()) {
        (false, _) => Vec::new(),
        (true, false) => abstention_curve(&kb, &base, resources, &asked, &halves)?,
        (true, true) => dense_curve(&base, &supports),
    };
    if args.json {
        let out = serde_json::json!({ "figures": figures, "curve": curve });
        println!("{}", serde_json::to_string_pretty(&out)?);
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
    if !curve.is_empty() {
        println!();
        println!(
            "| min_question_coverage | min_document_coverage | dense_min_support | answered | cite own abstract | correct abstentions | false abstentions |"
        );
        println!("|---|---|---|---|---|---|---|");
        for point in &curve {
            let cited = if point.cite_own_abstract.is_nan() {
                "—".to_string()
            } else {
                format!("{:.3}", point.cite_own_abstract)
            };
            println!(
                "| {:.1} | {:.2} | {} | {:.3} | {cited} | {:.3} | {:.3} |",
                point.min_question_coverage,
                point.min_document_coverage,
                point
                    .dense_min_support
                    .map_or("—".to_string(), |value| format!("{value:.2}")),
                point.answered,
                point.correct_abstentions,
                1.0 - point.answered
            );
        }
    }
    Ok(())
}

/// Generative mode with the configured model on the answerable questions: verified
/// sentences, numbers faithfulness before and after verification, latency.
fn generative(
    settings: &Settings,
    args: &QaArgs,
    kb: &esculape_kb::KnowledgeBase,
    queries: &[crate::eval::Query],
    home: &std::collections::HashMap<String, usize>,
    halves: &[&str; 2],
    resources: Resources<'_>,
) -> Result<()> {
    let generator = crate::generate::generator(settings)?;
    let resources = Resources {
        generator: Some(generator.as_ref()),
        ..resources
    };
    let base = answer_config(settings, AnswerMode::Generative, None, Vec::new());
    let (mut questions, mut generative_answers, mut fallbacks, mut abstained) = (0, 0, 0, 0);
    let (mut shown, mut dropped, mut cite_own) = (0usize, 0usize, 0usize);
    // Numbers in the model's sentences (all of them, and those shown) found in a cited
    // passage.
    let (mut numbers_all, mut numbers_all_found) = (0usize, 0usize);
    let (mut numbers_shown, mut numbers_shown_found) = (0usize, 0usize);
    let mut first = Vec::new();
    let mut total = Vec::new();
    for query in queries {
        let Some(own) = query.relevant.first() else {
            continue;
        };
        let Some(&half) = home.get(own) else {
            continue;
        };
        questions += 1;
        let answer = ask(kb, &base, resources, &query.query, halves[half])?;
        total.push(answer.timings.total_ms);
        if let Some(ms) = answer.timings.first_sentence_ms {
            first.push(ms);
        }
        match answer.mode {
            AnswerMode::Generative => generative_answers += 1,
            AnswerMode::Extractive if answer.abstained => abstained += 1,
            AnswerMode::Extractive => fallbacks += 1,
        }
        if answer.mode == AnswerMode::Generative {
            shown += answer.sentences.len();
            dropped += answer.dropped.len();
            cite_own += usize::from(cites_own(&answer, own));
        } else {
            // Every model sentence was dropped: they count as dropped.
            dropped += answer.dropped.len();
        }
        let cited_numbers = |citations: &[usize]| -> Vec<esculape_answer::NumberMention> {
            citations
                .iter()
                .filter_map(|number| answer.passages.get(number.wrapping_sub(1)))
                .flat_map(|passage| esculape_answer::numbers(&passage.evidence_text))
                .collect()
        };
        let model_sentences: Vec<(&esculape_answer::AnswerSentence, bool)> =
            if answer.mode == AnswerMode::Generative {
                answer
                    .sentences
                    .iter()
                    .map(|sentence| (sentence, true))
                    .chain(answer.dropped.iter().map(|sentence| (sentence, false)))
                    .collect()
            } else {
                answer
                    .dropped
                    .iter()
                    .map(|sentence| (sentence, false))
                    .collect()
            };
        for (sentence, is_shown) in model_sentences {
            let haystack = cited_numbers(&sentence.citations);
            for mention in esculape_answer::numbers(&sentence.text) {
                let found = esculape_answer::number_is_supported(&mention, &haystack);
                numbers_all += 1;
                numbers_all_found += usize::from(found);
                if is_shown {
                    numbers_shown += 1;
                    numbers_shown_found += usize::from(found);
                }
            }
        }
    }
    let share = |part: usize, whole: usize| {
        if whole == 0 {
            "—".to_string()
        } else {
            format!("{:.3}", part as f64 / whole as f64)
        }
    };
    let median = |values: &mut Vec<f64>| {
        values.sort_by(f64::total_cmp);
        values
            .get(values.len() / 2)
            .map_or("—".to_string(), |value| format!("{:.0}", value))
    };
    let figures = serde_json::json!({
        "questions": questions,
        "generative_answers": generative_answers,
        "extractive_fallbacks": fallbacks,
        "abstained": abstained,
        "sentences_shown": shown,
        "sentences_dropped": dropped,
        "cite_own_abstract": cite_own,
        "numbers_in_model_sentences": numbers_all,
        "numbers_in_model_sentences_found": numbers_all_found,
        "numbers_shown": numbers_shown,
        "numbers_shown_found": numbers_shown_found,
    });
    if args.json {
        println!("{}", serde_json::to_string_pretty(&figures)?);
        return Ok(());
    }
    println!(
        "| dataset | model | questions | generative answers | extractive fallbacks | abstentions | model sentences verified | cite own abstract (of generative) | numbers found in cited passage: all model sentences | : shown | first verified sentence p50 (ms) | total p50 (ms) |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    println!(
        "| pubmedqa | {} | {questions} | {generative_answers} | {fallbacks} | {abstained} | {} | {} | {} ({numbers_all}) | {} ({numbers_shown}) | {} | {} |",
        generator.id(),
        share(shown, shown + dropped),
        share(cite_own, generative_answers),
        share(numbers_all_found, numbers_all),
        share(numbers_shown_found, numbers_shown),
        median(&mut first),
        median(&mut total),
    );
    Ok(())
}

/// One point of the abstention curve (shares of the questions asked).
#[derive(Debug, Serialize)]
struct CurvePoint {
    min_question_coverage: f32,
    min_document_coverage: f32,
    dense_min_support: Option<f32>,
    answered: f64,
    cite_own_abstract: f64,
    correct_abstentions: f64,
}

fn abstention_curve(
    kb: &esculape_kb::KnowledgeBase,
    base: &AnswerConfig,
    resources: Resources<'_>,
    asked: &[(&str, &str, usize)],
    halves: &[&str; 2],
) -> Result<Vec<CurvePoint>> {
    let mut curve = Vec::new();
    for min_question_coverage in SENTENCE_THRESHOLDS {
        for min_document_coverage in DOCUMENT_THRESHOLDS {
            let config = AnswerConfig {
                min_question_coverage,
                min_document_coverage,
                ..base.clone()
            };
            let (mut answered, mut cited, mut abstained) = (0usize, 0usize, 0usize);
            for (question, own, half) in asked {
                let answerable = ask(kb, &config, resources, question, halves[*half])?;
                if !answerable.abstained {
                    answered += 1;
                    cited += usize::from(cites_own(&answerable, own));
                }
                abstained +=
                    usize::from(ask(kb, &config, resources, question, halves[1 - half])?.abstained);
            }
            let whole = asked.len().max(1) as f64;
            curve.push(CurvePoint {
                min_question_coverage,
                min_document_coverage,
                dense_min_support: None,
                answered: answered as f64 / whole,
                cite_own_abstract: cited as f64 / answered.max(1) as f64,
                correct_abstentions: abstained as f64 / whole,
            });
        }
    }
    Ok(curve)
}

/// The curve over `dense_min_support` with an embedder, computed from each run's support
/// features (the decision the pipeline takes from them; verification, which drops no
/// PubMedQA sentence, and citations are not replayed: "cite own abstract" is left empty).
fn dense_curve(base: &AnswerConfig, supports: &[(Support, Support)]) -> Vec<CurvePoint> {
    let answers = |support: &Support, threshold: f32| {
        support
            .support_score
            .is_some_and(|score| score >= threshold)
            && support.best_sentence_coverage >= base.dense_min_question_coverage
    };
    let whole = supports.len().max(1) as f64;
    DENSE_THRESHOLDS
        .iter()
        .map(|&threshold| CurvePoint {
            min_question_coverage: base.dense_min_question_coverage,
            min_document_coverage: 0.0,
            dense_min_support: Some(threshold),
            answered: supports
                .iter()
                .filter(|(answerable, _)| answers(answerable, threshold))
                .count() as f64
                / whole,
            cite_own_abstract: f64::NAN,
            correct_abstentions: supports
                .iter()
                .filter(|(_, unanswerable)| !answers(unanswerable, threshold))
                .count() as f64
                / whole,
        })
        .collect()
}

/// Whether a sentence of `answer` cites a passage of document `own`.
fn cites_own(answer: &Answer, own: &str) -> bool {
    answer.sentences.iter().any(|sentence| {
        sentence.citations.iter().any(|number| {
            answer
                .passages
                .iter()
                .any(|passage| passage.number == *number && passage.document_key == own)
        })
    })
}

fn ask(
    kb: &esculape_kb::KnowledgeBase,
    base: &AnswerConfig,
    resources: Resources<'_>,
    question: &str,
    pack: &str,
) -> Result<Answer> {
    let config = AnswerConfig {
        sources: vec![pack.to_string()],
        ..base.clone()
    };
    Ok(esculape_answer::answer(
        kb,
        question,
        &config,
        resources,
        &mut |_| {},
    )?)
}
