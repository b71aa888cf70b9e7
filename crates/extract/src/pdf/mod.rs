//! PDF: each page's text layer in reading order, and OCR for pages without a usable one.
//! Text layers come from pdf-extract (fast, isolated) and, for pages it fails on or reads as
//! junk, from poppler; pages still without usable text are rasterised and OCR'd.
//! Memory: for a PDF up to [`LARGE_PDF_BYTES`], the parsed object tree (3 to 4 times the
//! file's size); larger ones are read by poppler page by page in a child process. Plus one
//! page's glyphs at a time, the texts, and per OCR'd page in flight one raster of at most
//! `max_ocr_pixels` bytes.

mod glyphs;
mod layout;
mod poppler;

use std::path::Path;

use crate::cleanup;
use crate::document::{Draft, PageMethod, PageText};
use crate::ocr::{self, Job, Source};
use crate::process::RunError;
use crate::quality::{self, Verdict};
use crate::{ExtractError, Options, options::DEFAULT_MAX_PAGES};

/// Every page's text layer, before OCR.
#[derive(Debug, Default)]
struct TextLayer {
    pages: Vec<String>,
    /// Page sizes in points, when a page may need OCR; empty when none does.
    sizes: Vec<(f64, f64)>,
    warnings: Vec<String>,
}

/// The text layer of every page, in reading order, hyphenation joined and running headers
/// and footers removed; no OCR. Synchronous, for benchmarks and tools: `lucidity bench`
/// compares its pages per second with `pdftotext`.
pub fn pdf_text_pages(path: &Path) -> Result<Vec<String>, ExtractError> {
    let mut pages = read_text_layer(path, DEFAULT_MAX_PAGES, false)?.pages;
    tidy(&mut pages);
    Ok(pages)
}

/// Extracts a PDF, OCR'ing pages whose text layer is missing or junk.
pub(crate) async fn extract(path: &Path, options: &Options) -> Result<Draft, ExtractError> {
    let layer = {
        let (path, max_pages) = (path.to_owned(), options.max_pages);
        tokio::task::spawn_blocking(move || read_text_layer(&path, max_pages, true))
            .await
            .map_err(ExtractError::TaskStopped)??
    };
    let mut draft = Draft {
        warnings: layer.warnings,
        ..Draft::default()
    };

    let verdicts: Vec<_> = layer
        .pages
        .iter()
        .map(|text| quality::assess(text))
        .collect();
    let jobs = ocr_jobs(path, &verdicts, &layer.sizes, options, &mut draft.warnings);
    let ocr_results = if jobs.is_empty() {
        Vec::new()
    } else {
        let scratch = scratch_dir(options)?;
        ocr::run(jobs, options, scratch.path()).await
    };

    let mut texts = layer.pages;
    let mut methods = vec![PageMethod::TextLayer; texts.len()];
    for (page, result) in ocr_results {
        let index = (page as usize).saturating_sub(1);
        let (Some(text), Some(verdict)) = (texts.get_mut(index), verdicts.get(index)) else {
            continue;
        };
        let outcome = choose(text, verdict.verdict(), result, page)?;
        draft.warnings.extend(outcome.warning);
        if let Some(ocr_text) = outcome.text {
            *text = ocr_text;
            methods[index] = outcome.method;
        }
    }

    tidy(&mut texts);
    draft.pages = texts
        .into_iter()
        .zip(methods)
        .map(|(text, method)| PageText::new(text, method))
        .collect();
    Ok(draft)
}

/// A temporary directory for this extraction's page images, removed when dropped.
pub(crate) fn scratch_dir(options: &Options) -> Result<tempfile::TempDir, ExtractError> {
    let base = &options.scratch_dir;
    std::fs::create_dir_all(base).map_err(|e| ExtractError::io(base, e))?;
    tempfile::Builder::new()
        .prefix("lucidity-extract-")
        .tempdir_in(base)
        .map_err(|e| ExtractError::io(base, e))
}

fn ocr_jobs(
    path: &Path,
    verdicts: &[quality::Assessment],
    sizes: &[(f64, f64)],
    options: &Options,
    warnings: &mut Vec<String>,
) -> Vec<Job> {
    let mut jobs = Vec::new();
    for (index, assessment) in verdicts.iter().enumerate() {
        if assessment.verdict() == Verdict::Usable {
            continue;
        }
        let page = index as u32 + 1;
        let Some(&(width, height)) = sizes.get(index) else {
            warnings.push(format!("page {page}: size unknown, so it was not OCR'd"));
            continue;
        };
        let dpi = ocr::capped_dpi(width, height, options.ocr_dpi, options.max_ocr_pixels);
        if dpi < options.ocr_dpi {
            warnings.push(format!("page {page}: large page OCR'd at {dpi} dpi"));
        }
        let skip_blank = assessment.verdict() == Verdict::NearEmpty;
        let source = Source::PdfPage {
            pdf: path.to_owned(),
            page,
            dpi,
            skip_blank,
        };
        jobs.push(Job { page, source });
    }
    jobs
}

