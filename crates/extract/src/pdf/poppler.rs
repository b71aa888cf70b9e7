//! The robust path: poppler's `pdftotext -bbox` words, laid out by `layout` like the fast
//! path's, and `pdfinfo` for page counts and sizes. Both run as child processes with
//! deadlines, so a PDF that crashes or hangs poppler costs one process, not the worker.

use std::io::BufRead;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::layout::{self, Word};
use crate::process::{self, PDFINFO, PDFTOTEXT, RunError};

/// Time allowed for `pdftotext` over a whole document: ~90 pages/s makes 2,000 pages 25 s.
const PDFTOTEXT_TIMEOUT: Duration = Duration::from_secs(180);

/// Time allowed for `pdfinfo`, which only reads the page tree.
const PDFINFO_TIMEOUT: Duration = Duration::from_secs(30);

/// The text of pages `first..=last` (1-based; fewer if the document is shorter), in reading
/// order. Pages are parsed as they stream out, so memory holds one page's words at a time
/// besides the texts.
pub(crate) fn text_pages(path: &Path, first: u32, last: u32) -> Result<Vec<String>, RunError> {
    let mut command = Command::new(PDFTOTEXT.name);
    command
        .args(["-q", "-bbox", "-enc", "UTF-8"])
        .args(["-f", &first.to_string(), "-l", &last.to_string()])
        .arg(path)
        .arg("-");
    let parsed = process::run_streaming(PDFTOTEXT, command, PDFTOTEXT_TIMEOUT, parse_bbox)?;
    parsed.map_err(|reason| RunError::Failed(PDFTOTEXT, reason))
}

/// Reads `pdftotext -bbox` XHTML: `<page>` elements holding `<word xMin yMin xMax yMax>`.
fn parse_bbox(input: &mut dyn BufRead) -> Result<Vec<String>, String> {
    let mut reader = Reader::from_reader(input);
    let mut buffer = Vec::new();
    let mut pages = Vec::new();
    let mut words: Vec<Word> = Vec::new();
    let mut current: Option<Word> = None;
    loop {
        let event = reader
            .read_event_into(&mut buffer)
            .map_err(|e| format!("unreadable output: {e}"))?;
        match event {
            Event::Start(tag) if tag.local_name().as_ref() == "page" => words.clear(),
            Event::Empty(tag) if tag.local_name().as_ref() == "page" => pages.push(String::new()),
            Event::End(tag) if tag.local_name().as_ref() == "page" => {
                pages.push(layout::lay_out(std::mem::take(&mut words)));
            }
            Event::Start(tag) if tag.local_name().as_ref() == "word" => current = word_box(&tag),
            Event::End(tag) if tag.local_name().as_ref() == "word" => words.extend(current.take()),
            Event::Text(text) => {
                if let Some(word) = current.as_mut() {
                    word.text.push_str(&text.xml10_content());
                }
            }
            Event::GeneralRef(reference) => {
                if let Some(word) = current.as_mut() {
                    crate::xml::push_reference(&mut word.text, &reference);
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buffer.clear();
    }
    Ok(pages)
}

fn word_box(tag: &BytesStart<'_>) -> Option<Word> {
    let number = |name: &str| -> Option<f64> { crate::xml::attr(tag, name)?.parse().ok() };
    Some(Word {
        x0: number("xMin")?,
        top: number("yMin")?,
        x1: number("xMax")?,
        bottom: number("yMax")?,
        text: String::new(),
    })
}

/// Page count and each page's size in points, from `pdfinfo`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Info {
    pub pages: u32,
    /// `(width, height)` in points for pages 1..=last asked for.
    pub sizes: Vec<(f64, f64)>,
}

/// Runs `pdfinfo` for pages 1 to `last_page` (fewer if the document is shorter).
pub(crate) fn info(path: &Path, last_page: u32) -> Result<Info, RunError> {
    let mut command = Command::new(PDFINFO.name);
    command
        .args(["-f", "1", "-l"])
        .arg(last_page.max(1).to_string())
        .arg(path);
    let output = process::run_streaming(PDFINFO, command, PDFINFO_TIMEOUT, |input| {
        let mut text = String::new();
        input.read_to_string(&mut text).map(|_| text)
    })?;
    let text = output.map_err(|e| RunError::Failed(PDFINFO, e.to_string()))?;
    parse_info(&text).ok_or_else(|| RunError::Failed(PDFINFO, "no page count".into()))
}

fn parse_info(text: &str) -> Option<Info> {
    let mut info = Info::default();
    let mut found_count = false;
    for line in text.lines() {
        if let Some(count) = line.strip_prefix("Pages:") {
            info.pages = count.trim().parse().ok()?;
            found_count = true;
        } else if let Some(rest) = line.strip_prefix("Page") {
            let Some((_, size)) = rest.split_once("size:") else {
                continue;
            };
            let mut numbers = size
                .split_whitespace()
                .filter_map(|t| t.parse::<f64>().ok());
            if let (Some(width), Some(height)) = (numbers.next(), numbers.next()) {
                info.sizes.push((width, height));
            }
        }
    }
    found_count.then_some(info)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdfinfo_output_gives_count_and_sizes() {
        let text = "Producer: x\nPages:           2\nPage    1 size: 612 x 792 pts (letter)\n\
                    Page    1 rot:  0\nPage    2 size: 842 x 595.5 pts\n";
        let info = parse_info(text).unwrap();
        assert_eq!(info.pages, 2);
        assert_eq!(info.sizes, vec![(612.0, 792.0), (842.0, 595.5)]);
    }

    #[test]
    fn bbox_output_becomes_page_texts() {
        let xhtml = r#"<html><body><doc>
            <page width="612" height="792">
              <word xMin="10" yMin="10" xMax="40" yMax="20">Terms &amp;</word>
              <word xMin="43" yMin="10" xMax="90" yMax="20">Conditions</word>
            </page>
            <page width="612" height="792"></page>
        </doc></body></html>"#;
        let mut input = xhtml.as_bytes();
        let pages = parse_bbox(&mut input).unwrap();
        assert_eq!(pages, vec!["Terms & Conditions".to_owned(), String::new()]);
    }
}
