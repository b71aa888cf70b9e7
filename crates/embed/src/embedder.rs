//! [`Embedder`]: texts in, unit vectors out. Texts are tokenized together, sorted by length so
//! that each batch pads little, run through the model batch by batch, pooled, and returned in
//! the caller's order.

use std::path::Path;
use std::sync::{Mutex, PoisonError};

use ort::session::{Session, SessionInputValue};
use ort::value::TensorRef;
use tokenizers::{Encoding, Tokenizer, TruncationParams};

use crate::model_dir::{self, ModelFiles};
use crate::runtime::{self, ModelInput};
use crate::{DIMENSIONS, EmbedError, MAX_TOKENS, pooling};

/// Texts per model run unless [`Options::batch_size`] says otherwise. Texts are sorted by length
/// first, so small batches pad least: on 500 CUAD sentences with 2 threads, batches of 2 to 8
/// ran at about 11,000-12,500 word pieces a second, 32 at about 9,500 and 64 at about 7,000.
pub const DEFAULT_BATCH_SIZE: usize = 8;

/// How an [`Embedder`] runs the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Threads ONNX Runtime uses inside one model run. Defaults to the machine's cores.
    pub intra_threads: usize,
    /// Texts per model run. Defaults to [`DEFAULT_BATCH_SIZE`].
    pub batch_size: usize,
}

impl Default for Options {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Options {
            intra_threads: cores,
            batch_size: DEFAULT_BATCH_SIZE,
        }
    }
}

/// The sentence-embedding model, loaded once and shared: it is `Send + Sync`, so one instance
/// can serve several threads or blocking tasks.
///
/// Calls from several threads tokenize in parallel but take turns on the model, since an ONNX
/// Runtime session runs one call at a time here; each run already uses `intra_threads` cores.
pub struct Embedder {
    /// Truncates at [`MAX_TOKENS`] and never pads: batches are padded here, to their longest.
    tokenizer: Tokenizer,
    /// The opened model; running it needs `&mut`.
    session: Mutex<Session>,
    /// What each of the model's inputs takes, in the order the session expects them.
    inputs: Vec<ModelInput>,
    /// See [`Embedder::model_id`].
    model_id: String,
    /// Texts per model run, at least 1.
    batch_size: usize,
}

impl std::fmt::Debug for Embedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Embedder")
            .field("model_id", &self.model_id)
            .field("batch_size", &self.batch_size)
            .finish_non_exhaustive()
    }
}

impl Embedder {
    /// Loads the model folder `model_dir` (see [`crate::model_dir`]) with default [`Options`].
    pub fn load(model_dir: &Path) -> Result<Embedder, EmbedError> {
        Embedder::load_with(model_dir, Options::default())
    }

    /// Loads the model folder `model_dir` (see [`crate::model_dir`]). The first call in a
    /// process also opens ONNX Runtime's library from that folder; later calls reuse it.
    #[tracing::instrument(name = "embed.load", skip_all, fields(model.dir = %model_dir.display()))]
    pub fn load_with(model_dir: &Path, options: Options) -> Result<Embedder, EmbedError> {
        let files = ModelFiles::locate(model_dir)?;
        let model = model_dir::read(&files.model)?;
        let tokenizer_json = model_dir::read(&files.tokenizer)?;
        let model_id = model_dir::model_id(&model, &tokenizer_json);

        let tokenizer = load_tokenizer(&tokenizer_json, &files.tokenizer)?;
        let environment = runtime::environment(&files.runtime)?;
        let threads = options.intra_threads.max(1);
        let session = runtime::open_session(&environment, &model, &files.model, threads)?;
        let inputs = runtime::check_signature(&session, &files.model)?;

        tracing::info!(model.id = %model_id, threads, "embedding model loaded");
        Ok(Embedder {
            tokenizer,
            session: Mutex::new(session),
            inputs,
            model_id,
            batch_size: options.batch_size.max(1),
        })
    }

    /// Names the model, its tokenizer and the truncation length together; it changes whenever
    /// any of them does, so vectors stored with another id must be computed again. For
    /// example `all-MiniLM-L6-v2-int8@3f9a0c1d2e4b`.
    pub fn model_id(&self) -> &str {
        &self.model_id
    }

    /// One unit-length vector of [`DIMENSIONS`] values per text, in the order given. Texts
    /// longer than [`MAX_TOKENS`] word pieces are embedded from their beginning; an empty text
    /// gets a vector too.
    #[tracing::instrument(name = "embed.texts", skip_all, fields(texts = texts.len()))]
    pub fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let encodings = self.encode(texts)?;
        let mut order: Vec<usize> = (0..encodings.len()).collect();
        order.sort_by_key(|&index| encodings[index].len());

