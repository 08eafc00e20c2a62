//! Cutting documents into passages that cite well: whole sentences, inside one section,
//! with exact offsets back into the document.

use crate::document::{Document, Heading};
use std::ops::Range;

/// A passage of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    /// Position of the chunk in its document, from 0.
    pub ordinal: usize,
    /// Byte range in the document text.
    pub bytes: Range<usize>,
    /// Character range in the document text (what users and APIs see).
    pub chars: Range<usize>,
    /// Titles of the enclosing sections, outermost first.
    pub heading_path: Vec<String>,
    /// The whitespace between this chunk and the next one (empty for the last), so the
    /// document can be rebuilt exactly from its chunks.
    pub gap_after: String,
}

/// Splits a document into chunks of at most `max_chars` characters (a longer sentence is
/// cut at spaces), never across a section heading.
pub fn chunk_document(document: &Document, max_chars: usize) -> Vec<Chunk> {
    let max_chars = max_chars.max(50);
    let text = &document.text;
    let mut pieces: Vec<(Range<usize>, usize)> = Vec::new(); // (byte range, section index)
    let section_starts: Vec<usize> = document
        .headings
        .iter()
        .map(|heading| heading.offset.min(text.len()))
        .collect();
    let mut bounds: Vec<usize> = std::iter::once(0)
        .chain(section_starts.iter().copied())
        .collect();
    bounds.push(text.len());
    bounds.sort_unstable();
    bounds.dedup();
    for window in bounds.windows(2) {
        let (section_start, section_end) = (window[0], window[1]);
        if !text.is_char_boundary(section_start) || !text.is_char_boundary(section_end) {
            continue;
        }
        let section = &text[section_start..section_end];
        for sentence in esculape_text::sentences(section) {
            let range = section_start + sentence.start..section_start + sentence.end;
            for piece in split_long(text, range, max_chars) {
                pieces.push((piece, section_start));
            }
        }
    }

    let mut chunks = Vec::new();
    let mut current: Option<(Range<usize>, usize, usize)> = None; // (bytes, section start, chars)
    for (piece, section) in pieces {
        let piece_chars = text[piece.clone()].chars().count();
        match &mut current {
            Some((range, current_section, chars))
                if *current_section == section && *chars + 1 + piece_chars <= max_chars =>
            {
                range.end = piece.end;
                *chars += 1 + piece_chars;
            }
            _ => {
                if let Some((range, _, _)) = current.take() {
                    chunks.push(range);
                }
                current = Some((piece, section, piece_chars));
            }
        }
    }
    if let Some((range, _, _)) = current {
        chunks.push(range);
    }

    let mut result = Vec::with_capacity(chunks.len());
    let mut char_cursor = (0usize, 0usize); // (byte, char) pairs, moving forward only
    for (ordinal, bytes) in chunks.iter().enumerate() {
        let start_char = advance_chars(text, &mut char_cursor, bytes.start);
        let end_char = advance_chars(text, &mut char_cursor, bytes.end);
        let gap_end = chunks
            .get(ordinal + 1)
            .map_or(text.len(), |next| next.start);
        result.push(Chunk {
            ordinal,
            bytes: bytes.clone(),
            chars: start_char..end_char,
            heading_path: heading_path(&document.headings, bytes.start),
            gap_after: text[bytes.end..gap_end].to_string(),
        });
    }
    result
}

fn advance_chars(text: &str, cursor: &mut (usize, usize), byte: usize) -> usize {
    let (cursor_byte, cursor_char) = *cursor;
    let added = text[cursor_byte..byte].chars().count();
    *cursor = (byte, cursor_char + added);
    cursor_char + added
}

fn heading_path(headings: &[Heading], offset: usize) -> Vec<String> {
    let mut path: Vec<&Heading> = Vec::new();
    for heading in headings
        .iter()
        .take_while(|heading| heading.offset <= offset)
    {
        while path.last().is_some_and(|last| last.level >= heading.level) {
            path.pop();
        }
        path.push(heading);
    }
    path.into_iter()
        .map(|heading| heading.title.clone())
        .collect()
}

