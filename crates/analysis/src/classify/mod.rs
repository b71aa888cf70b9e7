//! The document type of a text, with a confidence; whether it is a contract at all; its title
//! as written; and, for an amendment, the type of agreement it amends.
//!
//! Layout:
//! - `screen`: empty, too short, not English, or not contract language: no type is assigned.
//! - `title`: the title as written and its span, plus the other headings near the top;
//!   `title::lines` turns the head of the text into lines of tokens.
//! - `cues`: what a title says: an ordered phrase table, and the amendment reading.
//! - `profile`: per-type vocabulary scores over the whole text.
//! - `eval`: accuracy on a labelled dataset (the EDGAR doctypes layout) and title spans
//!   against CUAD's "Document Name" labels.
//!
//! The type is a softmax over evidence: the title's cue (worth the most: a document that says
//! "CREDIT AGREEMENT" at the top is one), the cues of other headings in the first pages, and
//! the vocabulary profile, which decides when the title is missing or generic ("AGREEMENT",
//! a letter). No weights are learned; every rule is in `cues` and `profile`, written from the
//! vocabulary of each agreement type and checked against the development datasets.
//!
//! # The taxonomy
//!
//! Each type, what it covers, and which labels of the development datasets map to it
//! (doctypes: EDGAR exhibits by filing folder; CUAD: its `contract_type`):
//!
//! - `nda`: non-disclosure and confidentiality agreements, one-way or mutual, including
//!   confidentiality letters for a possible transaction. ContractNLI (all); the NDA forms.
//! - `master_services`: agreements for services over time: master and professional services,
//!   outsourcing, maintenance and support, hosting of the customer's systems, transportation,
//!   servicing. CUAD Service, Outsourcing, Maintenance, Transportation, and Hosting unless the
//!   title also licenses software.
//! - `statement_of_work`: a statement of work, work order, task order or order form issued
//!   under a master agreement.
//! - `software_license`: licences of software, SaaS and cloud subscriptions, and licences
//!   paired with hosting of the licensed software. doctypes `software_license`; CUAD Hosting
//!   titled "License and Hosting".
//! - `employment`: employment agreements and offer letters. doctypes `employment` (its
//!   consulting agreements are `consulting` here).
//! - `severance`: severance, separation and release agreements, change-in-control agreements,
//!   severance plans. doctypes `severance`.
//! - `credit`: credit and loan agreements, facilities, notes, guaranties, security and pledge
//!   agreements, mortgages and deeds of trust. Construction loans are credit: the document is
//!   the lender's, about the loan (doctypes files some under `construction`).
//! - `lease`: real-estate and equipment leases and subleases.
//! - `construction`: construction, EPC, design-build, construction-management and
//!   shipbuilding contracts. doctypes `construction`.
//! - `purchase_supply`: supply, manufacturing, purchase (of goods) and OEM agreements. CUAD
//!   Supply, Manufacturing.
//! - `distribution`: distribution, distributor, reseller, dealer and remarketing agreements.
//!   CUAD Distributor, Reseller.
//! - `strategic_alliance`: joint ventures, strategic alliances, collaboration and cooperation
//!   agreements, co-branding, co-promotion and joint development. CUAD Strategic Alliance,
//!   Joint Venture, Collaboration, Co_Branding.
//! - `consulting`: consulting, advisory and independent-contractor agreements. CUAD
//!   Consulting.
//! - `benefit_plan`: retirement, pension, deferred-compensation, incentive, bonus and stock
//!   plans, their trusts and joinders, and award agreements under them. doctypes `retirement`.
//! - `amendment`: amendments, addenda, supplements, modifications, riders and change orders;
//!   `amends` names the amended type. Amendments in every dataset.
//! - `other`: every other agreement: M&A and securities documents, franchise, sponsorship,
//!   endorsement, trademark and content licences, IP agreements, joint filing agreements,
//!   non-competes. CUAD Franchise, Sponsorship, Endorsement, IP, Agency, Affiliate,
//!   Marketing, Promotion, Non_Compete, Joint Venture _ Filing, License_Agreements (trademark
//!   and content licences).
//!
//! An "Amended and Restated X Agreement" replaces the original and is classified as X, not as
//! an amendment. CUAD's Development contracts split by title: joint development goes to
//! `strategic_alliance`, development with a licence to `software_license`, the rest to
//! `other` unless their vocabulary points elsewhere.
//!
//! Known limits: only English is typed; a title that names one type over a body of another
//! (an exhibit filed under the wrong description) is read by its title; letters without a
//! title rely on vocabulary alone and get lower confidence.

