//! Text formats: plain text must be UTF-8 without NUL bytes and not blank; RTF must close
//! every group it opens. Both are read as a stream, so memory stays flat whatever the size.

use std::path::Path;

use crate::reader::ByteReader;
use crate::{FileKind, Rejection, Validated};

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
const UTF16_BOMS: [&[u8]; 2] = [b"\xFF\xFE", b"\xFE\xFF"];

/// Longest numeric parameter of an RTF control word that is read, in digits; RTF allows a
/// signed 16- or 32-bit value, so more digits mean a damaged file.
const MAX_RTF_PARAMETER_DIGITS: usize = 10;

/// Checks a plain-text file: UTF-8 (a byte-order mark is allowed), no NUL bytes, not blank.
pub(crate) fn check_txt(path: &Path) -> Result<Validated, Rejection> {
    let mut reader = ByteReader::open(path)?;
    let mut decoder = Utf8Stream::default();
    let mut notes = Vec::new();

    let mut first = true;
    let mut failure = None;
    reader.for_each_chunk(|chunk| {
        let chunk = if first {
            strip_bom(chunk, &mut notes, &mut failure)
        } else {
            chunk
        };
        first = false;
        if failure.is_none() {
            failure = decoder.feed(chunk).err();
        }
        failure.is_none()
    })?;

    if let Some(rejection) = failure {
        return Err(rejection);
    }
    decoder.finish()?;
    Ok(Validated {
        kind: FileKind::Txt,
        page_count: None,
        notes,
    })
}

/// Checks an RTF document (its `{\rtf` header was already seen): every group closes.
pub(crate) fn check_rtf(path: &Path) -> Result<Validated, Rejection> {
    let mut reader = ByteReader::open(path)?;
    let mut depth: u64 = 0;

    while let Some(byte) = reader.next()? {
        match byte {
            b'{' => depth += 1,
            b'}' if depth <= 1 => {
                return Ok(Validated {
                    kind: FileKind::Rtf,
                    page_count: None,
                    notes: vec![],
                });
            }
            b'}' => depth -= 1,
            b'\\' => skip_control(&mut reader)?,
            _ => {}
        }
    }
    Err(Rejection::RtfTruncated)
}

/// Removes a UTF-8 byte-order mark; a UTF-16 one is a finding of its own.
fn strip_bom<'a>(
    chunk: &'a [u8],
    notes: &mut Vec<String>,
    failure: &mut Option<Rejection>,
) -> &'a [u8] {
    if UTF16_BOMS.iter().any(|bom| chunk.starts_with(bom)) {
        *failure = Some(Rejection::TextUtf16);
    }
    match chunk.strip_prefix(UTF8_BOM) {
        Some(rest) => {
            notes.push("the text starts with a UTF-8 byte-order mark".to_owned());
            rest
        }
        None => chunk,
    }
}

/// Validates UTF-8 across chunk boundaries and notes whether any visible text was seen.
#[derive(Default)]
struct Utf8Stream {
    /// The start of a character cut by the end of the previous chunk (at most 3 bytes).
    pending: Vec<u8>,
    has_text: bool,
}

impl Utf8Stream {
    fn feed(&mut self, chunk: &[u8]) -> Result<(), Rejection> {
        if chunk.contains(&0) {
            return Err(Rejection::TextBinary);
        }

        let mut joined;
        let bytes = if self.pending.is_empty() {
            chunk
        } else {
            joined = std::mem::take(&mut self.pending);
            joined.extend_from_slice(chunk);
            joined.as_slice()
        };

        let valid = match std::str::from_utf8(bytes) {
            Ok(text) => text,
            Err(error) if error.error_len().is_none() => {
                self.pending = bytes[error.valid_up_to()..].to_vec();
                std::str::from_utf8(&bytes[..error.valid_up_to()]).unwrap_or_default()
            }
            Err(_) => return Err(Rejection::TextNotUtf8),
        };
        self.has_text = self.has_text || valid.chars().any(|c| !c.is_whitespace());
        Ok(())
    }

    fn finish(self) -> Result<(), Rejection> {
        if !self.pending.is_empty() {
            return Err(Rejection::TextNotUtf8);
        }
        if !self.has_text {
            return Err(Rejection::NoText {
                kind: FileKind::Txt,
            });
        }
        Ok(())
    }
}

/// Skips what follows a backslash: a control symbol (one character) or a control word with
/// an optional numeric parameter and space. `\binN` is followed by N raw bytes, which may
/// hold braces, so they are skipped unread.
fn skip_control(reader: &mut ByteReader) -> Result<(), Rejection> {
    let Some(first) = reader.next()? else {
        return Err(Rejection::RtfTruncated);
    };
    if !first.is_ascii_alphabetic() {
        return Ok(());
    }

    let mut word = vec![first];
    while let Some(letter) = reader.peek()?.filter(u8::is_ascii_alphabetic) {
        word.push(letter);
        reader.next()?;
    }
    if reader.peek()? == Some(b'-') {
        reader.next()?;
    }

    let mut digits = String::new();
    while let Some(digit) = reader.peek()?.filter(u8::is_ascii_digit) {
        if digits.len() == MAX_RTF_PARAMETER_DIGITS {
            return Err(Rejection::RtfTruncated);
        }
        digits.push(char::from(digit));
        reader.next()?;
    }
    if reader.peek()? == Some(b' ') {
        reader.next()?;
    }

    if word == b"bin" {
        let length: u64 = digits.parse().unwrap_or(0);
        if !reader.skip(length)? {
            return Err(Rejection::RtfTruncated);
        }
    }
    Ok(())
}
