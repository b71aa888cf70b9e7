//! PNG: the chunk sequence from `IHDR` to `IEND`, each chunk's CRC verified.
//! The dimensions in `IHDR` are checked against the budget before anything else is read.

use std::path::Path;

use image::ImageFormat;

use super::{check_budget, confirm_header};
use crate::reader::ByteReader;
use crate::{FileKind, Limits, Rejection, Validated};

const SIGNATURE_BYTES: u64 = 8;
const IHDR_BYTES: u32 = 13;

/// The largest chunk length and dimension PNG allows (2^31 - 1).
const MAX_PNG_VALUE: u32 = 0x7FFF_FFFF;

const TRUNCATED: Rejection = Rejection::ImageTruncated {
    kind: FileKind::Png,
};
const DAMAGED: Rejection = Rejection::ImageDamaged {
    kind: FileKind::Png,
};

/// Checks the PNG at `path`.
pub(crate) fn check(path: &Path, limits: &Limits) -> Result<Validated, Rejection> {
    let mut reader = ByteReader::open(path)?;
    if !reader.skip(SIGNATURE_BYTES)? {
        return Err(TRUNCATED);
    }

    let mut first = true;
    let mut has_image_data = false;
    loop {
        let chunk_type = read_chunk(&mut reader, first, limits)?;
        first = false;
        has_image_data |= &chunk_type == b"IDAT";
        if &chunk_type == b"IEND" {
            break;
        }
    }
    if !has_image_data {
        return Err(DAMAGED);
    }

    confirm_header(path, ImageFormat::Png, FileKind::Png)?;
    Ok(Validated {
        kind: FileKind::Png,
        page_count: Some(1),
        notes: vec![],
    })
}

/// Reads one chunk and verifies its CRC; the first must be a well-formed `IHDR`.
fn read_chunk(reader: &mut ByteReader, first: bool, limits: &Limits) -> Result<[u8; 4], Rejection> {
    let header: [u8; 8] = reader.array()?.ok_or(TRUNCATED)?;
    let length = u32::from_be_bytes([header[0], header[1], header[2], header[3]]);
    let chunk_type = [header[4], header[5], header[6], header[7]];
    if length > MAX_PNG_VALUE || !chunk_type.iter().all(u8::is_ascii_alphabetic) {
        return Err(DAMAGED);
    }
    if first != (&chunk_type == b"IHDR") || (first && length != IHDR_BYTES) {
        return Err(DAMAGED);
    }

    let mut crc = crc32fast::Hasher::new();
    crc.update(&chunk_type);
    if first {
        let fields: [u8; IHDR_BYTES as usize] = reader.array()?.ok_or(TRUNCATED)?;
        crc.update(&fields);
        check_dimensions(&fields, limits)?;
    } else if !reader.skip_with(u64::from(length), |data| crc.update(data))? {
        return Err(TRUNCATED);
    }

    let stored: [u8; 4] = reader.array()?.ok_or(TRUNCATED)?;
    if u32::from_be_bytes(stored) != crc.finalize() {
        return Err(DAMAGED);
    }
    Ok(chunk_type)
}

fn check_dimensions(fields: &[u8; IHDR_BYTES as usize], limits: &Limits) -> Result<(), Rejection> {
    let width = u32::from_be_bytes([fields[0], fields[1], fields[2], fields[3]]);
    let height = u32::from_be_bytes([fields[4], fields[5], fields[6], fields[7]]);
    let valid = |side: u32| (1..=MAX_PNG_VALUE).contains(&side);
    if !valid(width) || !valid(height) {
        return Err(DAMAGED);
    }
    check_budget((u64::from(width), u64::from(height)), None, limits)
}
