//! `lucidity`: one binary, a subcommand per process. This file parses and dispatches.

mod admin;
mod analyze;
mod backup;
mod bench;
mod commands;
mod database;
mod eval;
mod search_eval;

use clap::{Parser, Subcommand};

/// Contract Lucidity: self-hosted contract intelligence.
///
/// Settings come from the environment or a `.env` file in the working directory (see
/// .env.example); names are case-insensitive.
#[derive(Debug, Parser)]
#[command(name = "lucidity", version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run everything in one process: the API (API_PORT, 8000), the web UI (WEB_PORT, 3000)
    /// and a worker. Without POSTGRES_HOST it runs the embedded default: a private PostgreSQL
    /// with pgvector under LUCIDITY_DATA_DIR (./data), stopped cleanly on Ctrl-C or SIGTERM.
    Serve,
    /// Run the REST API on API_PORT (8000). Needs POSTGRES_HOST. Applies migrations and the
    /// seed at start-up.
    Api,
    /// Run a document worker: CELERY_CONCURRENCY documents at once from the queue (Redis at
    /// CELERY_BROKER_URL / REDIS_URL when set, else PostgreSQL). Needs POSTGRES_HOST.
    Worker,
    /// Run the web UI on WEB_PORT (3000): the front door that serves pages and forwards
    /// /api/* to BACKEND_INTERNAL_URL. Never touches the database.
    Web,
    /// Apply database migrations and the idempotent seed, then exit. Needs POSTGRES_HOST.
    Migrate,
    /// Manage accounts (also while `serve` runs), and back up or restore an instance, from
    /// the command line, with POSTGRES_HOST or the embedded database.
    Admin {
        #[command(subcommand)]
        action: admin::Action,
    },
    /// Validate a file, extract its text and analyse it on this machine, without a server or
    /// database, and print a summary (--json for everything, --text for the text itself).
    Analyze(analyze::Args),
    /// Run the built-in engine over a labelled dataset (cuad, doctypes, acord) and print its
    /// metrics as one JSON object on the last line.
    Eval(eval::Args),
    /// Measure the ingestion pipeline on real files (PDF text, OCR, memory of a large
    /// upload), each figure beside a reference tool measured in the same run.
    Bench(bench::Args),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    withhold_panic_messages();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };

    let result = runtime.block_on(async {
        match cli.command {
            Command::Serve => commands::serve().await,
            Command::Api => commands::api().await,
            Command::Worker => commands::worker().await,
            Command::Web => commands::web().await,
            Command::Migrate => commands::migrate().await,
            Command::Admin { action } => admin::run(action).await,
            Command::Bench(args) => bench::run(args).await,
            Command::Analyze(args) => analyze::run(args).await,
            Command::Eval(args) => eval::run(args).await,
        }
    });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(error = format!("{error:#}"), "stopped on an error");
            eprintln!("error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Panics print where they happened, not their message: a panic inside an extractor or the
/// analysis engine may quote the document it was reading, and contract text never reaches
/// the logs (docs/LOGGING.md).
fn withhold_panic_messages() {
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_else(|| "an unknown location".into());
        eprintln!("a thread panicked at {location} (message withheld: it may quote a document)");
    }));
}
