//! A folder of the site's own documents (protocols, procedures): Markdown, HTML, PDF,
//! plain text and JSONL. Each file is handled on its own: a bad file becomes a finding
//! and the rest goes on.

use crate::decode::{Encoding, decode_text};
use crate::document::{Document, Finding, Heading};
use crate::error::{Result, io_error};
use crate::fetch::walk_files;
use crate::parse::{PackFacts, ParseLimits, Sink, jsonl};
use esculape_text::Language;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::Path;

pub(crate) fn parse(
    folder: &Path,
    default_language: Language,
    limits: &ParseLimits,
    sink: &mut Sink<'_>,
    findings: &mut Vec<Finding>,
) -> Result<PackFacts> {
    // Text hash -> first file with that text, to report duplicates.
    let mut seen: HashMap<[u8; 32], String> = HashMap::new();
    for path in walk_files(folder)? {
        let relative = path
            .strip_prefix(folder)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace('\\', "/");
        let size = std::fs::metadata(&path)
            .map_err(io_error("inspect", &path))?
            .len();
        if size == 0 {
            findings.push(Finding::skipped(&relative, "empty file"));
            continue;
        }
        if size > limits.max_file_bytes {
            findings.push(Finding::skipped(
                &relative,
                format!(
                    "file of {} MB is over the {} MB limit (kb.max_file_mb); split it",
                    size >> 20,
                    limits.max_file_bytes >> 20
                ),
            ));
            continue;
        }
        let extension = path
            .extension()
            .map(|extension| extension.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        if extension == "jsonl" {
            jsonl::parse_generic(&path, &relative, default_language, sink, findings)?;
            continue;
        }
        let bytes = std::fs::read(&path).map_err(io_error("read", &path))?;
        let extracted = match extension.as_str() {
            "md" | "markdown" => text_file(&bytes, &relative, findings).map(|text| markdown(&text)),
            "txt" | "text" => text_file(&bytes, &relative, findings).map(|text| (text, Vec::new())),
            "html" | "htm" => html(&bytes, &relative, findings),
            "pdf" => pdf(&bytes, &relative, findings),
            _ => {
                findings.push(Finding::skipped(
                    &relative,
                    "unsupported file type (use .md, .html, .pdf, .txt or .jsonl)",
                ));
                None
            }
        };
        let Some((text, headings)) = extracted else {
            continue;
        };
        if text.trim().is_empty() {
            findings.push(Finding::skipped(
                &relative,
                "no text could be extracted (a scanned PDF needs OCR first)",
            ));
            continue;
        }
        let digest: [u8; 32] = Sha256::digest(text.as_bytes()).into();
        if let Some(first) = seen.get(&digest) {
            findings.push(Finding::skipped(
                &relative,
                format!("same text as `{first}`: indexed once"),
            ));
            continue;
        }
        seen.insert(digest, relative.clone());
        let title = headings
            .first()
            .map(|heading| heading.title.clone())
            .unwrap_or_else(|| {
                path.file_stem()
                    .map(|stem| stem.to_string_lossy().to_string())
                    .unwrap_or_else(|| relative.clone())
            });
        let language = esculape_text::guess_language(&text).unwrap_or(default_language);
        sink(Document {
            key: relative.clone(),
            title,
            text,
            headings,
            url: Some(format!("file://{}", path.display())),
            language,
            date: modified_date(&path),
            licence: None,
        })?;
    }
    Ok(PackFacts::default())
}

fn text_file(bytes: &[u8], relative: &str, findings: &mut Vec<Finding>) -> Option<String> {
    let (text, encoding) = decode_text(bytes);
    match encoding {
        Encoding::Windows1252 => findings.push(Finding::note(
            relative,
            "not UTF-8: decoded as Windows-1252; check accents in the result",
        )),
        Encoding::Utf16 => findings.push(Finding::note(relative, "decoded as UTF-16")),
        Encoding::Utf8 => {}
    }
    if text.contains('\0') {
        findings.push(Finding::skipped(relative, "binary content in a text file"));
        return None;
    }
    Some(text)
}

/// Markdown to text and headings: `#` markers are removed from heading lines, the rest is
/// kept as written.
pub(crate) fn markdown(source: &str) -> (String, Vec<Heading>) {
    let mut text = String::with_capacity(source.len());
    let mut headings = Vec::new();
    let mut in_code_block = false;
    for line in source.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") {
            in_code_block = !in_code_block;
        }
        let level = trimmed.bytes().take_while(|&byte| byte == b'#').count();
        if !in_code_block && (1..=6).contains(&level) && trimmed[level..].starts_with([' ', '\t']) {
            let title = trimmed[level..]
                .trim()
                .trim_end_matches('#')
                .trim()
                .to_string();
            if !title.is_empty() {
                if !text.is_empty() && !text.ends_with("\n\n") {
                    text.push('\n');
                }
                headings.push(Heading {
                    offset: text.len(),
                    level: level as u8,
                    title: title.clone(),
                });
                text.push_str(&title);
                text.push('\n');
                continue;
            }
        }
        text.push_str(line);
    }
    (text, headings)
}

