//! A document's analysis as it is stored and served: every byte span of the engine becomes a
//! character range of the saved text (the unit `document_pages` and the API use), and every
//! cited item names the page it starts on.
//!
//! Typed results (clauses, findings, fields, obligations) get explicit records. Nested values
//! that are stored as JSON (the classification, parties, dates, a field's typed value) are
//! converted by one rule: any JSON object made of exactly the integers `start` and `end` is a
//! [`Span`] of the engine, and its offsets are rewritten to characters.

use lucidity_analysis::fields::{Extraction, Field};
use lucidity_analysis::playbook::Finding;
use lucidity_analysis::report::{Analysis, Classified, ClauseReport};
use lucidity_analysis::{CharOffsets, Span, obligations::Obligation, taxonomy};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::router::Provenance;

/// One page's character range of the text, end exclusive (a row of `document_pages`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRange {
    pub number: i32,
    pub start: i32,
    pub end: i32,
}

/// A half-open character range of the document text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CharSpan {
    pub start: i32,
    pub end: i32,
}

/// Converts the engine's byte spans of one text to character spans and pages.
pub struct Citer<'t> {
    text: &'t str,
    offsets: CharOffsets,
    /// Sorted by start.
    pages: Vec<PageRange>,
}

impl<'t> Citer<'t> {
    pub fn new(text: &'t str, mut pages: Vec<PageRange>) -> Self {
        pages.sort_by_key(|p| p.start);
        Self {
            text,
            offsets: CharOffsets::new(text),
            pages,
        }
    }

    /// The character offset of byte `byte`. A byte past the end, or inside a character, is
    /// moved back to the nearest boundary rather than trusted.
    pub fn offset(&self, byte: usize) -> i32 {
        let mut byte = byte.min(self.text.len());
        while !self.text.is_char_boundary(byte) {
            byte -= 1;
        }
        self.offsets.char_offset(self.text, byte) as i32
    }

    pub fn span(&self, span: Span) -> CharSpan {
        CharSpan {
            start: self.offset(span.start),
            end: self.offset(span.end),
        }
    }

    /// The page holding character `offset`; past the last page, the last page.
    pub fn page_of(&self, offset: i32) -> Option<i32> {
        let index = self.pages.partition_point(|p| p.end <= offset);
        match self.pages.get(index) {
            Some(page) if page.start <= offset => Some(page.number),
            Some(_) => index.checked_sub(1).map(|i| self.pages[i].number),
            None => self.pages.last().map(|p| p.number),
        }
    }

    /// The page a span starts on.
    pub fn page(&self, span: CharSpan) -> Option<i32> {
        self.page_of(span.start)
    }

    /// The page a span ends on (its last character's page).
    pub fn last_page(&self, span: CharSpan) -> Option<i32> {
        self.page_of((span.end - 1).max(span.start))
    }

    /// `value` with every engine span in it rewritten to character offsets.
    pub fn json(&self, mut value: Value) -> Value {
        self.rewrite(&mut value);
        value
    }

    /// Like [`Citer::json`], and an object with a `span` also gets the `page` it starts on.
    pub fn cited_json(&self, value: Value) -> Value {
        let mut value = self.json(value);
        add_page(self, &mut value);
        value
    }

    fn rewrite(&self, value: &mut Value) {
        match value {
            Value::Object(map) => match byte_span(map) {
                Some(span) => *value = json!(self.span(span)),
                None => map.values_mut().for_each(|v| self.rewrite(v)),
            },
            Value::Array(items) => items.iter_mut().for_each(|v| self.rewrite(v)),
            Value::Number(number) => {
                if let Some(tidy) = tidy(number) {
                    *value = tidy;
                }
            }
            _ => {}
        }
    }
}

