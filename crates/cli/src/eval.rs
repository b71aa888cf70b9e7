//! `lucidity eval DATASET --data DIR`: runs the built-in engine over a labelled dataset in the
//! layout of the development data and prints its metrics, as one JSON object on the last line
//! of standard output. Progress goes to standard error. No server, no database.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Args as ClapArgs, ValueEnum};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Dataset {
    /// Clause presence and spans for CUAD's 41 categories.
    Cuad,
    /// Document types of EDGAR exhibits.
    Doctypes,
    /// Clause retrieval: the engine's search ranking against BM25 over the same corpus.
    Acord,
}

impl Dataset {
    fn dir_name(self) -> &'static str {
        match self {
            Dataset::Cuad => "cuad",
            Dataset::Doctypes => "doctypes",
            Dataset::Acord => "acord",
        }
    }
}

#[derive(Debug, ClapArgs)]
pub struct Args {
    dataset: Dataset,
    /// The dataset's directory, or a directory holding it under its name (`cuad`, `doctypes`,
    /// `acord`), such as the development data.
    #[arg(long, default_value = "../shared/data")]
    data: PathBuf,
    /// Threads to evaluate on (default: every core).
    #[arg(long)]
    threads: Option<usize>,
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let dir = locate(&args.data, args.dataset)?;
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let dataset = args.dataset;
    let started = std::time::Instant::now();
    let report = match dataset {
        Dataset::Acord => crate::search_eval::acord(&dir, threads).await?,
        Dataset::Cuad => tokio::task::spawn_blocking(move || cuad(&dir, threads))
            .await
            .context("the evaluation crashed")??,
        Dataset::Doctypes => {
            let run = move || lucidity_analysis::classify::eval_doctypes(&dir);
            tokio::task::spawn_blocking(run)
                .await
                .context("the evaluation crashed")?
        }
    };
    eprintln!("evaluated in {:.1} s", started.elapsed().as_secs_f64());
    println!("{}", serde_json::to_string(&report)?);
    Ok(())
}

fn cuad(dir: &Path, threads: usize) -> anyhow::Result<serde_json::Value> {
    use lucidity_analysis::eval::cuad;
    let contracts = cuad::load(dir)
        .with_context(|| format!("cannot read the CUAD split in {}", dir.display()))?;
    eprintln!("{} contracts", contracts.len());
    Ok(cuad::evaluate(&contracts, threads, |c| {
        cuad::predict(&c.text)
    }))
}

/// `data` itself when it holds the dataset's files, else `data/<name>`.
fn locate(data: &Path, dataset: Dataset) -> anyhow::Result<PathBuf> {
    let marker = match dataset {
        Dataset::Cuad => "labels.jsonl",
        Dataset::Doctypes => "labels.jsonl",
        Dataset::Acord => "corpus.jsonl",
    };
    for candidate in [data.to_path_buf(), data.join(dataset.dir_name())] {
        if candidate.join(marker).is_file() {
            return Ok(candidate);
        }
    }
    anyhow::bail!(
        "no {} dataset in {} (expected {marker} there or under {}/)",
        dataset.dir_name(),
        data.display(),
        dataset.dir_name()
    )
}
