//! JSON Lines sources: MedQuAD answers, PAMJ clinical cases, and generic JSONL documents.

use crate::document::{Document, Finding, Heading};
use crate::error::{Result, io_error};
use crate::parse::{PackFacts, Sink, iso_date};
use esculape_text::Language;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::Path;

/// Calls `each` with every JSON object of a JSONL file; bad lines become findings.
pub(crate) fn for_each_object(
    path: &Path,
    subject: &str,
    findings: &mut Vec<Finding>,
    mut each: impl FnMut(usize, serde_json::Map<String, Value>, &mut Vec<Finding>) -> Result<()>,
) -> Result<()> {
    let file = std::fs::File::open(path).map_err(io_error("open", path))?;
    let mut reader = BufReader::new(file);
    let mut buffer = Vec::new();
    let mut line_number = 0;
    loop {
        buffer.clear();
        let read = reader
            .read_until(b'\n', &mut buffer)
            .map_err(io_error("read", path))?;
        if read == 0 {
            break;
        }
        line_number += 1;
        let Ok(line) = std::str::from_utf8(&buffer) else {
            findings.push(Finding::skipped(
                format!("{subject} line {line_number}"),
                "not valid UTF-8; re-save the file as UTF-8",
            ));
            continue;
        };
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Value>(line) {
            Ok(Value::Object(object)) => each(line_number, object, findings)?,
            Ok(_) => findings.push(Finding::skipped(
                format!("{subject} line {line_number}"),
                "not a JSON object",
            )),
            Err(error) => findings.push(Finding::skipped(
                format!("{subject} line {line_number}"),
                format!("invalid JSON: {error}"),
            )),
        }
    }
    Ok(())
}

fn string(object: &serde_json::Map<String, Value>, key: &str) -> Option<String> {
    match object.get(key)? {
        Value::String(text) if !text.trim().is_empty() => Some(text.trim().to_string()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

pub(crate) fn parse_medquad(
    path: &Path,
    sink: &mut Sink<'_>,
    findings: &mut Vec<Finding>,
) -> Result<PackFacts> {
    for_each_object(path, "medquad.jsonl", findings, |line, object, findings| {
        let (Some(qid), Some(question)) = (string(&object, "qid"), string(&object, "question"))
        else {
            findings.push(Finding::skipped(
                format!("medquad.jsonl line {line}"),
                "no `qid` or `question`",
            ));
            return Ok(());
        };
        // MedlinePlus subsets ship without answers (licence): nothing to cite.
        let Some(answer) = string(&object, "answer") else {
            return Ok(());
        };
        let focus = string(&object, "focus").unwrap_or_default();
        // The answer identifiers of the MedQuAD distribution and of the TREC LiveQA-Med
        // judgements: `<source>_<document>_Sec<n>`, n being the question's number.
        let source = string(&object, "source").unwrap_or_else(|| "MedQuAD".into());
        let document = string(&object, "doc_id")
            .unwrap_or_else(|| qid.split('-').next().unwrap_or(&qid).to_string());
        let section = qid.rsplit('-').next().unwrap_or("0");
        let key = format!("{source}_{document}_Sec{section}");
        let text = format!("{question}\n\n{answer}\n");
        let headings = if focus.is_empty() {
            Vec::new()
        } else {
            vec![Heading {
                offset: 0,
                level: 1,
                title: focus,
            }]
        };
        sink(Document {
            key,
            title: question,
            text,
            headings,
            url: string(&object, "url"),
            language: Language::English,
            date: None,
            licence: None,
        })
    })?;
    Ok(PackFacts::default())
}

pub(crate) fn parse_pamj(
    path: &Path,
    sink: &mut Sink<'_>,
    findings: &mut Vec<Finding>,
) -> Result<PackFacts> {
    let mut latest: Option<String> = None;
    for_each_object(
        path,
        "pamj_clinical_cases_fr.jsonl",
        findings,
        |line, object, findings| {
            let (Some(key), Some(text)) = (string(&object, "id"), string(&object, "text")) else {
                findings.push(Finding::skipped(
                    format!("pamj_clinical_cases_fr.jsonl line {line}"),
                    "no `id` or `text`",
                ));
                return Ok(());
            };
            let date = string(&object, "publication_date").and_then(|date| iso_date(&date));
            if let Some(date) = &date
                && latest.as_ref().is_none_or(|latest| date > latest)
            {
                latest = Some(date.clone());
            }
            let doi = string(&object, "doi").unwrap_or_default();
            let title = format!(
                "Cas clinique PAMJ {}",
                if doi.is_empty() {
                    key.as_str()
                } else {
                    doi.as_str()
                }
            );
            let language = string(&object, "language")
                .and_then(|code| Language::from_code(&code))
                .unwrap_or(Language::French);
            sink(Document {
                key,
                title,
                text: format!("{text}\n"),
                headings: Vec::new(),
                url: string(&object, "url")
                    .or_else(|| (!doi.is_empty()).then(|| format!("https://doi.org/{doi}"))),
                language,
                date,
                licence: string(&object, "licence"),
            })
        },
    )?;
    Ok(PackFacts {
        version: latest.clone(),
        published: latest,
    })
}

/// A generic JSONL file of a local pack: one document per line with `text` (or `content`,
/// `body`) and optional `id`, `title`, `url`, `date`, `language`, `licence`.
pub(crate) fn parse_generic(
    path: &Path,
    relative: &str,
    default_language: Language,
    sink: &mut Sink<'_>,
    findings: &mut Vec<Finding>,
) -> Result<()> {
    for_each_object(path, relative, findings, |line, object, findings| {
        let Some(text) = string(&object, "text")
            .or_else(|| string(&object, "content"))
            .or_else(|| string(&object, "body"))
        else {
            findings.push(Finding::skipped(
                format!("{relative} line {line}"),
                "no `text`, `content` or `body` field",
            ));
            return Ok(());
        };
        let key = format!(
            "{relative}#{}",
            string(&object, "id").unwrap_or_else(|| line.to_string())
        );
        let title = string(&object, "title").unwrap_or_else(|| key.clone());
        let language = string(&object, "language")
            .and_then(|code| Language::from_code(&code))
            .or_else(|| esculape_text::guess_language(&text))
            .unwrap_or(default_language);
        sink(Document {
            key,
            title,
            text,
            headings: Vec::new(),
            url: string(&object, "url"),
            language,
            date: string(&object, "date").and_then(|date| iso_date(&date)),
            licence: string(&object, "licence"),
        })
    })
}