mod cues;
mod eval;
mod profile;
mod screen;
mod title;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

pub use eval::{eval_cuad, eval_doctypes};
pub use screen::{MIN_WORDS, NotContract, NotContractKind};

use crate::span::Span;
use crate::taxonomy::DocType;
use cues::Strength;
use title::{Heading, HeadingKind};

/// What the classifier concluded about a text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Classification {
    /// `other` when the text is not a contract.
    pub doc_type: DocType,
    /// Probability of `doc_type`, 0..1: above 0.9 when the title names the type plainly and
    /// the vocabulary agrees; 0 when the text is not a contract.
    pub confidence: f32,
    /// For an amendment, the type of the agreement it amends.
    pub amends: Option<DocType>,
    /// The title as written (whitespace collapsed) and its span in the text.
    pub title: Option<(String, Span)>,
    pub is_contract: bool,
    /// Why the text is not a contract, when it is not.
    pub reason: Option<NotContract>,
    /// The most likely types with their probabilities, best first (at most [`MAX_SCORES`]).
    pub scores: Vec<(DocType, f32)>,
}

/// How many alternatives `scores` lists.
pub const MAX_SCORES: usize = 4;

/// Weight of the title's cue when it names the type plainly. Large enough that a title
/// outvotes a body whose vocabulary leans elsewhere (a severance agreement full of
/// employment words), not so large that nothing could.
const TITLE_PLAIN: f32 = 6.0;

/// Weight of the title's cue when it only leans ("LICENSE AGREEMENT").
const TITLE_WEAK: f32 = 2.0;

/// Weight of each other heading's cue in the first pages (EDGAR's filing description, a
/// cover page), per type.
const HEADING_PLAIN: f32 = 2.0;
const HEADING_WEAK: f32 = 0.7;

/// How far into the text other headings count, in bytes.
const HEADINGS_BYTES: usize = 3000;

/// Scale from vocabulary score to evidence: a credit agreement's profile scores about 20
/// for credit and 5 for the next type.
const PROFILE_SCALE: f32 = 0.3;

/// Evidence for `other` before any cue: a text whose vocabulary points nowhere in particular
/// is some other agreement.
const OTHER_BASELINE: f32 = 1.0;

/// Confidence of the amendment reading when the title says so, and when only the opening
/// sentence does ("This Amendment ...").
const AMENDMENT_BY_TITLE: f32 = 0.95;
const AMENDMENT_BY_OPENING: f32 = 0.8;

/// The types the classifier chooses among; amendments are read separately.
const BASE_TYPES: [DocType; 15] = [
    DocType::Nda,
    DocType::MasterServices,
    DocType::StatementOfWork,
    DocType::SoftwareLicense,
    DocType::Employment,
    DocType::Severance,
    DocType::Credit,
    DocType::Lease,
    DocType::Construction,
    DocType::PurchaseSupply,
    DocType::Distribution,
    DocType::StrategicAlliance,
    DocType::Consulting,
    DocType::BenefitPlan,
    DocType::Other,
];

/// Classifies `text`: its type, whether it is a contract, its title, what it amends.
pub fn classify(text: &str) -> Classification {
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let headings = title::headings(text);
    let chosen = title::choose(&headings);
    let title = chosen.map(|h| (h.text.clone(), h.span));

    let titled = chosen.is_some_and(|h| h.kind != HeadingKind::Bare);
    if let Err(reason) = screen::screen(text, &words, titled) {
        return not_a_contract(title, reason);
    }

    let amendment = amendment_reading(text, chosen);
    let evidence = evidence(&words, &headings, chosen, amendment.as_ref());
    let probabilities = evidence.probabilities();
    if let Some(amendment) = amendment {
        return amendment_result(title, amendment, &probabilities);
    }

    let (doc_type, confidence) = probabilities[0];
    Classification {
        doc_type,
        confidence,
        amends: None,
        title,
        is_contract: true,
        reason: None,
        scores: probabilities.into_iter().take(MAX_SCORES).collect(),
    }
}

