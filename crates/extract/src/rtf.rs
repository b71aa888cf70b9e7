//! RTF: a small tokenizer of control words, groups and escapes, keeping paragraphs, line
//! breaks, tabs and table rows. Font tables, styles, pictures, field codes and every `\*`
//! destination are skipped; headers, footers and footnotes go around the body as in DOCX.
//! Text marked `\deleted` is dropped; `\page` breaks pages.

use encoding_rs::Encoding;

use crate::ExtractError;
use crate::document::Draft;
use crate::sink::{PageSink, Separator};

/// Destinations whose content is not document text.
#[rustfmt::skip]
const SKIPPED_DESTINATIONS: &[&str] = &[
    "fonttbl", "colortbl", "stylesheet", "info", "pict", "objdata", "datastore", "themedata",
    "colorschememapping", "latentstyles", "listtable", "listoverridetable", "rsidtbl",
    "generator", "xmlnstbl", "mmathPr", "fldinst", "pgdsctbl", "revtbl", "filetbl", "nonshppict",
    "bkmkstart", "bkmkend", "template", "userprops", "docvar", "txe", "xe", "tc", "private",
    "atnid", "atnauthor", "atndate", "atnref", "fchars", "lchars",
];

/// Control words longer than this are malformed; the spec allows 32 letters.
const MAX_WORD_LEN: usize = 32;

/// Where the text of a group goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Destination {
    Body,
    Header,
    Footer,
    Footnote,
    Skip,
}

/// Properties scoped to a group.
#[derive(Debug, Clone, Copy)]
struct Group {
    destination: Destination,
    /// Fallback characters after each `\uN` (`\ucN`).
    unicode_skip: usize,
    in_table: bool,
    deleted: bool,
}

/// One lexical unit of RTF.
enum Token<'a> {
    Open,
    Close,
    Word(&'a str, Option<i32>),
    Hex(u8),
    Symbol(u8),
    Byte(u8),
}

/// Extracts an RTF document from its bytes.
pub(crate) fn extract(bytes: &[u8]) -> Result<Draft, ExtractError> {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(0);
    if !bytes[start..].starts_with(b"{\\rtf") {
        return Err(ExtractError::RtfHeader);
    }
    let mut reader = RtfReader::new();
    let mut lexer = Lexer { bytes, at: start };
    while let Some(token) = lexer.next() {
        if let Token::Word("bin", Some(length)) = token {
            lexer.skip(usize::try_from(length).unwrap_or(0));
            continue;
        }
        reader.token(token);
    }
    Ok(reader.finish())
}

struct Lexer<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Lexer<'a> {
    fn skip(&mut self, count: usize) {
        self.at = self.at.saturating_add(count).min(self.bytes.len());
    }

    fn next(&mut self) -> Option<Token<'a>> {
        let byte = *self.bytes.get(self.at)?;
        self.at += 1;
        Some(match byte {
            b'{' => Token::Open,
            b'}' => Token::Close,
            b'\\' => self.control(),
            other => Token::Byte(other),
        })
    }

    fn control(&mut self) -> Token<'a> {
        let Some(&first) = self.bytes.get(self.at) else {
            return Token::Symbol(b'\\');
        };
        if !first.is_ascii_alphabetic() {
            self.at += 1;
            if first == b'\'' {
                let hex = self
                    .bytes
                    .get(self.at..self.at + 2)
                    .and_then(|h| std::str::from_utf8(h).ok());
                if let Some(value) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    self.at += 2;
                    return Token::Hex(value);
                }
            }
            return Token::Symbol(first);
        }

        let start = self.at;
        while self.at < self.bytes.len()
            && self.bytes[self.at].is_ascii_alphabetic()
            && self.at - start < MAX_WORD_LEN
        {
            self.at += 1;
        }
        let word = std::str::from_utf8(&self.bytes[start..self.at]).unwrap_or("");
        let number_start = self.at;
        if self.bytes.get(self.at) == Some(&b'-') {
            self.at += 1;
        }
        while self.at < self.bytes.len()
            && self.bytes[self.at].is_ascii_digit()
            && self.at - number_start < 11
        {
            self.at += 1;
        }
        let parameter = std::str::from_utf8(&self.bytes[number_start..self.at])
            .ok()
            .and_then(|n| n.parse().ok());
        if self.bytes.get(self.at) == Some(&b' ') {
            self.at += 1;
        }
        Token::Word(word, parameter)
    }
}

struct RtfReader {
    stack: Vec<Group>,
    group: Group,
    body: PageSink,
    headers: PageSink,
    footers: PageSink,
    footnotes: PageSink,
    encoding: &'static Encoding,
    pending_bytes: Vec<u8>,
    high_surrogate: Option<u16>,
    skip_fallback: usize,
    tracked: bool,
    comments: bool,
}

