//! Search: BM25 over the French, English and Spanish fields with abbreviation expansion,
//! filters by source, language and date, and highlighted passages with their provenance.

use crate::analyzer::{analyze, analyze_with_offsets};
use crate::error::{Error, Result};
use crate::kb::KnowledgeBase;
use crate::schema::{Fields, date_number, doc_id};
use esculape_text::{Abbreviations, Language, words};
use serde::Serialize;
use std::collections::HashSet;
use std::ops::Bound;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, PhraseQuery, Query, RangeQuery, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, TantivyDocument, Term};

/// Passages fetched beyond the depth asked, so that passages tied at the cut are chosen
/// by chunk id rather than by their place in the index (when no more than this many tied
/// passages lie beyond the cut). More would lower the ranking's pruning threshold: 16
/// cost 0.5 ms of the 2 ms p50 at 1M passages (`esculape bench retrieval`).
const TIE_MARGIN: usize = 4;

/// Stored documents already read while ranking, so that building the hits reads none twice.
pub(crate) type ReadDocuments = std::collections::HashMap<DocAddress, TantivyDocument>;

/// A search request.
#[derive(Debug, Clone)]
pub struct SearchRequest {
    pub query: String,
    /// Number of passages to return.
    pub k: usize,
    /// Only these packs (all when empty).
    pub sources: Vec<String>,
    /// Only passages in this language.
    pub language: Option<Language>,
    /// Only documents dated on or after this day (`YYYY-MM-DD`).
    pub since: Option<String>,
    /// Only documents dated on or before this day (`YYYY-MM-DD`).
    pub until: Option<String>,
}

impl SearchRequest {
    /// The top `k` passages for `query`, without filters.
    pub fn new(query: impl Into<String>, k: usize) -> SearchRequest {
        SearchRequest {
            query: query.into(),
            k,
            sources: Vec::new(),
            language: None,
            since: None,
            until: None,
        }
    }
}

/// Where a passage comes from, as a citation shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceRef {
    pub pack: String,
    pub title: String,
    pub publisher: String,
    pub version: String,
    pub published: Option<String>,
    pub licence: String,
}

/// One passage found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchHit {
    /// 1 for the best passage.
    pub rank: usize,
    pub score: f32,
    /// Stable identifier: `pack:document#ordinal`.
    pub chunk_id: String,
    pub source: SourceRef,
    pub document_key: String,
    pub document_title: String,
    pub url: Option<String>,
    pub date: Option<String>,
    pub language: String,
    /// Section titles above the passage, outermost first, joined with " › ".
    pub heading_path: String,
    /// The passage, exactly as in the document.
    pub text: String,
    /// Character offsets of the passage in the document's text.
    pub start_char: u64,
    pub end_char: u64,
    /// Character ranges of `text` that match the query.
    pub highlights: Vec<[usize; 2]>,
}

/// A passage with the text around it, for showing a citation in context.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PassageInContext {
    pub hit: SearchHit,
    /// Text of the document before the passage (up to the requested size).
    pub before: String,
    /// Text of the document after the passage (up to the requested size).
    pub after: String,
}

impl KnowledgeBase {
    /// BM25 search.
    pub fn search(&self, request: &SearchRequest) -> Result<Vec<SearchHit>> {
        let searcher = self.searcher();
        let mut read = ReadDocuments::default();
        let ranked = self.bm25_ranked(&searcher, request, request.k, &mut read)?;
        self.materialize(&searcher, &request.query, ranked, &mut read)
    }

    /// BM25 ranking: (score, address), best first; passages of equal score in the order of
    /// their chunk ids.
    ///
    /// A question whose language is known searches the passages of that language; when
    /// they are too few, passages of the other languages follow (a French question about a
    /// rare disease may only be answered by an English source).
    pub(crate) fn bm25_ranked(
        &self,
        searcher: &tantivy::Searcher,
        request: &SearchRequest,
        depth: usize,
        read: &mut ReadDocuments,
    ) -> Result<Vec<(f32, DocAddress)>> {
        let ranked = self.bm25_ranked_by_address(searcher, request, depth + TIE_MARGIN)?;
        let mut ranked = self.order_ties_by_chunk_id(searcher, ranked, depth, read)?;
        ranked.truncate(depth);
        Ok(ranked)
    }

