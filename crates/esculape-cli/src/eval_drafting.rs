//! `esculape eval drafting`: French clinical cases (PAMJ) turned into a consultation
//! report and into a synthesis of two documents, with synthetic identifiers planted in
//! each input. Measures the share of output sentences linked to a supporting input span,
//! the share of output numbers found in the input, the coverage of mandatory items the
//! input contains, the identifiers that reached the model (everything the Generator
//! received is recorded), and the time per document.

#![allow(clippy::print_stdout)]

use crate::settings::Settings;
use anyhow::{Context, Result, bail};
use clap::Args;
use esculape_drafting::{
    DocumentType, DocumentTypes, Draft, DraftConfig, DraftMode, DraftRequest, InputDocument,
    Resources, sections_with_cues,
};
use esculape_llm::{ChatMessage, GenerateRequest, Generator, TokenStream};
use std::io::BufRead;
use std::path::PathBuf;
use std::sync::Mutex;

#[derive(Debug, Args)]
pub struct EvalDraftingArgs {
    /// The reference data folder (holds corpus/pamj_clinical_cases_fr.jsonl).
    #[arg(long, default_value = "../shared/data")]
    data: PathBuf,
    /// Clinical cases to use (the first ones of the file, in order).
    #[arg(long, default_value_t = 100)]
    cases: usize,
    /// extractive, or generative with the configured model (every call recorded).
    #[arg(long, default_value = "extractive")]
    mode: DraftMode,
    /// Most tokens the model writes per section (generative mode).
    #[arg(long, default_value_t = 96)]
    max_tokens: usize,
    /// Print the figures as one JSON object.
    #[arg(long)]
    json: bool,
}

/// Synthetic identifiers planted in the inputs (invented people, numbers that belong to
/// no one): (first name, last name, birth date, IPP, phone).
const PLANTED: &[(&str, &str, &str, &str, &str)] = &[
    (
        "Jean-Pierre",
        "MARCHAND",
        "12/03/1961",
        "80012345",
        "06 11 22 33 44",
    ),
    (
        "Sophie",
        "LEFEBVRE",
        "27/08/1974",
        "80023456",
        "06 22 33 44 55",
    ),
    (
        "Mohamed",
        "BENALI",
        "05/11/1958",
        "80034567",
        "07 33 44 55 66",
    ),
    (
        "Claire",
        "ROUSSEAU",
        "14/02/1990",
        "80045678",
        "06 44 55 66 77",
    ),
    (
        "Antoine",
        "GIRAUD",
        "30/06/1949",
        "80056789",
        "07 55 66 77 88",
    ),
];

/// Records what the model receives, then passes the request on.
struct Recording<'a> {
    inner: &'a dyn Generator,
    received: Mutex<Vec<String>>,
}

impl Generator for Recording<'_> {
    fn id(&self) -> &str {
        self.inner.id()
    }
    fn context_tokens(&self) -> usize {
        self.inner.context_tokens()
    }
    fn count_tokens(&self, messages: &[ChatMessage]) -> esculape_llm::Result<usize> {
        self.inner.count_tokens(messages)
    }
    fn generate(&self, request: GenerateRequest) -> esculape_llm::Result<TokenStream> {
        if let Ok(mut received) = self.received.lock() {
            received.extend(
                request
                    .messages
                    .iter()
                    .map(|message| message.content.as_str().to_string()),
            );
        }
        self.inner.generate(request)
    }
}

#[derive(Debug, Default, serde::Serialize)]
struct Tally {
    documents: usize,
    output_sentences: usize,
    sentences_with_span: usize,
    flagged_sentences: usize,
    numbers_in_output: usize,
    numbers_found_in_input: usize,
    mandatory_items_in_input: usize,
    mandatory_items_covered: usize,
    model_sentences: usize,
    model_calls_messages: usize,
    planted_identifiers: usize,
    identifiers_reaching_model: usize,
    contradictions: usize,
    times_ms: Vec<f64>,
}

