//! Clause segmentation along the document's own structure.
//!
//! A document is cut into paragraphs (at blank lines, and at the runs of spaces that PDF
//! conversion leaves where paragraphs were), and a clause begins at every paragraph that opens
//! with a section number ("7.", "7.2", "Section 7", "ARTICLE VII") or is a heading standing on
//! its own. Lettered and roman items ("(a)", "(iv)") stay inside their clause. A heading alone
//! is carried onto the clause that follows it. Text with no structure at all is cut at
//! paragraphs, and any paragraph longer than [`MAX_CLAUSE_BYTES`] at sentence ends, so one giant
//! paragraph still yields clauses a reader can review.
//!
//! Invariant: clauses are in order, do not overlap, and every non-blank paragraph of the text
//! belongs to exactly one clause.

use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

use crate::span::Span;
use crate::text;

/// Longest clause kept whole; longer unstructured text is cut at sentence ends.
pub const MAX_CLAUSE_BYTES: usize = 3_000;

/// One clause: a numbered section or an unnumbered paragraph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Clause {
    pub span: Span,
    /// The section number as written ("7.2", "VII", "12"), when it has one.
    pub number: Option<String>,
    /// The heading as written ("Governing Law"), when it has one, including a heading standing
    /// on its own line before the clause.
    pub heading: Option<String>,
    /// Nesting depth: 1 for "7." or "Article VII", 2 for "7.2", and so on; 0 when unnumbered.
    pub level: u8,
}

/// A paragraph's opening: its number, depth and heading, if any.
struct Opening {
    number: Option<String>,
    level: u8,
    heading: Option<String>,
    /// Whether the whole paragraph is the heading (nothing follows it).
    heading_only: bool,
}

static ARTICLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        "^(?:ARTICLE|Article|SECTION|Section|CLAUSE|\
        Clause)\\s+([0-9]{1,3}(?:\\.[0-9]{1,3})*|[IVXLC]{1,7})\\b[.:]?\\s*",
    )
    .expect("valid regex")
});

static NUMBERED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^([0-9]{1,3})((?:\.[0-9]{1,3}){0,3})(?:\.|\)|\s)\s*").expect("valid regex")
});

/// A heading after a number: a short run of capitalised words ending in a full stop or colon.
static INLINE_HEADING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        "^((?:[A-Z][A-Za-z'’/&\\-]*|of|and|or|the|to|for|in|on|by|with|a|\
        an)(?:[ ,]+(?:[A-Z][A-Za-z'’/&\\-]*|of|and|or|the|to|for|in|on|by|with|a|an|\
        \\([a-z0-9]+\\))){0,9})\\s*[.:—–]\\s*",
    )
    .expect("valid regex")
});

/// Paragraph breaks: a blank line, or three or more spaces (a flattened PDF paragraph).
static PARAGRAPH_BREAK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\n[ \t\r]*\n|[ \t]{3,}|\n[ \t]+").expect("valid regex"));

/// Cuts `text` into clauses.
pub fn segment(text: &str) -> Vec<Clause> {
    let paragraphs = paragraphs(text);
    let openings: Vec<Opening> = paragraphs.iter().map(|p| opening(p.of(text))).collect();
    let structured = openings.iter().filter(|o| o.number.is_some()).count() >= 3;

    let mut clauses: Vec<Clause> = Vec::new();
    let mut pending_heading: Option<(String, usize)> = None;
    for (paragraph, opening) in paragraphs.iter().zip(openings) {
        let starts = !structured || opening.number.is_some() || opening.heading_only;
        if opening.heading_only && opening.number.is_none() {
            // "ARTICLE IV" then "CONFIDENTIALITY": the heading names the bare number before it.
            if let Some(last) = clauses.last_mut().filter(|c| is_bare_number(c, text)) {
                last.heading = opening.heading;
                last.span.end = paragraph.end;
            } else if pending_heading.is_none() {
                let heading = opening.heading.unwrap_or_default();
                pending_heading = Some((heading, paragraph.start));
            }
            continue;
        }
        if starts || clauses.is_empty() {
            let (heading, start) = match pending_heading.take() {
                Some((heading, start)) if opening.heading.is_none() => (Some(heading), start),
                Some((_, start)) => (opening.heading, start),
                None => (opening.heading, paragraph.start),
            };
            clauses.push(Clause {
                span: Span::new(start, paragraph.end),
                number: opening.number,
                heading,
                level: opening.level,
            });
        } else if let Some(last) = clauses.last_mut() {
            last.span.end = paragraph.end;
        }
    }
    if let Some((heading, start)) = pending_heading {
        let end = paragraphs.last().map_or(start, |p| p.end);
        clauses.push(Clause {
            span: Span::new(start, end),
            number: None,
            heading: Some(heading),
            level: 0,
        });
    }
    clauses
        .into_iter()
        .flat_map(|c| split_long(text, c))
        .collect()
}

