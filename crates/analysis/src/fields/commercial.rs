//! Money terms: when invoices are due, interest on late payment, the fees the contract names,
//! and the cap on liability with what it excludes.
//!
//! Fees are the amounts written in sentences about fees, prices and payment, excluding
//! insurance limits and the liability cap. The cap is an amount, a multiple or a formula
//! ("the fees paid in the twelve (12) months preceding the claim"); its exclusions are read
//! from the cap sentence and the two after it.

use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

use super::durations::{Duration, Unit};
use super::money::Amount;
use super::numbers::parse_words;
use super::{Context, Field, Value, window_after, window_before};
use crate::span::Span;

/// When payment is due.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Payment {
    pub due: Duration,
    /// What the period runs from: "receipt of invoice", "invoice date", "invoice".
    pub after: &'static str,
}

/// Interest or charges on late payment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LateInterest {
    pub rate_percent: Option<f64>,
    /// "month" or "year", when the rate has a period.
    pub per: Option<&'static str>,
    /// A reference rate: "prime rate", "LIBOR", "maximum lawful rate".
    pub reference: Option<&'static str>,
}

/// The cap on liability.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LiabilityCap {
    /// A fixed amount, when stated.
    pub amount: Option<Amount>,
    /// "two times (2x) the fees" is 2.
    pub multiple: Option<f64>,
    /// The amounts the cap is measured by: "fees paid or payable", "amounts paid", ...
    pub basis: Option<String>,
    /// The period those amounts are counted over ("the twelve (12) months preceding").
    pub lookback: Option<Duration>,
    /// Liabilities the cap does not limit.
    pub exclusions: Vec<&'static str>,
}

/// The money fields of the contract.
pub(crate) fn find(cx: &Context) -> Vec<Field> {
    let cap = liability_cap(cx);
    let mut fields = Vec::new();
    fields.extend(payment_terms(cx));
    fields.extend(late_interest(cx));
    fields.extend(fees(cx, cap.as_ref().map(|c| c.span)));
    fields.extend(cap);
    fields
}

static DUE_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(r"(?i)\b(?:within|net|no\s+later\s+than|not\s+later\s+than)\s*$")
        .expect("payment due pattern")
});

static FROM_INVOICE: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(
        r"(?ix)^\s*(?:\w+\s+)?(?:after|of|from|following|upon)\s+(?:the\s+)?
        (?:Customer's\s+|its\s+)?
        (?P<what>date\s+of\s+(?:the\s+|such\s+|an?\s+|each\s+)?(?:invoice|statement)|invoice\s+date|
        receipt\s+(?:by\s+\w+\s+)?of\s+(?:the\s+|such\s+|an?\s+|each\s+|any\s+)?
        (?:invoice|statement|
        bill)|(?:such\s+|the\s+|an?\s+|each\s+)?invoice|invoicing|billing)",
    )
    .expect("from invoice pattern")
});

static NET_TERMS: LazyLock<Regex> =
    LazyLock::new(|| super::regex(r"\b[Nn]et\s*(\d{1,3})\b").expect("net terms pattern"));

/// Payment terms: a period after an invoice ("within thirty (30) days of receipt of invoice"),
/// or "net 30".
fn payment_terms(cx: &Context) -> Option<Field> {
    let due = cx.durations.iter().find_map(|d| {
        if !DUE_BEFORE.is_match(window_before(cx.text, d.span.start, 25)) {
            return None;
        }
        let caps = FROM_INVOICE.captures(window_after(cx.text, d.span.end, 80))?;
        let what = caps.name("what")?.as_str().to_lowercase();
        let after = if what.contains("receipt") {
            "receipt of invoice"
        } else if what.contains("date") {
            "invoice date"
        } else {
            "invoice"
        };
        Some((d.clone(), after))
    });
    let due = due.or_else(|| {
        let net = NET_TERMS.captures(cx.text)?;
        let days: u32 = net.get(1)?.as_str().parse().ok()?;
        let m = net.get(0)?;
        let span = Span::new(m.start(), m.end());
        let due = Duration {
            span,
            amount: days,
            unit: Unit::Day,
            days: Some(days),
            count: None,
        };
        Some((due, "invoice"))
    })?;

    let (due, after) = due;
    let span = cx.sentences.around(due.span.start);
    Some(Field {
        name: "payment_terms",
        display: format!("Due {} after {after}", due.display()),
        value: Value::Payment(Payment { due, after }),
        span,
        confidence: 0.8,
    })
}

static INTEREST: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(r"(?ix)\b(?:interest|late\s+(?:payment\s+)?(?:charge|fee)s?|finance\s+charges?)\b")
        .expect("interest pattern")
});

