//! PDF structure: `startxref` and `%%EOF` at the end, and a cross-reference section (classic
//! table or xref stream) where `startxref` points, following `/Prev` through older sections.
//! Hand-written and bounded on purpose: it runs in the API process on untrusted bytes, so it
//! builds no object tree, inflates no stream and never recurses. It does not count pages.

mod syntax;

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

use syntax::{Dictionary, Lexer, Token, Value};

use crate::{FileKind, Rejection, Validated};

/// `%%EOF` must start within this many bytes of the end, as the specification says readers
/// may assume; further back means the file was cut off.
const EOF_MARKER_WINDOW_BYTES: u64 = 1024;

/// Bytes read from the end to find `startxref` before the `%%EOF`.
const TAIL_BYTES: u64 = 2048;

/// A cross-reference section is first read in a window this large, then in larger ones.
const FIRST_WINDOW_BYTES: u64 = 64 * 1024;

/// The largest window read for one section: 16 MiB holds a table of 800,000 objects.
const MAX_WINDOW_BYTES: u64 = 16 * 1024 * 1024;

/// Most sections followed through `/Prev`: one per incremental update (each signature or
/// form fill adds one); more means a loop or a hostile file.
const MAX_SECTIONS: usize = 256;

/// What one section's trailer (or xref stream dictionary) says.
struct Trailer {
    encrypted: bool,
    names_catalogue: bool,
    previous_offset: Option<u64>,
}

/// Checks the PDF at `path`, whose `%PDF-` header starts at `header_offset`.
pub(crate) fn check(
    path: &Path,
    file_len: u64,
    header_offset: u64,
) -> Result<Validated, Rejection> {
    let mut file = File::open(path)?;
    let newest = find_startxref(&mut file, file_len)?;

    let mut visited = Vec::new();
    let mut next = Some(newest);
    let mut encrypted = false;
    while let Some(offset) = next {
        if visited.contains(&offset) || visited.len() == MAX_SECTIONS {
            return Err(Rejection::PdfStructureBroken);
        }
        let trailer = read_section(&mut file, file_len, offset, header_offset)?
            .ok_or(Rejection::PdfStructureBroken)?;
        if visited.is_empty() && !trailer.names_catalogue {
            return Err(Rejection::PdfStructureBroken);
        }

        visited.push(offset);
        encrypted |= trailer.encrypted;
        next = trailer.previous_offset;
    }

    if encrypted {
        return Err(Rejection::EncryptedPdf);
    }
    Ok(Validated {
        kind: FileKind::Pdf,
        page_count: None,
        notes: notes(header_offset),
    })
}

fn notes(header_offset: u64) -> Vec<String> {
    if header_offset == 0 {
        return vec![];
    }
    vec![format!(
        "the PDF header follows {header_offset} bytes of other data"
    )]
}

/// The offset `startxref` gives, from the end of the file.
fn find_startxref(file: &mut File, file_len: u64) -> Result<u64, Rejection> {
    let tail_start = file_len.saturating_sub(TAIL_BYTES);
    let tail = read_window(file, tail_start, TAIL_BYTES)?;

    let marker_floor = file_len
        .saturating_sub(EOF_MARKER_WINDOW_BYTES)
        .saturating_sub(tail_start);
    let marker_floor = usize::try_from(marker_floor).unwrap_or(usize::MAX);
    let eof_marker = rfind(&tail, b"%%EOF")
        .filter(|position| *position >= marker_floor)
        .ok_or(Rejection::PdfTruncated)?;

    let keyword = rfind(&tail[..eof_marker], b"startxref").ok_or(Rejection::PdfTruncated)?;
    let mut lexer = Lexer::new(&tail[keyword + b"startxref".len()..eof_marker]);
    match lexer.next_token() {
        Some(Token::Word(digits)) => {
            syntax::parse_integer(digits).ok_or(Rejection::PdfStructureBroken)
        }
        _ => Err(Rejection::PdfStructureBroken),
    }
}

/// Reads the section at `offset`, also trying it as counted from the header when the file
/// has leading bytes (readers allow both). `None` if neither parses.
fn read_section(
    file: &mut File,
    file_len: u64,
    offset: u64,
    header_offset: u64,
) -> io::Result<Option<Trailer>> {
    let mut candidates = vec![offset];
    if header_offset > 0 {
        candidates.push(offset.saturating_add(header_offset));
    }

    for start in candidates.into_iter().filter(|start| *start < file_len) {
        if let Some(trailer) = read_section_at(file, file_len, start)? {
            return Ok(Some(trailer));
        }
    }
    Ok(None)
}

/// Parses the section at `start` in growing windows, so a large table is read whole while
/// the usual small one costs a single read.
fn read_section_at(file: &mut File, file_len: u64, start: u64) -> io::Result<Option<Trailer>> {
    let mut window_bytes = FIRST_WINDOW_BYTES;
    loop {
        let window = read_window(file, start, window_bytes)?;
        if let Some(trailer) = parse_section(&window, file_len, start) {
            return Ok(Some(trailer));
        }

        let reached_end = start.saturating_add(window.len() as u64) >= file_len;
        if reached_end || window_bytes >= MAX_WINDOW_BYTES {
            return Ok(None);
        }
        window_bytes *= 4;
    }
}

