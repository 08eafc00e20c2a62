//! `esculape eval retrieval`: retrieval quality on the development sets of
//! `../shared/data`, BM25 against dense against hybrid, with bm25s beside it.
//!
//! Datasets (each built into its own knowledge base under `<data_dir>/eval/`):
//! - `medquad`: each sampled MedQuAD question searches all 16,407 answers (titled with
//!   their focus, never with the question); its own answer is the relevant document.
//!   nDCG@10 and Recall@10. (The TREC LiveQA-Med judgements in the same folder cannot be
//!   used: the test questions themselves are not in `../shared/data`.)
//! - `pubmedqa`: each of the 500 development questions searches all 500 abstracts (their
//!   CONTEXTS); the question's own abstract is relevant. Recall@1 and Recall@5.

use crate::progress::Bars;
use crate::settings::Settings;
use crate::sources::open_kb_at;
use anyhow::{Context, Result, bail};
use clap::Args;
use esculape_kb::{Document, Heading, KnowledgeBase, SearchMode, SearchRequest, local_folder_pack};
use esculape_llm::Embedder;
use esculape_text::Language;
use serde::Serialize;
use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Debug, Args)]
pub struct RetrievalArgs {
    /// Datasets: medquad, pubmedqa (comma-separated).
    #[arg(long, value_delimiter = ',', default_value = "medquad,pubmedqa")]
    datasets: Vec<String>,
    /// Rankings to measure: bm25, dense, hybrid (dense and hybrid embed the corpus first,
    /// which takes minutes per thousand passages on a CPU).
    #[arg(long, value_delimiter = ',', default_value = "bm25")]
    modes: Vec<String>,
    /// Questions sampled per dataset (evenly spread; all when larger than the set).
    #[arg(long, default_value_t = 1000)]
    queries: usize,
    /// Also run the Python library bm25s on the same corpus and questions.
    #[arg(long)]
    peer: bool,
    /// Python with bm25s and PyStemmer installed (made with `python3 -m venv` if missing).
    #[arg(long, default_value = "var/peer-venv/bin/python")]
    peer_python: PathBuf,
    /// Reference data folder.
    #[arg(long, default_value = "../shared/data")]
    data: PathBuf,
    #[arg(long)]
    json: bool,
}

/// One evaluation question.
#[derive(Debug, Clone, Serialize)]
pub struct Query {
    pub query: String,
    pub relevant: Vec<String>,
}

/// Metrics of one ranking on one dataset.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Metrics {
    pub ndcg_at_10: f64,
    pub recall_at_1: f64,
    pub recall_at_5: f64,
    pub recall_at_10: f64,
    pub query_p50_ms: f64,
    pub queries: usize,
}

#[derive(Debug, Serialize)]
struct Row {
    dataset: String,
    system: String,
    documents: usize,
    passages: usize,
    metrics: Metrics,
}

