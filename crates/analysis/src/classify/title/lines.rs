//! The head of a text as lines of tokens: lines split further at wide gaps (page layout that
//! survived text extraction), words with their punctuation set aside, title lines that run
//! over several lines joined, and the vocabulary that tells a title from running prose.

use crate::span::Span;

/// A word of the head with the punctuation around it set aside.
#[derive(Debug, Clone)]
pub(super) struct Token<'t> {
    /// The word without surrounding brackets, quotes and trailing punctuation.
    pub(super) core: Span,
    pub(super) word: &'t str,
    pub(super) kind: Kind,
    /// Begins with an opening bracket or quote: a parenthetical or a defined term starts.
    pub(super) opens: bool,
    /// Ends with a colon, semicolon, full stop, closing bracket or quote: the phrase ends.
    pub(super) closes: bool,
    /// Ends with a comma: a list inside a title ("ENGINEERING, PROCUREMENT AND ...").
    pub(super) comma: bool,
    /// The raw token contains a quotation mark.
    pub(super) quoted: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// All letters upper-case: "AGREEMENT", "CO-BRANDING".
    Upper,
    /// Capitalised: "Agreement", "McKesson".
    Cap,
    /// A lower-case connector: "and", "of", "to".
    Connector,
    /// Contains a digit: "10.34", "2".
    Number,
    /// "&", "-", "/": joins words of a title.
    Joiner,
    /// Markdown and decoration ("#", "**"): ignored at the start of a line.
    Markup,
    /// Anything else, such as a lower-case word: ends a title.
    Other,
}

/// A line of the head (or several joined), as tokens.
pub(super) struct Line<'t> {
    pub(super) start: usize,
    pub(super) tokens: Vec<Token<'t>>,
    /// Whether a blank line precedes it.
    after_blank: bool,
    /// Whether it starts a line of the text, rather than following a wide gap.
    line_start: bool,
}

/// Lower-case words allowed inside a title.
const CONNECTORS: &[&str] = &["and", "or", "of", "to", "for", "the", "on", "in", "a", "an"];

/// Nouns that end a title on their own.
#[rustfmt::skip]
const HEAD_NOUNS: &[&str] = &[
    "agreement", "agreements", "contract", "plan", "lease", "sublease", "amendment", "addendum",
    "license", "licence", "release", "note", "guaranty", "guarantee", "indenture", "deed",
    "supplement", "modification", "waiver", "rider", "joinder", "protocol", "memorandum", "mou",
    "nda", "mnda", "sow", "covenant", "terms", "conditions",
];

/// Nouns that end a title only after one of the given words: "statement of work",
/// "purchase order", "letter of intent", "memorandum of understanding".
const QUALIFIED_NOUNS: &[(&str, &[&str])] = &[
    ("work", &["of"]),
    (
        "order",
        &["work", "purchase", "change", "task", "service", "project"],
    ),
    ("intent", &["of"]),
    ("understanding", &["of"]),
    ("letter", &["offer", "side", "commitment", "engagement"]),
];

/// Abbreviations whose full stop does not end a title.
const ABBREVIATIONS: &[&str] = &[
    "no", "nos", "inc", "corp", "co", "ltd", "llc", "jr", "sr", "st",
];

/// Company-name endings: a line ending so is a party, not the first half of a title.
#[rustfmt::skip]
const COMPANY_ENDINGS: &[&str] = &[
    "inc", "llc", "ltd", "limited", "corp", "corporation", "company", "co", "plc", "lp", "llp",
    "bank", "trust", "sa", "ag", "gmbh", "bv", "nv",
];

/// A piece of a line between wide gaps.
pub(super) struct Segment {
    start: usize,
    end: usize,
    /// Starts its line, after a blank line.
    after_blank: bool,
    /// Starts its line (rather than following a wide gap).
    line_start: bool,
}

