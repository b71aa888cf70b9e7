//! DOCX: paragraphs in order with list numbers rendered, tables as tab-separated rows,
//! tracked changes read as accepted, comments left out. Headers and footers are included
//! once (headers before the body, footers and notes after it, each line marked) because a
//! DOCX does not say which page each lands on and repeating them would skew search.
//! Pages come from explicit and last-rendered page breaks; without any, all is page 1.

mod numbering;

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use zip::ZipArchive;

use crate::ExtractError;
use crate::document::Draft;
use crate::sink::{PageSink, Separator};
use crate::xml::attr;
use numbering::{NumPr, Numbering, Styles};

/// Largest XML part inflated: a 1,000-page contract's `document.xml` is about 30 MB, and
/// a ZIP bomb must not inflate without bound.
const MAX_PART_BYTES: u64 = 256 * 1024 * 1024;

/// Elements whose whole content is left out: deleted text, field codes, the fallback copy of
/// alternate content, and the previous state recorded by property changes.
#[rustfmt::skip]
const SKIPPED: &[&str] = &[
    "del", "moveFrom", "delText", "instrText", "delInstrText", "Fallback", "sectPr", "pPrChange",
    "rPrChange", "sectPrChange", "tblPrChange", "trPrChange", "tcPrChange", "tblGridChange",
    "numberingChange", "comment", "annotationRef",
];

/// Elements that show a tracked change (insertions and moves are kept as accepted).
#[rustfmt::skip]
const CHANGE_MARKS: &[&str] = &[
    "ins", "del", "moveFrom", "moveTo", "pPrChange", "rPrChange", "sectPrChange", "tblPrChange",
    "trPrChange", "tcPrChange", "tblGridChange", "numberingChange",
];

/// Extracts a DOCX file.
pub(crate) fn extract(path: &Path) -> Result<Draft, ExtractError> {
    let file = File::open(path).map_err(|e| ExtractError::io(path, e))?;
    let mut archive = ZipArchive::new(BufReader::new(file))?;
    let names: Vec<String> = archive
        .file_names()
        .filter_map(Result::ok)
        .map(|n| n.into_owned())
        .collect();

    let styles = optional_part(&mut archive, &names, "word/styles.xml")?
        .map(|xml| Styles::parse(&xml))
        .unwrap_or_default();
    let mut lists = optional_part(&mut archive, &names, "word/numbering.xml")?
        .map(|xml| Numbering::parse(&xml))
        .unwrap_or_default();
    let mut context = Context {
        styles,
        lists: &mut lists,
        tracked: false,
        comments: false,
    };

    let document = read_part(&mut archive, "word/document.xml")?;
    let body = walk("word/document.xml", &document, &mut context, false)?;
    drop(document);

    let margins = Margins {
        headers: margin_texts(&mut archive, &names, "word/header", &mut context)?,
        footers: margin_texts(&mut archive, &names, "word/footer", &mut context)?,
        footnotes: note_texts(&mut archive, &names, "word/footnotes.xml", &mut context)?,
        endnotes: note_texts(&mut archive, &names, "word/endnotes.xml", &mut context)?,
    };

    let mut draft = Draft::from_pages(body.finish());
    margins.attach(&mut draft);
    draft.has_tracked_changes = context.tracked;
    draft.has_comments = context.comments || names.iter().any(|n| n == "word/comments.xml");
    Ok(draft)
}

/// What the parts of one document share while being walked.
struct Context<'a> {
    styles: Styles,
    lists: &'a mut Numbering,
    tracked: bool,
    comments: bool,
}

fn read_part(
    archive: &mut ZipArchive<BufReader<File>>,
    name: &str,
) -> Result<String, ExtractError> {
    let entry = archive.by_name(name)?;
    let mut xml = String::new();
    let read = entry
        .take(MAX_PART_BYTES + 1)
        .read_to_string(&mut xml)
        .map_err(|e| ExtractError::io(name, e))?;
    if read as u64 > MAX_PART_BYTES {
        let reason = format!("{name} inflates beyond {MAX_PART_BYTES} bytes");
        return Err(ExtractError::DocxArchive(
            zip::result::ZipError::InvalidArchive(reason.into()),
        ));
    }
    Ok(xml)
}

fn optional_part(
    archive: &mut ZipArchive<BufReader<File>>,
    names: &[String],
    name: &str,
) -> Result<Option<String>, ExtractError> {
    if !names.iter().any(|n| n == name) {
        return Ok(None);
    }
    read_part(archive, name).map(Some)
}

