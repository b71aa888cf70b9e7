//! The parties to a contract: their names, the names the contract defines for them, and their
//! roles, read from the preamble.
//!
//! The preamble is the passage after "by and between", "among", "BETWEEN:" or "PARTIES" near
//! the top (or a paragraph that names parties and "agree"s without those words). In it every
//! defined-name bracket ("(the \"Company\")", "(hereinafter \"Licensor\")") belongs to the
//! name written just before it; a party defined without brackets ("between Acme Inc. and Beta
//! LLC.") is found after the separators "and", ";" and "(2)". Names inside descriptions
//! (addresses, "organized under the laws of") are skipped. Lists of the form "Party A: ..."
//! come next, and signature blocks ("For and on behalf of ...") last. A preamble that names
//! several parties, at least one with a defined name, wins over any other reading.

use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

use super::Sentences;
use super::names::{ROLES, clean, corporate, name_at, suffix};
use crate::span::Span;

/// One party.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Party {
    /// The name as first written in the preamble (or signature block).
    pub name: String,
    pub span: Span,
    /// Names the contract defines for the party, in order: "Acme", "Supplier".
    pub aliases: Vec<Alias>,
    /// The party's role when one of its defined names is a role ("Licensor", "Customer").
    pub role: Option<String>,
    pub source: PartySource,
    pub confidence: f32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alias {
    pub name: String,
    pub span: Span,
    /// From the first to the last name the same bracket defines ("\"Domini\" or the
    /// \"Sponsor\""): the unit CUAD annotators mark.
    #[serde(skip)]
    pub(crate) definition: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PartySource {
    Preamble,
    Signature,
}

/// How far into the text a preamble may start: cover pages and tables of contents come first
/// in long agreements.
const PREAMBLE_SEARCH_BYTES: usize = 20_000;

/// The longest stretch read as the party list of one preamble.
const PREAMBLE_MAX_BYTES: usize = 3_000;

/// Defined names in a preamble that name something other than a party: the agreement, its
/// dates, the parties collectively.
fn is_not_a_party_term(term: &str) -> bool {
    const WORDS: &[&str] = &[
        "agreement",
        "date",
        "amendment",
        "contract",
        "effective",
        "letter",
        "party",
        "parties",
        "term",
        "recitals",
        "exhibit",
        "plan",
        "schedule",
    ];
    let lower = term.to_lowercase();
    let lettered = lower.starts_with("party ") && lower.len() == "party a".len();
    let words = || {
        lower
            .split(|c: char| !c.is_alphanumeric())
            .any(|w| WORDS.contains(&w))
    };
    !lettered && (lower.ends_with("date") || lower.ends_with("agreement") || words())
}

/// Where a party list starts.
static ANCHOR: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(
        r"(?x)\bPARTIES\b\s*:?|B\x20E\x20T\x20W\x20E\x20E\x20N\s*:?|
        \b(?:by\s+and\s+between|by\s+and\s+among|
        (?:entered\s+into|made|executed)\s+by(?:\s+and\s+(?:between|among))?|
        (?i:between)|(?i:among))\b\s*:?",
    )
    .expect("anchor pattern")
});

/// Where a party list ends at the latest: recitals, the operative words, the first heading.
static PREAMBLE_END: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(
        r#"(?x)\bWHEREAS\b|\bRECITALS?\b|\bRecitals\b|\bBACKGROUND\b|\bW\s?I\s?T\s?N\s?E\s?S\s?S
        |NOW,?\s+THEREFORE|(?i:agree\s+as\s+follows)|\bIT\s+IS\s+(?:HEREBY\s+)?AGREED
        |(?i:(?:individually|each)\b[^.;]{0,60}["“]Party["”])
        |(?i:collectively\b[^.;]{0,40}["“]Parties["”])
        |(?i:\b(?:is|are)\s+(?:sometimes\s+)?(?:hereinafter\s+)?referred\s+to\s+(?:herein\s+)?
        (?:individually|each|collectively))"#,
    )
    .expect("preamble end pattern")
});

