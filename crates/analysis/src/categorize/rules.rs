//! Categories CUAD does not label, recognised by the clause's heading and by the phrases that
//! define them. A heading match alone is enough for the whole clause; a phrase match labels the
//! sentence that holds it, with lower confidence.

use std::sync::LazyLock;

use regex::{Regex, RegexSet};

/// (category, heading pattern, sentence pattern), all case-insensitive.
const RULES: &[(&str, &str, &str)] = &[
    (
        "confidentiality",
        r"confidential|non-?disclosure",
        r"confidential information|shall (?:hold|keep) (?:in )?(?:strict )?confiden",
    ),
    (
        "indemnification",
        r"indemnif",
        r"shall (?:defend, )?indemnify|hold harmless",
    ),
    (
        "termination_for_cause",
        r"termination for (?:cause|breach|default)|events? of default",
        r"(?:terminate|termination)[^.]{0,120}(?:material(?:ly)? breach|insolven|bankrupt)",
    ),
    (
        "payment_terms",
        r"payment|fees|invoic|compensation|price",
        r"(?:payable|due|pay)[^.]{0,60}within[^.]{0,20}days|invoice",
    ),
    (
        "term",
        r"^term\b|term of (?:the )?agreement|duration",
        "(?:this agreement|the term)[^.]{0,80}(?:shall (?:commence|continue|\
            remain in (?:full )?force))",
    ),
    (
        "warranty",
        r"warrant",
        r"represents and warrants|warrants that",
    ),
    (
        "limitation_of_damages",
        r"consequential|limitation of (?:liability|damages)",
        r"(?:indirect|incidental|special|consequential|punitive)[^.]{0,80}damages",
    ),
    (
        "force_majeure",
        r"force majeure",
        r"force majeure|acts? of god",
    ),
    (
        "dispute_resolution",
        r"dispute|arbitration|jurisdiction|venue",
        r"arbitrat|exclusive jurisdiction|submit to the (?:exclusive )?jurisdiction|venue",
    ),
    (
        "notices",
        r"^notices?\b",
        r"notices?[^.]{0,80}(?:in writing|shall be (?:given|sent|delivered))",
    ),
    (
        "data_protection",
        r"data protection|privacy|personal (?:data|information)",
        r"personal (?:data|information)|data protection|gdpr|hipaa",
    ),
    (
        "definitions",
        r"definitions?|defined terms|interpretation",
        r#"^["“][^"”]{1,60}["”] (?:means|shall mean|has the meaning)"#,
    ),
    (
        "entire_agreement",
        r"entire agreement|integration",
        r"(?:constitutes|contains) the entire agreement|supersedes all prior",
    ),
];

static HEADINGS: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new(RULES.iter().map(|(_, heading, _)| format!("(?i){heading}")))
        .expect("valid heading patterns")
});

static PHRASES: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    RULES
        .iter()
        .map(|(_, _, phrase)| Regex::new(&format!("(?i){phrase}")).expect("valid phrase pattern"))
        .collect()
});

/// Confidence of a category named by the clause heading and supported by a phrase.
const HEADING_AND_PHRASE: f32 = 0.9;
/// Confidence of a category named by the heading alone.
const HEADING_ONLY: f32 = 0.75;
/// Confidence of a category found by a phrase under an unrelated or missing heading.
const PHRASE_ONLY: f32 = 0.6;

/// The rule-based categories of a sentence under `heading`, with confidences.
pub fn categories(sentence: &str, heading: Option<&str>) -> Vec<(&'static str, f32)> {
    let by_heading = heading.map(|h| HEADINGS.matches(h));
    let mut out = Vec::new();
    for (index, (category, _, _)) in RULES.iter().enumerate() {
        let heading_says = by_heading.as_ref().is_some_and(|m| m.matched(index));
        let phrase_says = PHRASES[index].is_match(sentence);
        let confidence = match (heading_says, phrase_says) {
            (true, true) => HEADING_AND_PHRASE,
            (true, false) => HEADING_ONLY,
            (false, true) => PHRASE_ONLY,
            (false, false) => continue,
        };
        out.push((*category, confidence));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_heading_and_a_phrase_agree_on_the_category() {
        let found = categories(
            "Each party shall indemnify and hold harmless the other party from all claims.",
            Some("Indemnification"),
        );
        assert_eq!(found, [("indemnification", HEADING_AND_PHRASE)]);
    }

    #[test]
    fn a_phrase_under_another_heading_is_found_with_less_confidence() {
        let found = categories(
            "Neither party is liable for delays caused by acts of God.",
            Some("Miscellaneous"),
        );
        assert_eq!(found, [("force_majeure", PHRASE_ONLY)]);
    }

    #[test]
    fn ordinary_prose_has_no_rule_category() {
        assert!(categories("The weather was fine on Tuesday.", None).is_empty());
    }
}