pub fn retrieval(settings: &Settings, args: RetrievalArgs) -> Result<()> {
    if !args.data.join("README.md").exists() {
        bail!(
            "no reference data at `{}`: pass --data DIR (the folder ../shared/data)",
            args.data.display()
        );
    }
    let mut rows = Vec::new();
    let embedder: Option<Box<dyn Embedder>> = if args.modes.iter().any(|mode| mode != "bm25") {
        crate::embeddings::embedder(settings)?
    } else {
        None
    };
    for dataset in &args.datasets {
        let (documents, queries, language) = match dataset.as_str() {
            "medquad" => medquad(&args.data, args.queries)?,
            "pubmedqa" => pubmedqa(&args.data, args.queries)?,
            other => bail!("unknown dataset `{other}`: use medquad or pubmedqa"),
        };
        let work = settings.paths.data_dir.join("eval").join(dataset);
        let _ = std::fs::remove_dir_all(&work);
        std::fs::create_dir_all(&work)?;
        let kb = open_kb_at(settings, &work.join("kb"))?;
        let spec = local_folder_pack(work.clone(), dataset, language);
        let document_count = documents.len();
        if args.peer {
            write_jsonl(&work.join("corpus.jsonl"), documents.iter().map(|document| serde_json::json!({"id": document.key, "text": format!("{}\n{}", document.title, document.text)})))?;
            write_jsonl(
                &work.join("queries.jsonl"),
                queries
                    .iter()
                    .map(|query| serde_json::to_value(query).unwrap_or_default()),
            )?;
        }
        let report = kb.install_documents(&spec, documents, &Bars::default())?;
        let passages = match report.outcome {
            esculape_kb::InstallOutcome::Installed { chunks, .. } => chunks,
            esculape_kb::InstallOutcome::UpToDate { .. } => 0,
        };
        eprintln!(
            "{dataset}: {document_count} documents, {passages} passages, {} questions",
            queries.len()
        );
        for mode_name in &args.modes {
            let mode = match mode_name.as_str() {
                "bm25" => SearchMode::Bm25,
                "dense" => SearchMode::Dense,
                "hybrid" => SearchMode::Hybrid,
                other => bail!("unknown mode `{other}`"),
            };
            if mode != SearchMode::Bm25 && !kb.has_vectors() {
                let embedder = embedder
                    .as_deref()
                    .context("dense modes need embeddings.backend = local or openai")?;
                let started = Instant::now();
                let info = kb.embed_pack(
                    &spec.id,
                    embedder,
                    settings.embeddings.batch_size,
                    &Bars::default(),
                )?;
                eprintln!(
                    "{dataset}: embedded {} passages in {:.0} s",
                    info.count,
                    started.elapsed().as_secs_f64()
                );
            }
            let metrics = evaluate(&kb, &queries, mode, embedder.as_deref())?;
            rows.push(Row {
                dataset: dataset.clone(),
                system: format!("esculape {mode_name}"),
                documents: document_count,
                passages,
                metrics,
            });
        }
        if args.peer {
            let peer = run_peer(&args.peer_python, &work, language)?;
            rows.push(Row {
                dataset: dataset.clone(),
                system: peer.0,
                documents: document_count,
                passages: document_count,
                metrics: peer.1,
            });
        }
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
    } else {
        println!(
            "| dataset | system | documents | passages | questions | nDCG@10 | Recall@1 | Recall@5 | Recall@10 | query p50 (ms) |"
        );
        println!("|---|---|---|---|---|---|---|---|---|---|");
        for row in rows {
            let metrics = &row.metrics;
            println!(
                "| {} | {} | {} | {} | {} | {:.3} | {:.3} | {:.3} | {:.3} | {:.2} |",
                row.dataset,
                row.system,
                row.documents,
                row.passages,
                metrics.queries,
                metrics.ndcg_at_10,
                metrics.recall_at_1,
                metrics.recall_at_5,
                metrics.recall_at_10,
                metrics.query_p50_ms
            );
        }
    }
    Ok(())
}

fn evaluate(
    kb: &KnowledgeBase,
    queries: &[Query],
    mode: SearchMode,
    embedder: Option<&dyn Embedder>,
) -> Result<Metrics> {
    let mut rankings = Vec::with_capacity(queries.len());
    let mut latencies = Vec::with_capacity(queries.len());
    for query in queries {
        let started = Instant::now();
        let hits =
            match kb.search_mode(&SearchRequest::new(query.query.clone(), 50), mode, embedder) {
                Ok(hits) => hits,
                Err(esculape_kb::Error::InvalidQuery(_)) => Vec::new(),
                Err(error) => return Err(error.into()),
            };
        latencies.push(started.elapsed().as_secs_f64() * 1000.0);
        // Passages to documents, keeping each document's best rank.
        let mut seen = HashSet::new();
        let documents: Vec<String> = hits
            .into_iter()
            .map(|hit| hit.document_key)
            .filter(|key| seen.insert(key.clone()))
            .collect();
        rankings.push(documents);
    }
    let mut metrics = score(queries, &rankings);
    latencies.sort_by(f64::total_cmp);
    metrics.query_p50_ms = latencies.get(latencies.len() / 2).copied().unwrap_or(0.0);
    Ok(metrics)
}

