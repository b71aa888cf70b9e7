//! The features the clause model reads from a sentence: its words, its word pairs, the words
//! of the heading of the clause it sits in, and the cue phrases it holds, each hashed into a
//! fixed number of buckets.

use crate::text;

/// Buckets features are hashed into; a power of two.
pub const BUCKETS: u32 = 1 << 20;

/// A feature bucket and its value.
pub type Feature = (u32, f32);

/// The features of a sentence under `heading`, sorted by bucket, each bucket once.
///
/// The sentence's words and word pairs share a unit of weight (each is worth 1/sqrt(n)), as do
/// the heading's words, so neither long sentences nor long headings dominate; each cue phrase
/// counts fully, being a strong and rare signal.
pub fn features(sentence: &str, heading: Option<&str>) -> Vec<Feature> {
    let words = text::word_list(sentence);
    let mut text_part: Vec<u32> = words
        .iter()
        .map(|w| bucket(b'w', w.as_bytes(), b""))
        .collect();
    text_part.extend(
        words
            .windows(2)
            .map(|pair| bucket(b'b', pair[0].as_bytes(), pair[1].as_bytes())),
    );
    let heading_part: Vec<u32> = heading
        .map(text::word_list)
        .unwrap_or_default()
        .iter()
        .map(|w| bucket(b'h', w.as_bytes(), b""))
        .collect();

    let mut out: Vec<Feature> = Vec::with_capacity(text_part.len() + heading_part.len() + 8);
    push_normalised(&mut out, text_part);
    push_normalised(&mut out, heading_part);
    for category in super::cues::matches(sentence) {
        out.push((bucket(b'k', category.as_bytes(), b""), 1.0));
    }
    // Length band: very short fragments and very long sentences behave differently.
    out.push((bucket(b'l', length_band(words.len()).as_bytes(), b""), 1.0));

    out.sort_unstable_by_key(|&(b, _)| b);
    out.dedup_by(|later, earlier| {
        let same = later.0 == earlier.0;
        if same {
            earlier.1 += later.1;
        }
        same
    });
    out
}

/// Adds distinct buckets with equal values whose squares sum to one.
fn push_normalised(out: &mut Vec<Feature>, mut buckets: Vec<u32>) {
    buckets.sort_unstable();
    buckets.dedup();
    let value = 1.0 / (buckets.len().max(1) as f32).sqrt();
    out.extend(buckets.into_iter().map(|b| (b, value)));
}

fn length_band(words: usize) -> &'static str {
    match words {
        0..=5 => "tiny",
        6..=15 => "short",
        16..=60 => "medium",
        61..=150 => "long",
        _ => "huge",
    }
}

/// FNV-1a over a namespace byte and one or two words.
fn bucket(namespace: u8, first: &[u8], second: &[u8]) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    let mut feed = |byte: u8| {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    };
    feed(namespace);
    first.iter().for_each(|&b| feed(b));
    if !second.is_empty() {
        feed(b' ');
        second.iter().for_each(|&b| feed(b));
    }
    hash & (BUCKETS - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_words_give_the_same_features_whatever_their_case_and_punctuation() {
        let a = features(
            "Neither party may ASSIGN this Agreement.",
            Some("Assignment"),
        );
        let b = features(
            "neither party may assign this agreement",
            Some("ASSIGNMENT"),
        );
        assert_eq!(a, b);
        let c = features("neither party may assign this agreement", None);
        assert!(c.len() < b.len());
        let norm: f32 = c.iter().filter(|f| f.1 < 1.0).map(|f| f.1 * f.1).sum();
        assert!((norm - 1.0).abs() < 1e-4, "{norm}");
    }
}
