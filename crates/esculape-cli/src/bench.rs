//! `esculape bench retrieval`: indexing rate, index size, memory and query latency at
//! several corpus sizes, BM25 and hybrid, with bm25s on the same passages and queries.
//!
//! Corpus: the French patient leaflets of `../shared/data/corpus/bdpm_notices_fr_NC.jsonl.gz`
//! (evaluation only, CC BY-NC), cut into passages by Esculape's chunker and repeated to
//! reach the largest size. Queries: the French pharmacy questions of FrenchMedMCQA.
//! Each size runs in child processes, so that memory figures are per size.

use crate::eval::{Query, ensure_peer};
use crate::settings::Settings;
use crate::sources::open_kb_at;
use anyhow::{Context, Result, bail};
use clap::Args;
use esculape_kb::{
    Document, NoProgress, SearchMode, SearchRequest, chunk_document, local_folder_pack,
};
use esculape_llm::{EmbedKind, Embedder};
use esculape_text::Language;
use serde::{Deserialize, Serialize};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Debug, Args)]
pub struct RetrievalArgs {
    /// Corpus sizes, in passages.
    #[arg(long, value_delimiter = ',', default_value = "10000,100000,1000000")]
    sizes: Vec<usize>,
    /// Timed queries per size (after 20 warm-up queries).
    #[arg(long, default_value_t = 1000)]
    queries: usize,
    /// Also time hybrid search. Passage vectors are random unit vectors (embedding a
    /// million passages on a CPU takes about a day); the query is embedded by the real
    /// model, so the timing covers query encoding, the vector scan and the fusion.
    #[arg(long)]
    hybrid: bool,
    /// Also run bm25s on the same passages and queries.
    #[arg(long)]
    peer: bool,
    #[arg(long, default_value = "var/peer-venv/bin/python")]
    peer_python: PathBuf,
    #[arg(long, default_value = "../shared/data")]
    data: PathBuf,
    /// Internal: run one phase of one size and print its JSON.
    #[arg(long, hide = true)]
    child: Option<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct IndexFigures {
    passages: usize,
    index_s: f64,
    passages_per_s: f64,
    index_mb: f64,
    peak_rss_mb: f64,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct QueryFigures {
    bm25_p50_ms: f64,
    bm25_p99_ms: f64,
    hybrid_p50_ms: Option<f64>,
    hybrid_p99_ms: Option<f64>,
    peak_rss_mb: f64,
}

pub fn retrieval(settings: &Settings, args: RetrievalArgs) -> Result<()> {
    let notices = args.data.join("corpus/bdpm_notices_fr_NC.jsonl.gz");
    if !notices.exists() {
        bail!(
            "no leaflets at `{}`: pass --data DIR (the folder ../shared/data)",
            notices.display()
        );
    }
    if let Some(child) = &args.child {
        return run_child(settings, &args, child);
    }
    let queries = queries(&args.data, args.queries + 20)?;
    println!(
        "| passages | system | indexing (passages/s) | index size (MB) | peak memory indexing (MB) | BM25 p50 (ms) | BM25 p99 (ms) | hybrid p50 (ms) | hybrid p99 (ms) | peak memory serving (MB) |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for &size in &args.sizes {
        let work = bench_folder(settings, size);
        let _ = std::fs::remove_dir_all(&work);
        std::fs::create_dir_all(&work)?;
        let index: IndexFigures = child(&args, &format!("index:{size}"))?;
        let query: QueryFigures = child(&args, &format!("query:{size}"))?;
        let optional = |value: Option<f64>| {
            value
                .map(|value| format!("{value:.2}"))
                .unwrap_or_else(|| "—".into())
        };
        println!(
            "| {size} | esculape | {:.0} | {:.1} | {:.0} | {:.2} | {:.2} | {} | {} | {:.0} |",
            index.passages_per_s,
            index.index_mb,
            index.peak_rss_mb,
            query.bm25_p50_ms,
            query.bm25_p99_ms,
            optional(query.hybrid_p50_ms),
            optional(query.hybrid_p99_ms),
            query.peak_rss_mb
        );
        if args.peer {
            ensure_peer(&args.peer_python)?;
            write_peer_inputs(&args.data, &work, size, &queries)?;
            let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/bm25s_peer.py");
            let output = std::process::Command::new(&args.peer_python)
                .arg(script)
                .arg(work.join("corpus.jsonl"))
                .arg(work.join("queries.jsonl"))
                .arg("fr")
                .arg("10")
                .output()?;
            if !output.status.success() {
                bail!("bm25s failed: {}", String::from_utf8_lossy(&output.stderr));
            }
            let peer: serde_json::Value = serde_json::from_slice(&output.stdout)?;
            let number = |name: &str| peer[name].as_f64().unwrap_or(0.0);
            println!(
                "| {size} | {} | {:.0} | — | {:.0} | {:.2} | {:.2} | — | — | — |",
                peer["peer"].as_str().unwrap_or("bm25s"),
                size as f64 / number("index_s").max(1e-9),
                number("peak_rss_mb"),
                number("query_p50_ms"),
                number("query_p99_ms")
            );
            let _ = std::fs::remove_file(work.join("corpus.jsonl"));
        }
        std::io::stdout().flush()?;
    }
    Ok(())
}

fn bench_folder(settings: &Settings, size: usize) -> PathBuf {
    settings.paths.data_dir.join("bench").join(size.to_string())
}

fn child<T: for<'de> Deserialize<'de>>(args: &RetrievalArgs, phase: &str) -> Result<T> {
    let mut command = std::process::Command::new(std::env::current_exe()?);
    for argument in std::env::args().skip(1) {
        command.arg(argument);
    }
    command
        .arg("--child")
        .arg(phase)
        .arg("--data")
        .arg(&args.data);
    let output = command
        .output()
        .context("cannot start the benchmark child process")?;
    if !output.status.success() {
        bail!(
            "benchmark phase {phase} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let line = text.lines().last().unwrap_or_default();
    serde_json::from_str(line).with_context(|| format!("phase {phase} printed no figures: {text}"))
}

fn run_child(settings: &Settings, args: &RetrievalArgs, child: &str) -> Result<()> {
    let (phase, size) = child.split_once(':').context("--child PHASE:SIZE")?;
    let size: usize = size.parse()?;
    let work = bench_folder(settings, size);
    let kb = open_kb_at(settings, &work.join("kb"))?;
    let spec = local_folder_pack(work.clone(), "bench", Language::French);
    match phase {
        "index" => {
            let passages = passages(&args.data, size)?;
            let started = Instant::now();
            kb.install_documents(&spec, passages, &NoProgress)?;
            let index_s = started.elapsed().as_secs_f64();
            if args.hybrid {
                let model = crate::embeddings::embedder(settings)?
                    .context("--hybrid needs the local embedding model: run `esculape setup`")?;
                kb.embed_pack(&spec.id, &RandomPassages { model }, 4096, &NoProgress)?;
            }
            let figures = IndexFigures {
                passages: size,
                index_s,
                passages_per_s: size as f64 / index_s,
                index_mb: folder_size(&work.join("kb/index")) as f64 / 1e6,
                peak_rss_mb: peak_rss_mb(),
            };
            println!("{}", serde_json::to_string(&figures)?);
        }
        "query" => {
            let queries = queries(&args.data, args.queries + 20)?;
            let bm25 = time_queries(&queries, |query| {
                kb.search(&SearchRequest::new(query, 10)).map(|_| ())
            })?;
            let hybrid = if args.hybrid {
                let model = crate::embeddings::embedder(settings)?
                    .context("--hybrid needs the local embedding model")?;
                let embedder = RandomPassages { model };
                Some(time_queries(&queries, |query| {
                    kb.search_mode(
                        &SearchRequest::new(query, 10),
                        SearchMode::Hybrid,
                        Some(&embedder),
                    )
                    .map(|_| ())
                })?)
            } else {
                None
            };
            let figures = QueryFigures {
                bm25_p50_ms: bm25.0,
                bm25_p99_ms: bm25.1,
                hybrid_p50_ms: hybrid.map(|figures| figures.0),
                hybrid_p99_ms: hybrid.map(|figures| figures.1),
                peak_rss_mb: peak_rss_mb(),
            };
            println!("{}", serde_json::to_string(&figures)?);
        }
        other => bail!("unknown benchmark phase {other}"),
    }
    Ok(())
}

#[derive(Debug, Args)]
pub struct AnnArgs {
    /// Installed pack whose vectors are measured (`esculape sources embed PACK` first).
    #[arg(long, default_value = "medquad")]
    pack: String,
    /// Numbers of lists read per query.
    #[arg(long, value_delimiter = ',', default_value = "1,2,4,8,16,32")]
    probes: Vec<usize>,
    /// Query vectors: MedQuAD questions for `medquad`, FrenchMedMCQA questions otherwise.
    #[arg(long, default_value_t = 500)]
    queries: usize,
    #[arg(long, default_value_t = 10)]
    k: usize,
    #[arg(long, default_value = "../shared/data")]
    data: PathBuf,
}

/// `esculape bench ann`: the inverted file against the exact scan on real vectors.
pub fn ann(settings: &Settings, args: AnnArgs) -> Result<()> {
    let kb = crate::sources::open_kb(settings)?;
    let embedder = crate::embeddings::embedder(settings)?
        .context("bench ann needs an embedding model: embeddings.backend = local or openai")?;
    let questions: Vec<String> = if args.pack == "medquad" {
        medquad_questions(&args.data, args.queries)?
    } else {
        queries(&args.data, args.queries)?
            .into_iter()
            .map(|query| query.query)
            .collect()
    };
    let texts: Vec<&str> = questions.iter().map(String::as_str).collect();
    let vectors = embedder.embed(&texts, EmbedKind::Query)?;
    let figures = kb.measure_ann(&args.pack, &vectors, &args.probes, args.k)?;
    println!(
        "| pack | vectors | lists | probes | share read | recall@{k} | p50 (ms) | exact p50 (ms) |",
        k = args.k
    );
    println!("|---|---|---|---|---|---|---|---|");
    for row in figures {
        println!(
            "| {} | {} | {} | {} | {:.1}% | {:.3} | {:.3} | {:.3} |",
            args.pack,
            row.vectors,
            row.lists,
            row.probes,
            row.share_scanned * 100.0,
            row.recall_at_k,
            row.p50_ms,
            row.exact_p50_ms
        );
    }
    Ok(())
}

/// `count` MedQuAD questions spread over the file (those whose answer is present).
fn medquad_questions(data: &Path, count: usize) -> Result<Vec<String>> {
    let path = data.join("corpus/medquad.jsonl");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let mut questions = Vec::new();
    for line in text.lines() {
        let row: serde_json::Value = serde_json::from_str(line)?;
        let field = |name: &str| row[name].as_str().unwrap_or_default().trim().to_string();
        if !field("answer").is_empty() && !field("question").is_empty() {
            questions.push(field("question"));
        }
    }
    let step = (questions.len() / count.max(1)).max(1);
    Ok(questions.into_iter().step_by(step).take(count).collect())
}

/// (p50, p99) in milliseconds, after 20 warm-up queries.
fn time_queries(
    queries: &[Query],
    mut run: impl FnMut(&str) -> esculape_kb::Result<()>,
) -> Result<(f64, f64)> {
    let mut latencies = Vec::new();
    for (index, query) in queries.iter().enumerate() {
        let started = Instant::now();
        match run(&query.query) {
            Ok(()) | Err(esculape_kb::Error::InvalidQuery(_)) => {}
            Err(error) => return Err(error.into()),
        }
        if index >= 20 {
            latencies.push(started.elapsed().as_secs_f64() * 1000.0);
        }
    }
    latencies.sort_by(f64::total_cmp);
    let at = |quantile: f64| {
        latencies
            .get(
                ((latencies.len() as f64 * quantile) as usize)
                    .min(latencies.len().saturating_sub(1)),
            )
            .copied()
            .unwrap_or(0.0)
    };
    Ok((at(0.5), at(0.99)))
}

/// The first `count` passages of the leaflets (repeated as needed), one document each.
fn passages(data: &Path, count: usize) -> Result<Vec<Document>> {
    let mut passages = Vec::with_capacity(count);
    let mut round = 0;
    while passages.len() < count {
        let file = std::fs::File::open(data.join("corpus/bdpm_notices_fr_NC.jsonl.gz"))?;
        let reader = std::io::BufReader::new(flate2::read::GzDecoder::new(file));
        for line in reader.lines() {
            let row: serde_json::Value = serde_json::from_str(&line?)?;
            let text = row["text"].as_str().unwrap_or_default();
            let title = row["bdpm_denomination"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let id = row["id"].as_str().unwrap_or_default().to_string();
            for chunk in chunk_document(
                &Document::new(id.as_str(), title.as_str(), text, Language::French),
                1000,
            ) {
                let mut passage = Document::new(
                    format!("{round}-{id}-{}", chunk.ordinal),
                    title.as_str(),
                    &text[chunk.bytes.clone()],
                    Language::French,
                );
                passage.licence = Some("CC BY-NC (evaluation only)".into());
                passages.push(passage);
                if passages.len() == count {
                    return Ok(passages);
                }
            }
        }
        round += 1;
    }
    Ok(passages)
}

/// French questions of FrenchMedMCQA (train then development), repeated to `count`.
fn queries(data: &Path, count: usize) -> Result<Vec<Query>> {
    let mut questions = Vec::new();
    for name in ["qa/frenchmedmcqa_train.json", "qa/frenchmedmcqa_dev.json"] {
        let set: Vec<serde_json::Value> =
            serde_json::from_str(&std::fs::read_to_string(data.join(name))?)?;
        questions.extend(set.iter().filter_map(|item| {
            item["question"].as_str().map(|question| Query {
                query: question.to_string(),
                relevant: Vec::new(),
            })
        }));
    }
    if questions.is_empty() {
        bail!("no FrenchMedMCQA question found");
    }
    Ok((0..count)
        .map(|index| questions[index % questions.len()].clone())
        .collect())
}

fn write_peer_inputs(data: &Path, work: &Path, size: usize, queries: &[Query]) -> Result<()> {
    let mut corpus = std::io::BufWriter::new(std::fs::File::create(work.join("corpus.jsonl"))?);
    for passage in passages(data, size)? {
        writeln!(
            corpus,
            "{}",
            serde_json::json!({"id": passage.key, "text": format!("{}\n{}", passage.title, passage.text)})
        )?;
    }
    corpus.flush()?;
    let mut file = std::io::BufWriter::new(std::fs::File::create(work.join("queries.jsonl"))?);
    for query in queries.iter().skip(20) {
        writeln!(file, "{}", serde_json::to_string(query)?)?;
    }
    file.flush()?;
    Ok(())
}

fn folder_size(folder: &Path) -> u64 {
    std::fs::read_dir(folder)
        .map(|entries| {
            entries
                .filter_map(|entry| entry.ok())
                .filter_map(|entry| entry.metadata().ok())
                .filter(|meta| meta.is_file())
                .map(|meta| meta.len())
                .sum()
        })
        .unwrap_or(0)
}

/// Peak resident memory of this process (Linux `VmHWM`), in MB.
pub fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with("VmHWM:"))
                .and_then(|line| line.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

/// Benchmark-only embedder: real query vectors, random unit passage vectors (see --hybrid).
struct RandomPassages {
    model: Box<dyn Embedder>,
}

impl Embedder for RandomPassages {
    fn id(&self) -> &str {
        "benchmark:random-passages"
    }

    fn dimension(&self) -> usize {
        self.model.dimension()
    }

    fn embed(&self, texts: &[&str], kind: EmbedKind) -> esculape_llm::Result<Vec<Vec<f32>>> {
        if kind == EmbedKind::Query {
            return self.model.embed(texts, kind);
        }
        Ok(texts
            .iter()
            .map(|text| {
                let mut state = text.bytes().fold(0x9E37_79B9_7F4A_7C15u64, |hash, byte| {
                    (hash ^ byte as u64).wrapping_mul(0x100_0000_01B3)
                });
                let mut vector: Vec<f32> = (0..self.dimension())
                    .map(|_| {
                        state ^= state << 13;
                        state ^= state >> 7;
                        state ^= state << 17;
                        (state >> 40) as f32 / (1u64 << 24) as f32 - 0.5
                    })
                    .collect();
                esculape_llm::normalize(&mut vector);
                vector
            })
            .collect())
    }
}

#[derive(Debug, Args)]
pub struct EmbedArgs {
    /// Passages per corpus.
    #[arg(long, default_value_t = 300)]
    passages: usize,
    #[arg(long, default_value = "../shared/data")]
    data: PathBuf,
}

/// Embedding speed of the local model on French and English passages, against the
/// arithmetic the model needs and the matrix-product throughput this machine reaches.
pub fn embed(settings: &Settings, args: EmbedArgs) -> Result<()> {
    let model_folder = settings.local_model_dir();
    let model = esculape_llm::MiniLm::load(&esculape_llm::MiniLmConfig {
        folder: model_folder,
        max_tokens: settings.embeddings.max_tokens,
        threads: settings.embeddings.threads,
    })
    .context("the local embedding model is not installed: run `esculape setup`")?;
    let peak = esculape_llm::measure_sgemm_gflops(settings.embeddings.threads);
    println!(
        "matrix-product throughput of this machine (1024³ sgemm, {} threads): {peak:.1} GFLOP/s",
        settings.embeddings.threads
    );
    println!(
        "| corpus | passages | mean tokens | passages/s | tokens/s | model GFLOP/s | share of sgemm throughput |"
    );
    println!("|---|---|---|---|---|---|---|");
    for (name, texts) in [
        ("PAMJ cases (fr)", pamj_passages(&args.data, args.passages)?),
        (
            "MedQuAD answers (en)",
            medquad_passages(&args.data, args.passages)?,
        ),
    ] {
        let references: Vec<&str> = texts.iter().map(String::as_str).collect();
        let tokens: usize = references
            .iter()
            .map(|text| model.tokenize(text).len())
            .sum();
        let started = Instant::now();
        for batch in references.chunks(settings.embeddings.batch_size.max(1)) {
            model.embed(batch, EmbedKind::Passage)?;
        }
        let seconds = started.elapsed().as_secs_f64();
        let flops = esculape_llm::minilm_flops(&model, &references);
        let gflops = flops / seconds / 1e9;
        println!(
            "| {name} | {} | {:.0} | {:.1} | {:.0} | {gflops:.1} | {:.0}% |",
            texts.len(),
            tokens as f64 / texts.len() as f64,
            texts.len() as f64 / seconds,
            tokens as f64 / seconds,
            100.0 * gflops / peak
        );
    }
    Ok(())
}

fn pamj_passages(data: &Path, count: usize) -> Result<Vec<String>> {
    jsonl_passages(
        &data.join("corpus/pamj_clinical_cases_fr.jsonl"),
        "text",
        Language::French,
        count,
    )
}

fn medquad_passages(data: &Path, count: usize) -> Result<Vec<String>> {
    jsonl_passages(
        &data.join("corpus/medquad.jsonl"),
        "answer",
        Language::English,
        count,
    )
}

/// The first `count` passages that the chunker cuts from `field` of a JSONL file.
fn jsonl_passages(
    path: &Path,
    field: &str,
    language: Language,
    count: usize,
) -> Result<Vec<String>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut passages = Vec::new();
    for line in text.lines() {
        let row: serde_json::Value = serde_json::from_str(line)?;
        let body = row[field].as_str().unwrap_or_default();
        for chunk in chunk_document(&Document::new("", "", body, language), 1000) {
            passages.push(body[chunk.bytes].to_string());
            if passages.len() == count {
                return Ok(passages);
            }
        }
    }
    Ok(passages)
}
