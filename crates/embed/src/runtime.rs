//! ONNX Runtime: its shared library, opened once per process, and sessions over the model.
//! The first folder loaded provides the library for the whole process; later folders bring
//! only their model and tokenizer (a process cannot unload one runtime to open another).

use std::path::Path;
use std::sync::{Mutex, PoisonError};

use ort::environment::Environment;
use ort::session::Session;
use ort::session::builder::GraphOptimizationLevel;
use ort::value::TensorElementType;

use crate::{DIMENSIONS, EmbedError};

/// The process's ONNX Runtime environment, made by the first [`environment`] call. A mutex
/// rather than a `OnceLock`, whose fallible initialisation is not stable yet.
static ENVIRONMENT: Mutex<Option<Environment>> = Mutex::new(None);

/// The tensors a BERT encoder takes, in whatever order the model declares them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ModelInput {
    /// Word-piece ids, padded with 0 (`[PAD]`).
    InputIds,
    /// 1 for a real token, 0 for padding.
    AttentionMask,
    /// The segment of each token: all 0, since each input is a single sentence.
    TokenTypeIds,
}

/// Opens ONNX Runtime's library at `library` unless one is already open, and returns the
/// process's environment.
pub(crate) fn environment(library: &Path) -> Result<Environment, EmbedError> {
    let mut slot = ENVIRONMENT.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(environment) = slot.as_ref() {
        return Ok(environment.clone());
    }

    let builder = ort::init_from(library).map_err(|source| EmbedError::LoadRuntime {
        path: library.to_path_buf(),
        source,
    })?;
    let environment = builder
        .with_name("lucidity-embed")
        .with_telemetry(false)
        .build()
        .map_err(EmbedError::Runtime)?;

    *slot = Some(environment.clone());
    Ok(environment)
}

/// Opens the model held in `model` (read from `path`) with all graph optimisations and
/// `intra_threads` threads for each run.
pub(crate) fn open_session(
    environment: &Environment,
    model: &[u8],
    path: &Path,
    intra_threads: usize,
) -> Result<Session, EmbedError> {
    let option_failed = |error: ort::Error<_>| EmbedError::Runtime(error.into());
    let mut builder = Session::builder(environment)
        .map_err(EmbedError::Runtime)?
        .with_optimization_level(GraphOptimizationLevel::All)
        .map_err(option_failed)?
        .with_intra_threads(intra_threads)
        .map_err(option_failed)?
        .with_inter_threads(1)
        .map_err(option_failed)?;

    builder
        .commit_from_memory(model)
        .map_err(|source| EmbedError::LoadModel {
            path: path.to_path_buf(),
            source,
        })
}

/// The session's inputs in its order, after checking that it reads word-piece ids and an
/// attention mask and that its first output is a float tensor of [`DIMENSIONS`] per token.
pub(crate) fn check_signature(
    session: &Session,
    path: &Path,
) -> Result<Vec<ModelInput>, EmbedError> {
    let unexpected = |reason: String| EmbedError::UnexpectedModel {
        path: path.to_path_buf(),
        reason,
    };

    let mut inputs = Vec::new();
    for input in session.inputs() {
        inputs.push(match input.name() {
            "input_ids" => ModelInput::InputIds,
            "attention_mask" => ModelInput::AttentionMask,
            "token_type_ids" => ModelInput::TokenTypeIds,
            other => return Err(unexpected(format!("unknown input `{other}`"))),
        });
    }
    for needed in [ModelInput::InputIds, ModelInput::AttentionMask] {
        if !inputs.contains(&needed) {
            return Err(unexpected(format!("no input {needed:?}")));
        }
    }

    let output = session
        .outputs()
        .first()
        .ok_or_else(|| unexpected("no output".to_owned()))?;
    let float = output.dtype().tensor_type() == Some(TensorElementType::Float32);
    let width = output
        .dtype()
        .tensor_shape()
        .and_then(|shape| shape.last().copied());
    if !float || width != Some(DIMENSIONS as i64) {
        return Err(unexpected(format!(
            "its first output, `{}`, is not float32 with {DIMENSIONS} values per token",
            output.name()
        )));
    }
    Ok(inputs)
}
