//! PDF text extraction in pages per second: `pdf_text_pages` (the text layer alone) and the
//! full `extract` (junk-layer detection, OCR only where a page needs it), each against
//! `pdftotext` on the same files in the same run. Pages are counted once, by `pdfinfo`, so
//! no side counts its own; each side's fastest of `--runs` passes counts.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use lucidity_extract::{Options, PageMethod, SourceKind};
use serde::Serialize;

use super::corpus::{self, SourcePdf};
use super::report::{Table, ratio};
use super::{Args, progress, tools};

/// What the PDF part measured.
#[derive(Debug, Serialize)]
pub struct Figures {
    pub dir: PathBuf,
    pub files: usize,
    pub pages: u64,
    pub runs: u32,
    pub text_layer: Rate,
    pub full_extract: Rate,
    pub pdftotext: Rate,
    /// Pages the full extraction read by OCR because their text layer was missing or junk.
    pub pages_ocr: usize,
    /// The files those pages are in, as `name: pages`.
    pub ocr_files: Vec<String>,
    /// Files a side could not read, as `name: reason`.
    pub failures: Vec<String>,
}

/// One side's fastest pass over every file.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Rate {
    pub seconds: f64,
    pub pages_per_second: f64,
}

/// One timed pass: how long, and what went wrong on the way.
struct Pass {
    elapsed: Duration,
    ocr_files: Vec<(String, usize)>,
    failures: Vec<String>,
}

pub async fn measure(args: &Args) -> anyhow::Result<Figures> {
    let dir = args.pdf_dir.clone();
    let pdfs = tokio::task::spawn_blocking(move || corpus::pdfs(&dir)).await??;
    let pages: u64 = pdfs.iter().map(|p| u64::from(p.pages)).sum();
    progress(&format!("pdf: {} files, {pages} pages", pdfs.len()));

    let (mut text_layer, mut full, mut reference) = (Duration::MAX, Duration::MAX, Duration::MAX);
    let mut failures = BTreeSet::new();
    let mut ocr_files = Vec::new();
    for run in 1..=args.runs {
        progress(&format!("pdf: run {run} of {}", args.runs));
        let passes = [
            blocking(&pdfs, text_layer_pass).await?,
            blocking(&pdfs, pdftotext_pass).await??,
            full_pass(&pdfs).await,
        ];
        for (pass, best) in passes
            .iter()
            .zip([&mut text_layer, &mut reference, &mut full])
        {
            *best = (*best).min(pass.elapsed);
            failures.extend(pass.failures.iter().cloned());
        }
        ocr_files.clone_from(&passes[2].ocr_files);
    }

    Ok(Figures {
        dir: args.pdf_dir.clone(),
        files: pdfs.len(),
        pages,
        runs: args.runs,
        text_layer: Rate::new(pages, text_layer),
        full_extract: Rate::new(pages, full),
        pdftotext: Rate::new(pages, reference),
        pages_ocr: ocr_files.iter().map(|(_, pages)| pages).sum(),
        ocr_files: ocr_files
            .iter()
            .map(|(name, pages)| format!("{name}: {pages}"))
            .collect(),
        failures: failures.into_iter().collect(),
    })
}

/// Runs a synchronous pass on the blocking pool, off the runtime's threads.
async fn blocking<T: Send + 'static>(
    pdfs: &[SourcePdf],
    pass: fn(&[SourcePdf]) -> T,
) -> anyhow::Result<T> {
    let pdfs = pdfs.to_vec();
    Ok(tokio::task::spawn_blocking(move || pass(&pdfs)).await?)
}

fn text_layer_pass(pdfs: &[SourcePdf]) -> Pass {
    let started = Instant::now();
    let mut failures = Vec::new();
    for pdf in pdfs {
        match lucidity_extract::pdf_text_pages(&pdf.path) {
            Ok(texts) if texts.len() == pdf.pages as usize => {}
            Ok(texts) => failures.push(format!(
                "{}: text layer has {} pages, pdfinfo {}",
                corpus::name(&pdf.path),
                texts.len(),
                pdf.pages
            )),
            Err(error) => failures.push(format!("{}: {error}", corpus::name(&pdf.path))),
        }
    }
    Pass::finished(started, Vec::new(), failures)
}

fn pdftotext_pass(pdfs: &[SourcePdf]) -> anyhow::Result<Pass> {
    let started = Instant::now();
    let mut failures = Vec::new();
    for pdf in pdfs {
        if !tools::pdftotext(&pdf.path)? {
            failures.push(format!("{}: pdftotext failed", corpus::name(&pdf.path)));
        }
    }
    Ok(Pass::finished(started, Vec::new(), failures))
}

/// The worker's extraction, one document at a time, with the default options.
async fn full_pass(pdfs: &[SourcePdf]) -> Pass {
    let options = Options::default();
    let started = Instant::now();
    let mut failures = Vec::new();
    let mut ocr_files = Vec::new();
    for pdf in pdfs {
        match ocr_pages(pdf, &options).await {
            Ok(0) => {}
            Ok(pages) => ocr_files.push((corpus::name(&pdf.path), pages)),
            Err(error) => failures.push(format!("{}: {error}", corpus::name(&pdf.path))),
        }
    }
    Pass::finished(started, ocr_files, failures)
}

/// Extracts `pdf` as the worker does and counts the pages it read by OCR.
pub async fn ocr_pages(
    pdf: &SourcePdf,
    options: &Options,
) -> Result<usize, lucidity_extract::ExtractError> {
    let extracted = lucidity_extract::extract(&pdf.path, SourceKind::Pdf, options).await?;
    let ocr = extracted
        .pages
        .iter()
        .filter(|p| p.method == PageMethod::Ocr);
    Ok(ocr.count())
}

impl Pass {
    fn finished(started: Instant, ocr_files: Vec<(String, usize)>, failures: Vec<String>) -> Self {
        Self {
            elapsed: started.elapsed(),
            ocr_files,
            failures,
        }
    }
}

impl Rate {
    fn new(pages: u64, elapsed: Duration) -> Self {
        let seconds = elapsed.as_secs_f64();
        Self {
            seconds,
            pages_per_second: pages as f64 / seconds,
        }
    }
}

impl Figures {
    pub fn print(&self) {
        println!(
            "PDF text extraction: {} PDFs, {} pages (pdfinfo) in {}; fastest of {} run(s)",
            self.files,
            self.pages,
            self.dir.display(),
            self.runs
        );
        let mut table = Table::new(&["measure", "lucidity", "pdftotext", "ratio"]);
        let reference = self.pdftotext.pages_per_second;
        for (name, rate) in [
            ("text layer (pdf_text_pages), pages/s", self.text_layer),
            ("full extraction (extract), pages/s", self.full_extract),
        ] {
            table.row(vec![
                name.into(),
                format!("{:.0}", rate.pages_per_second),
                format!("{reference:.0}"),
                ratio(rate.pages_per_second, reference),
            ]);
        }
        table.print();
        match self.pages_ocr {
            0 => println!("Full extraction read no page by OCR."),
            n => println!(
                "Full extraction read {n} page(s) by OCR ({}).",
                self.ocr_files.join(", ")
            ),
        }
        for failure in &self.failures {
            println!("not read: {failure}");
        }
        println!();
    }
}
