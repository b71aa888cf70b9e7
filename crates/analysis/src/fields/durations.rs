//! Periods of time: "thirty (30) days", "30 days", "sixty days'", "one (1) year", "12 months",
//! "two-year", "ten (10) business days", "three (3) successive one-year periods".
//!
//! Each duration keeps the amount and unit as written plus an approximate length in calendar
//! days (a month is 30 days, a quarter 91, a year 365) for comparison; business days and hours
//! have none. When words and figures disagree ("sixty (90) days") the figures win.

use std::sync::LazyLock;

use regex::{Captures, Regex};
use serde::Serialize;

use super::numbers::{WORDS_PATTERN, parse_words};
use crate::span::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Hour,
    Day,
    BusinessDay,
    Week,
    Month,
    Quarter,
    Year,
}

impl Unit {
    fn name(self, plural: bool) -> &'static str {
        match (self, plural) {
            (Unit::Hour, false) => "hour",
            (Unit::Hour, true) => "hours",
            (Unit::Day, false) => "day",
            (Unit::Day, true) => "days",
            (Unit::BusinessDay, false) => "business day",
            (Unit::BusinessDay, true) => "business days",
            (Unit::Week, false) => "week",
            (Unit::Week, true) => "weeks",
            (Unit::Month, false) => "month",
            (Unit::Month, true) => "months",
            (Unit::Quarter, false) => "quarter",
            (Unit::Quarter, true) => "quarters",
            (Unit::Year, false) => "year",
            (Unit::Year, true) => "years",
        }
    }

    fn days(self) -> Option<u32> {
        match self {
            Unit::Day => Some(1),
            Unit::Week => Some(7),
            Unit::Month => Some(30),
            Unit::Quarter => Some(91),
            Unit::Year => Some(365),
            Unit::Hour | Unit::BusinessDay => None,
        }
    }
}

/// A period of time as written.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Duration {
    pub span: Span,
    pub amount: u32,
    pub unit: Unit,
    /// Approximate length in calendar days, when the unit has one.
    pub days: Option<u32>,
    /// How many such periods follow one another, when stated ("three successive one-year
    /// periods" is three periods of one year).
    pub count: Option<u32>,
}

impl Duration {
    /// "30 days", "1 year", "3 × 1 year".
    pub fn display(&self) -> String {
        let one = format!("{} {}", self.amount, self.unit.name(self.amount != 1));
        match self.count {
            Some(n) if n > 1 => format!("{n} × {one}"),
            _ => one,
        }
    }
}

const UNIT: &str = r"(?:(?P<qual>calendar|business|working|banking)[\s-]*)?
    (?P<unit>days?|weeks?|months?|years?|quarters?|hours?)\b";

fn pattern(template: &str) -> Regex {
    let source = template
        .replace("{UNIT}", UNIT)
        .replace("{WORDS}", &WORDS_PATTERN);
    super::regex(&format!("(?ix){source}")).expect("duration pattern")
}

static WORDS_AND_FIGURES: LazyLock<Regex> = LazyLock::new(|| {
    pattern(r"\b(?P<words>{WORDS}) \s* \( \s* (?P<num>\d{1,4}) \s* \) [\s-]* {UNIT}")
});

static FIGURES: LazyLock<Regex> =
    LazyLock::new(|| pattern(r"\b(?P<num>\d{1,4}) (?:\s*-\s*|\s*) {UNIT}"));

static WORDS: LazyLock<Regex> = LazyLock::new(|| pattern(r"\b(?P<words>{WORDS}) [\s-]+ {UNIT}"));

/// A count of successive periods just before a duration.
static COUNT_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    pattern(
        r"(?P<count>(?:{WORDS})(?:\s*\(\s*\d+\s*\))?|\d+) \s+
        (?:successive|consecutive|additional|further) \s+ $",
    )
});

/// Every duration in `text`, in order, non-overlapping.
pub fn find_durations(text: &str) -> Vec<Duration> {
    let mut found: Vec<Duration> = [&*WORDS_AND_FIGURES, &*FIGURES, &*WORDS]
        .into_iter()
        .flat_map(|re| re.captures_iter(text))
        .filter_map(|caps| duration(text, &caps))
        .collect();

    found.sort_by_key(|d| (d.span.start, std::cmp::Reverse(d.span.end)));
    let mut out: Vec<Duration> = Vec::with_capacity(found.len());
    for duration in found {
        if out
            .last()
            .is_none_or(|last| last.span.end <= duration.span.start)
        {
            out.push(duration);
        }
    }
    for duration in &mut out {
        add_count(text, duration);
    }
    out
}

