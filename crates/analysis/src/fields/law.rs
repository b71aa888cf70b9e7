//! Governing law, the courts disputes go to, and the seat of arbitration.
//!
//! A governing-law sentence pairs a verb of governing ("governed", "construed", "interpreted",
//! "determined in accordance with") with "law" or "laws" and a known jurisdiction; the
//! jurisdiction is normalised through a gazetteer of US states, Canadian provinces and
//! countries ("the laws of the State of New York" and "New York law" are both "New York").
//! Sentences that only describe a party ("organized under the laws of Delaware") do not govern.
//! Jurisdictions outside the gazetteer are not reported.

use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

use super::Sentences;
use crate::span::Span;

/// The law that governs the contract.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Law {
    /// Normalised: "New York", "England and Wales", "Ontario"; "(redacted)" when the contract
    /// as filed hides it ("the laws of [***]").
    pub jurisdiction: &'static str,
    /// The country of a state or province, or the jurisdiction itself when it is one.
    pub country: &'static str,
    /// The governing-law sentence.
    pub span: Span,
    /// The jurisdiction as written.
    pub place: Span,
    /// Other sentences that state the same governing law (an amendment's, a schedule's).
    pub also: Vec<Span>,
    pub confidence: f32,
}

/// Where disputes are heard.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Venue {
    /// The place of the courts as written ("New Castle County, Delaware"), when stated.
    pub place: Option<String>,
    /// The normalised jurisdiction of the place, when the gazetteer knows it.
    pub jurisdiction: Option<&'static str>,
    /// Whether the parties submit to these courts only.
    pub exclusive: bool,
    pub span: Span,
    pub confidence: f32,
}

/// Arbitration instead of (or before) the courts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Arbitration {
    /// The institution or rules: "ICC", "AAA", "JAMS", "LCIA", "UNCITRAL", ...
    pub rules: Option<&'static str>,
    /// The seat or place of the hearings as written, when stated.
    pub seat: Option<String>,
    pub span: Span,
    pub confidence: f32,
}