/// What to keep for a page after OCR.
struct Choice {
    text: Option<String>,
    method: PageMethod,
    warning: Option<String>,
}

/// Keeps the OCR text when the layer was junk, or when it reads more words than a near-empty
/// layer. A layer judged junk whose words OCR confirms was misjudged (a table, a list) and
/// is kept. A missing OCR tool fails the document: silently keeping junk would be worse.
fn choose(
    layer: &str,
    verdict: Verdict,
    ocr: Result<String, RunError>,
    page: u32,
) -> Result<Choice, ExtractError> {
    let ocr_text = match ocr {
        Ok(text) => text,
        Err(error @ RunError::Missing(_)) => return Err(error.into()),
        Err(error) => return Ok(ocr_failed(verdict, page, &error)),
    };
    let keep_layer = Choice {
        text: None,
        method: PageMethod::TextLayer,
        warning: None,
    };
    if verdict == Verdict::NearEmpty {
        let better = quality::assess(&ocr_text).score() > quality::assess(layer).score();
        if !better {
            return Ok(keep_layer);
        }
        return Ok(Choice {
            text: Some(ocr_text),
            method: PageMethod::Ocr,
            warning: None,
        });
    }
    if quality::confirms(&ocr_text, layer) {
        return Ok(keep_layer);
    }
    let warning = format!(
        "page {page}: text layer unusable ({}); read by OCR",
        verdict.describe()
    );
    Ok(Choice {
        text: Some(ocr_text),
        method: PageMethod::Ocr,
        warning: Some(warning),
    })
}

fn ocr_failed(verdict: Verdict, page: u32, error: &RunError) -> Choice {
    let reason = error.reason();
    if verdict == Verdict::NearEmpty {
        let warning = Some(format!(
            "page {page}: OCR failed ({reason}); text layer kept"
        ));
        return Choice {
            text: None,
            method: PageMethod::TextLayer,
            warning,
        };
    }
    let warning = Some(format!(
        "page {page}: junk text layer dropped and OCR failed ({reason})"
    ));
    Choice {
        text: Some(String::new()),
        method: PageMethod::TextLayer,
        warning,
    }
}

/// Joins hyphenated line ends and removes running headers and footers.
fn tidy(pages: &mut [String]) {
    for page in pages.iter_mut() {
        *page = cleanup::join_hyphenation(page);
    }
    let removed = cleanup::remove_running_lines(pages);
    tracing::debug!(lines = removed, "running headers and footers removed");
}

/// Reads every page's text layer: pdf-extract first, poppler for pages it could not read or
/// read as junk, `pdfinfo` for the sizes of pages that will need OCR.
fn read_text_layer(
    path: &Path,
    max_pages: u32,
    want_sizes: bool,
) -> Result<TextLayer, ExtractError> {
    let started = std::time::Instant::now();
    let mut layer = TextLayer::default();
    let mut pages = fast_pages(path, max_pages, &mut layer.warnings)?;

    let all_usable = !pages.is_empty()
        && pages.iter().all(|p| {
            p.as_deref()
                .is_some_and(|t| quality::assess(t).verdict() == Verdict::Usable)
        });
    if !all_usable {
        pages = with_poppler(path, max_pages, pages, &mut layer.warnings)?;
    }
    layer.pages = pages.into_iter().map(Option::unwrap_or_default).collect();

    let needs_ocr = layer
        .pages
        .iter()
        .any(|t| quality::assess(t).verdict() != Verdict::Usable);
    if want_sizes && needs_ocr {
        let last = u32::try_from(layer.pages.len()).unwrap_or(u32::MAX);
        match poppler::info(path, last) {
            Ok(info) => layer.sizes = info.sizes,
            Err(error) => layer
                .warnings
                .push(format!("page sizes unknown: {}", error.reason())),
        }
    }
    tracing::debug!(
        pages = layer.pages.len(),
        duration_ms = started.elapsed().as_millis() as u64,
        "text layer read"
    );
    Ok(layer)
}

/// PDFs larger than this skip pdf-extract and are read by poppler in a child process.
/// pdf-extract (through lopdf) holds the whole file and its object tree in memory, 3 to 4
/// times the file's size; poppler reads page by page in its own process, so the worker's
/// memory stays bounded however large the upload limit is.
pub const LARGE_PDF_BYTES: u64 = 16 * 1024 * 1024;