/// The parties of `text`: from its preamble when it has one, else from its signature blocks.
pub fn find_parties(text: &str) -> Vec<Party> {
    let limit = floor_boundary(text, PREAMBLE_SEARCH_BYTES.min(text.len()));
    let anchored = ANCHOR
        .find_iter(&text[..limit])
        .map(|a| preamble_parties(text, a.end()));
    let mut fallback: Vec<Party> = Vec::new();
    for parties in anchored.chain(paragraph_preambles(text, limit)) {
        if well_defined(&parties) {
            return parties;
        }
        if fallback.len() < parties.len().min(2) {
            fallback = parties;
        }
    }
    let lettered = lettered_parties(text, limit);
    if lettered.len() >= 2 && fallback.len() < 2 {
        return lettered;
    }
    if !fallback.is_empty() {
        return fallback;
    }
    signature_parties(text)
}

static COLLECTIVE: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(
        r#"(?ix)\b(?:individually|each|collectively|jointly|separately|singularly|together|
        sometimes)\b[^.;]{0,100}?["“]\s*part(?:y|ies)\b"#,
    )
    .expect("collective name pattern")
});

/// How far after the first party the collective definition ("each a \"Party\"") is looked for.
const COLLECTIVE_WINDOW_BYTES: usize = 2_500;

/// The sentence that names the parties collectively ("Acme and Beta are each referred to as a
/// \"Party\" and together as the \"Parties\""), when it is a sentence of its own (not a
/// bracket inside the preamble).
pub fn collective_definition(text: &str, parties: &[Party], sentences: &Sentences) -> Option<Span> {
    let first = parties.iter().find(|p| p.source == PartySource::Preamble)?;
    let end = floor_boundary(
        text,
        (first.span.end + COLLECTIVE_WINDOW_BYTES).min(text.len()),
    );
    let found = COLLECTIVE.find(&text[first.span.end..end])?;
    let at = first.span.end + found.start();
    let sentence = sentences.around(at);
    let names_a_party = parties.iter().any(|p| sentence.contains(&p.span));
    (!names_a_party).then_some(sentence)
}

/// Whether a party list reads as a real preamble: two parties, at least one with a defined
/// name, or two defined names.
fn well_defined(parties: &[Party]) -> bool {
    let defined = parties.iter().filter(|p| !p.aliases.is_empty()).count();
    defined >= 2 || (defined == 1 && parties.len() >= 2)
}

static PARAGRAPH: LazyLock<Regex> =
    LazyLock::new(|| super::regex(r"(?:^|\n[\x20\t]*\n)[\x20\t]*").expect("paragraph pattern"));

static AGREES: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(r"(?i)\b(?:agree|hereby|enter\s+into|entered\s+into)").expect("agrees pattern")
});

/// Preambles that open a paragraph without "between": "Acme Inc. (\"Acme\") and Beta LLC
/// (\"Beta\") agree as follows".
fn paragraph_preambles(text: &str, limit: usize) -> impl Iterator<Item = Vec<Party>> + '_ {
    PARAGRAPH.find_iter(&text[..limit]).filter_map(move |p| {
        let start = p.end();
        let paragraph_end = text[start..].find("\n\n").map_or(text.len(), |i| start + i);
        let window = floor_boundary(text, paragraph_end.min(start + PREAMBLE_MAX_BYTES));
        if !AGREES.is_match(&text[start..window]) {
            return None;
        }
        let parties = preamble_parties(text, start);
        well_defined(&parties).then_some(parties)
    })
}

static PARTY_LETTER: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(r"\b(?P<letter>Party\s+[A-D])\s*[:：]").expect("party letter pattern")
});

/// Parties introduced as "Party A: Acme Co., Ltd." (a form of contracts drafted in China).
fn lettered_parties(text: &str, limit: usize) -> Vec<Party> {
    let mut parties: Vec<Party> = Vec::new();
    for caps in PARTY_LETTER.captures_iter(&text[..limit]) {
        let (Some(letter), Some(whole)) = (caps.name("letter"), caps.get(0)) else {
            continue;
        };
        let label = clean(letter.as_str());
        if parties
            .iter()
            .any(|p| p.aliases.iter().any(|a| a.name == label))
        {
            continue;
        }
        let line_end = text[whole.end()..]
            .find('\n')
            .map_or(text.len(), |i| whole.end() + i);
        let Some(name) = name_at(text, whole.end(), line_end.min(whole.end() + 200)) else {
            continue;
        };
        let span = Span::new(letter.start(), letter.end());
        let alias = Alias {
            name: label,
            span,
            definition: span,
        };
        parties.push(party(text, name, vec![alias], PartySource::Preamble));
    }
    parties
}

