//! Embedding throughput in word pieces per second: our in-process model against ONNX
//! Runtime's Python API (the `onnxruntime` wheel from PyPI, in the benchmark's own virtual
//! environment) running the same int8 model, with the same tokenizer, truncation, batch size,
//! threads, warm-up and rounds, on the same passages, one after the other in this run.
//! The passages are sentences of the contracts beside the PDFs of `--pdf-dir`.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};

use super::Args;
use super::report::{Table, ratio};

/// Passages measured: enough for a stable median, few enough for a quick run.
const PASSAGES: usize = 500;
/// Threads each side may use, and texts per model run (the embedder's default).
const THREADS: usize = 2;
const BATCH_SIZE: usize = 8;
const ROUNDS: usize = 3;

/// The reference side's virtual environment, made by `scripts/lib/install-bench.sh`.
const BENCH_VENV: &str = "/opt/lucidity/venv-bench";

#[derive(Debug, Serialize)]
pub struct Figures {
    pub passages: usize,
    pub tokens: usize,
    pub threads: usize,
    pub batch_size: usize,
    pub ours_tokens_per_second: f64,
    pub reference_tokens_per_second: f64,
    pub reference: String,
}

#[derive(Deserialize)]
struct ReferenceOutput {
    runtime: String,
    tokens: usize,
    tokens_per_second: f64,
}

pub async fn measure(args: &Args) -> anyhow::Result<Figures> {
    let passages = passages(&args.pdf_dir)?;
    let scratch = tempfile::tempdir().context("cannot create a scratch directory")?;
    let file = scratch.path().join("passages.txt");
    std::fs::write(&file, passages.join("\n")).context("cannot write the passages")?;

    let config = lucidity_common::Config::load().context("the configuration is invalid")?;
    let model_dir = config.model_dir.clone();
    let ours = tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
        let options = lucidity_embed::Options {
            intra_threads: THREADS,
            batch_size: BATCH_SIZE,
        };
        let embedder = lucidity_embed::Embedder::load_with(&model_dir, options)?;
        let texts: Vec<&str> = passages.iter().map(String::as_str).collect();
        Ok(lucidity_embed::throughput::measure(
            &embedder, &texts, ROUNDS,
        )?)
    })
    .await
    .context("the embedding benchmark crashed")??;

    let reference = reference(&file, &config.model_dir).await?;
    if reference.tokens != ours.tokens {
        bail!(
            "the two sides read different word pieces ({} against {}): not the same tokenizer",
            ours.tokens,
            reference.tokens
        );
    }
    Ok(Figures {
        passages: ours.texts,
        tokens: ours.tokens,
        threads: THREADS,
        batch_size: BATCH_SIZE,
        ours_tokens_per_second: ours.tokens_per_second,
        reference_tokens_per_second: reference.tokens_per_second,
        reference: reference.runtime,
    })
}

async fn reference(file: &Path, model_dir: &Path) -> anyhow::Result<ReferenceOutput> {
    let python = PathBuf::from(BENCH_VENV).join("bin/python");
    if !python.exists() {
        bail!("no {} (run scripts/lib/install-bench.sh)", python.display());
    }
    let script =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts/bench-embeddings.py");
    let output = tokio::process::Command::new(&python)
        .arg(&script)
        .arg(file)
        .arg("--model-dir")
        .arg(model_dir)
        .args(["--threads", &THREADS.to_string()])
        .args(["--batch-size", &BATCH_SIZE.to_string()])
        .args(["--rounds", &ROUNDS.to_string()])
        .output()
        .await
        .context("cannot run the onnxruntime reference")?;
    if !output.status.success() {
        bail!(
            "the onnxruntime reference failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let last = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(last).context("the onnxruntime reference printed no result")
}

/// The first [`PASSAGES`] sentences of 20 to 80 words from the texts beside the PDFs.
fn passages(dir: &Path) -> anyhow::Result<Vec<String>> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    paths.sort();
    let mut out = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        for span in lucidity_analysis::text::sentences(&text) {
            let sentence = span
                .of(&text)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            let words = sentence.split(' ').count();
            if (20..=80).contains(&words) {
                out.push(sentence);
            }
            if out.len() == PASSAGES {
                return Ok(out);
            }
        }
    }
    if out.is_empty() {
        bail!("no sentences in the .txt files of {}", dir.display());
    }
    Ok(out)
}

impl Figures {
    pub fn print(&self) {
        println!(
            "## Embeddings: {} passages, {} word pieces, {} threads, batches of {}\n",
            self.passages, self.tokens, self.threads, self.batch_size
        );
        let mut table = Table::new(&["engine", "tokens/s", "ours / reference"]);
        table.row(vec![
            "lucidity-embed (in process)".into(),
            format!("{:.0}", self.ours_tokens_per_second),
            ratio(
                self.ours_tokens_per_second,
                self.reference_tokens_per_second,
            ),
        ]);
        table.row(vec![
            self.reference.clone(),
            format!("{:.0}", self.reference_tokens_per_second),
            "1.00".into(),
        ]);
        table.print();
    }
}
