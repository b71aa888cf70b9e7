//! Where a finding came from: byte spans into the analysed text, and their conversion to the
//! character offsets the rest of the product uses (pages, the API, the database).

use serde::Serialize;

/// A half-open byte range `start..end` into the analysed text, always on `char` boundaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        debug_assert!(start <= end);
        Self { start, end }
    }

    pub fn len(&self) -> usize {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// The text this span covers.
    pub fn of<'t>(&self, text: &'t str) -> &'t str {
        &text[self.start..self.end]
    }

    /// The span shifted by `offset` bytes: for spans found in a slice of a larger text.
    pub fn shift(self, offset: usize) -> Self {
        Self::new(self.start + offset, self.end + offset)
    }

    pub fn contains(&self, other: &Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }
}

/// Converts byte offsets of one text into character offsets, in O(log n) per lookup.
pub struct CharOffsets {
    /// Byte offset of every 64th character, so a lookup scans at most 63 characters.
    checkpoints: Vec<usize>,
}

const CHECKPOINT_EVERY: usize = 64;

impl CharOffsets {
    pub fn new(text: &str) -> Self {
        let checkpoints = text
            .char_indices()
            .step_by(CHECKPOINT_EVERY)
            .map(|(byte, _)| byte)
            .collect();
        Self { checkpoints }
    }

    /// The character offset of byte `byte` of `text` (the text this map was built from).
    pub fn char_offset(&self, text: &str, byte: usize) -> usize {
        let block = self
            .checkpoints
            .partition_point(|&b| b <= byte)
            .saturating_sub(1);
        let from = self.checkpoints.get(block).copied().unwrap_or(0);
        block * CHECKPOINT_EVERY + text[from..byte].chars().count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_offsets_become_character_offsets_past_multibyte_text() {
        let text = "Société Générale — “Lender” ".repeat(20);
        let map = CharOffsets::new(&text);
        for (chars, (byte, _)) in text.char_indices().enumerate() {
            assert_eq!(map.char_offset(&text, byte), chars);
        }
        assert_eq!(map.char_offset(&text, text.len()), text.chars().count());
    }
}