/// Jurisdictions: how they may be written (a regex fragment) and their normalised name and
/// country. Longer names come first so that "New South Wales" is not read as "Wales".
const GAZETTEER: &[(&str, &str, &str)] = &[
    (
        r"england\s+(?:and|&)\s+wales|english(?:\s+and\s+welsh)?",
        "England and Wales",
        "United Kingdom",
    ),
    (r"new\s+south\s+wales", "New South Wales", "Australia"),
    (r"new\s+york", "New York", "United States"),
    (r"new\s+jersey", "New Jersey", "United States"),
    (r"new\s+hampshire", "New Hampshire", "United States"),
    (r"new\s+mexico", "New Mexico", "United States"),
    (r"north\s+carolina", "North Carolina", "United States"),
    (r"south\s+carolina", "South Carolina", "United States"),
    (r"north\s+dakota", "North Dakota", "United States"),
    (r"south\s+dakota", "South Dakota", "United States"),
    (r"west\s+virginia", "West Virginia", "United States"),
    (r"rhode\s+island", "Rhode Island", "United States"),
    (
        r"district\s+of\s+columbia",
        "District of Columbia",
        "United States",
    ),
    (r"british\s+columbia", "British Columbia", "Canada"),
    (r"nova\s+scotia", "Nova Scotia", "Canada"),
    (r"new\s+brunswick", "New Brunswick", "Canada"),
    (r"hong\s+kong", "Hong Kong", "China"),
    (
        r"(?:people(?:'|’)?s\s+republic\s+of\s+china|p\.\s?r\.\s?c\.?|prc|mainland\s+china)",
        "China",
        "China",
    ),
    (r"cayman\s+islands", "Cayman Islands", "Cayman Islands"),
    (
        r"british\s+virgin\s+islands",
        "British Virgin Islands",
        "British Virgin Islands",
    ),
    (r"united\s+kingdom", "United Kingdom", "United Kingdom"),
    (
        r"united\s+states(?:\s+of\s+america)?",
        "United States",
        "United States",
    ),
    (r"alabama", "Alabama", "United States"),
    (r"alaska", "Alaska", "United States"),
    (r"arizona", "Arizona", "United States"),
    (r"arkansas", "Arkansas", "United States"),
    (r"california", "California", "United States"),
    (r"colorado", "Colorado", "United States"),
    (r"connecticut", "Connecticut", "United States"),
    (r"delaware", "Delaware", "United States"),
    (r"florida", "Florida", "United States"),
    (r"georgia", "Georgia", "United States"),
    (r"hawaii", "Hawaii", "United States"),
    (r"idaho", "Idaho", "United States"),
    (r"illinois", "Illinois", "United States"),
    (r"indiana", "Indiana", "United States"),
    (r"iowa", "Iowa", "United States"),
    (r"kansas", "Kansas", "United States"),
    (r"kentucky", "Kentucky", "United States"),
    (r"louisiana", "Louisiana", "United States"),
    (r"maine", "Maine", "United States"),
    (r"maryland", "Maryland", "United States"),
    (r"massachusetts", "Massachusetts", "United States"),
    (r"michigan", "Michigan", "United States"),
    (r"minnesota", "Minnesota", "United States"),
    (r"mississippi", "Mississippi", "United States"),
    (r"missouri", "Missouri", "United States"),
    (r"montana", "Montana", "United States"),
    (r"nebraska", "Nebraska", "United States"),
    (r"nevada", "Nevada", "United States"),
    (r"ohio", "Ohio", "United States"),
    (r"oklahoma", "Oklahoma", "United States"),
    (r"oregon", "Oregon", "United States"),
    (r"pennsylvania", "Pennsylvania", "United States"),
    (r"tennessee", "Tennessee", "United States"),
    (r"texas", "Texas", "United States"),
    (r"utah", "Utah", "United States"),
    (r"vermont", "Vermont", "United States"),
    (r"virginia", "Virginia", "United States"),
    (r"washington", "Washington", "United States"),
    (r"wisconsin", "Wisconsin", "United States"),
    (r"wyoming", "Wyoming", "United States"),
    (r"ontario", "Ontario", "Canada"),
    (r"quebec|québec", "Quebec", "Canada"),
    (r"alberta", "Alberta", "Canada"),
    (r"manitoba", "Manitoba", "Canada"),
    (r"saskatchewan", "Saskatchewan", "Canada"),
    (r"canada", "Canada", "Canada"),
    (r"england", "England and Wales", "United Kingdom"),
    (r"scotland", "Scotland", "United Kingdom"),
    (r"northern\s+ireland", "Northern Ireland", "United Kingdom"),
    (r"ireland", "Ireland", "Ireland"),
    (
        r"(?:federal\s+republic\s+of\s+)?germany",
        "Germany",
        "Germany",
    ),
    (r"france", "France", "France"),
    (r"(?:the\s+)?netherlands", "Netherlands", "Netherlands"),
    (r"switzerland", "Switzerland", "Switzerland"),
    (r"israel", "Israel", "Israel"),
    (r"japan", "Japan", "Japan"),
    (r"singapore", "Singapore", "Singapore"),
    (r"india", "India", "India"),
    (r"australia", "Australia", "Australia"),
    (r"victoria", "Victoria", "Australia"),
    (r"queensland", "Queensland", "Australia"),
    (r"new\s+zealand", "New Zealand", "New Zealand"),
    (r"(?:republic\s+of\s+)?korea", "South Korea", "South Korea"),
    (r"taiwan", "Taiwan", "Taiwan"),
    (r"china", "China", "China"),
    (r"sweden", "Sweden", "Sweden"),
    (r"norway", "Norway", "Norway"),
    (r"denmark", "Denmark", "Denmark"),
    (r"finland", "Finland", "Finland"),
    (r"belgium", "Belgium", "Belgium"),
    (r"luxembourg", "Luxembourg", "Luxembourg"),
    (r"spain", "Spain", "Spain"),
    (r"italy", "Italy", "Italy"),
    (r"austria", "Austria", "Austria"),
    (r"bermuda", "Bermuda", "Bermuda"),
    (
        r"(?:republic\s+of\s+)?kazakhstan",
        "Kazakhstan",
        "Kazakhstan",
    ),
    (r"brazil", "Brazil", "Brazil"),
    (r"mexico", "Mexico", "Mexico"),
    (r"south\s+africa", "South Africa", "South Africa"),
    (r"malaysia", "Malaysia", "Malaysia"),
    (r"thailand", "Thailand", "Thailand"),
    (r"philippines", "Philippines", "Philippines"),
    (r"indonesia", "Indonesia", "Indonesia"),
    (r"vietnam", "Vietnam", "Vietnam"),
    (
        r"united\s+arab\s+emirates|u\.a\.e\.",
        "United Arab Emirates",
        "United Arab Emirates",
    ),
];