/// The parties listed from `start` (just after an anchor) to the end of the preamble.
fn preamble_parties(text: &str, start: usize) -> Vec<Party> {
    let end = preamble_end(text, start);
    let definitions = definitions(text, start, end);
    let mut parties: Vec<Party> = Vec::new();
    let mut cursor = start;

    for definition in &definitions {
        let gap = Span::new(cursor, definition.span.start);
        cursor = definition.span.end;
        let (Some(first), Some(last)) = (definition.terms.first(), definition.terms.last()) else {
            continue;
        };
        let whole = Span::new(first.start, last.end);
        let terms: Vec<Alias> = definition
            .terms
            .iter()
            .filter(|t| !is_not_a_party_term(t.of(text)))
            .map(|t| Alias {
                name: clean(t.of(text)),
                span: *t,
                definition: whole,
            })
            .collect();
        if terms.is_empty() {
            continue;
        }
        match name_in_gap(text, gap) {
            Some(name) => parties.push(party(text, name, terms, PartySource::Preamble)),
            None if trivial_gap(gap.of(text)) => {
                if let Some(last) = parties.last_mut() {
                    last.aliases.extend(terms);
                }
            }
            None => {}
        }
    }

    let tail = Span::new(cursor, end);
    if parties.is_empty() {
        parties.extend(names_between_separators(text, tail));
    } else if let Some(name) = name_after_separator(text, tail) {
        parties.push(party(text, name, Vec::new(), PartySource::Preamble));
    }
    for party in &mut parties {
        party.role = role_of(&party.aliases);
    }
    parties.dedup_by(|a, b| a.name == b.name);
    parties
}

fn party(text: &str, name: Span, aliases: Vec<Alias>, source: PartySource) -> Party {
    let confidence = match (source, aliases.is_empty()) {
        (PartySource::Preamble, false) => 0.9,
        (PartySource::Preamble, true) => 0.7,
        (PartySource::Signature, _) => 0.5,
    };
    Party {
        name: clean(name.of(text)),
        span: name,
        aliases,
        role: None,
        source,
        confidence,
    }
}

fn role_of(aliases: &[Alias]) -> Option<String> {
    aliases.iter().find_map(|a| {
        let lower = a.name.to_lowercase();
        ROLES.contains(&lower.as_str()).then(|| a.name.clone())
    })
}

/// The end of the preamble that starts at `start`.
fn preamble_end(text: &str, start: usize) -> usize {
    let hard = floor_boundary(text, (start + PREAMBLE_MAX_BYTES).min(text.len()));
    let window = &text[start..hard];
    let stop = PREAMBLE_END
        .find(window)
        .map_or(window.len(), |m| m.start());
    let stop = close_brackets(window, stop);
    let sentence = sentence_end(&window[..stop]).unwrap_or(stop);
    start + sentence
}

/// `stop`, moved past the closing bracket when it falls inside one (a collective name inside
/// the last party's definition: `("Licensee" and together, the "Parties")`).
fn close_brackets(window: &str, stop: usize) -> usize {
    let open = window[..stop].matches('(').count();
    let closed = window[..stop].matches(')').count();
    if open <= closed {
        return stop;
    }
    let mut depth = open - closed;
    for (i, c) in window[stop..].char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return stop + i + 1;
                }
            }
            _ => {}
        }
    }
    stop
}

/// The first full stop in `window` that ends a sentence rather than an abbreviation, an
/// initial or a corporate suffix.
fn sentence_end(window: &str) -> Option<usize> {
    let bytes = window.as_bytes();
    (0..bytes.len()).find(|&i| {
        if bytes[i] != b'.' {
            return false;
        }
        let next = window[i + 1..].chars().next();
        let after = window[i + 1..].trim_start().chars().next();
        let spaced = next.is_some_and(char::is_whitespace);
        let opens = after.is_some_and(|c| c.is_uppercase() || matches!(c, '"' | '“' | '('));
        let defines = window[i + 1..]
            .trim_start()
            .to_lowercase()
            .starts_with("herein");
        spaced && opens && !defines && !abbreviation_before(&window[..i])
    })
}

