//! Key terms of a contract, each with the span it came from: parties, key dates, governing law
//! and venue, term and renewal, termination rights, payment, fees, the liability cap and the
//! restrictive covenants a reviewer looks for first.
//!
//! Every extractor is a pure function of the text. [`extract`] runs them all once, sharing the
//! sentence split and the date, amount and duration mentions; the finders are public on their
//! own ([`dates::find_dates`], [`money::find_amounts`], [`durations::find_durations`],
//! [`parties::find_parties`], [`law::find_governing_law`]). [`cuad_spans`] maps an extraction to
//! the spans CUAD annotators mark, for evaluation.
//!
//! Layout:
//! - `numbers`: digits and number words, shared by amounts and durations.
//! - `dates`, `money`, `durations`: mentions, each with its span.
//! - `names`, `parties`: company and person names; the parties of the preamble.
//! - `law`: governing law, venue and arbitration.
//! - `term`: agreement, effective and expiration dates; the initial term.
//! - `renewal`: renewal and its notice period; termination for convenience and for cause.
//! - `commercial`: payment terms, late interest, fees and the liability cap.
//! - `covenants`: non-compete, confidentiality and warranty periods.
//! - `cuad`: spans in the CUAD annotators' style.
//!
//! Limits: the extractors read English. Names are found by their capitals, so a party written
//! in lower case ("i-on interactive") is missed. Each clause-level field comes from the one
//! sentence that reads best as that clause; a contract that spreads a term over several
//! sentences gives the first. The agreement date is looked for on the first pages only, so a
//! date written only beside the signatures is not read.

mod commercial;
mod covenants;
mod cuad;
pub mod dates;
pub mod durations;
pub mod law;
pub mod money;
mod names;
mod numbers;
pub mod parties;
mod renewal;
mod term;

use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::Regex;
use serde::Serialize;

pub use commercial::{LateInterest, LiabilityCap, Payment};
pub use cuad::{CUAD_CATEGORIES, cuad_spans};
pub use dates::DateMention;
pub use durations::{Duration, Unit};
pub use law::{Arbitration, Law, Venue};
pub use money::Amount;
pub use parties::{Alias, Party, PartySource};
pub use renewal::{Renewal, Termination};

use crate::span::Span;
use crate::text;

/// Everything [`extract`] finds in one contract.
#[derive(Debug, Clone, Serialize)]
pub struct Extraction {
    pub parties: Vec<Party>,
    /// The clause naming the parties collectively ("each a \"Party\""), when there is one.
    pub parties_clause: Option<Span>,
    pub dates: KeyDates,
    pub governing_law: Option<Law>,
    pub venue: Option<Venue>,
    pub arbitration: Option<Arbitration>,
    /// Every key term found, the three key dates and the law included, in a stable order.
    pub fields: Vec<Field>,
}

/// The three dates a reviewer asks first.
#[derive(Debug, Clone, Default, Serialize)]
pub struct KeyDates {
    pub agreement: Option<KeyDate>,
    pub effective: Option<KeyDate>,
    pub expiration: Option<KeyDate>,
}

/// A key date, how it is known, and where the contract says so.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeyDate {
    pub value: DateValue,
    pub display: String,
    /// The date as written, or the phrase that states it when it is not a date.
    pub span: Span,
    /// The sentence that states it.
    pub sentence: Span,
    /// The date's order (day/month) had to be guessed.
    pub ambiguous: bool,
    pub confidence: f32,
}

/// What a key date is.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DateValue {
    /// Written in the text; the day or month may have been left blank.
    Stated {
        date: Option<NaiveDate>,
        year: Option<i32>,
        month: Option<u32>,
        day: Option<u32>,
    },
    /// Computed: the effective date plus the initial term.
    Derived { date: NaiveDate },
    /// The contract runs until terminated.
    Perpetual,
    /// Set by an event rather than a date ("on signature", "the Closing Date").
    Event,
}

impl DateValue {
    fn stated(mention: &DateMention) -> Self {
        DateValue::Stated {
            date: mention.date,
            year: mention.year,
            month: mention.month,
            day: mention.day,
        }
    }

    /// The calendar date, when it is known.
    pub fn date(&self) -> Option<NaiveDate> {
        match self {
            DateValue::Stated { date, .. } => *date,
            DateValue::Derived { date } => Some(*date),
            DateValue::Perpetual | DateValue::Event => None,
        }
    }
}

/// One key term.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Field {
    /// Stable snake_case identifier: stored, served and keyed on by playbooks.
    pub name: &'static str,
    pub value: Value,
    /// A short human form of the value.
    pub display: String,
    /// The sentence or phrase the value came from.
    pub span: Span,
    pub confidence: f32,
}

