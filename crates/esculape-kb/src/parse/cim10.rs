//! CIM-10 FR labels (ATIH), CSV `code,type,ssr,psy,short,long` with codes without dots,
//! as packaged by edsnlp: one document per three-character category with its sub-codes.

use crate::decode::decode_text;
use crate::document::{Document, Finding, Heading};
use crate::error::{Result, io_error};
use crate::parse::{PackFacts, Sink};
use esculape_text::Language;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Read;
use std::path::Path;

pub(crate) fn parse(
    folder: &Path,
    sink: &mut Sink<'_>,
    findings: &mut Vec<Finding>,
) -> Result<PackFacts> {
    let path = folder.join("cim10.csv.gz");
    let compressed = std::fs::read(&path).map_err(io_error("read", &path))?;
    let mut bytes = Vec::new();
    if let Err(error) = flate2::read::GzDecoder::new(&compressed[..]).read_to_end(&mut bytes) {
        findings.push(Finding::skipped(
            "cim10.csv.gz",
            format!("not a valid gzip file: {error}"),
        ));
        return Ok(PackFacts::default());
    }
    let (text, _) = decode_text(&bytes);
    let mut categories: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for (line_index, line) in text.lines().enumerate().skip(1) {
        let fields = csv_fields(line);
        let (Some(code), Some(label)) = (fields.first(), fields.get(5)) else {
            if !line.trim().is_empty() {
                findings.push(Finding::skipped(
                    format!("cim10.csv.gz line {}", line_index + 1),
                    "expected 6 comma-separated fields",
                ));
            }
            continue;
        };
        if code.len() < 3 {
            continue;
        }
        categories
            .entry(code[..3].to_string())
            .or_default()
            .push((code.clone(), label.clone()));
    }
    for (category, mut codes) in categories {
        codes.sort();
        let category_label = codes
            .iter()
            .find(|(code, _)| *code == category)
            .map(|(_, label)| label.clone())
            .unwrap_or_else(|| codes[0].1.clone());
        let title = format!("CIM-10 {category} — {category_label}");
        let mut text = String::new();
        let _ = writeln!(text, "{title}");
        for (code, label) in codes.iter().filter(|(code, _)| *code != category) {
            let _ = writeln!(text, "- {} {label}", dotted(code));
        }
        sink(Document {
            key: category.clone(),
            title: title.clone(),
            text,
            headings: vec![Heading {
                offset: 0,
                level: 1,
                title,
            }],
            url: None,
            language: Language::French,
            date: None,
            licence: None,
        })?;
    }
    Ok(PackFacts::default())
}

/// "I109" -> "I10.9"; three-character codes stay as they are.
fn dotted(code: &str) -> String {
    if code.len() > 3 && code.is_char_boundary(3) {
        format!("{}.{}", &code[..3], &code[3..])
    } else {
        code.to_string()
    }
}

/// Splits one CSV line (RFC 4180 quoting, no embedded newlines).
pub(crate) fn csv_fields(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut characters = line.trim_end_matches('\r').chars().peekable();
    while let Some(character) = characters.next() {
        match (character, quoted) {
            ('"', true) if characters.peek() == Some(&'"') => {
                current.push('"');
                characters.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(std::mem::take(&mut current)),
            _ => current.push(character),
        }
    }
    fields.push(current);
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_commas() {
        assert_eq!(
            csv_fields(
                r#"A000,0,NOOO,0,"CHOLERA A VIBRIO, BIOVAR","Choléra à ""Vibrio"", biovar""#
            ),
            [
                "A000",
                "0",
                "NOOO",
                "0",
                "CHOLERA A VIBRIO, BIOVAR",
                "Choléra à \"Vibrio\", biovar"
            ]
        );
    }

    #[test]
    fn codes_get_their_dot() {
        assert_eq!(dotted("I109"), "I10.9");
        assert_eq!(dotted("I10"), "I10");
    }
}