static OVERDUE: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(
        r"(?ix)\b(?:late|overdue|past\s+due|unpaid|delinquent|not\s+paid|when\s+due|outstanding)\b",
    )
    .expect("overdue pattern")
});

static RATE: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(
        r"(?ix)(?:(?P<num>\d{1,2}(?:\.\d{1,3})?)\s*%|
        (?P<words>[a-z]+(?:[\s-]+and[\s-]+(?:one|a)[\s-]+half)?)\s+
        (?:\(\s*\d{1,2}(?:\.\d+)?\s*%?\s*\)\s+)?percent)\s*
        (?:\(\s*\d+(?:\.\d+)?\s*%\s*\)\s*)?
        (?P<per>per\s+(?:calendar\s+)?month|per\s+annum|per\s+year|a\s+month|each\s+month|monthly|
        annually|annual|a\s+year)?",
    )
    .expect("rate pattern")
});

/// Interest on late payment: the first sentence that charges it.
fn late_interest(cx: &Context) -> Option<Field> {
    let span = cx
        .sentences_with(&INTEREST)
        .find(|s| OVERDUE.is_match(s.of(cx.text)))?;
    let body = span.of(cx.text);
    let lower = body.to_lowercase();

    let rate = RATE.captures(body).and_then(|c| {
        let value = match (c.name("num"), c.name("words")) {
            (Some(n), _) => n.as_str().parse::<f64>().ok()?,
            (None, Some(w)) => word_rate(w.as_str())?,
            (None, None) => return None,
        };
        let per = c
            .name("per")
            .map(|p| p.as_str().to_lowercase())
            .map(|p| if p.contains("month") { "month" } else { "year" });
        Some((value, per))
    });
    let reference = if lower.contains("prime") {
        Some("prime rate")
    } else if lower.contains("libor") {
        Some("LIBOR")
    } else if lower.contains("maximum") && (lower.contains("law") || lower.contains("permit")) {
        Some("maximum lawful rate")
    } else {
        None
    };
    if rate.is_none() && reference.is_none() {
        return None;
    }

    let (rate_percent, per) = rate.unzip();
    let per = per.flatten();
    let display = match (rate_percent, per, reference) {
        (Some(r), Some(p), _) => format!("{r}% per {p}"),
        (Some(r), None, Some(reference)) => format!("{r}% over the {reference}"),
        (Some(r), None, None) => format!("{r}%"),
        (None, _, Some(reference)) => format!("At the {reference}"),
        (None, _, None) => "Interest on late payment".to_string(),
    };
    Some(Field {
        name: "late_payment_interest",
        value: Value::LateInterest(LateInterest {
            rate_percent,
            per,
            reference,
        }),
        display,
        span,
        confidence: 0.7,
    })
}

/// "one and one-half" is 1.5; other words are whole numbers.
fn word_rate(words: &str) -> Option<f64> {
    let lower = words.to_lowercase();
    let half = lower.contains("half");
    let whole = lower.split(" and").next().unwrap_or(&lower);
    let value = parse_words(whole)? as f64;
    Some(if half { value + 0.5 } else { value })
}

static FEE_CUE: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(
        r"(?ix)\b(?:fees?|prices?|pay|paid|payable|payments?|royalt\w+|compensation|salary|
        consideration|costs?|charges?|retainer|milestone|invoice\w*|purchase)\b",
    )
    .expect("fee cue pattern")
});

static NOT_FEE: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(r"(?i)\b(?:insurance|insured|coverage|per\s+occurrence|liabilit\w*|liable)\b")
        .expect("not a fee pattern")
});

/// How many fee amounts are reported at most: the first in the contract matter most.
const MAX_FEES: usize = 20;

/// Amounts in sentences about fees and payment.
fn fees(cx: &Context, cap: Option<Span>) -> Vec<Field> {
    let mut out = Vec::new();
    for amount in &cx.amounts {
        let span = cx.sentences.around(amount.span.start);
        let body = span.of(cx.text);
        if cap == Some(span) || !FEE_CUE.is_match(body) || NOT_FEE.is_match(body) {
            continue;
        }
        out.push(Field {
            name: "fee",
            value: Value::Amount(amount.clone()),
            display: amount.display(),
            span,
            confidence: 0.6,
        });
        if out.len() == MAX_FEES {
            break;
        }
    }
    out
}

static LIABILITY: LazyLock<Regex> =
    LazyLock::new(|| super::regex(r"(?i)\b(?:liabilit\w*|liable)\b").expect("liability pattern"));

static LIMITED: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(
        r"(?ix)\b(?:exceed\w*|limited\s+to|in\s+excess\s+of|greater\s+than|more\s+than|
        cap(?:ped)?|maximum|limit(?:ed)?\s+to|shall\s+be\s+(?:limited|capped))\b",
    )
    .expect("limited pattern")
});

