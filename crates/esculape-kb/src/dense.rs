//! Dense and hybrid retrieval: embedding a pack's passages, nearest-neighbour search,
//! and reciprocal rank fusion with BM25.

use crate::error::{Error, Result};
use crate::kb::{KnowledgeBase, Progress};
use crate::search::{SearchHit, SearchRequest};
use crate::vectors::{VectorInfo, VectorSet};
use esculape_llm::{EmbedKind, Embedder};
use std::collections::HashMap;
use std::sync::Arc;
use tantivy::DocSet;
use tantivy::collector::DocSetCollector;
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, TantivyDocument, Term};

/// Recall and speed of the approximate index against the exact scan, on one pack's
/// vectors and a set of query vectors ([`KnowledgeBase::measure_ann`]).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AnnFigures {
    pub vectors: usize,
    pub lists: usize,
    pub probes: usize,
    /// Mean share of the vectors read per query.
    pub share_scanned: f64,
    /// Mean share of the exact top `k` that the approximate top `k` holds.
    pub recall_at_k: f64,
    pub p50_ms: f64,
    pub exact_p50_ms: f64,
}

/// How passages are ranked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchMode {
    /// Words: BM25.
    Bm25,
    /// Meaning: nearest vectors of an embedding model.
    Dense,
    /// Both, fused by reciprocal rank.
    Hybrid,
}

/// The constant of reciprocal rank fusion (Cormack et al., 2009).
const RRF_K: f32 = 60.0;
/// How many candidates each ranking contributes to the fusion.
const FUSION_DEPTH: usize = 50;

impl KnowledgeBase {
    /// Embeds every passage of `pack` with `embedder` and stores the vectors beside the
    /// pack's files; returns what was stored. Runs under the writer lock.
    pub fn embed_pack(
        &self,
        pack: &str,
        embedder: &dyn Embedder,
        batch_size: usize,
        progress: &dyn Progress,
    ) -> Result<VectorInfo> {
        let mut writer = self.writer()?;
        let mut catalog = crate::catalog::Catalog::clone(&self.catalog());
        let installed = catalog
            .packs
            .get(pack)
            .cloned()
            .ok_or_else(|| Error::NotInstalled(pack.to_string()))?;
        let fields = *self.fields();
        let searcher = self.searcher();
        let query = TermQuery::new(
            Term::from_field_text(fields.pack, pack),
            IndexRecordOption::Basic,
        );
        let addresses = searcher.search(&query, &DocSetCollector)?;
        let mut passages: Vec<(String, String)> = Vec::with_capacity(addresses.len());
        for address in addresses {
            let document: TantivyDocument = searcher.doc(address)?;
            let title = KnowledgeBase::stored_text(&document, fields.title);
            let body = KnowledgeBase::stored_text(&document, fields.body);
            passages.push((
                KnowledgeBase::stored_text(&document, fields.chunk_id),
                format!("{title}\n{body}"),
            ));
        }
        passages.sort();
        progress.stage(pack, "embedding", Some(passages.len() as u64));
        let mut values = Vec::with_capacity(passages.len() * embedder.dimension());
        for batch in passages.chunks(batch_size.max(1)) {
            let texts: Vec<&str> = batch.iter().map(|(_, text)| text.as_str()).collect();
            let vectors = embedder
                .embed(&texts, EmbedKind::Passage)
                .map_err(|error| Error::Embedding(error.to_string()))?;
            for vector in vectors {
                if vector.len() != embedder.dimension() {
                    return Err(Error::Embedding(format!(
                        "a vector of {} values, expected {}",
                        vector.len(),
                        embedder.dimension()
                    )));
                }
                values.extend(vector);
            }
            progress.advance(batch.len() as u64);
        }
        progress.finish();
        let ids: Vec<String> = passages.into_iter().map(|(id, _)| id).collect();
        progress.stage(pack, "clustering", None);
        let set = VectorSet::build(
            embedder.id(),
            embedder.dimension(),
            ids,
            values,
            &self.config().ann,
        );
        progress.finish();
        set.write(&self.root().join(&installed.storage))?;
        let info = set.info.clone();
        if let Ok(mut cache) = self.vector_cache().write() {
            cache.remove(&installed.storage);
        }
        if let Some(entry) = catalog.packs.get_mut(pack) {
            entry.vectors = Some(info.clone());
        }
        catalog.last_change = None;
        self.commit(&mut writer, &catalog)?;
        Ok(info)
    }

    /// Nearest passages to the query's meaning, among packs embedded with `embedder`.
    pub fn search_dense(
        &self,
        request: &SearchRequest,
        embedder: &dyn Embedder,
    ) -> Result<Vec<SearchHit>> {
        let searcher = self.searcher();
        let ranked = self.dense_ranked(&searcher, request, request.k, embedder)?;
        self.materialize(
            &searcher,
            &request.query,
            ranked,
            &mut crate::search::ReadDocuments::default(),
        )
    }

