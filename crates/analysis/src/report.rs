//! One contract analysed end to end: the entry points the worker's stages and `lucidity
//! analyze` call, and the report they produce.
//!
//! The stages mirror the pipeline's: [`classify_stage`] (type, parties, dates, law), the
//! playbook's retrieval ([`Playbook::relevant`]), then [`analyze_stage`] (fields, clauses,
//! categories, findings, obligations and the score). A text that is not a contract stops after
//! classification: no findings are invented for it.

use serde::Serialize;

use crate::categorize::{self, Label};
use crate::classify::{self, Classification};
use crate::fields::{self, Extraction};
use crate::findings::{self, Facts};
use crate::obligations::{self, Obligation};
use crate::playbook::{self, Finding, Playbook, RiskScore};
use crate::segment::{self, Clause};

/// Which engine produced a result, recorded with every result.
pub const PROVIDER: &str = "builtin";
/// The built-in engine's model name: the crate version and the clause model it carries.
pub const MODEL: &str = concat!("lucidity-analysis-", env!("CARGO_PKG_VERSION"));

/// What the classifying stage learns.
#[derive(Debug, Clone, Serialize)]
pub struct Classified {
    pub classification: Classification,
    pub extraction: Extraction,
}

/// Everything the analyzing stage learns.
#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    pub clauses: Vec<ClauseReport>,
    pub findings: Vec<Finding>,
    pub obligations: Vec<Obligation>,
    /// `None` when the text is not a contract.
    pub risk: Option<RiskScore>,
}

/// A clause with its categories, best first.
#[derive(Debug, Clone, Serialize)]
pub struct ClauseReport {
    #[serde(flatten)]
    pub clause: Clause,
    pub categories: Vec<CategoryScore>,
    /// The sentences labelled with a category, for highlighting.
    pub labels: Vec<Label>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CategoryScore {
    pub category: &'static str,
    pub confidence: f32,
}

/// The whole report of one text.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    #[serde(flatten)]
    pub classified: Classified,
    #[serde(flatten)]
    pub analysis: Analysis,
}

pub fn classify_stage(text: &str) -> Classified {
    let classification = classify::classify(text);
    let extraction = fields::extract(text);
    Classified {
        classification,
        extraction,
    }
}

pub fn analyze_stage(text: &str, classified: &Classified, playbook: &Playbook) -> Analysis {
    if !classified.classification.is_contract {
        return Analysis {
            clauses: Vec::new(),
            findings: Vec::new(),
            obligations: Vec::new(),
            risk: None,
        };
    }
    let clauses = segment::segment(text);
    let labels = categorize::categorize(text, &clauses, categorize::default_model());
    let facts = Facts {
        text,
        doc_type: effective_type(&classified.classification),
        labels: &labels,
        extraction: &classified.extraction,
    };
    let findings = findings::findings(&facts, playbook);
    let risk = playbook::score(&findings, playbook);
    let obligations = obligations::find(text, &clauses, &classified.extraction.parties);
    Analysis {
        clauses: clause_reports(clauses, labels),
        findings,
        obligations,
        risk: Some(risk),
    }
}

/// Analyses `text` in one call, as `lucidity analyze` does.
pub fn analyze(text: &str, playbook: &Playbook) -> Report {
    let classified = classify_stage(text);
    let relevant = playbook.relevant(effective_type(&classified.classification).id());
    let analysis = analyze_stage(text, &classified, &relevant);
    Report {
        classified,
        analysis,
    }
}

/// An amendment is reviewed as the type of agreement it amends.
pub fn effective_type(classification: &Classification) -> crate::DocType {
    classification.amends.unwrap_or(classification.doc_type)
}

fn clause_reports(clauses: Vec<Clause>, labels: Vec<Label>) -> Vec<ClauseReport> {
    let mut reports: Vec<ClauseReport> = clauses
        .into_iter()
        .map(|clause| ClauseReport {
            clause,
            categories: Vec::new(),
            labels: Vec::new(),
        })
        .collect();
    for label in labels {
        if let Some(report) = reports.get_mut(label.clause) {
            report.labels.push(label);
        }
    }
    for report in &mut reports {
        for (category, confidence) in findings::categories_present(&report.labels) {
            report.categories.push(CategoryScore {
                category,
                confidence,
            });
        }
        report
            .categories
            .sort_by(|a, b| b.confidence.total_cmp(&a.confidence));
    }
    reports
}
