//! Whether a text is something the classifier should type at all: long enough, written in
//! English, and in the language of agreements. Word lists and counts only, no model.
//!
//! The thresholds were set on the development splits of the CUAD, ContractNLI and EDGAR
//! doctypes datasets, where every document passes but a 145-word joint-filing signature block,
//! and on Rust crate READMEs, a news report, an e-mail and a recipe, which do not. Documents
//! about contracts pass when they use enough contract language: a press release announcing an
//! agreement, a form's README, an SEC filing cover page.

use std::collections::HashMap;

use serde::Serialize;

/// Why a text is not classified as a contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotContract {
    pub kind: NotContractKind,
    /// The language or script the text is mostly written in, when that is the reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<&'static str>,
    /// A sentence for people, safe to show: it never quotes the text.
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NotContractKind {
    /// Nothing but whitespace.
    Empty,
    /// Fewer than [`MIN_WORDS`] words: too little to tell what it is.
    TooShort,
    /// Mostly in a language other than English, which the engine does not analyse.
    UnsupportedLanguage,
    /// English prose without the vocabulary of an agreement (a news item, a README, a recipe).
    NoContractLanguage,
}

/// Below this many words a text is too short to classify; a one-paragraph amendment has more.
pub const MIN_WORDS: usize = 30;

/// Share of English function words below which a text is not English. English contracts sit at
/// 0.25-0.45; French, German or Spanish text scores under 0.05 on the same list.
const MIN_ENGLISH_SHARE: f32 = 0.10;

/// Share of letters from a non-Latin script above which the text is in that script.
const MAX_FOREIGN_SCRIPT_SHARE: f32 = 0.5;

/// Contract-language points (see [`contract_points`]) a text needs to count as an agreement.
const MIN_CONTRACT_POINTS: i32 = 7;

/// Frequent English function words.
#[rustfmt::skip]
const ENGLISH: &[&str] = &[
    "the", "of", "and", "to", "in", "or", "any", "by", "be", "shall", "this", "for", "such",
    "with", "as", "that", "is", "on", "its", "which", "will", "not", "all", "from", "at", "an",
    "are", "other", "has", "have", "it", "may", "if", "under", "upon", "each", "been", "than",
    "would", "their", "there", "these", "was", "were",
];

/// Function words of the other languages contracts commonly arrive in, to name the language
/// when a text is not English. Words shared with English are left out.
#[rustfmt::skip]
const OTHER_LANGUAGES: &[(&str, &[&str])] = &[
    ("French", &[
        "le", "la", "les", "des", "du", "et", "est", "pour", "par", "dans", "sur", "aux", "qui",
        "que", "une", "ne", "pas", "ce", "cette", "ses", "son", "sont", "avec", "entre", "ou",
        "au", "être", "présent", "société",
    ]),
    ("German", &[
        "der", "die", "das", "und", "den", "dem", "des", "ein", "eine", "einer", "eines", "ist",
        "sind", "von", "zu", "mit", "auf", "für", "im", "nicht", "sich", "werden", "wird", "oder",
        "bei", "durch", "nach", "auch", "als", "vertrag", "gemäß",
    ]),
    ("Spanish", &[
        "el", "los", "las", "del", "y", "en", "que", "por", "para", "con", "se", "es", "al",
        "lo", "su", "sus", "como", "una", "este", "esta", "contrato", "partes",
    ]),
    ("Italian", &[
        "il", "gli", "di", "della", "dei", "delle", "che", "per", "con", "non", "da", "alla",
        "sono", "è", "si", "contratto", "nel", "nella",
    ]),
    ("Portuguese", &[
        "os", "do", "da", "dos", "das", "em", "um", "uma", "para", "com", "não", "por", "na",
        "ao", "contrato", "partes", "pela", "pelo",
    ]),
    ("Dutch", &[
        "het", "een", "en", "van", "op", "te", "dat", "voor", "met", "zijn", "niet", "aan",
        "door", "worden", "wordt", "bij", "overeenkomst", "partijen",
    ]),
];

/// Words that mostly occur in agreements, worth two points each (once per word).
#[rustfmt::skip]
const FORMAL: &[&str] = &[
    "shall", "hereby", "hereto", "hereof", "hereunder", "herein", "hereinafter", "whereas",
    "witnesseth", "thereof", "therein", "pursuant", "undersigned", "foregoing", "thereunder",
    "notwithstanding",
];

/// Words common in agreements and in other writing, one point each, at most
/// [`MAX_COMMON_POINTS`] in all.
#[rustfmt::skip]
const COMMON: &[&str] = &[
    "agreement", "agree", "agrees", "agreed", "parties", "party", "terms", "conditions",
    "obligations", "termination", "terminate", "breach", "liability", "indemnify",
    "indemnification", "warranty", "warranties", "confidential", "effective", "governed",
    "governing", "executed", "signature", "signatures", "authorized", "plan", "participant",
    "payment", "fees", "deliverables", "assignment", "notices", "jurisdiction", "provisions",
    "consideration", "remedies", "counterparts", "severability", "majeure", "contract",
    "recitals", "covenants", "adopted", "benefits", "beneficiary", "administrator",
];

/// The most points common words can earn: plain-English contracts without "shall" or
/// "hereby" still reach the threshold, a news report about a deal does not.
const MAX_COMMON_POINTS: i32 = 7;

/// Phrases of agreements, two points each (once per phrase).
const FORMAL_PHRASES: &[&[&str]] = &[
    &["by", "and", "between"],
    &["made", "and", "entered"],
    &["entered", "into"],
    &["in", "witness", "whereof"],
    &["now", "therefore"],
    &["agree", "as", "follows"],
    &["effective", "date"],
    &["dated", "as", "of"],
    &["terms", "and", "conditions"],
];

