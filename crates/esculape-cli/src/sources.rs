//! `esculape setup` and `esculape sources …`: installing and maintaining source packs.

use crate::output;
use crate::progress::Bars;
use crate::settings::Settings;
use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use esculape_kb::{
    AnnSettings, FetchOptions, InstallOutcome, InstallReport, KbConfig, KnowledgeBase, PackSpec,
    ParseLimits, ParserKind, Severity, builtin_pack, builtin_packs, local_folder_pack,
};
use esculape_text::Language;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Args)]
pub struct SetupArgs {
    /// Read the official files from this local copy instead of downloading them
    /// (for example ../shared/data); overrides kb.mirror.
    #[arg(long, value_name = "DIR")]
    mirror: Option<PathBuf>,
    /// Install only these built-in packs (comma-separated); default: all default packs.
    #[arg(long, value_delimiter = ',', value_name = "PACK")]
    packs: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum SourcesCommand {
    /// List installed packs (or, with --available, the built-in packs one can add).
    List {
        #[arg(long)]
        available: bool,
        #[arg(long)]
        json: bool,
    },
    /// Add a built-in pack by id (`bdpm`, `cim10`…) or a folder of documents
    /// (Markdown, HTML, PDF, text, JSONL) as a local pack.
    Add {
        /// A built-in pack id, or the path of a folder.
        source: String,
        /// Display name of a local pack ("Protocoles du service"); its id is derived from it.
        #[arg(long)]
        name: Option<String>,
        /// Main language of a local pack's documents (fr, en, es); each document's own
        /// language is still detected.
        #[arg(long, default_value = "fr")]
        language: String,
        /// Read a built-in pack from this local copy instead of downloading it.
        #[arg(long, value_name = "DIR")]
        mirror: Option<PathBuf>,
    },
    /// Fetch the installed packs again (or only those named) and reindex what changed.
    Update {
        packs: Vec<String>,
        #[arg(long, value_name = "DIR")]
        mirror: Option<PathBuf>,
    },
    /// Remove an installed pack and its files.
    Remove { pack: String },
    /// Show a pack's provenance: publisher, version, licence, origin, files and checksums.
    Show {
        pack: String,
        #[arg(long)]
        json: bool,
    },
    /// Compute dense vectors of the passages of installed packs (all, or those named)
    /// with the configured embedding model, for dense and hybrid search.
    Embed { packs: Vec<String> },
    /// What changed at each update (documents added, changed, removed).
    Changes {
        #[arg(long)]
        json: bool,
    },
}

/// Opens the knowledge base described by the settings.
pub fn open_kb(settings: &Settings) -> Result<KnowledgeBase> {
    open_kb_at(settings, &settings.paths.data_dir.join("kb"))
}

/// Opens a knowledge base at `root` with the settings' tuning (evaluations, benchmarks).
pub fn open_kb_at(settings: &Settings, root: &std::path::Path) -> Result<KnowledgeBase> {
    let root = root.to_path_buf();
    let config = KbConfig {
        root,
        chunk_max_chars: settings.kb.chunk_max_chars,
        writer_memory_mb: settings.kb.writer_memory_mb,
        writer_threads: settings.kb.writer_threads,
        limits: ParseLimits {
            max_file_bytes: settings.kb.max_file_mb << 20,
        },
        ann: AnnSettings {
            min_vectors: settings.kb.vector_index_min,
            probe_percent: settings.kb.vector_probe_percent,
        },
    };
    KnowledgeBase::open(config).context("cannot open the knowledge base")
}

fn fetch_options(settings: &Settings, mirror: Option<PathBuf>) -> FetchOptions {
    FetchOptions {
        mirror: mirror.or_else(|| settings.mirror()),
        python: settings.kb.python.clone(),
        http_timeout: Duration::from_secs(settings.kb.http_timeout_s),
    }
}

pub fn setup(settings: &Settings, args: SetupArgs) -> Result<()> {
    let kb = open_kb(settings)?;
    let options = fetch_options(settings, args.mirror);
    let packs: Vec<PackSpec> = if args.packs.is_empty() {
        builtin_packs()
            .into_iter()
            .filter(|pack| pack.default)
            .collect()
    } else {
        args.packs
            .iter()
            .map(|id| {
                builtin_pack(id)
                    .ok_or_else(|| anyhow::anyhow!(esculape_kb::Error::UnknownPack(id.clone())))
            })
            .collect::<Result<_>>()?
    };
    let installed = install_all(&kb, &packs, &options);
    match crate::embeddings::install_model(settings) {
        Ok(()) if settings.embeddings.backend == "local" => {
            println!(
                "modèle d'embeddings / embedding model: all-MiniLM-L6-v2 prêt / ready ({})",
                settings.local_model_dir().display()
            )
        }
        Ok(()) => {}
        Err(error) => {
            eprintln!("modèle d'embeddings / embedding model: ÉCHEC / FAILED: {error:#}");
            return Err(error);
        }
    }
    installed
}

pub fn run(settings: &Settings, command: SourcesCommand) -> Result<()> {
    match command {
        SourcesCommand::List { available, json } => list(settings, available, json),
        SourcesCommand::Add {
            source,
            name,
            language,
            mirror,
        } => {
            let kb = open_kb(settings)?;
            let spec = if let Some(spec) = builtin_pack(&source) {
                spec
            } else {
                let folder = PathBuf::from(&source);
                if !folder.is_dir() {
                    bail!(
                        "`{source}` is neither a built-in pack (see `esculape sources list --available`) nor a folder"
                    );
                }
                let language = Language::from_code(&language)
                    .with_context(|| format!("unknown language `{language}`: use fr, en or es"))?;
                let folder = folder
                    .canonicalize()
                    .with_context(|| format!("cannot resolve `{source}`"))?;
                let name = name.unwrap_or_else(|| {
                    folder
                        .file_name()
                        .map(|name| name.to_string_lossy().to_string())
                        .unwrap_or(source.clone())
                });
                let spec = local_folder_pack(folder, &name, language);
                if builtin_pack(&spec.id).is_some() {
                    bail!(
                        "the name `{name}` would clash with the built-in pack `{}`: choose another --name",
                        spec.id
                    );
                }
                spec
            };
            install_all(&kb, &[spec], &fetch_options(settings, mirror))
        }
        SourcesCommand::Update { packs, mirror } => {
            let kb = open_kb(settings)?;
            let catalog = kb.catalog();
            let ids: Vec<String> = if packs.is_empty() {
                catalog.packs.keys().cloned().collect()
            } else {
                packs
            };
            if ids.is_empty() {
                bail!(
                    "no pack is installed yet: run `esculape setup` or `esculape sources add PACK`"
                );
            }
            let mut specs = Vec::new();
            for id in ids {
                let installed = catalog
                    .packs
                    .get(&id)
                    .ok_or_else(|| esculape_kb::Error::NotInstalled(id.clone()))?;
                let spec = if installed.parser == ParserKind::LocalFolder {
                    let language =
                        Language::from_code(&installed.language).unwrap_or(Language::French);
                    local_folder_pack(PathBuf::from(&installed.origin), &installed.title, language)
                } else {
                    builtin_pack(&id).ok_or_else(|| esculape_kb::Error::UnknownPack(id.clone()))?
                };
                specs.push(spec);
            }
            install_all(&kb, &specs, &fetch_options(settings, mirror))
        }
        SourcesCommand::Remove { pack } => {
            let kb = open_kb(settings)?;
            let change = kb.remove(&pack)?;
            println!("{pack}: retiré ({} documents) / removed", change.removed);
            Ok(())
        }
        SourcesCommand::Show { pack, json } => {
            let kb = open_kb(settings)?;
            let catalog = kb.catalog();
            let installed = catalog
                .packs
                .get(&pack)
                .ok_or_else(|| esculape_kb::Error::NotInstalled(pack.clone()))?;
            if json {
                println!("{}", serde_json::to_string_pretty(installed)?);
            } else {
                output::print_pack(installed);
            }
            Ok(())
        }
        SourcesCommand::Embed { packs } => {
            let kb = open_kb(settings)?;
            let embedder = crate::embeddings::embedder(settings)?
                .context("embeddings.backend is \"none\": set it to \"local\" or \"openai\" to compute vectors")?;
            let ids: Vec<String> = if packs.is_empty() {
                kb.catalog().packs.keys().cloned().collect()
            } else {
                packs
            };
            let bars = Bars::default();
            for id in ids {
                let started = std::time::Instant::now();
                let info = kb.embed_pack(
                    &id,
                    embedder.as_ref(),
                    settings.embeddings.batch_size,
                    &bars,
                )?;
                let seconds = started.elapsed().as_secs_f64();
                println!(
                    "{id:<20} {} vecteurs / vectors ({}, dimension {}) en {seconds:.1} s, {:.1} passages/s",
                    info.count,
                    info.model,
                    info.dimension,
                    info.count as f64 / seconds.max(1e-9)
                );
            }
            Ok(())
        }
        SourcesCommand::Changes { json } => {
            let kb = open_kb(settings)?;
            let changes = kb.changes()?;
            if json {
                println!("{}", serde_json::to_string_pretty(&changes)?);
            } else {
                for change in changes {
                    println!(
                        "{}  {:<20} {} → {}  +{} ~{} -{}",
                        change.at,
                        change.pack,
                        change.from_version.as_deref().unwrap_or("—"),
                        change.to_version.as_deref().unwrap_or("retiré"),
                        change.added,
                        change.changed,
                        change.removed
                    );
                }
            }
            Ok(())
        }
    }
}

fn list(settings: &Settings, available: bool, json: bool) -> Result<()> {
    if available {
        let packs = builtin_packs();
        if json {
            let rows: Vec<serde_json::Value> = packs
                .iter()
                .map(|pack| serde_json::json!({"id": pack.id, "title": pack.title, "publisher": pack.publisher, "licence": pack.licence, "default": pack.default}))
                .collect();
            println!("{}", serde_json::to_string_pretty(&rows)?);
        } else {
            for pack in packs {
                println!(
                    "{:<20} {} — {} [{}]",
                    pack.id, pack.title, pack.publisher, pack.licence
                );
            }
        }
        return Ok(());
    }
    let kb = open_kb(settings)?;
    let catalog = kb.catalog();
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&catalog.packs.values().collect::<Vec<_>>())?
        );
        return Ok(());
    }
    if catalog.packs.is_empty() {
        println!(
            "Aucune source installée. Lancez `esculape setup`. / No source installed: run `esculape setup`."
        );
    }
    for pack in catalog.packs.values() {
        println!(
            "{:<22} {:<12} {:>7} docs {:>8} passages  {} — {}",
            pack.id, pack.version, pack.documents, pack.chunks, pack.title, pack.publisher
        );
    }
    Ok(())
}