    /// Dense ranking: (cosine, address), best first, filters applied.
    fn dense_ranked(
        &self,
        searcher: &tantivy::Searcher,
        request: &SearchRequest,
        depth: usize,
        embedder: &dyn Embedder,
    ) -> Result<Vec<(f32, DocAddress)>> {
        let started = std::time::Instant::now();
        let query = embedder
            .embed(&[request.query.as_str()], EmbedKind::Query)
            .map_err(|error| Error::Embedding(error.to_string()))?;
        let query = query.into_iter().next().unwrap_or_default();
        let embedded = started.elapsed();
        let catalog = self.catalog();
        let filtered =
            request.language.is_some() || request.since.is_some() || request.until.is_some();
        // Language and date filters apply after the scan: ask for more to keep `depth` after them.
        let scan_depth = if filtered { depth * 8 } else { depth };
        let mut candidates: Vec<(String, f32)> = Vec::new();
        for (pack, installed) in &catalog.packs {
            if !request.sources.is_empty() && !request.sources.contains(pack) {
                continue;
            }
            let Some(info) = &installed.vectors else {
                continue;
            };
            if info.model != embedder.id() {
                tracing::warn!(pack = %pack, stored = %info.model, asked = %embedder.id(), "vectors made by another model: pack left out of dense search");
                continue;
            }
            let Some(set) = self.vector_set(&installed.storage)? else {
                continue;
            };
            candidates.extend(
                set.nearest(
                    &query,
                    scan_depth,
                    self.config().ann.probes_for(set.info.lists.unwrap_or(0)),
                )
                .into_iter()
                .map(|(row, score)| (set.ids[row].clone(), score)),
            );
        }
        // Equal scores (the same text in two documents) in the order of their chunk ids.
        candidates.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let scanned = started.elapsed();
        let fields = *self.fields();
        let mut ranked = Vec::new();
        for (chunk_id, score) in candidates {
            let Some(address) = address_of(searcher, fields.chunk_id, &chunk_id)? else {
                continue;
            };
            if filtered && !self.passes_filters(searcher, address, request)? {
                continue;
            }
            ranked.push((score, address));
            if ranked.len() == depth {
                break;
            }
        }
        tracing::debug!(
            embed_ms = embedded.as_secs_f64() * 1e3,
            scan_ms = (scanned - embedded).as_secs_f64() * 1e3,
            lookup_ms = (started.elapsed() - scanned).as_secs_f64() * 1e3,
            passages = ranked.len(),
            "dense ranking"
        );
        Ok(ranked)
    }

    /// BM25 and dense rankings fused by reciprocal rank; only the final `k` passages are read.
    pub fn search_hybrid(
        &self,
        request: &SearchRequest,
        embedder: &dyn Embedder,
    ) -> Result<Vec<SearchHit>> {
        let searcher = self.searcher();
        let depth = FUSION_DEPTH.max(request.k);
        let mut read = crate::search::ReadDocuments::default();
        let lexical = self.bm25_ranked(&searcher, request, depth, &mut read)?;
        let dense = self.dense_ranked(&searcher, request, depth, embedder)?;
        let mut fused: HashMap<DocAddress, f32> = HashMap::new();
        for ranking in [lexical, dense] {
            for (position, (_, address)) in ranking.into_iter().enumerate() {
                *fused.entry(address).or_default() += 1.0 / (RRF_K + position as f32 + 1.0);
            }
        }
        let mut ranked: Vec<(f32, DocAddress)> = fused
            .into_iter()
            .map(|(address, score)| (score, address))
            .collect();
        ranked.sort_by(|a, b| {
            b.0.total_cmp(&a.0)
                .then_with(|| (a.1.segment_ord, a.1.doc_id).cmp(&(b.1.segment_ord, b.1.doc_id)))
        });
        ranked.truncate(request.k);
        self.materialize(&searcher, &request.query, ranked, &mut read)
    }

    fn passes_filters(
        &self,
        searcher: &tantivy::Searcher,
        address: DocAddress,
        request: &SearchRequest,
    ) -> Result<bool> {
        let fields = *self.fields();
        let document: TantivyDocument = searcher.doc(address)?;
        let language = KnowledgeBase::stored_text(&document, fields.lang);
        let date = KnowledgeBase::stored_text(&document, fields.date);
        let date = (!date.is_empty()).then_some(date);
        Ok(passes_filters(&language, date.as_deref(), request))
    }

    /// Search in the given mode (BM25 needs no embedder).
    pub fn search_mode(
        &self,
        request: &SearchRequest,
        mode: SearchMode,
        embedder: Option<&dyn Embedder>,
    ) -> Result<Vec<SearchHit>> {
        match (mode, embedder) {
            (SearchMode::Bm25, _) => self.search(request),
            (SearchMode::Dense, Some(embedder)) => self.search_dense(request, embedder),
            (SearchMode::Hybrid, Some(embedder)) => self.search_hybrid(request, embedder),
            (_, None) => Err(Error::Embedding(
                "dense and hybrid search need an embedding model".into(),
            )),
        }
    }

