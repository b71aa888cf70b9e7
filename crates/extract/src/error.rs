//! Why an extraction failed, one variant per cause.
//! Messages name files, tools and counts, never document contents, so they are safe to log
//! and to show to the uploader.

use std::path::PathBuf;

/// Everything that stops a document from producing text.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    /// The file (or a scratch file) could not be read or written.
    #[error("could not read or write {path}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// The document has more pages than `Options::max_pages` allows.
    #[error("the document has {pages} pages or more; at most {max_pages} are accepted")]
    TooManyPages { pages: u32, max_pages: u32 },

    /// An image page has more pixels than `Options::max_ocr_pixels` allows.
    #[error("image page {page} is {width}x{height} pixels; at most {max_pixels} pixels are OCR'd")]
    ImageTooLarge {
        page: u32,
        width: u64,
        height: u64,
        max_pixels: u64,
    },

    /// The image's header could not be read, so its size and page count are unknown.
    #[error("the image is not a readable PNG, JPEG, GIF or TIFF: {reason}")]
    ImageUnreadable { reason: String },

    /// A program this crate runs is not installed.
    #[error("`{tool}` is not installed (Debian package {package})")]
    ToolMissing {
        tool: &'static str,
        package: &'static str,
    },

    /// A program ran but failed on every attempt where no fallback remained.
    #[error("`{tool}` failed: {reason}")]
    ToolFailed { tool: &'static str, reason: String },

    /// Neither pdf-extract nor poppler could read the PDF.
    #[error("the PDF could not be read by pdf-extract or poppler")]
    PdfUnreadable,

    /// The DOCX is not a ZIP archive with a readable `word/document.xml`.
    #[error("the DOCX archive is unreadable: {0}")]
    DocxArchive(#[from] zip::result::ZipError),

    /// A part of the DOCX is not well-formed XML.
    #[error("the DOCX part {part} is not well-formed XML")]
    DocxXml {
        part: String,
        #[source]
        source: quick_xml::Error,
    },

    /// The file does not start like an RTF document.
    #[error("the file is not RTF: it does not start with {{\\rtf")]
    RtfHeader,

    /// Options that would make a tool misbehave, such as an empty OCR language.
    #[error("invalid extraction options: {0}")]
    InvalidOptions(String),

    /// A blocking extraction task panicked or was cancelled by the runtime.
    #[error("an extraction task stopped unexpectedly")]
    TaskStopped(#[source] tokio::task::JoinError),
}

impl ExtractError {
    /// Wraps an I/O error with the path it concerns.
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }
}
