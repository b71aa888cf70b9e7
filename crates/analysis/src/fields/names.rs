//! Company and person names as preambles write them: a run of capitalised words with the
//! connectors and corporate suffixes names use ("Bank of America, N.A.", "AT&T Corp.",
//! "695014 B.C. Ltd. dba Galaxy Telecom"), ending where a description begins (", a Delaware
//! corporation", "having its principal place of business").

use std::sync::LazyLock;

use regex::Regex;

use crate::span::Span;

/// Defined names that are roles. Matched case-insensitively against whole defined names.
pub(crate) const ROLES: &[&str] = &[
    "licensor",
    "licensee",
    "sublicensee",
    "sublicensor",
    "supplier",
    "customer",
    "client",
    "company",
    "corporation",
    "executive",
    "employee",
    "employer",
    "borrower",
    "lender",
    "agent",
    "administrative agent",
    "bank",
    "distributor",
    "reseller",
    "dealer",
    "manufacturer",
    "franchisor",
    "franchisee",
    "consultant",
    "contractor",
    "subcontractor",
    "vendor",
    "buyer",
    "seller",
    "purchaser",
    "landlord",
    "tenant",
    "lessor",
    "lessee",
    "owner",
    "provider",
    "service provider",
    "developer",
    "publisher",
    "sponsor",
    "investor",
    "guarantor",
    "trustee",
    "trust",
    "partner",
    "member",
    "recipient",
    "discloser",
    "disclosing party",
    "receiving party",
    "assignor",
    "assignee",
    "manager",
    "adviser",
    "advisor",
    "sub-adviser",
    "sub-advisor",
    "shipper",
    "carrier",
    "marketer",
    "promoter",
    "affiliate",
    "collaborator",
    "operator",
    "host",
    "endorser",
    "talent",
    "parent",
    "subsidiary",
    "issuer",
    "underwriter",
    "representative",
    "broker",
];

/// Corporate suffixes a comma may precede inside a name ("Acme, Inc."), lower-cased and
/// without dots.
const SUFFIXES: &[&str] = &[
    "inc",
    "incorporated",
    "llc",
    "lllp",
    "ltd",
    "limited",
    "lp",
    "llp",
    "corp",
    "corporation",
    "co",
    "company",
    "na",
    "sa",
    "sas",
    "plc",
    "gmbh",
    "ag",
    "bv",
    "nv",
    "spa",
    "srl",
    "sarl",
    "pte",
    "pty",
    "sdn",
    "bhd",
    "kk",
    "se",
    "ab",
    "as",
    "asa",
    "oy",
    "pc",
    "pa",
    "ulc",
    "lc",
    "l",
    "jr",
    "sr",
    "ii",
    "iii",
];

/// Lower-case words that may sit inside a name between capitalised words.
const CONNECTORS: &[&str] = &[
    "of", "de", "du", "des", "la", "le", "van", "von", "der", "den", "y", "e", "for", "the", "&",
    "d'", "del", "di", "dba", "d/b/a", "/", "-", "–",
];

/// Capitalised words that do not start a name.
const NOT_NAMES: &[&str] = &[
    "this",
    "that",
    "these",
    "such",
    "each",
    "both",
    "either",
    "agreement",
    "party",
    "parties",
    "whereas",
    "now",
    "in",
    "a",
    "an",
    "it",
    "its",
    "all",
    "any",
    "on",
    "as",
    "by",
    "with",
    "for",
    "to",
    "from",
    "and",
    "or",
    "between",
    "among",
    "hereinafter",
    "ladies",
    "dear",
    "exhibit",
    "schedule",
    "section",
    "article",
    "date",
    "dated",
    "effective",
];

/// Words that make a capitalised run a heading or a document title, not a name.
const DOCUMENT_WORDS: &[&str] = &[
    "agreement",
    "section",
    "article",
    "exhibit",
    "schedule",
    "annex",
    "appendix",
    "table",
    "contents",
    "definitions",
    "whereas",
    "recitals",
    "amendment",
    "page",
];