/// The head split into segments: lines, further split at tabs and wide runs of spaces, which
/// is how page layout survives text extraction.
pub(super) fn segments(head: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut line_start = 0;
    let mut blank_before = false;
    for line in head.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        if body.trim().is_empty() {
            blank_before = true;
        } else {
            split_wide_gaps(body, line_start, blank_before, &mut out);
            blank_before = false;
        }
        line_start += line.len();
    }
    out
}

/// Splits one line at tabs and runs of three or more spaces.
fn split_wide_gaps(line: &str, offset: usize, blank: bool, out: &mut Vec<Segment>) {
    let mut start = 0;
    let mut gap_start = None;
    let mut gap_len = 0;
    for (i, c) in line.char_indices() {
        if c == ' ' || c == '\t' || c == '\u{a0}' {
            gap_start.get_or_insert(i);
            gap_len += if c == '\t' { 3 } else { 1 };
            continue;
        }
        if let Some(g) = gap_start.take()
            && gap_len >= 3
        {
            push_segment(line, offset, start, g, blank, out);
            start = i;
        }
        gap_len = 0;
    }
    push_segment(line, offset, start, line.len(), blank, out);
}

fn push_segment(
    line: &str,
    offset: usize,
    start: usize,
    end: usize,
    blank: bool,
    out: &mut Vec<Segment>,
) {
    let piece = &line[start..end];
    let lead = piece.len() - piece.trim_start().len();
    let trimmed = piece.trim();
    if !trimmed.is_empty() {
        let from = offset + start + lead;
        let line_start = out.last().is_none_or(|s| s.start < offset);
        out.push(Segment {
            start: from,
            end: from + trimmed.len(),
            after_blank: blank && line_start,
            line_start,
        });
    }
}

/// Tokens of each segment, with all-capital lines joined where a title runs over several:
/// "FIRST AMENDMENT TO" / "DISTRIBUTOR AGREEMENT", or "EMPLOYMENT" / "AGREEMENT".
pub(super) fn join_lines<'t>(head: &'t str, segments: Vec<Segment>) -> Vec<Line<'t>> {
    let mut lines: Vec<Line<'t>> = Vec::new();
    for segment in segments {
        let tokens = tokenize(head, segment.start, segment.end);
        if tokens.is_empty() {
            continue;
        }
        let line = Line {
            start: segment.start,
            tokens,
            after_blank: segment.after_blank,
            line_start: segment.line_start,
        };
        match lines.last_mut() {
            Some(previous) if continues(previous, &line) => previous.tokens.extend(line.tokens),
            _ => lines.push(line),
        }
    }
    lines
}

/// Whether `next` continues the title begun on `previous`: both in capitals, and joined by a
/// connector ("FIRST AMENDMENT TO" / "DISTRIBUTOR AGREEMENT") or numbering ("AMENDMENT" /
/// "NO. 5 TO THE ..."), or `previous` names no
/// document yet and `next` completes it ("EMPLOYMENT" / "AGREEMENT" on the next line;
/// "CONSTRUCTION AND MAINTENANCE" and "AGREEMENT" across a wide gap), or `previous` leaves its
/// title open ("FIRST AMENDMENT TO SAGEBRUSH" / "MANAGEMENT AND MAINTENANCE AGREEMENT").
fn continues(previous: &Line, next: &Line) -> bool {
    let capitals = |l: &Line| {
        l.tokens
            .iter()
            .all(|t| matches!(t.kind, Kind::Upper | Kind::Number | Kind::Joiner))
    };
    if !capitals(previous) || !capitals(next) || previous.tokens.len() + next.tokens.len() > 16 {
        return false;
    }
    let (Some(last), Some(first)) = (previous.tokens.last(), next.tokens.first()) else {
        return false;
    };
    if last.closes {
        return false;
    }
    if is_connector(first.word) || is_connector(last.word) || last.comma {
        return true;
    }
    let numbered = is_number_word(first.word) || first.kind == Kind::Number;
    if numbered && is_head_noun(&previous.tokens, previous.tokens.len() - 1) {
        return true;
    }
    if last.kind == Kind::Joiner || open_title(&previous.tokens) {
        return true;
    }

    let nouns = |tokens: &[Token]| {
        (0..tokens.len())
            .filter(|&i| is_head_noun(tokens, i))
            .count()
    };
    let completes = nouns(&next.tokens) > 0;
    let last_word = last.word.to_lowercase();
    let names_nothing = nouns(&previous.tokens) == 0 && !COMPANY_ENDINGS.contains(&&*last_word);
    let next_line = next.line_start && !next.after_blank;
    let only_noun = nouns(&next.tokens) == next.tokens.len();
    names_nothing && completes && (next_line || only_noun)
}