/// Whether the word before a full stop is an abbreviation or a corporate suffix.
fn abbreviation_before(before: &str) -> bool {
    let word = before
        .rsplit(|c: char| c.is_whitespace() || c == '(')
        .next()
        .unwrap_or("");
    let bare: String = word.chars().filter(|c| c.is_alphanumeric()).collect();
    let lower = bare.to_lowercase();
    word.contains('.')
        || bare.chars().count() <= 1
        || suffix(word)
        || matches!(
            lower.as_str(),
            "no" | "mr" | "mrs" | "ms" | "dr" | "st" | "nos" | "u" | "s"
        )
}

/// A bracket (or "hereinafter" phrase) that defines names: `(the "Company")`.
struct Definition {
    span: Span,
    terms: Vec<Span>,
}

static QUOTED: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(r#"["“]\s*([^"“”\n]{1,80}?)\s*["”]"#).expect("quoted term pattern")
});

static BARE_DEFINITION: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(
        r"(?x)^\s*(?:here(?:in)?after\s+(?:referred\s+to\s+as\s+|called\s+)?(?:the\s+)?)?
        ([A-Z][A-Za-z-]+(?:\s+[A-Z][A-Za-z-]+){0,2})\s*$",
    )
    .expect("bare definition pattern")
});

/// Defined-name brackets between `start` and `end`, in order.
fn definitions(text: &str, start: usize, end: usize) -> Vec<Definition> {
    let mut out = bracket_definitions(text, start, end);
    for caps in HEREINAFTER.captures_iter(&text[start..end]) {
        let (Some(whole), Some(term)) = (caps.get(0), caps.get(1)) else {
            continue;
        };
        let span = Span::new(start + whole.start(), start + whole.end());
        if out.iter().any(|d: &Definition| d.span.contains(&span)) {
            continue;
        }
        let term = Span::new(start + term.start(), start + term.end());
        out.push(Definition {
            span,
            terms: vec![term],
        });
    }
    // Of two that overlap (a bracket inside a quoted "hereinafter" name, or a phrase that
    // runs into a bracket), the one that starts first, or the longer, stands.
    out.sort_by_key(|d| (d.span.start, std::cmp::Reverse(d.span.end)));
    let mut kept: Vec<Definition> = Vec::with_capacity(out.len());
    for definition in out {
        if kept
            .last()
            .is_none_or(|last| definition.span.start >= last.span.end)
        {
            kept.push(definition);
        }
    }
    kept
}

/// "hereinafter referred to as the \"Company\"" written outside brackets.
static HEREINAFTER: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(
        r#"(?ix)\b(?:hereinafter|hereafter|herein)\s+
        (?:(?:referred\s+to|called|known|designated)\s+(?:as\s+)?)?
        (?:the\s+)?["“]\s*([^"“”\n]{1,60}?)\s*["”]"#,
    )
    .expect("hereinafter pattern")
});

fn bracket_definitions(text: &str, start: usize, end: usize) -> Vec<Definition> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut open = 0usize;
    for (i, c) in text[start..end].char_indices() {
        let at = start + i;
        match c {
            '(' => {
                if depth == 0 {
                    open = at;
                }
                depth += 1;
            }
            ')' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    out.extend(definition(text, Span::new(open, at + 1)));
                }
            }
            _ => {}
        }
    }
    out
}

fn definition(text: &str, bracket: Span) -> Option<Definition> {
    let inner = Span::new(bracket.start + 1, bracket.end - 1);
    let content = inner.of(text);
    let terms: Vec<Span> = QUOTED
        .captures_iter(content)
        .filter_map(|c| c.get(1))
        .map(|m| Span::new(inner.start + m.start(), inner.start + m.end()))
        .collect();
    if !terms.is_empty() {
        return Some(Definition {
            span: bracket,
            terms,
        });
    }
    let caps = BARE_DEFINITION.captures(content)?;
    let term = caps.get(1)?;
    // "(hereinafter Licensee)" defines a name outright; a bare "(MICOA)" or "(Licensee)" only
    // when the contract goes on to use it, unlike "(USA)" or "(Delaware)" in a description.
    let hereinafter = content.trim_start().starts_with("here");
    let used = || text.matches(term.as_str()).nth(3).is_some();
    (hereinafter || used()).then(|| Definition {
        span: bracket,
        terms: vec![Span::new(
            inner.start + term.start(),
            inner.start + term.end(),
        )],
    })
}