    /// Passages of equal score in the order of their chunk ids, not of their place in the
    /// index (which an index rebuilt from the same sources may change): the same question
    /// gets the same passages in the same order. Reads the chunk ids of the tied passages
    /// that reach into the first `depth` only, and keeps the documents read in `read`.
    fn order_ties_by_chunk_id(
        &self,
        searcher: &tantivy::Searcher,
        mut ranked: Vec<(f32, DocAddress)>,
        depth: usize,
        read: &mut ReadDocuments,
    ) -> Result<Vec<(f32, DocAddress)>> {
        let chunk_id = self.fields().chunk_id;
        let mut start = 0;
        while start < ranked.len().min(depth) {
            let mut end = start + 1;
            while end < ranked.len() && ranked[end].0 == ranked[start].0 {
                end += 1;
            }
            if end - start > 1 {
                let mut tied: Vec<(String, (f32, DocAddress))> = ranked[start..end]
                    .iter()
                    .map(|&(score, address)| -> Result<_> {
                        let document: TantivyDocument = searcher.doc(address)?;
                        let id = KnowledgeBase::stored_text(&document, chunk_id);
                        read.insert(address, document);
                        Ok((id, (score, address)))
                    })
                    .collect::<Result<_>>()?;
                tied.sort_by(|a, b| a.0.cmp(&b.0));
                for (slot, (_, hit)) in ranked[start..end].iter_mut().zip(tied) {
                    *slot = hit;
                }
            }
            start = end;
        }
        Ok(ranked)
    }

    /// [`KnowledgeBase::bm25_ranked`] before ties are ordered: ties follow the index.
    fn bm25_ranked_by_address(
        &self,
        searcher: &tantivy::Searcher,
        request: &SearchRequest,
        depth: usize,
    ) -> Result<Vec<(f32, DocAddress)>> {
        const ALL: [Language; 3] = [Language::French, Language::English, Language::Spanish];
        let collector = TopDocs::with_limit(depth.max(1)).order_by_score();
        let Some(language) = request
            .language
            .or_else(|| esculape_text::guess_language(&request.query))
        else {
            return Ok(searcher.search(&self.build_query(request, &ALL)?, &collector)?);
        };
        let mut ranked = match self.build_query(request, &[language]) {
            Ok(query) => searcher.search(&query, &collector)?,
            Err(Error::InvalidQuery(_)) if request.language.is_none() => Vec::new(),
            Err(error) => return Err(error),
        };
        if ranked.len() < depth && request.language.is_none() {
            let others: Vec<Language> =
                ALL.into_iter().filter(|other| *other != language).collect();
            let seen: HashSet<DocAddress> = ranked.iter().map(|(_, address)| *address).collect();
            let more = searcher.search(&self.build_query(request, &others)?, &collector)?;
            let missing = depth - ranked.len();
            ranked.extend(
                more.into_iter()
                    .filter(|(_, address)| !seen.contains(address))
                    .take(missing),
            );
        }
        Ok(ranked)
    }

    /// Reads the stored fields of ranked passages and highlights the query's words.
    pub(crate) fn materialize(
        &self,
        searcher: &tantivy::Searcher,
        query: &str,
        ranked: Vec<(f32, DocAddress)>,
        read: &mut ReadDocuments,
    ) -> Result<Vec<SearchHit>> {
        let query_terms = self.query_terms(query);
        let catalog = self.catalog();
        ranked
            .into_iter()
            .enumerate()
            .map(|(index, (score, address))| {
                let document = match read.remove(&address) {
                    Some(document) => document,
                    None => searcher.doc(address)?,
                };
                self.hit(&catalog, &document, index + 1, score, &query_terms)
            })
            .collect()
    }

