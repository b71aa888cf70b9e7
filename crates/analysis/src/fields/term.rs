//! The agreement, effective and expiration dates, and the initial term.
//!
//! - Agreement date: the date of the preamble ("dated as of", "made this 1st day of", "entered
//!   into on"), or a date standing alone on the cover; not the date of an agreement it refers
//!   to ("that certain Agreement dated ...").
//! - Effective date: a date defined as the "Effective Date", an "Effective Date:" cover field,
//!   or "effective as of" / "shall commence on" a date; else an event ("upon signature").
//! - Expiration date: the end date the term clause states, "perpetual" when the contract runs
//!   until terminated, else the start date plus the initial term (the anniversary date), else
//!   an event the clause names ("the expiry of the last patent").
//! - Initial term: the first duration of the term clause that is not a notice period.
//!
//! The term clause is the sentence that best reads as one: the agreement or its term is the
//! subject, it says how long the contract runs, and it does not bound another obligation
//! ("During the term of this Agreement and for one year thereafter, ..."). The agreement date
//! never stands in for an effective date the contract does not state.

use std::sync::LazyLock;

use chrono::{Days, Months, NaiveDate};
use regex::Regex;

use super::durations::{Duration, Unit};
use super::renewal;
use super::{
    Context, DateMention, DateValue, Field, KeyDate, KeyDates, PartySource, Value, window_after,
    window_before,
};
use crate::span::Span;

pub(crate) struct TermFindings {
    pub dates: KeyDates,
    pub fields: Vec<Field>,
}

pub(crate) fn find(cx: &Context) -> TermFindings {
    let agreement = agreement_date(cx);
    let effective = effective_date(cx, agreement.as_ref());
    let term = term_clause(cx);
    let expiration = term
        .as_ref()
        .and_then(|t| expiration_date(cx, t, effective.as_ref()));

    let mut fields = Vec::new();
    if let Some(term) = &term
        && let Some(duration) = &term.duration
    {
        fields.push(Field {
            name: "initial_term",
            value: Value::Duration(duration.clone()),
            display: duration.display(),
            span: term.sentence,
            confidence: 0.8,
        });
    }
    fields.extend(renewal::find(cx));
    TermFindings {
        dates: KeyDates {
            agreement,
            effective,
            expiration,
        },
        fields,
    }
}

/// Words just before a date that make it the date of this agreement.
static AGREEMENT_CUE: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(
        r"(?ix)\b(?:dated|as\s+of|made|entered\s+into|executed|effective|signed|date|agreed)\b
        [^.;()]{0,30}$",
    )
    .expect("agreement date cue pattern")
});

/// Words before a date that make it the date of another document or event.
static OTHER_DOCUMENT: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(
        r"(?ix)\b(?:certain|original|originally|prior|previous|existing|amended|filed|source|
        restated|expir\w*|terminat\w*|until|through|ending|commenc\w*|began|begin\w*)\b
        [^.;]{0,60}$",
    )
    .expect("other document pattern")
});

/// How far into a contract without a preamble its date is looked for.
const COVER_BYTES: usize = 3_000;

/// How far past the first party's name the date of the contract is looked for.
const DATE_AFTER_PARTY_BYTES: usize = 1_500;

/// The date of the contract: the best-placed date near the top. A date scores for being
/// complete (1), in the preamble sentence (3), after "dated" / "as of" / "made" (2) or alone on
/// its line as on a cover (1.5), and loses 3 after words that make it another document's or
/// event's date ("that certain Agreement dated", "until"); earlier dates win ties. Below 2
/// nothing is reported.
fn agreement_date(cx: &Context) -> Option<KeyDate> {
    let preamble = cx
        .parties
        .iter()
        .find(|p| p.source == PartySource::Preamble);
    let preamble_sentence = preamble.map(|p| cx.sentences.around(p.span.start));
    let limit = preamble.map_or(COVER_BYTES, |p| {
        (p.span.end + DATE_AFTER_PARTY_BYTES).max(COVER_BYTES)
    });

    let mut best: Option<(f32, &DateMention)> = None;
    for mention in cx.dates.iter().take_while(|d| d.span.start < limit) {
        if mention.year.is_none() {
            continue;
        }
        let before = window_before(cx.text, mention.span.start, 80);
        let sentence = cx.sentences.around(mention.span.start);
        let mut score = if mention.date.is_some() { 1.0 } else { 0.5 };
        if preamble_sentence == Some(sentence) {
            score += 3.0;
        }
        if AGREEMENT_CUE.is_match(before) {
            score += 2.0;
        }
        if alone_on_line(cx.text, mention.span) {
            score += 1.5;
        }
        if OTHER_DOCUMENT.is_match(before) {
            score -= 3.0;
        }
        score -= mention.span.start as f32 / 10_000.0;
        if score >= 2.0 && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, mention));
        }
    }

    let (score, mention) = best?;
    let confidence = if score >= 5.0 { 0.9 } else { 0.7 };
    Some(stated(cx, mention, confidence))
}

