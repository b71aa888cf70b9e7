//! Renewal (automatic or by agreement, the renewal term, the notice that prevents it) and
//! termination rights (for convenience with their notice, for breach with their cure period).
//!
//! Renewal is automatic when the clause says "automatically", "year to year" or "shall renew
//! ... unless"; it is by agreement when the parties "may" renew, "mutually agree" or hold an
//! "option". The notice period is the duration the clause requires before the end of the term
//! ("at least sixty (60) days prior to the end of the then-current term").

use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

use super::durations::{Duration, Unit};
use super::{Context, Field, Value, window_after, window_before};
use crate::span::Span;

/// How a contract renews.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Renewal {
    /// Renews without anyone acting (unless notice is given).
    pub automatic: bool,
    /// The length of each renewal term.
    pub term: Option<Duration>,
    /// The notice that prevents renewal.
    pub notice: Option<Duration>,
    /// Other sentences that speak as clearly of renewing the contract (further renewal terms,
    /// options to extend).
    pub also: Vec<Span>,
}

/// The least score of a sentence read as the renewal clause, and of one reported beside it.
const RENEWAL_MIN_SCORE: u32 = 3;
const RENEWAL_ALSO_SCORE: u32 = 6;

/// A termination right.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Termination {
    /// Who may terminate: "either party", or the party's name as the clause writes it.
    pub by: Option<String>,
    /// The notice the terminating party must give.
    pub notice: Option<Duration>,
    /// The time the party in breach has to cure before termination takes effect.
    pub cure: Option<Duration>,
}

static RENEWAL_CUE: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(
        r"(?ix)\b(?:renew(?:s|ed|al|als|able|ing)?|automatic(?:ally)?\s+(?:be\s+)?(?:extend|continu|
        renew)\w*|extend(?:ed)?\s+(?:automatically|for\s+(?:an?\s+)?(?:additional|successive|
        further))|successive|year[\s-]to[\s-]year|month[\s-]to[\s-]month|evergreen)\b",
    )
    .expect("renewal cue pattern")
});

static NOT_CONTRACT_RENEWAL: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(
        r"(?ix)\b(?:insurance|polic(?:y|ies)|patents?|registrations?|permits?|domain\s+names?|
        licen[cs]es?\s+(?:from|issued)|certificat\w+|letters?\s+of\s+credit)\b",
    )
    .expect("not contract renewal pattern")
});

static AUTOMATIC: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(
        r"(?ix)\bautomatic(?:ally)?\b|year[\s-]to[\s-]year|month[\s-]to[\s-]month|evergreen",
    )
    .expect("automatic renewal pattern")
});

/// "shall renew", "will be extended", "shall continue": renewal in the indicative, automatic
/// when the clause also says "unless" (notice is given) or "thereafter".
static RENEWS: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(r"(?ix)\b(?:shall|will)\s+(?:be\s+)?(?:renew|extend|continu)\w*")
        .expect("renews pattern")
});

static UNLESS: LazyLock<Regex> =
    LazyLock::new(|| super::regex(r"(?i)\b(?:unless|thereafter)\b").expect("unless pattern"));

/// Whether a renewal sentence renews without anyone acting.
fn automatic(body: &str) -> bool {
    AUTOMATIC.is_match(body) || RENEWS.is_match(body) && UNLESS.is_match(body)
}

static OPTIONAL: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(
        r"(?ix)\bmutual(?:ly)?\b|\bby\s+(?:written\s+)?agreement\b|\bif\s+(?:mutually\s+)?agreed\b|
        \bmay\s+(?:be\s+)?(?:renew|extend)\w*|\boption\s+to\s+(?:renew|extend)|\bupon\s+(?:the\s+)?
        (?:written\s+)?agreement|\bagree\s+(?:in\s+writing\s+)?to\s+(?:renew|extend)|\bat\s+the\s+
        (?:sole\s+)?(?:option|election|discretion)\b",
    )
    .expect("optional renewal pattern")
});

/// Just before a renewal term: "successive", "additional", "renewal term of".
static RENEWAL_TERM_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(
        r"(?ix)\b(?:successive|additional|renewal|further|extension|renew\w*|extend\w*|consecutive)
        \s*(?:terms?\s+of\s+|periods?\s+of\s+|increments?\s+of\s+)?$",
    )
    .expect("renewal term pattern")
});

/// After a notice period: "prior to the end", "before expiration", "written notice".
static NOTICE_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(
        r"(?ix)^[\s'’]*(?:\w+\s+){0,4}?(?:prior|before|in\s+advance|notice|advance|written|
        preceding)\b",
    )
    .expect("notice after pattern")
});

