//! `esculape bench llm`: speed and memory of the local language models, beside a peer program
//! that calls the same vendored llama.cpp directly (figures for docs/BENCHMARKS.md).
//!
//! Each model is measured in a child process, so that its peak memory is its own.

use crate::bench::peak_rss_mb;
use crate::settings::Settings;
use anyhow::{Context, Result, bail};
use esculape_llm::{
    ChatMessage, ChatTemplateChoice, GenerateRequest, Generator, LlamaConfig, LlamaGenerator,
    ModelText, model_spec,
};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

#[derive(Debug, clap::Args)]
pub struct LlmArgs {
    /// Models to measure, by the names `esculape models pull` knows (installed if missing).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "gemma-3-270m,smollm2-135m-instruct"
    )]
    models: Vec<String>,
    /// Also build a peer program against the llama.cpp sources that llama-cpp-sys-2 vendors
    /// (cmake, into <data_dir>/peer/) and measure it on the same files in the same run.
    #[arg(long)]
    peer: bool,
    /// Prompt length for prompt processing and time to first token.
    #[arg(long, default_value_t = 512)]
    prompt_tokens: usize,
    /// Tokens generated for the generation rate.
    #[arg(long, default_value_t = 128)]
    generate_tokens: usize,
    /// Measured repetitions, each in a fresh process after a warm-up, Esculape and the peer
    /// taking turns; medians are reported.
    #[arg(long, default_value_t = 3)]
    repetitions: usize,
    /// Internal: measure one model file in this process and print its figures as JSON.
    #[arg(long, hide = true)]
    child: Option<PathBuf>,
}

/// Concurrent requests of the aggregate-throughput measure, each generating this many tokens.
const CONCURRENCY: [usize; 3] = [1, 2, 4];
const CONCURRENT_TOKENS: usize = 64;

#[derive(Debug, Serialize, Deserialize)]
struct Figures {
    prompt_tokens: usize,
    prompt_tokens_per_s: Vec<f64>,
    generation_tokens_per_s: Vec<f64>,
    time_to_first_token_ms: Vec<f64>,
    peak_rss_mb: f64,
    /// (concurrent requests, generated tokens per second over all of them)
    aggregate_tokens_per_s: Vec<(usize, f64)>,
}

pub fn llm(settings: &Settings, args: LlmArgs) -> Result<()> {
    if let Some(model_path) = &args.child {
        let figures = measure(settings, &args, model_path)?;
        println!("{}", serde_json::to_string(&figures)?);
        return Ok(());
    }
    let threads = settings.llm.threads;
    let peer = if args.peer {
        Some(build_peer(&settings.paths.data_dir)?)
    } else {
        None
    };
    println!(
        "threads {threads}; prompt {} tokens; generation {} tokens; {} repetitions after a warm-up (median, min–max); aggregate: {CONCURRENT_TOKENS} tokens per request\n",
        args.prompt_tokens, args.generate_tokens, args.repetitions
    );
    println!(
        "| model | engine | prompt tok/s | generation tok/s | time to first token (ms) | peak memory (MB) | aggregate tok/s, 1 / 2 / 4 requests |"
    );
    println!("|---|---|---|---|---|---|---|");
    for name in &args.models {
        let spec = model_spec(name)
            .with_context(|| format!("unknown model `{name}`: see `esculape models list`"))?;
        let path = crate::models::install(settings, spec)?;
        // Esculape and the peer take turns, one repetition each, so that both see the same
        // load on a shared machine.
        let mut ours = Vec::new();
        let mut theirs = Vec::new();
        for _ in 0..args.repetitions.max(1) {
            ours.push(run_child(settings, &args, &path)?);
            if let Some(peer) = &peer {
                theirs.push(run_peer(peer, &path, threads, &args)?);
            }
        }
        let ours = merge(ours);
        print_row(name, "esculape (llama-cpp-2)", &ours);
        if !theirs.is_empty() {
            let theirs = merge(theirs);
            print_row(name, "peer: C++ on the same llama.cpp", &theirs);
            let ratio = |a: &[f64], b: &[f64]| median(a) / median(b).max(f64::MIN_POSITIVE);
            let aggregate = ours
                .aggregate_tokens_per_s
                .iter()
                .zip(&theirs.aggregate_tokens_per_s)
                .map(|((_, a), (_, b))| format!("{:.2}", a / b.max(f64::MIN_POSITIVE)))
                .collect::<Vec<_>>()
                .join(" / ");
            println!(
                "| {name} | ratio esculape / peer | {:.2} | {:.2} | {:.2} | {:.2} | {aggregate} |",
                ratio(&ours.prompt_tokens_per_s, &theirs.prompt_tokens_per_s),
                ratio(
                    &ours.generation_tokens_per_s,
                    &theirs.generation_tokens_per_s
                ),
                ratio(&ours.time_to_first_token_ms, &theirs.time_to_first_token_ms),
                ours.peak_rss_mb / theirs.peak_rss_mb.max(f64::MIN_POSITIVE),
            );
        }
    }
    Ok(())
}