pub fn eval(settings: &Settings, args: EvalDraftingArgs) -> Result<()> {
    let path = args.data.join("corpus/pamj_clinical_cases_fr.jsonl");
    let file = std::fs::File::open(&path).with_context(|| {
        format!(
            "no clinical cases at `{}`: pass --data DIR (the folder ../shared/data)",
            path.display()
        )
    })?;
    let mut cases = Vec::new();
    for line in std::io::BufReader::new(file).lines() {
        let value: serde_json::Value = serde_json::from_str(&line?)?;
        if let Some(text) = value.get("text").and_then(|text| text.as_str()) {
            cases.push(text.to_string());
        }
        if cases.len() == args.cases {
            break;
        }
    }
    if cases.is_empty() {
        bail!("`{}` holds no case with a `text`", path.display());
    }
    let model = match args.mode {
        DraftMode::Generative => Some(crate::generate::generator(settings)?),
        DraftMode::Extractive => None,
    };
    let recording = model.as_deref().map(|inner| Recording {
        inner,
        received: Mutex::new(Vec::new()),
    });
    let types = DocumentTypes::built_in();
    let report_type = types.get("compte-rendu-consultation")?;
    let synthesis_type = types.get("synthese")?;
    let config = DraftConfig {
        mode: args.mode,
        max_tokens_per_section: args.max_tokens,
        ..DraftConfig::default()
    };
    let resources = Resources {
        generator: recording
            .as_ref()
            .map(|recording| recording as &dyn Generator),
        ..Resources::default()
    };
    let mut report = Tally::default();
    let mut synthesis = Tally::default();
    let mut planted_strings: Vec<&str> = Vec::new();
    for (index, case) in cases.iter().enumerate() {
        let (first, last, born, ipp, phone) = PLANTED[index % PLANTED.len()];
        planted_strings.extend([last, born, ipp, phone]);
        let header =
            format!("Patient : M. {first} {last}, né le {born}, IPP {ipp}, tél {phone}.\n");
        let whole = format!("{header}{case}");
        let draft = run(
            report_type,
            vec![InputDocument::new("cas", whole.clone())],
            &config,
            resources,
        )?;
        tally(&mut report, report_type, &draft, &whole, 4);

        let (left, right) = halves(case);
        let first_document = format!("{header}{left}");
        let second_document =
            format!("Suite de la prise en charge de {first} {last} (IPP {ipp}).\n{right}");
        let documents = vec![
            InputDocument::new("document-1", first_document.clone()),
            InputDocument::new("document-2", second_document.clone()),
        ];
        let draft = run(synthesis_type, documents, &config, resources)?;
        tally(
            &mut synthesis,
            synthesis_type,
            &draft,
            &format!("{first_document}\n{second_document}"),
            4,
        );
    }
    let (messages, leaks) = match &recording {
        Some(recording) => {
            let received = recording
                .received
                .lock()
                .map(|received| received.clone())
                .unwrap_or_default();
            let leaks = received
                .iter()
                .map(|message| {
                    planted_strings
                        .iter()
                        .filter(|identifier| message.contains(**identifier))
                        .count()
                })
                .sum::<usize>();
            (received.len(), leaks)
        }
        None => (0, 0),
    };
    for tally in [&mut report, &mut synthesis] {
        tally.model_calls_messages = messages;
        tally.identifiers_reaching_model = leaks;
    }
    let summary = |tally: &Tally| {
        let mut times = tally.times_ms.clone();
        times.sort_by(f64::total_cmp);
        let share = |part: usize, whole: usize| {
            if whole == 0 {
                1.0
            } else {
                part as f64 / whole as f64
            }
        };
        serde_json::json!({
            "documents": tally.documents,
            "output_sentences": tally.output_sentences,
            "sentences_with_supporting_span": share(tally.sentences_with_span, tally.output_sentences),
            "flagged_sentences": tally.flagged_sentences,
            "model_sentences_kept": tally.model_sentences,
            "numbers_in_output": tally.numbers_in_output,
            "numbers_found_in_input": share(tally.numbers_found_in_input, tally.numbers_in_output),
            "mandatory_items_in_input": tally.mandatory_items_in_input,
            "mandatory_items_covered": share(tally.mandatory_items_covered, tally.mandatory_items_in_input),
            "contradictions_pointed_out": tally.contradictions,
            "planted_identifiers": tally.planted_identifiers,
            "time_per_document_ms_mean": times.iter().sum::<f64>() / times.len().max(1) as f64,
            "time_per_document_ms_p50": percentile(&times, 0.5),
            "time_per_document_ms_p95": percentile(&times, 0.95),
        })
    };
    let output = serde_json::json!({
        "cases": cases.len(),
        "mode": args.mode,
        "model": model.as_ref().map(|model| model.id().to_string()),
        "messages_received_by_model": messages,
        "identifiers_reaching_model": leaks,
        "consultation_report": summary(&report),
        "synthesis": summary(&synthesis),
    });
    if args.json {
        println!("{}", serde_json::to_string_pretty(&output)?);
        return Ok(());
    }
    println!(
        "{} cases · mode {:?} · model {} · messages received by the model {messages} · planted identifiers that reached it {leaks}",
        cases.len(),
        args.mode,
        output["model"].as_str().unwrap_or("none")
    );
    for task in ["consultation_report", "synthesis"] {
        println!("\n{task}");
        if let Some(figures) = output[task].as_object() {
            for (name, value) in figures {
                println!("  {name:<34} {value}");
            }
        }
    }
    Ok(())
}

