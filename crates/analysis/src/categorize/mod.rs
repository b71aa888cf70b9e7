//! Clause categorisation: which categories of the taxonomy each sentence of a clause belongs
//! to, with a probability, and from the sentences, the categories of each clause.
//!
//! The CUAD categories are scored by a linear model per category ([`model`]) over the
//! sentence's words, word pairs and its clause's heading, trained on the CUAD development split
//! (see `examples/train_clauses.rs`; the weights in `model/clauses.bin` are derived from CUAD,
//! CC BY 4.0, The Atticus Project). The boilerplate categories CUAD does not label
//! (confidentiality, indemnification, notices, ...) are recognised by their headings and
//! defining phrases ([`rules`]).

pub mod cues;
pub mod features;
pub mod model;
pub mod rules;
pub mod train;

use std::sync::LazyLock;

use serde::Serialize;

use crate::segment::Clause;
use crate::span::Span;
use crate::text;
use model::Model;

/// The trained CUAD clause model, compiled into the binary.
static MODEL: LazyLock<Model> = LazyLock::new(|| {
    Model::from_bytes(include_bytes!("../../model/clauses.bin"))
        .expect("the compiled-in clause model is well formed")
});

/// The clause model compiled into this build.
pub fn default_model() -> &'static Model {
    &MODEL
}

/// A sentence with the clause it sits in: the unit categories are decided on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    pub span: Span,
    /// Index into the clause list.
    pub clause: usize,
}

/// The sentences of every clause, in order.
pub fn units(text: &str, clauses: &[Clause]) -> Vec<Unit> {
    let mut out = Vec::new();
    for (index, clause) in clauses.iter().enumerate() {
        for sentence in text::sentences(clause.span.of(text)) {
            out.push(Unit {
                span: sentence.shift(clause.span.start),
                clause: index,
            });
        }
    }
    out
}

/// One category found in a sentence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Label {
    pub category: &'static str,
    pub span: Span,
    pub clause: usize,
    pub confidence: f32,
}

/// Every category found in the sentences of `clauses`, by `model` and by the rules.
///
/// A model category is reported only when the document holds it (its best sentence reaches the
/// category's document threshold); then every sentence above the sentence threshold is
/// labelled, or the best one when none is.
pub fn categorize(text: &str, clauses: &[Clause], model: &Model) -> Vec<Label> {
    let units = units(text, clauses);
    let scores: Vec<Vec<f32>> = units
        .iter()
        .map(|unit| {
            let heading = clauses[unit.clause].heading.as_deref();
            model.score(&features::features(unit.span.of(text), heading))
        })
        .collect();

    let mut labels = Vec::new();
    for (c, head) in model.heads.iter().enumerate() {
        let Some(category) = crate::taxonomy::category(&head.id) else {
            continue;
        };
        let column = scores.iter().map(|s| s[c]);
        let Some((best, best_score)) = column
            .clone()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(&b.1))
        else {
            continue;
        };
        if best_score < head.document_threshold {
            continue;
        }
        let chosen: Vec<usize> = column
            .enumerate()
            .filter(|(_, p)| *p >= head.sentence_threshold)
            .map(|(u, _)| u)
            .collect();
        let chosen = if chosen.is_empty() {
            vec![best]
        } else {
            chosen
        };
        for u in chosen {
            labels.push(Label {
                category: category.id,
                span: units[u].span,
                clause: units[u].clause,
                confidence: scores[u][c],
            });
        }
    }

    for unit in &units {
        let heading = clauses[unit.clause].heading.as_deref();
        for (category, confidence) in rules::categories(unit.span.of(text), heading) {
            labels.push(Label {
                category,
                span: unit.span,
                clause: unit.clause,
                confidence,
            });
        }
    }
    labels
}
