//! `lucidity bench`: measures the ingestion pipeline and the analysis engine on real files,
//! each figure beside a reference measured in the same run where there is one (`pdftotext`,
//! the `tesseract` CLI), so a slower or busier machine moves both sides alike. Prints a
//! table, or JSON with `--json`: counts, rates, sizes and durations only, never document
//! text. Figures are for docs/BENCHMARKS.md; nothing here asserts a speed.
//!
//! Layout:
//! - `pdf`: text-layer pages per second against `pdftotext`, and the full PDF extraction.
//! - `ocr`: seconds per OCR'd page against the `tesseract` CLI with the same settings.
//! - `memory`: a real `serve` on a fresh data directory, a large PDF uploaded and processed,
//!   its peak memory; `synth` builds the PDF, `server` and `client` drive the process,
//!   `procfs` reads memory figures from /proc and `sampler` watches the other processes.
//! - `analysis`: the built-in engine's time per document on the PDFs' texts (no reference tool:
//!   the aim is absolute).
//! - `embeddings`: word pieces per second of the local embedding model against ONNX Runtime's
//!   Python API on the same model and passages.
//! - `web`: page render times through the front door on a project of thousands of documents,
//!   beside the API call each table comes from.
//! - `corpus` finds the input files, `tools` runs the reference programs, `report` prints.

mod analysis;
mod client;
mod corpus;
mod embeddings;
mod memory;
mod ocr;
mod pdf;
mod procfs;
mod report;
mod sampler;
mod server;
mod synth;
mod tools;
mod web;

use std::path::PathBuf;

use clap::ValueEnum;

use report::{Report, Skipped};

/// The largest `MAX_UPLOAD_SIZE_MB` the server accepts, so the largest file to upload.
const MAX_UPLOAD_CEILING_MB: u64 = 10_240;

/// What `lucidity bench` measures and on which files.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Run one part only; without it every part runs.
    #[arg(long, value_enum)]
    only: Option<Part>,
    /// PDFs to read (every *.pdf in the directory); the memory part builds its large file
    /// from their pages.
    #[arg(long, default_value = "../shared/data/cuad/contracts")]
    pdf_dir: PathBuf,
    /// Page images to OCR: every PNG, JPEG and TIFF in the directory.
    #[arg(long, default_value = "crates/extract/tests/fixtures")]
    ocr_dir: PathBuf,
    /// Timed runs of each side of the PDF and OCR parts; the fastest run of each counts.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=100))]
    runs: u32,
    /// Sizes of the files the memory part uploads, in MiB as MAX_UPLOAD_SIZE_MB counts them,
    /// comma-separated.
    #[arg(long, value_delimiter = ',', default_values_t = [10, 100],
        value_parser = clap::value_parser!(u64).range(1..=MAX_UPLOAD_CEILING_MB))]
    memory_sizes_mb: Vec<u64>,
    /// Longest wait for one uploaded file to be processed, in seconds.
    #[arg(long, default_value_t = 1800)]
    memory_timeout_secs: u64,
    /// Documents the web part puts in its project.
    #[arg(long, default_value_t = 5000,
        value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    web_documents: u32,
    /// Print the report as JSON instead of tables.
    #[arg(long)]
    json: bool,
}

/// The parts of the benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Part {
    Pdf,
    Ocr,
    Memory,
    Analysis,
    Embeddings,
    Web,
}

impl Part {
    fn name(self) -> &'static str {
        match self {
            Part::Pdf => "pdf",
            Part::Ocr => "ocr",
            Part::Memory => "memory",
            Part::Analysis => "analysis",
            Part::Embeddings => "embeddings",
            Part::Web => "web",
        }
    }
}

/// Runs the selected parts, prints the report, and fails when a selected part could not run
/// (its reason is in the report).
pub async fn run(args: Args) -> anyhow::Result<()> {
    let selected: Vec<Part> = match args.only {
        Some(part) => vec![part],
        None => vec![
            Part::Pdf,
            Part::Ocr,
            Part::Memory,
            Part::Analysis,
            Part::Embeddings,
            Part::Web,
        ],
    };
    let mut report = Report::new();

    for part in selected {
        progress(&format!("{}: measuring", part.name()));
        let outcome = match part {
            Part::Pdf => pdf::measure(&args).await.map(|f| report.pdf = Some(f)),
            Part::Ocr => ocr::measure(&args).await.map(|f| report.ocr = Some(f)),
            Part::Memory => memory::measure(&args)
                .await
                .map(|f| report.memory = Some(f)),
            Part::Analysis => analysis::measure(&args)
                .await
                .map(|f| report.analysis = Some(f)),
            Part::Embeddings => embeddings::measure(&args)
                .await
                .map(|f| report.embeddings = Some(f)),
            Part::Web => web::measure(&args).await.map(|f| report.web = Some(f)),
        };
        if let Err(error) = outcome {
            report.skipped.push(Skipped {
                part: part.name(),
                reason: format!("{error:#}"),
            });
        }
    }

    report.print(args.json)?;
    match report.skipped.len() {
        0 => Ok(()),
        n => anyhow::bail!("{n} part(s) could not be measured; see above"),
    }
}

/// A progress line on stderr, so stdout holds only the report.
fn progress(message: &str) {
    eprintln!("bench: {message}");
}
