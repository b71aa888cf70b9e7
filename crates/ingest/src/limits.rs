//! Resource ceilings applied while validating an upload.
//! They bound what a hostile file can make the validator (and later the extractor) do: how much
//! a ZIP package may expand to, how large an image may be, how many pages a TIFF may hold.

/// Ceilings for one validation; `Limits::default()` suits contracts and office scans.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Most entries a DOCX package may hold; real documents have tens, ZIP bombs have millions.
    pub max_zip_entries: usize,
    /// Most bytes all entries of a DOCX package may declare once uncompressed, summed.
    pub max_zip_uncompressed_bytes: u64,
    /// Highest uncompressed-to-compressed ratio allowed for one entry of at least
    /// [`RATIO_CHECKED_FROM_BYTES`]; XML compresses about 10:1, bombs 1000:1.
    pub max_zip_compression_ratio: u64,
    /// Most pixels one image, TIFF page or GIF frame may have: decoding allocates per pixel.
    pub max_image_pixels: u64,
    /// Most pages a TIFF may hold; each becomes an OCR job.
    pub max_tiff_pages: usize,
}

/// Entries smaller than this are exempt from the compression-ratio check: tiny, highly
/// repetitive parts (styles, empty headers) legitimately compress beyond any sensible ratio.
pub const RATIO_CHECKED_FROM_BYTES: u64 = 1024 * 1024;

impl Default for Limits {
    /// 10,000 entries, 512 MiB expanded, 100:1 per entry, 100 megapixels and 500 TIFF pages:
    /// far above any real contract (an A4 page scanned at 600 dpi is 35 megapixels).
    fn default() -> Self {
        Limits {
            max_zip_entries: 10_000,
            max_zip_uncompressed_bytes: 512 * 1024 * 1024,
            max_zip_compression_ratio: 100,
            max_image_pixels: 100_000_000,
            max_tiff_pages: 500,
        }
    }
}