static BASIS: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(
        r"(?ix)\b(?P<basis>(?:total\s+|aggregate\s+)?(?:fees|amounts?|sums?|charges|payments|
        compensation|consideration|royalties|purchase\s+price|price)\s+(?:\w+\s+){0,4}?
        (?:actually\s+)?(?:paid|payable|received|due)(?:\s+(?:or|and/or|and)\s+(?:payable|
        due|owed|owing|paid))?)",
    )
    .expect("cap basis pattern")
});

static MULTIPLE: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(
        r"(?ix)\b(?P<words>one|two|three|four|five|ten)\s+(?:\(\s*\d+\s*x?\s*\)\s+)?times\b|
        \b(?P<num>\d{1,2}(?:\.\d+)?)\s*(?:x|times)\b|\b(?P<pct>\d{2,3})\s*%\s+of\s+the\b",
    )
    .expect("cap multiple pattern")
});

static LOOKBACK_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(
        r"(?i)^\s*(?:period\s+)?(?:\w+\s+){0,1}(?:immediately\s+)?(?:preceding|prior|before)",
    )
    .expect("lookback pattern")
});

/// Liabilities a cap commonly leaves out, and the words that name them.
const EXCLUSIONS: &[(&str, &[&str])] = &[
    ("indemnification obligations", &["indemnif"]),
    ("breach of confidentiality", &["confidential"]),
    (
        "gross negligence",
        &["gross negligence", "grossly negligent"],
    ),
    (
        "wilful misconduct",
        &[
            "willful misconduct",
            "wilful misconduct",
            "intentional misconduct",
        ],
    ),
    ("fraud", &["fraud"]),
    (
        "death or personal injury",
        &["death", "bodily injury", "personal injury"],
    ),
    (
        "intellectual property infringement",
        &["infring", "misappropriat"],
    ),
    (
        "payment obligations",
        &["payment obligations", "amounts due", "fees owed"],
    ),
    (
        "data protection breach",
        &["data protection", "personal data", "security breach"],
    ),
];

static EXCLUSION_CUE: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(
        r"(?ix)\b(?:shall\s+not\s+apply|does\s+not\s+apply|will\s+not\s+apply|except|exclud\w+|
        other\s+than|excepting|notwithstanding|not\s+limit)\b",
    )
    .expect("exclusion cue pattern")
});

/// The liability cap: the first sentence that limits liability to an amount, a multiple or
/// a formula, else the first that limits it at all.
fn liability_cap(cx: &Context) -> Option<Field> {
    let mut first: Option<(Span, LiabilityCap)> = None;
    for span in cx.sentences_with(&LIABILITY) {
        let body = span.of(cx.text);
        if body.len() > 2_500
            || !LIMITED.is_match(body)
            || body.to_lowercase().contains("insurance")
        {
            continue;
        }
        let cap = read_cap(cx, span);
        let measured = cap.amount.is_some() || cap.basis.is_some() || cap.multiple.is_some();
        if measured {
            return Some(cap_field(span, cap));
        }
        if first.is_none() {
            first = Some((span, cap));
        }
    }
    first.map(|(span, cap)| cap_field(span, cap))
}

fn read_cap(cx: &Context, span: Span) -> LiabilityCap {
    let body = span.of(cx.text);
    let amount = cx.amounts_in(span).first().cloned();
    let basis = BASIS.captures(body).and_then(|c| c.name("basis")).map(|b| {
        b.as_str()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    });
    let multiple = MULTIPLE.captures(body).and_then(|c| {
        if let Some(w) = c.name("words") {
            return parse_words(w.as_str()).map(|v| v as f64);
        }
        if let Some(p) = c.name("pct") {
            return p.as_str().parse::<f64>().ok().map(|v| v / 100.0);
        }
        c.name("num")?.as_str().parse().ok()
    });
    let lookback = cx
        .durations_in(span)
        .iter()
        .find(|d| LOOKBACK_AFTER.is_match(window_after(cx.text, d.span.end, 40)))
        .cloned();
    LiabilityCap {
        amount,
        multiple,
        basis,
        lookback,
        exclusions: exclusions(cx, span),
    }
}

/// Exclusions named in the cap sentence or in the two sentences after it.
fn exclusions(cx: &Context, cap: Span) -> Vec<&'static str> {
    let mut sentences = vec![cap];
    let mut last = cap;
    for _ in 0..2 {
        let Some(next) = cx.sentences.after(last) else {
            break;
        };
        sentences.push(next);
        last = next;
    }
    let mut out = Vec::new();
    for sentence in sentences {
        let lower = sentence.of(cx.text).to_lowercase();
        if !EXCLUSION_CUE.is_match(&lower) {
            continue;
        }
        for (name, words) in EXCLUSIONS {
            if !out.contains(name) && words.iter().any(|w| lower.contains(w)) {
                out.push(*name);
            }
        }
    }
    out
}

