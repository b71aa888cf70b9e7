//! Date mentions in the forms contracts use, each with its span.
//!
//! Supported: "March 1, 2019", "Mar. 1, 2019", "March 1st, 2019", "1 March 2019", "1st day of
//! March, 2019", "the 1st of March 2019", "this 15th day of June 2020", "March 2019" (month
//! precision), "2019-03-01", "03/01/2019", "3/1/19", "3-5-98", "01.03.2019", OCR spacing such as
//! "March 1 , 2019", and dates left blank for signature ("this ___ day of ______, 2013",
//! "September ___, 2019", "[___], 2020"), which keep the parts that are filled in.
//!
//! Numeric dates with `/` or `-` are read month first (US order) unless the document itself
//! shows day-first order: an unambiguous day-first date (25/03/2019) and no unambiguous
//! month-first one (03/25/2019). Dotted dates (01.03.2019) are always day first. A numeric date
//! whose two parts could both be a month (03/04/2019) is flagged `ambiguous`. Dates that do not
//! exist (02/30/2019) are not reported. Two-digit years below 50 are 20xx, others 19xx.

use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate};
use regex::{Captures, Regex};
use serde::Serialize;

use crate::span::Span;

/// One date mention. `date` is set when day, month and year are all known; a mention with a
/// blank day or month keeps the parts it has.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DateMention {
    pub span: Span,
    pub date: Option<NaiveDate>,
    pub year: Option<i32>,
    pub month: Option<u32>,
    pub day: Option<u32>,
    /// A numeric date whose order had to be guessed (both parts 12 or less and different).
    pub ambiguous: bool,
}

impl DateMention {
    /// A short human form: "1 March 2019", "March 2019", or the year with blanks marked.
    pub fn display(&self) -> String {
        if let Some(date) = self.date {
            return date.format("%-d %B %Y").to_string();
        }
        let month = self.month.and_then(month_name);
        match (self.day, month, self.year) {
            (None, Some(m), Some(y)) => format!("{m} {y}"),
            (Some(d), Some(m), None) => format!("{d} {m} (year not stated)"),
            (_, _, Some(y)) => format!("{y} (day and month left blank)"),
            _ => "date left blank".to_string(),
        }
    }

    fn complete(span: Span, year: i32, month: u32, day: u32, ambiguous: bool) -> Option<Self> {
        let date = NaiveDate::from_ymd_opt(year, month, day)?;
        Some(Self {
            span,
            date: Some(date),
            year: Some(date.year()),
            month: Some(month),
            day: Some(day),
            ambiguous,
        })
    }
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn month_name(month: u32) -> Option<&'static str> {
    MONTHS
        .get(usize::try_from(month).ok()?.checked_sub(1)?)
        .copied()
}

/// Month names and their abbreviations, full names first so that "June" wins over "Jun".
const MONTH: &str = r"(?:january|february|march|april|may|june|july|august|september|october|
    november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\b\.?";

/// A year in the range contracts use.
const YEAR: &str = r"(?:19|20)\d{2}\b";

/// A blank left to be filled in by hand: underscores or a bracketed blank.
const BLANK: &str = r"(?:_{2,}|\[\s*[_*·●•\s]*\])";

/// A year left partly blank: "20___".
const BLANK_YEAR: &str = r"(?:(?:19|20)_{1,4}|_{2,})";

/// Days written as ordinal words: "the first day of July, 2017".
const DAY_WORDS: &[&str] = &[
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
    "eighteenth",
    "nineteenth",
    "twentieth",
    "twenty-first",
    "twenty-second",
    "twenty-third",
    "twenty-fourth",
    "twenty-fifth",
    "twenty-sixth",
    "twenty-seventh",
    "twenty-eighth",
    "twenty-ninth",
    "thirtieth",
    "thirty-first",
];

/// An ordinal suffix, allowing the stray space PDF text puts inside it ("19t h").
const ORD: &str = r"(?:s\s?t|n\s?d|r\s?d|t\s?h)";

fn pattern(template: &str) -> Regex {
    let source = template
        .replace("{MONTH}", MONTH)
        .replace("{YEAR}", YEAR)
        .replace("{BLANK_YEAR}", BLANK_YEAR)
        .replace("{BLANK}", BLANK)
        .replace("{ORD}", ORD);
    super::regex(&format!("(?ix){source}")).expect("date pattern")
}

static MONTH_FIRST: LazyLock<Regex> = LazyLock::new(|| {
    pattern(
        r"\b(?P<mon>{MONTH}) \s* (?P<day>\d{1,2}) \s* {ORD}? \b \s*,?\s*
        (?P<year>{YEAR})",
    )
});