/// pdf-extract's pages; `None` for each page it failed on, and no pages if it failed whole
/// or the file is too large for it.
fn fast_pages(
    path: &Path,
    max_pages: u32,
    warnings: &mut Vec<String>,
) -> Result<Vec<Option<String>>, ExtractError> {
    let size_bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    if size_bytes > LARGE_PDF_BYTES {
        tracing::info!(size_bytes, "large PDF; reading it with poppler");
        return Ok(Vec::new());
    }
    match glyphs::extract(path, max_pages) {
        glyphs::Outcome::TooManyPages(pages) => {
            Err(ExtractError::TooManyPages { pages, max_pages })
        }
        glyphs::Outcome::Unavailable(reason) => {
            tracing::info!(reason = %reason, "pdf-extract unavailable; using poppler");
            warnings.push(format!(
                "pdf-extract could not read the document ({reason})"
            ));
            Ok(Vec::new())
        }
        glyphs::Outcome::Pages(results) => {
            let failed: Vec<usize> = (0..results.len())
                .filter(|&i| results[i].is_err())
                .collect();
            if let Some(&first) = failed.first() {
                let reason = results[first].as_ref().err().cloned().unwrap_or_default();
                warnings.push(format!(
                    "pdf-extract failed on {} page(s), first page {} ({reason})",
                    failed.len(),
                    first + 1
                ));
            }
            Ok(results.into_iter().map(Result::ok).collect())
        }
    }
}

/// Pages up to which poppler is run page by page rather than over the whole document:
/// each run re-reads the file, but a whole run costs ~20 ms a page.
const POPPLER_PAGE_BY_PAGE_MAX: usize = 4;

/// Fills pages pdf-extract missed, and replaces junk ones, with poppler's reading.
fn with_poppler(
    path: &Path,
    max_pages: u32,
    mut pages: Vec<Option<String>>,
    warnings: &mut Vec<String>,
) -> Result<Vec<Option<String>>, ExtractError> {
    let wanted: Vec<usize> = (0..pages.len())
        .filter(|&i| {
            pages[i]
                .as_deref()
                .is_none_or(|t| quality::assess(t).verdict() != Verdict::Usable)
        })
        .collect();
    let page_by_page = !pages.is_empty() && wanted.len() <= POPPLER_PAGE_BY_PAGE_MAX;
    let readings = if page_by_page {
        poppler_some_pages(path, &wanted)
    } else {
        poppler_all_pages(path, max_pages, pages.len(), warnings)
    };
    let readings = match readings {
        Ok(readings) => readings,
        Err(error) if pages.is_empty() => return page_count_only(path, max_pages, error, warnings),
        Err(error) => {
            warnings.push(format!("poppler fallback failed: {}", error.reason()));
            return Ok(pages);
        }
    };
    if readings.len() > max_pages as usize && !page_by_page {
        let pages = u32::try_from(readings.len()).unwrap_or(u32::MAX);
        return Err(ExtractError::TooManyPages { pages, max_pages });
    }

    for (index, poppler_text) in readings {
        if index >= pages.len() {
            pages.resize(index + 1, None);
        }
        let keep_fast = pages[index].as_deref().is_some_and(|fast| {
            let fast = quality::assess(fast);
            fast.verdict() == Verdict::Usable
                || fast.score() >= quality::assess(&poppler_text).score()
        });
        if !keep_fast {
            pages[index] = Some(poppler_text);
        }
    }
    Ok(pages)
}

/// Poppler's reading of a few pages, one run each: `(page index, text)`.
fn poppler_some_pages(path: &Path, indices: &[usize]) -> Result<Vec<(usize, String)>, RunError> {
    let mut readings = Vec::with_capacity(indices.len());
    for &index in indices {
        let number = index as u32 + 1;
        let text = poppler::text_pages(path, number, number)?
            .into_iter()
            .next()
            .unwrap_or_default();
        readings.push((index, text));
    }
    Ok(readings)
}

/// Poppler's reading of every page (one past `max_pages`, to notice longer documents).
fn poppler_all_pages(
    path: &Path,
    max_pages: u32,
    fast_count: usize,
    warnings: &mut Vec<String>,
) -> Result<Vec<(usize, String)>, RunError> {
    let texts = poppler::text_pages(path, 1, max_pages.saturating_add(1))?;
    if fast_count > 0 && fast_count != texts.len() {
        warnings.push("pdf-extract and poppler disagree on the page count; poppler's kept".into());
    }
    Ok(texts.into_iter().enumerate().collect())
}

/// When no text could be read at all, the page count alone still lets every page be OCR'd.
fn page_count_only(
    path: &Path,
    max_pages: u32,
    error: RunError,
    warnings: &mut Vec<String>,
) -> Result<Vec<Option<String>>, ExtractError> {
    if let RunError::Missing(_) = error {
        return Err(error.into());
    }
    warnings.push(format!("no text layer could be read: {}", error.reason()));
    let info = poppler::info(path, 1).map_err(|_| ExtractError::PdfUnreadable)?;
    if info.pages > max_pages {
        return Err(ExtractError::TooManyPages {
            pages: info.pages,
            max_pages,
        });
    }
    Ok(vec![Some(String::new()); info.pages as usize])
}
