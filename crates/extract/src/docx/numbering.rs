//! Word list numbering rendered as text: `w:numPr` resolved through styles and
//! `word/numbering.xml` to a label such as "1.", "1.1", "(a)" or "(iv)".
//! Counters are kept per abstract list, so lists sharing a definition continue each other;
//! a `w:startOverride` restarts a level when its list instance is first used.

use std::collections::{HashMap, HashSet};

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::xml::attr;

/// Word list levels run from 0 to 8.
const LEVELS: usize = 9;

/// How deep `basedOn` and `numStyleLink` chains are followed: real files use two or three.
const MAX_LINK_DEPTH: usize = 8;

/// What a paragraph's `w:numPr` (or its style's) says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct NumPr {
    pub num_id: Option<String>,
    pub level: Option<usize>,
}

/// A paragraph style's link to a list, and the style it is based on.
#[derive(Debug, Clone, Default)]
struct Style {
    based_on: Option<String>,
    num_pr: NumPr,
}

/// Paragraph styles, for numbering that comes from a style rather than the paragraph.
#[derive(Debug, Clone, Default)]
pub(crate) struct Styles {
    styles: HashMap<String, Style>,
    default_paragraph: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Decimal,
    DecimalZero,
    LowerLetter,
    UpperLetter,
    LowerRoman,
    UpperRoman,
    Bullet,
    None,
}

#[derive(Debug, Clone)]
struct Level {
    start: u32,
    format: Format,
    text: String,
    /// "Legal" numbering shows every level's number in decimal.
    legal: bool,
    /// The paragraph style this level is tied to, if any.
    style: Option<String>,
    /// Whether the label is followed by nothing rather than a tab or space.
    no_suffix: bool,
}

#[derive(Debug, Clone, Default)]
struct AbstractNum {
    levels: Vec<Option<Level>>,
    /// The list style this definition defers to (`w:numStyleLink`).
    style_link: Option<String>,
}

#[derive(Debug, Clone, Default)]
struct Num {
    abstract_id: String,
    start_overrides: HashMap<usize, u32>,
    level_overrides: HashMap<usize, Level>,
}

/// List definitions and the running counters of a document.
#[derive(Debug, Default)]
pub(crate) struct Numbering {
    abstracts: HashMap<String, AbstractNum>,
    nums: HashMap<String, Num>,
    counters: HashMap<String, [Option<u32>; LEVELS]>,
    used_nums: HashSet<String>,
}

fn level_index(value: Option<String>) -> Option<usize> {
    value?.parse::<usize>().ok().filter(|level| *level < LEVELS)
}

