//! OLE compound files (the container of Office 97-2003 and of encrypted Office documents).
//! Only the directory is read, to tell a legacy `.doc` or a password-protected `.docx` from
//! other OLE files; no stream content is read.

use std::path::Path;

/// The stream holding the text of a Word 97-2003 document.
const WORD_STREAM: &str = "/WordDocument";

/// The stream holding an encrypted OOXML package (MS-OFFCRYPTO).
const ENCRYPTED_PACKAGE_STREAM: &str = "/EncryptedPackage";

/// Streams naming the other legacy Office applications, for a clear mismatch message.
const EXCEL_STREAMS: [&str; 2] = ["/Workbook", "/Book"];
const POWERPOINT_STREAM: &str = "/PowerPoint Document";

/// What an OLE compound file holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum OleContent {
    /// A Word 97-2003 document.
    LegacyWord,
    /// An Office 2007+ document encrypted with a password.
    EncryptedOffice,
    /// Any other OLE file, as a phrase for messages.
    Other(&'static str),
}

/// Reads the directory of the OLE file at `path`.
pub(crate) fn inspect(path: &Path) -> OleContent {
    let Ok(compound) = cfb::open(path) else {
        return OleContent::Other("a damaged Office 97-2003 file");
    };

    if compound.is_stream(WORD_STREAM) {
        OleContent::LegacyWord
    } else if compound.is_stream(ENCRYPTED_PACKAGE_STREAM) {
        OleContent::EncryptedOffice
    } else if EXCEL_STREAMS
        .iter()
        .any(|stream| compound.is_stream(stream))
    {
        OleContent::Other("a legacy Excel 97-2003 workbook")
    } else if compound.is_stream(POWERPOINT_STREAM) {
        OleContent::Other("a legacy PowerPoint 97-2003 presentation")
    } else {
        OleContent::Other("an Office 97-2003 compound file")
    }
}
