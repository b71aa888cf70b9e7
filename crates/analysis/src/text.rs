//! Words and sentences: the units every extractor and the clause model work on.
//!
//! Words are lower-cased runs of letters and digits (the unit the CUAD span metric uses, so the
//! engine and its evaluation agree). Sentences end at `.`, `;`, `?` or `!` followed by space and
//! an upper-case letter, a digit, a quote or an opening bracket (so a semicolon ends a sentence
//! only before the next list item), or at a blank line; common legal
//! abbreviations ("Inc.", "U.S.", "Sec.", "No.") and numbered headings ("1.1") do not end one.

use crate::span::Span;

/// The words of `text` with their byte spans.
pub fn words(text: &str) -> impl Iterator<Item = (Span, String)> + '_ {
    let mut chars = text.char_indices().peekable();
    std::iter::from_fn(move || {
        let (start, _) = chars.by_ref().find(|(_, c)| c.is_alphanumeric())?;
        let mut end = text.len();
        while let Some(&(i, c)) = chars.peek() {
            if !c.is_alphanumeric() {
                end = i;
                break;
            }
            chars.next();
        }
        Some((Span::new(start, end), text[start..end].to_lowercase()))
    })
}

/// Lower-cased words only.
pub fn word_list(text: &str) -> Vec<String> {
    words(text).map(|(_, w)| w).collect()
}

/// Abbreviations after which a full stop does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "inc", "ltd", "co", "corp", "llc", "l.l.c", "n.a", "u.s", "u.k", "e.g", "i.e", "etc", "no",
    "nos", "sec", "secs", "art", "para", "mr", "mrs", "ms", "dr", "st", "jr", "sr", "vs", "v",
    "cf", "et al", "approx", "dept", "ave", "p", "pp", "s.a", "b.v", "n.v", "plc", "pty", "gmbh",
    "a.g", "s.p.a", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
    "dec", "u.s.c", "c.f.r", "fig", "ex", "exh", "incl",
];

/// Sentence spans of `text`, trimmed of surrounding whitespace, in order, never empty.
pub fn sentences(text: &str) -> Vec<Span> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let boundary = match b {
            b'\n' => blank_line_at(bytes, i),
            b'.' | b';' | b'?' | b'!' => ends_sentence(text, start, i),
            _ => None,
        };
        if let Some(next) = boundary {
            push_trimmed(text, start, i + 1, &mut out);
            start = next;
            i = next;
            continue;
        }
        i += 1;
    }
    push_trimmed(text, start, text.len(), &mut out);
    out
}

/// At a newline that begins a blank line: where the next sentence starts.
fn blank_line_at(bytes: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    while j < bytes.len() && (bytes[j] == b' ' || bytes[j] == b'\t' || bytes[j] == b'\r') {
        j += 1;
    }
    (j < bytes.len() && bytes[j] == b'\n').then_some(j + 1)
}

/// Whether the punctuation at `i` ends the sentence begun at `start`; if so where the next
/// one starts.
fn ends_sentence(text: &str, start: usize, i: usize) -> Option<usize> {
    let rest = &text[i + 1..];
    let after_space = rest.trim_start_matches([' ', '\t', '\r', '\n', '"', '\u{201d}', ')']);
    let skipped = rest.len() - after_space.len();
    if skipped == 0 && !rest.is_empty() {
        return None;
    }
    let opens = after_space.chars().next().is_none_or(|c| {
        c.is_uppercase() || c.is_ascii_digit() || matches!(c, '(' | '"' | '\u{201c}' | '[' | '•')
    });
    if !opens {
        return None;
    }
    if text.as_bytes()[i] == b'.' && !full_stop_ends(&text[start..i]) {
        return None;
    }
    Some(i + 1 + skipped)
}

/// Whether a full stop after `before` ends a sentence rather than an abbreviation, an
/// initial or a section number.
fn full_stop_ends(before: &str) -> bool {
    let last = before
        .rsplit(|c: char| c.is_whitespace() || c == '(')
        .next()
        .unwrap_or("");
    if last.is_empty() {
        return true;
    }
    let lower = last.to_lowercase();
    if ABBREVIATIONS.contains(&lower.as_str()) {
        return false;
    }
    // "A." (an initial) or "1." / "1.2" / "IV." (a number heading) is not a sentence.
    let single_letter = last.chars().count() == 1 && last.chars().all(char::is_alphabetic);
    let numbering = last.chars().all(|c| c.is_ascii_digit() || c == '.')
        || is_roman(&lower) && before.trim_end().len() == last.len();
    !(single_letter || numbering)
}

fn is_roman(word: &str) -> bool {
    !word.is_empty() && word.len() <= 5 && word.chars().all(|c| "ivxlc".contains(c))
}

fn push_trimmed(text: &str, start: usize, end: usize, out: &mut Vec<Span>) {
    let slice = &text[start..end];
    let lead = slice.len() - slice.trim_start().len();
    let trimmed = slice.trim();
    if !trimmed.is_empty() {
        out.push(Span::new(start + lead, start + lead + trimmed.len()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> Vec<&str> {
        sentences(text).iter().map(|s| s.of(text)).collect()
    }

    #[test]
    fn words_are_lower_cased_runs_of_letters_and_digits() {
        assert_eq!(
            word_list("Acme, Inc.'s 2nd-tier FEE: $1,000"),
            ["acme", "inc", "s", "2nd", "tier", "fee", "1", "000"]
        );
    }

    #[test]
    fn abbreviations_and_section_numbers_do_not_end_sentences() {
        let text = "Acme Inc. shall pay the fee. See Sec. 4.2 of the U.S. Code. 5. Term. This \
                    Agreement lasts two years; either party may renew: (a) by notice; (b) by \
                    payment.";
        assert_eq!(
            split(text),
            [
                "Acme Inc. shall pay the fee.",
                "See Sec. 4.2 of the U.S. Code.",
                "5. Term.",
                "This Agreement lasts two years; either party may renew: (a) by notice;",
                "(b) by payment.",
            ]
        );
    }

    #[test]
    fn a_blank_line_ends_a_sentence_without_punctuation() {
        assert_eq!(
            split("ARTICLE I\n\nDEFINITIONS\n  \nThe terms"),
            ["ARTICLE I", "DEFINITIONS", "The terms"]
        );
    }
}