/// The texts of `word/header1.xml`, `word/header2.xml`, ... (or footers), in number order,
/// without empty or repeated ones.
fn margin_texts(
    archive: &mut ZipArchive<BufReader<File>>,
    names: &[String],
    prefix: &str,
    context: &mut Context<'_>,
) -> Result<Vec<String>, ExtractError> {
    let mut parts: Vec<(u32, &String)> = names
        .iter()
        .filter_map(|name| {
            let number = name.strip_prefix(prefix)?.strip_suffix(".xml")?;
            Some((number.parse().unwrap_or(0), name))
        })
        .collect();
    parts.sort();

    let mut texts: Vec<String> = Vec::new();
    for (_, name) in parts {
        let xml = read_part(archive, name)?;
        let text = walk(name, &xml, context, false)?.into_string();
        if !text.is_empty() && !texts.contains(&text) {
            texts.push(text);
        }
    }
    Ok(texts)
}

fn note_texts(
    archive: &mut ZipArchive<BufReader<File>>,
    names: &[String],
    name: &str,
    context: &mut Context<'_>,
) -> Result<Vec<String>, ExtractError> {
    let Some(xml) = optional_part(archive, names, name)? else {
        return Ok(Vec::new());
    };
    let text = walk(name, &xml, context, true)?.into_string();
    Ok(text
        .split("\n\n")
        .filter(|t| !t.trim().is_empty())
        .map(str::to_owned)
        .collect())
}

/// Headers, footers and notes, placed around the body.
struct Margins {
    headers: Vec<String>,
    footers: Vec<String>,
    footnotes: Vec<String>,
    endnotes: Vec<String>,
}

impl Margins {
    fn attach(self, draft: &mut Draft) {
        let marked = |label: &str, texts: Vec<String>| -> Vec<String> {
            texts
                .into_iter()
                .map(|t| format!("[{label}] {t}"))
                .collect()
        };
        let before = marked("Header", self.headers).join("\n\n");
        let mut after = marked("Footer", self.footers);
        after.extend(marked("Footnote", self.footnotes));
        after.extend(marked("Endnote", self.endnotes));

        if let Some(first) = draft.pages.first_mut().filter(|_| !before.is_empty()) {
            first.text = format!("{before}\n\n{}", first.text);
        }
        if let Some(last) = draft.pages.last_mut().filter(|_| !after.is_empty()) {
            last.text = format!("{}\n\n{}", last.text, after.join("\n\n"));
        }
    }
}

/// A paragraph being read.
#[derive(Default)]
struct Paragraph {
    style: Option<String>,
    num_pr: NumPr,
    in_properties: bool,
    labelled: bool,
}

/// A table being read: whether the next row or cell is its first.
struct Table {
    first_row: bool,
    first_cell: bool,
}

/// Walks one XML part, writing its text into pages.
struct Walker<'c, 'l> {
    context: &'c mut Context<'l>,
    sink: PageSink,
    paragraphs: Vec<Paragraph>,
    tables: Vec<Table>,
    skip_depth: usize,
    in_text: bool,
    /// In notes parts: separator notes (`w:type` set) are skipped.
    notes: bool,
}