fn parse_section(window: &[u8], file_len: u64, start: u64) -> Option<Trailer> {
    let mut lexer = Lexer::new(window);
    lexer.skip_blanks();
    if window[lexer.position()..].starts_with(b"xref") {
        parse_table(window, lexer, file_len)
    } else {
        parse_stream(window, lexer, file_len, start)
    }
}

/// A classic table: `xref`, subsections of `first count` and entries `offset gen n|f`, then
/// `trailer` and its dictionary. Every in-use entry must point inside the file.
fn parse_table(window: &[u8], mut lexer: Lexer<'_>, file_len: u64) -> Option<Trailer> {
    lexer.next_token()?;
    loop {
        match lexer.next_token()? {
            Token::Word(b"trailer") => break,
            Token::Word(first) => {
                syntax::parse_integer(first)?;
                let count = integer(&mut lexer)?;
                for _ in 0..count {
                    read_entry(&mut lexer, file_len)?;
                }
            }
            _ => return None,
        }
    }

    let dictionary = syntax::read_dictionary(&window[lexer.position()..])?;
    Some(trailer_from(&dictionary))
}

fn read_entry(lexer: &mut Lexer<'_>, file_len: u64) -> Option<()> {
    let offset = integer(lexer)?;
    integer(lexer)?;
    match lexer.next_token()? {
        Token::Word(b"n") if offset < file_len => Some(()),
        Token::Word(b"f") => Some(()),
        _ => None,
    }
}

/// An xref stream: `N G obj`, a dictionary of `/Type /XRef`, and `stream` data whose direct
/// `/Length` must fit in the file and, when read, be followed by `endstream`.
fn parse_stream(window: &[u8], mut lexer: Lexer<'_>, file_len: u64, start: u64) -> Option<Trailer> {
    integer(&mut lexer)?;
    integer(&mut lexer)?;
    if lexer.next_token()? != Token::Word(b"obj") {
        return None;
    }

    let dictionary_start = lexer.position();
    let dictionary = syntax::read_dictionary(&window[dictionary_start..])?;
    if dictionary.get(b"Type") != Some(Value::Name(b"XRef")) {
        return None;
    }

    let mut after = Lexer::new(&window[dictionary_start + dictionary.span..]);
    if after.next_token()? != Token::Word(b"stream") {
        return None;
    }
    let keyword_end = dictionary_start + dictionary.span + after.position();
    let data_start = keyword_end + eol_length(&window[keyword_end..]);
    if let Some(Value::Integer(data_bytes)) = dictionary.get(b"Length") {
        check_stream_end(window, data_start, data_bytes, file_len, start)?;
    }
    Some(trailer_from(&dictionary))
}

/// With the data in the window, `endstream` must follow it; in any case it must end inside
/// the file, or the file was cut off.
fn check_stream_end(
    window: &[u8],
    data_start: usize,
    data_bytes: u64,
    file_len: u64,
    start: u64,
) -> Option<()> {
    let absolute_end = start
        .checked_add(data_start as u64)?
        .checked_add(data_bytes)?;
    if absolute_end > file_len {
        return None;
    }

    let relative_end = data_start.checked_add(usize::try_from(data_bytes).ok()?)?;
    if relative_end < window.len() {
        let mut lexer = Lexer::new(&window[relative_end..]);
        if lexer.next_token()? != Token::Word(b"endstream") {
            return None;
        }
    }
    Some(())
}

fn trailer_from(dictionary: &Dictionary<'_>) -> Trailer {
    let previous_offset = match dictionary.get(b"Prev") {
        Some(Value::Integer(offset)) => Some(offset),
        _ => None,
    };
    Trailer {
        encrypted: dictionary.get(b"Encrypt").is_some(),
        names_catalogue: dictionary.get(b"Root") == Some(Value::Reference),
        previous_offset,
    }
}

fn integer(lexer: &mut Lexer<'_>) -> Option<u64> {
    match lexer.next_token()? {
        Token::Word(word) => syntax::parse_integer(word),
        _ => None,
    }
}

/// The end-of-line after the `stream` keyword: CR LF or LF (a lone CR is tolerated).
fn eol_length(bytes: &[u8]) -> usize {
    match bytes {
        [b'\r', b'\n', ..] => 2,
        [b'\n' | b'\r', ..] => 1,
        _ => 0,
    }
}

fn read_window(file: &mut File, start: u64, length: u64) -> io::Result<Vec<u8>> {
    file.seek(SeekFrom::Start(start))?;
    let mut window = Vec::new();
    file.by_ref().take(length).read_to_end(&mut window)?;
    Ok(window)
}

fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .rposition(|candidate| candidate == needle)
}