/// Whether the text between two definitions says nothing, so the second defines more names
/// for the same party: `("Domini") (the "Sponsor")`, `, or`.
fn trivial_gap(gap: &str) -> bool {
    let rest = gap.trim_matches(|c: char| c.is_whitespace() || matches!(c, ',' | ';'));
    rest.is_empty() || matches!(rest.to_lowercase().as_str(), "or" | "and" | "also")
}

static SEPARATOR: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(
        r"(?x)(?:^|\s)(?:and|AND|And)[:,]?\s|;|(?i:between|among)\s*:?|
        \(\s*(?:\d{1,2}|[a-h]|i{1,3}|iv|v)\s*\)
        |(?i:on\s+the\s+(?:one|other)\s+hand),?|\n[\x20\t]*&[\x20\t]*\n",
    )
    .expect("separator pattern")
});

/// The name a definition belongs to: the name that starts the gap, else the first name after
/// a separator that ends where a name ends (before a comma, a bracket, an article or the
/// definition), so that "England and Wales with number 123" does not give "Wales".
fn name_in_gap(text: &str, gap: Span) -> Option<Span> {
    if let Some(name) = name_at(text, gap.start, gap.end) {
        return Some(name);
    }
    SEPARATOR.find_iter(gap.of(text)).find_map(|m| {
        let name = name_at(text, gap.start + m.end(), gap.end)?;
        let next = text[name.end..gap.end].trim_start();
        let ends = next.is_empty()
            || next.starts_with([',', ';', '(', '\n', '['])
            || NAME_FOLLOWERS.iter().any(|w| next.starts_with(w));
        ends.then_some(name)
    })
}

/// Words that may follow a party's name in a preamble: its description begins.
const NAME_FOLLOWERS: &[&str] = &[
    "a ",
    "an ",
    "of ",
    "together",
    "having",
    "located",
    "whose",
    "organized",
    "organised",
    "incorporated",
    "existing",
    "acting",
    "hereinafter",
    "hereafter",
    "on behalf",
    "as ",
    "d/b/a",
    "dba",
    "through",
    "its ",
    "for ",
    "is ",
    "which",
    "registered",
];

/// A name after the last separator of `span`, for the party written last without brackets.
fn name_after_separator(text: &str, span: Span) -> Option<Span> {
    let last = SEPARATOR.find_iter(span.of(text)).last()?;
    let at = span.start + last.end();
    let lead = &text[span.start..span.start + last.start()];
    if lead
        .trim_matches(|c: char| c.is_whitespace() || c == ',')
        .len()
        > 3
    {
        return None;
    }
    name_at(text, at, span.end).filter(|n| corporate(n.of(text)))
}

/// Names at the start of `span` and after each separator, for preambles without defined
/// names ("between Acme Inc. and Beta LLC").
fn names_between_separators(text: &str, span: Span) -> Vec<Party> {
    let mut starts = vec![span.start];
    starts.extend(
        SEPARATOR
            .find_iter(span.of(text))
            .map(|m| span.start + m.end()),
    );
    let mut out = Vec::new();
    for start in starts {
        let name = name_at(text, start, span.end)
            .filter(|n| corporate(n.of(text)) || n.of(text).split_whitespace().count() >= 2);
        match name {
            Some(name) => out.push(party(text, name, Vec::new(), PartySource::Preamble)),
            None if out.len() >= 2 => break,
            None => {}
        }
        if out.len() == 4 {
            break;
        }
    }
    out
}