/// An `f32` widened to JSON's `f64` prints its noise (0.8999999761581421); rewritten from its
/// shortest `f32` form it reads as the engine meant it (0.9). Other numbers are left alone.
fn tidy(number: &serde_json::Number) -> Option<Value> {
    let wide = number.as_f64().filter(|_| number.is_f64())?;
    let narrow = wide as f32;
    if f64::from(narrow) != wide {
        return None;
    }
    let shortest: f64 = narrow.to_string().parse().ok()?;
    serde_json::Number::from_f64(shortest).map(Value::Number)
}

/// A confidence as JSON, without the noise of its widening.
fn confidence(value: f32) -> Value {
    let number = serde_json::Number::from_f64(f64::from(value));
    number
        .map(|n| tidy(&n).unwrap_or(Value::Number(n)))
        .unwrap_or(Value::Null)
}

/// An engine span serialised: exactly `start` and `end`, both non-negative integers.
fn byte_span(map: &Map<String, Value>) -> Option<Span> {
    if map.len() != 2 {
        return None;
    }
    let start = map.get("start")?.as_u64()?;
    let end = map.get("end")?.as_u64()?;
    Some(Span {
        start: start as usize,
        end: end.max(start) as usize,
    })
}

/// Adds `page` beside the `span` of an object, or of each object of an array.
fn add_page(citer: &Citer, value: &mut Value) {
    match value {
        Value::Array(items) => items.iter_mut().for_each(|v| add_page(citer, v)),
        Value::Object(map) => {
            let span = map
                .get("span")
                .and_then(|s| serde_json::from_value::<CharSpan>(s.clone()).ok());
            if let Some(span) = span {
                map.insert("page".into(), json!(citer.page(span)));
            }
        }
        _ => {}
    }
}

/// One document's analysis, ready to store.
#[derive(Debug, Clone)]
pub struct Record {
    pub doc_type: &'static str,
    pub confidence: f32,
    pub amends: Option<&'static str>,
    pub is_contract: bool,
    /// Why the text is not a contract: `{kind, message, language?}`.
    pub reason: Option<Value>,
    pub title: Option<String>,
    /// The whole classification, spans in characters.
    pub classification: Value,
    /// Parties, key dates, governing law, venue and arbitration, each cited with its page.
    pub extraction: Value,
    pub fields: Vec<FieldRecord>,
    pub clauses: Vec<ClauseRecord>,
    pub findings: Vec<FindingRecord>,
    pub obligations: Vec<ObligationRecord>,
    pub risk: Option<RiskRecord>,
    /// `{capability: {provider, model}}`.
    pub provenance: Value,
}

#[derive(Debug, Clone)]
pub struct FieldRecord {
    /// The name, numbered from its second occurrence (`fee`, `fee:2`): what reviews key on.
    pub key: String,
    pub name: &'static str,
    /// `{type, value}`, spans in characters.
    pub value: Value,
    pub display: String,
    pub span: CharSpan,
    pub page: Option<i32>,
    pub confidence: f32,
}

#[derive(Debug, Clone)]
pub struct ClauseRecord {
    pub number: Option<String>,
    pub heading: Option<String>,
    pub level: i16,
    pub span: CharSpan,
    pub page_start: Option<i32>,
    pub page_end: Option<i32>,
    /// `[{category, name, confidence}]`, best first.
    pub categories: Value,
    /// `[{category, span: {start, end}, confidence}]`: the sentences that carry a category.
    pub labels: Value,
}

#[derive(Debug, Clone)]
pub struct FindingRecord {
    pub key: String,
    pub kind: String,
    pub category: String,
    pub severity: &'static str,
    pub title: String,
    pub explanation: String,
    pub playbook_entry: Option<String>,
    pub suggested_language: Option<String>,
    pub span: Option<CharSpan>,
    pub page: Option<i32>,
    /// Ordinal of the clause it is about.
    pub clause: Option<i32>,
}

#[derive(Debug, Clone)]
pub struct ObligationRecord {
    pub party: String,
    pub action: String,
    pub kind: String,
    pub due: Option<String>,
    pub recurrence: Option<String>,
    pub span: CharSpan,
    pub page: Option<i32>,
    pub clause: Option<i32>,
}