static DAY_FIRST: LazyLock<Regex> = LazyLock::new(|| {
    pattern(
        r"\b(?P<day>\d{1,2}) \s* {ORD}? \s+ (?P<dayof>day\s+of\s+|of\s+)?
        (?P<mon>{MONTH}) \s*,?\s* (?P<year>{YEAR})?",
    )
});

static MONTH_YEAR: LazyLock<Regex> =
    LazyLock::new(|| pattern(r"\b(?P<mon>{MONTH}) \s*,?\s* (?P<year>{YEAR})"));

static ISO: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(r"\b((?:19|20)\d{2})-(\d{1,2})-(\d{1,2})\b").expect("ISO date pattern")
});

static NUMERIC: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(r"\b(\d{1,2})([/.-])(\d{1,2})([/.-])(\d{4}|\d{2})\b")
        .expect("numeric date pattern")
});

static BLANK_DAY_OF: LazyLock<Regex> = LazyLock::new(|| {
    pattern(
        r"(?:\bthis\s+)?{BLANK} \s* {ORD}? \s* day \s+ of \s+
        (?:(?P<mon>{MONTH})|{BLANK}) \s*,?\s* (?:(?P<year>{YEAR})|{BLANK_YEAR})?",
    )
});

static WORD_DAY: LazyLock<Regex> = LazyLock::new(|| {
    let words = DAY_WORDS.join("|");
    pattern(&format!(
        r"\b(?P<word>{words}) \s+ (?:\(\s*\d{{1,2}}\s*{{ORD}}?\s*\)\s+)? day \s+ of \s+
        (?P<mon>{{MONTH}}) \s*,?\s* (?P<year>{{YEAR}})",
    ))
});

static BLANK_MONTH_DAY: LazyLock<Regex> = LazyLock::new(|| {
    pattern(r"(?:\b(?P<mon>{MONTH})\s*|{BLANK}\s*)? {BLANK} \s*,\s* (?P<year>{YEAR})")
});

/// Every date mention in `text`, in order, non-overlapping (the longest reading wins).
pub fn find_dates(text: &str) -> Vec<DateMention> {
    let mut found = Vec::new();
    worded_dates(text, &mut found);
    numeric_dates(text, &mut found);
    blank_dates(text, &mut found);

    found.sort_by_key(|m: &DateMention| (m.span.start, std::cmp::Reverse(m.span.end)));
    let mut out: Vec<DateMention> = Vec::with_capacity(found.len());
    for mention in found {
        if out
            .last()
            .is_none_or(|last| last.span.end <= mention.span.start)
        {
            out.push(mention);
        }
    }
    out
}

fn worded_dates(text: &str, out: &mut Vec<DateMention>) {
    for caps in MONTH_FIRST.captures_iter(text) {
        let Some(month) = month_of(&caps) else {
            continue;
        };
        out.extend(full(
            &caps,
            month,
            number(&caps, "day"),
            number(&caps, "year"),
        ));
    }
    for caps in DAY_FIRST.captures_iter(text) {
        let Some(month) = month_of(&caps) else {
            continue;
        };
        let day = number(&caps, "day");
        match number(&caps, "year") {
            Some(year) => out.extend(full(&caps, month, day, Some(year))),
            None if caps.name("dayof").is_some() && (1..=31).contains(&day.unwrap_or(0)) => {
                out.push(partial(&caps, None, Some(month), day));
            }
            None => {}
        }
    }
    for caps in WORD_DAY.captures_iter(text) {
        let Some(month) = month_of(&caps) else {
            continue;
        };
        let word = caps.name("word").map(|w| w.as_str().to_ascii_lowercase());
        let day = word.and_then(|w| DAY_WORDS.iter().position(|d| *d == w));
        let day = day.and_then(|d| u32::try_from(d + 1).ok());
        out.extend(full(&caps, month, day, number(&caps, "year")));
    }
    for caps in MONTH_YEAR.captures_iter(text) {
        let Some(month) = month_of(&caps) else {
            continue;
        };
        let year = number(&caps, "year").and_then(|y| i32::try_from(y).ok());
        out.push(partial(&caps, year, Some(month), None));
    }
}

