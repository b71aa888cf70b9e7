//! DOCX packages: a ZIP whose `word/document.xml` is well-formed XML holding some text.
//! ZIP-bomb guards use the sizes the central directory declares and, for the one part that is
//! inflated here, the bytes actually produced, since headers can lie. Entry names that could
//! escape a directory are refused outright, so no later stage ever meets one.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use quick_xml::events::{BytesStart, Event};
use zip::ZipArchive;
use zip::read::ZipReadOptions;

use crate::limits::RATIO_CHECKED_FROM_BYTES;
use crate::{FileKind, Limits, Rejection, Validated};

/// The main part of a WordprocessingML package, where Word always writes it.
const DOCUMENT_PART: &str = "word/document.xml";

/// Parts whose presence names the other Office packages, for a clear mismatch message.
const EXCEL_PART: &str = "xl/workbook.xml";
const POWERPOINT_PART: &str = "ppt/presentation.xml";
const OPENDOCUMENT_PART: &str = "mimetype";

/// The end-of-central-directory record: its signature, and how far from the end it may
/// start (22 fixed bytes plus a comment of up to 65,535).
const EOCD_SIGNATURE: &[u8] = b"PK\x05\x06";
const EOCD_SEARCH_BYTES: u64 = 22 + 65_535;

/// The ZIP64 locator just before the record above, and the ZIP64 record it points to.
const ZIP64_LOCATOR_SIGNATURE: &[u8] = b"PK\x06\x07";
const ZIP64_LOCATOR_BYTES: usize = 20;
const ZIP64_RECORD_SIGNATURE: &[u8] = b"PK\x06\x06";
const ZIP64_RECORD_BYTES: u64 = 56;

type Archive = ZipArchive<BufReader<File>>;

/// Checks the DOCX at `path`: package limits, entry names, then the main part's XML and text.
pub(crate) fn check(path: &Path, limits: &Limits) -> Result<Validated, Rejection> {
    check_announced_entries(path, limits)?;
    let mut archive = open(path)?;
    check_entries(&archive, limits)?;

    let index = archive
        .index_for_name(DOCUMENT_PART)
        .ok_or(Rejection::DocxMissingDocumentXml)?;
    let (declared_bytes, declared_crc) = archive
        .by_index_data(index)
        .map(|entry| (entry.size(), entry.crc32()))
        .map_err(|_| Rejection::ZipDamaged)?;
    let options = ZipReadOptions::new().ignore_crc32(true);
    let part = archive
        .by_index_with_options(index, options)
        .map_err(|_| Rejection::ZipDamaged)?;

    let mut capped = CappedReader::new(part, declared_bytes);
    let outcome = scan_document(BufReader::new(&mut capped));
    if capped.exceeded {
        return Err(Rejection::ZipSizeMismatch);
    }
    if outcome.is_ok() && capped.crc.finalize() != declared_crc {
        return Err(Rejection::ZipDamaged);
    }
    match outcome {
        Ok(true) => Ok(Validated {
            kind: FileKind::Docx,
            page_count: None,
            notes: vec![],
        }),
        Ok(false) => Err(Rejection::NoText {
            kind: FileKind::Docx,
        }),
        Err(XmlFault::Unreadable) => Err(Rejection::ZipDamaged),
        Err(XmlFault::Malformed) => Err(Rejection::DocxMalformedXml),
    }
}

/// Names what a ZIP package holds, for a file that claimed to be something else.
pub(crate) fn describe_package(path: &Path) -> &'static str {
    let Ok(archive) = open(path) else {
        return "a ZIP archive";
    };
    let has = |name: &str| archive.index_for_name(name).is_some();

    if has(DOCUMENT_PART) {
        FileKind::Docx.description()
    } else if has(EXCEL_PART) {
        "an Excel workbook"
    } else if has(POWERPOINT_PART) {
        "a PowerPoint presentation"
    } else if has(OPENDOCUMENT_PART) {
        "an OpenDocument file"
    } else {
        "a ZIP archive"
    }
}

/// Whether the ZIP package at `path` holds the main part of a Word document.
pub(crate) fn is_word_package(path: &Path) -> bool {
    open(path).is_ok_and(|archive| archive.index_for_name(DOCUMENT_PART).is_some())
}

fn open(path: &Path) -> Result<Archive, Rejection> {
    let file = BufReader::new(File::open(path)?);
    ZipArchive::new(file).map_err(|_| Rejection::ZipDamaged)
}

