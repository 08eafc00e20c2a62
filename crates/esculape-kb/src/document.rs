//! Documents as parsers produce them, and what a parser reports about its input.

use esculape_text::Language;
use serde::{Deserialize, Serialize};

/// One document of a source pack: its extracted text and where it comes from.
/// Offsets in `headings` are byte offsets into `text`.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// Unique within the pack and stable across versions (a CIS code, a file path, an id).
    pub key: String,
    pub title: String,
    pub text: String,
    /// Section starts, in increasing offset order.
    pub headings: Vec<Heading>,
    pub url: Option<String>,
    pub language: Language,
    /// Publication or revision date, `YYYY-MM-DD`.
    pub date: Option<String>,
    /// Per-document licence, when it differs from the pack's.
    pub licence: Option<String>,
}

impl Document {
    /// A document with no sections, address, date or licence of its own.
    pub fn new(
        key: impl Into<String>,
        title: impl Into<String>,
        text: impl Into<String>,
        language: Language,
    ) -> Document {
        Document {
            key: key.into(),
            title: title.into(),
            text: text.into(),
            headings: Vec::new(),
            url: None,
            language,
            date: None,
            licence: None,
        }
    }
}

/// A section heading inside a document's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    /// Byte offset of the heading line in the document text.
    pub offset: usize,
    /// 1 for a top-level section.
    pub level: u8,
    pub title: String,
}

/// Something a parser noticed about one input file or record: the rest goes on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The file (relative to the pack's root) or record the finding is about.
    pub subject: String,
    pub severity: Severity,
    pub message: String,
}

/// How bad a [`Finding`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; the input was used (for example decoded as Windows-1252).
    Note,
    /// The file or record was skipped.
    Skipped,
}

impl Finding {
    pub(crate) fn note(subject: impl Into<String>, message: impl Into<String>) -> Finding {
        Finding {
            subject: subject.into(),
            severity: Severity::Note,
            message: message.into(),
        }
    }

    pub(crate) fn skipped(subject: impl Into<String>, message: impl Into<String>) -> Finding {
        Finding {
            subject: subject.into(),
            severity: Severity::Skipped,
            message: message.into(),
        }
    }
}