/// Every gazetteer entry as one pattern; group `jN` names entry N.
static PLACES: LazyLock<Regex> = LazyLock::new(|| {
    let entries: Vec<String> = GAZETTEER
        .iter()
        .enumerate()
        .map(|(i, (pattern, _, _))| format!("(?P<j{i}>{pattern})"))
        .collect();
    super::regex(&format!(r"(?i)\b(?:{})\b", entries.join("|"))).expect("gazetteer pattern")
});

static GOVERNS: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(
        r"(?ix)\b(?:govern(?:ed|s|ing)?|constru(?:ed|ction)|interpret(?:ed|ation)|enforced|
        determined|resolved|subject\s+to|application|shall\s+apply|will\s+apply)\b",
    )
    .expect("governing verb pattern")
});

/// "laws of ... <place>" or "<place> law": the place the governing law names.
static LAW_OF_PLACE: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(
        r"(?ix)\b(?:laws?|legislation)\s+(?:\([^)]{0,80}\)\s*|,[^,]{0,60},\s*|and\s+(?:judicial\s+)?
        decisions\s+(?:of\s+the\s+courts\s+)?)?(?:in\s+force\s+in|of|in|applicable\s+in)\s+
        (?:the\s+)?(?:(?:state|commonwealth|province|republic|kingdom|federal\s+republic|country|
        emirate)\s+of\s+)?(?:the\s+)?
        |\b(?:the\s+)?(?:internal\s+|substantive\s+)?(?-i:[A-Z][\w.']*)
        (?:\s+(?-i:[A-Z][\w.']*)){0,3}
        \s+law\b",
    )
    .expect("law of place pattern")
});

static NOT_GOVERNING: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(
        r"(?ix)\b(?:organi[sz]ed|incorporated|existing|formed|registered|domiciled|chartered)\s+
        (?:and\s+existing\s+)?under\s+the\s+laws",
    )
    .expect("not governing pattern")
});

/// The governing law of `text`: the strongest governing-law sentence that names a known
/// jurisdiction.
pub fn find_governing_law(text: &str, sentences: &Sentences) -> Option<Law> {
    let mut found: Vec<(u32, Law)> = Vec::new();
    for mention in LAW_OF_PLACE.find_iter(text) {
        let sentence = sentences.around(mention.start());
        if found.iter().any(|(_, law)| law.span == sentence) {
            continue;
        }
        if let Some(law) = law_in(text, sentence) {
            found.push((score(law.span.of(text)), law));
        }
    }

    let best = found
        .iter()
        .enumerate()
        .max_by_key(|(i, (score, _))| (*score, std::cmp::Reverse(*i)))
        .map(|(i, _)| i)?;
    let (score, mut law) = found.swap_remove(best);
    law.confidence = if score >= 3 { 0.9 } else { 0.7 };
    law.also = found
        .into_iter()
        .filter(|(s, other)| *s >= 3 && other.jurisdiction == law.jurisdiction)
        .map(|(_, other)| other.span)
        .collect();
    law.also.sort();
    Some(law)
}

/// "the laws of that State", "the laws thereof": the jurisdiction named earlier.
static BACK_REFERENCE: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(
        r"(?i)^(?:that|such|said|this)\s+(?:state|province|country|jurisdiction)\b|^thereof\b",
    )
    .expect("back reference pattern")
});

/// The jurisdiction a redacted governing law ("the laws of [***]") is reported as.
const REDACTED: &str = "(redacted)";

