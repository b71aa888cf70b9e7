//! The firm's playbook and the risk it implies for one contract.
//!
//! A playbook holds entries of five kinds: terminology (a term, its definition and usage
//! notes), position standards (for a clause category: our position, the fallbacks we accept,
//! and optionally a [`Rule`] the built-in engine can check), preferred language, risk
//! thresholds (where a document's score turns medium or high) and regulatory requirements.
//! [`default_playbook`] is what a new installation is seeded with; administrators edit it.
//!
//! Findings come from the playbook's rules and from the clauses a document of its type is
//! expected to hold. The document score is `100 × (1 − Π(1 − wᵢ))` over the findings' weights
//! (high 0.30, medium 0.12, low 0.04): each finding adds less as the score nears 100, and the
//! explanation lists every contribution.

use serde::{Deserialize, Serialize};

use crate::span::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Low,
    Medium,
    High,
}

impl Severity {
    /// Share of the remaining distance to 100 one finding of this severity adds to the score.
    pub fn weight(self) -> f64 {
        match self {
            Severity::High => 0.30,
            Severity::Medium => 0.12,
            Severity::Low => 0.04,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
        }
    }
}

/// The five kinds of playbook entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    Terminology,
    Position,
    PreferredLanguage,
    RiskThreshold,
    Regulatory,
}

impl EntryKind {
    pub const ALL: [EntryKind; 5] = [
        EntryKind::Terminology,
        EntryKind::Position,
        EntryKind::PreferredLanguage,
        EntryKind::RiskThreshold,
        EntryKind::Regulatory,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Terminology => "terminology",
            EntryKind::Position => "position",
            EntryKind::PreferredLanguage => "preferred_language",
            EntryKind::RiskThreshold => "risk_threshold",
            EntryKind::Regulatory => "regulatory",
        }
    }
}

/// A check the built-in engine can run for a position or a regulatory requirement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "check", rename_all = "snake_case")]
pub enum Rule {
    /// The category must be present.
    Required,
    /// The category must not be present.
    Prohibited,
    /// The liability cap may not exceed this many months of fees, nor a multiple above one.
    CapAtMostMonths { months: u32 },
    /// Automatic renewal needs at least this much notice to opt out.
    RenewalNoticeAtLeastDays { days: u32 },
    /// A restriction (non-compete) may last at most this long.
    DurationAtMostMonths { months: u32 },
    /// The governing law must be one of these jurisdictions.
    LawIn { jurisdictions: Vec<String> },
    /// The clause must bind both parties alike.
    Mutual,
    /// Required when the text mentions `mentions` (case-insensitive words).
    RequiredWhenMentioned { mentions: Vec<String> },
}

/// One playbook entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Stable identifier: the seed's entries are `seed:<name>`; edited ones keep theirs.
    pub id: String,
    pub kind: EntryKind,
    pub title: String,
    /// The clause category (taxonomy id) the entry is about, when it is about one.
    #[serde(default)]
    pub category: Option<String>,
    /// Document types (taxonomy ids) the entry applies to; empty for all.
    #[serde(default)]
    pub doc_types: Vec<String>,
    #[serde(default = "default_severity")]
    pub severity: Severity,
    /// Free text: the definition, our position, the preferred clause or the requirement.
    pub text: String,
    /// Usage notes (terminology) or the fallbacks we accept (positions), one per item.
    #[serde(default)]
    pub alternatives: Vec<String>,
    #[serde(default)]
    pub rule: Option<Rule>,
    /// For a risk threshold: the score from which a document is medium and high risk.
    #[serde(default)]
    pub medium_from: Option<u8>,
    #[serde(default)]
    pub high_from: Option<u8>,
    #[serde(default = "enabled")]
    pub enabled: bool,
}

fn default_severity() -> Severity {
    Severity::Medium
}

fn enabled() -> bool {
    true
}

impl Entry {
    /// Whether the entry applies to a document of type `doc_type`.
    pub fn applies_to(&self, doc_type: &str) -> bool {
        self.enabled && (self.doc_types.is_empty() || self.doc_types.iter().any(|t| t == doc_type))
    }
}

/// A firm's playbook: its entries, in the order they were written.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Playbook {
    pub entries: Vec<Entry>,
}

impl Playbook {
    /// The entries that apply to a document of type `doc_type`: the playbook stage's retrieval.
    pub fn relevant(&self, doc_type: &str) -> Playbook {
        Playbook {
            entries: self
                .entries
                .iter()
                .filter(|e| e.applies_to(doc_type))
                .cloned()
                .collect(),
        }
    }

