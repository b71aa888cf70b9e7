//! Amounts of money with their currency, each with its span.
//!
//! Supported: a symbol or ISO code before the number ("$1,000,000", "US$ 5 million", "USD
//! 250,000.00", "€10.000,00", "£2.5m", "RMB50,000", "C$ 300"), a code or currency word after it
//! ("10.000,00 EUR", "100 dollars"), and amounts in words ("ten thousand dollars"). An amount in
//! words followed by the same amount in figures in brackets ("Five Hundred Thousand Dollars
//! ($500,000)"), or the reverse, is one amount spanning both.
//!
//! Values are `f64` in major units (dollars, not cents), rounded to the cent. Separators follow
//! [`parse_digits`]: "10.000,00" and "10,000.00" are both ten thousand, and a lone separator
//! followed by exactly three digits groups thousands ("$1.500" is 1500). Bare "$" and "dollars"
//! are US dollars; "¥" is the yen unless the text names the renminbi (RMB, CNY, yuan), when it
//! is the yuan. Redacted amounts ("$[***]") are not amounts.

use std::sync::LazyLock;

use regex::{Captures, Regex};
use serde::Serialize;

use super::numbers::{WORDS_PATTERN, parse_digits, parse_words};
use crate::span::Span;

/// An amount of money.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Amount {
    pub span: Span,
    /// In major units of `currency`.
    pub value: f64,
    /// ISO 4217 code.
    pub currency: &'static str,
}

impl Amount {
    /// "USD 500,000" or "EUR 10,000.50".
    pub fn display(&self) -> String {
        format!("{} {}", self.currency, format_value(self.value))
    }
}

/// Currency signs and codes written before the number, longest first.
const PREFIX: &str = r"(?:U\.S\.\s?\$|US\s?\$|USD\s?\$|CDN\s?\$|Cdn\s?\$|CA\$|C\$|AU\$|A\$|HK\$|
    S\$|NZ\$|NT\$|R\$|\$|€|£|¥|₹|\bRs\.|
    \b(?:USD|EUR|GBP|CAD|AUD|CHF|JPY|CNY|RMB|HKD|SGD|INR|SEK|
    NOK|DKK|ILS|KRW|NZD|ZAR|MXN|BRL|TWD))";

/// Currency codes and words written after the number.
const SUFFIX: &str = r"(?:(?:U\.\s?S\.|US|United\s+States|Canadian|Australian|Hong\s+Kong|
    Singapore|New\s+Zealand)\s+dollars?|dollars?|euros?|pounds\s+sterling|pounds|sterling|yen|
    yuan|renminbi|Swiss\s+francs|(?:USD|EUR|GBP|CAD|AUD|CHF|JPY|CNY|RMB|HKD|SGD|INR|SEK|NOK|DKK|
    ILS|KRW|NZD|ZAR|MXN|BRL|TWD)\b|€|£)";

/// Digits with optional thousands groups and decimals.
const NUMBER: &str = r"(?:\d{1,3}(?:[,.]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?)";

/// A scale word after the number: "5 million", "2.5m", "100k".
const SCALE: &str = r"(?:\s*(?:million|billion|thousand|mm|bn|m|k)\b)";

fn pattern(template: &str) -> Regex {
    let source = template
        .replace("{PREFIX}", PREFIX)
        .replace("{SUFFIX}", SUFFIX)
        .replace("{NUMBER}", NUMBER)
        .replace("{SCALE}", SCALE)
        .replace("{WORDS}", &WORDS_PATTERN);
    super::regex(&format!("(?x){source}")).expect("amount pattern")
}

static PREFIXED: LazyLock<Regex> = LazyLock::new(|| {
    pattern(r"(?P<cur>{PREFIX}) \s{0,2} (?P<num>{NUMBER}) (?i:(?P<scale>{SCALE}))?")
});

static SUFFIXED: LazyLock<Regex> = LazyLock::new(|| {
    pattern(r"\b(?P<num>{NUMBER}) (?i:(?P<scale>{SCALE}))? \s* (?i:(?P<cur>{SUFFIX}))")
});

static WORDED: LazyLock<Regex> =
    LazyLock::new(|| pattern(r"(?i)\b(?P<words>{WORDS}) \s+ (?P<cur>{SUFFIX})\b"));

