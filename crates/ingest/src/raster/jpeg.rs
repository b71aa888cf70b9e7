//! JPEG: the marker segments from start-of-image to end-of-image, skipping entropy-coded
//! scan data by its marker rules. A frame header (SOFn) must come before the first scan, and
//! a file cut off anywhere before the end-of-image marker is refused.

use std::path::Path;

use image::ImageFormat;

use super::{check_budget, confirm_header};
use crate::reader::ByteReader;
use crate::{FileKind, Limits, Rejection, Validated};

const START_OF_IMAGE_BYTES: u64 = 2;
const END_OF_IMAGE: u8 = 0xD9;
const START_OF_SCAN: u8 = 0xDA;
/// Padding before a marker, and the first byte of every marker.
const MARKER_PREFIX: u8 = 0xFF;
/// After `0xFF` inside scan data, a zero byte means a literal `0xFF`, not a marker.
const STUFFED_ZERO: u8 = 0x00;

const TRUNCATED: Rejection = Rejection::ImageTruncated {
    kind: FileKind::Jpeg,
};
const DAMAGED: Rejection = Rejection::ImageDamaged {
    kind: FileKind::Jpeg,
};

/// Checks the JPEG at `path`.
pub(crate) fn check(path: &Path, limits: &Limits) -> Result<Validated, Rejection> {
    let mut reader = ByteReader::open(path)?;
    if !reader.skip(START_OF_IMAGE_BYTES)? {
        return Err(TRUNCATED);
    }

    let mut frame_seen = false;
    let mut marker = next_marker(&mut reader)?;
    while marker != END_OF_IMAGE {
        marker = match marker {
            0xD0..=0xD7 | 0x01 => next_marker(&mut reader)?,
            START_OF_SCAN if !frame_seen => return Err(DAMAGED),
            START_OF_SCAN => {
                skip_segment(&mut reader)?;
                skip_scan_data(&mut reader)?
            }
            _ if is_frame_header(marker) => {
                read_frame_header(&mut reader, limits)?;
                frame_seen = true;
                next_marker(&mut reader)?
            }
            _ => {
                skip_segment(&mut reader)?;
                next_marker(&mut reader)?
            }
        };
    }
    if !frame_seen {
        return Err(DAMAGED);
    }

    confirm_header(path, ImageFormat::Jpeg, FileKind::Jpeg)?;
    Ok(Validated {
        kind: FileKind::Jpeg,
        page_count: Some(1),
        notes: vec![],
    })
}

/// SOF0-SOF15, except DHT (C4), JPG (C8) and DAC (CC), which share the range.
fn is_frame_header(marker: u8) -> bool {
    matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC)
}

/// The marker code after a `0xFF` (and any fill bytes); anything else here is damage.
fn next_marker(reader: &mut ByteReader) -> Result<u8, Rejection> {
    if reader.next()?.ok_or(TRUNCATED)? != MARKER_PREFIX {
        return Err(DAMAGED);
    }
    loop {
        let code = reader.next()?.ok_or(TRUNCATED)?;
        if code != MARKER_PREFIX {
            return Ok(code);
        }
    }
}

/// The payload length of a segment, without its two length bytes.
fn segment_length(reader: &mut ByteReader) -> Result<u64, Rejection> {
    let length = u16::from_be_bytes(reader.array()?.ok_or(TRUNCATED)?);
    u64::from(length).checked_sub(2).ok_or(DAMAGED)
}

fn skip_segment(reader: &mut ByteReader) -> Result<(), Rejection> {
    let length = segment_length(reader)?;
    if !reader.skip(length)? {
        return Err(TRUNCATED);
    }
    Ok(())
}

/// Reads precision, height and width from a frame header and checks them.
fn read_frame_header(reader: &mut ByteReader, limits: &Limits) -> Result<(), Rejection> {
    let length = segment_length(reader)?;
    let fields: [u8; 5] = reader.array()?.ok_or(TRUNCATED)?;
    let rest = length.checked_sub(fields.len() as u64).ok_or(DAMAGED)?;
    if !reader.skip(rest)? {
        return Err(TRUNCATED);
    }

    let height = u16::from_be_bytes([fields[1], fields[2]]);
    let width = u16::from_be_bytes([fields[3], fields[4]]);
    if width == 0 {
        return Err(DAMAGED);
    }
    check_budget((u64::from(width), u64::from(height)), None, limits)
}

/// Skips entropy-coded data up to the next real marker and returns its code; restart
/// markers and stuffed zeros belong to the data.
fn skip_scan_data(reader: &mut ByteReader) -> Result<u8, Rejection> {
    loop {
        if reader.next()?.ok_or(TRUNCATED)? != MARKER_PREFIX {
            continue;
        }
        let mut code = reader.next()?.ok_or(TRUNCATED)?;
        while code == MARKER_PREFIX {
            code = reader.next()?.ok_or(TRUNCATED)?;
        }
        if code != STUFFED_ZERO && !(0xD0..=0xD7).contains(&code) {
            return Ok(code);
        }
    }
}