    /// Preferred language for a category, if the playbook has some.
    pub fn preferred_language(&self, category: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| {
            e.enabled
                && e.kind == EntryKind::PreferredLanguage
                && e.category.as_deref() == Some(category)
        })
    }

    /// The score bands: (medium from, high from).
    pub fn thresholds(&self) -> (u8, u8) {
        self.entries
            .iter()
            .find(|e| e.enabled && e.kind == EntryKind::RiskThreshold)
            .map(|e| (e.medium_from.unwrap_or(30), e.high_from.unwrap_or(60)))
            .unwrap_or((30, 60))
    }
}

/// A reason for a reviewer's attention.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// Stable across reprocessing of the same text, so a reviewer's decision stays with it.
    pub key: String,
    pub kind: FindingKind,
    pub category: String,
    pub severity: Severity,
    pub title: String,
    pub explanation: String,
    /// The playbook entry it relates to.
    pub playbook_entry: Option<String>,
    /// The playbook's preferred language, else its first fallback.
    pub suggested_language: Option<String>,
    /// The text it is about; none for a missing clause.
    pub span: Option<Span>,
    /// Index of the clause it is about.
    pub clause: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// The clause departs from the firm's position.
    Deviation,
    /// A clause the playbook or the document type calls for is absent.
    Missing,
    /// A clause present that the playbook flags.
    Flagged,
}

/// The document score and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RiskScore {
    pub score: u8,
    pub level: Severity,
    /// One line per finding that moved the score, largest first, with its points.
    pub explanation: Vec<Contribution>,
    pub summary: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contribution {
    pub finding: String,
    pub severity: Severity,
    pub points: f64,
}

/// Scores `findings` against the playbook's thresholds.
pub fn score(findings: &[Finding], playbook: &Playbook) -> RiskScore {
    let mut ordered: Vec<&Finding> = findings.iter().collect();
    ordered.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.key.cmp(&b.key)));
    let mut remaining = 1.0f64;
    let mut explanation = Vec::new();
    for finding in ordered {
        let points = remaining * finding.severity.weight() * 100.0;
        remaining *= 1.0 - finding.severity.weight();
        explanation.push(Contribution {
            finding: finding.title.clone(),
            severity: finding.severity,
            points: (points * 10.0).round() / 10.0,
        });
    }
    let score = ((1.0 - remaining) * 100.0).round().clamp(0.0, 100.0) as u8;
    let (medium_from, high_from) = playbook.thresholds();
    let level = if score >= high_from {
        Severity::High
    } else if score >= medium_from {
        Severity::Medium
    } else {
        Severity::Low
    };
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    let summary = format!(
        "{score}/100, {} risk: {} high, {} medium and {} low findings (medium from {medium_from}, \
         high from {high_from}).",
        level.as_str(),
        count(Severity::High),
        count(Severity::Medium),
        count(Severity::Low),
    );
    RiskScore {
        score,
        level,
        explanation,
        summary,
    }
}

/// The playbook a new installation starts with: positions a careful in-house team would take
/// on the clauses most often negotiated.
pub fn default_playbook() -> Playbook {
    Playbook {
        entries: super::playbook_seed::entries(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(severity: Severity, key: &str) -> Finding {
        Finding {
            key: key.into(),
            kind: FindingKind::Missing,
            category: "cap_on_liability".into(),
            severity,
            title: format!("{key} finding"),
            explanation: String::new(),
            playbook_entry: None,
            suggested_language: None,
            span: None,
            clause: None,
        }
    }

    #[test]
    fn the_score_grows_with_each_finding_and_explains_every_point() {
        let playbook = default_playbook();
        let none = score(&[], &playbook);
        assert_eq!((none.score, none.level), (0, Severity::Low));

        let one = score(&[finding(Severity::High, "a")], &playbook);
        assert_eq!(one.score, 30);
        let many: Vec<Finding> = (0..10)
            .map(|i| finding(Severity::High, &i.to_string()))
            .collect();
        let many = score(&many, &playbook);
        assert!(many.score > 95 && many.score <= 100, "{}", many.score);
        assert_eq!(many.level, Severity::High);
        let total: f64 = many.explanation.iter().map(|c| c.points).sum();
        assert!((total - f64::from(many.score)).abs() < 1.0, "{total}");
    }

    #[test]
    fn the_default_playbook_covers_every_kind_and_entries_have_unique_ids() {
        let playbook = default_playbook();
        for kind in EntryKind::ALL {
            assert!(playbook.entries.iter().any(|e| e.kind == kind), "{kind:?}");
        }
        let mut ids: Vec<_> = playbook.entries.iter().map(|e| e.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), playbook.entries.len());
        for entry in &playbook.entries {
            if let Some(category) = &entry.category {
                assert!(crate::taxonomy::category(category).is_some(), "{category}");
            }
        }
    }

    #[test]
    fn an_entry_round_trips_through_json_as_the_admin_api_stores_it() {
        for entry in default_playbook().entries {
            let json = serde_json::to_value(&entry).expect("serialises");
            let back: Entry = serde_json::from_value(json).expect("deserialises");
            assert_eq!(back, entry);
        }
    }
}