/// nDCG@10 (binary gains) and recalls of document rankings against the relevant sets.
pub fn score(queries: &[Query], rankings: &[Vec<String>]) -> Metrics {
    let mut totals = Metrics {
        queries: queries.len(),
        ..Metrics::default()
    };
    for (query, ranking) in queries.iter().zip(rankings) {
        let relevant: HashSet<&str> = query.relevant.iter().map(String::as_str).collect();
        if relevant.is_empty() {
            continue;
        }
        let gain: f64 = ranking
            .iter()
            .take(10)
            .enumerate()
            .filter(|(_, key)| relevant.contains(key.as_str()))
            .map(|(rank, _)| 1.0 / (rank as f64 + 2.0).log2())
            .sum();
        let ideal: f64 = (0..relevant.len().min(10))
            .map(|rank| 1.0 / (rank as f64 + 2.0).log2())
            .sum();
        totals.ndcg_at_10 += gain / ideal;
        let recall = |cutoff: usize| {
            ranking
                .iter()
                .take(cutoff)
                .filter(|key| relevant.contains(key.as_str()))
                .count() as f64
                / relevant.len() as f64
        };
        totals.recall_at_1 += recall(1);
        totals.recall_at_5 += recall(5);
        totals.recall_at_10 += recall(10);
    }
    let count = queries.len().max(1) as f64;
    totals.ndcg_at_10 /= count;
    totals.recall_at_1 /= count;
    totals.recall_at_5 /= count;
    totals.recall_at_10 /= count;
    totals
}

fn medquad(data: &Path, sample: usize) -> Result<(Vec<Document>, Vec<Query>, Language)> {
    let path = data.join("corpus/medquad.jsonl");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let mut documents = Vec::new();
    let mut questions = Vec::new();
    let mut keys = HashSet::new();
    for line in text.lines() {
        let row: serde_json::Value = serde_json::from_str(line)?;
        let field = |name: &str| row[name].as_str().unwrap_or_default().trim().to_string();
        let (answer, question, qid) = (field("answer"), field("question"), field("qid"));
        if answer.is_empty() || question.is_empty() {
            continue;
        }
        let key = format!(
            "{}_{}_Sec{}",
            field("source"),
            field("doc_id"),
            qid.rsplit('-').next().unwrap_or("0")
        );
        if !keys.insert(key.clone()) {
            continue; // a handful of MedQuAD ids repeat: keep the first
        }
        let focus = field("focus");
        documents.push(Document {
            key: key.clone(),
            title: focus.clone(),
            text: answer,
            headings: vec![Heading {
                offset: 0,
                level: 1,
                title: focus,
            }],
            url: None,
            language: Language::English,
            date: None,
            licence: Some("CC BY 4.0".into()),
        });
        questions.push(Query {
            query: question,
            relevant: vec![key],
        });
    }
    Ok((documents, spread(questions, sample), Language::English))
}

pub fn pubmedqa(data: &Path, sample: usize) -> Result<(Vec<Document>, Vec<Query>, Language)> {
    let path = data.join("qa/pubmedqa_dev.json");
    let set: serde_json::Map<String, serde_json::Value> = serde_json::from_str(
        &std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?,
    )?;
    let mut documents = Vec::new();
    let mut questions = Vec::new();
    for (pmid, item) in set {
        let contexts = python_list(&item["CONTEXTS"]);
        let labels = python_list(&item["LABELS"]);
        let mut text = String::new();
        let mut headings = Vec::new();
        for (index, context) in contexts.iter().enumerate() {
            if let Some(label) = labels.get(index) {
                headings.push(Heading {
                    offset: text.len(),
                    level: 1,
                    title: label.clone(),
                });
                text.push_str(label);
                text.push('\n');
            }
            text.push_str(context);
            text.push_str("\n\n");
        }
        documents.push(Document {
            key: pmid.clone(),
            title: format!("PMID {pmid}"),
            text,
            headings,
            url: None,
            language: Language::English,
            date: None,
            licence: Some("MIT".into()),
        });
        questions.push(Query {
            query: item["QUESTION"].as_str().unwrap_or_default().to_string(),
            relevant: vec![pmid],
        });
    }
    Ok((documents, spread(questions, sample), Language::English))
}

// PubMedQA stores lists as Python literals in strings ("['a', 'b']"); it may also store JSON arrays.
fn python_list(value: &serde_json::Value) -> Vec<String> {
    if let Some(array) = value.as_array() {
        return array
            .iter()
            .filter_map(|item| item.as_str().map(str::to_string))
            .collect();
    }
    let text = value.as_str().unwrap_or_default().trim();
    let inner = text
        .strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
        .unwrap_or(text);
    let mut items = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for character in inner.chars() {
        match quote {
            Some(open) => {
                if escaped {
                    current.push(character);
                    escaped = false;
                } else if character == '\\' {
                    escaped = true;
                } else if character == open {
                    items.push(std::mem::take(&mut current));
                    quote = None;
                } else {
                    current.push(character);
                }
            }
            None if character == '\'' || character == '"' => quote = Some(character),
            None => {}
        }
    }
    items
}