#[derive(Debug, Clone)]
pub struct RiskRecord {
    pub score: i16,
    pub level: &'static str,
    pub summary: String,
    /// `[{finding, severity, points}]`, largest first.
    pub explanation: Value,
}

/// Everything the classifying and analyzing stages learned, cited against the saved text.
pub fn record(
    citer: &Citer,
    classified: &Classified,
    analysis: &Analysis,
    provenance: &Provenance,
) -> Record {
    let classification = &classified.classification;
    let clause_count = analysis.clauses.len();
    let clause = |index: usize| (index < clause_count).then_some(index as i32);
    Record {
        doc_type: classification.doc_type.id(),
        confidence: classification.confidence,
        amends: classification.amends.map(|t| t.id()),
        is_contract: classification.is_contract,
        reason: classification.reason.as_ref().map(to_json),
        title: classification
            .title
            .as_ref()
            .map(|(title, _)| title.clone()),
        classification: citer.json(to_json(classification)),
        extraction: extraction(citer, &classified.extraction),
        fields: fields(citer, &classified.extraction.fields),
        clauses: analysis
            .clauses
            .iter()
            .map(|c| clause_record(citer, c))
            .collect(),
        findings: analysis
            .findings
            .iter()
            .map(|f| finding_record(citer, f, clause))
            .collect(),
        obligations: analysis
            .obligations
            .iter()
            .map(|o| obligation_record(citer, o, clause))
            .collect(),
        risk: analysis.risk.as_ref().map(|risk| RiskRecord {
            score: i16::from(risk.score),
            level: risk.level.as_str(),
            summary: risk.summary.clone(),
            explanation: to_json(&risk.explanation),
        }),
        provenance: to_json(provenance),
    }
}

fn to_json<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// The serde name of a unit enum variant (`"deviation"`, `"duty"`).
fn variant<T: Serialize>(value: &T) -> String {
    to_json(value).as_str().unwrap_or_default().to_string()
}

fn extraction(citer: &Citer, extraction: &Extraction) -> Value {
    let dates = &extraction.dates;
    json!({
        "parties": citer.cited_json(to_json(&extraction.parties)),
        "dates": {
            "agreement": citer.cited_json(to_json(&dates.agreement)),
            "effective": citer.cited_json(to_json(&dates.effective)),
            "expiration": citer.cited_json(to_json(&dates.expiration)),
        },
        "governing_law": citer.cited_json(to_json(&extraction.governing_law)),
        "venue": citer.cited_json(to_json(&extraction.venue)),
        "arbitration": citer.cited_json(to_json(&extraction.arbitration)),
    })
}

fn fields(citer: &Citer, fields: &[Field]) -> Vec<FieldRecord> {
    let mut seen: Vec<&str> = Vec::new();
    fields
        .iter()
        .map(|field| {
            seen.push(field.name);
            let n = seen.iter().filter(|name| **name == field.name).count();
            let key = match n {
                1 => field.name.to_string(),
                n => format!("{}:{n}", field.name),
            };
            let span = citer.span(field.span);
            FieldRecord {
                key,
                name: field.name,
                value: citer.json(to_json(&field.value)),
                display: field.display.clone(),
                span,
                page: citer.page(span),
                confidence: field.confidence,
            }
        })
        .collect()
}

fn clause_record(citer: &Citer, report: &ClauseReport) -> ClauseRecord {
    let span = citer.span(report.clause.span);
    let categories: Vec<Value> = report
        .categories
        .iter()
        .map(|c| {
            let name = taxonomy::category(c.category).map_or(c.category, |t| t.name);
            let confidence = confidence(c.confidence);
            json!({ "category": c.category, "name": name, "confidence": confidence })
        })
        .collect();
    let labels: Vec<Value> = report
        .labels
        .iter()
        .map(|l| {
            let span = citer.span(l.span);
            let confidence = confidence(l.confidence);
            json!({ "category": l.category, "span": span, "confidence": confidence })
        })
        .collect();
    ClauseRecord {
        number: report.clause.number.clone(),
        heading: report.clause.heading.clone(),
        level: i16::from(report.clause.level),
        span,
        page_start: citer.page(span),
        page_end: citer.last_page(span),
        categories: Value::Array(categories),
        labels: Value::Array(labels),
    }
}