/// The typed value of a [`Field`], serialised as `{"type": ..., "value": ...}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Value {
    Date(DateValue),
    Duration(Duration),
    Amount(Amount),
    Renewal(Renewal),
    Termination(Termination),
    Payment(Payment),
    LateInterest(LateInterest),
    LiabilityCap(LiabilityCap),
    Law(Law),
    Venue(Venue),
    Arbitration(Arbitration),
}

/// Compiles a built-in pattern with ASCII word boundaries: a Unicode `\b` makes the regex
/// crate leave its fast DFA for a much slower engine on any text with non-ASCII characters,
/// and contract text has plenty (curly quotes, dashes, "€"). Letters and spaces stay Unicode.
pub(crate) fn regex(pattern: &str) -> Result<regex::Regex, regex::Error> {
    regex::Regex::new(&pattern.replace(r"\b", r"(?-u:\b)"))
}

/// The `bytes` before `at`, cut to a character boundary.
pub(crate) fn window_before(text: &str, at: usize, bytes: usize) -> &str {
    let mut from = at.saturating_sub(bytes);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    &text[from..at]
}

/// The `bytes` after `at`, cut to a character boundary.
pub(crate) fn window_after(text: &str, at: usize, bytes: usize) -> &str {
    let mut to = (at + bytes).min(text.len());
    while !text.is_char_boundary(to) {
        to -= 1;
    }
    &text[at..to]
}

/// The sentences of a text, for finding the sentence around a mention in O(log n).
pub struct Sentences {
    spans: Vec<Span>,
}

/// Sentence ends [`text::sentences`] keeps together: a full stop after a year ("ends on
/// December 31, 1998. Unless ...") or before the next numbered section ("Section 3.2. 3.3 The
/// ..."), both read there as numbering.
static MISSED_END: LazyLock<Regex> = LazyLock::new(|| {
    regex(r#"\b(?:19|20)\d{2}\.\s+[A-Z"“(]|\.\s+\d{1,2}(?:\.\d{1,2})+\.?\s+[A-Z]"#)
        .expect("missed sentence end pattern")
});

impl Sentences {
    pub fn new(text: &str) -> Self {
        let mut spans = Vec::new();
        for sentence in text::sentences(text) {
            let body = sentence.of(text);
            let mut start = sentence.start;
            for end in MISSED_END.find_iter(body) {
                let stop = sentence.start + end.start() + end.as_str().find('.').unwrap_or(0) + 1;
                spans.push(Span::new(start, stop));
                start = stop + (text[stop..].len() - text[stop..].trim_start().len());
            }
            spans.push(Span::new(start, sentence.end));
        }
        Self { spans }
    }

    /// The sentence containing byte `at`, or the next one when `at` falls between sentences.
    pub fn around(&self, at: usize) -> Span {
        let i = self.spans.partition_point(|s| s.end <= at);
        self.spans
            .get(i)
            .or(self.spans.last())
            .copied()
            .unwrap_or(Span::new(at, at))
    }

    /// The sentence after `sentence`, if any.
    pub fn after(&self, sentence: Span) -> Option<Span> {
        let i = self.spans.partition_point(|s| s.start <= sentence.start);
        self.spans.get(i).copied()
    }

    pub fn all(&self) -> &[Span] {
        &self.spans
    }
}

/// What every extractor shares: the text, its sentences and its mentions.
pub(crate) struct Context<'t> {
    pub text: &'t str,
    pub sentences: Sentences,
    pub dates: Vec<DateMention>,
    pub amounts: Vec<Amount>,
    pub durations: Vec<Duration>,
    pub parties: Vec<Party>,
}

impl<'t> Context<'t> {
    fn new(text: &'t str) -> Self {
        Self {
            text,
            sentences: Sentences::new(text),
            dates: dates::find_dates(text),
            amounts: money::find_amounts(text),
            durations: durations::find_durations(text),
            parties: parties::find_parties(text),
        }
    }

    /// The mentions of `items` inside `span`, by their own spans.
    pub fn within<T>(items: &[T], span: Span, at: impl Fn(&T) -> Span) -> &[T] {
        let from = items.partition_point(|i| at(i).start < span.start);
        let to = items.partition_point(|i| at(i).start < span.end);
        let to = to.max(from);
        let mut end = to;
        while end > from && at(&items[end - 1]).end > span.end {
            end -= 1;
        }
        &items[from..end]
    }

