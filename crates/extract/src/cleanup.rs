//! Tidying the text of physical pages (PDF and scans): words hyphenated across line ends are
//! rejoined, and running headers and footers repeated on most pages are removed.
//! Neither ever moves text from one page to another.

use std::collections::HashMap;

/// Lines at the top and at the bottom of a page searched for running headers and footers.
const EDGE_LINES: usize = 3;

/// Running headers are only looked for in documents with at least this many pages.
const MIN_PAGES_FOR_RUNNING_LINES: usize = 3;

/// Prefixes whose hyphen is part of the word ("non-exclusive"), kept when rejoining a line.
const HYPHENATED_PREFIXES: &[&str] = &["self", "non", "third", "cross", "well", "co", "ex"];

/// Rejoins "termi-\nnation" into "termination" when the hyphen follows a letter and the next
/// line starts in lower case; a soft hyphen at a line end is treated the same way.
pub(crate) fn join_hyphenation(text: &str) -> String {
    let lines: Vec<&str> = text.split('\n').collect();
    let mut out = String::with_capacity(text.len());
    let mut index = 0;
    while index < lines.len() {
        let mut line = lines[index].to_owned();
        while let Some(next) = lines.get(index + 1) {
            let Some(joined) = join_pair(&line, next) else {
                break;
            };
            line = joined;
            index += 1;
        }
        out.push_str(&line);
        if index + 1 < lines.len() {
            out.push('\n');
        }
        index += 1;
    }
    out
}

/// The two lines joined, if the first ends in a word broken by a hyphen.
fn join_pair(line: &str, next: &str) -> Option<String> {
    let trimmed = line.trim_end();
    let stem = trimmed
        .strip_suffix('-')
        .or_else(|| trimmed.strip_suffix('\u{AD}'))?;
    let fragment: String = stem
        .chars()
        .rev()
        .take_while(|c| c.is_alphabetic())
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    if fragment.is_empty() {
        return None;
    }

    let rest = next.trim_start();
    let first = rest.chars().next()?;
    if !first.is_lowercase() {
        return None;
    }
    let keep_hyphen = HYPHENATED_PREFIXES.contains(&fragment.to_lowercase().as_str());
    let hyphen = if keep_hyphen && trimmed.ends_with('-') {
        "-"
    } else {
        ""
    };

    // The broken word moves up whole; the rest of the next line follows it.
    let (word_end, remainder) = match rest.find(char::is_whitespace) {
        Some(at) => (&rest[..at], rest[at..].trim_start()),
        None => (rest, ""),
    };
    let mut joined = format!("{stem}{hyphen}{word_end}");
    if !remainder.is_empty() {
        joined.push('\n');
        joined.push_str(remainder);
    }
    Some(joined)
}

/// Removes lines that repeat, modulo digits, among the first or last few lines of more than
/// half of the pages (at least three): running headers, footers and page numbers.
/// Returns how many lines were removed.
pub(crate) fn remove_running_lines(pages: &mut [String]) -> usize {
    if pages.len() < MIN_PAGES_FOR_RUNNING_LINES {
        return 0;
    }
    let top = repeated_edge_lines(pages, Edge::Top);
    let bottom = repeated_edge_lines(pages, Edge::Bottom);
    if top.is_empty() && bottom.is_empty() {
        return 0;
    }

    let mut removed = 0;
    for page in pages.iter_mut() {
        let lines: Vec<&str> = page.split('\n').collect();
        let content: Vec<usize> = (0..lines.len())
            .filter(|&i| !lines[i].trim().is_empty())
            .collect();
        let mut drop = vec![false; lines.len()];
        for &i in content.iter().take(EDGE_LINES) {
            drop[i] |= top.contains(&normalise(lines[i]));
        }
        for &i in content.iter().rev().take(EDGE_LINES) {
            drop[i] |= bottom.contains(&normalise(lines[i]));
        }

        removed += drop.iter().filter(|d| **d).count();
        let kept: Vec<&str> = lines
            .iter()
            .zip(&drop)
            .filter(|(_, d)| !**d)
            .map(|(l, _)| *l)
            .collect();
        *page = kept.join("\n").trim().to_owned();
    }
    removed
}

#[derive(Clone, Copy)]
enum Edge {
    Top,
    Bottom,
}

fn repeated_edge_lines(pages: &[String], edge: Edge) -> Vec<String> {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for page in pages {
        let lines = page.split('\n').filter(|l| !l.trim().is_empty());
        let mut edge_lines: Vec<String> = match edge {
            Edge::Top => lines.take(EDGE_LINES).map(normalise).collect(),
            Edge::Bottom => {
                let all: Vec<&str> = lines.collect();
                all.iter()
                    .rev()
                    .take(EDGE_LINES)
                    .map(|l| normalise(l))
                    .collect()
            }
        };
        edge_lines.sort();
        edge_lines.dedup();
        for line in edge_lines {
            *counts.entry(line).or_default() += 1;
        }
    }
    let needed = pages.len() / 2 + 1;
    counts
        .into_iter()
        .filter(|(line, count)| *count >= needed && !line.is_empty())
        .map(|(line, _)| line)
        .collect()
}

/// A line with its digits and roman page numerals masked and its spacing and case folded, so
/// "Page 3 of 10" and "Page 4 of 10" compare equal.
fn normalise(line: &str) -> String {
    let folded: Vec<String> = line
        .split_whitespace()
        .map(|word| {
            let lower = word.to_lowercase();
            let bare = lower.trim_matches(|c: char| !c.is_alphanumeric());
            let roman = !bare.is_empty() && bare.chars().all(|c| "ivx".contains(c));
            if roman && bare.len() <= 5 {
                return "#".to_owned();
            }
            let mut masked = String::with_capacity(lower.len());
            for c in lower.chars() {
                let c = if c.is_ascii_digit() { '#' } else { c };
                if !(c == '#' && masked.ends_with('#')) {
                    masked.push(c);
                }
            }
            masked
        })
        .collect();
    folded.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_word_broken_at_a_line_end_is_rejoined() {
        let text = "upon termi-\nnation of this Agreement\nthe Supplier";
        assert_eq!(
            join_hyphenation(text),
            "upon termination\nof this Agreement\nthe Supplier"
        );
    }

    #[test]
    fn a_hyphen_before_a_capital_or_a_number_stays() {
        let text = "Stratton, Cheeseman & Walsh-\nNevada, Inc.\nsee pages 10-\n12";
        assert_eq!(join_hyphenation(text), text);
    }

    #[test]
    fn a_compound_prefix_keeps_its_hyphen() {
        assert_eq!(
            join_hyphenation("a non-\nexclusive licence"),
            "a non-exclusive\nlicence"
        );
    }

    #[test]
    fn running_headers_and_page_numbers_are_removed() {
        let words = ["Alpha", "Bravo", "Charlie", "Delta"];
        let mut pages: Vec<String> = (1..=4)
            .map(|n| {
                format!(
                    "ACME CONFIDENTIAL\n{} applies.\nPage {n} of 4",
                    words[n - 1]
                )
            })
            .collect();
        let removed = remove_running_lines(&mut pages);
        assert_eq!(removed, 8);
        assert_eq!(pages[2], "Charlie applies.");
    }

    #[test]
    fn two_page_documents_keep_their_edges() {
        let mut pages = vec!["Title\nA".to_owned(), "Title\nB".to_owned()];
        assert_eq!(remove_running_lines(&mut pages), 0);
    }
}
