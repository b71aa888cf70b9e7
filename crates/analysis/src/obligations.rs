//! Obligations: who must do what, by when or how often, citing the sentence that says so.
//!
//! An obligation is a sentence whose subject is a party (by name, defined name, role or "each
//! party") followed by "shall", "must", "will", "agrees to" or "is required to". "Shall not"
//! makes it a restriction. Definitions ("shall mean"), deeming provisions and rights ("may")
//! are not obligations. The deadline is the first "within N days ...", "no later than ...",
//! "on or before ..." or "prior to ..." phrase; the frequency the first "monthly", "each
//! quarter", "annually" or similar.

use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

use crate::fields::Party;
use crate::segment::Clause;
use crate::span::Span;
use crate::text;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Obligation {
    /// The party bound, as the contract names it.
    pub party: String,
    /// What it must do, from the verb to the end of the sentence, trimmed.
    pub action: String,
    #[serde(rename = "type")]
    pub kind: ObligationKind,
    /// The deadline as written ("within thirty (30) days after receipt of an invoice").
    pub due: Option<String>,
    /// How often ("monthly", "annually"), when it recurs.
    pub recurrence: Option<&'static str>,
    pub span: Span,
    pub clause: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ObligationKind {
    /// Something to do.
    Duty,
    /// Something not to do.
    Restriction,
}

static MODAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        "(?i)\\b(shall|must|will|agrees? to|undertakes? to|(?:is|are) required to|\
            covenants? to)\\s+(not\\s+)?",
    )
    .expect("modal pattern")
});

static NOT_AN_OBLIGATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        "(?i)^(?:mean|be deemed|be construed|have the meaning|include|survive|apply|\
        be governed|be entitled|have the right|be effective|become effective|commence|continue|\
        remain|terminate|expire|be binding|inure)\\b",
    )
    .expect("non-obligation pattern")
});

static DUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        "(?i)\\b(?:within|no later than|not later than|on or before|prior to|before|\
        by)\\s+[^,;.]{3,80}",
    )
    .expect("deadline pattern")
});

static DUE_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        "(?i)\\b(?:day|days|week|weeks|month|months|year|years|business|date|end|\
        expiration|termination|january|february|march|april|may|june|july|august|september|\
        october|november|december|\\d)",
    )
    .expect("deadline words pattern")
});

static RECURRENCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        "(?i)\\b(daily|weekly|monthly|quarterly|annually|yearly|semi-annually|\
        each (?:calendar )?(?:day|week|month|quarter|year)|every (?:day|week|month|quarter|year)|\
        per (?:month|quarter|year|annum))\\b",
    )
    .expect("recurrence pattern")
});

/// Generic subjects that bind someone without naming a party.
const GENERIC_SUBJECTS: &[&str] = &[
    "each party",
    "either party",
    "both parties",
    "the parties",
    "neither party",
    "each of the parties",
];

/// Role words that name a party when the preamble's defined names were not found.
const ROLES: &[&str] = &[
    "company",
    "customer",
    "supplier",
    "vendor",
    "provider",
    "licensor",
    "licensee",
    "buyer",
    "seller",
    "purchaser",
    "contractor",
    "consultant",
    "distributor",
    "employee",
    "executive",
    "employer",
    "borrower",
    "lender",
    "tenant",
    "landlord",
    "lessee",
    "lessor",
    "client",
    "manufacturer",
    "agent",
    "franchisee",
    "franchisor",
    "owner",
    "recipient",
    "discloser",
    "disclosing party",
    "receiving party",
    "reseller",
    "partner",
    "service provider",
];

/// The obligations in `clauses`, binding the given parties or a role.
pub fn find(text: &str, clauses: &[Clause], parties: &[Party]) -> Vec<Obligation> {
    let names = subject_names(parties);
    let mut out = Vec::new();
    for (index, clause) in clauses.iter().enumerate() {
        for sentence in text::sentences(clause.span.of(text)) {
            let span = sentence.shift(clause.span.start);
            if let Some(obligation) = read(span.of(text), &names) {
                out.push(Obligation {
                    span,
                    clause: index,
                    ..obligation
                });
            }
        }
    }
    out
}

/// Lower-cased names a subject may take, longest first so "Disclosing Party" wins over "Party".
fn subject_names(parties: &[Party]) -> Vec<String> {
    let mut names: Vec<String> = parties
        .iter()
        .flat_map(|p| {
            let aliases = p.aliases.iter().map(|a| a.name.to_lowercase());
            std::iter::once(p.name.to_lowercase())
                .chain(aliases)
                .chain(p.role.iter().map(|r| r.to_lowercase()))
        })
        .chain(GENERIC_SUBJECTS.iter().map(|s| s.to_string()))
        .chain(ROLES.iter().map(|s| s.to_string()))
        .filter(|n| n.len() >= 2)
        .collect();
    names.sort_by_key(|n| std::cmp::Reverse(n.len()));
    names.dedup();
    names
}