fn stated(cx: &Context, mention: &DateMention, confidence: f32) -> KeyDate {
    KeyDate {
        value: DateValue::stated(mention),
        display: mention.display(),
        span: mention.span,
        sentence: cx.sentences.around(mention.span.start),
        ambiguous: mention.ambiguous,
        confidence,
    }
}

/// Whether a date is the only thing on its line (a cover page or a signature date).
fn alone_on_line(text: &str, span: Span) -> bool {
    let line_start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[span.end..]
        .find('\n')
        .map_or(text.len(), |i| span.end + i);
    text[line_start..span.start].trim().is_empty()
        && text[span.end..line_end]
            .trim_matches(|c: char| c.is_whitespace() || c == '.')
            .is_empty()
}

static EFFECTIVE_DATE_TERM: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(r#"(?i)["“]\s*(?:agreement\s+)?effective\s*date\s*["”]"#)
        .expect("effective date term pattern")
});

static DEFINES: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(r"(?i)^\s*(?:shall\s+)?(?:means?|shall\s+be|is|refers\s+to)\b")
        .expect("definition pattern")
});

static EFFECTIVE_FIELD: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(r"(?i)\beffective\s+date\s*:\s*").expect("effective date field pattern")
});

/// "effective as of", "shall commence on", "come into force on": a start date follows.
static STARTS_ON: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(
        r"(?ix)\b(?:effective(?:\s+(?:as\s+of|on|from|date\s+of))?|
        (?:shall|will)\s+(?:become|be)\s+effective(?:\s+(?:as\s+of|on|from))?|
        dated\s+effective|come\s+into\s+(?:force|effect)(?:\s+(?:on|as\s+of|from))?|
        take\s+effect(?:\s+(?:on|as\s+of|from))?|commenc\w*\s+(?:on|as\s+of|upon|from)|
        begin\w*\s+(?:on|as\s+of)|effective\s+date\s+of\s+the\s+\w+\s+(?:will|shall)\s+be)
        \s*(?:the\s+|this\s+)?$",
    )
    .expect("starts on pattern")
});

/// "This Agreement shall become effective upon ...": an effective date set by an event. The
/// agreement opens the sentence, so "No amendment of this Agreement will be effective unless
/// ..." is not one.
static EFFECTIVE_EVENT: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(
        r"(?ix)^(?:[\d.()a-z]{1,8}\s+)?(?:\w+\s+){0,2}(?:this|the)\s+(?:\w+\s+){0,3}(?:agreement|
        contract|amendment)\s+(?:shall|will|is)\s+(?:\w+\s+)?(?:become\s+effective|be\s+effective|
        take\s+effect|come\s+into\s+(?:force|effect)|enter\s+into\s+(?:force|effect))
        (?:\s+(?:as\s+of|on|upon|when|from|immediately|simultaneously))",
    )
    .expect("effective event pattern")
});

static EFFECTIVE_WORD: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(r"(?i)\b(?:effective|take\s+effect|into\s+(?:force|effect))\b")
        .expect("effective word pattern")
});

/// How far into a text without a recognised preamble a start date still counts as the
/// preamble's, so that annotators mark the date rather than the sentence.
const PREAMBLE_BYTES: usize = 3_000;

/// How far past the first party's name the preamble still runs.
const PREAMBLE_AFTER_PARTY_BYTES: usize = 1_000;

/// Where the preamble ends: a little past the first party's name, or [`PREAMBLE_BYTES`].
fn preamble_end(cx: &Context) -> usize {
    cx.parties
        .iter()
        .find(|p| p.source == PartySource::Preamble)
        .map_or(PREAMBLE_BYTES, |p| p.span.end + PREAMBLE_AFTER_PARTY_BYTES)
}