    /// The distinct sentences, in order, that contain a match of `cue`. Extractors find
    /// sentences by one cheap cue and test the rest within the sentence: patterns that span
    /// words with a bounded gap (`[^.]{0,300}`) are slow over a whole contract.
    pub fn sentences_with<'a>(&'a self, cue: &'a Regex) -> impl Iterator<Item = Span> + 'a {
        let mut last: Option<Span> = None;
        cue.find_iter(self.text).filter_map(move |found| {
            let sentence = self.sentences.around(found.start());
            if last == Some(sentence) {
                return None;
            }
            last = Some(sentence);
            Some(sentence)
        })
    }

    pub fn dates_in(&self, span: Span) -> &[DateMention] {
        Self::within(&self.dates, span, |d| d.span)
    }

    pub fn durations_in(&self, span: Span) -> &[Duration] {
        Self::within(&self.durations, span, |d| d.span)
    }

    pub fn amounts_in(&self, span: Span) -> &[Amount] {
        Self::within(&self.amounts, span, |a| a.span)
    }
}

/// All key terms of `text`.
pub fn extract(text: &str) -> Extraction {
    let cx = Context::new(text);
    let governing_law = law::find_governing_law(text, &cx.sentences);
    let venue = law::find_venue(text, &cx.sentences);
    let arbitration = law::find_arbitration(text, &cx.sentences);
    let term = term::find(&cx);

    let mut fields = Vec::new();
    for (name, date) in [
        ("agreement_date", &term.dates.agreement),
        ("effective_date", &term.dates.effective),
        ("expiration_date", &term.dates.expiration),
    ] {
        if let Some(date) = date {
            fields.push(date_field(name, date));
        }
    }
    fields.extend(term.fields);
    fields.extend(law_fields(&governing_law, &venue, &arbitration));
    fields.extend(commercial::find(&cx));
    fields.extend(covenants::find(&cx));

    let parties_clause = parties::collective_definition(text, &cx.parties, &cx.sentences);
    Extraction {
        parties: cx.parties,
        parties_clause,
        dates: term.dates,
        governing_law,
        venue,
        arbitration,
        fields,
    }
}

fn date_field(name: &'static str, date: &KeyDate) -> Field {
    Field {
        name,
        value: Value::Date(date.value.clone()),
        display: date.display.clone(),
        span: date.sentence,
        confidence: date.confidence,
    }
}

