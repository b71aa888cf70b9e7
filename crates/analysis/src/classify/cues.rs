//! What a title says about the document's type: an ordered table of phrases, and the
//! amendment reading ("Amendment No. 2 to Credit Agreement" amends a credit agreement).
//!
//! The table is ordered most specific first and the first matching row wins, because titles
//! combine nouns: a "Construction Loan Agreement" is a loan, a "Software License and
//! Maintenance Agreement" a licence, an "Employee Stock Purchase Plan" a benefit plan.

use std::sync::LazyLock;

use regex::Regex;

use crate::taxonomy::DocType;

/// How plainly a title names its type.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Strength {
    /// The title names the type ("CREDIT AGREEMENT").
    Plain,
    /// The title leans towards the type but the body must agree ("LICENSE AGREEMENT" may
    /// license software or a trademark).
    Weak,
}

/// A row of the cue table: regular-expression alternatives over the normalised title, and
/// what a match indicates.
struct Cue {
    alternatives: &'static [&'static str],
    doc_type: DocType,
    strength: Strength,
}

const fn plain(alternatives: &'static [&'static str], doc_type: DocType) -> Cue {
    Cue {
        alternatives,
        doc_type,
        strength: Strength::Plain,
    }
}

const fn weak(alternatives: &'static [&'static str], doc_type: DocType) -> Cue {
    Cue {
        alternatives,
        doc_type,
        strength: Strength::Weak,
    }
}

