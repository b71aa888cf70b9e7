//! Writing flowing text (DOCX, RTF) into pages with the right separators.
//! Separators are pending until text follows them, so empty paragraphs, empty cells and
//! breaks at the very end never leave stray blank lines; the strongest pending one wins.

use crate::document::{PageMethod, PageText};

/// Separators between pieces of flowing text, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Separator {
    /// Between paragraphs of one table cell.
    Space,
    /// Between table cells.
    Tab,
    /// Between table rows, and for explicit line breaks.
    Line,
    /// Between paragraphs.
    Paragraph,
}

impl Separator {
    fn as_str(self) -> &'static str {
        match self {
            Self::Space => " ",
            Self::Tab => "\t",
            Self::Line => "\n",
            Self::Paragraph => "\n\n",
        }
    }
}

/// Pages of text being written.
#[derive(Debug, Default)]
pub(crate) struct PageSink {
    pages: Vec<String>,
    current: String,
    pending: Option<Separator>,
}

impl PageSink {
    /// Appends text, after any pending separator.
    pub(crate) fn text(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        self.flush_pending();
        self.current.push_str(text);
    }

    /// Asks for `separator` before the next text, unless a stronger one is already pending.
    pub(crate) fn separate(&mut self, separator: Separator) {
        self.pending = Some(self.pending.map_or(separator, |p| p.max(separator)));
    }

    /// Writes a separator now, even if no text follows (a tab or line break typed by the
    /// author inside a paragraph).
    pub(crate) fn literal(&mut self, text: &str) {
        self.flush_pending();
        self.current.push_str(text);
    }

    fn flush_pending(&mut self) {
        if let Some(separator) = self.pending.take()
            && !self.current.is_empty()
        {
            self.current.push_str(separator.as_str());
        }
    }

    /// Starts a new page, unless the current one has no text yet (so repeated break marks
    /// at one position make one break).
    pub(crate) fn page_break(&mut self) {
        if self.current.trim().is_empty() {
            return;
        }
        self.pages.push(std::mem::take(&mut self.current));
        self.pending = None;
    }

    /// The pages, each marked as native text.
    pub(crate) fn finish(mut self) -> Vec<PageText> {
        if !self.current.trim().is_empty() || self.pages.is_empty() {
            self.pages.push(self.current);
        }
        self.pages
            .into_iter()
            .map(|text| PageText::new(text, PageMethod::Native))
            .collect()
    }

    /// Everything written, as one string (for headers, footers and notes).
    pub(crate) fn into_string(self) -> String {
        let mut pages = self.pages;
        pages.push(self.current);
        pages.join("\n\n").trim().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_strongest_pending_separator_is_written_once() {
        let mut sink = PageSink::default();
        sink.separate(Separator::Paragraph);
        sink.text("a");
        sink.separate(Separator::Tab);
        sink.separate(Separator::Paragraph);
        sink.separate(Separator::Line);
        sink.text("b");
        sink.separate(Separator::Paragraph);
        let pages = sink.finish();
        assert_eq!(pages.len(), 1);
        assert_eq!(pages[0].text, "a\n\nb");
    }

    #[test]
    fn repeated_page_breaks_make_one_page_break() {
        let mut sink = PageSink::default();
        sink.text("one");
        sink.page_break();
        sink.page_break();
        sink.text("two");
        let texts: Vec<String> = sink.finish().into_iter().map(|p| p.text).collect();
        assert_eq!(texts, vec!["one", "two"]);
    }
}
