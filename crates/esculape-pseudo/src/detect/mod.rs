//! Detection: the [`Detector`] trait and the default rule detectors.
//!
//! The rules run with the `regex` crate (linear time in the text's length) and Aho-Corasick
//! automata for word lists, so no input can make them take super-linear time. Patterns
//! that match in few lines are first checked all together, line by line, in one pass
//! ([`line_hits`]); each then searches only the lines where it matches. The context phrase
//! lists are found together by one automaton ([`context_phrases`]). Overlapping findings
//! are resolved by [`resolve_overlaps`].

mod context_phrases;
mod dates;
mod line_hits;
mod names;
mod number_words;
mod places;
mod structured;
mod words;

pub use dates::{ParsedDate, parse_date};

use crate::error::Result;
use crate::label::{Finding, Label};
use std::collections::HashMap;

/// What the detectors know beyond the text: names already found in the same scope, so
/// that "Dupont" is found again in a later chunk or message.
#[derive(Debug, Default)]
pub struct DetectionContext<'a> {
    known_names: Option<&'a HashMap<String, Label>>,
}

impl<'a> DetectionContext<'a> {
    /// A context knowing the folded names of `known_names`.
    pub fn with_known_names(known_names: &'a HashMap<String, Label>) -> DetectionContext<'a> {
        DetectionContext {
            known_names: Some(known_names),
        }
    }

    /// The label of a folded name already found in this scope.
    pub fn known_name(&self, folded: &str) -> Option<Label> {
        self.known_names
            .and_then(|names| names.get(folded).copied())
    }
}

/// Something that finds identifiers in a text. An error fails the whole request (fail
/// closed): a detector that cannot run must say so rather than return nothing.
///
/// A statistical model plugs in here; [`RuleDetector`] is the default.
pub trait Detector: Send + Sync + std::fmt::Debug {
    /// A short name, recorded in each finding.
    fn name(&self) -> &'static str;

    /// Findings in `text` (byte offsets; character offsets may be left at zero).
    fn detect(&self, text: &str, context: &DetectionContext<'_>) -> Result<Vec<Finding>>;
}

/// The rule detectors: validated patterns (NIR, IBAN, cards, phones, e-mails, URLs, IP
/// addresses, dates), context rules (IPP, NDA, RPPS, ADELI, FINESS, ages over 89),
/// addresses, postcodes, cities, hospitals, and names from titles, gazetteers and layout.
#[derive(Debug, Default, Clone, Copy)]
pub struct RuleDetector;

impl Detector for RuleDetector {
    fn name(&self) -> &'static str {
        "rules"
    }

