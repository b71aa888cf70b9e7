//! Knobs an extraction runs under: OCR parallelism, resolution and the limits that keep one
//! document from exhausting memory, disk or time on a shared worker.

use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::Semaphore;

use crate::ExtractError;

/// Pages a document may have by default: a long contract with schedules is a few hundred.
pub const DEFAULT_MAX_PAGES: u32 = 2000;

/// Resolution pages are rasterised at for OCR: where tesseract's recall on body text peaks.
pub const DEFAULT_OCR_DPI: u32 = 300;

/// 25 megapixels: an A3 page at 300 dpi fits; tesseract needs about 15 bytes a pixel
/// (measured: 120 MB for a 8.4 MP letter page), so one page stays under ~400 MB.
pub const DEFAULT_MAX_OCR_PIXELS: u64 = 25_000_000;

/// How one extraction runs. `Default` suits a worker with a couple of cores.
#[derive(Debug, Clone)]
pub struct Options {
    /// Pages OCR'd at once by this extraction (each runs one single-threaded tesseract).
    pub ocr_parallelism: usize,
    /// When set, every extraction sharing it also takes a permit per OCR'd page, so a worker
    /// handling several documents bounds its tesseract processes in total.
    pub ocr_slots: Option<Arc<Semaphore>>,
    /// Documents with more pages are refused before any OCR starts.
    pub max_pages: u32,
    /// Resolution for rasterising PDF pages, lowered for pages too large for `max_ocr_pixels`.
    pub ocr_dpi: u32,
    /// Largest image (width x height) given to tesseract; larger image files are refused.
    pub max_ocr_pixels: u64,
    /// Where rasterised pages are written; each extraction uses its own subdirectory there
    /// and removes it, and every page image is deleted as soon as its page is read.
    pub scratch_dir: PathBuf,
    /// Tesseract language(s), as its `-l` takes them: `eng`, `eng+deu`.
    pub tesseract_lang: String,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            ocr_parallelism: 2,
            ocr_slots: None,
            max_pages: DEFAULT_MAX_PAGES,
            ocr_dpi: DEFAULT_OCR_DPI,
            max_ocr_pixels: DEFAULT_MAX_OCR_PIXELS,
            scratch_dir: std::env::temp_dir(),
            tesseract_lang: "eng".to_owned(),
        }
    }
}

impl Options {
    /// Refuses values that would misbehave rather than fail clearly later.
    pub(crate) fn validate(&self) -> Result<(), ExtractError> {
        let lang_ok = !self.tesseract_lang.is_empty()
            && self
                .tesseract_lang
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '+');
        if !lang_ok {
            return Err(ExtractError::InvalidOptions(
                "tesseract_lang must be letters, digits, '_' and '+'".into(),
            ));
        }
        if self.ocr_dpi < 50 || self.max_ocr_pixels < 1_000_000 || self.max_pages == 0 {
            return Err(ExtractError::InvalidOptions(
                "ocr_dpi >= 50, max_ocr_pixels >= 1000000 and max_pages >= 1 are required".into(),
            ));
        }
        Ok(())
    }

    /// OCR parallelism, at least one.
    pub(crate) fn parallelism(&self) -> usize {
        self.ocr_parallelism.max(1)
    }
}