/// Words of news reports, recipes and software documentation, minus two points each.
#[rustfmt::skip]
const ELSEWHERE: &[&str] = &[
    "analysts", "reporters", "yesterday", "recipe", "tablespoon", "teaspoon", "preheat", "npm",
    "github", "readme", "blog", "subscribe", "tweet", "podcast",
];

/// The screening verdict on `text`, given its lower-cased words. `titled` says whether an
/// agreement-like title heads the text, which counts as contract language.
pub(crate) fn screen(text: &str, words: &[&str], titled: bool) -> Result<(), NotContract> {
    if text.trim().is_empty() {
        return Err(reject(
            NotContractKind::Empty,
            None,
            "The text is empty.".into(),
        ));
    }
    if let Some(script) = foreign_script(text) {
        return Err(unsupported(script));
    }

    let counts = WordCounts::of(words);
    if counts.total < MIN_WORDS {
        let message = format!(
            "The text has {} words, too few to tell what kind of document it is.",
            counts.total
        );
        return Err(reject(NotContractKind::TooShort, None, message));
    }

    let english = counts.share(ENGLISH);
    if english < MIN_ENGLISH_SHARE {
        let language = OTHER_LANGUAGES
            .iter()
            .map(|(name, list)| (*name, counts.share(list)))
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .filter(|(_, s)| *s > english)
            .map_or("a language other than English", |(name, _)| name);
        return Err(unsupported(language));
    }

    let points = contract_points(&counts) + 2 * phrases(words) + if titled { 3 } else { 0 };
    if points < MIN_CONTRACT_POINTS {
        let message = "The text does not read like an agreement: it lacks the vocabulary of \
                       parties, obligations and terms."
            .to_string();
        return Err(reject(NotContractKind::NoContractLanguage, None, message));
    }
    Ok(())
}

fn reject(kind: NotContractKind, language: Option<&'static str>, message: String) -> NotContract {
    NotContract {
        kind,
        language,
        message,
    }
}

fn unsupported(language: &'static str) -> NotContract {
    let message = format!(
        "The text is mostly in {language}; only English contracts are analysed, so no type was \
         assigned."
    );
    reject(
        NotContractKind::UnsupportedLanguage,
        Some(language),
        message,
    )
}

/// How often each word of a lower-cased text occurs.
struct WordCounts<'t> {
    counts: HashMap<&'t str, u32>,
    total: usize,
}

impl<'t> WordCounts<'t> {
    fn of(words: &[&'t str]) -> Self {
        let mut counts = HashMap::new();
        for word in words {
            *counts.entry(*word).or_insert(0) += 1;
        }
        Self {
            counts,
            total: words.len(),
        }
    }

    /// The share of all words that are in `list`.
    fn share(&self, list: &[&str]) -> f32 {
        let hits: u32 = list.iter().filter_map(|w| self.counts.get(w)).sum();
        hits as f32 / self.total.max(1) as f32
    }

    /// How many words of `list` occur at all.
    fn distinct(&self, list: &[&str]) -> i32 {
        list.iter().filter(|w| self.counts.contains_key(*w)).count() as i32
    }
}

/// Points for contract vocabulary: two per distinct formal word, one per distinct common word
/// up to [`MAX_COMMON_POINTS`], minus two per distinct word of news, recipes or software
/// documentation.
fn contract_points(words: &WordCounts) -> i32 {
    let common = words.distinct(COMMON).min(MAX_COMMON_POINTS);
    2 * words.distinct(FORMAL) + common - 2 * words.distinct(ELSEWHERE)
}

/// How many of [`FORMAL_PHRASES`] occur in `words`.
fn phrases(words: &[&str]) -> i32 {
    let found = FORMAL_PHRASES
        .iter()
        .filter(|phrase| words.windows(phrase.len()).any(|w| w == **phrase));
    found.count() as i32
}

/// The name of the non-Latin script most letters of `text` are in, when most are.
fn foreign_script(text: &str) -> Option<&'static str> {
    let mut latin = 0usize;
    let mut other = [0usize; SCRIPTS.len()];
    let mut unknown = 0usize;
    for c in text.chars().filter(|c| c.is_alphabetic()) {
        if c.is_ascii_alphabetic() || ('\u{c0}'..='\u{24f}').contains(&c) {
            latin += 1;
        } else if let Some(i) = SCRIPTS
            .iter()
            .position(|(_, lo, hi)| (*lo..=*hi).contains(&c))
        {
            other[i] += 1;
        } else {
            unknown += 1;
        }
    }

    let foreign = other.iter().sum::<usize>() + unknown;
    let letters = latin + foreign;
    if letters == 0 || (foreign as f32) <= MAX_FOREIGN_SCRIPT_SHARE * letters as f32 {
        return None;
    }
    let (best, count) = other.iter().enumerate().max_by_key(|(_, n)| **n)?;
    Some(if *count >= unknown {
        SCRIPTS[best].0
    } else {
        "a non-Latin script"
    })
}

/// Unicode blocks of the scripts worth naming, as (name, first, last).
const SCRIPTS: [(&str, char, char); 10] = [
    ("Chinese", '\u{4e00}', '\u{9fff}'),
    ("Japanese", '\u{3040}', '\u{30ff}'),
    ("Korean", '\u{ac00}', '\u{d7af}'),
    ("Cyrillic script", '\u{400}', '\u{4ff}'),
    ("Arabic", '\u{600}', '\u{6ff}'),
    ("Hebrew", '\u{590}', '\u{5ff}'),
    ("Greek", '\u{370}', '\u{3ff}'),
    ("Devanagari script", '\u{900}', '\u{97f}'),
    ("Thai", '\u{e00}', '\u{e7f}'),
    ("Armenian", '\u{530}', '\u{58f}'),
];