static NOTICE_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(
        r"(?ix)\b(?:at\s+least|not\s+less\s+than|no\s+less\s+than|no\s+later\s+than|
        not\s+later\s+than|
        minimum\s+of|upon|giving|with|provides?|by\s+providing|least)\s*(?:a\s+)?$",
    )
    .expect("notice before pattern")
});

static NON_RENEWAL: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(
        r"(?ix)\b(?:non-?\s?renewal|not\s+to\s+renew|not\s+be\s+renewed|intention\s+not\s+to\s+
        (?:renew|extend)|intent\s+not\s+to\s+(?:renew|extend)|elect(?:s|ion)?\s+not\s+to\s+
        (?:renew|extend)|desire\s+not\s+to\s+(?:renew|extend))\b",
    )
    .expect("non-renewal pattern")
});

/// The renewal fields of the contract.
pub(crate) fn find(cx: &Context) -> Vec<Field> {
    let mut fields = Vec::new();
    if let Some((renewal, sentence, notice_sentence)) = renewal(cx) {
        if let (Some(notice), Some(span)) = (&renewal.notice, notice_sentence) {
            fields.push(Field {
                name: "renewal_notice_period",
                value: Value::Duration(notice.clone()),
                display: format!("{} before the term ends", notice.display()),
                span,
                confidence: 0.7,
            });
        }
        let kind = if renewal.automatic {
            "Automatic"
        } else {
            "By agreement or option"
        };
        let display = match &renewal.term {
            Some(term) => format!("{kind}, {} each", term.display()),
            None => kind.to_string(),
        };
        fields.push(Field {
            name: "renewal",
            value: Value::Renewal(renewal),
            display,
            span: sentence,
            confidence: 0.7,
        });
    }
    fields.extend(termination_for_convenience(cx));
    fields.extend(termination_for_cause(cx));
    fields
}

/// The renewal clause: the best sentence about renewing the contract, what it says, and the
/// sentence that states the notice period (the same one, the next, or a non-renewal notice
/// elsewhere).
fn renewal(cx: &Context) -> Option<(Renewal, Span, Option<Span>)> {
    let mut scored: Vec<(u32, Span)> = Vec::new();
    for cue in RENEWAL_CUE.find_iter(cx.text) {
        let sentence = cx.sentences.around(cue.start());
        if scored.last().is_some_and(|(_, s)| *s == sentence) || sentence.len() > 1_500 {
            continue;
        }
        let score = renewal_score(cx, sentence);
        if score >= RENEWAL_MIN_SCORE {
            scored.push((score, sentence));
        }
    }
    let best = scored.iter().rev().max_by_key(|(score, _)| *score)?.1;
    let sentence = best;
    let also = scored
        .iter()
        .filter(|(score, s)| *score >= RENEWAL_ALSO_SCORE && *s != best)
        .map(|(_, s)| *s)
        .collect();

    let body = sentence.of(cx.text);
    let explicit = body.to_lowercase().contains("automatic");
    let automatic = explicit || automatic(body) && !OPTIONAL.is_match(body);
    let term = renewal_term(cx, sentence);
    let (notice, notice_sentence) = match notice_in(cx, sentence) {
        Some(notice) => (Some(notice), Some(sentence)),
        None => notice_elsewhere(cx, sentence).unzip(),
    };
    Some((
        Renewal {
            automatic,
            term,
            notice,
            also,
        },
        sentence,
        notice_sentence,
    ))
}

fn renewal_score(cx: &Context, sentence: Span) -> u32 {
    let body = sentence.of(cx.text);
    let lower = body.to_lowercase();
    let about_contract = [
        "agreement",
        "term",
        "contract",
        "license",
        "licence",
        "lease",
    ]
    .iter()
    .any(|w| lower.contains(w));
    if !about_contract || NOT_CONTRACT_RENEWAL.is_match(body) && !lower.contains("this agreement") {
        return 0;
    }
    let mut score = 1;
    if lower.contains("automatic") {
        score += 3;
    }
    if automatic(body) {
        score += 1;
    }
    if renewal_term(cx, sentence).is_some() {
        score += 2;
    }
    if lower.contains("renew") || lower.contains("extend") {
        score += 1;
    }
    if lower.contains("notice") {
        score += 1;
    }
    score
}

