//! Peak memory of uploading and processing large files: for each size, a fresh `serve`, a
//! PDF of real contract pages uploaded through the front door, polled until `complete` or
//! `failed`. The `serve` process's peak resident set is the kernel's `VmHWM`, reset before
//! the upload and again before processing, so each phase has its own peak; its child
//! processes (poppler, tesseract) and the embedded PostgreSQL are separate processes, sampled
//! every 100 ms. The reference in the same run is the server's resident set just before the
//! upload: growth over it is what the file cost.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde::Serialize;

use super::client::{Client, DocumentStatus};
use super::corpus::SourcePdf;
use super::report::{Table, bytes, file_size};
use super::sampler::Sampler;
use super::server::Server;
use super::synth::{self, Synthesised};
use super::{Args, corpus, pdf, procfs, progress};

const MIB: u64 = 1024 * 1024;

/// The upload limit (`MAX_UPLOAD_SIZE_MB`) the server runs with at least; raised for larger
/// files, so the limit never refuses the file being measured.
const MIN_UPLOAD_LIMIT_MB: u64 = 200;

/// How often the document's status is read.
const POLL_INTERVAL: Duration = Duration::from_millis(200);

/// What the memory part measured.
#[derive(Debug, Serialize)]
pub struct Figures {
    /// Where the pages of the built files come from.
    pub source_dir: PathBuf,
    /// How many of its PDFs were copied (those with the heaviest pages).
    pub source_files: usize,
    pub runs: Vec<Run>,
}

/// One file uploaded and processed by a fresh server.
#[derive(Debug, Serialize)]
pub struct Run {
    pub file_bytes: u64,
    pub pages: u32,
    /// Pages the worker extracted, as the document records them.
    pub pages_extracted: Option<i32>,
    /// `complete` or `failed`, with the server's reason when failed.
    pub status: String,
    pub error: Option<String>,
    /// From the first byte sent until the upload's answer (validated, stored and queued).
    pub upload_seconds: f64,
    /// From the upload's answer until `complete` or `failed`.
    pub processing_seconds: f64,
    /// The worker's `extracting` stage, as the server timed it.
    pub extracting_seconds: Option<f64>,
    /// `serve`'s peak resident set from its start until just before the upload (start-up,
    /// migrations, sign-in).
    pub startup_peak_rss_bytes: u64,
    /// `serve`'s resident set just before the upload.
    pub rss_before_upload_bytes: u64,
    /// `serve`'s peak resident set during the upload.
    pub upload_peak_rss_bytes: u64,
    /// `serve`'s peak resident set from the upload's answer until `complete` or `failed`.
    pub processing_peak_rss_bytes: u64,
    /// Highest sampled sum of the resident sets of `serve`'s child processes.
    pub children_peak_rss_bytes: u64,
    /// The programs of the child processes seen, once each.
    pub children_seen: Vec<String>,
    /// Highest sampled sum of the proportional sets of the PostgreSQL processes.
    pub postgres_peak_pss_bytes: u64,
}

pub async fn measure(args: &Args) -> anyhow::Result<Figures> {
    let mut sizes_mib = args.memory_sizes_mb.clone();
    sizes_mib.sort_unstable();
    let Some(&largest) = sizes_mib.last() else {
        bail!("--memory-sizes-mb lists no size");
    };

    let dir = args.pdf_dir.clone();
    let pdfs = tokio::task::spawn_blocking(move || corpus::pdfs(&dir)).await??;
    let mix = mix_without_ocr(pdfs, largest * MIB).await?;
    let work = tempfile::Builder::new()
        .prefix("lucidity-bench-files-")
        .tempdir()
        .context("cannot create a temporary directory")?;

    let mut runs = Vec::with_capacity(sizes_mib.len());
    for size_mib in sizes_mib {
        let (mix, dir) = (mix.clone(), work.path().to_path_buf());
        let file =
            tokio::task::spawn_blocking(move || synth::build(&mix, size_mib * MIB, &dir)).await??;
        progress(&format!(
            "memory: {} PDF of {} pages built; starting a server",
            file_size(file.size_bytes),
            file.pages
        ));
        runs.push(run_one(&file, args).await?);
        std::fs::remove_file(&file.path).ok();
    }

    Ok(Figures {
        source_dir: args.pdf_dir.clone(),
        source_files: mix.len(),
        runs,
    })
}