/// Non-blank paragraphs of `text`, trimmed.
fn paragraphs(text: &str) -> Vec<Span> {
    let mut out = Vec::new();
    let mut start = 0;
    for gap in PARAGRAPH_BREAK.find_iter(text) {
        push_trimmed(text, start, gap.start(), &mut out);
        start = gap.end();
    }
    push_trimmed(text, start, text.len(), &mut out);
    out
}

fn push_trimmed(text: &str, start: usize, end: usize, out: &mut Vec<Span>) {
    let slice = &text[start..end];
    let trimmed = slice.trim();
    if !trimmed.is_empty() {
        let lead = slice.len() - slice.trim_start().len();
        out.push(Span::new(start + lead, start + lead + trimmed.len()));
    }
}

/// Reads a paragraph's number and heading.
fn opening(paragraph: &str) -> Opening {
    let (number, level, rest) = if let Some(m) = ARTICLE.captures(paragraph) {
        let number = m[1].to_string();
        let level = number.matches('.').count() as u8 + 1;
        (Some(number), level, &paragraph[m[0].len()..])
    } else if let Some(m) = NUMBERED
        .captures(paragraph)
        .filter(|m| plausible_number(m, paragraph))
    {
        let number = format!("{}{}", &m[1], &m[2]);
        let level = number.matches('.').count() as u8 + 1;
        (Some(number), level, &paragraph[m[0].len()..])
    } else {
        (None, 0, paragraph)
    };

    let whole_heading = is_heading_line(rest);
    let heading = if whole_heading {
        Some(rest.trim().trim_end_matches(['.', ':']).to_string())
    } else {
        INLINE_HEADING
            .captures(rest)
            .map(|m| m[1].trim().to_string())
            .filter(|h| h.split_whitespace().count() <= 10 && starts_capitalised(h))
    };
    Opening {
        number,
        level,
        heading,
        heading_only: whole_heading,
    }
}

/// A number at a paragraph start is a section number only if text follows it that reads like a
/// heading or a sentence, not like an amount or a date ("10 days", "2019").
fn plausible_number(m: &regex::Captures, paragraph: &str) -> bool {
    let major: u32 = m[1].parse().unwrap_or(u32::MAX);
    let rest = &paragraph[m[0].len()..];
    let next = rest.chars().next();
    major <= 200 && next.is_some_and(|c| c.is_uppercase() || c == '(' || c == '"')
}

/// A paragraph that is only a heading: short, without a sentence's full stop in the middle,
/// and in capitals or title case.
fn is_heading_line(paragraph: &str) -> bool {
    let trimmed = paragraph.trim().trim_end_matches(['.', ':']);
    let words: Vec<&str> = trimmed.split_whitespace().collect();
    if words.is_empty() || words.len() > 12 || trimmed.len() > 100 || trimmed.contains(". ") {
        return false;
    }
    let letters: Vec<char> = trimmed.chars().filter(|c| c.is_alphabetic()).collect();
    if letters.len() < 3 {
        return false;
    }
    let upper = letters.iter().filter(|c| c.is_uppercase()).count();
    let all_caps = upper * 10 >= letters.len() * 9;
    let title_case = words.iter().all(|w| {
        w.chars().next().is_some_and(|c| !c.is_lowercase())
            || matches!(
                *w,
                "of" | "and" | "or" | "the" | "to" | "for" | "in" | "on" | "a"
            )
    });
    all_caps || (title_case && !trimmed.ends_with(','))
}

/// A clause that so far holds only its number ("ARTICLE IV").
fn is_bare_number(clause: &Clause, text: &str) -> bool {
    clause.heading.is_none()
        && clause.number.is_some()
        && text::words(clause.span.of(text)).count() <= 2
}

fn starts_capitalised(heading: &str) -> bool {
    heading.chars().next().is_some_and(char::is_uppercase)
}