fn renewal_term(cx: &Context, sentence: Span) -> Option<Duration> {
    let body = sentence.of(cx.text);
    let found = cx.durations_in(sentence).iter().find(|d| {
        let before = window_before(cx.text, d.span.start, 30);
        let calendar = !matches!(d.unit, Unit::Hour | Unit::BusinessDay | Unit::Day);
        (d.count.is_some() || RENEWAL_TERM_BEFORE.is_match(before)) && calendar
    });
    if let Some(found) = found {
        return Some(found.clone());
    }
    let lower = body.to_lowercase();
    let basis = |unit: Unit, days: u32, words: &[&str]| {
        let at = words
            .iter()
            .find_map(|w| lower.find(w).map(|i| (i, w.len())))?;
        let span = Span::new(sentence.start + at.0, sentence.start + at.0 + at.1);
        Some(Duration {
            span,
            amount: 1,
            unit,
            days: Some(days),
            count: None,
        })
    };
    basis(
        Unit::Year,
        365,
        &["year to year", "year-to-year", "annual basis", "annually"],
    )
    .or_else(|| basis(Unit::Month, 30, &["month to month", "month-to-month"]))
}

/// A notice period in `sentence`: a duration followed by "prior to" / "notice" or preceded by
/// "at least".
fn notice_in(cx: &Context, sentence: Span) -> Option<Duration> {
    cx.durations_in(sentence)
        .iter()
        .find(|d| {
            let before = window_before(cx.text, d.span.start, 25);
            let after = window_after(cx.text, d.span.end, 50);
            NOTICE_AFTER.is_match(after) || NOTICE_BEFORE.is_match(before) && d.count.is_none()
        })
        .filter(|d| !matches!(d.unit, Unit::Year) || d.amount <= 1)
        .cloned()
}

/// The notice period when the renewal sentence has none: the next sentence if it speaks of
/// notice, else the first non-renewal notice in the contract.
fn notice_elsewhere(cx: &Context, renewal: Span) -> Option<(Duration, Span)> {
    if let Some(next) = cx.sentences.after(renewal)
        && next.of(cx.text).to_lowercase().contains("notice")
        && let Some(notice) = notice_in(cx, next)
    {
        return Some((notice, next));
    }
    for found in NON_RENEWAL.find_iter(cx.text) {
        let sentence = cx.sentences.around(found.start());
        if let Some(notice) = notice_in(cx, sentence) {
            return Some((notice, sentence));
        }
    }
    None
}

static TERMINATE: LazyLock<Regex> =
    LazyLock::new(|| super::regex(r"(?i)\bterminat\w*").expect("terminate pattern"));

static CONVENIENCE: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(
        r"(?ix)\b(?:for\s+(?:its\s+)?convenience|without\s+cause|for\s+any\s+(?:or\s+no\s+)?reason|
        with\s+or\s+without\s+cause|at\s+any\s+time|in\s+its\s+(?:sole\s+)?discretion)\b",
    )
    .expect("termination for convenience pattern")
});

static BREACH: LazyLock<Regex> =
    LazyLock::new(|| super::regex(r"(?i)\b(?:breach\w*|default\w*)").expect("breach pattern"));

static CURE: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(r"(?i)\b(?:cure[sd]?|remed(?:y|ied|ies))\b").expect("cure pattern")
});

static WHO_TERMINATES: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(
        r"(?x)\b(?P<who>(?i:either|any|each)\s+(?i:party)|(?i:both)\s+(?i:parties)|
        [A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*){0,2})\s+(?:\w+\s+){0,3}?
        (?i:may|shall\s+have\s+the\s+right\s+to|
        has\s+the\s+right\s+to|is\s+entitled\s+to|reserves\s+the\s+right\s+to)\s+(?:\w+\s+){0,4}?
        (?i:terminat)",
    )
    .expect("who terminates pattern")
});

/// Termination for convenience: the first sentence giving a right to terminate without cause.
fn termination_for_convenience(cx: &Context) -> Option<Field> {
    for sentence in cx.sentences_with(&TERMINATE) {
        let body = sentence.of(cx.text);
        if !CONVENIENCE.is_match(body) {
            continue;
        }
        let lower = body.to_lowercase();
        if lower.contains("breach") || lower.contains("for cause") && !lower.contains("without") {
            continue;
        }
        let Some(by) = who(body) else { continue };
        let notice = notice_in(cx, sentence);
        let display = match &notice {
            Some(n) => format!("{by}, on {} notice", n.display()),
            None => format!("{by}, no notice period stated"),
        };
        let value = Termination {
            by: Some(by),
            notice,
            cure: None,
        };
        return Some(Field {
            name: "termination_for_convenience",
            value: Value::Termination(value),
            display,
            span: sentence,
            confidence: 0.7,
        });
    }
    None
}