fn not_a_contract(title: Option<(String, Span)>, reason: NotContract) -> Classification {
    Classification {
        doc_type: DocType::Other,
        confidence: 0.0,
        amends: None,
        title,
        is_contract: false,
        reason: Some(reason),
        scores: Vec::new(),
    }
}

/// A text read as an amendment.
struct AmendmentReading {
    /// [`AMENDMENT_BY_TITLE`] or [`AMENDMENT_BY_OPENING`].
    confidence: f32,
    /// The amended type, when the title or the opening names it.
    amends: Option<DocType>,
}

/// The amendment reading of `text`, when its title is an amendment's ("Amendment No. 2 to
/// ...") or its opening says "This Amendment". A restated agreement is not an amendment.
fn amendment_reading(text: &str, chosen: Option<&Heading>) -> Option<AmendmentReading> {
    let normal_title = chosen.map(|h| cues::normalise(&h.text));
    let by_title = normal_title.as_deref().and_then(cues::amendment);
    let restated = normal_title
        .as_deref()
        .is_some_and(|t| t.contains("restated"));
    let confidence = if by_title.is_some() {
        AMENDMENT_BY_TITLE
    } else if !restated && opens_as_amendment(text, chosen) {
        AMENDMENT_BY_OPENING
    } else {
        return None;
    };
    let amends = amended_type(text, chosen, by_title.as_ref());
    Some(AmendmentReading { confidence, amends })
}

/// The result for an amendment: the amended type named by its title or opening, else the
/// most likely type of its body.
fn amendment_result(
    title: Option<(String, Span)>,
    amendment: AmendmentReading,
    probabilities: &[(DocType, f32)],
) -> Classification {
    let confidence = amendment.confidence;
    let amends = amendment
        .amends
        .or_else(|| probabilities.first().map(|(t, _)| *t));
    let rest = probabilities
        .iter()
        .map(|&(t, p)| (t, p * (1.0 - confidence)));
    Classification {
        doc_type: DocType::Amendment,
        confidence,
        amends,
        title,
        is_contract: true,
        reason: None,
        scores: std::iter::once((DocType::Amendment, confidence))
            .chain(rest)
            .take(MAX_SCORES)
            .collect(),
    }
}

/// Evidence per base type, in log-odds units.
struct Evidence(HashMap<DocType, f32>);

impl Evidence {
    fn add(&mut self, doc_type: DocType, amount: f32) {
        *self.0.entry(doc_type).or_insert(0.0) += amount;
    }

    /// The cue of the chosen (normalised) title, and the other types it also names.
    fn add_title(&mut self, title: &str) {
        if let Some((doc_type, strength)) = cues::type_of(title) {
            self.add(doc_type, weight(strength, TITLE_PLAIN, TITLE_WEAK));
        }
        for doc_type in cues::also_named(title) {
            self.add(doc_type, HEADING_PLAIN);
        }
    }

    /// The cues of the other headings in the first pages, once per type. Amendment headings
    /// are left out: they name the amended type, not this document's.
    fn add_headings(&mut self, headings: &[Heading], chosen: Option<&Heading>) {
        let mut seen = Vec::new();
        let others = headings.iter().filter(|h| {
            h.kind != HeadingKind::Bare
                && h.span.start < HEADINGS_BYTES
                && chosen.is_none_or(|c| c.span != h.span)
        });
        for heading in others {
            let normal = cues::normalise(&heading.text);
            if cues::amendment(&normal).is_some() {
                continue;
            }
            if let Some((doc_type, strength)) = cues::type_of(&normal)
                && !seen.contains(&doc_type)
            {
                seen.push(doc_type);
                self.add(doc_type, weight(strength, HEADING_PLAIN, HEADING_WEAK));
            }
        }
    }

    /// Softmax over the base types, best first.
    fn probabilities(&self) -> Vec<(DocType, f32)> {
        let value = |t: &DocType| self.0.get(t).copied().unwrap_or(0.0);
        let top = BASE_TYPES.iter().map(value).fold(f32::MIN, f32::max);
        let mut out: Vec<(DocType, f32)> = BASE_TYPES
            .iter()
            .map(|t| (*t, (value(t) - top).exp()))
            .collect();
        let total: f32 = out.iter().map(|(_, e)| e).sum();
        for (_, p) in &mut out {
            *p /= total;
        }
        out.sort_by(|a, b| b.1.total_cmp(&a.1));
        out
    }
}

