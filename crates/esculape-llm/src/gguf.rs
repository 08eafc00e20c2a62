//! Checks on a GGUF file before llama.cpp loads it, so a wrong file gets an error that names
//! its cause, and the llama.cpp library set-up shared by every local model.

use crate::error::{Error, Result};
use llama_cpp_2::gguf::GgufContext;
use llama_cpp_2::llama_backend::LlamaBackend;
use std::io::Read;
use std::path::Path;
use std::sync::OnceLock;

/// What the header of a GGUF file says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GgufInfo {
    /// `general.architecture`, for example `llama` or `gemma3`.
    pub architecture: String,
    /// `general.name`, when present.
    pub name: Option<String>,
    /// `tokenizer.chat_template`, when present (a Jinja template).
    pub chat_template: Option<String>,
    /// `<architecture>.pooling_type` of embedding models (1 mean, 2 CLS, 3 last).
    pub pooling_type: Option<u32>,
    pub file_bytes: u64,
}

/// Reads the header of `path`: fails on a missing file, a file that is not GGUF, or a
/// header cut short.
pub fn inspect_gguf(path: &Path) -> Result<GgufInfo> {
    let fail = |reason: String| Error::Model {
        path: path.to_path_buf(),
        reason,
    };
    let mut file = std::fs::File::open(path).map_err(|error| {
        fail(format!(
            "{error}; run `esculape models pull` or set llm.model to a GGUF file"
        ))
    })?;
    let file_bytes = file.metadata().map(|metadata| metadata.len()).unwrap_or(0);
    let mut magic = [0u8; 4];
    if file.read_exact(&mut magic).is_err() || &magic != b"GGUF" {
        return Err(fail(
            "not a GGUF file (it does not start with `GGUF`): give the path of a .gguf model"
                .into(),
        ));
    }
    let context = GgufContext::from_file(path).ok_or_else(|| {
        fail("the GGUF header is truncated or corrupted: download the file again".into())
    })?;
    let text = |key: &str| {
        let index = context.find_key(key);
        (index >= 0)
            .then(|| context.val_str(index).map(str::to_string))
            .flatten()
    };
    let architecture = text("general.architecture").ok_or_else(|| {
        fail("the GGUF header names no architecture (`general.architecture`)".into())
    })?;
    let pooling_index = context.find_key(&format!("{architecture}.pooling_type"));
    let pooling_type = (pooling_index >= 0).then(|| context.val_u32(pooling_index));
    Ok(GgufInfo {
        pooling_type,
        architecture,
        name: text("general.name"),
        chat_template: text("tokenizer.chat_template"),
        file_bytes,
    })
}

/// The llama.cpp library, initialized once per process. Its own messages go to `tracing`
/// when debug logging is on for this crate (`-vv`), and nowhere otherwise: at lower levels
/// they are routine notes ("using full-size SWA cache") that users cannot act on.
pub(crate) fn backend() -> Result<&'static LlamaBackend> {
    static BACKEND: OnceLock<std::result::Result<LlamaBackend, String>> = OnceLock::new();
    BACKEND
        .get_or_init(|| {
            let debugging = tracing::enabled!(tracing::Level::DEBUG);
            llama_cpp_2::send_logs_to_tracing(
                llama_cpp_2::LogOptions::default().with_logs_enabled(debugging),
            );
            LlamaBackend::init().map_err(|error| error.to_string())
        })
        .as_ref()
        .map_err(|reason| Error::Inference(format!("cannot start llama.cpp: {reason}")))
}
