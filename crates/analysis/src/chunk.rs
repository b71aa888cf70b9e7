//! Chunks for the search index: one per clause, and a clause longer than [`MAX_CHUNK_BYTES`]
//! cut at sentence ends, so a chunk fits the embedding model's window (256 word pieces, about
//! 1,000 characters of English) and a search hit points at one clause.

use crate::segment::Clause;
use crate::span::Span;
use crate::text;

/// Longest chunk kept whole.
pub const MAX_CHUNK_BYTES: usize = 1_000;

/// A passage to index and the clause it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chunk {
    pub span: Span,
    pub clause: usize,
}

/// The chunks of `text` along `clauses`, in order, never empty.
pub fn chunks(text: &str, clauses: &[Clause]) -> Vec<Chunk> {
    let mut out = Vec::new();
    for (index, clause) in clauses.iter().enumerate() {
        for span in pieces(text, clause.span) {
            out.push(Chunk {
                span,
                clause: index,
            });
        }
    }
    out
}

/// `span` cut at sentence ends into pieces of at most [`MAX_CHUNK_BYTES`] where sentences
/// allow; a single longer sentence stays whole (the model reads its beginning).
fn pieces(text: &str, span: Span) -> Vec<Span> {
    if span.len() <= MAX_CHUNK_BYTES {
        return vec![span];
    }
    let mut out = Vec::new();
    let mut current: Option<Span> = None;
    for sentence in text::sentences(span.of(text)) {
        let sentence = sentence.shift(span.start);
        current = match current {
            Some(piece) if sentence.end - piece.start <= MAX_CHUNK_BYTES => {
                Some(Span::new(piece.start, sentence.end))
            }
            Some(piece) => {
                out.push(piece);
                Some(sentence)
            }
            None => Some(sentence),
        };
    }
    out.extend(current);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segment::segment;

    #[test]
    fn short_clauses_are_one_chunk_and_long_ones_are_cut_at_sentences() {
        let long = "The Supplier shall maintain insurance with reputable insurers. ".repeat(40);
        let text = format!("1. Fees. Customer pays monthly.\n\n2. Insurance. {long}");
        let clauses = segment(&text);
        let chunks = chunks(&text, &clauses);
        assert_eq!(chunks[0].clause, 0);
        assert!(chunks.len() > 3);
        assert!(chunks.iter().all(|c| c.span.len() <= MAX_CHUNK_BYTES));
        assert!(chunks[1..].iter().all(|c| c.clause == 1));
        assert!(
            chunks
                .last()
                .is_some_and(|c| c.span.end == text.trim_end().len())
        );
    }
}