/// The cue table, first match wins. Each alternative is matched between word boundaries on
/// the lower-cased title with whitespace collapsed and dashes and quotes made ASCII.
#[rustfmt::skip]
const CUES: &[Cue] = &[
    // Court papers that mention a contract type in passing ("Order on Claim Construction").
    plain(&["claim construction", "judgment", "court"], DocType::Other),
    plain(&["severance", "separation", "change (in|of) control agreement"], DocType::Severance),
    plain(&["(general |mutual )?release( agreement)?$", "release and waiver"], DocType::Severance),
    plain(&[
        "(retirement|pension|savings|401\\(?k\\)?|deferred compensation|incentive|bonus|option\
         |stock|equity|compensation|benefits?|welfare|profit[- ]sharing|award|serp|thrift\
         |cafeteria|medical|insurance|deferral)( \\w+){0,3} plan",
        "serp", "split[- ]dollar", "supplemental executive retirement",
        "(restricted stock( unit)?|rsu|stock option|option award|performance (share|unit)s?\
         |stock award) agreement",
        "plan (joinder|participation|trust)",
    ], DocType::BenefitPlan),
    plain(
        &["plan of (merger|reorganization|arrangement|liquidation|share exchange)"],
        DocType::Other,
    ),
    plain(&[
        "credit\\b.*\\bagreement", "credit facility", "loans?", "line of credit", "revolving",
        "facility agreement", "financing agreement", "note purchase", "promissory note",
        "(security|pledge) agreement", "guaranty", "guarantee (agreement|of)",
        "reimbursement agreement", "forbearance",
        "indenture", "letter of credit", "mortgage", "deed of trust", "borrowing",
        "receivables (purchase|financing)",
    ], DocType::Credit),
    plain(&[
        "merger", "joint filing", "escrow", "registration rights",
        "(stock|share|asset|unit|securities|interests?|equity|warrant)s? purchase",
        "purchase and sale", "stockholders?", "shareholders?", "voting", "underwriting",
        "power of attorney", "settlement", "indemnification", "warrants?", "franchise",
        "sponsorship", "endorsement", "trademark", "(content|patent|brand|name) licen\\w*",
        "intellectual property", "(llc|limited liability company|company) operating agreement",
        "^operating agreement$", "llc agreement", "partnership agreement",
    ], DocType::Other),
    plain(&[
        "non-?disclosure", "confidentiality", "confidential disclosure", "secrecy", "m?nda",
        "proprietary information", "non-?circumvention",
    ], DocType::Nda),
    plain(&[
        "employment", "offer letter", "employee agreement", "executive agreement",
        "retention agreement",
    ], DocType::Employment),
    plain(&[
        "consult(ing|ancy|ant|ants)", "advisory (services )?agreement", "independent contractor",
    ], DocType::Consulting),
    plain(&["non-?competition", "non-?compete", "non-?solicitation"], DocType::Other),
    plain(&[
        "statement of work", "sow", "work order", "task order", "scope of work", "service order",
        "order form",
    ], DocType::StatementOfWork),
    plain(&["(sub)?lease", "leasing", "tenancy", "rental agreement", "sublet"], DocType::Lease),
    plain(&[
        "construction", "engineering,? procurement", "epc", "design[- ]build", "design and build",
        "general contract(or|ing)", "subcontract", "building contract", "shipbuilding", "hull",
        "turnkey", "change order", "guaranteed? maximum price", "contractor agreement",
        "renovation",
    ], DocType::Construction),
    plain(&[
        "software", "saas", "subscription services?", "cloud services?", "end[- ]user licen\\w*",
        "eula", "source code", "object code", "technology licen\\w*",
        "application service provider", "licen[cs](e|ing) and hosting", "hosting and licen\\w*",
    ], DocType::SoftwareLicense),
    plain(&[
        "distribut(ion|or|ors|orship)", "resell(er|ers|ing)?", "resale", "dealer", "remarketing",
        "channel partner", "sales representative", "sales agency", "value[- ]added",
    ], DocType::Distribution),
    plain(&[
        "supply", "manufactur\\w*", "purchase agreement", "purchase orders?", "purchasing",
        "sales agreement", "sale of goods", "procurement", "offtake", "requirements contract",
        "oem", "sales contract", "purchase contract",
    ], DocType::PurchaseSupply),
    plain(&[
        "joint venture", "strategic alliance", "alliance", "collaborat\\w*", "co-?operation",
        "partnership", "co-?brand\\w*", "co-?promot\\w*", "co-?marketing", "joint development",
        "teaming", "consortium", "strategic partner\\w*", "joint marketing",
    ], DocType::StrategicAlliance),
    plain(&[
        "master services?", "services? agreement", "professional services", "outsourc\\w*",
        "maintenance", "support agreement", "hosting", "servicing", "transportation",
        "management agreement", "service level", "processing agreement", "transfer agent",
        "services",
    ], DocType::MasterServices),
    weak(&["subscription agreement", "licen[cs](e|es|ing)"], DocType::SoftwareLicense),
    weak(&["marketing", "promotion", "affiliate", "agency", "development"], DocType::Other),
];

static COMPILED: LazyLock<Vec<(Regex, &'static Cue)>> = LazyLock::new(|| {
    CUES.iter()
        .map(|cue| {
            let pattern = format!(r"\b(?:{})\b", cue.alternatives.join("|"));
            (Regex::new(&pattern).expect("cue patterns are valid"), cue)
        })
        .collect()
});

/// The title with whitespace collapsed, lower-cased, dashes and quotes made ASCII.
pub(crate) fn normalise(title: &str) -> String {
    let mut out = String::with_capacity(title.len());
    for word in title.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        for c in word.chars().flat_map(char::to_lowercase) {
            out.push(match c {
                '\u{2010}'..='\u{2015}' => '-',
                '\u{2018}' | '\u{2019}' => '\'',
                '\u{201c}' | '\u{201d}' => '"',
                _ => c,
            });
        }
    }
    out
}

/// The type a (normalised) title names, with how plainly.
pub(crate) fn type_of(title: &str) -> Option<(DocType, Strength)> {
    COMPILED
        .iter()
        .find(|(re, _)| re.is_match(title))
        .map(|(_, cue)| (cue.doc_type, cue.strength))
}

