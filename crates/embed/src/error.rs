//! Why loading the model or embedding texts failed, one variant per cause. No message carries
//! the texts being embedded: only paths and the libraries' own descriptions.

use std::path::PathBuf;

/// The tokenizers crate's error type: a boxed error that can cross threads.
type TokenizerError = Box<dyn std::error::Error + Send + Sync>;

/// An error from [`crate::Embedder`].
#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    /// The model folder lacks one of its files: the model was never installed, or
    /// `LUCIDITY_MODEL_DIR` points at the wrong folder.
    #[error(
        "{} is missing: install the embedding model with scripts/lib/install-model.sh (run by \
         scripts/install.sh), or point LUCIDITY_MODEL_DIR at the folder that holds it",
        path.display()
    )]
    MissingFile { path: PathBuf },

    /// A file of the model folder exists but cannot be read.
    #[error("cannot read {}", path.display())]
    ReadFile {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// ONNX Runtime's shared library cannot be opened, or is older than the bindings need.
    #[error("cannot load ONNX Runtime from {}", path.display())]
    LoadRuntime {
        path: PathBuf,
        #[source]
        source: ort::LoadDynamicError,
    },

    /// ONNX Runtime is loaded but refused to set up its environment or a session option.
    #[error("cannot set up ONNX Runtime")]
    Runtime(#[source] ort::Error),

    /// `tokenizer.json` is not a tokenizer the tokenizers crate can read.
    #[error("cannot load the tokenizer from {}", path.display())]
    LoadTokenizer {
        path: PathBuf,
        #[source]
        source: TokenizerError,
    },

    /// The ONNX file is not a model ONNX Runtime can open.
    #[error("cannot load the ONNX model from {}", path.display())]
    LoadModel {
        path: PathBuf,
        #[source]
        source: ort::Error,
    },

    /// The model opens but does not have the inputs and output of a 384-dimension BERT encoder.
    #[error("{} is not the expected sentence encoder: {reason}", path.display())]
    UnexpectedModel { path: PathBuf, reason: String },

    /// The tokenizer failed on an input text.
    #[error("cannot tokenize the texts")]
    Tokenize(#[source] TokenizerError),

    /// ONNX Runtime failed while running the model.
    #[error("inference failed")]
    Inference(#[source] ort::Error),
}