fn finding_record(
    citer: &Citer,
    finding: &Finding,
    clause: impl Fn(usize) -> Option<i32>,
) -> FindingRecord {
    let span = finding.span.map(|s| citer.span(s));
    FindingRecord {
        key: finding.key.clone(),
        kind: variant(&finding.kind),
        category: finding.category.clone(),
        severity: finding.severity.as_str(),
        title: finding.title.clone(),
        explanation: finding.explanation.clone(),
        playbook_entry: finding.playbook_entry.clone(),
        suggested_language: finding.suggested_language.clone(),
        span,
        page: span.and_then(|s| citer.page(s)),
        clause: finding.clause.and_then(clause),
    }
}

fn obligation_record(
    citer: &Citer,
    obligation: &Obligation,
    clause: impl Fn(usize) -> Option<i32>,
) -> ObligationRecord {
    let span = citer.span(obligation.span);
    ObligationRecord {
        party: obligation.party.clone(),
        action: obligation.action.clone(),
        kind: variant(&obligation.kind),
        due: obligation.due.clone(),
        recurrence: obligation.recurrence.map(String::from),
        span,
        page: citer.page(span),
        clause: clause(obligation.clause),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pages() -> Vec<PageRange> {
        vec![
            PageRange {
                number: 1,
                start: 0,
                end: 10,
            },
            PageRange {
                number: 2,
                start: 10,
                end: 20,
            },
        ]
    }

    #[test]
    fn byte_spans_become_character_spans_on_their_pages() {
        let text = "Société A\nSociété B\n";
        let citer = Citer::new(text, pages());
        let second = text.find("Société B").expect("present");
        let span = citer.span(Span::new(second, second + "Société".len()));
        assert_eq!(span, CharSpan { start: 10, end: 17 });
        assert_eq!(citer.page(span), Some(2));
        assert_eq!(citer.page_of(0), Some(1));
        assert_eq!(citer.page_of(25), Some(2), "past the end is the last page");
    }

    #[test]
    fn nested_spans_in_json_are_rewritten_and_cited_items_get_a_page() {
        let text = "ééééé ééééé ééééé";
        let citer = Citer::new(text, pages());
        let twelve = text.char_indices().nth(12).expect("long enough").0;
        let value = json!([{ "name": "x", "span": { "start": twelve, "end": text.len() },
                             "aliases": [{ "span": { "start": 0, "end": 2 } }] }]);
        let cited = citer.cited_json(value);
        assert_eq!(cited[0]["span"], json!({ "start": 12, "end": 17 }));
        assert_eq!(
            cited[0]["aliases"][0]["span"],
            json!({ "start": 0, "end": 1 })
        );
        assert_eq!(cited[0]["page"], 2);
    }

    #[test]
    fn confidences_read_as_the_engine_wrote_them_and_other_numbers_are_kept() {
        let citer = Citer::new("", Vec::new());
        let value = json!({ "confidence": 0.9f32, "points": 8.4f64, "days": 30 });
        let tidy = citer.json(value);
        assert_eq!(
            tidy,
            json!({ "confidence": 0.9, "points": 8.4, "days": 30 })
        );
        assert_eq!(confidence(0.75), json!(0.75));
    }

    #[test]
    fn an_offset_inside_a_character_or_past_the_end_is_clamped_not_a_panic() {
        let citer = Citer::new("é", Vec::new());
        assert_eq!(citer.offset(1), 0);
        assert_eq!(citer.offset(99), 1);
        assert_eq!(citer.page_of(0), None, "no pages, no page");
    }
}
