//! `esculape eval qa --dataset frenchmedmcqa|casimedicos`: multiple-choice questions
//! scored by the local model's likelihood of each option given the retrieved evidence
//! (`esculape_answer::mcq`), beside the same model without evidence (closed book).
//!
//! Evidence: the passages the answer pipeline retrieves (pseudonymization, BM25, evidence
//! selection) from the installed sources, for the question and its options together.
//! FrenchMedMCQA: exact match and Hamming score (several options may be right);
//! CasiMedicos: accuracy (one right option).

use crate::ask::answer_config;
use crate::eval_qa::QaArgs;
use crate::settings::Settings;
use crate::sources::open_kb;
use anyhow::{Context, Result, bail};
use esculape_answer::mcq::{
    chosen_options, hamming_score, option_continuation, option_prompt, per_character,
};
use esculape_answer::{AnswerMode, Resources, UsedPassage};
use esculape_text::Language;
use serde::Serialize;
use std::path::Path;
use std::time::Instant;

/// Passages put before the question (a small model's context holds a few).
const EVIDENCE_PASSAGES: usize = 3;

/// One multiple-choice question.
struct Mcq {
    question: String,
    options: Vec<String>,
    /// Indexes into `options`.
    correct: Vec<usize>,
    /// Whether several options may be right (the model may tick more than one).
    several: bool,
}

#[derive(Debug, Default, Serialize)]
struct McqFigures {
    dataset: String,
    model: String,
    evidence: String,
    sources: Vec<String>,
    questions: usize,
    exact_match: f64,
    hamming: f64,
    /// Share of questions whose best option is right (top-1).
    top1: f64,
    seconds_per_question: f64,
}

pub fn mcq(settings: &Settings, args: &QaArgs) -> Result<()> {
    let questions = match args.dataset.as_str() {
        "frenchmedmcqa" => frenchmedmcqa(&args.data)?,
        _ => casimedicos(&args.data)?,
    };
    let sample = spread(questions.len(), args.queries);
    let kb = open_kb(settings)?;
    let sources: Vec<String> = kb.catalog().packs.keys().cloned().collect();
    if sources.is_empty() {
        bail!(
            "no source is installed for the evidence: run `esculape setup --mirror ../shared/data` first"
        );
    }
    let model = crate::generate::local_generator(settings)?;
    let model_id = esculape_llm::Generator::id(&model).to_string();
    let config = answer_config(settings, AnswerMode::Extractive, None, Vec::new());
    let resources = Resources {
        scope_secret: Some(crate::eval_qa::EVAL_SCOPE_SECRET),
        ..Resources::default()
    };
    let mut rows = Vec::new();
    for with_evidence in [true, false] {
        let started = Instant::now();
        let (mut exact, mut hamming, mut top1) = (0.0, 0.0, 0.0);
        for &index in &sample {
            let item = &questions[index];
            let passages: Vec<UsedPassage> = if with_evidence {
                let query = format!("{} {}", item.question, item.options.join(" "));
                esculape_answer::answer(&kb, &query, &config, resources, &mut |_| {})?
                    .passages
                    .into_iter()
                    .take(EVIDENCE_PASSAGES)
                    .collect()
            } else {
                Vec::new()
            };
            let prompt = option_prompt(&item.question, Language::French, &passages);
            let continuations: Vec<String> = item
                .options
                .iter()
                .map(|option| option_continuation(option))
                .collect();
            // Public exam questions, cleared as non-patient text.
            let cleared = continuations
                .iter()
                .map(|option| esculape_llm::ModelText::non_patient(option))
                .collect::<Result<Vec<_>, _>>()?;
            let scores = model
                .score(&esculape_llm::ModelText::non_patient(&prompt)?, &cleared)
                .with_context(|| format!("scoring the options of question {index}"))?;
            let scores = per_character(&scores, &continuations);
            let chosen = chosen_options(&scores, item.several);
            let mut correct = item.correct.clone();
            correct.sort_unstable();
            exact += f64::from(u8::from(chosen == correct));
            hamming += hamming_score(&chosen, &correct);
            top1 += f64::from(u8::from(correct.contains(&chosen[0])));
        }
        let count = sample.len().max(1) as f64;
        rows.push(McqFigures {
            dataset: args.dataset.clone(),
            model: model_id.clone(),
            evidence: if with_evidence {
                format!("{EVIDENCE_PASSAGES} passages (bm25)")
            } else {
                "none (closed book)".into()
            },
            sources: sources.clone(),
            questions: sample.len(),
            exact_match: exact / count,
            hamming: hamming / count,
            top1: top1 / count,
            seconds_per_question: started.elapsed().as_secs_f64() / count,
        });
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(());
    }
    println!(
        "| dataset | model | evidence | questions | exact match | Hamming | top-1 right | s / question |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for row in &rows {
        println!(
            "| {} | {} | {} | {} | {:.3} | {:.3} | {:.3} | {:.2} |",
            row.dataset,
            row.model,
            row.evidence,
            row.questions,
            row.exact_match,
            row.hamming,
            row.top1,
            row.seconds_per_question
        );
    }
    println!("sources: {}", sources.join(", "));
    Ok(())
}