impl RtfReader {
    fn new() -> Self {
        Self {
            stack: Vec::new(),
            group: Group {
                destination: Destination::Body,
                unicode_skip: 1,
                in_table: false,
                deleted: false,
            },
            body: PageSink::default(),
            headers: PageSink::default(),
            footers: PageSink::default(),
            footnotes: PageSink::default(),
            encoding: encoding_rs::WINDOWS_1252,
            pending_bytes: Vec::new(),
            high_surrogate: None,
            skip_fallback: 0,
            tracked: false,
            comments: false,
        }
    }

    fn token(&mut self, token: Token<'_>) {
        match token {
            Token::Open => {
                self.flush_bytes();
                self.stack.push(self.group);
                self.skip_fallback = 0;
            }
            Token::Close => {
                self.flush_bytes();
                if let Some(group) = self.stack.pop() {
                    self.group = group;
                }
                self.skip_fallback = 0;
            }
            Token::Hex(byte) => self.byte(byte),
            Token::Byte(b'\r' | b'\n') => {}
            Token::Byte(byte) => self.byte(byte),
            Token::Symbol(symbol) => self.symbol(symbol),
            Token::Word(word, parameter) => {
                if self.skip_fallback > 0 {
                    self.skip_fallback -= 1;
                    return;
                }
                self.flush_bytes();
                self.word(word, parameter);
            }
        }
    }

    fn byte(&mut self, byte: u8) {
        if self.skip_fallback > 0 {
            self.skip_fallback -= 1;
            return;
        }
        if byte.is_ascii() {
            self.flush_bytes();
            self.emit(&char::from(byte).to_string());
        } else {
            self.pending_bytes.push(byte);
        }
    }

    fn symbol(&mut self, symbol: u8) {
        self.flush_bytes();
        match symbol {
            b'\\' | b'{' | b'}' => self.emit(&char::from(symbol).to_string()),
            b'~' => self.emit("\u{a0}"),
            b'_' => self.emit("-"),
            b'*' => self.group.destination = Destination::Skip,
            b'\n' | b'\r' => self.paragraph(),
            _ => {}
        }
    }

    fn word(&mut self, word: &str, parameter: Option<i32>) {
        if SKIPPED_DESTINATIONS.contains(&word) {
            self.group.destination = Destination::Skip;
            return;
        }
        match word {
            "par" | "sect" => self.paragraph(),
            "line" => self.literal("\n"),
            "tab" => self.literal("\t"),
            "cell" => self.separate(Separator::Tab),
            "nestcell" => self.separate(Separator::Space),
            "row" => self.separate(Separator::Line),
            "page" if self.group.destination == Destination::Body => self.body.page_break(),
            "pard" => self.group.in_table = false,
            "intbl" => self.group.in_table = true,
            "u" => self.unicode(parameter.unwrap_or(0)),
            "uc" => self.group.unicode_skip = usize::try_from(parameter.unwrap_or(1)).unwrap_or(1),
            "ansicpg" => self.encoding = code_page(parameter.unwrap_or(1252)),
            "deleted" => {
                self.tracked = true;
                self.group.deleted = parameter != Some(0);
            }
            "revised" => self.tracked = true,
            "plain" => self.group.deleted = false,
            "annotation" => {
                self.comments = true;
                self.group.destination = Destination::Skip;
            }
            "header" | "headerl" | "headerr" | "headerf" => self.destination(Destination::Header),
            "footer" | "footerl" | "footerr" | "footerf" => self.destination(Destination::Footer),
            "footnote" => self.destination(Destination::Footnote),
            other => {
                if let Some(text) = named_character(other) {
                    self.emit(text);
                }
            }
        }
    }

    fn destination(&mut self, destination: Destination) {
        if self.group.destination != Destination::Skip {
            self.group.destination = destination;
            self.sink().separate(Separator::Paragraph);
        }
    }

    fn unicode(&mut self, value: i32) {
        let unit = (value & 0xFFFF) as u16;
        let decoded = match self.high_surrogate.take() {
            Some(high) if (0xDC00..0xE000).contains(&unit) => {
                char::decode_utf16([high, unit]).next().and_then(Result::ok)
            }
            _ if (0xD800..0xDC00).contains(&unit) => {
                self.high_surrogate = Some(unit);
                None
            }
            _ => char::from_u32(u32::from(unit)),
        };
        if let Some(c) = decoded {
            self.emit(&c.to_string());
        }
        self.skip_fallback = self.group.unicode_skip;
    }

    fn flush_bytes(&mut self) {
        if self.pending_bytes.is_empty() {
            return;
        }
        let bytes = std::mem::take(&mut self.pending_bytes);
        let (text, _, _) = self.encoding.decode(&bytes);
        self.emit(&text);
    }

