//! Lucidity's side of the embedding benchmark: the same passages, batch size, threads and
//! rounds as `scripts/bench-embeddings.py`, measured by [`lucidity_embed::throughput`], printed
//! as one JSON object on the last line.
//!
//! `cargo run --release -p lucidity-embed --example embed_throughput -- PASSAGES
//!  [--threads N] [--batch-size N] [--rounds N] [--limit N]`
//!
//! PASSAGES is a text file with one passage a line, or JSON Lines (`.jsonl`) with a `text`
//! field a line. The model folder is `LUCIDITY_MODEL_DIR` or the installed one.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use lucidity_embed::{Embedder, Options, default_model_dir, throughput};

/// The command line; the defaults match the Python reference's.
struct Args {
    passages: PathBuf,
    threads: usize,
    batch_size: usize,
    rounds: usize,
    limit: usize,
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("embed_throughput: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let args = parse_args(std::env::args().skip(1))?;
    let passages = read_passages(&args.passages, args.limit)?;
    let texts: Vec<&str> = passages.iter().map(String::as_str).collect();

    let options = Options {
        intra_threads: args.threads,
        batch_size: args.batch_size,
    };
    let embedder = Embedder::load_with(&default_model_dir(), options).map_err(chain)?;
    let result = throughput::measure(&embedder, &texts, args.rounds).map_err(chain)?;

    let report = serde_json::json!({
        "runtime": format!("lucidity-embed (ort {})", "2.0.0-rc.15"),
        "model_id": embedder.model_id(),
        "texts": result.texts,
        "tokens": result.tokens,
        "rounds": result.rounds,
        "duration_ms": result.duration_ms,
        "tokens_per_second": result.tokens_per_second,
        "texts_per_second": result.texts_per_second,
        "threads": args.threads,
        "batch_size": args.batch_size,
    });
    println!("{report}");
    Ok(())
}

fn parse_args(mut words: impl Iterator<Item = String>) -> Result<Args, String> {
    let usage = "usage: embed_throughput PASSAGES [--threads N] [--batch-size N] [--rounds N] \
                 [--limit N]";
    let mut args = Args {
        passages: PathBuf::new(),
        threads: 2,
        batch_size: lucidity_embed::DEFAULT_BATCH_SIZE,
        rounds: 5,
        limit: 0,
    };
    while let Some(word) = words.next() {
        let slot = match word.as_str() {
            "--threads" => &mut args.threads,
            "--batch-size" => &mut args.batch_size,
            "--rounds" => &mut args.rounds,
            "--limit" => &mut args.limit,
            _ if args.passages.as_os_str().is_empty() && !word.starts_with('-') => {
                args.passages = PathBuf::from(word);
                continue;
            }
            _ => return Err(usage.to_owned()),
        };
        let value = words.next().ok_or(usage)?;
        *slot = value
            .parse()
            .map_err(|_| format!("{word} wants a number, not {value}"))?;
    }
    if args.passages.as_os_str().is_empty() {
        return Err(usage.to_owned());
    }
    Ok(args)
}

fn read_passages(path: &Path, limit: usize) -> Result<Vec<String>, String> {
    let content = std::fs::read_to_string(path)
        .map_err(|error| format!("cannot read {}: {error}", path.display()))?;
    let jsonl = path
        .extension()
        .is_some_and(|extension| extension == "jsonl");

    let mut passages = Vec::new();
    for line in content.lines().filter(|line| !line.trim().is_empty()) {
        if !jsonl {
            passages.push(line.to_owned());
            continue;
        }
        let value: serde_json::Value = serde_json::from_str(line)
            .map_err(|error| format!("{} is not JSON Lines: {error}", path.display()))?;
        let text = value["text"]
            .as_str()
            .ok_or("a line has no \"text\" string")?;
        passages.push(text.to_owned());
    }
    if limit > 0 {
        passages.truncate(limit);
    }
    if passages.is_empty() {
        return Err(format!("no passages in {}", path.display()));
    }
    Ok(passages)
}

/// An error and its causes on one line.
fn chain(error: impl std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    message
}