fn law_in(text: &str, sentence: Span) -> Option<Law> {
    let body = sentence.of(text);
    if body.len() > 1_500 || !GOVERNS.is_match(body) {
        return None;
    }
    let mut searched = 0;
    for found in LAW_OF_PLACE.find_iter(body) {
        let described = NOT_GOVERNING.is_match(&body[searched..found.end()]);
        searched = found.end();
        if described {
            continue;
        }

        let after = &body[found.end()..];
        let place = if found.as_str().trim_end().to_lowercase().ends_with("law") {
            PLACES.captures(found.as_str()).map(|c| (c, found.start()))
        } else if BACK_REFERENCE.is_match(after) {
            PLACES.captures(&body[..found.start()]).map(|c| (c, 0))
        } else if after.starts_with('[') {
            let place = Span::new(
                sentence.start + found.end(),
                sentence.start + found.end() + 1,
            );
            return Some(law(REDACTED, REDACTED, sentence, place));
        } else {
            PLACES
                .captures(after)
                .filter(|c| c.get(0).is_some_and(|m| m.start() == 0))
                .map(|c| (c, found.end()))
        };
        let Some((caps, offset)) = place else {
            continue;
        };
        let (jurisdiction, country, at) = entry(&caps)?;
        let at = Span::new(
            sentence.start + offset + at.start,
            sentence.start + offset + at.end,
        );
        return Some(law(jurisdiction, country, sentence, at));
    }
    None
}

fn law(jurisdiction: &'static str, country: &'static str, span: Span, place: Span) -> Law {
    Law {
        jurisdiction,
        country,
        span,
        place,
        also: Vec::new(),
        confidence: 0.0,
    }
}

/// How surely a sentence is the governing-law clause.
fn score(sentence: &str) -> u32 {
    let lower = sentence.to_lowercase();
    let mut score = 1;
    for (cue, weight) in [
        ("governed by", 2),
        ("governing law", 2),
        ("construed", 1),
        ("conflict", 1),
        ("this agreement", 1),
    ] {
        if lower.contains(cue) {
            score += weight;
        }
    }
    score
}

/// The gazetteer entry a match of [`PLACES`] names, and where.
fn entry(caps: &regex::Captures) -> Option<(&'static str, &'static str, std::ops::Range<usize>)> {
    GAZETTEER
        .iter()
        .enumerate()
        .find_map(|(i, (_, name, country))| {
            let m = caps.name(&format!("j{i}"))?;
            Some((*name, *country, m.range()))
        })
}

/// The jurisdiction a place name denotes, when the gazetteer knows it.
fn jurisdiction_of(place: &str) -> Option<&'static str> {
    PLACES
        .captures(place)
        .and_then(|c| entry(&c))
        .map(|(name, _, _)| name)
}

static FORUM: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(
        r"(?ix)\b(?:exclusive\s+(?:jurisdiction|venue)|(?:submits?|consents?)\s+to\s+
        (?:the\s+)?(?:non-exclusive\s+|exclusive\s+)?(?:personal\s+)?jurisdiction|
        venue\s+(?:for|of|shall|will)|(?:jurisdiction|venue)\s+(?:of|in)\s+(?:the\s+)?
        (?:state\s+or\s+federal\s+|federal\s+or\s+state\s+|state\s+and\s+federal\s+|federal\s+
        and\s+state\s+)?courts|brought\s+(?:only\s+|exclusively\s+)?in\s+(?:the\s+)?
        (?:state\s+or\s+federal\s+|federal\s+or\s+state\s+|state\s+and\s+federal\s+)?courts)",
    )
    .expect("forum pattern")
});

static COURT_PLACE: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(
        r"(?x)(?i:located|sitting|situated|seated|held|venued|sit)\s+in\s+(?:the\s+)?
        (?:(?i:city|county|borough|state|province)\s+(?:(?i:and\s+county)\s+)?of\s+)?
        (?P<place>[A-Z][\w.'-]*(?:(?:\s+|,\s*|\s+of\s+)[A-Z][\w.'-]*){0,5})
        |(?i:courts?\s+of\s+(?:the\s+)?(?:(?:state|province|commonwealth)\s+of\s+)?)
        (?P<of>[A-Z][\w.'-]*(?:(?:\s+|,\s*)[A-Z][\w.'-]*){0,4})",
    )
    .expect("court place pattern")
});

