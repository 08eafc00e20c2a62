//! The front of the engine: detect, resolve overlaps, replace; the [`Pseudonymized`] type
//! that only this crate builds; streaming over large inputs; re-identification.

use crate::detect::{DetectionContext, Detector, RuleDetector, resolve_overlaps};
use crate::error::{Error, Result};
use crate::label::Finding;
use crate::scope::{Mode, Scope};
use crate::surrogate::replacement;
use aho_corasick::{AhoCorasickBuilder, MatchKind};
use std::io::{Read, Write};
use std::sync::Arc;

/// How to pseudonymize: replacement mode and detectors.
#[derive(Debug, Clone)]
pub struct Config {
    pub mode: Mode,
    /// Findings below this confidence are still reported but not replaced. 0 replaces all
    /// (the default: recall first).
    pub min_confidence: f32,
    /// The detectors, run in order; their findings are merged. Default: [`RuleDetector`].
    pub detectors: Vec<Arc<dyn Detector>>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            mode: Mode::Surrogates,
            min_confidence: 0.0,
            detectors: vec![Arc::new(RuleDetector)],
        }
    }
}

/// Text in which identifiers were replaced by this crate, with the findings. Only this
/// crate can build one, so a function that takes `Pseudonymized<String>` (a model call)
/// cannot receive raw text by mistake.
pub struct Pseudonymized<T> {
    value: T,
    findings: Vec<Finding>,
    replacements: Vec<Option<std::ops::Range<usize>>>,
    scope_id: String,
}

impl<T> Pseudonymized<T> {
    /// The pseudonymized value, to send on.
    pub fn value(&self) -> &T {
        &self.value
    }

    pub fn into_value(self) -> T {
        self.value
    }

    /// What was found, with offsets into the *input* text, sorted by position.
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    /// Where each finding's replacement lies in the value (byte range), parallel to
    /// [`Pseudonymized::findings`]; `None` for a finding left in place (below
    /// [`Config::min_confidence`]).
    pub fn replacement_ranges(&self) -> &[Option<std::ops::Range<usize>>] {
        &self.replacements
    }

    /// The scope whose mapping restores this text.
    pub fn scope_id(&self) -> &str {
        &self.scope_id
    }
}

impl Pseudonymized<String> {
    /// Pieces of this pseudonymized text (byte ranges of [`Pseudonymized::value`]): still
    /// pseudonymized, so a pipeline can send a model only the part it needs. Pieces are
    /// joined by a line break (a fixed separator: no caller text can slip
    /// in). The excerpt has no findings of its own; ranges outside the text or inside a
    /// character are skipped.
    pub fn excerpt(&self, ranges: &[std::ops::Range<usize>]) -> Pseudonymized<String> {
        let pieces: Vec<&str> = ranges
            .iter()
            .filter_map(|range| self.value.get(range.clone()))
            .collect();
        Pseudonymized {
            value: pieces.join("\n"),
            findings: Vec::new(),
            replacements: Vec::new(),
            scope_id: self.scope_id.clone(),
        }
    }
}

impl<T> std::fmt::Debug for Pseudonymized<T> {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Pseudonymized")
            .field("value", &"[redacted]")
            .field("findings", &self.findings.len())
            .field("scope_id", &self.scope_id)
            .finish()
    }
}

/// Finds the identifiers of `text` without replacing anything.
pub fn detect(text: &str, scope: &Scope, config: &Config) -> Result<Vec<Finding>> {
    if config.detectors.is_empty() {
        // No detector would let raw text through as "pseudonymized": fail closed.
        return Err(Error::Detector {
            detector: "config",
            reason: "no detector is configured".to_string(),
        });
    }
    let context = DetectionContext::with_known_names(&scope.known_names);
    let mut findings = Vec::new();
    for detector in &config.detectors {
        let mut found = detector.detect(text, &context)?;
        for finding in &mut found {
            if finding.end > text.len()
                || finding.start > finding.end
                || !text.is_char_boundary(finding.start)
                || !text.is_char_boundary(finding.end)
            {
                return Err(Error::Detector {
                    detector: detector.name(),
                    reason: "a finding's offsets fall outside the text or inside a character"
                        .to_string(),
                });
            }
            finding.detector = detector.name();
        }
        findings.extend(found);
    }
    let mut findings = resolve_overlaps(findings);
    fill_char_offsets(text, &mut findings);
    Ok(findings)
}

/// Replaces every identifier of `text` with its surrogate (or placeholder) in `scope`: the
/// same original gets the same replacement throughout the scope.
pub fn pseudonymize(
    text: &str,
    scope: &mut Scope,
    config: &Config,
) -> Result<Pseudonymized<String>> {
    let findings = detect(text, scope, config)?;
    let mut output = String::with_capacity(text.len() + text.len() / 8);
    let mut replacements = Vec::with_capacity(findings.len());
    let mut position = 0;
    for finding in &findings {
        if finding.confidence < config.min_confidence {
            replacements.push(None);
            continue;
        }
        output.push_str(&text[position..finding.start]);
        let start = output.len();
        output.push_str(&replacement(
            scope,
            finding.label,
            &text[finding.start..finding.end],
            config.mode,
        ));
        replacements.push(Some(start..output.len()));
        position = finding.end;
    }
    output.push_str(&text[position..]);
    tracing::debug!(
        findings = findings.len(),
        bytes = text.len(),
        "pseudonymized"
    );
    Ok(Pseudonymized {
        value: output,
        findings,
        replacements,
        scope_id: scope.id().to_string(),
    })
}