fn cap_field(span: Span, cap: LiabilityCap) -> Field {
    let measure = match (&cap.amount, cap.multiple, &cap.basis, &cap.lookback) {
        (Some(amount), _, None, _) => amount.display(),
        (Some(amount), _, Some(basis), _) => format!("{} or {basis}", amount.display()),
        (None, Some(m), Some(basis), Some(period)) => {
            format!("{m} × {basis} in the preceding {}", period.display())
        }
        (None, Some(m), Some(basis), None) => format!("{m} × {basis}"),
        (None, None, Some(basis), Some(period)) => {
            format!("The {basis} in the preceding {}", period.display())
        }
        (None, None, Some(basis), None) => format!("The {basis}"),
        _ => "Limited (see the clause)".to_string(),
    };
    let display = if cap.exclusions.is_empty() {
        measure
    } else {
        format!("{measure}; excludes {}", cap.exclusions.join(", "))
    };
    let confidence = if cap.amount.is_some() || cap.basis.is_some() {
        0.75
    } else {
        0.5
    };
    Field {
        name: "liability_cap",
        value: Value::LiabilityCap(cap),
        display,
        span,
        confidence,
    }
}

#[cfg(test)]
mod tests {
    use super::super::extract;
    use super::*;

    fn field(text: &str, name: &str) -> Option<Field> {
        extract(text).fields.into_iter().find(|f| f.name == name)
    }

    #[test]
    fn payment_terms_run_from_the_invoice() {
        let text = "Customer shall pay each invoice within thirty (30) days after receipt of the \
                    invoice.";
        assert_eq!(
            field(text, "payment_terms").unwrap().display,
            "Due 30 days after receipt of invoice"
        );
        let text = "All invoices are payable net 45.";
        assert_eq!(
            field(text, "payment_terms").unwrap().display,
            "Due 45 days after invoice"
        );
    }

    #[test]
    fn late_payment_interest_gives_its_rate_and_period() {
        let text = "Any amount not paid when due shall bear interest at the rate of one and \
                    one-half percent (1.5%) per month or the maximum rate permitted by law, \
                    whichever is less.";
        let found = field(text, "late_payment_interest").unwrap();
        let Value::LateInterest(interest) = found.value else {
            panic!("not interest")
        };
        assert_eq!(
            (interest.rate_percent, interest.per),
            (Some(1.5), Some("month"))
        );
    }

    #[test]
    fn fees_are_amounts_in_payment_sentences() {
        let text = "Licensee shall pay Licensor a license fee of Five Hundred Thousand Dollars \
                    ($500,000). Licensee shall maintain insurance of $2,000,000 per occurrence.";
        let fees: Vec<String> = extract(text)
            .fields
            .into_iter()
            .filter(|f| f.name == "fee")
            .map(|f| f.display)
            .collect();
        assert_eq!(fees, ["USD 500,000"]);
    }

    // Liability clauses in the forms CUAD v1 contracts use (CC BY 4.0, The Atticus Project).

    #[test]
    fn a_cap_measured_by_fees_paid_gives_its_lookback() {
        let text = "IN NO EVENT SHALL EITHER PARTY'S AGGREGATE LIABILITY ARISING OUT OF THIS \
                    AGREEMENT EXCEED THE TOTAL FEES PAID BY CUSTOMER IN THE TWELVE (12) MONTHS \
                    PRECEDING THE EVENT GIVING RISE TO THE CLAIM. The foregoing limitation shall \
                    not apply to a party's indemnification obligations or to damages arising \
                    from its gross negligence or willful misconduct.";
        let found = field(text, "liability_cap").unwrap();
        let Value::LiabilityCap(cap) = &found.value else {
            panic!("not a cap")
        };
        assert_eq!(cap.basis.as_deref(), Some("total fees paid"));
        assert_eq!(
            cap.lookback.as_ref().map(Duration::display).as_deref(),
            Some("12 months")
        );
        assert_eq!(
            cap.exclusions,
            [
                "indemnification obligations",
                "gross negligence",
                "wilful misconduct"
            ]
        );
    }

    #[test]
    fn a_cap_stated_as_an_amount_gives_the_amount() {
        let text = "Company's total liability under this Agreement shall not exceed One Million \
                    Dollars ($1,000,000).";
        let found = field(text, "liability_cap").unwrap();
        assert_eq!(found.display, "USD 1,000,000");
    }
}