/// `wanted` indexes spread evenly over `0..count` (all when `wanted >= count`).
fn spread(count: usize, wanted: usize) -> Vec<usize> {
    if wanted >= count {
        return (0..count).collect();
    }
    (0..wanted).map(|step| step * count / wanted).collect()
}

fn frenchmedmcqa(data: &Path) -> Result<Vec<Mcq>> {
    #[derive(serde::Deserialize)]
    struct Item {
        question: String,
        answers: std::collections::BTreeMap<String, String>,
        correct_answers: Vec<String>,
    }
    let path = data.join("qa/frenchmedmcqa_dev.json");
    let items: Vec<Item> = serde_json::from_str(
        &std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}: pass --data DIR", path.display()))?,
    )
    .with_context(|| format!("{} is not FrenchMedMCQA JSON", path.display()))?;
    let mut questions = Vec::new();
    for item in items {
        let letters: Vec<&String> = item.answers.keys().collect();
        let correct = item
            .correct_answers
            .iter()
            .filter_map(|letter| letters.iter().position(|known| *known == letter))
            .collect::<Vec<_>>();
        if correct.is_empty() {
            continue;
        }
        questions.push(Mcq {
            question: item.question,
            options: item.answers.into_values().collect(),
            correct,
            several: true,
        });
    }
    Ok(questions)
}

fn casimedicos(data: &Path) -> Result<Vec<Mcq>> {
    #[derive(serde::Deserialize)]
    struct Item {
        stem: String,
        options: std::collections::BTreeMap<String, Option<String>>,
        correct: serde_json::Value,
    }
    let path = data.join("qa/casimedicos_fr_dev_qa.jsonl");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}: pass --data DIR", path.display()))?;
    let mut questions = Vec::new();
    for (number, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let item: Item = serde_json::from_str(line)
            .with_context(|| format!("{} line {}", path.display(), number + 1))?;
        let correct_key = match &item.correct {
            serde_json::Value::String(key) => key.clone(),
            other => other.to_string(),
        };
        let mut options = Vec::new();
        let mut correct = Vec::new();
        for (key, option) in &item.options {
            let Some(option) = option.as_deref().filter(|text| !text.trim().is_empty()) else {
                continue;
            };
            if *key == correct_key {
                correct.push(options.len());
            }
            options.push(option.to_string());
        }
        if correct.is_empty() {
            continue;
        }
        let question = item
            .stem
            .trim_start_matches("CLINICAL CASE :")
            .trim()
            .to_string();
        questions.push(Mcq {
            question,
            options,
            correct,
            several: false,
        });
    }
    Ok(questions)
}
