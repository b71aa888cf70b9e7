//! Why an upload was refused: one variant per cause, its `Display` the user-facing detail.
//! Messages say what is wrong with the file and, where there is one, what the user can do;
//! they never carry file contents or server internals.

use std::io;

use crate::kind::FileKind;

/// A reason to refuse an upload. The API answers with [`Rejection::status`] and the
/// `Display` text as the `detail`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Rejection {
    /// 422: a zero-byte file, usually a failed copy or a cloud placeholder.
    #[error("the file is empty (0 bytes)")]
    EmptyFile,

    /// 415: the name has no extension, so the claimed type is unknown.
    #[error(
        "the file name has no extension, so its type is unknown: {}",
        allowed_sentence(.allowed)
    )]
    MissingExtension {
        /// The types this deployment takes.
        allowed: Vec<FileKind>,
    },

    /// 415: the extension names no type the platform knows.
    #[error("files of type .{extension} are not supported: {}", allowed_sentence(.allowed))]
    UnknownExtension {
        /// The claimed extension, lower case and shortened.
        extension: String,
        /// The types this deployment takes.
        allowed: Vec<FileKind>,
    },

    /// 415: a known type the administrator has not allowed.
    #[error("{kind} files are not allowed here: {}", allowed_sentence(.allowed))]
    TypeNotAllowed {
        /// The claimed kind.
        kind: FileKind,
        /// The types this deployment takes.
        allowed: Vec<FileKind>,
    },

    /// 415: the content is recognisably another format than the extension claims.
    #[error("the file's content is {actual}, not {}", .claimed.description())]
    ContentMismatch {
        /// The kind the extension claims.
        claimed: FileKind,
        /// What the content is, as a phrase ("a PNG image", "an executable program").
        actual: String,
    },

    /// 422: the content does not start the way the claimed format must, and is no other
    /// format either: damaged, or not that kind of file at all.
    #[error("{}", signature_message(*.claimed))]
    SignatureMissing {
        /// The kind the extension claims.
        claimed: FileKind,
    },

    /// 415: a Word 97-2003 binary document, whatever its name says.
    #[error("legacy Word 97-2003 .doc files are not supported: save as .docx")]
    LegacyWordDocument,

    /// 422: an Office document encrypted with a password (an OLE file holding an
    /// `EncryptedPackage` stream instead of a ZIP package).
    #[error("password-protected Word document: remove the password and upload again")]
    PasswordProtectedDocx,

    /// 422: a PDF whose trailer declares encryption. This includes PDFs protected only by an
    /// owner password (printing or copying restrictions), which open without a password: the
    /// trailer alone cannot tell the two apart.
    #[error("encrypted or password-protected PDF: remove the protection and upload again")]
    EncryptedPdf,

    /// 422: a PDF without its closing `startxref`/`%%EOF`, as left by a cut-off transfer.
    #[error(
        "the PDF is incomplete: its end-of-file marker is missing, so it was probably cut off \
         during upload or download"
    )]
    PdfTruncated,

    /// 422: a PDF whose cross-reference table (the index of its objects) cannot be read.
    #[error("the PDF is damaged: its cross-reference table cannot be read")]
    PdfStructureBroken,

    /// 422: a `.docx` that starts like a ZIP package but cannot be read as one.
    #[error("the Word document is damaged: it is not a readable ZIP package")]
    ZipDamaged,

    /// 422: a package with more entries than [`crate::Limits::max_zip_entries`].
    #[error("the Word document contains {entries} internal files, more than the {limit} allowed")]
    ZipTooManyEntries {
        /// Entries in the package.
        entries: usize,
        /// The ceiling.
        limit: usize,
    },

    /// 422: entries that would expand beyond [`crate::Limits::max_zip_uncompressed_bytes`].
    #[error(
        "the Word document would expand to more than {} MiB when unpacked, which is how ZIP \
         bombs are built", .limit_bytes / (1024 * 1024)
    )]
    ZipTooLarge {
        /// The ceiling in bytes.
        limit_bytes: u64,
    },

    /// 422: an entry compressed beyond [`crate::Limits::max_zip_compression_ratio`].
    #[error(
        "the Word document contains a part compressed more than {limit}:1, which is how ZIP \
         bombs are built"
    )]
    ZipCompressionRatio {
        /// The ceiling, uncompressed bytes per compressed byte.
        limit: u64,
    },

    /// 422: an entry that unpacks to more bytes than its header declares.
    #[error("the Word document is damaged: a part unpacks to more data than its header declares")]
    ZipSizeMismatch,

    /// 422: an entry whose name is absolute or climbs out of the package (`../`, `C:`, `\`).
    #[error("the Word document contains a part with an unsafe path (absolute, or with `..`)")]
    ZipUnsafeEntryName,

    /// 422: a ZIP package without the main part of a Word document.
    #[error("the file is a ZIP package but not a Word document: it has no word/document.xml")]
    DocxMissingDocumentXml,

    /// 422: a Word document whose main part is not well-formed XML.
    #[error(
        "the Word document is damaged: its main text (word/document.xml) is not well-formed XML"
    )]
    DocxMalformedXml,

    /// 422: a document with nothing to read.
    #[error("{}", no_text_message(*.kind))]
    NoText {
        /// The kind of document.
        kind: FileKind,
    },

    /// 422: an image, page or frame with more pixels than [`crate::Limits::max_image_pixels`].
    #[error("{}", too_large_message(.dimensions, *.page, *.limit_pixels))]
    ImageTooLarge {
        /// Width and height in pixels.
        dimensions: (u64, u64),
        /// The 1-based page or frame, for multi-page images.
        page: Option<usize>,
        /// The ceiling in pixels.
        limit_pixels: u64,
    },

    /// 422: an image that ends before its end marker.
    #[error(
        "the {kind} image is incomplete: it ends too early, so it was probably cut off during \
         upload or download"
    )]
    ImageTruncated {
        /// The image format.
        kind: FileKind,
    },

    /// 422: an image whose structure cannot be read.
    #[error("the {kind} image is damaged and cannot be read")]
    ImageDamaged {
        /// The image format.
        kind: FileKind,
    },

    /// 422: a TIFF with more pages than [`crate::Limits::max_tiff_pages`].
    #[error("the TIFF image has more than {limit} pages: split it and upload the parts")]
    TiffTooManyPages {
        /// The ceiling.
        limit: usize,
    },

    /// 422: one page of a multi-page TIFF cannot be read.
    #[error("page {page} of the TIFF image is damaged or incomplete")]
    TiffPageDamaged {
        /// The 1-based page number.
        page: usize,
    },

    /// 422: an RTF document whose groups do not close, as left by a cut-off transfer.
    #[error(
        "the RTF document is incomplete: its groups are not closed, so it was probably cut off"
    )]
    RtfTruncated,

    /// 422: a text file in a legacy 8-bit encoding or otherwise not UTF-8.
    #[error("the text file is not UTF-8 encoded: save it as UTF-8 and upload again")]
    TextNotUtf8,

    /// 422: a text file in UTF-16 (what Windows calls "Unicode").
    #[error("the text file is UTF-16 encoded: save it as UTF-8 and upload again")]
    TextUtf16,

    /// 422: a `.txt` holding NUL bytes, so binary data rather than text.
    #[error("the file contains binary data (NUL bytes), not plain text")]
    TextBinary,

    /// 500: the staging file could not be read; a server fault, not the user's.
    #[error("the upload could not be read on the server: please try again")]
    Unreadable(#[source] io::Error),
}