fn numeric_dates(text: &str, out: &mut Vec<DateMention>) {
    for caps in ISO.captures_iter(text) {
        let (y, m, d) = (group(&caps, 1), group(&caps, 2), group(&caps, 3));
        let span = whole(&caps);
        if let (Some(y), Some(m), Some(d)) = (y, m, d) {
            out.extend(
                i32::try_from(y)
                    .ok()
                    .and_then(|y| DateMention::complete(span, y, m, d, false)),
            );
        }
    }

    let candidates: Vec<NumericDate> = NUMERIC
        .captures_iter(text)
        .filter_map(|caps| NumericDate::parse(text, &caps))
        .collect();
    let day_first = shows_day_first(&candidates);
    for candidate in candidates {
        out.extend(candidate.resolve(day_first));
    }
}

fn blank_dates(text: &str, out: &mut Vec<DateMention>) {
    for caps in BLANK_DAY_OF
        .captures_iter(text)
        .chain(BLANK_MONTH_DAY.captures_iter(text))
    {
        let month = if caps.name("mon").is_some() {
            month_of(&caps)
        } else {
            None
        };
        if caps.name("mon").is_some() && month.is_none() {
            continue;
        }
        let year = number(&caps, "year").and_then(|y| i32::try_from(y).ok());
        out.push(partial(&caps, year, month, None));
    }
}

/// A numeric date before its order is decided: `first/second/year`.
struct NumericDate {
    span: Span,
    first: u32,
    second: u32,
    year: i32,
    dotted: bool,
}

impl NumericDate {
    fn parse(text: &str, caps: &Captures) -> Option<Self> {
        let span = whole(caps);
        let (sep1, sep2) = (caps.get(2)?.as_str(), caps.get(4)?.as_str());
        let year_digits = caps.get(5)?.as_str();
        let dotted = sep1 == ".";
        if sep1 != sep2 || (dotted && year_digits.len() == 2) || !standalone(text, span) {
            return None;
        }
        let year: i32 = year_digits.parse().ok()?;
        let year = match year_digits.len() {
            2 if year < 50 => 2000 + year,
            2 => 1900 + year,
            _ => year,
        };
        Some(Self {
            span,
            first: group(caps, 1)?,
            second: group(caps, 3)?,
            year,
            dotted,
        })
    }

    fn resolve(&self, document_day_first: bool) -> Option<DateMention> {
        let day_first = self.dotted || document_day_first;
        let (m, d) = if day_first {
            (self.second, self.first)
        } else {
            (self.first, self.second)
        };
        let ambiguous = self.first <= 12 && self.second <= 12 && self.first != self.second;
        DateMention::complete(self.span, self.year, m, d, ambiguous)
            .or_else(|| DateMention::complete(self.span, self.year, d, m, false))
    }
}

/// Whether the document writes numeric dates day first: some date can only be read day first
/// and none can only be read month first.
fn shows_day_first(dates: &[NumericDate]) -> bool {
    let slashed = || dates.iter().filter(|d| !d.dotted);
    let day_first = slashed().any(|d| d.first > 12 && d.second <= 12);
    let month_first = slashed().any(|d| d.second > 12 && d.first <= 12);
    day_first && !month_first
}

/// Whether a numeric match stands alone rather than inside a longer number ("1.2.3.2019",
/// "10/12/2019/4").
fn standalone(text: &str, span: Span) -> bool {
    let before = text[..span.start].chars().next_back();
    let after = text[span.end..].chars().next();
    let after_next = text[span.end..].chars().nth(1);
    let glued_before = before.is_some_and(|c| matches!(c, '/' | '.' | '-'));
    let glued_after = matches!(after, Some('/' | '-'))
        || (after == Some('.') && after_next.is_some_and(|c| c.is_ascii_digit()));
    !glued_before && !glued_after
}

fn full(caps: &Captures, month: u32, day: Option<u32>, year: Option<u32>) -> Option<DateMention> {
    let year = i32::try_from(year?).ok()?;
    DateMention::complete(whole(caps), year, month, day?, false)
}

fn partial(
    caps: &Captures,
    year: Option<i32>,
    month: Option<u32>,
    day: Option<u32>,
) -> DateMention {
    DateMention {
        span: whole(caps),
        date: None,
        year,
        month,
        day,
        ambiguous: false,
    }
}

/// The month named in group `mon`, when it is capitalised as a month name is ("may" the verb
/// is not a month).
fn month_of(caps: &Captures) -> Option<u32> {
    let name = caps.name("mon")?.as_str();
    if !name.starts_with(|c: char| c.is_ascii_uppercase()) {
        return None;
    }
    let lower = name.trim_end_matches('.').to_ascii_lowercase();
    let index = MONTHS
        .iter()
        .position(|m| m.to_ascii_lowercase().starts_with(&lower[..3]))?;
    u32::try_from(index + 1).ok()
}

