//! OCR with tesseract: PDF pages rasterised by `pdftoppm`, or image files read directly.
//! Pages run in parallel up to `Options::ocr_parallelism` (and the shared `ocr_slots`), each
//! tesseract single-threaded; `--psm 1` detects orientation, so pages scanned sideways or
//! upside down still read. Every page image is deleted as soon as its page is done.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use futures_util::stream;
use tokio::process::Command;
use tokio::sync::Semaphore;

use crate::Options;
use crate::process::{self, PDFTOPPM, RunError, TESSERACT};

/// Time allowed to rasterise one page: measured 0.2 s at 300 dpi.
const RASTER_TIMEOUT: Duration = Duration::from_secs(60);

/// Time allowed for tesseract on one page: measured 1.3-5 s at 300 dpi.
const TESSERACT_TIMEOUT: Duration = Duration::from_secs(180);

/// Resolution of the thumbnail that tells a blank page from one with content.
const INK_DPI: &str = "24";

/// Mean darkness (0 white, 1 black) below which a page is blank. Measured at 24 dpi: a page
/// of body text 0.016, a title line 0.006, a lone horizontal rule 0.003, blank 0.0000.
const MIN_INK_SHARE: f64 = 0.001;

/// Tesseract's page segmentation mode 1: automatic layout with orientation detection.
const PSM_AUTO_WITH_ORIENTATION: &str = "1";

/// Where a page to OCR comes from.
#[derive(Debug, Clone)]
pub(crate) enum Source {
    /// Page `page` (1-based) of a PDF, rasterised at `dpi`; with `skip_blank`, a page with
    /// (almost) no ink is not OCR'd and reads as empty.
    PdfPage {
        pdf: PathBuf,
        page: u32,
        dpi: u32,
        skip_blank: bool,
    },
    /// An image file; `frame` picks a page (0-based) of a multi-page TIFF.
    Image { path: PathBuf, frame: Option<u32> },
}

/// A page to OCR: its 1-based number in the document and where its pixels come from.
#[derive(Debug, Clone)]
pub(crate) struct Job {
    pub page: u32,
    pub source: Source,
}

/// OCRs every job, at most `parallelism` at once, returning results in job order.
pub(crate) async fn run(
    jobs: Vec<Job>,
    options: &Options,
    scratch: &Path,
) -> Vec<(u32, Result<String, RunError>)> {
    let shared = options.ocr_slots.clone();
    let lang = options.tesseract_lang.as_str();

    let pages = stream::iter(jobs.into_iter().enumerate()).map(|(index, job)| {
        let shared = shared.clone();
        async move {
            let _slot = acquire(shared).await;
            (index, job.page, ocr_page(&job, lang, scratch).await)
        }
    });
    let mut results: Vec<(usize, u32, Result<String, RunError>)> = pages
        .buffer_unordered(options.parallelism())
        .collect()
        .await;

    results.sort_by_key(|(index, _, _)| *index);
    results
        .into_iter()
        .map(|(_, page, text)| (page, text))
        .collect()
}

/// A permit from the worker-wide semaphore, when there is one. A closed semaphore only
/// happens at shutdown; the page then runs without one rather than failing.
async fn acquire(slots: Option<Arc<Semaphore>>) -> Option<tokio::sync::OwnedSemaphorePermit> {
    slots?.acquire_owned().await.ok()
}

async fn ocr_page(job: &Job, lang: &str, scratch: &Path) -> Result<String, RunError> {
    let started = std::time::Instant::now();
    let text = match &job.source {
        Source::PdfPage {
            pdf,
            page,
            dpi,
            skip_blank,
        } => {
            if *skip_blank && ink_share(pdf, *page).await? < MIN_INK_SHARE {
                return Ok(String::new());
            }
            let image = rasterise(pdf, *page, *dpi, scratch).await?;
            let text = tesseract(image.path(), None, Some(*dpi), lang).await;
            drop(image);
            text?
        }
        Source::Image { path, frame } => tesseract(path, *frame, None, lang).await?,
    };
    tracing::debug!(
        page = job.page,
        duration_ms = started.elapsed().as_millis() as u64,
        "page OCR'd"
    );
    Ok(text)
}

/// A rasterised page, deleted when dropped (also when the extraction is cancelled).
struct ScratchImage(PathBuf);

