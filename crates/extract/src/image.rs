//! Image files: every page OCR'd, each frame of a multi-page TIFF a page.
//! Only headers are read here (sizes, TIFF page chain); tesseract decodes the pixels, one
//! frame per run, so memory is bounded by `max_ocr_pixels` per page in flight.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use crate::cleanup;
use crate::document::{Draft, PageMethod, PageText};
use crate::ocr::{self, Job, Source};
use crate::process::RunError;
use crate::{ExtractError, Options};

/// Extracts an image by OCR'ing each of its pages.
pub(crate) async fn extract(path: &Path, options: &Options) -> Result<Draft, ExtractError> {
    let frames = {
        let (path, max) = (path.to_owned(), options.max_pages);
        tokio::task::spawn_blocking(move || frame_sizes(&path, max))
            .await
            .map_err(ExtractError::TaskStopped)??
    };
    check_limits(&frames, options)?;

    let multi_frame = frames.len() > 1;
    let jobs = (0..frames.len())
        .map(|index| Job {
            page: index as u32 + 1,
            source: Source::Image {
                path: path.to_owned(),
                frame: multi_frame.then_some(index as u32),
            },
        })
        .collect();
    let results = ocr::run(jobs, options, &options.scratch_dir).await;
    collect_pages(results)
}

fn check_limits(frames: &[(u64, u64)], options: &Options) -> Result<(), ExtractError> {
    if frames.len() > options.max_pages as usize {
        let pages = u32::try_from(frames.len()).unwrap_or(u32::MAX);
        return Err(ExtractError::TooManyPages {
            pages,
            max_pages: options.max_pages,
        });
    }
    for (index, &(width, height)) in frames.iter().enumerate() {
        if width.saturating_mul(height) > options.max_ocr_pixels {
            return Err(ExtractError::ImageTooLarge {
                page: index as u32 + 1,
                width,
                height,
                max_pixels: options.max_ocr_pixels,
            });
        }
    }
    Ok(())
}

/// Pages whose OCR failed are left empty with a warning, unless every page failed or the
/// tool is missing: then the document fails.
fn collect_pages(results: Vec<(u32, Result<String, RunError>)>) -> Result<Draft, ExtractError> {
    let mut draft = Draft::default();
    let mut texts = Vec::with_capacity(results.len());
    let mut last_error = None;
    for (page, result) in results {
        match result {
            Ok(text) => texts.push(cleanup::join_hyphenation(&text)),
            Err(error @ RunError::Missing(_)) => return Err(error.into()),
            Err(error) => {
                draft
                    .warnings
                    .push(format!("page {page}: OCR failed ({})", error.reason()));
                texts.push(String::new());
                last_error = Some(error);
            }
        }
    }
    if let Some(error) = last_error.filter(|_| texts.iter().all(String::is_empty)) {
        return Err(error.into());
    }

    cleanup::remove_running_lines(&mut texts);
    draft.pages = texts
        .into_iter()
        .map(|text| PageText::new(text, PageMethod::Ocr))
        .collect();
    Ok(draft)
}

/// Width and height of each page: every frame of a TIFF, the first frame of anything else.
fn frame_sizes(path: &Path, max_pages: u32) -> Result<Vec<(u64, u64)>, ExtractError> {
    let mut file = File::open(path).map_err(|e| ExtractError::io(path, e))?;
    let mut magic = [0u8; 4];
    file.read_exact(&mut magic)
        .map_err(|e| ExtractError::io(path, e))?;
    if matches!(&magic, b"II*\0" | b"MM\0*" | b"II+\0" | b"MM\0+") {
        return tiff_frames(&mut file, max_pages as usize + 1)
            .map_err(|reason| ExtractError::ImageUnreadable { reason });
    }
    let size = imagesize::size(path).map_err(|e| ExtractError::ImageUnreadable {
        reason: e.to_string(),
    })?;
    Ok(vec![(size.width as u64, size.height as u64)])
}

/// Tags of a TIFF directory entry giving the image's width and height.
const TAG_WIDTH: u16 = 256;
const TAG_HEIGHT: u16 = 257;

/// Directory entries read per TIFF page at most: real files have a few dozen.
const MAX_TIFF_ENTRIES: u64 = 4096;

