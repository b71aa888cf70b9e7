//! The document's title as written: the first heading near the top that names a kind of
//! document ("DISTRIBUTOR AGREEMENT", "Amendment No. 2 to Credit Agreement"), with its span.
//!
//! CUAD's annotators mark the first such heading, or, in a document without one, the name in
//! its opening sentence ("This Master Services Agreement (the ...)"); the finder does the same.
//! Texts converted from PDF often lose their line breaks, so a heading is found as a run of
//! capitalised words ending in a document noun, not as a line.

mod lines;

use crate::span::Span;
use lines::{Kind, Line, Token, is_connector, is_exhibit_marker, is_head_noun, is_number_word};
use lines::{is_prose, join_lines, segments};

/// How far into the text titles are looked for: cover pages, legends and tables of contents
/// push some titles past the first page.
const HEAD_BYTES: usize = 6000;

/// The longest title, in words; longer capitalised runs are legends or party blocks.
const MAX_TITLE_WORDS: usize = 14;

/// Most words a title may carry after its noun ("AGREEMENT FOR TRANSFER AGENT SERVICES").
const MAX_TAIL_WORDS: usize = 6;

/// A title-like phrase near the top of the text.
#[derive(Debug, Clone)]
pub(crate) struct Heading {
    pub span: Span,
    /// The phrase with its whitespace collapsed to single spaces.
    pub text: String,
    pub kind: HeadingKind,
    /// Before an "Exhibit" marker that another heading follows: EDGAR prefixes exhibits with
    /// their filing description, which names the document but is not its title.
    pub before_exhibit: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HeadingKind {
    /// Stands apart from running text: its own line, or capitals before the opening words.
    Heading,
    /// Named by the opening sentence: "This Supply Agreement (the ...".
    Sentence,
    /// A document noun alone ("AGREEMENT"): a title only when nothing better exists.
    Bare,
}

/// Every title-like phrase in the head of `text`, in order of position. The head ends with
/// the first paragraph of running prose: headings after it are section headings.
pub(crate) fn headings(text: &str) -> Vec<Heading> {
    let head = &text[..floor_boundary(text, HEAD_BYTES)];
    let mut lines = join_lines(head, segments(head));
    if let Some(prose) = lines.iter().position(is_prose) {
        lines.truncate(prose + 1);
    }
    let mut found: Vec<Heading> = lines.iter().flat_map(|l| line_headings(head, l)).collect();

    let marker = lines
        .iter()
        .find(|l| is_exhibit_marker(&l.tokens))
        .map(|l| l.start);
    if let Some(marker) = marker
        && found
            .iter()
            .any(|h| h.span.start > marker && h.kind != HeadingKind::Bare)
    {
        for heading in found.iter_mut().filter(|h| h.span.start < marker) {
            heading.before_exhibit = true;
        }
    }
    found
}

/// The title among `headings`: the first real heading or opening-sentence name, preferring
/// those after an exhibit marker; a bare noun only when nothing else was found.
pub(crate) fn choose(headings: &[Heading]) -> Option<&Heading> {
    let real = |h: &&Heading| h.kind != HeadingKind::Bare;
    headings
        .iter()
        .filter(real)
        .find(|h| !h.before_exhibit)
        .or_else(|| headings.iter().find(real))
        .or_else(|| headings.first())
}

/// Words that end a title run: the opening sentence begins.
#[rustfmt::skip]
const STOP_WORDS: &[&str] = &[
    "this", "between", "among", "amongst", "dated", "made", "entered", "effective", "is",
    "whereas", "hereinafter", "by", "executed", "from", "with", "dba", "reference", "page",
];

/// Leading words that are not part of a title.
#[rustfmt::skip]
const LEADING_NOISE: &[&str] = &[
    "exhibit", "ex", "execution", "version", "copy", "confidential", "final", "draft", "conformed",
    "source", "january", "february", "march", "april", "may", "june", "july", "august",
    "september", "october", "november", "december",
];

/// Words naming an attachment, dropped with their letter or number ("EXHIBIT B", "Annex 2").
const ATTACHMENT_WORDS: &[&str] = &["exhibit", "attachment", "appendix", "annex", "schedule"];

fn is_stop_word(word: &str) -> bool {
    STOP_WORDS.iter().any(|s| s.eq_ignore_ascii_case(word))
}

/// The title-like phrases of one line.
fn line_headings(head: &str, line: &Line) -> Vec<Heading> {
    let tokens = &line.tokens;
    if let Some(subject) = subject_line(head, tokens) {
        return vec![subject];
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let end = run_end(tokens, i);
        if end > i {
            out.extend(run_heading(head, tokens, i, end));
            i = end;
        } else {
            i += 1;
        }
    }
    out
}

/// A letter's subject line ("Re: Employment Agreement") as its title.
fn subject_line(head: &str, tokens: &[Token]) -> Option<Heading> {
    let first = tokens.first()?;
    let is_re = first.word.eq_ignore_ascii_case("re") && first.closes;
    if !is_re || tokens.len() < 2 || tokens.len() > MAX_TITLE_WORDS + 1 {
        return None;
    }
    let span = Span::new(tokens[1].core.start, tokens[tokens.len() - 1].core.end);
    let span = close_brackets(head, span);
    let text = span
        .of(head)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    Some(Heading {
        span,
        text,
        kind: HeadingKind::Heading,
        before_exhibit: false,
    })
}

/// The end (exclusive) of the run of title words starting at `start`; `start` when none does.
fn run_end(tokens: &[Token], start: usize) -> usize {
    let mut i = start;
    while i < tokens.len() {
        let t = &tokens[i];
        let fits = matches!(
            t.kind,
            Kind::Upper | Kind::Cap | Kind::Connector | Kind::Number | Kind::Joiner
        ) || (t.kind == Kind::Markup && i == start);
        if !fits || is_stop_word(t.word) || (t.opens && i > start) {
            break;
        }
        i += 1;
        if t.closes {
            break;
        }
    }
    i
}

/// The heading inside the run `tokens[start..end]`, if it contains a document noun.
fn run_heading(head: &str, tokens: &[Token], start: usize, end: usize) -> Option<Heading> {
    let noun = (start..end).find(|&i| is_head_noun(tokens, i))?;
    if is_field_label(tokens, noun) {
        return None;
    }
    let last = title_end(tokens, noun, end);
    let first = first_title_token(tokens, start, noun)?;
    let words = tokens[first..=last]
        .iter()
        .filter(|t| t.kind != Kind::Joiner)
        .count();
    if words > MAX_TITLE_WORDS {
        return None;
    }
    if is_filing_item(&tokens[first..=last]) {
        return None;
    }
    let kind = heading_kind(tokens, first, last, words)?;
    let last = with_parenthetical(tokens, last, end);

    let span = Span::new(tokens[first].core.start, tokens[last].core.end);
    let span = close_brackets(head, span);
    let text = span
        .of(head)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    Some(Heading {
        span,
        text,
        kind,
        before_exhibit: false,
    })
}

/// Nouns a title usually ends with; a weaker noun before one of them ("NOTE PURCHASE
/// AGREEMENT") does not end the title.
const FINAL_NOUNS: &[&str] = &["agreement", "agreements", "contract"];

/// Where the title whose first document noun is at `noun` ends, within a run ending at `end`:
/// it takes in numbering ("AMENDMENT NO. 2"), further nouns ("LEASE AGREEMENT"), nouns joined
/// by a connector ("SEPARATION AGREEMENT AND GENERAL RELEASE", "AMENDMENT NO. 1 TO
/// EMPLOYMENT AGREEMENT") and a short "for"/"of" tail ("AGREEMENT FOR TRANSFER AGENT
/// SERVICES"), but stops before a second title ("SERVICES AGREEMENT SERVICES AGREEMENT").
fn title_end(tokens: &[Token], noun: usize, end: usize) -> usize {
    let mut last = noun;
    loop {
        let mut next = last + 1;
        while next < end && is_numbering(tokens, next) && !tokens[next - 1].closes {
            last = next;
            next += 1;
        }
        if next >= end || tokens[last].closes {
            return last;
        }
        let repeated = is_final_noun(&tokens[last]) && is_final_noun(&tokens[next]);
        if is_head_noun(tokens, next) && !repeated {
            last = next;
            continue;
        }
        let joined = is_connector(tokens[next].word)
            || tokens[next].kind == Kind::Joiner
            || tokens[last].comma;
        let reach = if joined { end } else { (next + 3).min(end) };
        let later = (next..reach)
            .find(|&i| is_head_noun(tokens, i) && (joined || is_final_noun(&tokens[i])));
        if let Some(later) = later.filter(|_| !is_final_noun(&tokens[last]) || joined) {
            last = later;
            continue;
        }
        let tail = end - next;
        let of_or_for = ["for", "of"]
            .iter()
            .any(|w| w.eq_ignore_ascii_case(tokens[next].word));
        if of_or_for && tail <= MAX_TAIL_WORDS && !tokens[last].comma {
            return end - 1;
        }
        return last;
    }
}

fn is_final_noun(token: &Token) -> bool {
    FINAL_NOUNS
        .iter()
        .any(|n| n.eq_ignore_ascii_case(token.word))
}

/// Whether token `i` numbers the document: "2", "No. 2", "#3", "I", "IV".
fn is_numbering(tokens: &[Token], i: usize) -> bool {
    let word = tokens[i].word;
    let numbered_next = tokens.get(i + 1).is_some_and(|t| t.kind == Kind::Number);
    tokens[i].kind == Kind::Number
        || (is_number_word(word) && numbered_next && !tokens[i].closes)
        || (word.len() <= 4 && word.chars().all(|c| matches!(c, 'I' | 'V' | 'X')))
}

/// Whether the noun at `noun` labels a field rather than titles the document:
/// "Contract No.: JSXCS1200166CC000", "Agreement Number 12965" on a line of its own.
fn is_field_label(tokens: &[Token], noun: usize) -> bool {
    let Some(next) = tokens.get(noun + 1).filter(|t| is_number_word(t.word)) else {
        return false;
    };
    next.closes || tokens.get(noun + 2).is_none() || (noun == 0 && is_final_noun(&tokens[noun]))
}

/// The first token of the title in a run whose noun is at `noun`: leading exhibit numbers,
/// dates, markup and connectors dropped, and a capitalised prefix dropped before a title in
/// capitals ("Acme Corp. DISTRIBUTOR AGREEMENT").
fn first_title_token(tokens: &[Token], start: usize, noun: usize) -> Option<usize> {
    let mut first = start;
    while first < noun {
        let t = &tokens[first];
        let attachment = ATTACHMENT_WORDS
            .iter()
            .any(|w| w.eq_ignore_ascii_case(t.word));
        if attachment && first + 1 < noun && is_designation(&tokens[first + 1]) {
            first += 2;
            continue;
        }
        let noise = matches!(t.kind, Kind::Markup | Kind::Joiner | Kind::Number)
            || is_connector(t.word)
            || LEADING_NOISE.iter().any(|n| n.eq_ignore_ascii_case(t.word))
            || t.word.to_lowercase().starts_with("ex-");
        if !noise {
            break;
        }
        first += 1;
    }

    if tokens[noun].kind == Kind::Upper {
        let capitals_from = (first..=noun)
            .rev()
            .take_while(|&i| tokens[i].kind != Kind::Cap && tokens[i].kind != Kind::Connector)
            .last()?;
        if tokens[first..capitals_from]
            .iter()
            .any(|t| t.kind == Kind::Cap)
        {
            first = capitals_from;
        }
    }
    (first <= noun).then_some(first)
}

/// Whether a phrase is an item heading of an SEC filing ("Entry into a Material Definitive
/// Agreement"), which names a kind of event, not the document.
fn is_filing_item(tokens: &[Token]) -> bool {
    let starts = |word: &str| {
        tokens
            .first()
            .is_some_and(|t| t.word.eq_ignore_ascii_case(word))
    };
    let material_definitive = tokens.windows(2).any(|pair| {
        pair[0].word.eq_ignore_ascii_case("material")
            && pair[1].word.eq_ignore_ascii_case("definitive")
    });
    starts("entry") || starts("item") || material_definitive
}

/// Whether a token designates an attachment: "B", "10.2", "A-1", "IV".
fn is_designation(token: &Token) -> bool {
    token.kind == Kind::Number
        || (token.word.chars().count() <= 3 && token.word.chars().all(|c| !c.is_lowercase()))
}

/// How the title `tokens[first..=last]` stands in its line, or `None` when it is a reference
/// inside running text ("under the Credit Agreement shall ...").
fn heading_kind(tokens: &[Token], first: usize, last: usize, words: usize) -> Option<HeadingKind> {
    let before = first.checked_sub(1).map(|i| &tokens[i]);
    let after = tokens.get(last + 1);
    if before.is_some_and(|t| t.word.eq_ignore_ascii_case("this")) {
        return Some(HeadingKind::Sentence);
    }
    let line_initial_connector = first == 1 && before.is_some_and(|t| is_connector(t.word));
    let running_text = before.is_some_and(|t| matches!(t.kind, Kind::Other | Kind::Connector));
    if running_text && !line_initial_connector && !before.is_some_and(|t| t.closes) {
        return None;
    }

    // A title in capitals stands out anywhere; one in title case must begin its line (after
    // an exhibit number at most) or be followed by something other than running text.
    let capitals = tokens[first..=last]
        .iter()
        .all(|t| !matches!(t.kind, Kind::Cap | Kind::Connector | Kind::Other));
    let begins_line = before.is_none_or(|t| t.kind == Kind::Number);
    let stands_apart = after.is_none_or(|t| {
        t.opens
            || is_stop_word(t.word)
            || matches!(
                t.kind,
                Kind::Upper | Kind::Cap | Kind::Number | Kind::Joiner
            )
            || (t.kind == Kind::Connector && begins_line)
    });
    if !capitals && !stands_apart {
        return None;
    }
    Some(if words == 1 {
        HeadingKind::Bare
    } else {
        HeadingKind::Heading
    })
}

/// `last`, extended over a short parenthetical that qualifies the title ("(2014 Amendment)",
/// "(Non-exclusive/Exclusive)") but not over a defined-term one ("(the "Agreement")").
fn with_parenthetical(tokens: &[Token], last: usize, run_end: usize) -> usize {
    let Some(open) = tokens
        .get(last + 1)
        .filter(|t| t.opens && last + 1 == run_end)
    else {
        return last;
    };
    if open.quoted {
        return last;
    }
    for (i, t) in tokens
        .iter()
        .enumerate()
        .skip(last + 1)
        .take(MAX_TAIL_WORDS)
    {
        let lower = t.word.to_lowercase();
        if t.quoted || ["the", "this", "hereinafter", "as", "each"].contains(&lower.as_str()) {
            return last;
        }
        if t.closes {
            return i;
        }
    }
    last
}

/// `span` widened to include a closing bracket whose opening bracket it contains.
fn close_brackets(head: &str, span: Span) -> Span {
    let text = span.of(head);
    let opens = text.matches(['(', '[']).count();
    let closes = text.matches([')', ']']).count();
    if opens > closes && head[span.end..].starts_with([')', ']']) {
        return Span::new(span.start, span.end + 1);
    }
    span
}

/// The largest char boundary of `text` at or below `at`.
fn floor_boundary(text: &str, at: usize) -> usize {
    if at >= text.len() {
        return text.len();
    }
    (0..=at)
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0)
}
