//! The model folder: one flat directory that `scripts/lib/install-model.sh` fills.
//!
//! - `model.onnx`: all-MiniLM-L6-v2 with int8 weights; inputs `input_ids`, `attention_mask` and
//!   (optionally) `token_type_ids`, first output `last_hidden_state`.
//! - `tokenizer.json`: the model's WordPiece tokenizer, in the Hugging Face format.
//! - `libonnxruntime.so`: ONNX Runtime's shared library, opened at run time.
//! - `VERSION`, `NOTICE`, `LICENSE-*`, `MODEL-CARD.md`: where each file came from and under
//!   which licence. Not read here.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::{EmbedError, MAX_TOKENS};

/// The environment variable that overrides [`DEFAULT_MODEL_DIR`].
pub const MODEL_DIR_VAR: &str = "LUCIDITY_MODEL_DIR";

/// Where `scripts/lib/install-model.sh` installs the model when `LUCIDITY_MODEL_DIR` is unset.
pub const DEFAULT_MODEL_DIR: &str = "/opt/lucidity/models/minilm";

/// The model file, inside the model folder.
pub const MODEL_FILE: &str = "model.onnx";

/// The tokenizer file, inside the model folder.
pub const TOKENIZER_FILE: &str = "tokenizer.json";

/// ONNX Runtime's library, inside the model folder.
pub const RUNTIME_FILE: &str = "libonnxruntime.so";

/// The readable part of [`crate::Embedder::model_id`].
const MODEL_NAME: &str = "all-MiniLM-L6-v2-int8";

/// Hex digits of the digest kept in the model id: 48 bits, plenty to tell versions apart.
const MODEL_ID_HEX_DIGITS: usize = 12;

/// The model folder to use: `LUCIDITY_MODEL_DIR` when set and not empty, otherwise
/// [`DEFAULT_MODEL_DIR`].
pub fn default_model_dir() -> PathBuf {
    match std::env::var_os(MODEL_DIR_VAR) {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => PathBuf::from(DEFAULT_MODEL_DIR),
    }
}

/// The paths of the three files a model folder must hold, each checked to exist.
#[derive(Debug, Clone)]
pub(crate) struct ModelFiles {
    pub(crate) model: PathBuf,
    pub(crate) tokenizer: PathBuf,
    pub(crate) runtime: PathBuf,
}

impl ModelFiles {
    /// Finds the files in `dir`, naming the first one missing.
    pub(crate) fn locate(dir: &Path) -> Result<ModelFiles, EmbedError> {
        let files = ModelFiles {
            model: dir.join(MODEL_FILE),
            tokenizer: dir.join(TOKENIZER_FILE),
            runtime: dir.join(RUNTIME_FILE),
        };
        for path in [&files.model, &files.tokenizer, &files.runtime] {
            if !path.is_file() {
                return Err(EmbedError::MissingFile { path: path.clone() });
            }
        }
        Ok(files)
    }
}

/// Reads a file of the model folder whole.
pub(crate) fn read(path: &Path) -> Result<Vec<u8>, EmbedError> {
    std::fs::read(path).map_err(|source| EmbedError::ReadFile {
        path: path.to_path_buf(),
        source,
    })
}

/// The id stored beside each vector, so that vectors made by other weights, another tokenizer or
/// another truncation are found and re-embedded: the model's name, then a digest of the ONNX
/// file, the tokenizer file and [`MAX_TOKENS`]. The runtime library is left out: another build
/// of ONNX Runtime computes the same vectors up to rounding.
pub(crate) fn model_id(model: &[u8], tokenizer: &[u8]) -> String {
    let mut digest = Sha256::new();
    for part in [model, tokenizer, &MAX_TOKENS.to_le_bytes()] {
        digest.update((part.len() as u64).to_le_bytes());
        digest.update(part);
    }
    let hex = hex::encode(digest.finalize());
    format!("{MODEL_NAME}@{}", &hex[..MODEL_ID_HEX_DIGITS])
}
