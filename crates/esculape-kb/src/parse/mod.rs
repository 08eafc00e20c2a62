//! Parsers: a pack's fetched files in, documents and findings out.
//!
//! A parser streams documents to a sink so that large packs are never held in memory
//! whole, and reports odd input as [`Finding`]s instead of failing the pack.

mod ansm;
pub mod bdpm;
mod cim10;
mod jsonl;
mod local;

use crate::document::{Document, Finding};
use crate::error::Result;
use crate::pack::{PackSpec, ParserKind};
use std::path::Path;

/// Limits that protect the indexer from unreasonable input.
#[derive(Debug, Clone)]
pub struct ParseLimits {
    /// Files larger than this are skipped with a finding.
    pub max_file_bytes: u64,
}

impl Default for ParseLimits {
    fn default() -> Self {
        ParseLimits {
            max_file_bytes: 512 << 20,
        }
    }
}

/// What a parser learnt about the pack as a whole.
#[derive(Debug, Default, Clone)]
pub(crate) struct PackFacts {
    /// The publisher's version, when the data says it.
    pub version: Option<String>,
    /// Publication date of this version (`YYYY-MM-DD`), when the data says it.
    pub published: Option<String>,
}

/// Where parsed documents go.
pub(crate) type Sink<'a> = dyn FnMut(Document) -> Result<()> + 'a;

/// Parses the files of `spec` found in `folder`.
pub(crate) fn parse_pack(
    spec: &PackSpec,
    folder: &Path,
    limits: &ParseLimits,
    sink: &mut Sink<'_>,
    findings: &mut Vec<Finding>,
) -> Result<PackFacts> {
    match spec.parser {
        ParserKind::Bdpm => bdpm::parse(folder, sink, findings),
        ParserKind::AnsmInteractions => ansm::parse(folder, sink, findings),
        ParserKind::Cim10 => cim10::parse(folder, sink, findings),
        ParserKind::Medquad => jsonl::parse_medquad(&folder.join("medquad.jsonl"), sink, findings),
        ParserKind::PamjCases => {
            jsonl::parse_pamj(&folder.join("pamj_clinical_cases_fr.jsonl"), sink, findings)
        }
        ParserKind::LocalFolder => local::parse(folder, spec.language, limits, sink, findings),
    }
}

/// Joins hard-wrapped lines (a line ending in a space continues on the next one), as in
/// text extracted from PDF tables.
pub(crate) fn unwrap_soft_breaks(text: &str) -> String {
    text.replace(" \r\n", " ").replace(" \n", " ")
}

/// `dd/mm/yyyy` or `yyyymmdd` to `yyyy-mm-dd`; `None` when the input is not a date.
pub(crate) fn iso_date(text: &str) -> Option<String> {
    let text = text.trim();
    let (year, month, day) = if let [day, month, year] = text.split('/').collect::<Vec<_>>()[..] {
        (year.to_string(), month.to_string(), day.to_string())
    } else if text.len() == 8 && text.bytes().all(|byte| byte.is_ascii_digit()) {
        (
            text[..4].to_string(),
            text[4..6].to_string(),
            text[6..].to_string(),
        )
    } else if text.len() == 10 && text.as_bytes()[4] == b'-' && text.as_bytes()[7] == b'-' {
        (
            text[..4].to_string(),
            text[5..7].to_string(),
            text[8..].to_string(),
        )
    } else {
        return None;
    };
    let year: u32 = year.parse().ok()?;
    let month: u32 = month.parse().ok()?;
    let day: u32 = day.parse().ok()?;
    if !(1900..=2200).contains(&year) || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    Some(format!("{year:04}-{month:02}-{day:02}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_french_and_compact_forms() {
        assert_eq!(iso_date("12/03/1998").as_deref(), Some("1998-03-12"));
        assert_eq!(iso_date("20201202").as_deref(), Some("2020-12-02"));
        assert_eq!(iso_date("2010-03-15").as_deref(), Some("2010-03-15"));
        assert_eq!(iso_date("31/13/2020"), None);
        assert_eq!(iso_date("hier"), None);
    }

    #[test]
    fn soft_breaks_are_joined() {
        assert_eq!(unwrap_soft_breaks("par prise \net/ou"), "par prise et/ou");
        assert_eq!(unwrap_soft_breaks("fin.\nDébut"), "fin.\nDébut");
    }
}
