//! `esculape serve`: the web application. The first run installs the default sources
//! (as `esculape setup`), creates the database and the first administrator; then the
//! server runs until SIGTERM or Ctrl-C.

use crate::settings::Settings;
use anyhow::{Context, Result, bail};
use clap::{Args, CommandFactory, FromArgMatches};
use esculape_answer::AnswerMode;
use esculape_app::{
    App, AppSettings, AskEngine, Medication, ModelEngine, ModelQueue, Operator, Password,
};
use esculape_kb::FetchOptions;
use esculape_server::ServerConfig;
use esculape_store::{DataKey, SqliteStore};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// The environment variable that gives the first administrator's password (otherwise a
/// random one is printed once).
pub const ADMIN_PASSWORD_ENV: &str = "ESCULAPE_ADMIN_PASSWORD";

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on; overrides server.addr.
    #[arg(long, value_name = "HOST:PORT")]
    addr: Option<String>,
    /// On first run, read the default sources from this local copy instead of
    /// downloading them (for example ../shared/data); overrides kb.mirror.
    #[arg(long, value_name = "DIR")]
    mirror: Option<PathBuf>,
}

/// Checks `[server]` and `[audit]` (called by `Settings::validate`).
pub fn validate_settings(settings: &Settings) -> Result<()> {
    if settings.audit.retention_days < 183 {
        bail!(
            "audit.retention_days = {} is too short: keep the audit trail at least 183 days (6 months)",
            settings.audit.retention_days
        );
    }
    let server = &settings.server;
    if server.session_hours == 0 || server.lockout_attempts == 0 || server.lockout_minutes == 0 {
        bail!(
            "server.session_hours, server.lockout_attempts and server.lockout_minutes must be at least 1"
        );
    }
    if server.body_limit_kb == 0 || server.request_timeout_s == 0 {
        bail!("server.body_limit_kb and server.request_timeout_s must be at least 1");
    }
    if server.model_workers == 0 {
        bail!("server.model_workers must be at least 1 (questions answered at once)");
    }
    Ok(())
}

/// The database file in the data folder.
pub fn database_path(settings: &Settings) -> PathBuf {
    settings.paths.data_dir.join("esculape.sqlite3")
}

/// The data key that seals drafts: `store.key_env`, else `store.key_file`, else
/// `<data_dir>/keys/store.key`, created (owner-only) on first use.
pub fn data_key(settings: &Settings) -> Result<DataKey> {
    if let Ok(text) = std::env::var(&settings.store.key_env)
        && !text.trim().is_empty()
    {
        return DataKey::parse(&text).with_context(|| {
            format!("the variable {} holds no valid key", settings.store.key_env)
        });
    }
    let configured = settings.store.key_file.trim();
    let path = if configured.is_empty() {
        settings.paths.data_dir.join("keys").join("store.key")
    } else {
        PathBuf::from(configured)
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => DataKey::parse(&text)
            .with_context(|| format!("the key file `{}` holds no valid key", path.display())),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound && configured.is_empty() => {
            create_key_file(&path)
        }
        Err(error) => Err(error).with_context(|| {
            format!(
                "cannot read the data key file `{}` (store.key_file): restore it from the site's key backup",
                path.display()
            )
        }),
    }
}