fn number(caps: &Captures, name: &str) -> Option<u32> {
    caps.name(name)?.as_str().parse().ok()
}

fn group(caps: &Captures, index: usize) -> Option<u32> {
    caps.get(index)?.as_str().parse().ok()
}

fn whole(caps: &Captures) -> Span {
    let m = caps.get(0).expect("group 0 always matches");
    let trimmed = m.as_str().trim_end_matches([' ', ',', '\n', '\t']);
    Span::new(m.start(), m.start() + trimmed.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dates(text: &str) -> Vec<(String, Option<String>, bool)> {
        find_dates(text)
            .into_iter()
            .map(|d| {
                (
                    d.span.of(text).to_string(),
                    d.date.map(|x| x.to_string()),
                    d.ambiguous,
                )
            })
            .collect()
    }

    fn one(text: &str) -> Option<String> {
        let found = find_dates(text);
        assert_eq!(found.len(), 1, "{text}: {found:?}");
        found[0].date.map(|d| d.to_string())
    }

    #[test]
    fn worded_dates_in_every_common_order_are_found() {
        let march_1 = Some("2019-03-01".to_string());
        for text in [
            "dated March 1, 2019.",
            "made this 1st day of March, 2019 by",
            "on the 1st of March 2019",
            "effective 1 March 2019",
            "as of Mar. 1, 2019",
            "as of March 1 , 2019 (OCR spacing)",
            "entered into on MARCH 1, 2019",
            "signed on March 1st, 2019",
        ] {
            assert_eq!(one(text), march_1, "{text}");
        }
        assert_eq!(one("this 15th day of June 2020"), Some("2020-06-15".into()));
        assert_eq!(one("19 Jan. 1998"), Some("1998-01-19".into()));
    }

    #[test]
    fn numeric_dates_are_read_month_first_and_flagged_when_ambiguous() {
        assert_eq!(
            dates("from 2019-03-01 to 03/01/2019 or 3/1/19"),
            [
                ("2019-03-01".into(), Some("2019-03-01".into()), false),
                ("03/01/2019".into(), Some("2019-03-01".into()), true),
                ("3/1/19".into(), Some("2019-03-01".into()), true),
            ]
        );
        assert_eq!(
            dates("on 12/25/2019"),
            [("12/25/2019".into(), Some("2019-12-25".into()), false)]
        );
    }

    #[test]
    fn a_document_that_writes_day_first_is_read_day_first() {
        let text = "signed 18/9/2008; the launch date is 03/04/2009.";
        assert_eq!(
            dates(text),
            [
                ("18/9/2008".into(), Some("2008-09-18".into()), false),
                ("03/04/2009".into(), Some("2009-04-03".into()), true),
            ]
        );
        assert_eq!(one("Datum: 01.04.2019"), Some("2019-04-01".into()));
    }

    #[test]
    fn impossible_dates_and_section_numbers_are_not_dates() {
        assert!(find_dates("due 02/30/2019 under Section 1.2.2019.3 and clause 4.1").is_empty());
        assert!(find_dates("February 30, 2019").is_empty());
        assert!(find_dates("the Licensee may 2019 units").is_empty());
    }

    #[test]
    fn a_month_and_year_alone_keeps_month_precision() {
        let found = find_dates("Effective Date: April 2013");
        assert_eq!(found.len(), 1);
        assert_eq!(
            (found[0].year, found[0].month, found[0].date),
            (Some(2013), Some(4), None)
        );
        assert_eq!(found[0].display(), "April 2013");
    }

    #[test]
    fn dates_left_blank_for_signature_keep_their_year() {
        // Preamble forms from CUAD v1 (CC BY 4.0, The Atticus Project).
        for (text, mention) in [
            (
                "made this ______ day of ________________, 2013, by",
                "this ______ day of ________________, 2013",
            ),
            ("dated September ___, 2019 between", "September ___, 2019"),
            ("as of [___], 2020 (the", "[___], 2020"),
        ] {
            let found = find_dates(text);
            assert_eq!(found.len(), 1, "{text}");
            assert_eq!(found[0].span.of(text), mention);
            assert!(found[0].date.is_none());
            assert!(found[0].year.is_some());
        }
    }

    #[test]
    fn a_day_of_a_month_without_a_year_is_kept_without_one() {
        let found = find_dates("made this 30th day of April by and between");
        assert_eq!(found.len(), 1);
        assert_eq!(
            (found[0].day, found[0].month, found[0].year),
            (Some(30), Some(4), None)
        );
    }
}