    /// Measures the inverted file of `pack`'s vectors (built in memory when the pack has
    /// none, because it is below `kb.vector_index_min`) against the exact scan: for each
    /// number of probes, recall of the top `k` and median time per query.
    pub fn measure_ann(
        &self,
        pack: &str,
        queries: &[Vec<f32>],
        probes: &[usize],
        k: usize,
    ) -> Result<Vec<AnnFigures>> {
        let catalog = self.catalog();
        let installed = catalog
            .packs
            .get(pack)
            .ok_or_else(|| Error::NotInstalled(pack.to_string()))?;
        let set = self.vector_set(&installed.storage)?.ok_or_else(|| {
            Error::Embedding(format!(
                "pack `{pack}` has no vectors: run `esculape sources embed {pack}` first"
            ))
        })?;
        let built;
        let indexed: &VectorSet = if set.ivf.is_some() {
            &set
        } else {
            built = VectorSet::build(
                &set.info.model,
                set.info.dimension,
                set.ids.clone(),
                set.values.clone(),
                &crate::ivf::AnnSettings {
                    min_vectors: 0,
                    probe_percent: 100,
                },
            );
            &built
        };
        let Some(ivf) = &indexed.ivf else {
            return Ok(Vec::new());
        };
        let median = |mut times: Vec<f64>| {
            times.sort_by(f64::total_cmp);
            times.get(times.len() / 2).copied().unwrap_or(0.0)
        };
        let mut exact_times = Vec::with_capacity(queries.len());
        let exact: Vec<Vec<usize>> = queries
            .iter()
            .map(|query| {
                let started = std::time::Instant::now();
                let rows = indexed.nearest(query, k, usize::MAX);
                exact_times.push(started.elapsed().as_secs_f64() * 1e3);
                rows.into_iter().map(|(row, _)| row).collect()
            })
            .collect();
        let exact_p50_ms = median(exact_times);
        let mut figures = Vec::new();
        for &probes in probes {
            let (mut found, mut wanted, mut scanned) = (0usize, 0usize, 0usize);
            let mut times = Vec::with_capacity(queries.len());
            for (query, truth) in queries.iter().zip(&exact) {
                let started = std::time::Instant::now();
                let rows = indexed.nearest(query, k, probes);
                times.push(started.elapsed().as_secs_f64() * 1e3);
                found += rows.iter().filter(|(row, _)| truth.contains(row)).count();
                wanted += truth.len();
                scanned += ivf
                    .probe(query, probes)
                    .iter()
                    .map(ExactSizeIterator::len)
                    .sum::<usize>();
            }
            figures.push(AnnFigures {
                vectors: indexed.info.count,
                lists: ivf.lists(),
                probes,
                share_scanned: scanned as f64
                    / (queries.len().max(1) * indexed.info.count.max(1)) as f64,
                recall_at_k: found as f64 / wanted.max(1) as f64,
                p50_ms: median(times),
                exact_p50_ms,
            });
        }
        Ok(figures)
    }

    /// Whether any installed pack has vectors.
    pub fn has_vectors(&self) -> bool {
        self.catalog()
            .packs
            .values()
            .any(|pack| pack.vectors.is_some())
    }

    fn vector_set(&self, storage: &str) -> Result<Option<Arc<VectorSet>>> {
        if let Some(set) = self
            .vector_cache()
            .read()
            .ok()
            .and_then(|cache| cache.get(storage).cloned())
        {
            return Ok(Some(set));
        }
        let Some(set) = VectorSet::read(&self.root().join(storage))? else {
            return Ok(None);
        };
        let set = Arc::new(set);
        if let Ok(mut cache) = self.vector_cache().write() {
            cache.insert(storage.to_string(), set.clone());
        }
        Ok(Some(set))
    }
}

/// Where the live passage `chunk_id` is in the index: a direct read of the term's postings
/// in each segment, without the scoring machinery of a query.
fn address_of(
    searcher: &tantivy::Searcher,
    field: tantivy::schema::Field,
    chunk_id: &str,
) -> Result<Option<DocAddress>> {
    let term = Term::from_field_text(field, chunk_id);
    for (segment_ord, reader) in searcher.segment_readers().iter().enumerate() {
        let inverted = reader.inverted_index(field)?;
        let Some(mut postings) = inverted
            .read_postings(&term, IndexRecordOption::Basic)
            .map_err(tantivy::TantivyError::from)?
        else {
            continue;
        };
        let mut doc = postings.doc();
        while doc != tantivy::TERMINATED {
            if !reader.is_deleted(doc) {
                return Ok(Some(DocAddress::new(segment_ord as u32, doc)));
            }
            doc = postings.advance();
        }
    }
    Ok(None)
}

fn passes_filters(language: &str, date: Option<&str>, request: &SearchRequest) -> bool {
    if let Some(wanted) = request.language
        && language != wanted.code()
    {
        return false;
    }
    if let Some(since) = &request.since
        && date.is_none_or(|date| date < since.as_str())
    {
        return false;
    }
    if let Some(until) = &request.until
        && date.is_none_or(|date| date > until.as_str())
    {
        return false;
    }
    true
}