/// The courts disputes go to, from the first sentence that submits to a jurisdiction.
pub fn find_venue(text: &str, sentences: &Sentences) -> Option<Venue> {
    let found = FORUM.find(text)?;
    let span = sentences.around(found.start());
    let body = span.of(text);
    let place = COURT_PLACE
        .captures(body)
        .and_then(|c| c.name("place").or_else(|| c.name("of")))
        .map(|m| m.as_str().trim_end_matches([',', '.']).to_string());
    let jurisdiction = place.as_deref().and_then(jurisdiction_of);
    let lower = body.to_lowercase();
    let exclusive = lower.contains("exclusive") && !lower.contains("non-exclusive jurisdiction");
    let confidence = if place.is_some() { 0.8 } else { 0.6 };
    Some(Venue {
        place,
        jurisdiction,
        exclusive,
        span,
        confidence,
    })
}

static ARBITRATION: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(r"(?i)\b(?:arbitration|arbitrat(?:ed|or|ors))\b").expect("arbitration pattern")
});

static ARBITRATION_RULES: &[(&str, &str)] = &[
    ("international chamber of commerce", "ICC"),
    ("icc", "ICC"),
    ("american arbitration association", "AAA"),
    ("aaa", "AAA"),
    ("international centre for dispute resolution", "ICDR"),
    ("icdr", "ICDR"),
    ("jams", "JAMS"),
    ("london court of international arbitration", "LCIA"),
    ("lcia", "LCIA"),
    ("uncitral", "UNCITRAL"),
    ("singapore international arbitration centre", "SIAC"),
    ("siac", "SIAC"),
    ("hong kong international arbitration centre", "HKIAC"),
    ("hkiac", "HKIAC"),
    (
        "china international economic and trade arbitration commission",
        "CIETAC",
    ),
    ("cietac", "CIETAC"),
];

static SEAT: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(
        r"(?x)(?i:seat|place|venue|location)\s+of\s+(?:the\s+)?(?i:arbitration)\s+(?i:shall|will)
        \s+be\s+(?:in\s+)?(?:the\s+city\s+of\s+)?
        (?P<seat>[A-Z][\w.'-]*(?:(?:\s+|,\s*)[A-Z][\w.'-]*){0,3})
        |(?i:held|conducted|take\s+place|located|seated|heard)\s+in\s+(?:the\s+)?
        (?:(?i:city|county)\s+of\s+)?(?P<in>[A-Z][\w.'-]*(?:(?:\s+|,\s*)[A-Z][\w.'-]*){0,3})",
    )
    .expect("arbitration seat pattern")
});

/// How many sentences about arbitration are read for its rules and seat.
const ARBITRATION_SENTENCES: usize = 6;

/// Arbitration: the rules and seat named in the first sentences about it; the span is the
/// first of them that names either.
pub fn find_arbitration(text: &str, sentences: &Sentences) -> Option<Arbitration> {
    let mut seen: Vec<Span> = Vec::new();
    let mut found: Option<Arbitration> = None;
    for mention in ARBITRATION.find_iter(text) {
        let span = sentences.around(mention.start());
        if seen.contains(&span) {
            continue;
        }
        seen.push(span);
        if seen.len() > ARBITRATION_SENTENCES {
            break;
        }

        let body = span.of(text);
        let rules = rules_in(&body.to_lowercase());
        let seat = SEAT
            .captures(body)
            .and_then(|c| c.name("seat").or_else(|| c.name("in")))
            .map(|m| m.as_str().trim_end_matches([',', '.']).to_string());
        match &mut found {
            None if rules.is_some() || seat.is_some() => {
                found = Some(Arbitration {
                    rules,
                    seat,
                    span,
                    confidence: 0.6,
                });
            }
            Some(known) => {
                known.rules = known.rules.or(rules);
                known.seat = known.seat.take().or(seat);
            }
            None => {}
        }
    }
    found.map(|mut a| {
        a.confidence = if a.seat.is_some() { 0.8 } else { 0.6 };
        a
    })
}

