//! Analysis time per document, excluding OCR and embeddings: the built-in engine (classify,
//! fields, clauses, findings, obligations) on the text of real contracts whose PDFs give the
//! page count. The aim is a 50-page contract in under 3 seconds on 2 cores; the engine runs on
//! one thread, so this is also the cost of one worker slot.

use std::time::Instant;

use anyhow::{Context, bail};
use serde::Serialize;

use super::report::Table;
use super::{Args, corpus};

#[derive(Debug, Serialize)]
pub struct Figures {
    pub documents: usize,
    pub pages: u64,
    pub ms_per_page: f64,
    /// `ms_per_page` × 50.
    pub fifty_page_estimate_ms: f64,
    /// The longest documents, measured one by one.
    pub longest: Vec<Timed>,
}

#[derive(Debug, Serialize)]
pub struct Timed {
    pub file: String,
    pub pages: u32,
    pub characters: usize,
    /// Fastest of the runs.
    pub ms: f64,
}

/// Times the engine on every PDF of `--pdf-dir` that has its text beside it (`name.txt`).
pub async fn measure(args: &Args) -> anyhow::Result<Figures> {
    let pdfs = corpus::pdfs(&args.pdf_dir)?;
    let runs = args.runs;
    let mut timed = Vec::new();
    for pdf in pdfs {
        let text_path = pdf.path.with_extension("txt");
        let Ok(text) = std::fs::read_to_string(&text_path) else {
            continue;
        };
        let (ms, text) = tokio::task::spawn_blocking(move || (fastest(&text, runs), text))
            .await
            .context("the analysis crashed")?;
        timed.push(Timed {
            file: pdf
                .path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            pages: pdf.pages,
            characters: text.chars().count(),
            ms,
        });
    }
    if timed.is_empty() {
        bail!(
            "no PDF in {} has its text beside it as .txt",
            args.pdf_dir.display()
        );
    }

    let pages: u64 = timed.iter().map(|t| u64::from(t.pages)).sum();
    let total_ms: f64 = timed.iter().map(|t| t.ms).sum();
    let ms_per_page = total_ms / pages.max(1) as f64;
    let documents = timed.len();
    timed.sort_by_key(|t| std::cmp::Reverse(t.pages));
    timed.truncate(5);
    Ok(Figures {
        documents,
        pages,
        ms_per_page,
        fifty_page_estimate_ms: ms_per_page * 50.0,
        longest: timed,
    })
}

/// The fastest of `runs` analyses of `text`, in milliseconds (`runs` is at least one).
fn fastest(text: &str, runs: u32) -> f64 {
    let playbook = lucidity_analysis::default_playbook();
    (0..runs)
        .map(|_| {
            let started = Instant::now();
            let report = lucidity_analysis::analyze(text, &playbook);
            std::hint::black_box(report);
            started.elapsed().as_secs_f64() * 1000.0
        })
        .fold(f64::INFINITY, f64::min)
}

impl Figures {
    pub fn print(&self) {
        println!(
            "## Analysis (no OCR, no embeddings): {} documents, {} pages\n",
            self.documents, self.pages
        );
        let mut table = Table::new(&["measure", "value"]);
        table.row(vec![
            "ms per page".into(),
            format!("{:.1}", self.ms_per_page),
        ]);
        table.row(vec![
            "50-page contract (estimate)".into(),
            format!("{:.0} ms", self.fifty_page_estimate_ms),
        ]);
        table.print();
        let mut longest = Table::new(&["document", "pages", "characters", "ms"]);
        for t in &self.longest {
            longest.row(vec![
                t.file.clone(),
                t.pages.to_string(),
                t.characters.to_string(),
                format!("{:.0}", t.ms),
            ]);
        }
        longest.print();
    }
}
