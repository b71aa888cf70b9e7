//! Text extraction for Contract Lucidity: the text of a PDF, DOCX, RTF, plain-text or image
//! file, with the page every character came from, so findings can cite page and offset.
//!
//! Layout:
//! - `document`: the result ([`Extracted`], [`Page`]) and how pages are joined.
//! - `pdf`: text layers (pdf-extract isolated on its own thread, poppler as fallback), reading
//!   order, and OCR of pages whose layer is missing or junk (`quality` judges which).
//! - `ocr`: tesseract over rasterised pages and images, in parallel, orientation detected.
//! - `docx`, `rtf`, `plain`, `image`: the other kinds; `sink` and `cleanup` are shared.
//! - `process`: the external tools, always with a deadline and killed when dropped.
//!
//! Bounds, whatever the file's size: at most `Options::max_pages` pages. In this process:
//! the parsed file (a PDF up to 16 MiB: its object tree, 3 to 4 times the file's size; larger
//! PDFs are read by poppler in a child process; DOCX parts inflate to at most 256 MiB each),
//! the extracted text, and one page's glyphs at a time. In child processes: per
//! page OCR'd at once (`ocr_parallelism`), one tesseract on at most `max_ocr_pixels` pixels,
//! ~15 bytes a pixel (defaults: 2 x 25 MP, under 1 GB). On disk: one LZW TIFF per page in
//! flight, deleted when read. Text is never logged: only counts, methods and durations.
//!
//! PDF isolation relies on unwinding (the default `panic = "unwind"`); the first PDF sets a
//! panic hook that keeps pdf-extract's expected panics off stderr and forwards all others.
//!
//! External programs (Debian packages): `pdftotext`, `pdfinfo`, `pdftoppm` (poppler-utils),
//! `tesseract` (tesseract-ocr, tesseract-ocr-eng; orientation data comes with it).

mod cleanup;
mod document;
mod docx;
mod error;
mod image;
mod ocr;
mod options;
mod pdf;
mod plain;
mod process;
mod quality;
mod rtf;
mod sink;
mod xml;

use std::path::Path;
use std::time::Instant;

use tracing::Instrument;

pub use document::{Extracted, PAGE_SEPARATOR, Page, PageMethod, SourceKind};
pub use error::ExtractError;
pub use options::{DEFAULT_MAX_OCR_PIXELS, DEFAULT_MAX_PAGES, DEFAULT_OCR_DPI, Options};
pub use pdf::pdf_text_pages;

use document::Draft;

/// Extracts the text of the file at `path`, already validated as `kind`.
///
/// Cancel-safe: dropping the future kills any OCR or rasterising child process and removes
/// the scratch files; a PDF text layer already being read finishes on its blocking thread
/// within its deadlines.
pub async fn extract(
    path: &Path,
    kind: SourceKind,
    options: &Options,
) -> Result<Extracted, ExtractError> {
    options.validate()?;
    let span = tracing::info_span!("extract", kind = ?kind);
    extract_in_span(path, kind, options).instrument(span).await
}

async fn extract_in_span(
    path: &Path,
    kind: SourceKind,
    options: &Options,
) -> Result<Extracted, ExtractError> {
    let started = Instant::now();
    let draft = match kind {
        SourceKind::Pdf => pdf::extract(path, options).await?,
        SourceKind::Image => image::extract(path, options).await?,
        SourceKind::Docx => blocking(path, docx::extract).await?,
        SourceKind::Rtf => blocking(path, |p| read(p).and_then(|b| rtf::extract(&b))).await?,
        SourceKind::Txt => blocking(path, |p| read(p).map(|b| plain::extract(&b))).await?,
    };
    check_page_count(&draft, options)?;

    let extracted = draft.assemble();
    log_summary(&extracted, kind, started);
    Ok(extracted)
}

/// Runs a synchronous extractor on the blocking pool.
async fn blocking(
    path: &Path,
    extractor: fn(&Path) -> Result<Draft, ExtractError>,
) -> Result<Draft, ExtractError> {
    let path = path.to_owned();
    tokio::task::spawn_blocking(move || extractor(&path))
        .await
        .map_err(ExtractError::TaskStopped)?
}

fn read(path: &Path) -> Result<Vec<u8>, ExtractError> {
    std::fs::read(path).map_err(|e| ExtractError::io(path, e))
}

/// Page breaks in DOCX, RTF and text files are counted too: the limit is the same for all.
fn check_page_count(draft: &Draft, options: &Options) -> Result<(), ExtractError> {
    let pages = u32::try_from(draft.pages.len()).unwrap_or(u32::MAX);
    if pages > options.max_pages {
        return Err(ExtractError::TooManyPages {
            pages,
            max_pages: options.max_pages,
        });
    }
    Ok(())
}

fn log_summary(extracted: &Extracted, kind: SourceKind, started: Instant) {
    let count = |method| {
        extracted
            .pages
            .iter()
            .filter(|p| p.method == method)
            .count()
    };
    tracing::info!(
        kind = ?kind,
        pages = extracted.pages.len(),
        pages_ocr = count(PageMethod::Ocr),
        pages_text_layer = count(PageMethod::TextLayer),
        chars = extracted.pages.last().map_or(0, |p| p.end),
        warnings = extracted.warnings.len(),
        duration_ms = started.elapsed().as_millis() as u64,
        "document extracted"
    );
}