    fn sink(&mut self) -> &mut PageSink {
        match self.group.destination {
            Destination::Header => &mut self.headers,
            Destination::Footer => &mut self.footers,
            Destination::Footnote => &mut self.footnotes,
            Destination::Body | Destination::Skip => &mut self.body,
        }
    }

    fn writable(&self) -> bool {
        self.group.destination != Destination::Skip && !self.group.deleted
    }

    fn emit(&mut self, text: &str) {
        if self.writable() {
            self.sink().text(text);
        }
    }

    fn literal(&mut self, text: &str) {
        if self.writable() {
            self.sink().literal(text);
        }
    }

    fn separate(&mut self, separator: Separator) {
        if self.writable() {
            self.sink().separate(separator);
        }
    }

    fn paragraph(&mut self) {
        let separator = if self.group.in_table {
            Separator::Space
        } else {
            Separator::Paragraph
        };
        self.separate(separator);
    }

    fn finish(mut self) -> Draft {
        self.flush_bytes();
        let mut draft = Draft::from_pages(self.body.finish());
        let marked = |label: &str, sink: PageSink| {
            let text = sink.into_string();
            (!text.is_empty()).then(|| format!("[{label}] {text}"))
        };
        let header = marked("Header", self.headers);
        let after: Vec<String> = [
            marked("Footer", self.footers),
            marked("Footnote", self.footnotes),
        ]
        .into_iter()
        .flatten()
        .collect();
        if let (Some(first), Some(header)) = (draft.pages.first_mut(), header) {
            first.text = format!("{header}\n\n{}", first.text);
        }
        if let Some(last) = draft.pages.last_mut().filter(|_| !after.is_empty()) {
            last.text = format!("{}\n\n{}", last.text, after.join("\n\n"));
        }
        draft.has_tracked_changes = self.tracked;
        draft.has_comments = self.comments;
        draft
    }
}

/// Characters RTF names with control words.
fn named_character(word: &str) -> Option<&'static str> {
    Some(match word {
        "emdash" => "—",
        "endash" => "–",
        "lquote" => "‘",
        "rquote" => "’",
        "ldblquote" => "“",
        "rdblquote" => "”",
        "bullet" => "•",
        "emspace" | "enspace" | "qmspace" => " ",
        _ => return None,
    })
}

/// The encoding of a Windows code page number, Windows-1252 for unknown ones.
fn code_page(number: i32) -> &'static Encoding {
    let label = match number {
        874 | 1250..=1258 => format!("windows-{number}"),
        932 => "shift_jis".into(),
        936 => "gbk".into(),
        949 => "euc-kr".into(),
        950 => "big5".into(),
        10000 => "macintosh".into(),
        _ => return encoding_rs::WINDOWS_1252,
    };
    Encoding::for_label(label.as_bytes()).unwrap_or(encoding_rs::WINDOWS_1252)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of(rtf: &str) -> String {
        let draft = extract(rtf.as_bytes()).unwrap();
        draft
            .pages
            .iter()
            .map(|p| p.text.as_str())
            .collect::<Vec<_>>()
            .join("\u{c}")
    }

    #[test]
    fn paragraphs_tabs_and_escapes_are_kept() {
        let rtf = r"{\rtf1\ansi\ansicpg1252{\fonttbl{\f0 Times;}}{\colortbl;\red0;}
\pard 1.\tab Definitions\par
\ldblquote Agreement\rdblquote  means this caf\'e9 \u8364? contract.\line Next line\par}";
        assert_eq!(
            text_of(rtf),
            "1.\tDefinitions\n\n“Agreement” means this café € contract.\nNext line"
        );
    }

    #[test]
    fn ignorable_destinations_and_deleted_text_are_dropped() {
        let rtf =
            r"{\rtf1{\*\generator Writer;}{\info{\title Secret}}Kept {\deleted gone }text.\par}";
        let draft = extract(rtf.as_bytes()).unwrap();
        assert_eq!(draft.pages[0].text, "Kept text.");
        assert!(draft.has_tracked_changes);
    }

    #[test]
    fn page_breaks_and_table_rows_are_kept() {
        let rtf = r"{\rtf1 One\page\pard\intbl A\cell B\cell\row\pard After\par}";
        assert_eq!(text_of(rtf), "One\u{c}A\tB\nAfter");
    }

    #[test]
    fn headers_are_placed_before_the_body() {
        let rtf = r"{\rtf1{\header\pard Running head\par}Body\par}";
        assert_eq!(text_of(rtf), "[Header] Running head\n\nBody");
    }

    #[test]
    fn surrogate_pairs_and_binary_data_are_handled() {
        let rtf = "{\\rtf1 a\\u-10179?\\u-8704?b{\\pict\\bin3 x}}}c}";
        assert_eq!(text_of(rtf), "a😀bc");
    }

    #[test]
    fn files_without_an_rtf_header_are_refused() {
        assert!(matches!(extract(b"hello"), Err(ExtractError::RtfHeader)));
    }
}
