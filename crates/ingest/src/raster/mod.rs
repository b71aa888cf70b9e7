//! Raster images: every page or frame within the pixel budget, and the file complete.
//! Dimensions and structure come from walking each format's chunks, markers or directories;
//! pixel data is never decoded, so memory stays flat. A compressed pixel stream that is
//! damaged inside a complete file passes here and fails later, at OCR.

mod gif;
mod jpeg;
mod png;
mod tiff;

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use image::{ImageFormat, ImageReader};

pub(crate) use gif::check as check_gif;
pub(crate) use jpeg::check as check_jpeg;
pub(crate) use png::check as check_png;
pub(crate) use tiff::check as check_tiff;

use crate::{FileKind, Limits, Rejection};

/// Refuses an image, page or frame with more pixels than the budget.
fn check_budget(
    (width, height): (u64, u64),
    page: Option<usize>,
    limits: &Limits,
) -> Result<(), Rejection> {
    if width.saturating_mul(height) <= limits.max_image_pixels {
        return Ok(());
    }
    Err(Rejection::ImageTooLarge {
        dimensions: (width, height),
        page,
        limit_pixels: limits.max_image_pixels,
    })
}

/// Has the `image` crate's decoder read the header, as the extractor will: a second opinion
/// on fields the walkers do not interpret (bit depths, colour types, Huffman tables).
fn confirm_header(path: &Path, format: ImageFormat, kind: FileKind) -> Result<(), Rejection> {
    let file = BufReader::new(File::open(path)?);
    ImageReader::with_format(file, format)
        .into_dimensions()
        .map(|_| ())
        .map_err(|_| Rejection::ImageDamaged { kind })
}