/// One figure set from several runs: every repetition kept, the median aggregate per
/// concurrency, the highest peak memory.
fn merge(runs: Vec<Figures>) -> Figures {
    let mut merged = Figures {
        prompt_tokens: runs.first().map_or(0, |run| run.prompt_tokens),
        prompt_tokens_per_s: Vec::new(),
        generation_tokens_per_s: Vec::new(),
        time_to_first_token_ms: Vec::new(),
        peak_rss_mb: 0.0,
        aggregate_tokens_per_s: Vec::new(),
    };
    for run in &runs {
        merged.prompt_tokens_per_s.extend(&run.prompt_tokens_per_s);
        merged
            .generation_tokens_per_s
            .extend(&run.generation_tokens_per_s);
        merged
            .time_to_first_token_ms
            .extend(&run.time_to_first_token_ms);
        merged.peak_rss_mb = merged.peak_rss_mb.max(run.peak_rss_mb);
    }
    for concurrency in CONCURRENCY {
        let rates: Vec<f64> = runs
            .iter()
            .flat_map(|run| &run.aggregate_tokens_per_s)
            .filter(|(requests, _)| *requests == concurrency)
            .map(|(_, rate)| *rate)
            .collect();
        merged
            .aggregate_tokens_per_s
            .push((concurrency, median(&rates)));
    }
    merged
}

fn print_row(name: &str, engine: &str, figures: &Figures) {
    let aggregate = figures
        .aggregate_tokens_per_s
        .iter()
        .map(|(_, rate)| format!("{rate:.1}"))
        .collect::<Vec<_>>()
        .join(" / ");
    println!(
        "| {name} | {engine} | {} | {} | {} | {:.0} | {aggregate} |",
        spread(&figures.prompt_tokens_per_s),
        spread(&figures.generation_tokens_per_s),
        spread(&figures.time_to_first_token_ms),
        figures.peak_rss_mb
    );
}

fn spread(values: &[f64]) -> String {
    let minimum = values.iter().copied().fold(f64::INFINITY, f64::min);
    let maximum = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    format!("{:.1} ({minimum:.1}–{maximum:.1})", median(values))
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    match sorted.len() {
        0 => 0.0,
        length if length % 2 == 1 => sorted[length / 2],
        length => (sorted[length / 2 - 1] + sorted[length / 2]) / 2.0,
    }
}

fn run_child(settings: &Settings, args: &LlmArgs, model_path: &Path) -> Result<Figures> {
    // `/proc/self/exe` still runs this very binary when a rebuild has replaced the file.
    let proc_self = PathBuf::from("/proc/self/exe");
    let executable = if proc_self.exists() {
        proc_self
    } else {
        std::env::current_exe().context("cannot find the esculape executable")?
    };
    let output = Command::new(executable)
        .args(["--data-dir"])
        .arg(&settings.paths.data_dir)
        .args(["bench", "llm", "--prompt-tokens"])
        .arg(args.prompt_tokens.to_string())
        .arg("--generate-tokens")
        .arg(args.generate_tokens.to_string())
        .arg("--repetitions")
        .arg("1")
        .arg("--child")
        .arg(model_path)
        .stderr(std::process::Stdio::inherit())
        .output()
        .context("cannot start the measuring process")?;
    if !output.status.success() {
        bail!("measuring `{}` failed", model_path.display());
    }
    serde_json::from_slice(&output.stdout).context("the measuring process printed no figures")
}

