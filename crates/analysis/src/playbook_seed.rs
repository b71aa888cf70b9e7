//! The seeded default playbook: sensible positions on the clauses most often negotiated, for
//! a firm that reviews contracts from either side. Administrators edit these through the API;
//! the seed never overwrites an edited entry.

use crate::playbook::{Entry, EntryKind, Rule, Severity};

fn entry(id: &str, kind: EntryKind, title: &str, category: Option<&str>, text: &str) -> Entry {
    Entry {
        id: format!("seed:{id}"),
        kind,
        title: title.into(),
        category: category.map(Into::into),
        doc_types: Vec::new(),
        severity: Severity::Medium,
        text: text.into(),
        alternatives: Vec::new(),
        rule: None,
        medium_from: None,
        high_from: None,
        enabled: true,
    }
}

fn position(
    id: &str,
    category: &str,
    title: &str,
    text: &str,
    rule: Rule,
    severity: Severity,
) -> Entry {
    Entry {
        rule: Some(rule),
        severity,
        ..entry(id, EntryKind::Position, title, Some(category), text)
    }
}

fn language(id: &str, category: &str, title: &str, text: &str) -> Entry {
    entry(
        id,
        EntryKind::PreferredLanguage,
        title,
        Some(category),
        text,
    )
}

/// Commercial agreements where liability, indemnity and termination positions matter.
const COMMERCIAL: &[&str] = &[
    "master_services",
    "statement_of_work",
    "software_license",
    "purchase_supply",
    "distribution",
    "strategic_alliance",
    "consulting",
    "other",
];

fn commercial(mut e: Entry) -> Entry {
    e.doc_types = COMMERCIAL.iter().map(|t| t.to_string()).collect();
    e
}