fn install_all(kb: &KnowledgeBase, specs: &[PackSpec], options: &FetchOptions) -> Result<()> {
    let bars = Bars::default();
    let mut failures = Vec::new();
    let mut reports: Vec<InstallReport> = Vec::new();
    for spec in specs {
        match kb.install(spec, options, &bars) {
            Ok(report) => {
                print_report(&report);
                reports.push(report);
            }
            Err(error) => {
                eprintln!("{:<20} ÉCHEC / FAILED: {error}", spec.id);
                failures.push(spec.id.clone());
            }
        }
    }
    let skipped: usize = reports
        .iter()
        .map(|report| {
            report
                .findings
                .iter()
                .filter(|finding| finding.severity == Severity::Skipped)
                .count()
        })
        .sum();
    println!(
        "Résumé / summary: {} pack(s) ok, {} en échec / failed, {} fichier(s) ou enregistrement(s) ignoré(s) / skipped",
        reports.len(),
        failures.len(),
        skipped
    );
    if !failures.is_empty() {
        bail!(
            "{} pack(s) could not be installed: {}; the versions already installed keep serving",
            failures.len(),
            failures.join(", ")
        );
    }
    Ok(())
}

fn print_report(report: &InstallReport) {
    let seconds = report.duration_ms as f64 / 1000.0;
    match &report.outcome {
        InstallOutcome::Installed {
            version,
            documents,
            chunks,
            change,
        } => println!(
            "{:<20} version {version}: {documents} documents, {chunks} passages en {seconds:.1} s (+{} ~{} -{} depuis {})",
            report.pack,
            change.added,
            change.changed,
            change.removed,
            change.from_version.as_deref().unwrap_or("rien / nothing")
        ),
        InstallOutcome::UpToDate { version } => {
            println!(
                "{:<20} version {version}: à jour / up to date ({seconds:.1} s)",
                report.pack
            )
        }
    }
    const SHOWN: usize = 10;
    for finding in report.findings.iter().take(SHOWN) {
        let label = match finding.severity {
            Severity::Note => "note",
            Severity::Skipped => "ignoré / skipped",
        };
        println!("    {label}: {}: {}", finding.subject, finding.message);
    }
    if report.findings.len() > SHOWN {
        println!(
            "    … and {} more (see findings.json in the pack's folder)",
            report.findings.len() - SHOWN
        );
    }
}