fn walk(
    name: &str,
    xml: &str,
    context: &mut Context<'_>,
    notes: bool,
) -> Result<PageSink, ExtractError> {
    let mut walker = Walker {
        context,
        sink: PageSink::default(),
        paragraphs: Vec::new(),
        tables: Vec::new(),
        skip_depth: 0,
        in_text: false,
        notes,
    };
    let mut reader = Reader::from_str(xml);
    loop {
        let event = reader
            .read_event()
            .map_err(|source| ExtractError::DocxXml {
                part: name.to_owned(),
                source,
            })?;
        match event {
            Event::Start(tag) => walker.start(&tag),
            Event::End(tag) => walker.end(tag.local_name().as_ref()),
            Event::Empty(tag) => walker.empty(&tag),
            Event::Text(text) => walker.text(&text.xml10_content()),
            Event::GeneralRef(reference) => {
                let mut resolved = String::new();
                crate::xml::push_reference(&mut resolved, &reference);
                walker.text(&resolved);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(walker.sink)
}

/// A `w:val` that is absent or true ("1", "true", "on").
fn is_on(tag: &BytesStart<'_>) -> bool {
    attr(tag, "w:val").is_none_or(|v| !matches!(v.as_str(), "0" | "false" | "off"))
}

impl Walker<'_, '_> {
    fn start(&mut self, tag: &BytesStart<'_>) {
        if self.skip_depth > 0 {
            self.skip_depth += 1;
            return;
        }
        let name = tag.local_name();
        let name = name.as_ref();
        self.context.tracked |= CHANGE_MARKS.contains(&name);
        let separator_note =
            self.notes && matches!(name, "footnote" | "endnote") && attr(tag, "w:type").is_some();
        if SKIPPED.contains(&name) || separator_note {
            self.skip_depth = 1;
            return;
        }

        match name {
            "p" => {
                self.sink.separate(self.paragraph_separator());
                self.paragraphs.push(Paragraph::default());
            }
            "pPr" => self.with_paragraph(|p| p.in_properties = true),
            "r" | "t" => self.in_text = name == "t",
            "tbl" => {
                self.sink.separate(Separator::Paragraph);
                self.tables.push(Table {
                    first_row: true,
                    first_cell: true,
                });
            }
            "tr" => self.start_row(),
            "tc" => self.start_cell(),
            "footnote" | "endnote" => self.sink.separate(Separator::Paragraph),
            _ => self.empty(tag),
        }
    }

    fn end(&mut self, name: &str) {
        if self.skip_depth > 0 {
            self.skip_depth -= 1;
            return;
        }
        match name {
            "t" => self.in_text = false,
            "pPr" => self.with_paragraph(|p| p.in_properties = false),
            "p" => {
                self.paragraphs.pop();
                self.sink.separate(self.paragraph_separator());
            }
            "tbl" => {
                self.tables.pop();
                self.sink.separate(Separator::Paragraph);
            }
            _ => {}
        }
    }

    fn empty(&mut self, tag: &BytesStart<'_>) {
        if self.skip_depth > 0 {
            return;
        }
        let name = tag.local_name();
        let name = name.as_ref();
        self.context.tracked |= CHANGE_MARKS.contains(&name);
        let in_properties = self.paragraphs.last().is_some_and(|p| p.in_properties);
        match name {
            "commentReference" | "commentRangeStart" => self.context.comments = true,
            "pStyle" if in_properties => self.with_paragraph(|p| p.style = attr(tag, "w:val")),
            "numId" if in_properties => {
                self.with_paragraph(|p| p.num_pr.num_id = attr(tag, "w:val"))
            }
            "ilvl" if in_properties => {
                let level = attr(tag, "w:val")
                    .and_then(|v| v.parse().ok())
                    .filter(|l| *l < 9);
                self.with_paragraph(|p| p.num_pr.level = level);
            }
            "pageBreakBefore" if in_properties && is_on(tag) => self.sink.page_break(),
            _ if in_properties => {}
            "tab" | "ptab" => self.write_literal("\t"),
            "br" if attr(tag, "w:type").as_deref() == Some("page") => self.sink.page_break(),
            "br" | "cr" => self.write_literal("\n"),
            "lastRenderedPageBreak" => self.sink.page_break(),
            "noBreakHyphen" => self.text_always("-"),
            "p" => self.sink.separate(self.paragraph_separator()),
            "tc" => self.start_cell(),
            _ => {}
        }
    }

    fn text(&mut self, text: &str) {
        if self.in_text && self.skip_depth == 0 {
            self.text_always(text);
        }
    }

    fn text_always(&mut self, text: &str) {
        self.label_paragraph();
        self.sink.text(text);
    }

    fn write_literal(&mut self, text: &str) {
        if !self.paragraphs.is_empty() {
            self.label_paragraph();
            self.sink.literal(text);
        }
    }

    fn with_paragraph(&mut self, change: impl FnOnce(&mut Paragraph)) {
        if let Some(paragraph) = self.paragraphs.last_mut() {
            change(paragraph);
        }
    }

    /// Writes the paragraph's list label once, just before its first text, so a page break
    /// at the paragraph's start moves the label along with it. Paragraphs without text get
    /// no number and do not count: Word documents carry empty numbered paragraphs (section
    /// break holders) that Word itself does not number.
    fn label_paragraph(&mut self) {
        let Some(paragraph) = self.paragraphs.last_mut() else {
            return;
        };
        if paragraph.labelled || paragraph.in_properties {
            return;
        }
        paragraph.labelled = true;
        let style = paragraph.style.as_deref();
        let label = self
            .context
            .lists
            .label(&paragraph.num_pr, style, &self.context.styles);
        if let Some(label) = label {
            self.sink.text(&label);
        }
    }

    /// Paragraphs are separated by blank lines, but by a space inside a table cell (so a
    /// row stays one line) and a space in nested tables.
    fn paragraph_separator(&self) -> Separator {
        if self.tables.is_empty() {
            Separator::Paragraph
        } else {
            Separator::Space
        }
    }

    fn start_row(&mut self) {
        let nested = self.tables.len() > 1;
        let Some(table) = self.tables.last_mut() else {
            return;
        };
        if !table.first_row {
            self.sink.separate(if nested {
                Separator::Space
            } else {
                Separator::Line
            });
        }
        table.first_row = false;
        table.first_cell = true;
    }

    fn start_cell(&mut self) {
        let nested = self.tables.len() > 1;
        let Some(table) = self.tables.last_mut() else {
            return;
        };
        if !table.first_cell {
            self.sink.separate(if nested {
                Separator::Space
            } else {
                Separator::Tab
            });
        }
        table.first_cell = false;
    }
}
