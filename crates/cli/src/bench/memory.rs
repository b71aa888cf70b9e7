//! Peak memory of uploading and processing large files: for each size, a fresh `serve`, a
//! PDF of real contract pages uploaded through the front door, polled until `complete` or
//! `failed`. The `serve` process's peak resident set is the kernel's `VmHWM`, read when it is
//! idle, after the upload and at the end; its child processes (poppler, tesseract) and the
//! embedded PostgreSQL are separate processes, sampled every 100 ms. The reference in the
//! same run is the idle server: growth over it is what the file cost.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde::Serialize;

use super::client::{Client, DocumentStatus};
use super::corpus::SourcePdf;
use super::report::{Table, bytes, file_size};
use super::server::Server;
use super::synth::{self, Synthesised};
use super::{Args, corpus, pdf, procfs, progress};

const MIB: u64 = 1024 * 1024;

/// The upload limit the server runs with, at least: the brief's 200 MB, above both sizes.
const MIN_UPLOAD_LIMIT_MB: u64 = 200;

/// How often the document's status is read, and the separate processes sampled.
const POLL_INTERVAL: Duration = Duration::from_millis(200);
const SAMPLE_INTERVAL: Duration = Duration::from_millis(100);

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
    /// `serve`'s peak resident set when ready and signed in, before the upload.
    pub idle_peak_rss_bytes: u64,
    /// `serve`'s peak resident set once the upload was answered.
    pub upload_peak_rss_bytes: u64,
    /// `serve`'s peak resident set at the end.
    pub peak_rss_bytes: u64,
    /// Highest sampled sum of the resident sets of `serve`'s child processes.
    pub children_peak_rss_bytes: u64,
    /// Highest sampled sum of the proportional sets of the PostgreSQL processes.
    pub postgres_peak_pss_bytes: u64,
}

pub async fn measure(args: &Args) -> anyhow::Result<Figures> {
    let mut sizes_mib = args.memory_sizes_mb.clone();
    sizes_mib.sort_unstable();
    let Some(&largest) = sizes_mib.last() else {
        bail!("--memory-sizes-mb lists no size");
    };
    if sizes_mib.first() == Some(&0) {
        bail!("--memory-sizes-mb: sizes start at 1");
    }

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
                Ok(_) => "it needs OCR".to_string(),
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
    server.stop().await?;
    result
}

async fn measure_on(server: &Server, file: &Synthesised, args: &Args) -> anyhow::Result<Run> {
    let client = Client::sign_in(&server.web_url).await?;
    let project = client.first_project().await?;
    let pid = server.pid();
    let idle_peak_rss_bytes = peak_rss(pid)?;
    let sampler = Sampler::start(server);

    progress("memory: uploading");
    let started = Instant::now();
    let id = client.upload_pdf(&project, &file.path).await?;
    let upload = started.elapsed();
    let upload_peak_rss_bytes = peak_rss(pid)?;

    progress("memory: processing");
    let processed = Instant::now();
    let timeout = Duration::from_secs(args.memory_timeout_secs);
    let document = wait_until_done(&client, &id, timeout).await?;
    let processing = processed.elapsed();
    let peak_rss_bytes = peak_rss(pid)?;
    let (children_peak_rss_bytes, postgres_peak_pss_bytes) = sampler.stop();

    Ok(Run {
        file_bytes: file.size_bytes,
        pages: file.pages,
        pages_extracted: document.page_count,
        status: document.status.clone(),
        error: document.error_message.clone(),
        upload_seconds: upload.as_secs_f64(),
        processing_seconds: processing.as_secs_f64(),
        extracting_seconds: extracting_seconds(&document),
        idle_peak_rss_bytes,
        upload_peak_rss_bytes,
        peak_rss_bytes,
        children_peak_rss_bytes,
        postgres_peak_pss_bytes,
    })
}

fn peak_rss(pid: u32) -> anyhow::Result<u64> {
    procfs::peak_rss_bytes(pid).context("cannot read the server's VmHWM in /proc")
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

/// Samples the processes outside `serve` on its own thread: the highest summed resident set
/// of `serve`'s children, and of proportional sets of the PostgreSQL processes (a sum of
/// resident sets would count their shared buffers once per process).
struct Sampler {
    stop: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<(u64, u64)>,
}

impl Sampler {
    fn start(server: &Server) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let (serve, postmaster) = (server.pid(), server.postmaster_pid());
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let (mut children, mut postgres) = (0, 0);
            while !flag.load(Ordering::Relaxed) {
                let (c, p) = sample(serve, postmaster);
                (children, postgres) = (children.max(c), postgres.max(p));
                std::thread::sleep(SAMPLE_INTERVAL);
            }
            (children, postgres)
        });
        Self { stop, thread }
    }

    /// Stops sampling and returns the peaks: children's RSS, PostgreSQL's PSS.
    fn stop(self) -> (u64, u64) {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().unwrap_or((0, 0))
    }
}

/// One sample: summed RSS of `serve`'s children, summed PSS of PostgreSQL's processes.
fn sample(serve: u32, postmaster: Option<u32>) -> (u64, u64) {
    let table = procfs::processes();
    let postgres: Vec<u32> = postmaster
        .map(|pid| {
            let mut all = procfs::descendants(pid, &table);
            all.push(pid);
            all
        })
        .unwrap_or_default();

    let children: u64 = procfs::descendants(serve, &table)
        .into_iter()
        .filter(|pid| !postgres.contains(pid))
        .filter_map(procfs::rss_bytes)
        .sum();
    let postgres: u64 = postgres.into_iter().filter_map(procfs::pss_bytes).sum();
    (children, postgres)
}

impl Figures {
    pub fn print(&self) {
        println!(
            "Memory of uploading and processing a PDF (pages copied from {} PDFs of {}), one \
             fresh `lucidity serve` per file; RSS of the serve process (VmHWM), its children and \
             PostgreSQL sampled every 100 ms",
            self.source_files,
            self.source_dir.display()
        );
        let mut table = Table::new(&[
            "file",
            "pages",
            "status",
            "upload",
            "processing (extracting)",
            "serve RSS idle",
            "after upload",
            "peak",
            "peak - idle",
            "(peak - idle) / file",
            "children",
            "PostgreSQL PSS",
        ]);
        for run in &self.runs {
            table.row(run.cells());
        }
        table.print();
        for run in self.runs.iter().filter(|r| r.error.is_some()) {
            let error = run.error.as_deref().unwrap_or_default();
            println!("{}: failed: {error}", file_size(run.file_bytes));
        }
    }
}

impl Run {
    fn cells(&self) -> Vec<String> {
        let growth = self.peak_rss_bytes.saturating_sub(self.idle_peak_rss_bytes);
        let extracting = self
            .extracting_seconds
            .map_or(String::new(), |s| format!(" ({s:.1} s)"));
        vec![
            file_size(self.file_bytes),
            self.pages.to_string(),
            self.status.clone(),
            format!("{:.2} s", self.upload_seconds),
            format!("{:.1} s{extracting}", self.processing_seconds),
            bytes(self.idle_peak_rss_bytes),
            bytes(self.upload_peak_rss_bytes),
            bytes(self.peak_rss_bytes),
            bytes(growth),
            format!("{:.2}", growth as f64 / self.file_bytes.max(1) as f64),
            bytes(self.children_peak_rss_bytes),
            bytes(self.postgres_peak_pss_bytes),
        ]
    }
}
