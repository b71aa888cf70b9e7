//! The file kinds an upload may be, keyed by the extension the client claims.
//! Several extensions map to one kind (`jpg`/`jpeg`, `tif`/`tiff`); each kind has one canonical
//! extension and one MIME type for storage metadata.

use std::fmt;

/// A kind of file the platform can take in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// Portable Document Format, born-digital or scanned.
    Pdf,
    /// Word 2007+ (Office Open XML) document; legacy `.doc` is not taken.
    Docx,
    /// Rich Text Format.
    Rtf,
    /// PNG image (scans, screenshots).
    Png,
    /// JPEG image (`.jpg`, `.jpeg`).
    Jpeg,
    /// TIFF image, single or multi-page (`.tif`, `.tiff`); the usual format of office scanners.
    Tiff,
    /// GIF image.
    Gif,
    /// Plain text in UTF-8.
    Txt,
}

impl FileKind {
    /// Every kind, in the order they are listed to users.
    pub const ALL: [FileKind; 8] = [
        FileKind::Pdf,
        FileKind::Docx,
        FileKind::Rtf,
        FileKind::Png,
        FileKind::Jpeg,
        FileKind::Tiff,
        FileKind::Gif,
        FileKind::Txt,
    ];

    /// The kind a file extension names, without its dot and in any case; `None` when unknown.
    pub fn from_extension(extension: &str) -> Option<FileKind> {
        let kind = match extension.to_ascii_lowercase().as_str() {
            "pdf" => FileKind::Pdf,
            "docx" => FileKind::Docx,
            "rtf" => FileKind::Rtf,
            "png" => FileKind::Png,
            "jpg" | "jpeg" | "jpe" => FileKind::Jpeg,
            "tif" | "tiff" => FileKind::Tiff,
            "gif" => FileKind::Gif,
            "txt" | "text" => FileKind::Txt,
            _ => return None,
        };
        Some(kind)
    }

    /// The canonical extension, lower case and without a dot, used when storing the original.
    pub fn as_extension(self) -> &'static str {
        match self {
            FileKind::Pdf => "pdf",
            FileKind::Docx => "docx",
            FileKind::Rtf => "rtf",
            FileKind::Png => "png",
            FileKind::Jpeg => "jpg",
            FileKind::Tiff => "tiff",
            FileKind::Gif => "gif",
            FileKind::Txt => "txt",
        }
    }

    /// The MIME type to record and to serve the original with.
    pub fn mime_type(self) -> &'static str {
        match self {
            FileKind::Pdf => "application/pdf",
            FileKind::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            FileKind::Rtf => "application/rtf",
            FileKind::Png => "image/png",
            FileKind::Jpeg => "image/jpeg",
            FileKind::Tiff => "image/tiff",
            FileKind::Gif => "image/gif",
            FileKind::Txt => "text/plain",
        }
    }

    /// The short upper-case name shown in lists of allowed types ("PDF", "JPEG").
    pub fn label(self) -> &'static str {
        match self {
            FileKind::Pdf => "PDF",
            FileKind::Docx => "DOCX",
            FileKind::Rtf => "RTF",
            FileKind::Png => "PNG",
            FileKind::Jpeg => "JPEG",
            FileKind::Tiff => "TIFF",
            FileKind::Gif => "GIF",
            FileKind::Txt => "TXT",
        }
    }

    /// A phrase naming the kind inside a sentence ("a Word document", "a PNG image").
    pub fn description(self) -> &'static str {
        match self {
            FileKind::Pdf => "a PDF document",
            FileKind::Docx => "a Word document",
            FileKind::Rtf => "an RTF document",
            FileKind::Png => "a PNG image",
            FileKind::Jpeg => "a JPEG image",
            FileKind::Tiff => "a TIFF image",
            FileKind::Gif => "a GIF image",
            FileKind::Txt => "a plain-text file",
        }
    }

    /// Whether the kind is a raster image (and so goes to OCR rather than text extraction).
    pub fn is_image(self) -> bool {
        matches!(
            self,
            FileKind::Png | FileKind::Jpeg | FileKind::Tiff | FileKind::Gif
        )
    }
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}