impl ScratchImage {
    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for ScratchImage {
    fn drop(&mut self) {
        // Already gone is fine; the scratch directory is removed at the end regardless.
        let _ = std::fs::remove_file(&self.0);
    }
}

async fn rasterise(
    pdf: &Path,
    page: u32,
    dpi: u32,
    scratch: &Path,
) -> Result<ScratchImage, RunError> {
    let stem = scratch.join(format!("page-{page}"));
    let image = ScratchImage(stem.with_extension("tif"));
    let mut command = Command::new(PDFTOPPM.name);
    command
        .args([
            "-q",
            "-gray",
            "-tiff",
            "-tiffcompression",
            "lzw",
            "-singlefile",
            "-r",
        ])
        .arg(dpi.to_string())
        .args(["-f", &page.to_string(), "-l", &page.to_string()])
        .arg(pdf)
        .arg(&stem);
    process::run_async(PDFTOPPM, command, RASTER_TIMEOUT).await?;
    Ok(image)
}

/// The mean darkness of a PDF page, from a small grayscale thumbnail.
async fn ink_share(pdf: &Path, page: u32) -> Result<f64, RunError> {
    let mut command = Command::new(PDFTOPPM.name);
    command
        .args(["-q", "-gray", "-singlefile", "-r", INK_DPI])
        .args(["-f", &page.to_string(), "-l", &page.to_string()])
        .arg(pdf);
    let pgm = process::run_async(PDFTOPPM, command, RASTER_TIMEOUT).await?;
    mean_darkness(&pgm).ok_or_else(|| RunError::Failed(PDFTOPPM, "unreadable thumbnail".into()))
}

/// Mean darkness of a binary 8-bit PGM (`P5`) image.
fn mean_darkness(pgm: &[u8]) -> Option<f64> {
    let mut fields = Vec::new();
    let mut at = 0;
    while fields.len() < 4 {
        while pgm.get(at)?.is_ascii_whitespace() {
            at += 1;
        }
        let start = at;
        while !pgm.get(at)?.is_ascii_whitespace() {
            at += 1;
        }
        fields.push(std::str::from_utf8(&pgm[start..at]).ok()?);
    }
    let pixels = pgm.get(at + 1..)?;
    if fields[0] != "P5" || fields[3] != "255" || pixels.is_empty() {
        return None;
    }
    let darkness: u64 = pixels.iter().map(|p| u64::from(255 - p)).sum();
    Some(darkness as f64 / 255.0 / pixels.len() as f64)
}

async fn tesseract(
    image: &Path,
    frame: Option<u32>,
    dpi: Option<u32>,
    lang: &str,
) -> Result<String, RunError> {
    let mut command = Command::new(TESSERACT.name);
    command
        .arg(image)
        .arg("stdout")
        .args(["-l", lang, "--psm", PSM_AUTO_WITH_ORIENTATION])
        // One thread per tesseract: OpenMP threads fight over cores and ran 9x slower.
        .env("OMP_THREAD_LIMIT", "1");
    if let Some(dpi) = dpi {
        command.args(["--dpi", &dpi.to_string()]);
    }
    if let Some(frame) = frame {
        command.args(["-c", &format!("tessedit_page_number={frame}")]);
    }
    let stdout = process::run_async(TESSERACT, command, TESSERACT_TIMEOUT).await?;
    Ok(String::from_utf8_lossy(&stdout)
        .replace('\u{c}', "")
        .trim()
        .to_owned())
}

/// The resolution to rasterise a `width_pt` x `height_pt` page at: `dpi`, lowered until the
/// image has at most `max_pixels` pixels.
pub(crate) fn capped_dpi(width_pt: f64, height_pt: f64, dpi: u32, max_pixels: u64) -> u32 {
    let area_in2 = (width_pt / 72.0) * (height_pt / 72.0);
    if !(area_in2.is_finite() && area_in2 > 0.0) {
        return dpi;
    }
    let limit = (max_pixels as f64 / area_in2).sqrt().floor();
    if limit >= f64::from(dpi) {
        dpi
    } else {
        (limit as u32).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thumbnail_darkness_is_measured() {
        let mut pgm = b"P5\n2 2\n255\n".to_vec();
        pgm.extend_from_slice(&[255, 255, 0, 255]);
        assert_eq!(mean_darkness(&pgm), Some(0.25));
        assert_eq!(mean_darkness(b"P6\n1 1\n255\n\0"), None);
    }

    #[test]
    fn letter_pages_keep_the_requested_resolution() {
        assert_eq!(capped_dpi(612.0, 792.0, 300, 25_000_000), 300);
    }

    #[test]
    fn huge_pages_are_rasterised_at_a_lower_resolution() {
        let dpi = capped_dpi(2384.0, 3370.0, 300, 25_000_000);
        assert!(dpi < 300);
        let pixels = (2384.0 / 72.0 * f64::from(dpi)) * (3370.0 / 72.0 * f64::from(dpi));
        assert!(pixels <= 25_000_000.0);
    }
}
