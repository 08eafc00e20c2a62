//! `esculape draft` and `esculape synthesize`: documents from the clinician's notes and
//! summaries of several documents, every sentence traceable to its input span; drafts
//! kept in the store for their author, who edits, validates or rejects them, and exports
//! them once validated.

#![allow(clippy::print_stdout)]

use crate::serve::open_app;
use crate::settings::Settings;
use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use esculape_app::{App, ExportFormat, Identity, Operator};
use esculape_drafting::{
    DocumentTypes, Draft, DraftConfig, DraftMode, DraftRequest, InputDocument, MedicationLists,
    Resources, SubstancesOf,
};
use esculape_drugs::{Bdpm, Outcome, Thesaurus};
use std::path::{Path, PathBuf};

/// The account that commands act as when `--user` is not given.
pub const USER_ENV: &str = "ESCULAPE_USER";

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct DraftArgs {
    #[command(subcommand)]
    command: Option<DraftCommand>,
    #[command(flatten)]
    create: CreateArgs,
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// Document type: lettre-de-liaison, compte-rendu-consultation, courrier-adressage (or
    /// a type of --types).
    #[arg(long = "type", value_name = "TYPE")]
    document_type: Option<String>,
    /// The notes or dictation transcript (UTF-8 text).
    notes: Option<PathBuf>,
    /// Treatment on admission, one line per drug ("amlodipine 5 mg/j").
    #[arg(long, value_name = "FILE")]
    admission_meds: Option<PathBuf>,
    /// Treatment at discharge, one line per drug; interactions are checked on it.
    #[arg(long, value_name = "FILE")]
    discharge_meds: Option<PathBuf>,
    #[command(flatten)]
    common: CommonArgs,
}