/// Refuses a package whose end-of-central-directory record announces too many entries,
/// before the zip crate reads the directory: it allocates for every entry announced.
fn check_announced_entries(path: &Path, limits: &Limits) -> Result<(), Rejection> {
    let mut file = File::open(path)?;
    let Some(announced) = announced_entries(&mut file)? else {
        return Ok(());
    };

    let entries = usize::try_from(announced).unwrap_or(usize::MAX);
    if entries > limits.max_zip_entries {
        return Err(Rejection::ZipTooManyEntries {
            entries,
            limit: limits.max_zip_entries,
        });
    }
    Ok(())
}

/// The total entry count of the last end-of-central-directory record, from its ZIP64
/// version when the classic field is saturated; `None` when no record is found, which the
/// zip crate then reports as damage.
fn announced_entries(file: &mut File) -> io::Result<Option<u64>> {
    let file_len = file.metadata()?.len();
    let tail_start = file_len.saturating_sub(EOCD_SEARCH_BYTES);
    let tail = read_at(file, tail_start, EOCD_SEARCH_BYTES)?;

    let Some(eocd) = tail.windows(4).rposition(|window| window == EOCD_SIGNATURE) else {
        return Ok(None);
    };
    let Some(count) = tail.get(eocd + 10..eocd + 12) else {
        return Ok(None);
    };
    let count = u16::from_le_bytes([count[0], count[1]]);
    if count != u16::MAX {
        return Ok(Some(u64::from(count)));
    }

    let Some(locator) = eocd
        .checked_sub(ZIP64_LOCATOR_BYTES)
        .and_then(|at| tail.get(at..eocd))
    else {
        return Ok(None);
    };
    if &locator[..4] != ZIP64_LOCATOR_SIGNATURE {
        return Ok(None);
    }
    let record_offset = u64::from_le_bytes(le_array(&locator[8..16]));
    let record = read_at(file, record_offset, ZIP64_RECORD_BYTES)?;
    if record.len() < 40 || &record[..4] != ZIP64_RECORD_SIGNATURE {
        return Ok(None);
    }
    Ok(Some(u64::from_le_bytes(le_array(&record[32..40]))))
}

fn le_array(bytes: &[u8]) -> [u8; 8] {
    let mut array = [0; 8];
    array.copy_from_slice(&bytes[..8]);
    array
}