impl Styles {
    /// Reads `word/styles.xml`; malformed input yields what was read before the fault.
    pub(crate) fn parse(xml: &str) -> Self {
        let mut styles = Self::default();
        let mut reader = Reader::from_str(xml);
        let mut current: Option<(String, Style)> = None;
        while let Ok(event) = reader.read_event() {
            match event {
                Event::Start(tag) if tag.local_name().as_ref() == "style" => {
                    let id = attr(&tag, "w:styleId").unwrap_or_default();
                    let paragraph = attr(&tag, "w:type").is_none_or(|t| t == "paragraph");
                    if paragraph && attr(&tag, "w:default").is_some_and(|d| d == "1") {
                        styles.default_paragraph = Some(id.clone());
                    }
                    current = paragraph.then(|| (id, Style::default()));
                }
                Event::End(tag) if tag.local_name().as_ref() == "style" => {
                    if let Some((id, style)) = current.take() {
                        styles.styles.insert(id, style);
                    }
                }
                Event::Empty(tag) if tag.local_name().as_ref() == "style" => {
                    let paragraph = attr(&tag, "w:type").is_none_or(|t| t == "paragraph");
                    if paragraph && attr(&tag, "w:default").is_some_and(|d| d == "1") {
                        styles.default_paragraph = attr(&tag, "w:styleId");
                    }
                }
                Event::Empty(tag) => {
                    let Some((_, style)) = current.as_mut() else {
                        continue;
                    };
                    match tag.local_name().as_ref() {
                        "basedOn" => style.based_on = attr(&tag, "w:val"),
                        "numId" => style.num_pr.num_id = attr(&tag, "w:val"),
                        "ilvl" => style.num_pr.level = level_index(attr(&tag, "w:val")),
                        _ => {}
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
        styles
    }

    /// The list link of a paragraph style, following `basedOn` for the parts it lacks.
    fn num_pr(&self, style_id: &str) -> NumPr {
        let mut result = NumPr::default();
        let mut id = Some(style_id.to_owned());
        for _ in 0..MAX_LINK_DEPTH {
            let Some(style) = id.as_ref().and_then(|id| self.styles.get(id)) else {
                break;
            };
            result.num_id = result.num_id.or_else(|| style.num_pr.num_id.clone());
            result.level = result.level.or(style.num_pr.level);
            id = style.based_on.clone();
        }
        result
    }
}

impl Numbering {
    /// Reads `word/numbering.xml`; malformed input yields what was read before the fault.
    pub(crate) fn parse(xml: &str) -> Self {
        let mut numbering = Self::default();
        let mut reader = Reader::from_str(xml);
        let mut parser = NumberingParser::default();
        while let Ok(event) = reader.read_event() {
            match event {
                Event::Start(tag) => parser.start(&tag),
                Event::Empty(tag) => parser.empty(&tag),
                Event::End(tag) => parser.end(tag.local_name().as_ref(), &mut numbering),
                Event::Eof => break,
                _ => {}
            }
        }
        numbering
    }

    /// The label of a paragraph with numbering `own` (from its `w:pPr`) and style `style`,
    /// advancing the list's counters; `None` for paragraphs outside any list.
    pub(crate) fn label(
        &mut self,
        own: &NumPr,
        style: Option<&str>,
        styles: &Styles,
    ) -> Option<String> {
        let style = style.or(styles.default_paragraph.as_deref());
        let from_style = style.map(|s| styles.num_pr(s)).unwrap_or_default();
        let num_id = own.num_id.clone().or(from_style.num_id)?;
        if num_id == "0" {
            return None;
        }
        let num = self.nums.get(&num_id)?.clone();
        let abstract_id = self.resolve_abstract(&num.abstract_id, styles)?;
        let levels = self.levels(&abstract_id, &num);
        let level = own
            .level
            .or(from_style.level)
            .or_else(|| style.and_then(|s| level_for_style(&levels, s)))
            .unwrap_or(0);
        let definition = levels.get(level)?.clone()?;

        let counters = self.counters.entry(abstract_id).or_insert([None; LEVELS]);
        if self.used_nums.insert(num_id) {
            for overridden in num.start_overrides.keys().chain(num.level_overrides.keys()) {
                if let Some(counter) = counters.get_mut(*overridden) {
                    *counter = None;
                }
            }
        }
        let start = |l: usize| {
            num.start_overrides
                .get(&l)
                .copied()
                .or_else(|| levels.get(l).cloned().flatten().map(|d| d.start))
                .unwrap_or(1)
        };
        counters[level] = Some(counters[level].map_or(start(level), |c| c.saturating_add(1)));
        for deeper in counters.iter_mut().skip(level + 1) {
            *deeper = None;
        }

        let values: Vec<u32> = (0..LEVELS)
            .map(|l| counters[l].unwrap_or_else(|| start(l)))
            .collect();
        let label = render(&definition, &levels, &values);
        Some(if definition.no_suffix || label.is_empty() {
            label
        } else {
            format!("{label} ")
        })
    }

    /// The abstract list actually holding the levels, following `w:numStyleLink`.
    fn resolve_abstract(&self, abstract_id: &str, styles: &Styles) -> Option<String> {
        let mut id = abstract_id.to_owned();
        for _ in 0..MAX_LINK_DEPTH {
            let definition = self.abstracts.get(&id)?;
            let Some(link) = &definition.style_link else {
                return Some(id);
            };
            let linked_num = styles.num_pr(link).num_id?;
            id = self.nums.get(&linked_num)?.abstract_id.clone();
        }
        Some(id)
    }

    fn levels(&self, abstract_id: &str, num: &Num) -> Vec<Option<Level>> {
        let mut levels = self
            .abstracts
            .get(abstract_id)
            .map(|a| a.levels.clone())
            .unwrap_or_default();
        levels.resize(LEVELS, None);
        for (index, level) in &num.level_overrides {
            levels[*index] = Some(level.clone());
        }
        levels
    }
}

fn level_for_style(levels: &[Option<Level>], style: &str) -> Option<usize> {
    levels.iter().position(|l| {
        l.as_ref()
            .is_some_and(|l| l.style.as_deref() == Some(style))
    })
}

/// Fills a level's template: each `%N` becomes level N's counter in level N's format.
fn render(level: &Level, levels: &[Option<Level>], values: &[u32]) -> String {
    if level.format == Format::Bullet {
        return bullet(&level.text);
    }
    let mut out = String::new();
    let mut chars = level.text.chars().peekable();
    while let Some(c) = chars.next() {
        let digit = chars
            .peek()
            .and_then(|d| d.to_digit(10))
            .filter(|d| (1..=9).contains(d));
        match (c, digit) {
            ('%', Some(n)) => {
                chars.next();
                let index = n as usize - 1;
                let format = levels
                    .get(index)
                    .cloned()
                    .flatten()
                    .map_or(Format::Decimal, |l| l.format);
                let format = if level.legal { Format::Decimal } else { format };
                out.push_str(&format_number(values[index], format));
            }
            _ => out.push(c),
        }
    }
    out
}

/// Bullets drawn from symbol fonts sit in the private-use area; they all read as "•".
fn bullet(text: &str) -> String {
    let mapped: String = text
        .chars()
        .map(|c| {
            if ('\u{E000}'..='\u{F8FF}').contains(&c) {
                '•'
            } else {
                c
            }
        })
        .collect();
    if mapped.trim().is_empty() {
        "•".to_owned()
    } else {
        mapped
    }
}

fn format_number(value: u32, format: Format) -> String {
    match format {
        Format::Decimal | Format::Bullet => value.to_string(),
        Format::DecimalZero => format!("{value:02}"),
        Format::LowerLetter => letters(value),
        Format::UpperLetter => letters(value).to_uppercase(),
        Format::LowerRoman => roman(value),
        Format::UpperRoman => roman(value).to_uppercase(),
        Format::None => String::new(),
    }
}

/// Word's letter numbering: a..z, then aa..zz, aaa..
fn letters(value: u32) -> String {
    if value == 0 {
        return "0".to_owned();
    }
    let letter = char::from(b'a' + ((value - 1) % 26) as u8);
    let repeat = ((value - 1) / 26 + 1) as usize;
    std::iter::repeat_n(letter, repeat.min(10)).collect()
}

fn roman(mut value: u32) -> String {
    if value == 0 || value >= 4000 {
        return value.to_string();
    }

    #[rustfmt::skip]
    const NUMERALS: [(u32, &str); 13] = [
        (1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"),
        (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"),
    ];
    let mut out = String::new();
    for (amount, numeral) in NUMERALS {
        while value >= amount {
            out.push_str(numeral);
            value -= amount;
        }
    }
    out
}

fn parse_format(value: &str) -> Format {
    match value {
        "decimalZero" => Format::DecimalZero,
        "lowerLetter" => Format::LowerLetter,
        "upperLetter" => Format::UpperLetter,
        "lowerRoman" => Format::LowerRoman,
        "upperRoman" => Format::UpperRoman,
        "bullet" => Format::Bullet,
        "none" => Format::None,
        _ => Format::Decimal,
    }
}

/// State while reading `numbering.xml`.
#[derive(Default)]
struct NumberingParser {
    abstract_num: Option<(String, AbstractNum)>,
    num: Option<(String, Num)>,
    override_level: Option<usize>,
    level: Option<(usize, Level)>,
}

impl NumberingParser {
    fn start(&mut self, tag: &BytesStart<'_>) {
        match tag.local_name().as_ref() {
            "abstractNum" => {
                let id = attr(tag, "w:abstractNumId").unwrap_or_default();
                self.abstract_num = Some((id, AbstractNum::default()));
            }
            "num" => {
                let id = attr(tag, "w:numId").unwrap_or_default();
                self.num = Some((id, Num::default()));
            }
            "lvlOverride" => self.override_level = level_index(attr(tag, "w:ilvl")),
            "lvl" => {
                let index = level_index(attr(tag, "w:ilvl")).unwrap_or(0);
                let level = Level {
                    start: 1,
                    format: Format::Decimal,
                    text: String::new(),
                    legal: false,
                    style: None,
                    no_suffix: false,
                };
                self.level = Some((index, level));
            }
            _ => self.empty(tag),
        }
    }

    fn empty(&mut self, tag: &BytesStart<'_>) {
        let value = || attr(tag, "w:val");
        if let Some((_, level)) = self.level.as_mut() {
            match tag.local_name().as_ref() {
                "start" => level.start = value().and_then(|v| v.parse().ok()).unwrap_or(1),
                "numFmt" => level.format = parse_format(&value().unwrap_or_default()),
                "lvlText" => level.text = value().unwrap_or_default(),
                "isLgl" => level.legal = value().is_none_or(|v| v != "0" && v != "false"),
                "pStyle" => level.style = value(),
                "suff" => level.no_suffix = value().is_some_and(|v| v == "nothing"),
                _ => {}
            }
            return;
        }
        match tag.local_name().as_ref() {
            "numStyleLink" => {
                if let Some((_, definition)) = self.abstract_num.as_mut() {
                    definition.style_link = value();
                }
            }
            "abstractNumId" => {
                if let Some((_, num)) = self.num.as_mut() {
                    num.abstract_id = value().unwrap_or_default();
                }
            }
            "startOverride" => {
                let start = value().and_then(|v| v.parse().ok());
                if let (Some((_, num)), Some(level), Some(start)) =
                    (self.num.as_mut(), self.override_level, start)
                {
                    num.start_overrides.insert(level, start);
                }
            }
            _ => {}
        }
    }

    fn end(&mut self, name: &str, numbering: &mut Numbering) {
        match name {
            "lvl" => {
                let Some((index, level)) = self.level.take() else {
                    return;
                };
                if let Some((_, num)) = self.num.as_mut() {
                    num.level_overrides.insert(index, level);
                } else if let Some((_, definition)) = self.abstract_num.as_mut() {
                    definition.levels.resize(LEVELS, None);
                    definition.levels[index] = Some(level);
                }
            }
            "abstractNum" => {
                if let Some((id, definition)) = self.abstract_num.take() {
                    numbering.abstracts.insert(id, definition);
                }
            }
            "num" => {
                if let Some((id, num)) = self.num.take() {
                    numbering.nums.insert(id, num);
                }
            }
            "lvlOverride" => self.override_level = None,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NUMBERING: &str = r#"<w:numbering xmlns:w="w">
      <w:abstractNum w:abstractNumId="0">
        <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/>
          <w:pStyle w:val="Heading1"/><w:lvlText w:val="%1."/></w:lvl>
        <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/>
          <w:lvlText w:val="%1.%2"/></w:lvl>
        <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/>
          <w:lvlText w:val="(%3)"/></w:lvl>
        <w:lvl w:ilvl="3"><w:start w:val="1"/><w:numFmt w:val="lowerRoman"/>
          <w:lvlText w:val="(%4)"/></w:lvl>
      </w:abstractNum>
      <w:abstractNum w:abstractNumId="1">
        <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="upperRoman"/>
          <w:lvlText w:val="Article %1"/></w:lvl>
      </w:abstractNum>
      <w:abstractNum w:abstractNumId="2">
        <w:lvl w:ilvl="0"><w:numFmt w:val="bullet"/><w:lvlText w:val="&#xF0B7;"/></w:lvl>
      </w:abstractNum>
      <w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>
      <w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>
      <w:num w:numId="3"><w:abstractNumId w:val="1"/>
        <w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>
      <w:num w:numId="4"><w:abstractNumId w:val="2"/></w:num>
    </w:numbering>"#;

    const STYLES: &str = r#"<w:styles xmlns:w="w">
      <w:style w:type="paragraph" w:default="1" w:styleId="Normal"/>
      <w:style w:type="paragraph" w:styleId="Heading1">
        <w:pPr><w:numPr><w:numId w:val="1"/></w:numPr></w:pPr></w:style>
      <w:style w:type="paragraph" w:styleId="Heading2"><w:basedOn w:val="Heading1"/>
        <w:pPr><w:numPr><w:ilvl w:val="1"/></w:numPr></w:pPr></w:style>
    </w:styles>"#;

    fn own(num_id: &str, level: usize) -> NumPr {
        NumPr {
            num_id: Some(num_id.to_owned()),
            level: Some(level),
        }
    }

    #[test]
    fn multi_level_labels_follow_their_templates() {
        let styles = Styles::parse(STYLES);
        let mut numbering = Numbering::parse(NUMBERING);
        let none = NumPr::default();
        let labels: Vec<Option<String>> = vec![
            numbering.label(&none, Some("Heading1"), &styles),
            numbering.label(&none, Some("Heading2"), &styles),
            numbering.label(&none, Some("Heading2"), &styles),
            numbering.label(&own("1", 2), None, &styles),
            numbering.label(&own("1", 3), None, &styles),
            numbering.label(&own("1", 3), None, &styles),
            numbering.label(&none, Some("Heading1"), &styles),
            numbering.label(&none, Some("Heading2"), &styles),
            numbering.label(&none, None, &styles),
        ];
        let expected = [
            "1. ", "1.1 ", "1.2 ", "(a) ", "(i) ", "(ii) ", "2. ", "2.1 ",
        ];
        let mut expected: Vec<Option<String>> =
            expected.iter().map(|s| Some((*s).to_owned())).collect();
        expected.push(None);
        assert_eq!(labels, expected);
    }

    #[test]
    fn a_start_override_restarts_a_shared_list() {
        let styles = Styles::parse(STYLES);
        let mut numbering = Numbering::parse(NUMBERING);
        let first = numbering.label(&own("2", 0), None, &styles);
        let second = numbering.label(&own("2", 0), None, &styles);
        let restarted = numbering.label(&own("3", 0), None, &styles);
        let continued = numbering.label(&own("3", 0), None, &styles);
        assert_eq!(first.as_deref(), Some("Article I "));
        assert_eq!(second.as_deref(), Some("Article II "));
        assert_eq!(restarted.as_deref(), Some("Article I "));
        assert_eq!(continued.as_deref(), Some("Article II "));
    }

    #[test]
    fn symbol_font_bullets_read_as_bullets() {
        let styles = Styles::parse(STYLES);
        let mut numbering = Numbering::parse(NUMBERING);
        assert_eq!(
            numbering.label(&own("4", 0), None, &styles).as_deref(),
            Some("• ")
        );
    }

    #[test]
    fn letters_and_numerals_cover_large_values() {
        assert_eq!(letters(27), "aa");
        assert_eq!(roman(14), "xiv");
        assert_eq!(format_number(4, Format::UpperLetter), "D");
    }
}