/// Termination for breach: the first sentence pairing a breach with a cure period.
fn termination_for_cause(cx: &Context) -> Option<Field> {
    for sentence in cx.sentences_with(&BREACH) {
        let body = sentence.of(cx.text);
        if !CURE.is_match(body) || !TERMINATE.is_match(body) {
            continue;
        }
        let cure = cx
            .durations_in(sentence)
            .iter()
            .find(|d| !matches!(d.unit, Unit::Year))
            .cloned();
        let Some(cure) = cure else { continue };
        let by = who(body);
        let display = format!(
            "{}, after a {} cure period",
            by.as_deref().unwrap_or("The non-breaching party"),
            cure.display()
        );
        let value = Termination {
            by,
            notice: None,
            cure: Some(cure),
        };
        return Some(Field {
            name: "termination_for_cause",
            value: Value::Termination(value),
            display,
            span: sentence,
            confidence: 0.7,
        });
    }
    None
}

/// Who a termination sentence lets terminate.
fn who(body: &str) -> Option<String> {
    let caps = WHO_TERMINATES.captures(body)?;
    let who = caps.name("who")?.as_str();
    let lower = who.to_lowercase();
    const NOT_WHO: &[&str] = &[
        "this",
        "the",
        "such",
        "it",
        "in",
        "notwithstanding",
        "upon",
        "if",
        "agreement",
        "section",
        "article",
        "either",
        "any",
        "each",
    ];
    let first = lower.split_whitespace().next().unwrap_or("");
    let generic = NOT_WHO.contains(&first) && !lower.ends_with("party");
    if generic || lower.ends_with("agreement") {
        return None;
    }
    Some(if lower.ends_with("party") || lower.ends_with("parties") {
        lower
    } else {
        who.to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::super::extract;
    use super::*;

    fn field<'a>(fields: &'a [Field], name: &str) -> Option<&'a Field> {
        fields.iter().find(|f| f.name == name)
    }

    // Clauses quoted from CUAD v1 (CC BY 4.0, The Atticus Project).

    #[test]
    fn automatic_renewal_gives_its_term_and_notice_period() {
        let text = "This Agreement shall continue in effect from the Effective Date for a one \
                    (1) year period, unless earlier terminated as set forth below, and thereafter \
                    shall renew automatically for successive one (1) year periods unless either \
                    party gives the other party at least thirty (30) days prior written notice of \
                    its intent not to renew the Agreement.";
        let found = extract(text);
        let Value::Renewal(renewal) = &field(&found.fields, "renewal").unwrap().value else {
            panic!("not a renewal")
        };
        assert!(renewal.automatic);
        assert_eq!(
            renewal.term.as_ref().map(Duration::display).as_deref(),
            Some("1 year")
        );
        assert_eq!(
            renewal.notice.as_ref().map(Duration::display).as_deref(),
            Some("30 days")
        );
        let notice = field(&found.fields, "renewal_notice_period").unwrap();
        assert_eq!(notice.span.of(text), text);
    }

    #[test]
    fn renewal_by_agreement_is_not_automatic() {
        let text = "At any time prior to the end of the Term, the Parties may agree in writing to \
                    extend the Agreement for successive One (1) Year periods (the \"Renewal \
                    Terms\") under the same conditions set forth herein.";
        let found = extract(text);
        let Value::Renewal(renewal) = &field(&found.fields, "renewal").unwrap().value else {
            panic!("not a renewal")
        };
        assert!(!renewal.automatic);
        assert_eq!(renewal.term.as_ref().map(|d| d.amount), Some(1));
    }

    #[test]
    fn a_notice_before_the_renewal_clause_is_its_notice_period() {
        let text = "Unless either party gives written notice of termination of this Agreement \
                    at least 60 days prior to the end of the Initial Term, or any successive \
                    three-year term, this Agreement shall automatically renew for successive \
                    additional three-year terms.";
        let found = extract(text);
        let notice = field(&found.fields, "renewal_notice_period").unwrap();
        assert_eq!(notice.display, "60 days before the term ends");
        let renewal = field(&found.fields, "renewal").unwrap();
        assert_eq!(renewal.display, "Automatic, 3 years each");
    }

    #[test]
    fn termination_rights_give_who_notice_and_cure() {
        let text = "Either party may terminate this Agreement for convenience upon ninety (90) \
                    days' prior written notice to the other party. Either party may terminate \
                    this Agreement if the other party materially breaches this Agreement and \
                    fails to cure such breach within thirty (30) days after written notice.";
        let found = extract(text);
        let convenience = field(&found.fields, "termination_for_convenience").unwrap();
        assert_eq!(convenience.display, "either party, on 90 days notice");
        let cause = field(&found.fields, "termination_for_cause").unwrap();
        assert_eq!(cause.display, "either party, after a 30 days cure period");
    }
}