fn run(
    document_type: &DocumentType,
    documents: Vec<InputDocument>,
    config: &DraftConfig,
    resources: Resources<'_>,
) -> Result<Draft> {
    let request = DraftRequest {
        document_type,
        documents,
        medications: None,
    };
    Ok(esculape_drafting::draft(&request, config, resources)?)
}

fn tally(
    tally: &mut Tally,
    document_type: &DocumentType,
    draft: &Draft,
    input: &str,
    planted: usize,
) {
    tally.documents += 1;
    tally.planted_identifiers += planted;
    tally.times_ms.push(draft.timings.total_ms);
    tally.contradictions += draft.contradictions.len();
    let input_numbers = esculape_answer::numbers(input);
    let kept = draft.sections.iter().flat_map(|section| &section.sentences);
    for sentence in kept {
        tally.output_sentences += 1;
        if sentence.verification.verified && !sentence.spans.is_empty() {
            tally.sentences_with_span += 1;
        }
        if sentence.origin == esculape_drafting::Origin::Model {
            tally.model_sentences += 1;
        }
        for number in esculape_answer::numbers(&sentence.text) {
            tally.numbers_in_output += 1;
            if esculape_answer::number_is_supported(&number, &input_numbers) {
                tally.numbers_found_in_input += 1;
            }
        }
    }
    // A flagged sentence is output too (shown as "to check"), without support.
    tally.output_sentences += draft.flagged.len();
    tally.flagged_sentences += draft.flagged.len();
    let present = sections_with_cues(document_type, input);
    for (section, present) in draft.sections.iter().zip(present) {
        if section.mandatory && present {
            tally.mandatory_items_in_input += 1;
            if !section.sentences.is_empty() {
                tally.mandatory_items_covered += 1;
            }
        }
    }
}

/// The case cut in two at the sentence boundary nearest its middle.
fn halves(text: &str) -> (String, String) {
    let middle = text.len() / 2;
    let cut = esculape_text::sentences(text)
        .into_iter()
        .map(|range| range.start)
        .filter(|&start| start > 0)
        .min_by_key(|start| start.abs_diff(middle))
        .unwrap_or(text.len());
    (
        text[..cut].trim().to_string(),
        text[cut..].trim().to_string(),
    )
}

fn percentile(sorted: &[f64], quantile: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let index = ((sorted.len() - 1) as f64 * quantile).round() as usize;
    sorted[index]
}