fn read_at(file: &mut File, start: u64, length: u64) -> io::Result<Vec<u8>> {
    file.seek(SeekFrom::Start(start))?;
    let mut bytes = Vec::new();
    file.by_ref().take(length).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Entry count, declared total size, per-entry ratio and names, from the central directory.
fn check_entries(archive: &Archive, limits: &Limits) -> Result<(), Rejection> {
    let entries = archive.len();
    if entries > limits.max_zip_entries {
        return Err(Rejection::ZipTooManyEntries {
            entries,
            limit: limits.max_zip_entries,
        });
    }

    let mut total_bytes: u64 = 0;
    for index in 0..entries {
        let entry = archive
            .by_index_data(index)
            .map_err(|_| Rejection::ZipDamaged)?;
        if !is_safe_entry_name(entry.name_raw()) {
            return Err(Rejection::ZipUnsafeEntryName);
        }

        total_bytes = total_bytes.saturating_add(entry.size());
        if total_bytes > limits.max_zip_uncompressed_bytes {
            return Err(Rejection::ZipTooLarge {
                limit_bytes: limits.max_zip_uncompressed_bytes,
            });
        }
        if exceeds_ratio(entry.size(), entry.compressed_size(), limits) {
            return Err(Rejection::ZipCompressionRatio {
                limit: limits.max_zip_compression_ratio,
            });
        }
    }
    Ok(())
}

fn exceeds_ratio(size: u64, compressed_size: u64, limits: &Limits) -> bool {
    size >= RATIO_CHECKED_FROM_BYTES
        && size > compressed_size.saturating_mul(limits.max_zip_compression_ratio)
}

/// Refuses absolute names (`/x`, `\x`, `C:x`), any backslash, NUL, and any `..` component.
fn is_safe_entry_name(name: &[u8]) -> bool {
    let absolute = name.first().is_some_and(|first| *first == b'/');
    let drive = matches!(name, [letter, b':', ..] if letter.is_ascii_alphabetic());
    let odd_byte = name.iter().any(|byte| matches!(byte, b'\\' | 0));
    let climbs = name.split(|byte| *byte == b'/').any(|part| part == b"..");

    !(absolute || drive || odd_byte || climbs)
}

/// Why the main part could not be scanned.
enum XmlFault {
    /// Reading the part failed: bad compressed data or checksum.
    Unreadable,
    /// The XML is not well-formed.
    Malformed,
}

/// Parses the whole part; `Ok(true)` if some text run (`<w:t>`, or `<m:t>`/`<a:t>` in
/// equations and drawings) holds a visible character.
fn scan_document(source: impl BufRead) -> Result<bool, XmlFault> {
    let mut reader = quick_xml::Reader::from_reader(source);
    let mut buffer = Vec::new();
    let mut scan = Scan::default();

    loop {
        let event = reader
            .read_event_into(&mut buffer)
            .map_err(|error| match error {
                quick_xml::Error::Io(_) => XmlFault::Unreadable,
                _ => XmlFault::Malformed,
            })?;
        if matches!(event, Event::Eof) {
            break;
        }
        scan.visit(event)?;
        buffer.clear();
    }

    if scan.depth != 0 || !scan.seen_root {
        return Err(XmlFault::Malformed);
    }
    Ok(scan.has_text)
}

/// Element nesting and text found so far, to check what quick-xml leaves to its caller:
/// one root element, every element closed, no text outside the root.
#[derive(Default)]
struct Scan {
    depth: usize,
    text_runs_open: usize,
    seen_root: bool,
    has_text: bool,
}

impl Scan {
    fn visit(&mut self, event: Event<'_>) -> Result<(), XmlFault> {
        match event {
            Event::Start(element) => {
                self.open(&element)?;
                self.depth += 1;
                self.text_runs_open += usize::from(is_text_run(&element));
            }
            Event::Empty(element) => self.open(&element)?,
            Event::End(element) => {
                self.depth = self.depth.checked_sub(1).ok_or(XmlFault::Malformed)?;
                if element.local_name().as_ref() == "t" {
                    self.text_runs_open = self.text_runs_open.saturating_sub(1);
                }
            }
            Event::Text(text) => self.text(&text)?,
            Event::CData(data) => self.text(&data)?,
            Event::GeneralRef(_) => self.text("&")?,
            _ => {}
        }
        Ok(())
    }

    /// A start tag: its attributes must parse, and only one element may sit at the top.
    fn open(&mut self, element: &BytesStart<'_>) -> Result<(), XmlFault> {
        if self.depth == 0 {
            if self.seen_root {
                return Err(XmlFault::Malformed);
            }
            self.seen_root = true;
        }
        for attribute in element.attributes() {
            attribute.map_err(|_| XmlFault::Malformed)?;
        }
        Ok(())
    }

    fn text(&mut self, content: &str) -> Result<(), XmlFault> {
        let visible = content.chars().any(|c| !c.is_whitespace());
        if visible && self.depth == 0 {
            return Err(XmlFault::Malformed);
        }
        self.has_text = self.has_text || (visible && self.text_runs_open > 0);
        Ok(())
    }
}

fn is_text_run(element: &BytesStart<'_>) -> bool {
    element.local_name().as_ref() == "t"
}

/// Passes at most `limit_bytes` through, hashing them, then probes for one byte more: if the
/// inflater yields it, or fails trying, the part is larger than its header says and the read
/// fails, so an entry whose header understates its size is never inflated further. (The zip
/// crate has the same guard; this one does not depend on it, and it checks the CRC itself,
/// since the crate's check is turned off to keep its errors apart from an overflow.)
struct CappedReader<R> {
    inner: R,
    remaining_bytes: u64,
    crc: crc32fast::Hasher,
    exceeded: bool,
}

impl<R: Read> CappedReader<R> {
    fn new(inner: R, limit_bytes: u64) -> Self {
        let crc = crc32fast::Hasher::new();
        CappedReader {
            inner,
            remaining_bytes: limit_bytes,
            crc,
            exceeded: false,
        }
    }

    fn probe_past_limit(&mut self) -> io::Result<usize> {
        let mut probe = [0; 1];
        match self.inner.read(&mut probe) {
            Ok(0) => Ok(0),
            Ok(_) | Err(_) => {
                self.exceeded = true;
                Err(io::Error::other("entry inflates beyond its declared size"))
            }
        }
    }
}

impl<R: Read> Read for CappedReader<R> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        if self.remaining_bytes == 0 {
            return self.probe_past_limit();
        }

        let room = usize::try_from(self.remaining_bytes).unwrap_or(usize::MAX);
        let take = buffer.len().min(room);
        let read = self.inner.read(&mut buffer[..take])?;
        self.crc.update(&buffer[..read]);
        self.remaining_bytes -= read as u64;
        Ok(read)
    }
}