fn duration(text: &str, caps: &Captures) -> Option<Duration> {
    let figures = caps
        .name("num")
        .and_then(|n| n.as_str().parse::<u32>().ok());
    let words = caps
        .name("words")
        .and_then(|w| parse_words(w.as_str()))
        .and_then(|w| u32::try_from(w).ok());
    let amount = figures.or(words)?;
    let unit = unit(
        caps.name("unit")?.as_str(),
        caps.name("qual").map(|q| q.as_str()),
    )?;

    let m = caps.get(0)?;
    let previous = text[..m.start()].chars().next_back();
    if previous.is_some_and(|c| matches!(c, '$' | '.' | ',' | '/')) {
        return None;
    }
    Some(Duration {
        span: Span::new(m.start(), m.end()),
        amount,
        unit,
        days: unit.days().map(|d| d.saturating_mul(amount)),
        count: None,
    })
}

fn unit(unit: &str, qualifier: Option<&str>) -> Option<Unit> {
    let unit = unit.to_ascii_lowercase();
    let business = qualifier.is_some_and(|q| !q.eq_ignore_ascii_case("calendar"));
    Some(match unit.trim_end_matches('s') {
        "day" if business => Unit::BusinessDay,
        "day" => Unit::Day,
        "hour" => Unit::Hour,
        "week" => Unit::Week,
        "month" => Unit::Month,
        "quarter" => Unit::Quarter,
        "year" => Unit::Year,
        _ => return None,
    })
}

/// Widens `duration` over a count of successive periods written before it.
fn add_count(text: &str, duration: &mut Duration) {
    let mut from = duration.span.start.saturating_sub(60);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    let before = &text[from..duration.span.start];
    let Some(caps) = COUNT_BEFORE.captures(before) else {
        return;
    };
    let Some(count) = caps.name("count") else {
        return;
    };
    let digits = count
        .as_str()
        .split(|c: char| !c.is_ascii_digit())
        .find(|s| !s.is_empty());
    let value = digits
        .and_then(|d| d.parse::<u32>().ok())
        .or_else(|| parse_words(count.as_str()).and_then(|w| u32::try_from(w).ok()));
    if let Some(value) = value {
        duration.count = Some(value);
        duration.span = Span::new(from + count.start(), duration.span.end);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Some phrases are quoted from CUAD v1 contracts (CC BY 4.0, The Atticus Project).

    fn durations(text: &str) -> Vec<(String, u32, Unit, Option<u32>)> {
        find_durations(text)
            .into_iter()
            .map(|d| (d.span.of(text).to_string(), d.amount, d.unit, d.days))
            .collect()
    }

    #[test]
    fn words_with_figures_in_brackets_are_one_duration() {
        assert_eq!(
            durations("within thirty (30) days after"),
            [("thirty (30) days".into(), 30, Unit::Day, Some(30))]
        );
        assert_eq!(
            durations("for one (1) year"),
            [("one (1) year".into(), 1, Unit::Year, Some(365))]
        );
        assert_eq!(
            durations("one hundred eighty (180)  days"),
            [(
                "one hundred eighty (180)  days".into(),
                180,
                Unit::Day,
                Some(180)
            )]
        );
    }

    #[test]
    fn figures_or_words_alone_and_hyphenated_forms_are_durations() {
        assert_eq!(
            durations("30 days, 12 months and a two-year term"),
            [
                ("30 days".into(), 30, Unit::Day, Some(30)),
                ("12 months".into(), 12, Unit::Month, Some(360)),
                ("two-year".into(), 2, Unit::Year, Some(730)),
            ]
        );
        assert_eq!(
            durations("upon sixty days' notice"),
            [("sixty days".into(), 60, Unit::Day, Some(60))]
        );
    }

    #[test]
    fn business_days_and_weeks_keep_their_unit() {
        assert_eq!(
            durations("ten (10) business days and 2 weeks"),
            [
                ("ten (10) business days".into(), 10, Unit::BusinessDay, None),
                ("2 weeks".into(), 2, Unit::Week, Some(14)),
            ]
        );
    }

    #[test]
    fn figures_win_when_words_disagree() {
        let found = find_durations("at least sixty (90) days prior");
        assert_eq!(found[0].amount, 90);
    }

    #[test]
    fn successive_periods_carry_their_count() {
        let text = "renew for three (3) successive one-year periods";
        let found = find_durations(text);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].span.of(text), "three (3) successive one-year");
        assert_eq!(
            (found[0].amount, found[0].unit, found[0].count),
            (1, Unit::Year, Some(3))
        );
        assert_eq!(found[0].display(), "3 × 1 year");
    }

    #[test]
    fn ordinals_money_and_decimals_are_not_durations() {
        assert!(find_durations("the 30th day, $5 per day, Section 2.5 years").is_empty());
    }
}
