//! `lucidity analyze FILE`: run a file through validation, text extraction and the built-in
//! analysis engine on this machine, without a server or a database, and print what the
//! pipeline would record: a readable summary, or everything as JSON with `--json`.
//!
//! For operators checking why a document is refused or reads badly, and for trying the engine
//! on a contract. The text itself is printed only with `--text`, since it is contract text.

mod summary;

use std::path::PathBuf;

use anyhow::Context;
use clap::Args as ClapArgs;
use lucidity_ai::cite::{Citer, PageRange};
use lucidity_extract::{Options, PageMethod, SourceKind};
use lucidity_ingest::{FileKind, Limits};
use serde_json::json;

#[derive(Debug, ClapArgs)]
pub struct Args {
    /// The file to analyse (PDF, DOCX, RTF, TXT, PNG, JPEG, GIF or TIFF).
    file: PathBuf,
    /// Also print the extracted text.
    #[arg(long)]
    text: bool,
    /// Print everything as one JSON object instead of a summary.
    #[arg(long)]
    json: bool,
    /// Pages OCR'd at once.
    #[arg(long, default_value_t = 2)]
    ocr_parallelism: usize,
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let name = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let path = args.file.clone();
    let validated = tokio::task::spawn_blocking(move || {
        lucidity_ingest::validate(&path, &name, &FileKind::ALL, &Limits::default())
    })
    .await
    .context("validation crashed")?;
    let validated = match validated {
        Ok(validated) => validated,
        Err(rejection) => {
            let report = json!({
                "accepted": false,
                "status": rejection.status(),
                "detail": rejection.to_string(),
            });
            match args.json {
                true => println!("{}", serde_json::to_string_pretty(&report)?),
                false => println!("Refused ({}): {rejection}", rejection.status()),
            }
            anyhow::bail!("the file would be refused at upload");
        }
    };

    let scratch = tempfile::tempdir().context("cannot create a scratch directory")?;
    let options = Options {
        ocr_parallelism: args.ocr_parallelism.max(1),
        scratch_dir: scratch.path().to_path_buf(),
        ..Options::default()
    };
    let started = std::time::Instant::now();
    let extracted = lucidity_extract::extract(&args.file, source_kind(validated.kind), &options)
        .await
        .context("text extraction failed")?;

    let pages: Vec<_> = extracted
        .pages
        .iter()
        .map(|p| {
            json!({ "page": p.number, "start": p.start, "end": p.end, "method": method(p.method) })
        })
        .collect();
    let mut report = json!({
        "accepted": true,
        "kind": validated.kind.as_extension(),
        "notes": validated.notes,
        "characters": extracted.text.chars().count(),
        "pages": pages,
        "has_tracked_changes": extracted.has_tracked_changes,
        "has_comments": extracted.has_comments,
        "warnings": extracted.warnings,
        "extraction_ms": started.elapsed().as_millis() as u64,
    });
    let analysis_started = std::time::Instant::now();
    let text = extracted.text.clone();
    let analysed = tokio::task::spawn_blocking(move || {
        lucidity_analysis::analyze(&text, &lucidity_analysis::default_playbook())
    })
    .await
    .context("the analysis crashed")?;
    report["analysis_ms"] = json!(analysis_started.elapsed().as_millis() as u64);

    if args.json {
        report["report"] = citer(&extracted).cited_json(serde_json::to_value(&analysed)?);
        if args.text {
            report["text"] = json!(extracted.text);
        }
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!(
            "{}",
            summary::render(&args.file, &report, &analysed, &citer(&extracted))
        );
        if args.text {
            println!("\n--- text ---\n{}", extracted.text);
        }
    }
    Ok(())
}

/// Turns the engine's byte spans into character offsets of the text and its pages, as the
/// pipeline stores them and the API reports them.
fn citer(extracted: &lucidity_extract::Extracted) -> Citer<'_> {
    let pages = extracted
        .pages
        .iter()
        .map(|p| PageRange {
            number: p.number as i32,
            start: p.start as i32,
            end: p.end as i32,
        })
        .collect();
    Citer::new(&extracted.text, pages)
}

fn source_kind(kind: FileKind) -> SourceKind {
    match kind {
        FileKind::Pdf => SourceKind::Pdf,
        FileKind::Docx => SourceKind::Docx,
        FileKind::Rtf => SourceKind::Rtf,
        FileKind::Txt => SourceKind::Txt,
        FileKind::Png | FileKind::Jpeg | FileKind::Tiff | FileKind::Gif => SourceKind::Image,
    }
}

fn method(method: PageMethod) -> &'static str {
    match method {
        PageMethod::TextLayer => "text_layer",
        PageMethod::Ocr => "ocr",
        PageMethod::Native => "native",
    }
}
