//! Upload validation for Contract Lucidity: nothing enters storage or the database unless
//! [`validate`] accepts it. The API stages an upload on disk, calls `validate` with the client's
//! file name and the administrator's allowed types, and stores the file only on `Ok`; a
//! [`Rejection`] becomes the HTTP status and `detail`. Checks stream the file or read bounded
//! windows: none decodes pixels or builds a PDF object tree, and none logs file contents.

// The kinds, names, ceilings and reasons to refuse:
mod filename;
mod kind;
mod limits;
mod rejection;
// What the first bytes say a file is, and a byte reader for the walkers:
mod reader;
mod sniff;
// One structure check per format:
mod docx;
mod ole;
mod pdf;
mod raster;
mod text;

use std::fs::File;
use std::io;
use std::path::Path;

pub use filename::sanitize_filename;
pub use kind::FileKind;
pub use limits::{Limits, RATIO_CHECKED_FROM_BYTES};
pub use rejection::Rejection;

use ole::OleContent;
use sniff::Sniffed;

/// Extensions of Word 97-2003 documents and templates, refused with advice to convert.
const LEGACY_WORD_EXTENSIONS: [&str; 2] = ["doc", "dot"];

/// Longest extension echoed back in a message, in characters.
const MAX_ECHOED_EXTENSION_CHARS: usize = 16;

/// An upload that passed validation, and what was learnt about it on the way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Validated {
    /// The file's kind, as claimed and confirmed by its content.
    pub kind: FileKind,
    /// Pages, where known without extraction: TIFF pages, 1 for other images; `None` for PDF
    /// (counted by the extractor), DOCX, RTF and text (paginated only when rendered).
    pub page_count: Option<u32>,
    /// Remarks worth recording with the document (a byte-order mark, an animated GIF); never
    /// file contents.
    pub notes: Vec<String>,
}

/// Validates the staged upload at `path`.
///
/// `claimed_name` is the client's file name: its extension is the claimed type, which must
/// be in `allowed` (the administrator's setting) and must match the content. Then the
/// format's structure is checked within `limits`. Only an I/O failure on the staging file
/// gives [`Rejection::Unreadable`] (status 500); every other rejection is the file's.
#[tracing::instrument(name = "ingest.validate", level = "debug", skip_all)]
pub fn validate(
    path: &Path,
    claimed_name: &str,
    allowed: &[FileKind],
    limits: &Limits,
) -> Result<Validated, Rejection> {
    let claimed = claimed_kind(claimed_name, allowed)?;
    if !allowed.contains(&claimed) {
        return Err(Rejection::TypeNotAllowed {
            kind: claimed,
            allowed: allowed.to_vec(),
        });
    }

    let mut file = File::open(path)?;
    let file_len = file.metadata()?.len();
    if file_len == 0 {
        return Err(Rejection::EmptyFile);
    }

    let head = sniff::read_head(&mut file)?;
    confirm_claim(path, claimed, &sniff::sniff(&head))?;
    check_structure(path, claimed, file_len, &head, limits)
}

/// The kind the content of the file at `path` shows, whatever its name: `None` for content
/// that is none of our kinds. A ZIP counts as DOCX only if it holds `word/document.xml`, and
/// unrecognised content as text only if its first bytes are UTF-8 without NULs. This only
/// recognises: [`validate`] is what checks.
pub fn detect(path: &Path) -> io::Result<Option<FileKind>> {
    let head = sniff::read_head(&mut File::open(path)?)?;
    let kind = match sniff::sniff(&head) {
        Sniffed::Kind(kind) => Some(kind),
        Sniffed::Zip => docx::is_word_package(path).then_some(FileKind::Docx),
        Sniffed::Unknown => looks_like_text(&head).then_some(FileKind::Txt),
        Sniffed::Ole | Sniffed::Other(_) => None,
    };
    Ok(kind)
}

/// The kind the file name claims, or why it claims none we take.
fn claimed_kind(claimed_name: &str, allowed: &[FileKind]) -> Result<FileKind, Rejection> {
    let Some(extension) = filename::claimed_extension(claimed_name) else {
        return Err(Rejection::MissingExtension {
            allowed: allowed.to_vec(),
        });
    };
    if let Some(kind) = FileKind::from_extension(&extension) {
        return Ok(kind);
    }

    if LEGACY_WORD_EXTENSIONS.contains(&extension.as_str()) {
        return Err(Rejection::LegacyWordDocument);
    }
    let extension = extension.chars().take(MAX_ECHOED_EXTENSION_CHARS).collect();
    Err(Rejection::UnknownExtension {
        extension,
        allowed: allowed.to_vec(),
    })
}

/// Refuses content that is recognisably something other than the claimed kind.
fn confirm_claim(path: &Path, claimed: FileKind, sniffed: &Sniffed) -> Result<(), Rejection> {
    let mismatch = |actual: &str| {
        Err(Rejection::ContentMismatch {
            claimed,
            actual: actual.to_owned(),
        })
    };

    match sniffed {
        Sniffed::Kind(kind) if *kind == claimed => Ok(()),
        Sniffed::Kind(kind) => mismatch(kind.description()),
        Sniffed::Zip if claimed == FileKind::Docx => Ok(()),
        Sniffed::Zip => mismatch(docx::describe_package(path)),
        Sniffed::Ole => match ole::inspect(path) {
            OleContent::LegacyWord => Err(Rejection::LegacyWordDocument),
            OleContent::EncryptedOffice if claimed == FileKind::Docx => {
                Err(Rejection::PasswordProtectedDocx)
            }
            OleContent::EncryptedOffice => mismatch("a password-protected Office document"),
            OleContent::Other(actual) => mismatch(actual),
        },
        Sniffed::Other(actual) => mismatch(actual),
        Sniffed::Unknown if claimed == FileKind::Txt => Ok(()),
        Sniffed::Unknown => Err(Rejection::SignatureMissing { claimed }),
    }
}

/// The structure check of the claimed (and confirmed) kind.
fn check_structure(
    path: &Path,
    claimed: FileKind,
    file_len: u64,
    head: &[u8],
    limits: &Limits,
) -> Result<Validated, Rejection> {
    match claimed {
        FileKind::Pdf => {
            let header_offset = sniff::pdf_header_offset(head).unwrap_or(0) as u64;
            pdf::check(path, file_len, header_offset)
        }
        FileKind::Docx => docx::check(path, limits),
        FileKind::Rtf => text::check_rtf(path),
        FileKind::Txt => text::check_txt(path),
        FileKind::Png => raster::check_png(path, limits),
        FileKind::Jpeg => raster::check_jpeg(path, limits),
        FileKind::Gif => raster::check_gif(path, limits),
        FileKind::Tiff => raster::check_tiff(path, file_len, limits),
    }
}

/// UTF-8 without NULs, allowing a character cut off at the end of `head`.
fn looks_like_text(head: &[u8]) -> bool {
    if head.contains(&0) {
        return false;
    }
    match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(error) => error.error_len().is_none(),
    }
}