pub fn entries() -> Vec<Entry> {
    let mut out = vec![
        commercial(position(
            "liability_cap",
            "cap_on_liability",
            "Liability is capped at twelve months' fees",
            "Each party's aggregate liability is capped at the fees paid or payable in the twelve \
             months before the claim.",
            Rule::CapAtMostMonths { months: 12 },
            Severity::High,
        )),
        commercial(position(
            "liability_cap_present",
            "cap_on_liability",
            "A liability cap is required",
            "Every commercial agreement limits each party's liability.",
            Rule::Required,
            Severity::High,
        )),
        commercial(position(
            "uncapped_liability",
            "uncapped_liability",
            "Uncapped liability only for the usual carve-outs",
            "Liability may be uncapped only for indemnified third-party claims, breach of \
             confidentiality, gross negligence, wilful misconduct and fraud.",
            Rule::Prohibited,
            Severity::Medium,
        )),
        commercial(position(
            "indemnity_mutual",
            "indemnification",
            "Indemnities are mutual",
            "Each party indemnifies the other for third-party claims arising from its own breach, \
             negligence or infringement.",
            Rule::Mutual,
            Severity::Medium,
        )),
        commercial(position(
            "auto_renewal",
            "renewal_term",
            "Automatic renewal needs at least 60 days' notice to opt out",
            "Prefer no automatic renewal; accept it with at least sixty days' notice of \
             non-renewal.",
            Rule::RenewalNoticeAtLeastDays { days: 60 },
            Severity::Medium,
        )),
        commercial(position(
            "termination_for_convenience",
            "termination_for_convenience",
            "A right to terminate for convenience",
            "Our client may terminate for convenience on thirty days' written notice.",
            Rule::Required,
            Severity::Low,
        )),
        position(
            "assignment",
            "anti_assignment",
            "Assignment only with consent",
            "Neither party may assign without the other's prior written consent, except to an \
             affiliate or a successor to the business.",
            Rule::Required,
            Severity::Low,
        ),
        position(
            "governing_law",
            "governing_law",
            "Governing law of a familiar jurisdiction",
            "The agreement is governed by the law of New York, Delaware or England and Wales.",
            Rule::LawIn {
                jurisdictions: vec![
                    "New York".into(),
                    "Delaware".into(),
                    "England and Wales".into(),
                ],
            },
            Severity::Low,
        ),
        position(
            "confidentiality",
            "confidentiality",
            "Confidentiality obligations are required",
            "Each party keeps the other's confidential information secret for the term and at \
             least three years after.",
            Rule::Required,
            Severity::Medium,
        ),
        position(
            "ip_ownership",
            "ip_ownership_assignment",
            "IP assignment is reviewed",
            "The customer owns deliverables made for it; each party keeps its pre-existing \
             intellectual property. Any assignment of IP needs a lawyer's look.",
            Rule::Prohibited,
            Severity::Low,
        ),
        position(
            "non_compete",
            "non_compete",
            "Non-competes last at most twelve months",
            "We do not accept non-competes longer than twelve months or without a limited scope.",
            Rule::DurationAtMostMonths { months: 12 },
            Severity::High,
        ),
        Entry {
            rule: Some(Rule::RequiredWhenMentioned {
                mentions: vec!["personal data".into(), "personal information".into()],
            }),
            severity: Severity::High,
            ..entry(
                "data_protection",
                EntryKind::Regulatory,
                "Data protection terms where personal data is processed",
                Some("data_protection"),
                "An agreement under which personal data is processed must contain data protection \
                 terms (GDPR Article 28 processor terms, or the equivalent).",
            )
        },
        Entry {
            medium_from: Some(30),
            high_from: Some(60),
            ..entry(
                "risk_bands",
                EntryKind::RiskThreshold,
                "Risk bands",
                None,
                "A document scoring 30 or more is medium risk; 60 or more is high risk.",
            )
        },
        Entry {
            alternatives: vec!["Capitalise when used as the defined term.".into()],
            ..entry(
                "term_confidential_information",
                EntryKind::Terminology,
                "Confidential Information",
                Some("confidentiality"),
                "Non-public information disclosed by one party to the other that is marked \
                 confidential or would reasonably be understood to be confidential.",
            )
        },
        entry(
            "term_affiliate",
            EntryKind::Terminology,
            "Affiliate",
            None,
            "An entity that controls, is controlled by or is under common control with a party, \
             where control means more than fifty percent of the voting interests.",
        ),
        language(
            "language_liability_cap",
            "cap_on_liability",
            "Mutual liability cap",
            "Except for the Excluded Claims, each party's total aggregate liability arising out of \
             or relating to this Agreement will not exceed the fees paid and payable by Customer \
             under this Agreement in the twelve (12) months preceding the event giving rise to \
             the claim.",
        ),
        language(
            "language_renewal",
            "renewal_term",
            "Renewal on notice",
            "This Agreement will renew for successive one-year terms unless either party gives \
             written notice of non-renewal at least sixty (60) days before the end of the \
             then-current term.",
        ),
        language(
            "language_assignment",
            "anti_assignment",
            "Assignment",
            "Neither party may assign this Agreement without the other party's prior written \
             consent, not to be unreasonably withheld, except to an Affiliate or to a successor \
             to all or substantially all of its business to which this Agreement relates.",
        ),
        language(
            "language_governing_law",
            "governing_law",
            "Governing law",
            "This Agreement is governed by the laws of the State of New York, without regard to \
             its conflict of laws rules.",
        ),
        language(
            "language_termination_for_convenience",
            "termination_for_convenience",
            "Termination for convenience",
            "Customer may terminate this Agreement for convenience on thirty (30) days' written \
             notice to Supplier.",
        ),
        language(
            "language_indemnity",
            "indemnification",
            "Mutual indemnity",
            "Each party will defend and indemnify the other against third-party claims to the \
             extent arising from its breach of this Agreement, its negligence or wilful \
             misconduct, or its infringement of a third party's intellectual property rights.",
        ),
        language(
            "language_confidentiality",
            "confidentiality",
            "Confidentiality",
            "Each party will use the other's Confidential Information only to perform this \
             Agreement, will not disclose it except to those who need to know it and are bound \
             by similar obligations, and will protect it with at least reasonable care.",
        ),
        language(
            "language_non_compete",
            "non_compete",
            "Limited non-compete",
            "For twelve (12) months after the end of this Agreement, neither party will offer \
             the products described in Schedule A to the customers it served under this \
             Agreement.",
        ),
    ];
    if let Some(cap) = out.iter_mut().find(|e| e.id == "seed:liability_cap") {
        cap.alternatives = vec![
            "Up to twenty-four months' fees for data breach claims.".into(),
            "A fixed amount agreed per deal, if at least the annual fees.".into(),
        ];
    }
    out
}