/// Whether a line's title is left open: a document noun, then a connector, then no noun
/// ("FIRST AMENDMENT TO SAGEBRUSH").
fn open_title(tokens: &[Token]) -> bool {
    let Some(noun) = (0..tokens.len()).rev().find(|&i| is_head_noun(tokens, i)) else {
        return false;
    };
    tokens[noun + 1..]
        .iter()
        .any(|t| ["to", "of"].iter().any(|c| c.eq_ignore_ascii_case(t.word)))
}

/// The tokens of `head[start..end]`.
fn tokenize(head: &str, start: usize, end: usize) -> Vec<Token<'_>> {
    let mut tokens = Vec::new();
    let mut offset = start;
    for raw in head[start..end].split(|c: char| c.is_whitespace()) {
        let raw_start = offset;
        offset += raw.len()
            + head[offset + raw.len()..]
                .chars()
                .next()
                .map_or(0, char::len_utf8);
        if raw.is_empty() {
            continue;
        }
        tokens.push(token(head, raw, raw_start));
    }
    tokens
}

/// Characters stripped from the front of a word: brackets, quotes and Markdown marks.
#[rustfmt::skip]
const OPENERS: &[char] = &[
    '(', '[', '"', '\'', '\u{201c}', '\u{2018}', '*', '#', '_', '>',
];

/// Characters stripped from the end of a word: brackets, quotes, marks and punctuation.
#[rustfmt::skip]
const CLOSERS: &[char] = &[
    ')', ']', '"', '\'', '\u{201d}', '\u{2019}', '*', '_', ',', '.', ';', ':',
];

fn token<'t>(head: &'t str, raw: &'t str, at: usize) -> Token<'t> {
    let lead_part = raw.len() - raw.trim_start_matches(OPENERS).len();
    let core_text = raw[lead_part..].trim_end_matches(CLOSERS);
    let core = Span::new(at + lead_part, at + lead_part + core_text.len());
    let leading = &raw[..lead_part];
    let trailing = &raw[lead_part + core_text.len()..];
    let word = core.of(head);

    let lower = word.to_lowercase();
    let abbreviation = ABBREVIATIONS.contains(&lower.as_str());
    let stops = trailing.contains([':', ';', ')', ']', '"', '\u{201d}'])
        || (trailing.starts_with('.') && !abbreviation && !word.chars().all(|c| c.is_numeric()));
    Token {
        core,
        word,
        kind: kind_of(raw, word),
        opens: leading.contains(['(', '[', '"', '\u{201c}']),
        closes: stops,
        comma: trailing.starts_with(','),
        quoted: raw.contains(['"', '\u{201c}', '\u{201d}']),
    }
}

fn kind_of(raw: &str, word: &str) -> Kind {
    if word.is_empty() {
        return match raw.trim_matches(['*', '#', '_', '>', '|']) {
            "" => Kind::Markup,
            "&" | "-" | "\u{2013}" | "\u{2014}" | "/" => Kind::Joiner,
            _ => Kind::Other,
        };
    }
    if word
        .chars()
        .all(|c| matches!(c, '&' | '/' | '-' | '\u{2013}' | '\u{2014}'))
    {
        return Kind::Joiner;
    }
    if word.chars().any(|c| c.is_ascii_digit()) {
        return Kind::Number;
    }
    let letters = || word.chars().filter(|c| c.is_alphabetic());
    if letters().next().is_none() {
        return Kind::Other;
    }
    if letters().all(char::is_uppercase) {
        return Kind::Upper;
    }
    if CONNECTORS.contains(&word) {
        return Kind::Connector;
    }
    if letters().next().is_some_and(char::is_uppercase) {
        return Kind::Cap;
    }
    Kind::Other
}