static REFERS_TO_PREAMBLE: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(
        r"(?ix)\b(?:first\s+(?:written|set\s+forth|stated)\s+above|first\s+above\s+written|
        date\s+hereof|preamble|date\s+of\s+this\s+agreement)\b",
    )
    .expect("refers to preamble pattern")
});

/// The effective date: defined, a cover field, "effective as of" a date, or an event.
fn effective_date(cx: &Context, agreement: Option<&KeyDate>) -> Option<KeyDate> {
    defined_effective_date(cx, agreement)
        .or_else(|| effective_field(cx))
        .or_else(|| start_date(cx, agreement))
        .or_else(|| effective_event(cx))
}

fn defined_effective_date(cx: &Context, agreement: Option<&KeyDate>) -> Option<KeyDate> {
    let mut event: Option<KeyDate> = None;
    for term in EFFECTIVE_DATE_TERM.find_iter(cx.text) {
        let sentence = cx.sentences.around(term.start());
        // The sentence found around the term may start after it (a term that opens a
        // sentence the splitter starts at the next word); then nothing before it counts.
        let before = Span::new(
            term.start()
                .saturating_sub(40)
                .max(sentence.start)
                .min(term.start()),
            term.start(),
        );
        let dated = cx.dates_in(before).last().filter(|d| {
            let gap = &cx.text[d.span.end..term.start()];
            gap.len() <= 25 && !gap.contains(['.', ';'])
        });
        if let Some(mention) = dated {
            let mut date = stated(cx, mention, 0.9);
            if mention.span.start >= preamble_end(cx) {
                date.span = sentence;
            }
            return Some(date);
        }

        if DEFINES.is_match(window_after(cx.text, term.end(), 30)) {
            if let Some(agreement) = agreement
                && REFERS_TO_PREAMBLE.is_match(sentence.of(cx.text))
            {
                return Some(agreement.clone());
            }
            let defined_date = cx.dates_in(Span::new(term.end(), sentence.end)).first();
            let value = defined_date.map_or(DateValue::Event, DateValue::stated);
            let display = defined_date.map_or("set by an event".into(), DateMention::display);
            return Some(KeyDate {
                value,
                display,
                span: sentence,
                sentence,
                ambiguous: defined_date.is_some_and(|d| d.ambiguous),
                confidence: 0.8,
            });
        }
        if event.is_none() && term.start() < preamble_end(cx) {
            let span = sentence;
            event = Some(KeyDate {
                value: DateValue::Event,
                display: "set by an event".into(),
                span,
                sentence,
                ambiguous: false,
                confidence: 0.5,
            });
        }
    }
    event
}

fn effective_field(cx: &Context) -> Option<KeyDate> {
    for label in EFFECTIVE_FIELD.find_iter(cx.text) {
        let after = Span::new(label.end(), (label.end() + 40).min(cx.text.len()));
        let Some(mention) = cx.dates_in(after).first() else {
            continue;
        };
        if mention.span.start - label.end() > 5 {
            continue;
        }
        let mut date = stated(cx, mention, 0.9);
        date.span = Span::new(label.start(), mention.span.end);
        return Some(date);
    }
    None
}

/// A date the agreement starts on ("effective as of", "commence on"); within the preamble the
/// date itself is the span, later the sentence is.
fn start_date(cx: &Context, agreement: Option<&KeyDate>) -> Option<KeyDate> {
    for mention in &cx.dates {
        let before = window_before(cx.text, mention.span.start, 60);
        if !STARTS_ON.is_match(before) {
            continue;
        }
        let sentence = cx.sentences.around(mention.span.start);
        let lower = sentence.of(cx.text).to_lowercase();
        let about_agreement = [
            "agreement",
            "contract",
            "term",
            "amendment",
            "franchise",
            "lease",
        ]
        .iter()
        .any(|w| lower.contains(w));
        let short = lower.split_whitespace().count() < 15;
        if !(about_agreement || short) || lower.contains("terminat") && !lower.contains("term of") {
            continue;
        }
        let mut date = stated(cx, mention, 0.8);
        let same_as_agreement = agreement.is_some_and(|a| a.span == mention.span);
        if !same_as_agreement && mention.span.start >= preamble_end(cx) {
            date.span = sentence;
        }
        return Some(date);
    }
    None
}

