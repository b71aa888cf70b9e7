//! Predictions for the CUAD categories the field extractors answer, as spans in the style CUAD
//! annotators mark: each party's name and defined names where the preamble writes them, the
//! agreement date as written, and the sentence for the effective date (or the date itself in
//! the preamble), the expiration, the renewal, its notice period and the governing law.

use super::{Extraction, Value};
use crate::span::Span;

/// The CUAD categories [`cuad_spans`] predicts, by their CUAD names.
pub const CUAD_CATEGORIES: [&str; 7] = [
    "Parties",
    "Agreement Date",
    "Effective Date",
    "Expiration Date",
    "Renewal Term",
    "Notice Period to Terminate Renewal",
    "Governing Law",
];

/// Predicted spans per CUAD category name, for evaluation against CUAD labels.
pub fn cuad_spans(extraction: &Extraction) -> Vec<(&'static str, Span)> {
    let mut out = Vec::new();
    for party in &extraction.parties {
        out.push(("Parties", party.span));
        let mut marked: Vec<Span> = Vec::new();
        for alias in &party.aliases {
            if !marked.contains(&alias.definition) {
                marked.push(alias.definition);
                out.push(("Parties", alias.definition));
            }
        }
    }
    out.extend(extraction.parties_clause.map(|s| ("Parties", s)));

    let dates = &extraction.dates;
    out.extend(dates.agreement.as_ref().map(|d| ("Agreement Date", d.span)));
    out.extend(dates.effective.as_ref().map(|d| ("Effective Date", d.span)));
    out.extend(
        dates
            .expiration
            .as_ref()
            .map(|d| ("Expiration Date", d.sentence)),
    );

    for field in &extraction.fields {
        match field.name {
            "renewal" => {
                out.push(("Renewal Term", field.span));
                if let Value::Renewal(renewal) = &field.value {
                    out.extend(renewal.also.iter().map(|s| ("Renewal Term", *s)));
                }
            }
            "renewal_notice_period" => out.push(("Notice Period to Terminate Renewal", field.span)),
            _ => {}
        }
    }
    if let Some(law) = &extraction.governing_law {
        out.push(("Governing Law", law.span));
        out.extend(law.also.iter().map(|s| ("Governing Law", *s)));
    }
    out
}