/// Builds a prompt of at least `tokens` tokens, unique to `tag` from its first word on (so
/// nothing is reused from the cache).
/// A synthetic prompt for the generation figures: a number the program writes and a fixed
/// phrase (no patient text).
fn story(index: usize) -> ModelText {
    let mut text = ModelText::instruction("Dossier ");
    text.push(&ModelText::number(index))
        .push_instruction(" : il était une fois");
    text
}

/// A synthetic prompt of `tokens` tokens, cleared as non-patient text.
fn prompt(generator: &LlamaGenerator, tag: usize, tokens: usize) -> Result<String> {
    const WORDS: &str = "le patient de soixante ans consulte pour une fatigue et un essoufflement \
        apparus depuis trois semaines sans fièvre ni toux avec une prise de poids récente";
    let mut text = format!("Dossier {tag} :");
    let mut words = WORDS.split(' ').cycle();
    loop {
        for _ in 0..16 {
            text.push(' ');
            text.push_str(words.next().unwrap_or("et"));
        }
        if generator.count_tokens(&[ChatMessage::user(ModelText::non_patient(&text)?)])? >= tokens {
            return Ok(text);
        }
    }
}

fn load(
    model_path: &Path,
    threads: usize,
    parallel: usize,
    context_tokens: usize,
) -> Result<LlamaGenerator> {
    Ok(LlamaGenerator::load(LlamaConfig {
        context_tokens,
        threads,
        parallel_sequences: parallel,
        queue_length: parallel,
        batch_tokens: 512,
        chat_template: ChatTemplateChoice::Plain,
        ..LlamaConfig::new(model_path)
    })?)
}

fn measure(settings: &Settings, args: &LlmArgs, model_path: &Path) -> Result<Figures> {
    let threads = settings.llm.threads;
    let generator = load(
        model_path,
        threads,
        1,
        args.prompt_tokens + args.generate_tokens + 256,
    )?;
    let mut figures = Figures {
        prompt_tokens: 0,
        prompt_tokens_per_s: Vec::new(),
        generation_tokens_per_s: Vec::new(),
        time_to_first_token_ms: Vec::new(),
        peak_rss_mb: 0.0,
        aggregate_tokens_per_s: Vec::new(),
    };
    for repetition in 0..=args.repetitions {
        let text = prompt(&generator, repetition, args.prompt_tokens)?;
        let processed = generator.complete(GenerateRequest::new(
            vec![ChatMessage::user(ModelText::non_patient(&text)?)],
            1,
        ))?;
        let generated = generator.complete(GenerateRequest {
            ignore_end_of_text: true,
            ..GenerateRequest::new(
                vec![ChatMessage::user(story(repetition))],
                args.generate_tokens,
            )
        })?;
        if repetition == 0 {
            continue;
        }
        figures.prompt_tokens = processed.usage.prompt_tokens;
        figures
            .prompt_tokens_per_s
            .push(processed.usage.prompt_tokens_per_s());
        figures
            .time_to_first_token_ms
            .push(processed.usage.time_to_first_token_ms);
        figures
            .generation_tokens_per_s
            .push(generated.usage.generation_tokens_per_s());
    }
    figures.peak_rss_mb = peak_rss_mb();
    drop(generator);
    for concurrency in CONCURRENCY {
        let generator = load(model_path, threads, concurrency, 256)?;
        let request = |index: usize| GenerateRequest {
            ignore_end_of_text: true,
            ..GenerateRequest::new(vec![ChatMessage::user(story(index))], CONCURRENT_TOKENS)
        };
        generator.complete(request(99))?;
        let started = Instant::now();
        let generated: usize = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..concurrency)
                .map(|index| {
                    let generator = &generator;
                    scope.spawn(move || generator.complete(request(index)))
                })
                .collect();
            handles
                .into_iter()
                .map(|handle| match handle.join() {
                    Ok(Ok(completion)) => Ok(completion.usage.completion_tokens),
                    Ok(Err(error)) => Err(anyhow::Error::from(error)),
                    Err(_) => Err(anyhow::anyhow!("a request thread panicked")),
                })
                .sum::<Result<usize>>()
        })?;
        let seconds = started.elapsed().as_secs_f64();
        figures
            .aggregate_tokens_per_s
            .push((concurrency, generated as f64 / seconds));
    }
    Ok(figures)
}