fn effective_event(cx: &Context) -> Option<KeyDate> {
    let sentence = EFFECTIVE_WORD.find_iter(cx.text).find_map(|word| {
        let sentence = cx.sentences.around(word.start());
        EFFECTIVE_EVENT
            .is_match(sentence.of(cx.text))
            .then_some(sentence)
    })?;
    Some(KeyDate {
        value: DateValue::Event,
        display: "set by an event".into(),
        span: sentence,
        sentence,
        ambiguous: false,
        confidence: 0.6,
    })
}

/// The clause that states how long the contract runs.
pub(crate) struct TermClause {
    pub sentence: Span,
    pub duration: Option<Duration>,
    pub end: Option<DateMention>,
    pub start: Option<DateMention>,
    pub perpetual: bool,
}

static TERM_CUE: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(
        r#"(?ix)\b(?:(?:initial\s+|effective\s+)?term\s+of\s+(?:this|the)\s+(?:\w+\s+)?(?:agreement|
        contract|amendment|lease|license|licence)|initial\s+term|(?:original|initial)\s+period|
        ["“]?(?:initial\s+)?term["”]?\s+(?:shall\s+)?(?:mean|be)|the\s+effective\s+term|
        this\s+(?:\w+\s+)?(?:agreement|contract)\b[^.;]{0,60}?\b(?:shall|will|is\s+to)\s+
        (?:\w+\s+){0,2}(?:commence|continue|remain|be\s+in\s+(?:full\s+)?force|expire|
        terminate\s+on|end\s+on|be\s+effective|become\s+effective|have\s+(?:an?\s+)?(?:initial\s+)?
        term|endure|come\s+into\s+force|be\s+valid|take\s+effect)|the\s+term\s+(?:hereof|shall|
        will|is)|(?:shall|will)\s+(?:expire|terminate)\s+on|expiration\s+date\s*:|
        ["“]expiration\s+date["”]\s+(?:shall\s+)?means?|(?:is|be)\s+valid\s+for|
        ["“][\w\s]{0,30}(?:term|period)["”]\s+(?:shall\s+)?mean)"#,
    )
    .expect("term clause pattern")
});

/// Sentences that mention the term only to bound another obligation ("During the term of
/// this Agreement and for one year thereafter, ...").
static DURING_TERM: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(
        r"(?ix)^(?:[\d.()a-z]{1,8}\s+)?(?:\w+\s+){0,3}(?:during|throughout|within|in\s+the\s+event|
        upon|after|following|prior\s+to|at\s+the\s+end|notwithstanding|for\s+each)\b",
    )
    .expect("during the term pattern")
});

static OBLIGATION: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(
        r"(?ix)\b(?:shall\s+not|agrees?|records|audit|pay|purchase|forecast|indemnif\w*|
        confidential\w*|solicit\w*|warrant\w*)\b",
    )
    .expect("obligation pattern")
});

/// What makes a sentence state the term: its subject is the agreement or its term and it
/// says how long it runs.
static RUNS: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(
        r"(?ix)\b(?:commenc\w*|continu\w*|remain\w*|expir\w*|until|through|valid|period\s+of|
        in\s+(?:full\s+)?(?:force|effect)|end\w*|terminat\w*\s+on|anniversary)\b",
    )
    .expect("runs pattern")
});

static PERPETUAL: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(
        r"(?ix)\bperpetu|\bin\s+perpetuity|\bindefinite|\buntil\s+(?:it\s+is\s+)?terminated|
        \buntil\s+(?:its\s+)?termination|
        \buntil\s+(?:such\s+time\s+as\s+)?(?:either|one|a|the)\s+part(?:y|ies)\s+terminate",
    )
    .expect("perpetual pattern")
});

static END_CUE: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(
        r"(?ix)\b(?:until|through|thru|expir\w*(?:\s+on)?|end\w*(?:\s+on)?|terminat\w*\s+on|to|
        concluding|expiration\s+date\s*:)\s*(?:and\s+including\s+)?(?:the\s+)?
        (?:close\s+of\s+business\s+on\s+)?$",
    )
    .expect("end date cue pattern")
});

static NOT_TERM_DURATION: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(
        r"(?ix)\b(?:successive|additional|renewal|renew\w*|further|extend\w*|upon|giving|
        least|less\s+than|later\s+than|within|after|following|prior)\s*(?:period\s+of\s+)?$",
    )
    .expect("not a term duration pattern")
});