        let mut vectors = vec![Vec::new(); encodings.len()];
        for batch in order.chunks(self.batch_size) {
            let batch_encodings: Vec<&Encoding> =
                batch.iter().map(|&index| &encodings[index]).collect();
            let pooled = self.run_batch(&batch_encodings)?;
            for (&index, vector) in batch.iter().zip(pooled) {
                vectors[index] = vector;
            }
        }
        Ok(vectors)
    }

    /// The word pieces the model reads for these texts, `[CLS]` and `[SEP]` included and
    /// truncation applied: the unit of throughput.
    pub fn count_tokens(&self, texts: &[&str]) -> Result<usize, EmbedError> {
        let encodings = self.encode(texts)?;
        Ok(encodings.iter().map(Encoding::len).sum())
    }

    fn encode(&self, texts: &[&str]) -> Result<Vec<Encoding>, EmbedError> {
        self.tokenizer
            .encode_batch_fast(texts.to_vec(), true)
            .map_err(EmbedError::Tokenize)
    }

    /// Runs the model once on a batch and pools each row.
    fn run_batch(&self, encodings: &[&Encoding]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let batch = Batch::pad(encodings);
        let values = batch.values(&self.inputs)?;

        let mut session = self.session.lock().unwrap_or_else(PoisonError::into_inner);
        let outputs = session.run(&values[..]).map_err(EmbedError::Inference)?;
        let (_, hidden) = outputs[0]
            .try_extract_tensor::<f32>()
            .map_err(EmbedError::Inference)?;

        if hidden.len() != batch.rows * batch.width * DIMENSIONS {
            let (rows, width) = (batch.rows, batch.width);
            let message = format!(
                "the model returned {} values for {rows}x{width}",
                hidden.len()
            );
            return Err(EmbedError::Inference(ort::Error::new(message)));
        }
        Ok(pool_rows(hidden, &batch.mask, batch.width))
    }
}

/// The model's input tensors for one batch, row after row, each row padded with zeros
/// (`[PAD]`, not attended) to the batch's longest sequence.
struct Batch {
    rows: usize,
    /// Word pieces per row, at least 1 so that the shape is one the model accepts.
    width: usize,
    ids: Vec<i64>,
    mask: Vec<i64>,
    /// All zeros: every input is a single segment.
    type_ids: Vec<i64>,
}

impl Batch {
    fn pad(encodings: &[&Encoding]) -> Batch {
        let rows = encodings.len();
        let width = encodings.iter().map(|e| e.len()).max().unwrap_or(0).max(1);
        let mut ids = vec![0i64; rows * width];
        let mut mask = vec![0i64; rows * width];

        for (row, encoding) in encodings.iter().enumerate() {
            let start = row * width;
            let pieces = encoding.get_ids().iter().zip(encoding.get_attention_mask());
            for (offset, (&id, &attended)) in pieces.enumerate() {
                ids[start + offset] = i64::from(id);
                mask[start + offset] = i64::from(attended);
            }
        }
        let type_ids = vec![0i64; rows * width];
        Batch {
            rows,
            width,
            ids,
            mask,
            type_ids,
        }
    }

    /// Views of the tensors in the order the model declares its inputs.
    fn values(&self, inputs: &[ModelInput]) -> Result<Vec<SessionInputValue<'_>>, EmbedError> {
        let mut values = Vec::with_capacity(inputs.len());
        for input in inputs {
            let data = match input {
                ModelInput::InputIds => &self.ids,
                ModelInput::AttentionMask => &self.mask,
                ModelInput::TokenTypeIds => &self.type_ids,
            };
            let tensor = TensorRef::from_array_view(([self.rows, self.width], &data[..]));
            values.push(tensor.map_err(EmbedError::Inference)?.into());
        }
        Ok(values)
    }
}

/// Reads `tokenizer.json`, truncating at [`MAX_TOKENS`] and leaving padding to the batches
/// (the file itself asks for truncation and padding at 128).
fn load_tokenizer(json: &[u8], path: &Path) -> Result<Tokenizer, EmbedError> {
    let failed = |source| EmbedError::LoadTokenizer {
        path: path.to_path_buf(),
        source,
    };
    let mut tokenizer = Tokenizer::from_bytes(json).map_err(failed)?;
    let truncation = TruncationParams {
        max_length: MAX_TOKENS,
        ..TruncationParams::default()
    };
    tokenizer
        .with_truncation(Some(truncation))
        .map_err(failed)?;
    tokenizer.with_padding(None);
    Ok(tokenizer)
}

/// One pooled vector per row of the model's output, `width` token vectors a row.
fn pool_rows(hidden: &[f32], mask: &[i64], width: usize) -> Vec<Vec<f32>> {
    hidden
        .chunks_exact(width * DIMENSIONS)
        .zip(mask.chunks_exact(width))
        .map(|(row, row_mask)| pooling::mean_pool_normalised(row, row_mask, DIMENSIONS))
        .collect()
}