/// The longest name read, in words.
const MAX_NAME_WORDS: usize = 14;

static TOKEN: LazyLock<Regex> =
    LazyLock::new(|| super::regex(r#"[^\s,;:()"“”]+"#).expect("name token pattern"));

/// The name that starts at `from` (after punctuation, dashes and a lower-case "the"), if the
/// text there is one, ending before `limit`.
pub(crate) fn name_at(text: &str, from: usize, limit: usize) -> Option<Span> {
    let window = &text[from..limit];
    let lead = window.len()
        - window
            .trim_start_matches(|c: char| {
                c.is_whitespace() || matches!(c, ',' | ';' | ':' | '-' | '–' | '—')
            })
            .len();
    let mut at = from + lead;
    if text[at..limit].starts_with("the ") {
        at += 4;
    }

    let end = scan(text, at, limit)?;
    let name = trim(&text[at..end]);
    plausible(name).then(|| Span::new(at, at + name.len()))
}

/// The rest of a firm's name after a comma inside it: more names, the last two joined by "&"
/// ("Stratton, Cheeseman & Walsh-Nevada, Inc.", "Skadden, Arps, Slate, Meagher & Flom LLP").
static FIRM_TAIL: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(r"^(?:[A-Z][\w'-]*,\s+){0,4}[A-Z][\w'-]*\s+&\s+[A-Z]").expect("firm tail pattern")
});

/// Where the run of name words that starts at `at` ends.
fn scan(text: &str, at: usize, limit: usize) -> Option<usize> {
    let mut end: Option<usize> = None;
    let mut cursor = at;
    let mut previous: Option<&str> = None;
    let mut has_suffix = false;
    for _ in 0..MAX_NAME_WORDS {
        let rest = &text[cursor..limit];
        let Some(token) = TOKEN.find(rest) else { break };
        let word = token.as_str();
        let between = &rest[..token.start()];
        let firm = end.is_some()
            && !has_suffix
            && between.trim() == ","
            && FIRM_TAIL.is_match(&rest[token.start()..]);
        if !firm && !joins(between, word, end.is_none()) {
            break;
        }
        has_suffix |= suffix(word);
        let capitalised = capitalised(word, previous);
        let continues = CONNECTORS.contains(&word) || suffix(word) && end.is_some();
        if !capitalised && !continues {
            break;
        }
        cursor += token.end();
        previous = Some(word);
        if capitalised || suffix(word) {
            end = Some(cursor);
        }
    }
    end
}

/// Whether a word reads as part of a name: capitalised ("Acme", "eGain", "AT&T"), a number
/// that is not a heading ("1-800", but not "3." or the "90" of "of 90 High Street"), or a
/// domain ("ebix.com").
fn capitalised(word: &str, previous: Option<&str>) -> bool {
    let heading = word.ends_with('.') && word[..word.len() - 1].chars().all(|c| c.is_ascii_digit());
    let after_connector = previous.is_some_and(|p| CONNECTORS.contains(&p));
    let number = word.starts_with(|c: char| c.is_ascii_digit()) && !heading && !after_connector;
    word.chars().take(2).any(char::is_uppercase) || number || word.contains(".com")
}

/// A name without the full stop or comma that follows it, unless the stop belongs to a
/// suffix ("Inc.").
fn trim(raw: &str) -> &str {
    let trimmed = raw.trim_end_matches(['.', ',']);
    if trimmed.ends_with(|c: char| c.is_alphabetic()) && suffix_with_stop(raw) {
        raw
    } else {
        trimmed
    }
}