/// The mix of PDFs to copy (see `synth::choose_mix`), leaving out any the worker would OCR
/// or cannot read: a page OCR'd in every copy would measure tesseract, not how the pipeline
/// bears a large file.
async fn mix_without_ocr(
    mut pdfs: Vec<SourcePdf>,
    largest_bytes: u64,
) -> anyhow::Result<Vec<SourcePdf>> {
    let options = lucidity_extract::Options::default();
    loop {
        let mix = synth::choose_mix(&pdfs, largest_bytes)?;
        let mut left_out = Vec::new();
        for pdf in &mix {
            let reason = match pdf::ocr_pages(pdf, &options).await {
                Ok(0) => continue,
                Ok(_) => "the worker reads pages of it by OCR".to_string(),
                Err(error) => error.to_string(),
            };
            progress(&format!(
                "memory: leaving out {} ({reason})",
                corpus::name(&pdf.path)
            ));
            left_out.push(pdf.path.clone());
        }
        if left_out.is_empty() {
            return Ok(mix);
        }
        pdfs.retain(|pdf| !left_out.contains(&pdf.path));
    }
}

/// Uploads and processes one file on a fresh server, which is stopped afterwards.
async fn run_one(file: &Synthesised, args: &Args) -> anyhow::Result<Run> {
    let limit_mb = MIN_UPLOAD_LIMIT_MB.max(file.size_bytes.div_ceil(MIB) + 1);
    let server = Server::start(limit_mb).await?;
    let result = measure_on(&server, file, args).await;
    if result.is_err() {
        progress(&format!(
            "memory: the server's last lines:\n{}",
            server.log_tail()
        ));
    }
    let stopped = server.stop().await;
    let run = result?;
    stopped?;
    Ok(run)
}

async fn measure_on(server: &Server, file: &Synthesised, args: &Args) -> anyhow::Result<Run> {
    let client = Client::sign_in(&server.web_url).await?;
    let project = client.first_project().await?;
    let pid = server.pid();
    let startup_peak_rss_bytes = peak_rss(pid)?;
    let rss_before_upload_bytes = procfs::rss_bytes(pid).context("cannot read VmRSS")?;
    let sampler = Sampler::start(server);

    progress("memory: uploading");
    reset_peak_rss(pid)?;
    let started = Instant::now();
    let id = client.upload_pdf(&project, &file.path).await?;
    let upload = started.elapsed();
    let upload_peak_rss_bytes = peak_rss(pid)?;

    progress("memory: processing");
    reset_peak_rss(pid)?;
    let processed = Instant::now();
    let timeout = Duration::from_secs(args.memory_timeout_secs);
    let document = wait_until_done(&client, &id, timeout).await?;
    let processing = processed.elapsed();
    let processing_peak_rss_bytes = peak_rss(pid)?;
    let peaks = sampler.stop();

    Ok(Run {
        file_bytes: file.size_bytes,
        pages: file.pages,
        pages_extracted: document.page_count,
        status: document.status.clone(),
        error: document.error_message.clone(),
        upload_seconds: upload.as_secs_f64(),
        processing_seconds: processing.as_secs_f64(),
        extracting_seconds: extracting_seconds(&document),
        startup_peak_rss_bytes,
        rss_before_upload_bytes,
        upload_peak_rss_bytes,
        processing_peak_rss_bytes,
        children_peak_rss_bytes: peaks.children_rss_bytes,
        children_seen: peaks.children_seen.into_iter().collect(),
        postgres_peak_pss_bytes: peaks.postgres_pss_bytes,
    })
}