/// Cuts a clause longer than [`MAX_CLAUSE_BYTES`] at sentence ends; the pieces keep its number
/// and heading.
fn split_long(text: &str, clause: Clause) -> Vec<Clause> {
    if clause.span.len() <= MAX_CLAUSE_BYTES {
        return vec![clause];
    }
    let body = clause.span.of(text);
    let mut pieces = Vec::new();
    let mut start: Option<usize> = None;
    let mut end = 0;
    for sentence in text::sentences(body) {
        let piece_start = *start.get_or_insert(sentence.start);
        if sentence.end - piece_start > MAX_CLAUSE_BYTES && end > piece_start {
            pieces.push(Span::new(piece_start, end));
            start = Some(sentence.start);
        }
        end = sentence.end;
    }
    if let Some(piece_start) = start {
        pieces.push(Span::new(piece_start, end));
    }
    pieces
        .into_iter()
        .map(|piece| Clause {
            span: piece.shift(clause.span.start),
            ..clause.clone()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outline(text: &str) -> Vec<(Option<String>, Option<String>, u8)> {
        segment(text)
            .into_iter()
            .map(|c| (c.number, c.heading, c.level))
            .collect()
    }

    #[test]
    fn numbered_sections_with_inline_headings_become_clauses() {
        let text = "MASTER SERVICES AGREEMENT\n\nThis Agreement is made between A and B.\n\n\
                    1. Definitions. In this Agreement the following terms apply.\n\n\
                    1.1 \"Services\" means the services.\n\n\
                    2. Term and Termination. This Agreement lasts two years.\n\n\
                    (a) Either party may terminate for breach.\n\n\
                    3. GOVERNING LAW. The laws of New York govern.";
        let clauses = segment(text);
        assert_eq!(
            outline(text)[1..],
            [
                (Some("1".into()), Some("Definitions".into()), 1),
                (Some("1.1".into()), None, 2),
                (Some("2".into()), Some("Term and Termination".into()), 1),
                (Some("3".into()), Some("GOVERNING LAW".into()), 1),
            ]
        );
        assert!(clauses[3].span.of(text).ends_with("terminate for breach."));
    }

    #[test]
    fn article_headings_standing_alone_carry_onto_the_next_clause() {
        let text = "ARTICLE IV\n\nCONFIDENTIALITY\n\n4.1 Each party shall keep secrets.\n\n\
                    4.2 The obligations survive.\n\nARTICLE V\n\n5.1 Notices go by mail.";
        let clauses = segment(text);
        assert_eq!(clauses[0].number.as_deref(), Some("IV"));
        assert_eq!(clauses[0].heading.as_deref(), Some("CONFIDENTIALITY"));
        assert!(clauses.iter().any(|c| c.number.as_deref() == Some("4.2")));
    }

    #[test]
    fn flattened_pdf_paragraphs_separated_by_spaces_are_found() {
        let text = "1. Appointment. Acme appoints Beta as distributor.   2. Price. Beta pays \
                    list price.   3. Term. Five years.   4. Notices. In writing.";
        let numbers: Vec<_> = segment(text).into_iter().filter_map(|c| c.number).collect();
        assert_eq!(numbers, ["1", "2", "3", "4"]);
    }

    #[test]
    fn amounts_and_years_at_a_paragraph_start_are_not_section_numbers() {
        let text = "1. Fees. Customer pays.\n\n2. Term. One year.\n\n3. Notice. Thirty days.\n\n\
                    2019 was a good year for both parties.\n\n10 days after notice it ends.";
        assert_eq!(segment(text).len(), 3);
    }

    #[test]
    fn one_giant_paragraph_is_cut_at_sentence_ends() {
        let sentence = "The Supplier shall deliver the goods to the Customer on time. ";
        let text = sentence.repeat(200);
        let clauses = segment(&text);
        assert!(clauses.len() >= 4, "{}", clauses.len());
        assert!(clauses.iter().all(|c| c.span.len() <= MAX_CLAUSE_BYTES));
        assert!(clauses.iter().all(|c| c.span.of(&text).ends_with('.')));
        assert_eq!(clauses.first().map(|c| c.span.start), Some(0));
    }

    #[test]
    fn text_with_no_clauses_gives_none() {
        assert!(segment("").is_empty());
        assert!(segment("   \n\n  ").is_empty());
    }
}