/// Reads one sentence; the span and clause are filled in by the caller.
fn read(sentence: &str, names: &[String]) -> Option<Obligation> {
    let modal = MODAL.captures(sentence)?;
    let whole = modal.get(0)?;
    let subject = sentence[..whole.start()].trim();
    let party = subject_party(subject, names)?;
    let action_text = sentence[whole.end()..].trim();
    let passive = action_text.starts_with("be ") && !action_text.starts_with("be responsible");
    if passive
        || NOT_AN_OBLIGATION.is_match(action_text)
        || action_text.split_whitespace().count() < 2
    {
        return None;
    }
    let negative = modal.get(2).is_some() || party.eq_ignore_ascii_case("neither party");
    let due = DUE
        .find(action_text)
        .map(|m| m.as_str().trim().to_string())
        .filter(|d| DUE_WORDS.is_match(d));
    let recurrence = RECURRENCE
        .find(sentence)
        .map(|m| normalise_recurrence(m.as_str()));
    let action: String = action_text
        .trim_end_matches(['.', ';', ':'])
        .chars()
        .take(300)
        .collect();
    Some(Obligation {
        party,
        action,
        kind: if negative {
            ObligationKind::Restriction
        } else {
            ObligationKind::Duty
        },
        due,
        recurrence,
        span: Span::new(0, 0),
        clause: 0,
    })
}

/// The party a sentence's subject names: the subject must end with a known name ("In that
/// case, the Supplier" is the Supplier).
fn subject_party(subject: &str, names: &[String]) -> Option<String> {
    let trimmed = subject.trim_end_matches([',', ')', ' ', '"', '\u{201d}']);
    let lower = trimmed.to_lowercase();
    if lower.len() != trimmed.len() {
        // Lower-casing changed byte lengths (rare scripts): offsets would not line up.
        return None;
    }
    names.iter().find_map(|name| {
        let before = lower.strip_suffix(name.as_str())?;
        let boundary = before.is_empty() || before.ends_with([' ', '(', '"', '\u{201c}', ',']);
        boundary.then(|| trimmed[before.len()..].to_string())
    })
}

fn normalise_recurrence(found: &str) -> &'static str {
    let lower = found.to_lowercase();
    if lower.contains("day") || lower == "daily" {
        "daily"
    } else if lower.contains("week") {
        "weekly"
    } else if lower.contains("semi") {
        "semi-annually"
    } else if lower.contains("quarter") {
        "quarterly"
    } else if lower.contains("month") {
        "monthly"
    } else {
        "annually"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(sentence: &str) -> Option<Obligation> {
        let names = subject_names(&[]);
        read(sentence, &names)
    }

    #[test]
    fn a_party_that_shall_pay_within_a_period_is_a_duty_with_a_deadline() {
        // CUAD (CC BY 4.0, The Atticus Project) style payment clause.
        let o = one(
            "Distributor shall pay all invoices within thirty (30) days after the date \
                     of invoice.",
        )
        .expect("an obligation");
        assert_eq!(o.party, "Distributor");
        assert_eq!(o.kind, ObligationKind::Duty);
        assert_eq!(
            o.due.as_deref(),
            Some("within thirty (30) days after the date of invoice")
        );
        assert!(o.action.starts_with("pay all invoices"));
    }

    #[test]
    fn shall_not_is_a_restriction_and_reports_recur() {
        let o = one(
            "The Receiving Party shall not disclose Confidential Information to any third \
                     party.",
        )
        .expect("an obligation");
        assert_eq!(o.kind, ObligationKind::Restriction);
        assert_eq!(o.party, "Receiving Party");
        let o = one("Licensee shall deliver a royalty report to Licensor quarterly.")
            .expect("an obligation");
        assert_eq!(o.recurrence, Some("quarterly"));
    }

    #[test]
    fn definitions_rights_and_prose_are_not_obligations() {
        assert!(one("\"Territory\" shall mean the United States.").is_none());
        assert!(one("This Agreement shall be governed by the laws of Delaware.").is_none());
        assert!(one("Customer may terminate this Agreement at any time.").is_none());
        assert!(one("The weather will be fine tomorrow.").is_none());
    }
}