/// The types a (normalised) title also names besides the one [`type_of`] returns:
/// "CONSTRUCTION AND FINANCING AGREEMENT" reads as credit and also names construction.
pub(crate) fn also_named(title: &str) -> Vec<DocType> {
    let first = type_of(title).map(|(t, _)| t);
    let mut types = Vec::new();
    for (re, cue) in COMPILED.iter() {
        let named = cue.strength == Strength::Plain && re.is_match(title);
        if named && Some(cue.doc_type) != first && !types.contains(&cue.doc_type) {
            types.push(cue.doc_type);
        }
    }
    types
}

/// A title read as an amendment.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AmendmentTitle {
    /// The part of the title naming the amended document ("credit agreement"), if any.
    pub amended: Option<String>,
}

/// Words that make a title an amendment. "Amended and Restated" is not among them: a
/// restated agreement replaces the original and is read as its own type.
static AMENDMENT: LazyLock<Regex> = LazyLock::new(|| {
    let words = [
        "amendments?",
        "addendum",
        "addenda",
        "modification",
        "supplement",
        "rider",
        "waiver",
        "amending agreement",
        "amended to",
        "change order",
    ];
    Regex::new(&format!(r"\b({})\b", words.join("|"))).expect("amendment pattern is valid")
});

/// What follows the amendment word: "no. 2 to the ...", "of ...", ", effective march 1, 2007,
/// to ...": up to [`MAX_AMENDMENT_GAP`] characters, then "to", "of", "under" or "for".
static AMENDED_PART: LazyLock<Regex> = LazyLock::new(|| {
    let gap = format!(r"^.{{0,{MAX_AMENDMENT_GAP}}}?");
    let link = r"\b(?:to|of|under|for)\b\s*(?:the |that certain |a |an )?";
    Regex::new(&format!("{gap}{link}(?P<rest>.+)$")).expect("amended-part pattern is valid")
});

/// Most characters between the amendment word and the "to" that names the amended document.
const MAX_AMENDMENT_GAP: usize = 48;

/// The amendment reading of a normalised title, when it is one.
pub(crate) fn amendment(title: &str) -> Option<AmendmentTitle> {
    let found = AMENDMENT.find(title)?;
    let after = &title[found.end()..];
    if found.as_str() == "amended to" {
        let amended = (!after.trim().is_empty()).then(|| after.trim().to_string());
        return Some(AmendmentTitle { amended });
    }
    if let Some(caps) = AMENDED_PART.captures(after) {
        let rest = caps["rest"].trim().to_string();
        return Some(AmendmentTitle {
            amended: Some(rest),
        });
    }
    // A waiver alone is a severance release ("General Release and Waiver"), not an amendment.
    if found.as_str() == "waiver" {
        return None;
    }
    // "AMENDMENT NO. 2 WIRELESS CONTENT LICENSE AGREEMENT": the amended document follows.
    if type_of(after).is_some() {
        return Some(AmendmentTitle {
            amended: Some(after.trim().to_string()),
        });
    }

    // "Endorsement Agreement Addendum I": the amended document comes first.
    let before = title[..found.start()]
        .trim()
        .trim_end_matches(['(', ',', '-'])
        .trim();
    let amended = (!before.is_empty() && !ordinal_only(before)).then(|| before.to_string());
    Some(AmendmentTitle { amended })
}

/// Words that only number or qualify an amendment ("Second", "Omnibus", "Technical").
#[rustfmt::skip]
const ORDINALS: &[&str] = &[
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
    "tenth", "eleventh", "twelfth", "omnibus", "technical", "letter", "global", "general", "the",
    "this", "and",
];

/// Whether `words` only number the amendment ("first", "2nd", "omnibus").
fn ordinal_only(words: &str) -> bool {
    words
        .split_whitespace()
        .all(|w| ORDINALS.contains(&w) || w.chars().next().is_some_and(|c| c.is_ascii_digit()))
}