static NOTICE_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(
        r"(?ix)^[\s'’]*(?:\w+\s+){0,2}(?:prior|written|notice|advance|before|in\s+advance)",
    )
    .expect("notice after pattern")
});

/// The term clause: the sentence that best reads as one (its subject is the agreement or its
/// term, it says how long the contract runs, it does not bound another obligation).
fn term_clause(cx: &Context) -> Option<TermClause> {
    let mut seen = Span::new(0, 0);
    let mut best: Option<(i32, TermClause)> = None;
    for cue in TERM_CUE.find_iter(cx.text) {
        let sentence = cx.sentences.around(cue.start());
        if sentence == seen || sentence.len() > 2_000 {
            continue;
        }
        seen = sentence;
        let clause = read_term(cx, sentence);
        let score = term_score(cx, &clause, cue.start() - sentence.start);
        if score >= 4 && best.as_ref().is_none_or(|(s, _)| score > *s) {
            best = Some((score, clause));
        }
    }
    best.map(|(_, clause)| clause)
}

/// How surely a sentence is the term clause; `cue_at` is where its cue starts in it.
fn term_score(cx: &Context, clause: &TermClause, cue_at: usize) -> i32 {
    let body = clause.sentence.of(cx.text);
    let mut score = 0;
    if cue_at < 80 {
        score += 3;
    }
    if clause.duration.is_some() || clause.end.is_some() || clause.perpetual {
        score += 2;
    }
    if clause.end.is_some() {
        score += 1;
    }
    if RUNS.is_match(body) {
        score += 1;
    }
    if DURING_TERM.is_match(body) {
        score -= 4;
    }
    if OBLIGATION.is_match(body) {
        score -= 2;
    }
    score
}

fn read_term(cx: &Context, sentence: Span) -> TermClause {
    let duration = cx
        .durations_in(sentence)
        .iter()
        .find(|d| term_duration(cx.text, d))
        .cloned();
    let dates = cx.dates_in(sentence);
    let end = dates
        .iter()
        .find(|d| d.date.is_some() && END_CUE.is_match(window_before(cx.text, d.span.start, 40)))
        .cloned();
    let start = dates
        .iter()
        .find(|d| d.date.is_some() && STARTS_ON.is_match(window_before(cx.text, d.span.start, 60)))
        .cloned();
    let perpetual = PERPETUAL.is_match(sentence.of(cx.text));
    TermClause {
        sentence,
        duration,
        end,
        start,
        perpetual,
    }
}

/// Whether a duration in a term clause is its length, not a notice, renewal or cure period.
fn term_duration(text: &str, duration: &Duration) -> bool {
    let before = window_before(text, duration.span.start, 30);
    let after = window_after(text, duration.span.end, 40);
    let calendar = !matches!(duration.unit, Unit::Hour | Unit::BusinessDay);
    calendar
        && duration.count.is_none()
        && !NOT_TERM_DURATION.is_match(before)
        && !NOTICE_AFTER.is_match(after)
}

/// The end of the contract from its term clause.
fn expiration_date(
    cx: &Context,
    term: &TermClause,
    effective: Option<&KeyDate>,
) -> Option<KeyDate> {
    let key = |value: DateValue, display: String, span: Span, confidence: f32| KeyDate {
        value,
        display,
        span,
        sentence: term.sentence,
        ambiguous: false,
        confidence,
    };
    if let Some(end) = &term.end {
        let mut date = stated(cx, end, 0.8);
        date.sentence = term.sentence;
        return Some(date);
    }
    if let Some(duration) = &term.duration {
        let start = term
            .start
            .as_ref()
            .and_then(|d| d.date)
            .or_else(|| effective.and_then(|e| e.value.date()));
        if let Some(date) = start.and_then(|s| add(s, duration)) {
            let display = format!(
                "{} (derived: start + {})",
                date.format("%-d %B %Y"),
                duration.display()
            );
            return Some(key(
                DateValue::Derived { date },
                display,
                term.sentence,
                0.6,
            ));
        }
        let display = format!("{} after the start", duration.display());
        return Some(key(DateValue::Event, display, term.sentence, 0.5));
    }
    if term.perpetual {
        return Some(key(
            DateValue::Perpetual,
            "perpetual (until terminated)".into(),
            term.sentence,
            0.7,
        ));
    }
    let display = "At an event the term clause names".to_string();
    Some(key(DateValue::Event, display, term.sentence, 0.4))
}