/// Signature-block parties: "For and on behalf of X", or a company line above "By:".
static SIGNATURE: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(concat!(
        r"(?m)(?:^[\x20\t]*(?i:for\s+and\s+on\s+behalf\s+of|on\s+behalf\s+of)[\x20\t:]+",
        r"(?P<behalf>[^\n]+)$)",
        r"|(?:^[\x20\t]*(?P<company>[A-Z][^\n]{2,80}?)[\x20\t]*:?[\x20\t]*\n",
        r"(?:[\x20\t]*\n){0,3}[\x20\t]*By:)",
    ))
    .expect("signature pattern")
});

fn signature_parties(text: &str) -> Vec<Party> {
    let mut parties: Vec<Party> = Vec::new();
    for caps in SIGNATURE.captures_iter(text) {
        let Some(line) = caps.name("behalf").or_else(|| caps.name("company")) else {
            continue;
        };
        let Some(name) = name_at(text, line.start(), line.end()) else {
            continue;
        };
        if !corporate(name.of(text)) || parties.iter().any(|p| p.name == clean(name.of(text))) {
            continue;
        }
        parties.push(party(text, name, Vec::new(), PartySource::Signature));
    }
    parties
}

fn floor_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(text: &str) -> Vec<(String, Vec<String>, Option<String>)> {
        find_parties(text)
            .into_iter()
            .map(|p| {
                (
                    p.name,
                    p.aliases.into_iter().map(|a| a.name).collect(),
                    p.role,
                )
            })
            .collect()
    }

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_preamble_gives_names_defined_names_and_roles() {
        let text = "This Agreement is entered into by and between Acme Corp., a Delaware \
                    corporation (\"Acme\" or \"Supplier\"), and Beta LLC (\"Customer\").";
        assert_eq!(
            summary(text),
            [
                (
                    "Acme Corp.".into(),
                    names(&["Acme", "Supplier"]),
                    Some("Supplier".into())
                ),
                (
                    "Beta LLC".into(),
                    names(&["Customer"]),
                    Some("Customer".into())
                ),
            ]
        );
    }

    // The preambles below are quoted from CUAD v1 (CC BY 4.0, The Atticus Project).

    #[test]
    fn descriptions_and_addresses_between_the_parties_are_skipped() {
        let text = "This Co-Branding Agreement (this \"Agreement\") by and between VerticalNet, \
                    Inc., a Pennsylvania corporation having a principal place of business at 700 \
                    Dresher Road, Suite 100, Horsham, Pennsylvania, PA 19044 (\"VerticalNet\"), \
                    and Neoforma.com, Inc., a Delaware corporation having a principal place of \
                    business at 3255-7 Scott Boulevard, Santa Clara, CA 95054 (\"Neoforma\"), is \
                    dated as of November 19, 1999 (the \"Effective Date\").";
        assert_eq!(
            summary(text),
            [
                ("VerticalNet, Inc.".into(), names(&["VerticalNet"]), None),
                ("Neoforma.com, Inc.".into(), names(&["Neoforma"]), None),
            ]
        );
    }

    #[test]
    fn a_party_named_after_an_address_is_found_after_the_last_and() {
        let text = "This Agreement (\"Agreement\") is made effective March 22, 2018, by and \
                    between Freeze Tag Inc., a Delaware Corporation (\"Company\"), with its \
                    principal place of business located at 1720 Bray Central Drive, McKinney, TX \
                    75069 and the American Diabetes Association, Inc. (\"Association\"), an Ohio \
                    not-for profit corporation. ADA and/or Company may be referred to as a \
                    \"Party\" or collectively as the \"Parties.\"";
        assert_eq!(
            summary(text),
            [
                (
                    "Freeze Tag Inc.".into(),
                    names(&["Company"]),
                    Some("Company".into())
                ),
                (
                    "American Diabetes Association, Inc.".into(),
                    names(&["Association"]),
                    None
                ),
            ]
        );
    }

    #[test]
    fn several_parties_and_a_group_name_are_kept_in_order() {
        let text = "This Cooperation Agreement (this \"Agreement\"), dated as of May 13, 2020, \
                    is by and among MG Capital Management Ltd., a Cayman Islands company limited \
                    by shares (\"MG Capital\"), Percy Rockdale LLC, a Michigan limited liability \
                    company (\"Percy Rockdale\"), Rio Royal LLC, a Michigan limited liability \
                    company (\"Rio Royal\", and together with MG Capital and Percy Rockdale, the \
                    \"MG Capital Parties\") and HC2 Holdings, Inc., a Delaware corporation (the \
                    \"Company\").";
        let found = summary(text);
        let found: Vec<&str> = found.iter().map(|p| p.0.as_str()).collect();
        assert_eq!(
            found,
            [
                "MG Capital Management Ltd.",
                "Percy Rockdale LLC",
                "Rio Royal LLC",
                "HC2 Holdings, Inc."
            ]
        );
    }

    #[test]
    fn an_english_numbered_party_list_is_read() {
        let text = "THIS AGREEMENT is dated 1 March 2019\n\nBETWEEN:\n\n(1) ACME SOFTWARE \
                    LIMITED, a company incorporated in England and Wales with company number \
                    01234567 (the \"Licensor\"); and\n\n(2) BETA HOLDINGS PLC, whose registered \
                    office is at 1 High Street, London (the \"Licensee\").\n\nBACKGROUND";
        assert_eq!(
            summary(text),
            [
                (
                    "ACME SOFTWARE LIMITED".into(),
                    names(&["Licensor"]),
                    Some("Licensor".into())
                ),
                (
                    "BETA HOLDINGS PLC".into(),
                    names(&["Licensee"]),
                    Some("Licensee".into())
                ),
            ]
        );
    }

    #[test]
    fn parties_without_defined_names_are_split_at_and() {
        let text = "This Services Agreement is made by and between Alpha Systems, Inc. and \
                    Omega Partners LLC.\n\n1. Services.";
        assert_eq!(
            summary(text),
            [
                ("Alpha Systems, Inc.".into(), vec![], None),
                ("Omega Partners LLC".into(), vec![], None),
            ]
        );
    }

    #[test]
    fn an_unquoted_acronym_defines_a_name_and_a_firms_name_keeps_its_commas() {
        let text = "EXHIBIT 10.26      MICOA       AGENCY AGREEMENT\n\n         Mutual Insurance \
                    Corporation of America, a Michigan insurance corporation (MICOA) and \
                    Stratton, Cheeseman & Walsh-Nevada, Inc., a Nevada corporation, (\"Agency\"), \
                    (sometimes commonly referred to as the Parties) agree as follows:\n\nA. \
                    AUTHORITY OF AGENCY\n\nSubject to the rules of MICOA, the Agency may \
                    deliver proposals to MICOA and bind MICOA only as MICOA allows.\n\n";
        assert_eq!(
            summary(text),
            [
                (
                    "Mutual Insurance Corporation of America".into(),
                    vec!["MICOA".into()],
                    None
                ),
                (
                    "Stratton, Cheeseman & Walsh-Nevada, Inc.".into(),
                    vec!["Agency".into()],
                    None
                ),
            ]
        );
    }

    #[test]
    fn a_bracket_inside_a_hereinafter_name_does_not_overlap_it() {
        let text = "This Agreement is made between Alpha Trading Ltd., hereinafter called the \
                    \"Seller (Alpha)\" (Alpha), and Omega Foods LLC (the \"Buyer\").\n\n1. Sale.";
        let found = summary(text);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[1].0, "Omega Foods LLC");
    }

    #[test]
    fn signature_blocks_name_the_parties_when_there_is_no_preamble() {
        let text = "The parties have signed.\n\nFor and on behalf of      ABS Telecom plc\n\n\
                    ------\n\nFor and on behalf of      AT&T Corp.\n\n";
        let found = find_parties(text);
        let found: Vec<(&str, PartySource)> =
            found.iter().map(|p| (p.name.as_str(), p.source)).collect();
        assert_eq!(
            found,
            [
                ("ABS Telecom plc", PartySource::Signature),
                ("AT&T Corp.", PartySource::Signature)
            ]
        );
    }

    #[test]
    fn text_that_is_not_a_contract_names_no_parties() {
        let text = "The weather between March and April was mild. Rainfall among the northern \
                    valleys was low, and farmers planted early.";
        assert!(find_parties(text).is_empty());
        let german = "Dieser Vertrag wird zwischen der Muster GmbH und der Beispiel AG \
                      geschlossen. Es gilt deutsches Recht.";
        assert!(find_parties(german).is_empty());
    }
}
