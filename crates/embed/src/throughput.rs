//! Embedding throughput on given texts, in word pieces per second, for `lucidity bench`.
//! `scripts/bench-embeddings.py` measures ONNX Runtime's Python API the same way (same model,
//! truncation, batching, warm-up and rounds), so the two figures compare directly.

use std::time::Instant;

use crate::{EmbedError, Embedder};

/// Texts embedded once, untimed, before measuring: the first runs allocate ONNX Runtime's
/// buffers and start its threads.
const WARM_UP_TEXTS: usize = 64;

/// The median of several timed passes over the same texts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Throughput {
    /// Texts embedded in one pass.
    pub texts: usize,
    /// Word pieces the model read in one pass (see [`Embedder::count_tokens`]).
    pub tokens: usize,
    /// Passes timed.
    pub rounds: usize,
    /// The median pass: tokenizing, running the model and pooling, in milliseconds.
    pub duration_ms: f64,
    /// `tokens` over the median pass.
    pub tokens_per_second: f64,
    /// `texts` over the median pass.
    pub texts_per_second: f64,
}

/// Embeds `texts` `rounds` times (at least once) after a warm-up and reports the median pass.
pub fn measure(
    embedder: &Embedder,
    texts: &[&str],
    rounds: usize,
) -> Result<Throughput, EmbedError> {
    let tokens = embedder.count_tokens(texts)?;
    embedder.embed(&texts[..texts.len().min(WARM_UP_TEXTS)])?;

    let rounds = rounds.max(1);
    let mut passes_ms = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let started = Instant::now();
        embedder.embed(texts)?;
        passes_ms.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    passes_ms.sort_by(f64::total_cmp);

    let duration_ms = passes_ms[(rounds - 1) / 2];
    let seconds = (duration_ms / 1000.0).max(f64::MIN_POSITIVE);
    Ok(Throughput {
        texts: texts.len(),
        tokens,
        rounds,
        duration_ms,
        tokens_per_second: tokens as f64 / seconds,
        texts_per_second: texts.len() as f64 / seconds,
    })
}