/// `date` plus `duration`, on the calendar.
fn add(date: NaiveDate, duration: &Duration) -> Option<NaiveDate> {
    match duration.unit {
        Unit::Day => date.checked_add_days(Days::new(duration.amount.into())),
        Unit::Week => date.checked_add_days(Days::new(u64::from(duration.amount) * 7)),
        Unit::Month => date.checked_add_months(Months::new(duration.amount)),
        Unit::Quarter => date.checked_add_months(Months::new(duration.amount * 3)),
        Unit::Year => date.checked_add_months(Months::new(duration.amount * 12)),
        Unit::Hour | Unit::BusinessDay => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::extract;
    use super::*;

    fn key_dates(text: &str) -> KeyDates {
        extract(text).dates
    }

    fn date_of(key: &Option<KeyDate>) -> Option<String> {
        key.as_ref()
            .and_then(|k| k.value.date())
            .map(|d| d.to_string())
    }

    // Preambles and term clauses quoted from CUAD v1 (CC BY 4.0, The Atticus Project).

    #[test]
    fn the_preamble_date_defined_as_effective_is_both_dates() {
        let text = "This Master Development and Manufacturing Agreement (this \"Agreement\") is \
                    entered into as of February 13, 2018 (the \"Effective Date\") by and between \
                    Magenta Therapeutics, Inc., a Delaware corporation (\"Magenta\"), and Bachem \
                    Americas, Inc., a California corporation (\"Bachem\").";
        let dates = key_dates(text);
        assert_eq!(date_of(&dates.agreement), Some("2018-02-13".into()));
        assert_eq!(date_of(&dates.effective), Some("2018-02-13".into()));
        let agreement = dates.agreement.unwrap();
        assert_eq!(agreement.span.of(text), "February 13, 2018");
        assert_eq!(dates.effective.unwrap().span, agreement.span);
    }

    #[test]
    fn a_referenced_agreements_date_is_not_the_agreement_date() {
        let text = "AMENDMENT NO. 3\n\nDated as of February 19, 2007\n\nReference is hereby made \
                    to that certain Wireless Content License Agreement dated as of December 16, \
                    2004 (the \"Agreement\"), between Fox Mobile Entertainment, Inc. (\"Fox\") \
                    and Glu Mobile Inc. (\"Licensee\").";
        assert_eq!(
            date_of(&key_dates(text).agreement),
            Some("2007-02-19".into())
        );
    }

    #[test]
    fn an_expiration_date_is_stated_derived_or_perpetual() {
        let stated = "This Agreement shall commence on March 15, 2018 and will expire on March \
                      14, 2020 unless terminated earlier pursuant to Section 13 of the Agreement.";
        assert_eq!(
            date_of(&key_dates(stated).expiration),
            Some("2020-03-14".into())
        );

        let derived = "This Agreement is dated as of June 1, 2006 (the \"Effective Date\") by and \
                       between Alpha Inc. (\"Alpha\") and Beta LLC (\"Beta\").\n\nThe initial term \
                       of this Agreement will be for two (2) year(s) commencing on the Effective \
                       Date.";
        let dates = key_dates(derived);
        assert_eq!(date_of(&dates.expiration), Some("2008-06-01".into()));
        assert!(matches!(
            dates.expiration.unwrap().value,
            DateValue::Derived { .. }
        ));

        let perpetual = "The term of this Agreement shall commence as of the Effective Date and \
                         shall continue until terminated as hereinafter provided (the \"Term\").";
        assert_eq!(
            key_dates(perpetual).expiration.unwrap().value,
            DateValue::Perpetual
        );
    }

    #[test]
    fn the_initial_term_skips_notice_and_renewal_periods() {
        let text = "The term of this Agreement shall be for one (1) year commencing on the \
                    Effective Date and automatically renewing annually thereafter, unless either \
                    party provides a thirty-day notice of written termination.";
        let found = extract(text);
        let term = found
            .fields
            .iter()
            .find(|f| f.name == "initial_term")
            .unwrap();
        assert_eq!(term.display, "1 year");
    }

    #[test]
    fn an_effective_date_set_by_signature_is_an_event() {
        let text = "This Agreement shall become effective when one or more counterparts have \
                    been signed by each Party and delivered to the other Party.";
        assert_eq!(key_dates(text).effective.unwrap().value, DateValue::Event);
    }
}
