//! A document's text cut into blocks for the document page: one per clause (with its anchor,
//! categories and risk colour) and one for any text between clauses, each split where a page
//! begins so the page numbers stand in the text where the pages start.
//!
//! Offsets from the API count characters (Unicode scalar values), not bytes.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::Value;

/// How many category colours the stylesheet defines (`cat-0` to `cat-7`).
const CATEGORY_COLOURS: u32 = 8;

#[derive(Deserialize)]
pub struct Clause {
    ordinal: i32,
    number: Option<String>,
    heading: Option<String>,
    span: Span,
    #[serde(default)]
    categories: Value,
}

#[derive(Deserialize)]
pub struct Span {
    start: i32,
    end: i32,
}

#[derive(Deserialize)]
pub struct Page {
    page_number: i32,
    start: i32,
}

pub struct Block {
    /// `clause-N` for a clause; none for the text between clauses.
    pub anchor: Option<String>,
    pub number: String,
    pub heading: String,
    pub categories: Vec<Category>,
    /// `risk-high`, `risk-medium`, `risk-low` from its findings, or `risk-none`.
    pub risk_class: &'static str,
    pub pieces: Vec<Piece>,
}

pub struct Category {
    pub name: String,
    pub class: String,
}

/// A run of text, preceded by the number of the page that starts there, if one does.
pub struct Piece {
    pub page: Option<i32>,
    pub text: String,
}

/// The anchor of a clause, which findings and obligations link to.
pub fn anchor(ordinal: i32) -> String {
    format!("clause-{ordinal}")
}

pub fn blocks(
    text: &str,
    pages: &[Page],
    clauses: &[Clause],
    worst: &HashMap<i32, &'static str>,
) -> Vec<Block> {
    let bounds: Vec<usize> = text
        .char_indices()
        .map(|(byte, _)| byte)
        .chain(std::iter::once(text.len()))
        .collect();
    let length = bounds.len() - 1;
    let clamp = |offset: i32| usize::try_from(offset).unwrap_or(0).min(length);
    let page_starts: Vec<(usize, i32)> = pages
        .iter()
        .map(|page| (clamp(page.start), page.page_number))
        .collect();
    let cut = |start: usize, end: usize| pieces(text, &bounds, &page_starts, start, end);

    let mut ordered: Vec<&Clause> = clauses.iter().collect();
    ordered.sort_by_key(|clause| clause.span.start);
    let mut blocks = Vec::new();
    let mut cursor = 0;
    for clause in ordered {
        let (start, end) = (clamp(clause.span.start).max(cursor), clamp(clause.span.end));
        if end <= start {
            continue;
        }
        if start > cursor {
            blocks.push(between(cut(cursor, start)));
        }
        blocks.push(Block {
            anchor: Some(anchor(clause.ordinal)),
            number: clause.number.clone().unwrap_or_default(),
            heading: clause.heading.clone().unwrap_or_default(),
            categories: categories(&clause.categories),
            risk_class: worst.get(&clause.ordinal).copied().unwrap_or("risk-none"),
            pieces: cut(start, end),
        });
        cursor = end;
    }
    if cursor < length {
        blocks.push(between(cut(cursor, length)));
    }
    blocks
}

fn between(pieces: Vec<Piece>) -> Block {
    Block {
        anchor: None,
        number: String::new(),
        heading: String::new(),
        categories: Vec::new(),
        risk_class: "risk-none",
        pieces,
    }
}

/// The text from `start` to `end` (characters), cut where pages start.
fn pieces(
    text: &str,
    bounds: &[usize],
    page_starts: &[(usize, i32)],
    start: usize,
    end: usize,
) -> Vec<Piece> {
    let mut cuts: Vec<(usize, Option<i32>)> = vec![(start, None)];
    for &(offset, number) in page_starts {
        if offset == start {
            cuts[0].1 = Some(number);
        } else if offset > start && offset < end {
            cuts.push((offset, Some(number)));
        }
    }
    cuts.iter()
        .enumerate()
        .map(|(index, &(from, page))| {
            let to = cuts.get(index + 1).map_or(end, |next| next.0);
            Piece {
                page,
                text: text[bounds[from]..bounds[to]].to_owned(),
            }
        })
        .collect()
}

/// The clause's category names, best first, each with a stable colour.
fn categories(value: &Value) -> Vec<Category> {
    let Some(list) = value.as_array() else {
        return Vec::new();
    };
    list.iter()
        .filter_map(|item| {
            let id = item.get("category")?.as_str()?;
            let name = item.get("name").and_then(Value::as_str).unwrap_or(id);
            let colour = id.bytes().fold(0u32, |hash, byte| {
                hash.wrapping_mul(31).wrapping_add(u32::from(byte))
            }) % CATEGORY_COLOURS;
            Some(Category {
                name: name.to_owned(),
                class: format!("cat-{colour}"),
            })
        })
        .take(3)
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn clause(ordinal: i32, start: i32, end: i32) -> Clause {
        Clause {
            ordinal,
            number: Some(format!("{ordinal}.")),
            heading: None,
            span: Span { start, end },
            categories: json!([{"category": "governing_law", "name": "Governing Law"}]),
        }
    }

    #[test]
    fn clauses_and_the_text_between_them_become_blocks_split_at_page_starts() {
        // Multi-byte characters make byte and character offsets differ.
        let text = "Préambule. 1. Fees — due. 2. Law: Québec.";
        let pages = [
            Page {
                page_number: 1,
                start: 0,
            },
            Page {
                page_number: 2,
                start: 26,
            },
        ];
        let clauses = [clause(1, 11, 25), clause(2, 26, 41)];
        let worst = HashMap::from([(2, "risk-high")]);

        let blocks = blocks(text, &pages, &clauses, &worst);

        assert_eq!(blocks.len(), 4);
        assert_eq!(blocks[0].anchor, None);
        assert_eq!(blocks[0].pieces[0].page, Some(1));
        assert_eq!(blocks[0].pieces[0].text, "Préambule. ");
        assert_eq!(blocks[1].anchor.as_deref(), Some("clause-1"));
        assert_eq!(blocks[1].pieces[0].text, "1. Fees — due.");
        assert_eq!(blocks[1].risk_class, "risk-none");
        assert_eq!(blocks[2].pieces.len(), 1);
        assert_eq!(blocks[3].pieces[0].page, Some(2));
        assert_eq!(blocks[3].pieces[0].text, "2. Law: Québec.");
        assert_eq!(blocks[3].risk_class, "risk-high");
        assert_eq!(blocks[3].categories[0].name, "Governing Law");
    }

    #[test]
    fn offsets_past_the_end_are_clamped_instead_of_panicking() {
        let clauses = [clause(1, 5, 500)];

        let blocks = blocks("short text", &[], &clauses, &HashMap::new());

        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[1].pieces[0].text, " text");
    }
}
