//! TIFF: every page (image file directory) in the chain, each within the pixel budget and
//! with its strips or tiles inside the file, and no more pages than the limit. The `tiff`
//! crate reads the directories and refuses loops between them. Out-of-line values of tags it
//! never reads (descriptions, colour metadata) are not checked against the file's length.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use tiff::decoder::{ChunkType, Decoder};
use tiff::tags::Tag;

use super::check_budget;
use crate::{FileKind, Limits, Rejection, Validated};

type TiffDecoder = Decoder<BufReader<File>>;

/// Checks the TIFF at `path`, page by page.
pub(crate) fn check(path: &Path, file_len: u64, limits: &Limits) -> Result<Validated, Rejection> {
    let file = BufReader::new(File::open(path)?);
    let mut decoder = Decoder::new(file).map_err(|_| Rejection::ImageDamaged {
        kind: FileKind::Tiff,
    })?;

    let mut page = 1;
    loop {
        check_page(&mut decoder, page, file_len, limits)?;
        if !decoder.more_images() {
            break;
        }
        if page == limits.max_tiff_pages {
            return Err(Rejection::TiffTooManyPages {
                limit: limits.max_tiff_pages,
            });
        }

        page += 1;
        decoder
            .next_image()
            .map_err(|_| Rejection::TiffPageDamaged { page })?;
    }

    let page_count = u32::try_from(page).ok();
    Ok(Validated {
        kind: FileKind::Tiff,
        page_count,
        notes: vec![],
    })
}

/// The current page: sane dimensions within budget, and data that the file really holds.
fn check_page(
    decoder: &mut TiffDecoder,
    page: usize,
    file_len: u64,
    limits: &Limits,
) -> Result<(), Rejection> {
    let damaged = Rejection::TiffPageDamaged { page };
    let (width, height) = decoder.dimensions().map_err(|_| damaged)?;
    if width == 0 || height == 0 {
        return Err(Rejection::TiffPageDamaged { page });
    }
    check_budget((u64::from(width), u64::from(height)), Some(page), limits)?;

    if !chunks_inside_file(decoder, file_len).unwrap_or(false) {
        return Err(Rejection::TiffPageDamaged { page });
    }
    Ok(())
}

/// Whether every strip or tile of the current page lies inside the file; `None` when the
/// offset and byte-count tags are missing or unreadable.
fn chunks_inside_file(decoder: &mut TiffDecoder, file_len: u64) -> Option<bool> {
    let (offsets_tag, counts_tag) = match decoder.get_chunk_type() {
        ChunkType::Strip => (Tag::StripOffsets, Tag::StripByteCounts),
        ChunkType::Tile => (Tag::TileOffsets, Tag::TileByteCounts),
    };
    let offsets: Vec<u64> = decoder.find_tag_unsigned_vec(offsets_tag).ok()??;
    let counts: Vec<u64> = decoder.find_tag_unsigned_vec(counts_tag).ok()??;
    if offsets.is_empty() || offsets.len() != counts.len() {
        return Some(false);
    }

    let inside = offsets.iter().zip(&counts).all(|(offset, count)| {
        offset
            .checked_add(*count)
            .is_some_and(|end| end <= file_len)
    });
    Some(inside)
}
