//! The extracted document: its text, and the page every character of it came from.
//! Invariant: pages are in order, contiguous and cover the text exactly; offsets count
//! Unicode scalar values (Rust `char`s), not bytes.

use serde::{Deserialize, Serialize};

/// What kind of file is being extracted; the caller has already validated it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    Pdf,
    Docx,
    Rtf,
    Txt,
    /// PNG, JPEG, GIF or TIFF; each frame of a multi-page TIFF is a page.
    Image,
}

/// How a page's text was obtained, so consumers can weigh OCR text accordingly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PageMethod {
    /// The PDF's own text layer.
    TextLayer,
    /// Tesseract on a rasterised page or an image.
    Ocr,
    /// The text itself of a DOCX, RTF or plain-text file.
    Native,
}

/// One page's span of `Extracted::text`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page {
    /// 1-based page number.
    pub number: u32,
    /// First character offset of the page (inclusive).
    pub start: usize,
    /// Character offset just past the page, including the separator that follows it.
    pub end: usize,
    pub method: PageMethod,
}

/// A document's text with its page map and what was noticed on the way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extracted {
    /// Pages joined by [`PAGE_SEPARATOR`]; an empty page adds nothing.
    pub text: String,
    pub pages: Vec<Page>,
    /// The DOCX carries tracked changes; the text reads as if they were all accepted.
    pub has_tracked_changes: bool,
    /// The DOCX carries comments; their text is not part of `text`.
    pub has_comments: bool,
    /// What was degraded or worked around, one sentence each, without document text.
    pub warnings: Vec<String>,
}

/// Put between two non-empty pages and counted in the earlier page's span. A blank line
/// rather than a form feed: chunkers and models read it as the paragraph break it usually is.
pub const PAGE_SEPARATOR: &str = "\n\n";

impl Extracted {
    /// The 1-based page holding the character at `char_offset`, or `None` past the end.
    pub fn page_of(&self, char_offset: usize) -> Option<u32> {
        let index = self.pages.partition_point(|page| page.end <= char_offset);
        let page = self.pages.get(index)?;
        (page.start <= char_offset && char_offset < page.end).then_some(page.number)
    }

    /// The text of page `number` (1-based), separator included.
    pub fn page_text(&self, number: u32) -> Option<String> {
        let page = self.pages.iter().find(|page| page.number == number)?;
        Some(
            self.text
                .chars()
                .skip(page.start)
                .take(page.end - page.start)
                .collect(),
        )
    }
}

/// One page's text before assembly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PageText {
    pub text: String,
    pub method: PageMethod,
}

impl PageText {
    pub(crate) fn new(text: String, method: PageMethod) -> Self {
        Self { text, method }
    }
}

/// What an extractor returns before its pages are joined into one text.
#[derive(Debug, Default)]
pub(crate) struct Draft {
    pub pages: Vec<PageText>,
    pub has_tracked_changes: bool,
    pub has_comments: bool,
    pub warnings: Vec<String>,
}

impl Draft {
    pub(crate) fn from_pages(pages: Vec<PageText>) -> Self {
        Self {
            pages,
            ..Self::default()
        }
    }

    /// Joins the pages, trimming each, and records every page's character span.
    pub(crate) fn assemble(self) -> Extracted {
        let texts: Vec<String> = self.pages.iter().map(|p| clean_page(&p.text)).collect();
        let last_non_empty = texts.iter().rposition(|t| !t.is_empty());

        let mut text = String::new();
        let mut offset = 0;
        let mut pages = Vec::with_capacity(texts.len());
        for (index, (page_text, page)) in texts.iter().zip(&self.pages).enumerate() {
            let start = offset;
            text.push_str(page_text);
            offset += page_text.chars().count();
            if !page_text.is_empty() && last_non_empty.is_some_and(|last| index < last) {
                text.push_str(PAGE_SEPARATOR);
                offset += PAGE_SEPARATOR.chars().count();
            }

            let number = u32::try_from(index + 1).unwrap_or(u32::MAX);
            let method = page.method;
            pages.push(Page {
                number,
                start,
                end: offset,
                method,
            });
        }

        Extracted {
            text,
            pages,
            has_tracked_changes: self.has_tracked_changes,
            has_comments: self.has_comments,
            warnings: self.warnings,
        }
    }
}

/// Normalises line ends, drops control characters other than tab and newline, trims the page
/// and removes trailing spaces on each line.
fn clean_page(text: &str) -> String {
    let unified = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut out = String::with_capacity(unified.len());
    for line in unified.split('\n') {
        let kept: String = line
            .chars()
            .filter(|c| !c.is_control() || *c == '\t')
            .collect();
        out.push_str(kept.trim_end());
        out.push('\n');
    }
    out.trim_matches(|c: char| c.is_whitespace()).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(texts: &[&str]) -> Extracted {
        let pages = texts
            .iter()
            .map(|t| PageText::new((*t).to_owned(), PageMethod::Native))
            .collect();
        Draft::from_pages(pages).assemble()
    }

    #[test]
    fn pages_are_contiguous_and_cover_the_text() {
        let doc = draft(&["Ünïcode first", "", "second", ""]);
        assert_eq!(doc.text, "Ünïcode first\n\nsecond");
        let ends: Vec<(usize, usize)> = doc.pages.iter().map(|p| (p.start, p.end)).collect();
        assert_eq!(ends, vec![(0, 15), (15, 15), (15, 21), (21, 21)]);
        assert_eq!(doc.page_of(0), Some(1));
        assert_eq!(doc.page_of(14), Some(1));
        assert_eq!(doc.page_of(15), Some(3));
        assert_eq!(doc.page_of(21), None);
    }

    #[test]
    fn control_characters_and_trailing_spaces_are_removed() {
        let doc = draft(&["  a\u{0}b  \r\nc\u{7}\t\r\n\n"]);
        assert_eq!(doc.text, "ab\nc");
    }
}