fn split_long(text: &str, range: Range<usize>, max_chars: usize) -> Vec<Range<usize>> {
    let slice = &text[range.clone()];
    if slice.chars().count() <= max_chars {
        return vec![range];
    }
    let mut pieces = Vec::new();
    let mut piece_start = range.start;
    let mut last_space: Option<usize> = None;
    let mut chars_in_piece = 0;
    for (offset, character) in slice.char_indices() {
        let absolute = range.start + offset;
        if chars_in_piece >= max_chars {
            let cut = last_space
                .filter(|&space| space > piece_start)
                .unwrap_or(absolute);
            pieces.push(piece_start..cut);
            piece_start = cut;
            while piece_start < range.end && text[piece_start..].starts_with(char::is_whitespace) {
                piece_start += text[piece_start..].chars().next().map_or(1, char::len_utf8);
            }
            chars_in_piece = text[piece_start..absolute.max(piece_start)].chars().count();
            last_space = None;
        }
        if character.is_whitespace() {
            last_space = Some(absolute);
        }
        chars_in_piece += 1;
    }
    if piece_start < range.end {
        pieces.push(piece_start..range.end);
    }
    pieces.retain(|piece| !text[piece.clone()].trim().is_empty());
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;
    use esculape_text::Language;

    /// Rebuilds the document text from all of its chunks, in order, and the text before the first.
    fn rebuild_text(leading: &str, chunks: &[(String, String)]) -> String {
        let mut text = leading.to_string();
        for (chunk_text, gap_after) in chunks {
            text.push_str(chunk_text);
            text.push_str(gap_after);
        }
        text
    }

    fn document(text: &str, headings: Vec<Heading>) -> Document {
        Document {
            key: "d".into(),
            title: "t".into(),
            text: text.into(),
            headings,
            url: None,
            language: Language::French,
            date: None,
            licence: None,
        }
    }

    #[test]
    fn chunks_rebuild_the_document_exactly() {
        let text = "Titre\n\nPremière phrase assez longue ici. Deuxième phrase.\n\nSection B\nTroisième phrase, avec é et œ. Quatrième.";
        let headings = vec![
            Heading {
                offset: 0,
                level: 1,
                title: "Titre".into(),
            },
            Heading {
                offset: text.find("Section B").unwrap(),
                level: 2,
                title: "Section B".into(),
            },
        ];
        let doc = document(text, headings);
        let chunks = chunk_document(&doc, 40);
        assert!(chunks.len() >= 3, "{chunks:?}");
        let leading = &text[..chunks[0].bytes.start];
        let parts: Vec<(String, String)> = chunks
            .iter()
            .map(|chunk| {
                (
                    text[chunk.bytes.clone()].to_string(),
                    chunk.gap_after.clone(),
                )
            })
            .collect();
        assert_eq!(rebuild_text(leading, &parts), text);
        for chunk in &chunks {
            let by_chars: String = text
                .chars()
                .skip(chunk.chars.start)
                .take(chunk.chars.len())
                .collect();
            assert_eq!(by_chars, &text[chunk.bytes.clone()]);
        }
        let last = chunks.last().unwrap();
        assert_eq!(last.heading_path, ["Titre", "Section B"]);
    }

    #[test]
    fn chunks_do_not_cross_sections() {
        let text = "A. Une phrase.\nB. Autre.";
        let headings = vec![Heading {
            offset: text.find("B.").unwrap(),
            level: 1,
            title: "B".into(),
        }];
        let chunks = chunk_document(&document(text, headings), 1000);
        assert_eq!(chunks.len(), 2);
    }

    #[test]
    fn a_sentence_longer_than_the_limit_is_cut_at_spaces() {
        let text = "mot ".repeat(100);
        let chunks = chunk_document(&document(text.trim(), vec![]), 50);
        assert!(chunks.len() >= 8);
        for chunk in &chunks {
            assert!(chunk.chars.len() <= 50, "{chunk:?}");
            assert!(!text[chunk.bytes.clone()].starts_with(' '));
        }
    }

    #[test]
    fn empty_document_has_no_chunk() {
        assert!(chunk_document(&document("   ", vec![]), 100).is_empty());
    }
}