/// The arbitral institution or rules a lower-cased sentence names.
fn rules_in(lower: &str) -> Option<&'static str> {
    ARBITRATION_RULES.iter().find_map(|(name, id)| {
        let at = lower.find(name)?;
        let before = lower[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        let after = lower[at + name.len()..]
            .chars()
            .next()
            .is_none_or(|c| !c.is_alphanumeric());
        (before && after).then_some(*id)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn law(text: &str) -> Option<&'static str> {
        find_governing_law(text, &Sentences::new(text)).map(|l| l.jurisdiction)
    }

    // Governing-law sentences quoted from CUAD v1 (CC BY 4.0, The Atticus Project).

    #[test]
    fn governing_law_forms_name_their_jurisdiction() {
        for (sentence, expected) in [
            (
                "This Agreement shall be governed by and construed in accordance with the law of \
                 the State of New York without giving effect to the principles of conflicts of \
                 law thereof.",
                "New York",
            ),
            (
                "This Agreement and the relationship between the Parties shall be governed by, \
                 and interpreted in accordance with New  York law without regard to provisions \
                 related to conflicts of laws.",
                "New York",
            ),
            (
                "This Second Amendment shall be governed by and construed in accordance with the \
                 laws of the Commonwealth of Pennsylvania.",
                "Pennsylvania",
            ),
            (
                "The laws of the Federal Republic of Germany shall apply to the Agreement.",
                "Germany",
            ),
            (
                "This Termination Agreement shall be governed by the laws of the PRC, without \
                 regard to conflicts of law principles.",
                "China",
            ),
            (
                "This Agreement shall be governed by and interpreted and enforced in accordance \
                 with the laws of the Province of Ontario.",
                "Ontario",
            ),
            (
                "Any controversy between the parties arising under this Agreement and not \
                 resolved by the parties shall be determined in accordance with the laws of the \
                 State of Michigan.",
                "Michigan",
            ),
            (
                "This Agreement is governed by English law.",
                "England and Wales",
            ),
        ] {
            assert_eq!(law(sentence), Some(expected), "{sentence}");
        }
    }

    #[test]
    fn the_law_a_party_is_organized_under_is_not_the_governing_law() {
        let text = "Acme Inc., a corporation organized under the laws of the State of Delaware, \
                    shall deliver the goods.";
        assert_eq!(law(text), None);
        let text = "Acme Inc., a corporation organized under the laws of the State of Delaware. \
                    This Agreement shall be governed by the laws of the State of Texas.";
        assert_eq!(law(text), Some("Texas"));
    }

    #[test]
    fn exclusive_courts_and_their_place_are_the_venue() {
        let text = "The Parties submit to the exclusive jurisdiction of the state and federal \
                    courts located in New Castle County, Delaware.";
        let venue = find_venue(text, &Sentences::new(text)).unwrap();
        assert_eq!(venue.place.as_deref(), Some("New Castle County, Delaware"));
        assert_eq!(venue.jurisdiction, Some("Delaware"));
        assert!(venue.exclusive);
    }

    #[test]
    fn arbitration_rules_and_seat_are_read() {
        let text = "Any dispute shall be finally settled by arbitration under the Rules of \
                    Arbitration of the International Chamber of Commerce. The seat of \
                    arbitration shall be London.";
        let sentences = Sentences::new(text);
        let found = find_arbitration(text, &sentences).unwrap();
        assert_eq!(found.rules, Some("ICC"));
        let text = "The arbitration shall be held in San Francisco, California under the rules \
                    of JAMS.";
        let found = find_arbitration(text, &Sentences::new(text)).unwrap();
        assert_eq!(
            (found.rules, found.seat.as_deref()),
            (Some("JAMS"), Some("San Francisco, California"))
        );
    }

    #[test]
    fn a_foreign_language_clause_has_no_governing_law() {
        let text = "Dieser Vertrag unterliegt dem Recht der Bundesrepublik Deutschland.";
        assert_eq!(law(text), None);
    }
}
