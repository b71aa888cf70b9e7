//! What a file's first bytes say it is, whatever its name claims.
//! The kinds we take are recognised by hand-written signatures (a PDF header may follow some
//! leading bytes; a ZIP or OLE file needs a look inside); anything else is named through
//! `infer`, only to tell the user what they sent instead.

use std::fs::File;
use std::io::{self, Read};

use infer::MatcherType;

use crate::kind::FileKind;

/// Bytes read from the start of a file to recognise it.
pub(crate) const HEAD_BYTES: usize = 8192;

/// How far into a file a PDF header may start: readers accept leading bytes up to this.
pub(crate) const PDF_HEADER_WINDOW_BYTES: usize = 1024;

const PDF_MAGIC: &[u8] = b"%PDF-";
const PNG_MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";
const JPEG_MAGIC: &[u8] = b"\xFF\xD8\xFF";
const RTF_MAGIC: &[u8] = b"{\\rtf";
const OLE_MAGIC: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
const ZIP_MAGICS: [&[u8]; 3] = [b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08"];
const GIF_MAGICS: [&[u8]; 2] = [b"GIF87a", b"GIF89a"];
/// `infer` extensions of programs and libraries, named as such in messages.
const EXECUTABLE_EXTENSIONS: [&str; 10] = [
    "elf", "exe", "dll", "mach", "class", "dex", "dey", "wasm", "bc", "obj",
];
const TIFF_MAGICS: [&[u8]; 4] = [b"II*\0", b"MM\0*", b"II+\0", b"MM\0+"];

/// What the first bytes of a file are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Sniffed {
    /// One of our kinds with a fixed signature (never `Docx` or `Txt`).
    Kind(FileKind),
    /// A ZIP container: a DOCX, another Office package or a plain archive.
    Zip,
    /// An OLE compound file: legacy Office, or an encrypted Office document.
    Ole,
    /// Another known binary format, as a phrase for messages ("an executable program").
    Other(String),
    /// No signature: text, or data nobody recognises.
    Unknown,
}

/// Reads up to [`HEAD_BYTES`] from the start of `file`.
pub(crate) fn read_head(file: &mut File) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(HEAD_BYTES);
    file.take(HEAD_BYTES as u64).read_to_end(&mut head)?;
    Ok(head)
}

/// Recognises `head`, the first bytes of a file.
pub(crate) fn sniff(head: &[u8]) -> Sniffed {
    if let Some(kind) = our_signature(head) {
        return Sniffed::Kind(kind);
    }
    if ZIP_MAGICS.iter().any(|magic| head.starts_with(magic)) {
        return Sniffed::Zip;
    }
    if head.starts_with(OLE_MAGIC) {
        return Sniffed::Ole;
    }

    if pdf_header_offset(head).is_some() {
        return Sniffed::Kind(FileKind::Pdf);
    }
    match infer::get(head) {
        Some(found) => describe_foreign(found).map_or(Sniffed::Unknown, Sniffed::Other),
        None => Sniffed::Unknown,
    }
}

/// Where `%PDF-` starts, if within the first [`PDF_HEADER_WINDOW_BYTES`].
pub(crate) fn pdf_header_offset(head: &[u8]) -> Option<usize> {
    let window = &head[..head.len().min(PDF_HEADER_WINDOW_BYTES)];
    window
        .windows(PDF_MAGIC.len())
        .position(|candidate| candidate == PDF_MAGIC)
}

fn our_signature(head: &[u8]) -> Option<FileKind> {
    let kind = if head.starts_with(PDF_MAGIC) {
        FileKind::Pdf
    } else if head.starts_with(PNG_MAGIC) {
        FileKind::Png
    } else if head.starts_with(JPEG_MAGIC) {
        FileKind::Jpeg
    } else if GIF_MAGICS.iter().any(|magic| head.starts_with(magic)) {
        FileKind::Gif
    } else if TIFF_MAGICS.iter().any(|magic| head.starts_with(magic)) {
        FileKind::Tiff
    } else if head.starts_with(RTF_MAGIC) {
        FileKind::Rtf
    } else {
        return None;
    };
    Some(kind)
}

/// A phrase for a format we do not take; `None` for text-like formats (HTML, XML, scripts),
/// which a `.txt` may legitimately hold.
fn describe_foreign(found: infer::Type) -> Option<String> {
    let name = found.extension().to_uppercase();
    let phrase = match found.matcher_type() {
        MatcherType::App if EXECUTABLE_EXTENSIONS.contains(&found.extension()) => {
            "an executable program".to_owned()
        }
        MatcherType::App if matches!(found.extension(), "der" | "pem") => {
            "a certificate".to_owned()
        }
        MatcherType::App => format!("a file of type {name}"),
        MatcherType::Archive => format!("an archive ({name})"),
        MatcherType::Audio => format!("an audio file ({name})"),
        MatcherType::Video => format!("a video file ({name})"),
        MatcherType::Image => format!("an image in a format we do not take ({name})"),
        MatcherType::Book => format!("an e-book ({name})"),
        MatcherType::Doc => format!("an office document in a format we do not take ({name})"),
        MatcherType::Font => format!("a font file ({name})"),
        MatcherType::Text => return None,
        MatcherType::Custom => format!("a file of type {name}"),
    };
    Some(phrase)
}
