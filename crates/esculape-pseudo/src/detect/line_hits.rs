//! Which whole-text patterns can match in which lines, found in one pass for all of them.
//!
//! The rule detectors run some forty patterns over the whole text; most of them match in
//! few lines (an IBAN, a date in words), yet each search reads every byte. One
//! [`RegexSet`] pass over the text tells, for every block of lines, which patterns match
//! in it; each pattern then searches only those blocks. No line pattern matches across a
//! line break or matches the empty string, so this finds exactly what a search of the
//! whole text finds: a block starts after a line break (or at the start) and ends after
//! one (or at the end), and searches inside a block see the text around it for `\b`.

use regex::{Captures, Match, Regex, RegexSet, RegexSetBuilder};
use std::ops::Range;
use std::sync::LazyLock;

/// Lines are checked together until the block holds this many bytes: one set search per
/// short line would cost more than it saves.
const MIN_BLOCK_BYTES: usize = 256;

/// A pattern's blocks closer than this are searched as one span (searching a few bytes
/// costs less than starting a search).
const JOIN_GAP_BYTES: usize = 256;

struct LinePatterns {
    regexes: Vec<&'static Regex>,
    set: RegexSet,
}

static LINE_PATTERNS: LazyLock<LinePatterns> = LazyLock::new(|| {
    let mut regexes = super::structured::line_patterns();
    regexes.extend(super::dates::line_patterns());
    regexes.extend(super::places::line_patterns());
    let set = RegexSetBuilder::new(regexes.iter().map(|regex| regex.as_str()))
        .dfa_size_limit(64 << 20)
        .build()
        .expect("the built-in patterns are valid together");
    LinePatterns { regexes, set }
});

/// The spans of one text where each line pattern may match.
pub(crate) struct LineHits<'t> {
    text: &'t str,
    /// Per line pattern, sorted disjoint spans of whole lines.
    spans: Vec<Vec<Range<usize>>>,
}

impl<'t> LineHits<'t> {
    /// Checks every block of lines of `text` against all line patterns at once.
    pub fn new(text: &'t str) -> LineHits<'t> {
        let patterns = &*LINE_PATTERNS;
        let mut spans: Vec<Vec<Range<usize>>> = vec![Vec::new(); patterns.regexes.len()];
        let mut block_start = 0;
        while block_start < text.len() {
            let mut block_end = block_start;
            while block_end < text.len() && block_end - block_start < MIN_BLOCK_BYTES {
                block_end = match text[block_end..].find('\n') {
                    Some(line_break) => block_end + line_break + 1,
                    None => text.len(),
                };
            }
            let matches = patterns.set.matches_at(&text[..block_end], block_start);
            for index in matches.iter() {
                let pattern_spans = &mut spans[index];
                match pattern_spans.last_mut() {
                    Some(last) if last.end + JOIN_GAP_BYTES >= block_start => {
                        last.end = block_end;
                    }
                    _ => pattern_spans.push(block_start..block_end),
                }
            }
            block_start = block_end;
        }
        LineHits { text, spans }
    }

    /// The spans where `regex`, one of the line patterns, may match.
    pub fn spans(&self, regex: &Regex) -> &[Range<usize>] {
        let index = LINE_PATTERNS
            .regexes
            .iter()
            .position(|pattern| std::ptr::eq(*pattern, regex))
            .expect("a registered line pattern");
        &self.spans[index]
    }

    /// The matches of `regex` in the text, as `regex.find_iter(text)` gives them.
    pub fn find_iter<'a>(&'a self, regex: &'a Regex) -> impl Iterator<Item = Match<'t>> + 'a {
        let text = self.text;
        self.spans(regex).iter().flat_map(move |span| {
            let haystack = &text[..span.end];
            let mut from = span.start;
            std::iter::from_fn(move || {
                let found = regex.find_at(haystack, from)?;
                from = found.end();
                Some(found)
            })
        })
    }

    /// The captures of `regex` in the text, as `regex.captures_iter(text)` gives them.
    pub fn captures_iter<'a>(
        &'a self,
        regex: &'a Regex,
    ) -> impl Iterator<Item = Captures<'t>> + 'a {
        let text = self.text;
        self.spans(regex).iter().flat_map(move |span| {
            let haystack = &text[..span.end];
            let mut from = span.start;
            std::iter::from_fn(move || {
                let captures = regex.captures_at(haystack, from)?;
                from = captures.get(0).expect("group 0").end();
                Some(captures)
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{LINE_PATTERNS, LineHits};

    /// Notes of every kind the rules look for, with short and long lines.
    fn sample_text() -> String {
        let lines = [
            "Mme Jeanne DUPONT, née le 03/04/1956, tél 06 12 34 56 78, IPP 8001234567",
            "Vue le 3 avril 1956 puis le 12.12.2012 et le 1er mai, April 3, 1956; 23022018",
            "Adresse : 12 rue Blaise Pascal 65000 Tarbes, CHU de Bordeaux, 75015 Paris",
            "IBAN FR76 3000 6000 0112 3456 7890 189, carte 4970 1012 3456 7890",
            "jeanne.dupont@example.fr www.example.com/page 192.168.1.12 fe80::1:2:3",
            "+33 6 12 34 56 78 (555) 123-4567 956 203 146 28BG04493 2 8 1 1 2 0 3 2",
            "âgé de 95 ans, vingt quatre août deux mille dix-sept, fin septembre 2020",
            "(2013 janvier) 2021/12/10 20 12 2003 05nov 01sep2018 dec1993 du 211017",
            "1 80 12 75 123 456 78; 123 Main Street Apt. 4, Springfield",
            "",
            "x",
        ];
        let mut text = String::new();
        for (index, line) in lines.iter().cycle().take(400).enumerate() {
            // Long lines and short ones, glued at the end of a line or not.
            text.push_str(line);
            text.push_str(if index % 7 == 0 { " " } else { "\n" });
        }
        text.push_str("12/12/2012");
        text
    }

    #[test]
    fn line_patterns_find_what_a_whole_text_search_finds() {
        let text = sample_text();
        for start in [0, 1, 37] {
            let text = &text[start..];
            let hits = LineHits::new(text);
            for regex in &LINE_PATTERNS.regexes {
                let whole: Vec<_> = regex.find_iter(text).map(|found| found.range()).collect();
                let by_lines: Vec<_> = hits.find_iter(regex).map(|found| found.range()).collect();
                assert_eq!(whole, by_lines, "{}", regex.as_str());
                let whole: Vec<_> = regex
                    .captures_iter(text)
                    .map(|captures| captures.get(0).expect("group 0").range())
                    .collect();
                let by_lines: Vec<_> = hits
                    .captures_iter(regex)
                    .map(|captures| captures.get(0).expect("group 0").range())
                    .collect();
                assert_eq!(whole, by_lines, "{}", regex.as_str());
            }
        }
    }

    #[test]
    fn no_line_pattern_matches_a_line_break_or_nothing() {
        let text = sample_text();
        for regex in &LINE_PATTERNS.regexes {
            for found in regex.find_iter(&text) {
                assert!(!found.as_str().is_empty(), "{}", regex.as_str());
                assert!(!found.as_str().contains('\n'), "{}", regex.as_str());
            }
        }
    }
}
