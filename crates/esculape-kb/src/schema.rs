//! The index schema: one tantivy document per chunk, with its provenance.

use crate::analyzer::{ENGLISH_ANALYZER, FRENCH_ANALYZER};
use esculape_text::Language;
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};

/// Name under which the Spanish analyzer is registered.
pub const SPANISH_ANALYZER: &str = "clinical_es";

/// Handles to the schema's fields.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    pub chunk_id: Field,
    pub pack: Field,
    pub doc_id: Field,
    pub doc_key: Field,
    pub title: Field,
    pub heading_path: Field,
    pub body: Field,
    pub gap_after: Field,
    pub text_fr: Field,
    pub text_en: Field,
    pub text_es: Field,
    pub lang: Field,
    pub date: Field,
    pub date_number: Field,
    pub ordinal: Field,
    pub start_char: Field,
    pub end_char: Field,
    pub url: Field,
    pub licence: Field,
}

impl Fields {
    /// The indexed text field for documents in `language`.
    pub fn text_field(&self, language: Language) -> Field {
        match language {
            Language::French => self.text_fr,
            Language::English => self.text_en,
            Language::Spanish => self.text_es,
        }
    }
}

/// Builds the schema and its field handles.
pub fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let text = |analyzer: &str| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(analyzer)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
    };
    let fields = Fields {
        chunk_id: builder.add_text_field("chunk_id", STRING | STORED),
        pack: builder.add_text_field("pack", STRING | STORED),
        doc_id: builder.add_text_field("doc_id", STRING),
        doc_key: builder.add_text_field("doc_key", STORED),
        title: builder.add_text_field("title", STORED),
        heading_path: builder.add_text_field("heading_path", STORED),
        body: builder.add_text_field("body", STORED),
        gap_after: builder.add_text_field("gap_after", STORED),
        text_fr: builder.add_text_field("text_fr", text(FRENCH_ANALYZER)),
        text_en: builder.add_text_field("text_en", text(ENGLISH_ANALYZER)),
        text_es: builder.add_text_field("text_es", text(SPANISH_ANALYZER)),
        lang: builder.add_text_field("lang", STRING | STORED),
        date: builder.add_text_field("date", STORED),
        date_number: builder.add_i64_field("date_number", INDEXED | FAST),
        ordinal: builder.add_u64_field("ordinal", STORED),
        start_char: builder.add_u64_field("start_char", STORED),
        end_char: builder.add_u64_field("end_char", STORED),
        url: builder.add_text_field("url", STORED),
        licence: builder.add_text_field("licence", STORED),
    };
    (builder.build(), fields)
}

/// The identifier of a document across packs, used to fetch all of its chunks.
pub fn doc_id(pack: &str, key: &str) -> String {
    format!("{pack}\u{1f}{key}")
}

/// `YYYY-MM-DD` as the number YYYYMMDD, for range filters.
pub fn date_number(date: &str) -> Option<i64> {
    let digits: String = date.chars().filter(char::is_ascii_digit).collect();
    (digits.len() == 8).then(|| digits.parse().ok()).flatten()
}
