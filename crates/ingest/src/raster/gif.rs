//! GIF: the logical screen and every frame within the pixel budget, and the block sequence
//! complete up to the trailer byte.

use std::path::Path;

use image::ImageFormat;

use super::{check_budget, confirm_header};
use crate::reader::ByteReader;
use crate::{FileKind, Limits, Rejection, Validated};

const HEADER_BYTES: u64 = 6;
const IMAGE_DESCRIPTOR: u8 = 0x2C;
const EXTENSION: u8 = 0x21;
const TRAILER: u8 = 0x3B;
/// Flag in a packed field: a colour table follows; the low three bits give its size.
const COLOR_TABLE_FLAG: u8 = 0x80;

const TRUNCATED: Rejection = Rejection::ImageTruncated {
    kind: FileKind::Gif,
};
const DAMAGED: Rejection = Rejection::ImageDamaged {
    kind: FileKind::Gif,
};

/// Checks the GIF at `path`.
pub(crate) fn check(path: &Path, limits: &Limits) -> Result<Validated, Rejection> {
    let mut reader = ByteReader::open(path)?;
    if !reader.skip(HEADER_BYTES)? {
        return Err(TRUNCATED);
    }

    let screen: [u8; 7] = reader.array()?.ok_or(TRUNCATED)?;
    check_budget(dimensions(&screen[0..4]), None, limits)?;
    skip_color_table(&mut reader, screen[4])?;

    let mut frames = 0usize;
    loop {
        match reader.next()?.ok_or(TRUNCATED)? {
            IMAGE_DESCRIPTOR => {
                frames += 1;
                read_frame(&mut reader, frames, limits)?;
            }
            EXTENSION => {
                reader.next()?.ok_or(TRUNCATED)?;
                skip_sub_blocks(&mut reader)?;
            }
            TRAILER => break,
            _ => return Err(DAMAGED),
        }
    }
    if frames == 0 {
        return Err(DAMAGED);
    }

    confirm_header(path, ImageFormat::Gif, FileKind::Gif)?;
    Ok(Validated {
        kind: FileKind::Gif,
        page_count: Some(1),
        notes: frame_notes(frames),
    })
}

fn frame_notes(frames: usize) -> Vec<String> {
    if frames == 1 {
        return vec![];
    }
    vec![format!("the GIF is animated: it has {frames} frames")]
}

/// Width and height, little-endian, from four bytes.
fn dimensions(bytes: &[u8]) -> (u64, u64) {
    let side = |low: usize| u64::from(u16::from_le_bytes([bytes[low], bytes[low + 1]]));
    (side(0), side(2))
}

fn read_frame(reader: &mut ByteReader, frame: usize, limits: &Limits) -> Result<(), Rejection> {
    let descriptor: [u8; 9] = reader.array()?.ok_or(TRUNCATED)?;
    let (width, height) = dimensions(&descriptor[4..8]);
    if width == 0 || height == 0 {
        return Err(DAMAGED);
    }
    check_budget((width, height), Some(frame), limits)?;
    skip_color_table(reader, descriptor[8])?;

    let minimum_code_size = reader.next()?.ok_or(TRUNCATED)?;
    if !(1..=11).contains(&minimum_code_size) {
        return Err(DAMAGED);
    }
    skip_sub_blocks(reader)
}

fn skip_color_table(reader: &mut ByteReader, packed: u8) -> Result<(), Rejection> {
    if packed & COLOR_TABLE_FLAG == 0 {
        return Ok(());
    }
    let entries = 2u64 << (packed & 0x07);
    if !reader.skip(3 * entries)? {
        return Err(TRUNCATED);
    }
    Ok(())
}

/// Data sub-blocks: a length byte, that many bytes, until a zero length.
fn skip_sub_blocks(reader: &mut ByteReader) -> Result<(), Rejection> {
    loop {
        let length = reader.next()?.ok_or(TRUNCATED)?;
        if length == 0 {
            return Ok(());
        }
        if !reader.skip(u64::from(length))? {
            return Err(TRUNCATED);
        }
    }
}