/// Writes a new random key, readable by its owner only. The key is written whole to a
/// temporary file and then linked into place, so a killed process leaves no half key, and
/// a key another process created meanwhile is kept and used.
fn create_key_file(path: &Path) -> Result<DataKey> {
    let key = DataKey::random()?;
    let folder = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(folder)
        .with_context(|| format!("cannot create the key folder `{}`", folder.display()))?;
    let temporary = folder.join(format!(".store.key.{}", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options.open(&temporary).and_then(|mut file| {
        std::io::Write::write_all(&mut file, format!("{}\n", key.to_hex()).as_bytes())?;
        file.sync_all()
    });
    written.with_context(|| format!("cannot write the data key file `{}`", temporary.display()))?;
    let linked = std::fs::hard_link(&temporary, path);
    let _ = std::fs::remove_file(&temporary);
    match linked {
        Ok(()) => {
            tracing::info!(path = %path.display(), "created the data key that seals drafts; back it up");
            Ok(key)
        }
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the data key file `{}`", path.display()))?;
            Ok(DataKey::parse(&text)?)
        }
        Err(error) => Err(error)
            .with_context(|| format!("cannot create the data key file `{}`", path.display())),
    }
}

/// Opens the knowledge base and the store, and builds the application.
pub fn open_app(settings: &Settings, mirror: Option<PathBuf>) -> Result<App> {
    std::fs::create_dir_all(&settings.paths.data_dir).with_context(|| {
        format!(
            "cannot create the data folder `{}`",
            settings.paths.data_dir.display()
        )
    })?;
    let kb = crate::sources::open_kb(settings)?;
    let store = SqliteStore::open(&database_path(settings))?.with_data_key(data_key(settings)?);
    let app_settings = AppSettings {
        session_hours: settings.server.session_hours,
        lockout_attempts: settings.server.lockout_attempts,
        lockout_minutes: settings.server.lockout_minutes,
        audit_retention_days: settings.audit.retention_days,
        fetch: FetchOptions {
            mirror: mirror.or_else(|| settings.mirror()),
            python: settings.kb.python.clone(),
            http_timeout: Duration::from_secs(settings.kb.http_timeout_s),
        },
    };
    Ok(App::new(Arc::new(kb), Arc::new(store), app_settings))
}

/// Plugs in the engines behind the clinical pages: answers (with the bounded model
/// queue), prescription checks when the `ansm-interactions` pack is installed (and the
/// BDPM when `bdpm` is), the calculators, and pseudonymization.
pub fn with_engines(settings: &Settings, app: App) -> Result<App> {
    let mode_name = settings.answer.mode.as_str();
    let mode = AnswerMode::from_name(mode_name).with_context(|| {
        format!("unknown answer.mode `{mode_name}`: use extractive or generative")
    })?;
    let config = crate::ask::answer_config(settings, mode, None, Vec::new());
    config.validate()?;
    let generator: Option<Arc<dyn esculape_llm::Generator>> = match mode {
        AnswerMode::Generative => Some(Arc::from(crate::generate::generator(settings)?)),
        AnswerMode::Extractive => None,
    };
    let pseudonymization = esculape_pseudo::Config {
        mode: if settings.pseudo.mode == "placeholders" {
            esculape_pseudo::Mode::Placeholders
        } else {
            esculape_pseudo::Mode::Surrogates
        },
        ..esculape_pseudo::Config::default()
    };
    let queue = Arc::new(ModelQueue::new(
        settings.server.model_workers,
        settings.server.model_queue,
        2,
    ));
    // The OpenAI-compatible endpoints: the configured models when they load, else off.
    let chat_generator = match (&generator, settings.llm.backend.as_str()) {
        (Some(generator), _) => Some(Arc::clone(generator)),
        (None, "none") => None,
        (None, _) => match crate::generate::generator(settings) {
            Ok(generator) => Some(Arc::from(generator)),
            Err(error) => {
                tracing::warn!(%error, "/v1/chat/completions is off");
                None
            }
        },
    };
    let embedder: Option<Arc<dyn esculape_llm::Embedder>> =
        match crate::embeddings::embedder(settings) {
            Ok(embedder) => embedder.map(Arc::from),
            Err(error) => {
                tracing::warn!(%error, "/v1/embeddings is off");
                None
            }
        };
    let models = ModelEngine {
        generator: chat_generator,
        embedder,
        queue: Arc::clone(&queue),
    };
    // Ordonnance and the answers' interaction alerts; its drug names go to the verifier.
    let medication = if app
        .knowledge_base()
        .catalog()
        .packs
        .contains_key("ansm-interactions")
    {
        match Medication::load(app.knowledge_base()) {
            Ok(medication) => Some(medication),
            Err(error) => {
                tracing::warn!(%error, "prescription checks are off");
                None
            }
        }
    } else {
        println!(
            "Ordonnance désactivée / prescription checks off: install the `ansm-interactions` pack (esculape sources add ansm-interactions)"
        );
        None
    };
    let engine = AskEngine {
        config,
        drug_names: crate::ask::drug_names(
            settings,
            medication.as_ref().map(Medication::drug_names),
        ),
        generator,
        queue,
    };
    let mut app = app
        .with_answers(engine)
        .with_models(models)
        .with_scores()
        .with_pseudonymization(pseudonymization);
    // Rédiger needs no engine of its own (extractive drafting always works).
    let mut features = app.features();
    features.drafting = true;
    app = app.with_features(features);
    if let Some(medication) = medication {
        app = app.with_medication(medication);
    }
    Ok(app)
}

pub fn serve(settings: &Settings, args: ServeArgs) -> Result<()> {
    if !settings.server.tls_cert.trim().is_empty() || !settings.server.tls_key.trim().is_empty() {
        bail!(
            "server.tls_cert / server.tls_key: TLS inside Esculape is not available yet; leave them empty, put a TLS reverse proxy in front and set server.behind_tls = true"
        );
    }
    let addr = args.addr.unwrap_or_else(|| settings.server.addr.clone());
    let first_run = crate::sources::open_kb(settings)?
        .catalog()
        .packs
        .is_empty();
    if first_run {
        println!(
            "Premier démarrage : installation des sources par défaut / first start: installing the default sources"
        );
        crate::sources::setup(settings, setup_args(args.mirror.as_ref())?)?;
    }
    let app = with_engines(settings, open_app(settings, args.mirror)?)?;
    let password = match std::env::var(ADMIN_PASSWORD_ENV) {
        Ok(password) if !password.is_empty() => (password, false),
        _ => (esculape_app::random_password()?, true),
    };
    if let Some(login) =
        app.ensure_admin(Operator::terminal(), &Password::new(password.0.clone()))?
    {
        println!("Compte administrateur créé / administrator account created: {login}");
        if password.1 {
            println!(
                "  mot de passe / password: {}   (affiché une seule fois / shown only once)",
                password.0
            );
        } else {
            println!("  mot de passe / password: from {ADMIN_PASSWORD_ENV}");
        }
    }
    let config = ServerConfig {
        body_limit_bytes: settings.server.body_limit_kb << 10,
        request_timeout: Duration::from_secs(settings.server.request_timeout_s),
        secure_cookies: settings.server.behind_tls,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&addr)
            .await
            .with_context(|| {
                format!("cannot listen on {addr}: is another server using it? set --addr")
            })?;
        let local = listener
            .local_addr()
            .context("cannot read the listening address")?;
        esculape_server::spawn_audit_retention(app.clone());
        let router = esculape_server::router(app, config);
        println!("Esculape est prêt / is ready: http://{local}/");
        esculape_server::serve(listener, router).await?;
        println!("Esculape arrêté / stopped");
        Ok(())
    })
}

/// `esculape setup`'s arguments, as if typed, so that the first run installs exactly what
/// `setup` does.
fn setup_args(mirror: Option<&PathBuf>) -> Result<crate::sources::SetupArgs> {
    let mut words = vec!["setup".to_string()];
    if let Some(mirror) = mirror {
        words.push("--mirror".into());
        words.push(mirror.display().to_string());
    }
    let matches = <SetupCommand as CommandFactory>::command().try_get_matches_from(words)?;
    Ok(SetupCommand::from_arg_matches(&matches)?.args)
}

#[derive(Debug, clap::Parser)]
struct SetupCommand {
    #[command(flatten)]
    args: crate::sources::SetupArgs,
}