fn html(
    bytes: &[u8],
    relative: &str,
    findings: &mut Vec<Finding>,
) -> Option<(String, Vec<Heading>)> {
    let (source, _) = decode_text(bytes);
    match html2text::from_read(source.as_bytes(), 10_000) {
        Ok(rendered) => Some(markdown(&rendered)),
        Err(error) => {
            findings.push(Finding::skipped(
                relative,
                format!("unreadable HTML: {error}"),
            ));
            None
        }
    }
}

fn pdf(
    bytes: &[u8],
    relative: &str,
    findings: &mut Vec<Finding>,
) -> Option<(String, Vec<Heading>)> {
    // A malformed PDF must not take the whole pack down, even if the parser panics.
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(
        || -> std::result::Result<String, String> {
            let document = lopdf::Document::load_mem(bytes).map_err(|error| {
                let message = error.to_string();
                if message.to_ascii_lowercase().contains("encrypt")
                    || message.to_ascii_lowercase().contains("password")
                {
                    "encrypted PDF: save an unprotected copy".to_string()
                } else {
                    format!("corrupt or unsupported PDF ({message})")
                }
            })?;
            if document.is_encrypted() {
                return Err("encrypted PDF: save an unprotected copy".into());
            }
            let mut text = String::new();
            for page_number in document.get_pages().keys() {
                match document.extract_text(&[*page_number]) {
                    Ok(page_text) => {
                        text.push_str(page_text.trim_end());
                        text.push_str("\n\n");
                    }
                    Err(error) => {
                        return Err(format!(
                            "cannot extract the text of page {page_number} ({error})"
                        ));
                    }
                }
            }
            Ok(text)
        },
    ));
    match outcome {
        Ok(Ok(text)) => Some((text, Vec::new())),
        Ok(Err(message)) => {
            findings.push(Finding::skipped(relative, message));
            None
        }
        Err(_) => {
            findings.push(Finding::skipped(
                relative,
                "corrupt PDF: the PDF reader failed on it",
            ));
            None
        }
    }
}

fn modified_date(path: &Path) -> Option<String> {
    let modified = std::fs::metadata(path).ok()?.modified().ok()?;
    let seconds = modified
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs();
    Some(crate::time::date_from_unix(seconds))
}

#[cfg(test)]
mod tests {
    use super::markdown;

    #[test]
    fn markdown_headings_become_sections() {
        let (text, headings) = markdown(
            "# Protocole AVK\n\nIntro.\n\n## Surveillance\nINR.\n```\n# pas un titre\n```\n",
        );
        assert_eq!(headings.len(), 2);
        assert_eq!(headings[1].title, "Surveillance");
        assert!(text[headings[1].offset..].starts_with("Surveillance\n"));
        assert!(text.contains("# pas un titre"));
        assert!(!text.contains("## "));
    }
}