fn peak_rss(pid: u32) -> anyhow::Result<u64> {
    procfs::peak_rss_bytes(pid).context("cannot read the server's VmHWM in /proc")
}

fn reset_peak_rss(pid: u32) -> anyhow::Result<()> {
    procfs::reset_peak_rss(pid).context("cannot reset the server's VmHWM (needs Linux 4.0)")
}

async fn wait_until_done(
    client: &Client,
    id: &str,
    timeout: Duration,
) -> anyhow::Result<DocumentStatus> {
    let deadline = Instant::now() + timeout;
    loop {
        let document = client.document(id).await?;
        if matches!(document.status.as_str(), "complete" | "failed") {
            return Ok(document);
        }
        if Instant::now() > deadline {
            bail!(
                "the document was still {} after {} s (raise --memory-timeout-secs)",
                document.status,
                timeout.as_secs()
            );
        }
        tokio::time::sleep(POLL_INTERVAL).await;
    }
}

fn extracting_seconds(document: &DocumentStatus) -> Option<f64> {
    let stage = document.stages.iter().find(|s| s.stage == "extracting")?;
    Some(stage.duration_ms? as f64 / 1000.0)
}

impl Figures {
    pub fn print(&self) {
        println!(
            "Memory of uploading and processing a PDF (pages copied from {} PDFs of {}), one \
             fresh `lucidity serve` per file. serve: RSS before the upload, then peak RSS \
             (VmHWM) of the start-up, the upload and the processing; its children and \
             PostgreSQL: sampled every 100 ms",
            self.source_files,
            self.source_dir.display()
        );
        let mut table = Table::new(&[
            "file",
            "pages",
            "status",
            "upload",
            "processing (extracting)",
            "start-up",
            "before",
            "upload",
            "processing",
            "growth",
            "growth / file",
            "children",
            "PostgreSQL PSS",
        ]);
        for run in &self.runs {
            table.row(run.cells());
        }
        table.print();
        for run in &self.runs {
            run.print_notes();
        }
        println!();
    }
}

impl Run {
    /// Processing peak over the resident set before the upload: what the file cost.
    fn growth_bytes(&self) -> u64 {
        self.processing_peak_rss_bytes
            .max(self.upload_peak_rss_bytes)
            .saturating_sub(self.rss_before_upload_bytes)
    }

    fn cells(&self) -> Vec<String> {
        let growth = self.growth_bytes();
        let extracting = self
            .extracting_seconds
            .map_or(String::new(), |s| format!(" ({s:.1} s)"));
        vec![
            file_size(self.file_bytes),
            self.pages.to_string(),
            self.status.clone(),
            format!("{:.2} s", self.upload_seconds),
            format!("{:.1} s{extracting}", self.processing_seconds),
            bytes(self.startup_peak_rss_bytes),
            bytes(self.rss_before_upload_bytes),
            bytes(self.upload_peak_rss_bytes),
            bytes(self.processing_peak_rss_bytes),
            bytes(growth),
            format!("{:.2}", growth as f64 / self.file_bytes.max(1) as f64),
            bytes(self.children_peak_rss_bytes),
            bytes(self.postgres_peak_pss_bytes),
        ]
    }

    fn print_notes(&self) {
        let size = file_size(self.file_bytes);
        if self.pages_extracted != Some(self.pages as i32) {
            let extracted = self.pages_extracted.map_or("no".into(), |p| p.to_string());
            println!(
                "{size}: {extracted} pages extracted of {} (pdfinfo)",
                self.pages
            );
        }
        if !self.children_seen.is_empty() {
            println!(
                "{size}: child processes seen: {}",
                self.children_seen.join(", ")
            );
        }
        if let Some(error) = &self.error {
            println!("{size}: failed: {error}");
        }
    }
}
