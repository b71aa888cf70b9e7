//! Findings for one contract: the playbook's rules checked against what the engine read, and
//! the clauses a document of its type is expected to hold.

use std::collections::{BTreeMap, HashMap};

use crate::categorize::Label;
use crate::fields::{Extraction, Value};
use crate::playbook::{Entry, EntryKind, Finding, FindingKind, Playbook, Rule, Severity};
use crate::span::Span;
use crate::taxonomy::{self, DocType};

/// What the findings are computed from.
pub struct Facts<'a> {
    pub text: &'a str,
    pub doc_type: DocType,
    pub labels: &'a [Label],
    pub extraction: &'a Extraction,
}

impl Facts<'_> {
    /// The most confident label of `category`, if the document holds it.
    fn best(&self, category: &str) -> Option<&Label> {
        self.labels
            .iter()
            .filter(|l| l.category == category)
            .max_by(|a, b| a.confidence.total_cmp(&b.confidence))
    }

    fn field(&self, name: &str) -> Option<&crate::fields::Field> {
        self.extraction.fields.iter().find(|f| f.name == name)
    }
}

/// Clauses a document of each type is expected to contain, with the severity of their absence.
fn expected(doc_type: DocType) -> &'static [(&'static str, Severity)] {
    use Severity::{High, Low, Medium};
    match doc_type {
        DocType::Nda => &[("confidentiality", High), ("governing_law", Low)],
        DocType::MasterServices | DocType::Consulting | DocType::StatementOfWork => &[
            ("cap_on_liability", Medium),
            ("indemnification", Low),
            ("payment_terms", Medium),
            ("governing_law", Low),
            ("confidentiality", Medium),
            ("termination_for_cause", Low),
        ],
        DocType::SoftwareLicense => &[
            ("license_grant", High),
            ("cap_on_liability", Medium),
            ("warranty", Low),
            ("governing_law", Low),
            ("confidentiality", Low),
        ],
        DocType::PurchaseSupply | DocType::Distribution => &[
            ("payment_terms", Medium),
            ("cap_on_liability", Medium),
            ("warranty", Low),
            ("governing_law", Low),
            ("termination_for_cause", Low),
        ],
        DocType::StrategicAlliance => &[
            ("confidentiality", Medium),
            ("governing_law", Low),
            ("termination_for_cause", Low),
        ],
        DocType::Employment => &[
            ("confidentiality", Medium),
            ("ip_ownership_assignment", Medium),
            ("governing_law", Low),
        ],
        DocType::Severance | DocType::Credit | DocType::Lease | DocType::Construction => {
            &[("governing_law", Low)]
        }
        DocType::BenefitPlan | DocType::Amendment | DocType::Other => &[],
    }
}

/// Every finding for the document, in a stable order.
pub fn findings(facts: &Facts, playbook: &Playbook) -> Vec<Finding> {
    let relevant = playbook.relevant(facts.doc_type.id());
    let mut out = Vec::new();
    for entry in &relevant.entries {
        let checked = matches!(entry.kind, EntryKind::Position | EntryKind::Regulatory);
        if let (true, Some(rule)) = (checked, &entry.rule) {
            out.extend(check(facts, entry, rule, &relevant));
        }
    }
    for &(category, severity) in expected(facts.doc_type) {
        let covered = out
            .iter()
            .any(|f| f.category == category && f.kind == FindingKind::Missing);
        if !covered && facts.best(category).is_none() {
            out.push(missing(category, severity, None, &relevant));
        }
    }
    number_keys(&mut out);
    out
}