fn law_fields(law: &Option<Law>, venue: &Option<Venue>, arb: &Option<Arbitration>) -> Vec<Field> {
    let mut out = Vec::new();
    if let Some(law) = law {
        out.push(Field {
            name: "governing_law",
            value: Value::Law(law.clone()),
            display: law.jurisdiction.to_string(),
            span: law.span,
            confidence: law.confidence,
        });
    }
    if let Some(venue) = venue {
        let exclusive = if venue.exclusive { " (exclusive)" } else { "" };
        let display = match &venue.place {
            Some(place) => format!("Courts of {place}{exclusive}"),
            None => format!("Courts named in the clause{exclusive}"),
        };
        out.push(Field {
            name: "venue",
            value: Value::Venue(venue.clone()),
            display,
            span: venue.span,
            confidence: venue.confidence,
        });
    }
    if let Some(arb) = arb {
        let display = match (arb.rules, &arb.seat) {
            (Some(rules), Some(seat)) => format!("Arbitration ({rules}) seated in {seat}"),
            (Some(rules), None) => format!("Arbitration ({rules})"),
            (None, Some(seat)) => format!("Arbitration seated in {seat}"),
            (None, None) => "Arbitration".to_string(),
        };
        out.push(Field {
            name: "arbitration",
            value: Value::Arbitration(arb.clone()),
            display,
            span: arb.span,
            confidence: arb.confidence,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONTRACT: &str = "MASTER SERVICES AGREEMENT\n\nThis Master Services Agreement (the \
        \"Agreement\") is entered into as of March 1, 2019 (the \"Effective Date\") by and between \
        Acme Corp., a Delaware corporation (\"Acme\" or \"Supplier\"), and Beta LLC, a New York \
        limited liability company (\"Customer\").\n\n1. Term. The initial term of this Agreement \
        shall be three (3) years commencing on the Effective Date. Thereafter this Agreement \
        shall automatically renew for successive one (1) year periods unless either party gives \
        written notice of non-renewal at least ninety (90) days prior to the end of the then \
        current term.\n\n2. Fees. Customer shall pay Supplier an annual fee of $120,000. \
        Customer shall pay each invoice within thirty (30) days of the invoice date.\n\n\
        3. Governing Law. This Agreement shall be governed by the laws of the State of New York. \
        The parties submit to the exclusive jurisdiction of the courts located in New York, \
        New York.\n";

    fn field<'a>(found: &'a Extraction, name: &str) -> &'a Field {
        found.fields.iter().find(|f| f.name == name).unwrap()
    }

    #[test]
    fn a_whole_contract_gives_its_key_terms() {
        let found = extract(CONTRACT);
        let parties: Vec<(&str, Option<&str>)> = found
            .parties
            .iter()
            .map(|p| (p.name.as_str(), p.role.as_deref()))
            .collect();
        assert_eq!(
            parties,
            [
                ("Acme Corp.", Some("Supplier")),
                ("Beta LLC", Some("Customer"))
            ]
        );

        let date = |d: &Option<KeyDate>| d.as_ref().and_then(|d| d.value.date()).unwrap();
        assert_eq!(date(&found.dates.agreement).to_string(), "2019-03-01");
        assert_eq!(date(&found.dates.effective).to_string(), "2019-03-01");
        assert_eq!(date(&found.dates.expiration).to_string(), "2022-03-01");

        assert_eq!(
            found.governing_law.as_ref().unwrap().jurisdiction,
            "New York"
        );
        assert!(found.venue.as_ref().unwrap().exclusive);
        assert_eq!(field(&found, "initial_term").display, "3 years");
        assert_eq!(field(&found, "renewal").display, "Automatic, 1 year each");
        assert_eq!(
            field(&found, "renewal_notice_period").display,
            "90 days before the term ends"
        );
        assert_eq!(
            field(&found, "payment_terms").display,
            "Due 30 days after invoice date"
        );
        assert_eq!(field(&found, "fee").display, "USD 120,000");
    }

    #[test]
    fn every_span_points_into_the_text_and_fields_serialise_with_their_type() {
        let found = extract(CONTRACT);
        for field in &found.fields {
            assert!(
                field.span.end <= CONTRACT.len() && !field.span.is_empty(),
                "{field:?}"
            );
        }
        let json = serde_json::to_value(&found).unwrap();
        let renewal = json["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == "renewal")
            .unwrap();
        assert_eq!(renewal["value"]["type"], "renewal");
        assert_eq!(renewal["value"]["value"]["automatic"], true);
        assert_eq!(json["dates"]["agreement"]["value"]["kind"], "stated");
        assert_eq!(json["dates"]["agreement"]["value"]["date"], "2019-03-01");
    }

    #[test]
    fn cuad_spans_mark_names_dates_and_clauses() {
        let found = extract(CONTRACT);
        let spans: Vec<(&str, &str)> = cuad_spans(&found)
            .into_iter()
            .map(|(c, s)| (c, s.of(CONTRACT)))
            .collect();
        assert!(spans.contains(&("Parties", "Acme Corp.")));
        assert!(spans.contains(&("Parties", "Acme\" or \"Supplier")));
        assert!(spans.contains(&("Agreement Date", "March 1, 2019")));
        let law = spans.iter().find(|(c, _)| *c == "Governing Law").unwrap();
        assert!(law.1.starts_with("This Agreement shall be governed"));
    }

    #[test]
    fn a_paragraph_in_another_language_gives_no_invented_terms() {
        for text in [
            "Dieser Vertrag wird am 1. März 2019 zwischen der Muster GmbH, Berlin, und der \
             Beispiel AG, München, geschlossen. Er unterliegt dem Recht der Bundesrepublik \
             Deutschland. Die Kündigungsfrist beträgt drei Monate.",
            "Le présent contrat est conclu le 1er mars 2019 entre la société Alpha SAS et la \
             société Beta SARL. Il est régi par le droit français et le préavis est de trente \
             jours.",
        ] {
            let found = extract(text);
            assert!(found.parties.is_empty(), "{:?}", found.parties);
            assert!(found.governing_law.is_none());
            assert!(found.dates.agreement.is_none() && found.dates.effective.is_none());
            assert!(found.fields.is_empty(), "{:?}", found.fields);
        }
    }

    #[test]
    fn text_that_is_not_a_contract_gives_no_parties_dates_or_law() {
        let text = "The company said on March 3, 2020 that revenue rose 5% to $2.1 billion \
                    between January and March. Analysts in New York expect the law firm market \
                    to grow. Shares traded among investors at record volume.";
        let found = extract(text);
        assert!(found.parties.is_empty(), "{:?}", found.parties);
        assert!(found.dates.agreement.is_none() && found.dates.expiration.is_none());
        assert!(found.governing_law.is_none() && found.venue.is_none());
    }

    #[test]
    fn sentences_split_after_a_year_that_ends_one() {
        let text =
            "The term will end on December 31, 1998. Unless either party objects, it renews.";
        let sentences = Sentences::new(text);
        let split: Vec<&str> = sentences.all().iter().map(|s| s.of(text)).collect();
        assert_eq!(
            split,
            [
                "The term will end on December 31, 1998.",
                "Unless either party objects, it renews."
            ]
        );
    }
}