pub(super) fn is_connector(word: &str) -> bool {
    CONNECTORS.iter().any(|c| c.eq_ignore_ascii_case(word)) || word == "&"
}

/// Whether token `i` of `tokens` is a noun that can end a title.
pub(super) fn is_head_noun(tokens: &[Token], i: usize) -> bool {
    let word = tokens[i].word.to_lowercase();
    if HEAD_NOUNS.contains(&word.as_str()) {
        return true;
    }
    let Some((_, before)) = QUALIFIED_NOUNS.iter().find(|(noun, _)| *noun == word) else {
        return false;
    };
    i > 0
        && before
            .iter()
            .any(|b| b.eq_ignore_ascii_case(tokens[i - 1].word))
}

/// Whether a line opens with an EDGAR exhibit marker ("Exhibit 10.1", "EX-10.34",
/// "exv10w3"); lettered exhibits ("Exhibit A") are attachments listed in the text instead.
pub(super) fn is_exhibit_marker(tokens: &[Token]) -> bool {
    let Some(first) = tokens.first() else {
        return false;
    };
    let word = first.word.to_lowercase();
    let numbered = |t: Option<&Token>| t.is_some_and(|t| t.kind == Kind::Number);
    if word == "exhibit" || word == "ex" {
        return numbered(tokens.get(1));
    }
    word.strip_prefix("ex").is_some_and(|rest| {
        let rest = rest
            .strip_prefix('v')
            .unwrap_or(rest)
            .trim_start_matches(['-', '.']);
        rest.starts_with(|c: char| c.is_ascii_digit())
    })
}

/// Words of notices that precede titles: "portions of this exhibit have been omitted".
#[rustfmt::skip]
const LEGEND_WORDS: &[&str] = &[
    "omitted", "redacted", "confidential", "commission", "excluded", "asterisks", "[*", "***",
];

/// Words a line of running prose has at least.
const PROSE_WORDS: usize = 10;

/// Function words of English sentences; a line of prose uses at least three different ones.
const FUNCTION_WORDS: &[&str] = &[
    "the", "of", "and", "to", "in", "is", "be", "shall", "will", "for", "by", "with", "that",
    "you", "your", "we", "our", "this", "it", "as", "are", "has", "have", "my",
];

/// Whether a line is running prose: long, at least two-fifths lower-case words, sentence
/// function words; confidentiality legends excepted.
pub(super) fn is_prose(line: &Line) -> bool {
    let words = line
        .tokens
        .iter()
        .filter(|t| t.kind != Kind::Joiner)
        .count();
    let lower = line
        .tokens
        .iter()
        .filter(|t| matches!(t.kind, Kind::Other | Kind::Connector));
    if words < PROSE_WORDS || lower.count() * 5 < words * 2 {
        return false;
    }
    let mut function_words: Vec<String> = line
        .tokens
        .iter()
        .map(|t| t.word.to_lowercase())
        .filter(|w| FUNCTION_WORDS.contains(&w.as_str()))
        .collect();
    function_words.sort();
    function_words.dedup();
    if function_words.len() < 3 {
        return false;
    }
    !line.tokens.iter().any(|t| {
        let word = t.word.to_lowercase();
        LEGEND_WORDS.iter().any(|l| word.starts_with(l))
    })
}

pub(super) fn is_number_word(word: &str) -> bool {
    ["no", "nos", "number"]
        .iter()
        .any(|w| w.eq_ignore_ascii_case(word))
}