/// The llama.cpp sources vendored by the `llama-cpp-sys-2` crate this binary was built with.
fn vendored_llama_cpp() -> Result<PathBuf> {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")))
        .context("neither CARGO_HOME nor HOME is set")?;
    let registry = home.join("registry/src");
    let wanted = format!("llama-cpp-sys-2-{LLAMA_CPP_SYS_VERSION}");
    for index in std::fs::read_dir(&registry)
        .with_context(|| format!("cannot read `{}`", registry.display()))?
        .flatten()
    {
        let candidate = index.path().join(&wanted).join("llama.cpp");
        if candidate.join("CMakeLists.txt").is_file() {
            return Ok(candidate);
        }
    }
    bail!(
        "the sources of {wanted} are not in `{}`: run `cargo fetch` in the Esculape repository",
        registry.display()
    )
}

/// The version pinned in the workspace's Cargo.lock (kept in step by hand).
const LLAMA_CPP_SYS_VERSION: &str = "0.1.160";

/// Builds the peer with cmake into `<data_dir>/peer/` (incremental after the first time).
fn build_peer(data_dir: &Path) -> Result<PathBuf> {
    let sources = vendored_llama_cpp()?;
    let folder = data_dir.join("peer/llama-peer");
    std::fs::create_dir_all(&folder)?;
    std::fs::write(folder.join("peer.cpp"), PEER_SOURCE)?;
    let sources_text = sources.to_string_lossy().replace('\\', "/");
    std::fs::write(
        folder.join("CMakeLists.txt"),
        format!(
            "cmake_minimum_required(VERSION 3.14)\nproject(esculape_llama_peer C CXX)\nadd_subdirectory(\"{sources_text}\" llama.cpp)\nadd_executable(llama-peer peer.cpp)\ntarget_link_libraries(llama-peer PRIVATE llama)\n"
        ),
    )?;
    let build = folder.join("build");
    eprintln!(
        "building the peer against {} (a few minutes the first time)…",
        sources.display()
    );
    // The same switches as llama-cpp-sys-2's build script: release, static, no OpenMP,
    // GGML_NATIVE off (ggml then enables AVX/AVX2/FMA/F16C/BMI2 by default, as for us).
    let mut configure = Command::new("cmake");
    configure
        .arg("-S")
        .arg(&folder)
        .arg("-B")
        .arg(&build)
        .args([
            "-DCMAKE_BUILD_TYPE=Release",
            "-DBUILD_SHARED_LIBS=OFF",
            "-DGGML_NATIVE=OFF",
            "-DGGML_OPENMP=OFF",
            "-DLLAMA_CURL=OFF",
            "-DLLAMA_BUILD_COMMON=OFF",
            "-DLLAMA_BUILD_TESTS=OFF",
            "-DLLAMA_BUILD_TOOLS=OFF",
            "-DLLAMA_BUILD_EXAMPLES=OFF",
            "-DLLAMA_BUILD_SERVER=OFF",
        ]);
    run_quietly(configure, "configure the peer")?;
    let mut compile = Command::new("cmake");
    compile
        .arg("--build")
        .arg(&build)
        .args(["--target", "llama-peer", "-j", "2"]);
    run_quietly(compile, "build the peer")?;
    Ok(build.join("llama-peer"))
}