/// Whether a run of name words is a name rather than a role ("Company"), a heading ("Section
/// 3"), filler ("This", "The") or an address ("202 South Wheeler Street").
fn plausible(name: &str) -> bool {
    let lower = name.to_lowercase();
    let words: Vec<&str> = lower.split_whitespace().collect();
    let first = words.first().copied().unwrap_or("");
    let role = words.len() == 1 && ROLES.contains(&first.trim_end_matches('.'));
    let filler = words
        .iter()
        .all(|w| NOT_NAMES.contains(w) || CONNECTORS.contains(w));
    let document = words
        .iter()
        .any(|w| DOCUMENT_WORDS.contains(&w.trim_matches(|c: char| !c.is_alphanumeric())));
    let letters = name.chars().any(char::is_alphabetic);
    let address =
        name.starts_with(|c: char| c.is_ascii_digit()) && !name.split_whitespace().any(suffix);
    letters && !NOT_NAMES.contains(&first) && !role && !filler && !document && !address
}

/// Whether the characters between two name words keep them in one name: spaces (one line
/// break at most), or a comma before a corporate suffix.
fn joins(between: &str, word: &str, first: bool) -> bool {
    if first {
        return between.trim().is_empty();
    }
    match between.trim() {
        "" => between.matches('\n').count() <= 1,
        "," => suffix(word),
        _ => false,
    }
}

/// Whether a word is a corporate suffix ("Inc.", "L.L.C.", "GmbH").
pub(crate) fn suffix(word: &str) -> bool {
    let bare: String = word.chars().filter(|c| c.is_alphanumeric()).collect();
    SUFFIXES.contains(&bare.to_lowercase().as_str())
}

/// Whether a name ends in an abbreviated suffix whose full stop belongs to it: "Inc.",
/// "Ltd.", "L.L.C.", but not the full stop that ends a sentence after "LLC".
fn suffix_with_stop(name: &str) -> bool {
    let last = name.split_whitespace().last().unwrap_or("");
    let Some(bare) = last.strip_suffix('.') else {
        return false;
    };
    let lower = bare.to_lowercase();
    bare.contains('.')
        || ["inc", "corp", "co", "ltd", "jr", "sr", "bhd", "pty"].contains(&lower.as_str())
}

/// Whether a name ends with a corporate suffix or is written in capitals.
pub(crate) fn corporate(name: &str) -> bool {
    let last = name.split_whitespace().last().unwrap_or("");
    suffix(last) || (name.len() > 3 && !name.chars().any(char::is_lowercase))
}

/// Collapses runs of whitespace (line breaks from PDF text) into single spaces.
pub(crate) fn clean(name: &str) -> String {
    name.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    // Names quoted from preambles of CUAD v1 contracts (CC BY 4.0, The Atticus Project).

    fn name(text: &str) -> Option<&str> {
        name_at(text, 0, text.len()).map(|s| s.of(text))
    }

    #[test]
    fn names_keep_their_suffixes_connectors_and_numbers() {
        assert_eq!(
            name("VerticalNet, Inc., a Pennsylvania corporation"),
            Some("VerticalNet, Inc.")
        );
        assert_eq!(
            name("Bank of America, N.A. (the"),
            Some("Bank of America, N.A.")
        );
        assert_eq!(
            name("the American Diabetes Association, Inc. (\""),
            Some("American Diabetes Association, Inc.")
        );
        assert_eq!(
            name("695014 B.C. Ltd. dba Galaxy Telecom, having"),
            Some("695014 B.C. Ltd. dba Galaxy Telecom")
        );
        assert_eq!(
            name("Omega Partners LLC.\n\n1. Services"),
            Some("Omega Partners LLC")
        );
        assert_eq!(
            name("eGain Communications Corporation (\"eGain\")"),
            Some("eGain Communications Corporation")
        );
    }

    #[test]
    fn roles_headings_filler_and_addresses_are_not_names() {
        for text in [
            "Company shall",
            "Section 3. Term",
            "This Agreement",
            "202 South Wheeler Street,",
            "and Beta",
        ] {
            assert_eq!(name(text), None, "{text}");
        }
    }
}