static NAMES_RENMINBI: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(r"\b(?:RMB|CNY|[Rr]enminbi|[Yy]uan)\b").expect("renminbi pattern")
});

/// Every amount of money in `text`, in order, non-overlapping.
pub fn find_amounts(text: &str) -> Vec<Amount> {
    let yen_is_yuan = NAMES_RENMINBI.is_match(text);
    let mut found: Vec<Amount> = Vec::new();
    for caps in PREFIXED
        .captures_iter(text)
        .chain(SUFFIXED.captures_iter(text))
    {
        found.extend(figures(&caps, yen_is_yuan));
    }
    for caps in WORDED.captures_iter(text) {
        found.extend(words(&caps, yen_is_yuan));
    }

    found.sort_by_key(|a| (a.span.start, std::cmp::Reverse(a.span.end)));
    let mut distinct: Vec<Amount> = Vec::with_capacity(found.len());
    for amount in found {
        if distinct
            .last()
            .is_none_or(|last| last.span.end <= amount.span.start)
        {
            distinct.push(amount);
        }
    }
    merge_restated(text, distinct)
}

fn figures(caps: &Captures, yen_is_yuan: bool) -> Option<Amount> {
    let number = caps.name("num")?.as_str();
    let mut value = parse_digits(number)?;
    if let Some(scale) = caps.name("scale") {
        value *= scale_factor(scale.as_str());
    }
    let currency = currency_code(caps.name("cur")?.as_str(), yen_is_yuan)?;
    let m = caps.get(0)?;
    Some(Amount {
        span: Span::new(m.start(), m.end()),
        value: round_cents(value),
        currency,
    })
}

fn words(caps: &Captures, yen_is_yuan: bool) -> Option<Amount> {
    let value = parse_words(caps.name("words")?.as_str())? as f64;
    let currency = currency_code(caps.name("cur")?.as_str(), yen_is_yuan)?;
    let m = caps.get(0)?;
    Some(Amount {
        span: Span::new(m.start(), m.end()),
        value,
        currency,
    })
}

/// Joins "Five Hundred Dollars ($500)" and "$500 (five hundred dollars)" into one amount; the
/// figures give the value.
fn merge_restated(text: &str, amounts: Vec<Amount>) -> Vec<Amount> {
    let mut out: Vec<Amount> = Vec::with_capacity(amounts.len());
    for amount in amounts {
        if let Some(last) = out.last_mut()
            && let Some(end) = restated(text, last.span, amount.span)
        {
            let in_figures = |a: &Amount| a.span.of(text).contains(|c: char| c.is_ascii_digit());
            let figures = if in_figures(last) {
                last.clone()
            } else {
                amount.clone()
            };
            *last = Amount {
                span: Span::new(last.span.start, end),
                ..figures
            };
            continue;
        }
        out.push(amount);
    }
    out
}

/// When `second` restates `first` in brackets right after it, the end of the closing bracket.
fn restated(text: &str, first: Span, second: Span) -> Option<usize> {
    let gap = text[first.end..second.start].trim();
    if gap != "(" {
        return None;
    }
    let after = &text[second.end..];
    let close = after.trim_start();
    close
        .starts_with(')')
        .then(|| second.end + (after.len() - close.len()) + 1)
}

fn scale_factor(scale: &str) -> f64 {
    match scale.trim().to_ascii_lowercase().as_str() {
        "billion" | "bn" => 1e9,
        "million" | "mm" | "m" => 1e6,
        _ => 1e3,
    }
}