impl Rejection {
    /// The HTTP status to answer with: 415 for a type that is unknown, not allowed or not what
    /// it claims, 422 for content that is malformed or unusable, 500 for a server-side failure.
    pub fn status(&self) -> u16 {
        match self {
            Rejection::MissingExtension { .. }
            | Rejection::UnknownExtension { .. }
            | Rejection::TypeNotAllowed { .. }
            | Rejection::ContentMismatch { .. }
            | Rejection::LegacyWordDocument => 415,
            Rejection::Unreadable(_) => 500,
            _ => 422,
        }
    }
}

impl From<io::Error> for Rejection {
    fn from(error: io::Error) -> Self {
        Rejection::Unreadable(error)
    }
}

/// "allowed types are PDF, DOCX and PNG", or a pointer to the administrator when none are.
fn allowed_sentence(allowed: &[FileKind]) -> String {
    let labels: Vec<&str> = FileKind::ALL
        .iter()
        .filter(|kind| allowed.contains(kind))
        .map(|kind| kind.label())
        .collect();

    match labels.as_slice() {
        [] => "no file types are currently allowed; ask an administrator".to_owned(),
        [only] => format!("the only allowed type is {only}"),
        [init @ .., last] => format!("allowed types are {} and {last}", init.join(", ")),
    }
}

fn signature_message(claimed: FileKind) -> String {
    let why = match claimed {
        FileKind::Pdf => "it has no PDF header (%PDF-)",
        FileKind::Docx => "it is not a ZIP package",
        FileKind::Rtf => "it does not start with the RTF header {\\rtf",
        FileKind::Txt => "it is not text",
        FileKind::Png | FileKind::Jpeg | FileKind::Tiff | FileKind::Gif => {
            "it does not start with that format's signature"
        }
    };
    format!("the file is not {}: {why}", claimed.description())
}

fn no_text_message(kind: FileKind) -> String {
    match kind {
        FileKind::Docx => "the Word document contains no text (a scan pasted into Word cannot \
                           be read: upload the scan itself)"
            .to_owned(),
        FileKind::Txt => "the text file is blank: it contains no text".to_owned(),
        _ => "the file contains no text".to_owned(),
    }
}

fn too_large_message(dimensions: &(u64, u64), page: Option<usize>, limit_pixels: u64) -> String {
    let (width, height) = *dimensions;
    let subject = match page {
        Some(page) => format!("page {page} of the image"),
        None => "the image".to_owned(),
    };
    format!(
        "{subject} is {width} x {height} pixels ({} megapixels), more than the {} megapixels \
         allowed: reduce its resolution and upload again",
        width.saturating_mul(height) / 1_000_000,
        limit_pixels / 1_000_000
    )
}