/// What a streaming run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StreamReport {
    pub bytes_in: u64,
    pub bytes_out: u64,
    pub chunks: u64,
    pub findings: u64,
}

/// Largest piece processed at once; pieces end at a line break when there is one.
pub const CHUNK_BYTES: usize = 1 << 20;

/// Pseudonymizes `reader` into `writer` piece by piece, in memory bounded by
/// [`CHUNK_BYTES`] (plus the scope's mapping). `on_findings` receives each piece's
/// findings with offsets into the whole input. Invalid UTF-8 stops the run with its offset.
pub fn pseudonymize_stream(
    mut reader: impl Read,
    mut writer: impl Write,
    scope: &mut Scope,
    config: &Config,
    mut on_findings: impl FnMut(&[Finding]),
) -> Result<StreamReport> {
    let mut report = StreamReport::default();
    let mut buffer: Vec<u8> = Vec::with_capacity(CHUNK_BYTES + 4096);
    let mut chars_before: u64 = 0;
    let mut at_end = false;
    while !at_end || !buffer.is_empty() {
        // Fill the buffer up to one chunk.
        while !at_end && buffer.len() < CHUNK_BYTES {
            let mut block = [0u8; 64 * 1024];
            let wanted = (CHUNK_BYTES - buffer.len()).min(block.len());
            match reader.read(&mut block[..wanted]) {
                Ok(0) => at_end = true,
                Ok(read) => buffer.extend_from_slice(&block[..read]),
                Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
                Err(error) => return Err(Error::Read(error)),
            }
        }
        let cut = if at_end {
            buffer.len()
        } else {
            cut_point(&buffer)
        };
        let piece = match std::str::from_utf8(&buffer[..cut]) {
            Ok(piece) => piece,
            Err(error) if error.error_len().is_none() && !at_end => {
                // A character split by the cut: keep its start for the next piece.
                std::str::from_utf8(&buffer[..error.valid_up_to()]).expect("valid prefix")
            }
            Err(error) => {
                return Err(Error::InvalidUtf8 {
                    byte_offset: report.bytes_in + error.valid_up_to() as u64,
                });
            }
        };
        let piece_len = piece.len();
        if piece_len == 0 && !at_end {
            return Err(Error::InvalidUtf8 {
                byte_offset: report.bytes_in,
            });
        }
        let pseudonymized = pseudonymize(piece, scope, config)?;
        let mut findings = pseudonymized.findings.clone();
        for finding in &mut findings {
            finding.start += report.bytes_in as usize;
            finding.end += report.bytes_in as usize;
            finding.start_char += chars_before as usize;
            finding.end_char += chars_before as usize;
        }
        on_findings(&findings);
        writer
            .write_all(pseudonymized.value.as_bytes())
            .map_err(Error::Write)?;
        chars_before += piece.chars().count() as u64;
        report.bytes_in += piece_len as u64;
        report.bytes_out += pseudonymized.value.len() as u64;
        report.findings += findings.len() as u64;
        report.chunks += 1;
        buffer.drain(..piece_len);
        if at_end && piece_len == 0 {
            break;
        }
    }
    writer.flush().map_err(Error::Write)?;
    Ok(report)
}

/// Where to end a full buffer: after its last line break, else its last space, else
/// anywhere (the UTF-8 check then keeps a split character for the next piece).
fn cut_point(buffer: &[u8]) -> usize {
    let search_from = buffer.len().saturating_sub(CHUNK_BYTES / 2);
    if let Some(position) = buffer[search_from..]
        .iter()
        .rposition(|&byte| byte == b'\n')
    {
        return search_from + position + 1;
    }
    if let Some(position) = buffer[search_from..].iter().rposition(|&byte| byte == b' ') {
        return search_from + position + 1;
    }
    buffer.len()
}

/// Puts the originals back into `model_output` in place of the surrogates (or
/// placeholders) of `scope`, for the clinician. Whole words only; longest match first.
pub fn reidentify(model_output: &str, scope: &Scope) -> String {
    let pairs: Vec<(&str, &str)> = scope
        .surrogate_pairs()
        .filter(|(surrogate, _)| !surrogate.is_empty())
        .collect();
    if pairs.is_empty() {
        return model_output.to_string();
    }
    let automaton = AhoCorasickBuilder::new()
        .match_kind(MatchKind::LeftmostLongest)
        .build(pairs.iter().map(|(surrogate, _)| surrogate))
        .expect("surrogates are plain strings");
    let mut output = String::with_capacity(model_output.len());
    let mut position = 0;
    for found in automaton.find_iter(model_output) {
        let before_ok = model_output[..found.start()]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        let after_ok = model_output[found.end()..]
            .chars()
            .next()
            .is_none_or(|c| !c.is_alphanumeric());
        if !(before_ok && after_ok) {
            continue;
        }
        output.push_str(&model_output[position..found.start()]);
        output.push_str(pairs[found.pattern().as_usize()].1);
        position = found.end();
    }
    output.push_str(&model_output[position..]);
    output
}

fn fill_char_offsets(text: &str, findings: &mut [Finding]) {
    let mut byte = 0;
    let mut chars = 0;
    let mut advance = |target: usize| {
        chars += text[byte..target].chars().count();
        byte = target;
        chars
    };
    // Findings are sorted and disjoint, so one pass suffices.
    for finding in findings.iter_mut() {
        finding.start_char = advance(finding.start);
        finding.end_char = advance(finding.end);
    }
}