/// The ISO code of a currency sign, code or word.
fn currency_code(token: &str, yen_is_yuan: bool) -> Option<&'static str> {
    let compact: String = token.split_whitespace().collect::<Vec<_>>().join(" ");
    let lower = compact.to_lowercase().replace(". ", ".");
    let code = match lower.as_str() {
        "$" | "us$" | "us $" | "u.s.$" | "usd$" | "usd $" | "usd" => "USD",
        "dollar" | "dollars" | "us dollars" | "u.s.dollars" | "united states dollars" => "USD",
        "cdn$" | "cdn $" | "ca$" | "c$" | "cad" | "canadian dollars" => "CAD",
        "au$" | "a$" | "aud" | "australian dollars" => "AUD",
        "hk$" | "hkd" | "hong kong dollars" => "HKD",
        "s$" | "sgd" | "singapore dollars" => "SGD",
        "nz$" | "nzd" | "new zealand dollars" => "NZD",
        "nt$" | "twd" => "TWD",
        "r$" | "brl" => "BRL",
        "€" | "eur" | "euro" | "euros" => "EUR",
        "£" | "gbp" | "pounds" | "pounds sterling" | "sterling" => "GBP",
        "¥" if yen_is_yuan => "CNY",
        "¥" | "jpy" | "yen" => "JPY",
        "rmb" | "cny" | "yuan" | "renminbi" => "CNY",
        "₹" | "rs." | "inr" => "INR",
        "chf" | "swiss francs" => "CHF",
        "sek" => "SEK",
        "nok" => "NOK",
        "dkk" => "DKK",
        "ils" => "ILS",
        "krw" => "KRW",
        "zar" => "ZAR",
        "mxn" => "MXN",
        _ => return None,
    };
    Some(code)
}

fn round_cents(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

/// A value with thousands grouped and cents only when there are any: "1,250,000", "99.50".
pub(crate) fn format_value(value: f64) -> String {
    let cents = (value * 100.0).round() as i64;
    let (whole, frac) = (cents / 100, cents % 100);
    let digits = whole.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    if frac == 0 {
        grouped
    } else {
        format!("{grouped}.{frac:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn amounts(text: &str) -> Vec<(String, f64, &'static str)> {
        find_amounts(text)
            .into_iter()
            .map(|a| (a.span.of(text).to_string(), a.value, a.currency))
            .collect()
    }

    #[test]
    fn symbols_and_codes_before_the_figures_give_the_currency() {
        assert_eq!(
            amounts("a fee of $1,000,000 payable"),
            [("$1,000,000".into(), 1e6, "USD")]
        );
        assert_eq!(
            amounts("up to US$ 5 million"),
            [("US$ 5 million".into(), 5e6, "USD")]
        );
        assert_eq!(
            amounts("USD 250,000.00 in total"),
            [("USD 250,000.00".into(), 250_000.0, "USD")]
        );
        assert_eq!(
            amounts("€10.000,00 per year"),
            [("€10.000,00".into(), 10_000.0, "EUR")]
        );
        assert_eq!(
            amounts("capped at £2.5m."),
            [("£2.5m".into(), 2_500_000.0, "GBP")]
        );
        assert_eq!(
            amounts("RMB50,000 per breach"),
            [("RMB50,000".into(), 50_000.0, "CNY")]
        );
    }

    #[test]
    fn amounts_in_words_and_their_restatement_in_figures_are_one_amount() {
        let text = "an amount equal to Five Hundred Thousand Dollars ($500,000) in cash";
        assert_eq!(
            amounts(text),
            [(
                "Five Hundred Thousand Dollars ($500,000)".into(),
                500_000.0,
                "USD"
            )]
        );
        assert_eq!(
            amounts("pay ten thousand dollars"),
            [("ten thousand dollars".into(), 10_000.0, "USD")]
        );
        let text = "a fee of $25,000 (twenty-five thousand dollars).";
        assert_eq!(
            amounts(text),
            [(
                "$25,000 (twenty-five thousand dollars)".into(),
                25_000.0,
                "USD"
            )]
        );
    }

    #[test]
    fn codes_after_the_figures_are_read_too() {
        assert_eq!(
            amounts("10.000,00 EUR net"),
            [("10.000,00 EUR".into(), 10_000.0, "EUR")]
        );
        assert_eq!(
            amounts("of 100 Canadian dollars"),
            [("100 Canadian dollars".into(), 100.0, "CAD")]
        );
    }

    #[test]
    fn redacted_amounts_and_plain_numbers_are_not_money() {
        assert!(find_amounts("a fee of $[***] and 30 days and 1,000 units").is_empty());
    }

    #[test]
    fn values_display_with_grouped_thousands() {
        assert_eq!(format_value(1_250_000.0), "1,250,000");
        assert_eq!(format_value(99.5), "99.50");
    }
}