    fn detect(&self, text: &str, context: &DetectionContext<'_>) -> Result<Vec<Finding>> {
        let mut findings = Vec::new();
        let lines = line_hits::LineHits::new(text);
        let contexts = context_phrases::ContextPhrases::new(text);
        structured::detect(text, &lines, &contexts, &mut findings);
        dates::detect(text, &lines, &contexts, &mut findings);
        places::detect(text, &lines, &contexts, &mut findings);
        names::detect(text, context, &contexts, &mut findings);
        Ok(findings)
    }
}

/// Keeps one finding per stretch of text: structured identifiers win over places, places
/// over names; then the longer, then the more confident. Returns findings sorted by start.
pub fn resolve_overlaps(mut findings: Vec<Finding>) -> Vec<Finding> {
    findings.retain(|finding| finding.start < finding.end);
    sort_by_preference(&mut findings);
    let span_start = findings
        .iter()
        .map(|finding| finding.start)
        .min()
        .unwrap_or(0);
    let span_end = findings
        .iter()
        .map(|finding| finding.end)
        .max()
        .unwrap_or(0);
    if span_end - span_start > MAX_BITMAP_SPAN_BYTES {
        return keep_disjoint_in_map(findings);
    }
    // Kept findings never overlap, so a byte belongs to at most one: a finding is kept when
    // none of its bytes is taken yet.
    let mut taken = vec![false; span_end - span_start];
    let mut kept: Vec<Finding> = Vec::with_capacity(findings.len());
    for finding in findings {
        let bytes = &mut taken[finding.start - span_start..finding.end - span_start];
        if !bytes.contains(&true) {
            bytes.fill(true);
            kept.push(finding);
        }
    }
    // Starts are distinct: kept findings are disjoint and not empty.
    kept.sort_unstable_by_key(|finding| finding.start);
    kept
}

/// The order in which findings claim their bytes: by label priority, then the longer, then
/// the more confident, then the earlier.
fn sort_by_preference(findings: &mut [Finding]) {
    findings.sort_by(|left, right| {
        priority(right.label)
            .cmp(&priority(left.label))
            .then((right.end - right.start).cmp(&(left.end - left.start)))
            .then(right.confidence.total_cmp(&left.confidence))
            .then(left.start.cmp(&right.start))
    });
}

/// Findings spread over more bytes than this are resolved with an ordered map instead of
/// a byte map, whose memory would follow the span.
const MAX_BITMAP_SPAN_BYTES: usize = 64 << 20;

/// The same choice as [`resolve_overlaps`] makes with its byte map, for findings spread
/// over a large span (`findings` sorted by preference, none empty).
fn keep_disjoint_in_map(findings: Vec<Finding>) -> Vec<Finding> {
    let mut kept: std::collections::BTreeMap<usize, Finding> = std::collections::BTreeMap::new();
    for finding in findings {
        let overlaps_before = kept
            .range(..finding.end)
            .next_back()
            .is_some_and(|(_, other)| other.end > finding.start);
        if !overlaps_before {
            kept.insert(finding.start, finding);
        }
    }
    kept.into_values().collect()
}

fn priority(label: Label) -> u8 {
    match label {
        Label::Nir | Label::Iban | Label::CardNumber | Label::Email | Label::Url => 9,
        Label::Ipp | Label::Nda | Label::Rpps | Label::Adeli | Label::Finess => 8,
        Label::Phone | Label::IpAddress => 7,
        Label::BirthDate | Label::Date | Label::Age => 6,
        Label::OtherId => 5,
        Label::Address => 4,
        Label::Hospital => 3,
        Label::Postcode => 3,
        // A city after its postcode beats a word in capitals taken for a surname; a lone
        // gazetteer word goes to the more confident reading.
        Label::LastName | Label::FirstName | Label::City => 2,
        Label::Country => 1,
    }
}

/// `count` texts of 0 to `longest - 1` characters drawn from `alphabet` by a fixed linear
/// congruential sequence (reproducible, no dependency), for tests that compare a fast
/// scanner with its reference.
#[cfg(test)]
pub(crate) fn random_texts(alphabet: &str, seed: u64, count: usize, longest: usize) -> Vec<String> {
    let alphabet: Vec<char> = alphabet.chars().collect();
    let mut state = seed;
    (0..count)
        .map(|n| {
            (0..n % longest)
                .map(|_| {
                    state = state
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1_442_695_040_888_963_407);
                    alphabet[(state >> 33) as usize % alphabet.len()]
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{keep_disjoint_in_map, resolve_overlaps, sort_by_preference};
    use crate::label::{Finding, Label};

    #[test]
    fn byte_map_and_ordered_map_keep_the_same_findings() {
        let labels = [
            Label::Date,
            Label::LastName,
            Label::City,
            Label::Phone,
            Label::Nir,
        ];
        let mut state = 7u64;
        let mut next = |below: u64| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            (state >> 33) % below
        };
        for round in 0..200 {
            let findings: Vec<Finding> = (0..round % 40)
                .map(|_| {
                    let start = next(300) as usize;
                    let end = start + next(12) as usize;
                    let label = labels[next(labels.len() as u64) as usize];
                    Finding::new(label, start, end, 0.5 + next(3) as f32 / 10.0)
                })
                .collect();
            let by_bytes = resolve_overlaps(findings.clone());
            let mut sorted: Vec<Finding> = findings
                .into_iter()
                .filter(|finding| finding.start < finding.end)
                .collect();
            sort_by_preference(&mut sorted);
            let by_map = keep_disjoint_in_map(sorted);
            let spans = |findings: &[Finding]| -> Vec<(usize, usize, Label)> {
                findings.iter().map(|f| (f.start, f.end, f.label)).collect()
            };
            assert_eq!(spans(&by_bytes), spans(&by_map));
        }
    }
}