/// Walks a TIFF's chain of image directories, reading each page's size, up to `limit` pages.
fn tiff_frames(file: &mut File, limit: usize) -> Result<Vec<(u64, u64)>, String> {
    let mut header = [0u8; 16];
    file.seek(SeekFrom::Start(0)).map_err(|e| e.to_string())?;
    file.read_exact(&mut header[..8])
        .map_err(|e| e.to_string())?;
    let tiff = Tiff {
        little_endian: header[0] == b'I',
        big: header[2] == 43 || header[3] == 43,
    };
    let mut offset = if tiff.big {
        file.read_exact(&mut header[8..16])
            .map_err(|e| e.to_string())?;
        tiff.uint(&header[8..16])
    } else {
        tiff.uint(&header[4..8])
    };

    let mut frames = Vec::new();
    let mut visited = std::collections::HashSet::new();
    while offset != 0 && frames.len() < limit && visited.insert(offset) {
        let (size, next) = tiff.directory(file, offset)?;
        frames.push(size);
        offset = next;
    }
    if frames.is_empty() {
        return Err("the TIFF has no image".into());
    }
    Ok(frames)
}

/// Byte order and flavour of a TIFF file.
struct Tiff {
    little_endian: bool,
    /// BigTIFF: 8-byte offsets and counts.
    big: bool,
}

impl Tiff {
    fn uint(&self, bytes: &[u8]) -> u64 {
        let fold = |acc: u64, b: &u8| (acc << 8) | u64::from(*b);
        if self.little_endian {
            bytes.iter().rev().fold(0, fold)
        } else {
            bytes.iter().fold(0, fold)
        }
    }

    /// Reads the directory at `offset`: the page's size and the next directory's offset.
    fn directory(&self, file: &mut File, offset: u64) -> Result<((u64, u64), u64), String> {
        let (count_len, entry_len, value_len) = if self.big { (8, 20, 8) } else { (2, 12, 4) };
        let mut count_bytes = [0u8; 8];
        file.seek(SeekFrom::Start(offset))
            .map_err(|e| e.to_string())?;
        file.read_exact(&mut count_bytes[..count_len])
            .map_err(|e| e.to_string())?;
        let count = self.uint(&count_bytes[..count_len]);
        if count == 0 || count > MAX_TIFF_ENTRIES {
            return Err(format!("a TIFF directory claims {count} entries"));
        }

        let mut entries = vec![0u8; count as usize * entry_len + value_len];
        file.read_exact(&mut entries).map_err(|e| e.to_string())?;
        let (mut width, mut height) = (0, 0);
        for entry in entries[..count as usize * entry_len].chunks_exact(entry_len) {
            let tag = self.uint(&entry[0..2]) as u16;
            let kind = self.uint(&entry[2..4]);
            let value_at = if self.big { 12 } else { 8 };
            let value_bytes = match kind {
                3 => 2,
                4 => 4,
                16 => 8,
                _ => continue,
            };
            let value = self.uint(&entry[value_at..value_at + value_bytes]);
            match tag {
                TAG_WIDTH => width = value,
                TAG_HEIGHT => height = value,
                _ => {}
            }
        }
        let next = self.uint(&entries[count as usize * entry_len..]);
        Ok(((width, height), next))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A little-endian TIFF with `pages` directories, each naming only a size.
    fn tiff_with_pages(pages: u32) -> Vec<u8> {
        let mut bytes = b"II*\0".to_vec();
        bytes.extend_from_slice(&8u32.to_le_bytes());
        for page in 0..pages {
            let start = bytes.len() as u32;
            bytes.extend_from_slice(&2u16.to_le_bytes());
            for (tag, value) in [(TAG_WIDTH, 100 + page), (TAG_HEIGHT, 200)] {
                bytes.extend_from_slice(&tag.to_le_bytes());
                bytes.extend_from_slice(&4u16.to_le_bytes());
                bytes.extend_from_slice(&1u32.to_le_bytes());
                bytes.extend_from_slice(&value.to_le_bytes());
            }
            let next = if page + 1 < pages {
                start + 2 + 24 + 4
            } else {
                0
            };
            bytes.extend_from_slice(&next.to_le_bytes());
        }
        bytes
    }

    #[test]
    fn every_page_of_a_tiff_is_found_with_its_size() {
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(&tiff_with_pages(3)).unwrap();
        let frames = tiff_frames(&mut file, 10).unwrap();
        assert_eq!(frames, vec![(100, 200), (101, 200), (102, 200)]);
    }

    #[test]
    fn a_tiff_page_chain_stops_at_the_limit() {
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(&tiff_with_pages(5)).unwrap();
        assert_eq!(tiff_frames(&mut file, 2).unwrap().len(), 2);
    }
}