/// Runs `command`, showing its output only when it fails.
fn run_quietly(mut command: Command, what: &str) -> Result<()> {
    let output = command
        .output()
        .with_context(|| format!("cannot run cmake to {what}: install the Debian package cmake"))?;
    if !output.status.success() {
        bail!(
            "cmake could not {what}:\n{}\n{}",
            String::from_utf8_lossy(&output.stdout).trim(),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(())
}

fn run_peer(peer: &Path, model_path: &Path, threads: usize, args: &LlmArgs) -> Result<Figures> {
    let output = Command::new(peer)
        .arg(model_path)
        .arg(threads.to_string())
        .arg(args.prompt_tokens.to_string())
        .arg(args.generate_tokens.to_string())
        .arg("1")
        .arg(CONCURRENT_TOKENS.to_string())
        .output()
        .context("cannot run the peer")?;
    if !output.status.success() {
        bail!(
            "the peer failed on `{}`: {}",
            model_path.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    serde_json::from_slice(&output.stdout).context("the peer printed no figures")
}

/// The peer: the measurements above, written directly against llama.h of the vendored
/// llama.cpp (its own llama-bench cannot be used: the crate ships its tools without their
/// sources). Prompt: `prompt` tokens decoded in batches of 512, time to the first sampled
/// token; generation: one token per decode with greedy choice, after a short prompt, as
/// esculape does; aggregate: N sequences decoded together in one batch per step.
const PEER_SOURCE: &str = r#"// Peer of `esculape bench llm`, generated by it: llama.cpp called directly.
#include "llama.h"
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

static double now_ms() {
    using namespace std::chrono;
    return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

static void quiet(enum ggml_log_level, const char *, void *) {}

static llama_token greedy(llama_context * ctx, int32_t index, int32_t n_vocab) {
    const float * logits = llama_get_logits_ith(ctx, index);
    llama_token best = 0;
    for (llama_token token = 1; token < n_vocab; ++token) {
        if (logits[token] > logits[best]) best = token;
    }
    return best;
}

static double peak_rss_mb() {
    FILE * status = std::fopen("/proc/self/status", "r");
    if (!status) return 0.0;
    char line[256];
    double kilobytes = 0.0;
    while (std::fgets(line, sizeof line, status)) {
        if (std::strncmp(line, "VmHWM:", 6) == 0) kilobytes = std::atof(line + 6);
    }
    std::fclose(status);
    return kilobytes / 1024.0;
}

static llama_context * context(llama_model * model, int threads, uint32_t sequences, uint32_t tokens_per_sequence) {
    llama_context_params params = llama_context_default_params();
    params.n_ctx = tokens_per_sequence * sequences;
    params.n_batch = 512;
    params.n_ubatch = 512;
    params.n_seq_max = sequences;
    params.n_threads = threads;
    params.n_threads_batch = threads;
    params.swa_full = true;
    params.kv_unified = false;
    return llama_init_from_model(model, params);
}

int main(int argc, char ** argv) {
    if (argc != 7) {
        std::fprintf(stderr, "usage: llama-peer MODEL THREADS PROMPT_TOKENS GENERATE_TOKENS REPETITIONS CONCURRENT_TOKENS\n");
        return 2;
    }
    const int threads = std::atoi(argv[2]);
    const int prompt_tokens = std::atoi(argv[3]);
    const int generate_tokens = std::atoi(argv[4]);
    const int repetitions = std::atoi(argv[5]);
    const int concurrent_tokens = std::atoi(argv[6]);
    llama_log_set(quiet, nullptr);
    llama_backend_init();
    llama_model * model = llama_model_load_from_file(argv[1], llama_model_default_params());
    if (!model) { std::fprintf(stderr, "cannot load the model\n"); return 1; }
    const llama_vocab * vocab = llama_model_get_vocab(model);
    const int32_t n_vocab = llama_vocab_n_tokens(vocab);
    llama_context * ctx = context(model, threads, 1, prompt_tokens + generate_tokens + 256);
    if (!ctx) { std::fprintf(stderr, "cannot create a context\n"); return 1; }
    uint32_t seed = 12345;
    auto next_random = [&]() { seed = seed * 1664525u + 1013904223u; return (llama_token) (seed % (uint32_t) n_vocab); };
    std::vector<double> prompt_rates, generation_rates, first_token_ms;
    for (int repetition = 0; repetition <= repetitions; ++repetition) {
        std::vector<llama_token> tokens(prompt_tokens);
        tokens[0] = llama_vocab_bos(vocab);
        for (int i = 1; i < prompt_tokens; ++i) tokens[i] = next_random();
        llama_memory_clear(llama_get_memory(ctx), true);
        double start = now_ms();
        for (int i = 0; i < prompt_tokens; i += 512) {
            int count = prompt_tokens - i < 512 ? prompt_tokens - i : 512;
            if (llama_decode(ctx, llama_batch_get_one(tokens.data() + i, count)) != 0) { std::fprintf(stderr, "decode failed\n"); return 1; }
        }
        greedy(ctx, -1, n_vocab);
        double prompt_ms = now_ms() - start;
        llama_memory_clear(llama_get_memory(ctx), true);
        std::vector<llama_token> short_prompt = {llama_vocab_bos(vocab), next_random(), next_random(), next_random(), next_random(), next_random(), next_random(), next_random()};
        llama_decode(ctx, llama_batch_get_one(short_prompt.data(), (int32_t) short_prompt.size()));
        llama_token token = greedy(ctx, -1, n_vocab);
        double generation_start = now_ms();
        for (int i = 1; i < generate_tokens; ++i) {
            if (llama_decode(ctx, llama_batch_get_one(&token, 1)) != 0) { std::fprintf(stderr, "decode failed\n"); return 1; }
            token = greedy(ctx, -1, n_vocab);
        }
        double generation_ms = now_ms() - generation_start;
        if (repetition == 0) continue;
        prompt_rates.push_back(prompt_tokens * 1000.0 / prompt_ms);
        first_token_ms.push_back(prompt_ms);
        generation_rates.push_back((generate_tokens - 1) * 1000.0 / generation_ms);
    }
    double peak = peak_rss_mb();
    llama_free(ctx);
    std::string aggregate;
    for (int sequences : {1, 2, 4}) {
        llama_context * batch_ctx = context(model, threads, sequences, 256);
        if (!batch_ctx) { std::fprintf(stderr, "cannot create a context\n"); return 1; }
        llama_batch batch = llama_batch_init(512, 0, 1);
        double rate = 0.0;
        for (int round = 0; round < 2; ++round) {
            llama_memory_clear(llama_get_memory(batch_ctx), true);
            double start = now_ms();
            batch.n_tokens = 0;
            const int short_length = 12;
            for (int s = 0; s < sequences; ++s) {
                for (int i = 0; i < short_length; ++i) {
                    int at = batch.n_tokens++;
                    batch.token[at] = i == 0 ? llama_vocab_bos(vocab) : next_random();
                    batch.pos[at] = i;
                    batch.n_seq_id[at] = 1;
                    batch.seq_id[at][0] = s;
                    batch.logits[at] = i == short_length - 1;
                }
            }
            if (llama_decode(batch_ctx, batch) != 0) { std::fprintf(stderr, "decode failed\n"); return 1; }
            std::vector<int32_t> output(sequences);
            for (int s = 0; s < sequences; ++s) output[s] = (s + 1) * short_length - 1;
            int generated = sequences;
            for (int step = 1; step < concurrent_tokens; ++step) {
                std::vector<llama_token> chosen(sequences);
                for (int s = 0; s < sequences; ++s) chosen[s] = greedy(batch_ctx, output[s], n_vocab);
                batch.n_tokens = 0;
                for (int s = 0; s < sequences; ++s) {
                    int at = batch.n_tokens++;
                    batch.token[at] = chosen[s];
                    batch.pos[at] = short_length + step - 1;
                    batch.n_seq_id[at] = 1;
                    batch.seq_id[at][0] = s;
                    batch.logits[at] = 1;
                    output[s] = at;
                }
                if (llama_decode(batch_ctx, batch) != 0) { std::fprintf(stderr, "decode failed\n"); return 1; }
                generated += sequences;
            }
            for (int s = 0; s < sequences; ++s) greedy(batch_ctx, output[s], n_vocab);
            rate = generated * 1000.0 / (now_ms() - start);
        }
        llama_batch_free(batch);
        llama_free(batch_ctx);
        char item[64];
        std::snprintf(item, sizeof item, "%s[%d,%.3f]", aggregate.empty() ? "" : ",", sequences, rate);
        aggregate += item;
    }
    auto list = [](const std::vector<double> & values) {
        std::string text = "[";
        for (size_t i = 0; i < values.size(); ++i) {
            char item[32];
            std::snprintf(item, sizeof item, "%s%.3f", i ? "," : "", values[i]);
            text += item;
        }
        return text + "]";
    };
    std::printf("{\"prompt_tokens\":%d,\"prompt_tokens_per_s\":%s,\"generation_tokens_per_s\":%s,\"time_to_first_token_ms\":%s,\"peak_rss_mb\":%.1f,\"aggregate_tokens_per_s\":[%s]}\n",
        prompt_tokens, list(prompt_rates).c_str(), list(generation_rates).c_str(), list(first_token_ms).c_str(), peak, aggregate.c_str());
    llama_model_free(model);
    return 0;
}
"#;