/// Every n-th item, so that `sample` items spread over the whole set.
pub fn spread<T>(items: Vec<T>, sample: usize) -> Vec<T> {
    if sample == 0 || items.len() <= sample {
        return items;
    }
    let step = items.len() as f64 / sample as f64;
    let picks: HashSet<usize> = (0..sample)
        .map(|index| (index as f64 * step) as usize)
        .collect();
    items
        .into_iter()
        .enumerate()
        .filter(|(index, _)| picks.contains(index))
        .map(|(_, item)| item)
        .collect()
}

fn write_jsonl(path: &Path, rows: impl Iterator<Item = serde_json::Value>) -> Result<()> {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
    for row in rows {
        writeln!(file, "{row}")?;
    }
    file.flush()?;
    Ok(())
}

/// Makes sure a Python with bm25s and PyStemmer exists at `python`.
pub fn ensure_peer(python: &Path) -> Result<()> {
    if python.exists() {
        return Ok(());
    }
    let venv = python
        .parent()
        .and_then(Path::parent)
        .context("--peer-python should be <venv>/bin/python")?;
    eprintln!(
        "creating {} with bm25s and PyStemmer (pip)…",
        venv.display()
    );
    let status = std::process::Command::new("python3")
        .arg("-m")
        .arg("venv")
        .arg(venv)
        .status()?;
    if !status.success() {
        bail!("python3 -m venv {} failed", venv.display());
    }
    let status = std::process::Command::new(python)
        .args(["-m", "pip", "install", "-q", "bm25s", "PyStemmer"])
        .status()?;
    if !status.success() {
        bail!("pip install bm25s PyStemmer failed");
    }
    Ok(())
}

/// Runs `scripts/bm25s_peer.py` on the corpus and queries written in `work`.
pub fn run_peer(python: &Path, work: &Path, language: Language) -> Result<(String, Metrics)> {
    ensure_peer(python)?;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/bm25s_peer.py");
    let output = std::process::Command::new(python)
        .arg(&script)
        .arg(work.join("corpus.jsonl"))
        .arg(work.join("queries.jsonl"))
        .arg(language.code())
        .arg("50")
        .output()
        .with_context(|| format!("cannot run {}", python.display()))?;
    if !output.status.success() {
        bail!(
            "the bm25s peer failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let value: serde_json::Value =
        serde_json::from_slice(&output.stdout).context("the bm25s peer printed no JSON")?;
    let number = |name: &str| value[name].as_f64().unwrap_or(0.0);
    let metrics = Metrics {
        ndcg_at_10: number("ndcg_at_10"),
        recall_at_1: number("recall_at_1"),
        recall_at_5: number("recall_at_5"),
        recall_at_10: number("recall_at_10"),
        query_p50_ms: number("query_p50_ms"),
        queries: value["queries"].as_u64().unwrap_or(0) as usize,
    };
    Ok((
        value["peer"].as_str().unwrap_or("bm25s").to_string(),
        metrics,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(relevant: &str) -> Query {
        Query {
            query: String::new(),
            relevant: vec![relevant.into()],
        }
    }

    #[test]
    fn metrics_follow_their_definitions() {
        let queries = [query("a"), query("b"), query("c")];
        let rankings = [
            vec!["a".to_string()],
            vec!["x".into(), "b".into()],
            vec!["x".into(); 12],
        ];
        let metrics = score(&queries, &rankings);
        assert!((metrics.recall_at_1 - 1.0 / 3.0).abs() < 1e-9);
        assert!((metrics.recall_at_5 - 2.0 / 3.0).abs() < 1e-9);
        let expected_ndcg = (1.0 + 1.0 / 3f64.log2()) / 3.0;
        assert!((metrics.ndcg_at_10 - expected_ndcg).abs() < 1e-9);
    }

    #[test]
    fn python_lists_in_strings_are_read() {
        let value = serde_json::json!("['it\\'s one', \"two, three\"]");
        assert_eq!(python_list(&value), ["it's one", "two, three"]);
    }

    #[test]
    fn spread_takes_evenly() {
        assert_eq!(spread((0..10).collect(), 5), [0, 2, 4, 6, 8]);
        assert_eq!(spread((0..3).collect(), 5), [0, 1, 2]);
    }
}