#[derive(Debug, Args)]
pub struct CommonArgs {
    /// extractive (the notes' sentences, always available) or generative (the configured
    /// model rewrites each section; every sentence verified).
    #[arg(long, default_value = "extractive")]
    mode: DraftMode,
    /// A folder of the site's own document types (`*.toml`, as in crates/esculape-drafting/data/types).
    #[arg(long, value_name = "DIR")]
    types: Option<PathBuf>,
    /// The account the draft belongs to (default: $ESCULAPE_USER); without one the draft
    /// is printed and not saved.
    #[arg(long)]
    user: Option<String>,
    /// Machine-readable output (the whole draft with its spans, as JSON).
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct SynthesizeArgs {
    /// The documents about one patient (UTF-8 text), two or more.
    #[arg(required = true, num_args = 1..)]
    documents: Vec<PathBuf>,
    #[command(flatten)]
    common: CommonArgs,
}

#[derive(Debug, Subcommand)]
pub enum DraftCommand {
    /// Your drafts, newest first.
    List {
        #[arg(long)]
        user: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// A draft's latest text and its history of versions.
    Show {
        id: i64,
        #[arg(long)]
        user: Option<String>,
        /// Print every version, not only the latest.
        #[arg(long)]
        all_versions: bool,
        #[arg(long)]
        json: bool,
    },
    /// Replace the draft's text with the content of FILE (a new version; old ones kept).
    Edit {
        id: i64,
        file: PathBuf,
        #[arg(long)]
        user: Option<String>,
    },
    /// Validate the latest version: you sign it.
    Validate {
        id: i64,
        #[arg(long)]
        user: Option<String>,
    },
    /// Reject the draft.
    Reject {
        id: i64,
        #[arg(long, default_value = "")]
        reason: String,
        #[arg(long)]
        user: Option<String>,
    },
    /// Print a validated document as markdown, text or html.
    Export {
        id: i64,
        #[arg(long, default_value = "markdown")]
        format: String,
        #[arg(long)]
        user: Option<String>,
    },
    /// The patient information notice (French and English).
    Notice {
        id: i64,
        #[arg(long)]
        user: Option<String>,
    },
}

pub fn draft(settings: &Settings, args: DraftArgs) -> Result<()> {
    match args.command {
        Some(command) => manage(settings, command),
        None => create(settings, args.create),
    }
}

fn create(settings: &Settings, args: CreateArgs) -> Result<()> {
    let Some(type_id) = args.document_type.as_deref() else {
        bail!("give the document type: `esculape draft --type lettre-de-liaison notes.txt`");
    };
    let Some(notes) = &args.notes else {
        bail!("give the notes file: `esculape draft --type {type_id} notes.txt`");
    };
    let types = document_types(args.common.types.as_deref())?;
    let medications = match (&args.admission_meds, &args.discharge_meds) {
        (None, None) => None,
        (admission, discharge) => Some(MedicationLists {
            admission: match admission {
                Some(path) => read_document(path)?,
                None => InputDocument::new("traitement d'entrée (absent)", ""),
            },
            discharge: match discharge {
                Some(path) => read_document(path)?,
                None => InputDocument::new("traitement de sortie (absent)", ""),
            },
        }),
    };
    let request = DraftRequest {
        document_type: types.get(type_id)?,
        documents: vec![read_document(notes)?],
        medications,
    };
    run_and_save(settings, &request, &args.common)
}

pub fn synthesize(settings: &Settings, args: SynthesizeArgs) -> Result<()> {
    let types = document_types(args.common.types.as_deref())?;
    let documents = args
        .documents
        .iter()
        .map(|path| read_document(path))
        .collect::<Result<Vec<_>>>()?;
    let request = DraftRequest {
        document_type: types.get("synthese")?,
        documents,
        medications: None,
    };
    run_and_save(settings, &request, &args.common)
}

fn run_and_save(
    settings: &Settings,
    request: &DraftRequest<'_>,
    common: &CommonArgs,
) -> Result<()> {
    let generator = match common.mode {
        DraftMode::Generative => Some(crate::generate::generator(settings)?),
        DraftMode::Extractive => None,
    };
    let medication = if request.medications.is_some() {
        load_medication(&crate::sources::open_kb(settings)?)
    } else {
        None
    };
    let resolve = medication.as_ref().map(|(thesaurus, bdpm)| {
        move |text: &str| -> Vec<String> { substances(thesaurus, bdpm.as_ref(), text) }
    });
    let drug_names = crate::ask::drug_names(
        settings,
        medication
            .as_ref()
            .map(|(thesaurus, bdpm)| esculape_app::drug_names(thesaurus, bdpm.as_ref())),
    );
    let config = DraftConfig {
        mode: common.mode,
        max_tokens_per_section: settings.llm.max_tokens.min(256),
        ..DraftConfig::default()
    };
    let resources = Resources {
        generator: generator.as_deref(),
        thesaurus: medication.as_ref().map(|(thesaurus, _)| thesaurus),
        substances_of: resolve.as_ref().map(|resolve| resolve as &SubstancesOf),
        drug_names: Some(&drug_names),
    };
    let draft = esculape_drafting::draft(request, &config, resources)?;
    let user = common.user.clone().or_else(|| std::env::var(USER_ENV).ok());
    let saved = match user {
        Some(login) => {
            let app = open_app(settings, None)?;
            let identity = identity(&app, &login)?;
            Some(app.save_draft(&identity, &draft)?)
        }
        None => None,
    };
    if common.json {
        let value = serde_json::json!({
            "id": saved.as_ref().map(|record| record.id),
            "draft": draft,
        });
        println!("{}", serde_json::to_string_pretty(&value)?);
    } else {
        print_draft(&draft);
        match &saved {
            Some(record) => eprintln!(
                "Brouillon n° {} enregistré. Relire : `esculape draft show {0}` ; corriger : `esculape draft edit {0} FICHIER` ; valider : `esculape draft validate {0}`.",
                record.id
            ),
            None => eprintln!(
                "Brouillon non enregistré (aucun compte) : ajoutez --user LOGIN ou ${USER_ENV} pour le garder, le valider et l'exporter."
            ),
        }
    }
    Ok(())
}

/// The thesaurus (and the BDPM when installed), or nothing with a warning: a draft is
/// still made, without interaction alerts.
fn load_medication(kb: &esculape_kb::KnowledgeBase) -> Option<(Thesaurus, Option<Bdpm>)> {
    match esculape_app::load_thesaurus(kb) {
        Ok(thesaurus) => Some((thesaurus, esculape_app::load_bdpm(kb).ok())),
        Err(error) => {
            eprintln!(
                "Attention : interactions non vérifiées ({error}) ; installez `ansm-interactions` avec `esculape setup`."
            );
            None
        }
    }
}

fn substances(thesaurus: &Thesaurus, bdpm: Option<&Bdpm>, text: &str) -> Vec<String> {
    if let Some(bdpm) = bdpm {
        match bdpm.resolve(text, Some(thesaurus)).outcome {
            Outcome::Specialties { cis, .. } => {
                return bdpm.interaction_substances(&cis[0], thesaurus);
            }
            Outcome::Substance { name, .. } => return vec![name],
            Outcome::Ambiguous { .. } | Outcome::NotFound { .. } => {}
        }
    }
    let name: Vec<&str> = text
        .split_whitespace()
        .take_while(|word| !word.starts_with(|c: char| c.is_ascii_digit()))
        .collect();
    vec![name.join(" ").to_uppercase()]
}

fn document_types(folder: Option<&Path>) -> Result<DocumentTypes> {
    Ok(match folder {
        Some(folder) => DocumentTypes::with_folder(folder)?,
        None => DocumentTypes::built_in(),
    })
}

fn read_document(path: &Path) -> Result<InputDocument> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read `{}`: give a UTF-8 text file", path.display()))?;
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    Ok(InputDocument::new(name, text))
}

fn identity(app: &App, login: &str) -> Result<Identity> {
    Ok(app.terminal_identity(Operator::terminal(), login)?)
}

fn user_or_env(user: Option<String>) -> Result<String> {
    user.or_else(|| std::env::var(USER_ENV).ok())
        .with_context(|| format!("say whose drafts: --user LOGIN or ${USER_ENV}"))
}

fn print_draft(draft: &Draft) {
    println!("# {} ({})", draft.title_fr, draft.title_en);
    let source_name = |index: usize| {
        draft
            .sources
            .get(index)
            .map_or("?", |source| source.name.as_str())
    };
    for section in &draft.sections {
        println!("\n## {}", section.title_fr);
        if let Some(missing) = &section.missing {
            println!("{} : {missing}.", section.title_fr);
        }
        for sentence in &section.sentences {
            let spans: Vec<String> = sentence
                .spans
                .iter()
                .map(|span| {
                    format!(
                        "{} {}–{}",
                        source_name(span.document),
                        span.start_char,
                        span.end_char
                    )
                })
                .collect();
            let label = sentence
                .label
                .as_deref()
                .map(|label| format!("{label} : "))
                .unwrap_or_default();
            println!("- {label}{}  [{}]", sentence.text, spans.join(" ; "));
        }
        if let Some(reason) = &section.fallback_reason {
            println!("  (phrases des notes : {reason})");
        }
    }
    for line in esculape_drafting::change_reasons(draft) {
        println!("{line}");
    }
    if let Some(report) = &draft.interactions {
        println!(
            "\n## Interactions (thésaurus ANSM {})",
            report.thesaurus_version
        );
        if report.alerts.is_empty() {
            println!("Aucune interaction répertoriée entre les lignes du traitement de sortie.");
        }
        for alert in &report.alerts {
            println!(
                "- {} : {} + {}",
                alert.level.label_fr(),
                alert.labels[0],
                alert.labels[1]
            );
        }
        for unmatched in &report.unmatched {
            println!(
                "- absent du thésaurus, non vérifié : {}",
                unmatched.substance
            );
        }
    }
    if !draft.contradictions.is_empty() {
        println!("\n## Contradictions entre documents");
        for contradiction in &draft.contradictions {
            let values: Vec<String> = contradiction
                .mentions
                .iter()
                .map(|mention| {
                    format!(
                        "{} ({} {}–{})",
                        mention.written,
                        source_name(mention.span.document),
                        mention.span.start_char,
                        mention.span.end_char
                    )
                })
                .collect();
            println!("- {} : {}", contradiction.subject, values.join(" ; "));
        }
    }
    if !draft.flagged.is_empty() {
        println!("\n## Phrases non retenues (non étayées)");
        for flagged in &draft.flagged {
            let problems: Vec<String> = flagged
                .sentence
                .verification
                .problems
                .iter()
                .map(|problem| serde_json::to_string(problem).unwrap_or_default())
                .collect();
            println!(
                "- [{}] {}  {}",
                flagged.section,
                flagged.sentence.text,
                problems.join(" ")
            );
        }
    }
    println!(
        "\n[{} · mode {:?} · modèle {} · {} identifiant(s) remplacé(s) avant tout traitement · {:.0} ms]",
        draft.reference,
        draft.ai_use.settings.used_mode,
        draft.ai_use.model.as_deref().unwrap_or("aucun"),
        draft.identifiers_replaced,
        draft.timings.total_ms
    );
}

fn manage(settings: &Settings, command: DraftCommand) -> Result<()> {
    let app = open_app(settings, None)?;
    match command {
        DraftCommand::List { user, json } => {
            let identity = identity(&app, &user_or_env(user)?)?;
            let drafts = app.my_drafts(&identity)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&drafts)?);
            } else if drafts.is_empty() {
                println!("Aucun brouillon.");
            } else {
                for record in drafts {
                    println!(
                        "{:>5}  {:<10}  v{}  {}  {}",
                        record.id,
                        record.status.as_str(),
                        record.latest_version,
                        esculape_app::rfc3339_utc(record.updated_at_s * 1000),
                        record.title
                    );
                }
            }
        }
        DraftCommand::Show {
            id,
            user,
            all_versions,
            json,
        } => {
            let identity = identity(&app, &user_or_env(user)?)?;
            let detail = app.draft_detail(&identity, id)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&detail)?);
                return Ok(());
            }
            println!(
                "Brouillon {} · {} · {} · version {}",
                detail.draft.id,
                detail.draft.title,
                detail.draft.status.as_str(),
                detail.draft.latest_version
            );
            if let (Some(by), Some(at)) = (&detail.decided_by_name, detail.draft.decided_at_s) {
                println!(
                    "Décision : {} par {by} le {}",
                    detail.draft.status.as_str(),
                    esculape_app::rfc3339_utc(at * 1000)
                );
            }
            let shown: Vec<_> = if all_versions {
                detail.versions.iter().collect()
            } else {
                detail.versions.last().into_iter().collect()
            };
            for version in shown {
                println!(
                    "\n--- version {} ({}) ---\n{}",
                    version.version,
                    esculape_app::rfc3339_utc(version.created_at_s * 1000),
                    version.body
                );
            }
        }
        DraftCommand::Edit { id, file, user } => {
            let identity = identity(&app, &user_or_env(user)?)?;
            let body = std::fs::read_to_string(&file).with_context(|| {
                format!("cannot read `{}`: give a UTF-8 text file", file.display())
            })?;
            let record = app.edit_draft(&identity, id, &body)?;
            println!(
                "Brouillon {id} : version {} enregistrée ({}).",
                record.latest_version,
                record.status.as_str()
            );
        }
        DraftCommand::Validate { id, user } => {
            let identity = identity(&app, &user_or_env(user)?)?;
            let record = app.validate_draft(&identity, id)?;
            println!(
                "Brouillon {id} validé par {} (version {}). Export : `esculape draft export {id} --format html`.",
                identity.display_name(),
                record.latest_version
            );
        }
        DraftCommand::Reject { id, reason, user } => {
            let identity = identity(&app, &user_or_env(user)?)?;
            app.reject_draft(&identity, id, &reason)?;
            println!("Brouillon {id} rejeté.");
        }
        DraftCommand::Export { id, format, user } => {
            let identity = identity(&app, &user_or_env(user)?)?;
            let format: ExportFormat = format.parse()?;
            print!("{}", app.export_draft(&identity, id, format)?);
        }
        DraftCommand::Notice { id, user } => {
            let identity = identity(&app, &user_or_env(user)?)?;
            let (french, english) = app.draft_notice(&identity, id)?;
            println!("{french}\n\n{english}");
        }
    }
    Ok(())
}