    /// The passage `chunk_id` with up to `context_chars` characters of its document on each side.
    pub fn passage(&self, chunk_id: &str, context_chars: usize) -> Result<PassageInContext> {
        let fields = *self.fields();
        let searcher = self.searcher();
        let query = TermQuery::new(
            Term::from_field_text(fields.chunk_id, chunk_id),
            IndexRecordOption::Basic,
        );
        let top = searcher.search(&query, &TopDocs::with_limit(1).order_by_score())?;
        let Some((_, address)) = top.first() else {
            return Err(Error::InvalidQuery(format!(
                "no passage `{chunk_id}`: it may belong to a pack version that was updated since"
            )));
        };
        let hit = self.hit(
            &self.catalog(),
            &searcher.doc(*address)?,
            1,
            0.0,
            &HashSet::new(),
        )?;
        let siblings = TermQuery::new(
            Term::from_field_text(fields.doc_id, &doc_id(&hit.source.pack, &hit.document_key)),
            IndexRecordOption::Basic,
        );
        let mut chunks: Vec<(u64, String, String)> = Vec::new();
        for (_, sibling) in
            searcher.search(&siblings, &TopDocs::with_limit(100_000).order_by_score())?
        {
            let document: TantivyDocument = searcher.doc(sibling)?;
            chunks.push((
                KnowledgeBase::stored_u64(&document, fields.start_char),
                KnowledgeBase::stored_text(&document, fields.body),
                KnowledgeBase::stored_text(&document, fields.gap_after),
            ));
        }
        chunks.sort_by_key(|(start, _, _)| *start);
        let mut before = String::new();
        let mut after = String::new();
        for (start, body, gap) in &chunks {
            if *start < hit.start_char {
                before.push_str(body);
                before.push_str(gap);
            } else if *start > hit.start_char {
                after.push_str(body);
                after.push_str(gap);
            } else {
                // The passage itself: only the space after it belongs to the context.
                after.push_str(gap);
            }
        }
        let before: String = {
            let count = before.chars().count();
            before
                .chars()
                .skip(count.saturating_sub(context_chars))
                .collect()
        };
        let after: String = after.chars().take(context_chars).collect();
        Ok(PassageInContext { hit, before, after })
    }