/// Runs one rule.
fn check(facts: &Facts, entry: &Entry, rule: &Rule, playbook: &Playbook) -> Option<Finding> {
    let category = entry.category.as_deref()?;
    let present = facts.best(category);
    let deviation = |label: &Label, explanation: String| {
        let mut f = finding(
            FindingKind::Deviation,
            category,
            entry,
            explanation,
            playbook,
        );
        f.span = Some(label.span);
        f.clause = Some(label.clause);
        f
    };
    match rule {
        Rule::Required => present
            .is_none()
            .then(|| missing(category, entry.severity, Some(entry), playbook)),
        Rule::RequiredWhenMentioned { mentions } => {
            let lower = facts.text.to_lowercase();
            let mentioned = mentions
                .iter()
                .find(|m| lower.contains(&m.to_lowercase()))?;
            present.is_none().then(|| {
                let mut f = missing(category, entry.severity, Some(entry), playbook);
                f.explanation = format!(
                    "The document mentions \"{mentioned}\" but has no {} clause. {}",
                    name(category),
                    entry.text
                );
                f
            })
        }
        Rule::Prohibited => present.map(|label| {
            let explanation = format!(
                "The document contains a clause on {}. Playbook position: {}",
                name(category),
                entry.text
            );
            let mut f = deviation(label, explanation);
            f.kind = FindingKind::Flagged;
            f
        }),
        Rule::CapAtMostMonths { months } => {
            let field = facts.field("liability_cap")?;
            let Value::LiabilityCap(cap) = &field.value else {
                return None;
            };
            let lookback_days = cap.lookback.as_ref().and_then(|d| d.days);
            let too_long = lookback_days.is_some_and(|d| d > months * 31);
            let multiple = cap.multiple.is_some_and(|m| m > 1.0);
            (too_long || multiple).then(|| {
                let label = present.cloned().unwrap_or(Label {
                    category: "cap_on_liability",
                    span: field.span,
                    clause: usize::MAX,
                    confidence: field.confidence,
                });
                let explanation = format!(
                    "The liability cap (\"{}\") is above the playbook's {months} months of fees.",
                    field.display
                );
                deviation(&label, explanation)
            })
        }
        Rule::RenewalNoticeAtLeastDays { days } => {
            let field = facts.field("renewal")?;
            let Value::Renewal(renewal) = &field.value else {
                return None;
            };
            let notice = renewal.notice.as_ref().and_then(|d| d.days);
            let short = renewal.automatic && notice.is_none_or(|n| n < *days);
            short.then(|| {
                let said = notice.map_or("no notice period".to_string(), |n| format!("{n} days"));
                let explanation = format!(
                    "The contract renews automatically with {said} to opt out; the playbook asks \
                     for at least {days} days."
                );
                deviation(&field_label(field, present), explanation)
            })
        }
        Rule::DurationAtMostMonths { months } => {
            let label = present?;
            let field = facts.field("non_compete_period");
            let days = field.and_then(|f| match &f.value {
                Value::Duration(d) => d.days,
                _ => None,
            });
            match days {
                Some(d) if d <= months * 31 => None,
                Some(d) => Some(deviation(
                    label,
                    format!(
                        "The restriction lasts about {} months; the playbook accepts at most \
                         {months}.",
                        d / 30
                    ),
                )),
                None => Some(deviation(
                    label,
                    format!(
                        "A clause on {} is present and its duration could not be read; the \
                         playbook accepts at most {months} months.",
                        name(category)
                    ),
                )),
            }
        }
        Rule::LawIn { jurisdictions } => match &facts.extraction.governing_law {
            None => Some(missing(category, entry.severity, Some(entry), playbook)),
            Some(law) if jurisdictions.iter().any(|j| j == law.jurisdiction) => None,
            Some(law) => {
                let label = Label {
                    category: "governing_law",
                    span: law.span,
                    clause: present.map_or(usize::MAX, |l| l.clause),
                    confidence: law.confidence,
                };
                let explanation = format!(
                    "Governed by the law of {}; the playbook prefers {}.",
                    law.jurisdiction,
                    jurisdictions.join(", ")
                );
                Some(deviation(&label, explanation))
            }
        },
        Rule::Mutual => {
            let label = present?;
            let clause_text = label.span.of(facts.text).to_lowercase();
            let mutual = [
                "each party",
                "either party",
                "both parties",
                "mutual",
                "each of the",
            ]
            .iter()
            .any(|w| clause_text.contains(w));
            (!mutual).then(|| {
                deviation(
                    label,
                    format!(
                        "The {} clause appears to bind one party only. Playbook position: {}",
                        name(category),
                        entry.text
                    ),
                )
            })
        }
    }
}

fn field_label(field: &crate::fields::Field, present: Option<&Label>) -> Label {
    Label {
        category: present.map_or("renewal_term", |l| l.category),
        span: field.span,
        clause: present.map_or(usize::MAX, |l| l.clause),
        confidence: field.confidence,
    }
}

fn finding(
    kind: FindingKind,
    category: &str,
    entry: &Entry,
    explanation: String,
    playbook: &Playbook,
) -> Finding {
    Finding {
        key: String::new(),
        kind,
        category: category.to_string(),
        severity: entry.severity,
        title: entry.title.clone(),
        explanation,
        playbook_entry: Some(entry.id.clone()),
        suggested_language: suggestion(category, Some(entry), playbook),
        span: None,
        clause: None,
    }
}

fn missing(
    category: &str,
    severity: Severity,
    entry: Option<&Entry>,
    playbook: &Playbook,
) -> Finding {
    let explanation = match entry {
        Some(entry) => format!(
            "No {} clause was found. Playbook position: {}",
            name(category),
            entry.text
        ),
        None => format!(
            "No {} clause was found; agreements of this type usually have one.",
            name(category)
        ),
    };
    Finding {
        key: String::new(),
        kind: FindingKind::Missing,
        category: category.to_string(),
        severity,
        title: format!("Missing: {}", name(category)),
        explanation,
        playbook_entry: entry.map(|e| e.id.clone()),
        suggested_language: suggestion(category, entry, playbook),
        span: None,
        clause: None,
    }
}

/// The preferred language for the category, else the entry's first fallback.
fn suggestion(category: &str, entry: Option<&Entry>, playbook: &Playbook) -> Option<String> {
    playbook
        .preferred_language(category)
        .map(|e| e.text.clone())
        .or_else(|| entry.and_then(|e| e.alternatives.first().cloned()))
}

fn name(category: &str) -> String {
    taxonomy::category(category).map_or(category.to_string(), |c| c.name.to_lowercase())
}

/// Gives each finding its stable key: kind, category and playbook entry, numbered when the
/// same combination occurs more than once. Clauses without a real index lose the placeholder.
fn number_keys(findings: &mut [Finding]) {
    let mut seen: HashMap<String, usize> = HashMap::new();
    for finding in findings.iter_mut() {
        let base = format!(
            "{}:{}:{}",
            serde_json::to_value(finding.kind)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default(),
            finding.category,
            finding.playbook_entry.as_deref().unwrap_or("type")
        );
        let n = seen.entry(base.clone()).or_insert(0);
        *n += 1;
        finding.key = if *n == 1 { base } else { format!("{base}:{n}") };
        if finding.clause == Some(usize::MAX) {
            finding.clause = None;
        }
    }
}

/// Categories present in the document with their best confidence, for summaries.
pub fn categories_present(labels: &[Label]) -> BTreeMap<&'static str, f32> {
    let mut out = BTreeMap::new();
    for label in labels {
        let best = out.entry(label.category).or_insert(0.0f32);
        *best = best.max(label.confidence);
    }
    out
}

/// Spans are ordered by where they begin, for stable output.
pub fn sort_by_position(findings: &mut [Finding]) {
    findings.sort_by_key(|f| (f.span.map_or(usize::MAX, |s: Span| s.start), f.key.clone()));
}