fn weight(strength: Strength, plain: f32, weak: f32) -> f32 {
    if strength == Strength::Plain {
        plain
    } else {
        weak
    }
}

/// The evidence of the vocabulary, the title and the other headings. For an amendment the
/// title's own cue gives way to the amended type: "Amendment to Credit Agreement" is evidence
/// of credit.
fn evidence(
    words: &[&str],
    headings: &[Heading],
    chosen: Option<&Heading>,
    amendment: Option<&AmendmentReading>,
) -> Evidence {
    let mut evidence = Evidence(HashMap::new());
    evidence.add(DocType::Other, OTHER_BASELINE);
    for (doc_type, score) in profile::scores(words) {
        evidence.add(doc_type, PROFILE_SCALE * score);
    }

    match (amendment, chosen) {
        (Some(reading), _) => {
            if let Some(amended) = reading.amends {
                evidence.add(amended, TITLE_PLAIN);
            }
        }
        (None, Some(title)) => evidence.add_title(&cues::normalise(&title.text)),
        (None, None) => {}
    }
    evidence.add_headings(headings, chosen);
    evidence
}

/// How far past the title the opening is read for an amendment's subject.
const OPENING_BYTES: usize = 1500;

/// An agreement named in the opening: "to that certain Wireless Content License Agreement".
static REFERENCE: LazyLock<Regex> = LazyLock::new(|| {
    let link = r"\b(?:[Tt]o|[Oo]f|[Uu]nder|[Aa]mends?|[Aa]mending)\s+";
    let articles = r"(?:(?:[Tt]he|[Tt]hat|[a-z]+)\s+){0,4}";
    let words = r"(?:[A-Z0-9][\w'&.,/-]*\s+(?:(?:and|of|&|for)\s+)?){0,8}";
    let nouns = [
        "Agreement",
        "Contract",
        "Plan",
        "Lease",
        "License",
        "Licence",
    ];
    let noun = nouns.map(|n| format!("{n}|{}", n.to_uppercase())).join("|");
    Regex::new(&format!(r"{link}{articles}(?P<name>{words}(?:{noun}))\b"))
        .expect("reference pattern is valid")
});

/// "This Amendment", "THIS FIRST AMENDMENT" near the top.
static AMENDING_OPENING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\bthis\s+(?:\w+\s+){0,2}amendment\b").expect("opening pattern is valid")
});

/// How far past the title "This Amendment" is looked for.
const AMENDING_OPENING_BYTES: usize = 600;

/// The opening of `text`: from the title (or the start) for [`OPENING_BYTES`].
fn opening<'t>(text: &'t str, chosen: Option<&Heading>) -> &'t str {
    let start = chosen.map_or(0, |h| h.span.start);
    let mut end = (start + OPENING_BYTES).min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[start..end]
}

/// The type an amendment amends: named by its title ("... to Credit Agreement"), else by the
/// first agreement its opening refers to ("to that certain Wireless Content License
/// Agreement"); `None` leaves it to the body's vocabulary.
fn amended_type(
    text: &str,
    chosen: Option<&Heading>,
    amendment: Option<&cues::AmendmentTitle>,
) -> Option<DocType> {
    let by_title = amendment
        .and_then(|a| a.amended.as_deref())
        .and_then(cues::type_of);
    if let Some((doc_type, _)) = by_title {
        return Some(doc_type);
    }
    REFERENCE
        .captures_iter(opening(text, chosen))
        .filter_map(|c| cues::type_of(&cues::normalise(&c["name"])))
        .map(|(t, _)| t)
        .next()
}

/// Whether the opening sentence says the document amends another.
fn opens_as_amendment(text: &str, chosen: Option<&Heading>) -> bool {
    let opening = opening(text, chosen);
    let mut end = AMENDING_OPENING_BYTES.min(opening.len());
    while !opening.is_char_boundary(end) {
        end -= 1;
    }
    AMENDING_OPENING.is_match(&opening[..end])
}