    /// The query over the text fields of `languages`, with the request's filters.
    ///
    /// Without filters or abbreviation phrases the query is a flat disjunction of terms,
    /// which tantivy answers with block-max WAND: it skips the blocks of common words'
    /// postings that cannot enter the top k.
    fn build_query(
        &self,
        request: &SearchRequest,
        languages: &[Language],
    ) -> Result<Box<dyn Query>> {
        let fields = self.fields();
        // A French question searched in English documents must not match on "et" or "la":
        // words that are function words in any language are left out of every field.
        let content = content_words(&request.query);
        let folded_words: Vec<String> = words(&request.query).map(|word| word.folded).collect();
        let alternatives = Abbreviations::builtin().alternatives(&folded_words);
        let mut text_clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for &language in languages {
            let field = fields.text_field(language);
            let mut field_clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            let mut seen = HashSet::new();
            for term in analyze(language, &content) {
                if seen.insert(term.clone()) {
                    let query = TermQuery::new(
                        Term::from_field_text(field, &term),
                        IndexRecordOption::WithFreqs,
                    );
                    field_clauses.push((Occur::Should, Box::new(query)));
                }
            }
            for alternative in &alternatives {
                let terms: Vec<Term> = analyze(language, &alternative.replacement.join(" "))
                    .into_iter()
                    .map(|term| Term::from_field_text(field, &term))
                    .collect();
                let query: Box<dyn Query> = match terms.len() {
                    0 => continue,
                    1 => Box::new(TermQuery::new(
                        terms[0].clone(),
                        IndexRecordOption::WithFreqs,
                    )),
                    _ => Box::new(PhraseQuery::new(terms)),
                };
                field_clauses.push((Occur::Should, Box::new(BoostQuery::new(query, 0.8))));
            }
            text_clauses.extend(field_clauses);
        }
        if text_clauses.is_empty() {
            return Err(Error::InvalidQuery(
                "the query has no searchable word (only stop words or punctuation)".into(),
            ));
        }
        let text_query: Box<dyn Query> = Box::new(BooleanQuery::new(text_clauses));
        let filtered = !request.sources.is_empty()
            || request.language.is_some()
            || request.since.is_some()
            || request.until.is_some();
        if !filtered {
            return Ok(text_query);
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, text_query)];
        if !request.sources.is_empty() {
            let sources: Vec<(Occur, Box<dyn Query>)> = request
                .sources
                .iter()
                .map(|pack| -> (Occur, Box<dyn Query>) {
                    (
                        Occur::Should,
                        Box::new(TermQuery::new(
                            Term::from_field_text(fields.pack, pack),
                            IndexRecordOption::Basic,
                        )),
                    )
                })
                .collect();
            clauses.push((Occur::Must, Box::new(BooleanQuery::new(sources))));
        }
        if let Some(language) = request.language {
            let query = TermQuery::new(
                Term::from_field_text(fields.lang, language.code()),
                IndexRecordOption::Basic,
            );
            clauses.push((Occur::Must, Box::new(query)));
        }
        if request.since.is_some() || request.until.is_some() {
            let bound = |date: &Option<String>, name: &str| -> Result<Bound<Term>> {
                match date {
                    None => Ok(Bound::Unbounded),
                    Some(date) => {
                        let number = date_number(date).ok_or_else(|| {
                            Error::InvalidQuery(format!(
                                "`--{name} {date}` is not a date: write YYYY-MM-DD"
                            ))
                        })?;
                        Ok(Bound::Included(Term::from_field_i64(
                            fields.date_number,
                            number,
                        )))
                    }
                }
            };
            let range = RangeQuery::new(
                bound(&request.since, "since")?,
                bound(&request.until, "until")?,
            );
            clauses.push((Occur::Must, Box::new(range)));
        }
        Ok(Box::new(BooleanQuery::new(clauses)))
    }

    /// Analyzed query terms in every language, plus those of abbreviation expansions, for highlighting.
    fn query_terms(&self, query: &str) -> HashSet<String> {
        let folded_words: Vec<String> = words(query).map(|word| word.folded).collect();
        let mut terms = HashSet::new();
        let content = content_words(query);
        for language in [Language::French, Language::English, Language::Spanish] {
            terms.extend(analyze(language, &content));
            for alternative in Abbreviations::builtin().alternatives(&folded_words) {
                terms.extend(analyze(language, &alternative.replacement.join(" ")));
            }
        }
        terms
    }

    pub(crate) fn hit(
        &self,
        catalog: &crate::catalog::Catalog,
        document: &TantivyDocument,
        rank: usize,
        score: f32,
        query_terms: &HashSet<String>,
    ) -> Result<SearchHit> {
        let fields: &Fields = self.fields();
        let text_of = |field| KnowledgeBase::stored_text(document, field);
        let pack = text_of(fields.pack);
        let installed = catalog.packs.get(&pack);
        let source = SourceRef {
            pack: pack.clone(),
            title: installed
                .map(|installed| installed.title.clone())
                .unwrap_or_default(),
            publisher: installed
                .map(|installed| installed.publisher.clone())
                .unwrap_or_default(),
            version: installed
                .map(|installed| installed.version.clone())
                .unwrap_or_default(),
            published: installed.and_then(|installed| installed.published.clone()),
            licence: text_of(fields.licence),
        };
        let text = text_of(fields.body);
        let language = text_of(fields.lang);
        let highlights = highlight(
            &text,
            Language::from_code(&language).unwrap_or(Language::French),
            query_terms,
        );
        let optional = |value: String| (!value.is_empty()).then_some(value);
        Ok(SearchHit {
            rank,
            score,
            chunk_id: text_of(fields.chunk_id),
            source,
            document_key: text_of(fields.doc_key),
            document_title: text_of(fields.title),
            url: optional(text_of(fields.url)),
            date: optional(text_of(fields.date)),
            language,
            heading_path: text_of(fields.heading_path),
            text,
            start_char: KnowledgeBase::stored_u64(document, fields.start_char),
            end_char: KnowledgeBase::stored_u64(document, fields.end_char),
            highlights,
        })
    }
}

/// The query without words that are stop words or elisions in any supported language.
fn content_words(query: &str) -> String {
    words(query)
        .filter(|word| {
            !esculape_text::is_elision(&word.folded)
                && ![Language::French, Language::English, Language::Spanish]
                    .iter()
                    .any(|&language| esculape_text::is_stop_word(language, &word.folded))
        })
        .map(|word| &query[word.start..word.end])
        .collect::<Vec<_>>()
        .join(" ")
}

/// Character ranges of `text` whose analyzed form is one of `terms`.
fn highlight(text: &str, language: Language, terms: &HashSet<String>) -> Vec<[usize; 2]> {
    if terms.is_empty() {
        return Vec::new();
    }
    let mut ranges = Vec::new();
    let mut cursor = (0usize, 0usize);
    for (term, bytes) in analyze_with_offsets(language, text) {
        if terms.contains(&term) {
            let start = cursor.1 + text[cursor.0..bytes.start].chars().count();
            let end = start + text[bytes.start..bytes.end].chars().count();
            cursor = (bytes.end, end);
            ranges.push([start, end]);
        }
    }
    ranges
}
