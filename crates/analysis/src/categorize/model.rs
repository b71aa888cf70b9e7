//! A linear model per clause category over hashed sentence features, stored compactly.
//!
//! File format (little-endian): the magic `LCM1`; the category count `u16`; per category its id
//! (`u8` length + UTF-8), bias `f32`, sentence threshold `f32` and document threshold `f32`;
//! then the weight count `u32` and the weights as (`u32` bucket, `u8` category, `f32` weight),
//! sorted by bucket. Scoring looks each feature up once in a bucket index.

use std::collections::HashMap;

use super::features::Feature;

/// Why a model file could not be read.
#[derive(Debug, PartialEq, Eq)]
pub struct ModelFormatError(pub &'static str);

impl std::fmt::Display for ModelFormatError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "malformed clause model: {}", self.0)
    }
}

impl std::error::Error for ModelFormatError {}

/// One category's intercept and decision thresholds.
#[derive(Debug, Clone, PartialEq)]
pub struct CategoryHead {
    pub id: String,
    pub bias: f32,
    /// Probability above which a sentence is labelled with the category.
    pub sentence_threshold: f32,
    /// Probability of the best sentence above which the document holds the category.
    pub document_threshold: f32,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Model {
    pub heads: Vec<CategoryHead>,
    /// Per feature bucket, the (category, weight) pairs that are not zero.
    pub weights: HashMap<u32, Vec<(u8, f32)>>,
}

const MAGIC: &[u8; 4] = b"LCM1";

impl Model {
    /// Probabilities per category (in `heads` order) for a sentence's features.
    pub fn score(&self, features: &[Feature]) -> Vec<f32> {
        let mut sums: Vec<f32> = self.heads.iter().map(|h| h.bias).collect();
        for (bucket, value) in features {
            for &(category, weight) in self.weights.get(bucket).into_iter().flatten() {
                sums[usize::from(category)] += weight * value;
            }
        }
        sums.into_iter().map(sigmoid).collect()
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        out.extend((self.heads.len() as u16).to_le_bytes());
        for head in &self.heads {
            out.push(head.id.len() as u8);
            out.extend(head.id.as_bytes());
            out.extend(head.bias.to_le_bytes());
            out.extend(head.sentence_threshold.to_le_bytes());
            out.extend(head.document_threshold.to_le_bytes());
        }
        let mut entries: Vec<(u32, u8, f32)> = self
            .weights
            .iter()
            .flat_map(|(&b, ws)| ws.iter().map(move |&(c, w)| (b, c, w)))
            .collect();
        entries.sort_by_key(|&(b, c, _)| (b, c));
        out.extend((entries.len() as u32).to_le_bytes());
        for (bucket, category, weight) in entries {
            out.extend(bucket.to_le_bytes());
            out.push(category);
            out.extend(weight.to_le_bytes());
        }
        out
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Model, ModelFormatError> {
        let mut reader = Reader { bytes, at: 0 };
        if reader.take(4)? != MAGIC {
            return Err(ModelFormatError("not a clause model"));
        }
        let count = u16::from_le_bytes(reader.array()?);
        let mut heads = Vec::with_capacity(usize::from(count));
        for _ in 0..count {
            let length = usize::from(reader.take(1)?[0]);
            let id = std::str::from_utf8(reader.take(length)?)
                .map_err(|_| ModelFormatError("category id is not UTF-8"))?
                .to_string();
            heads.push(CategoryHead {
                id,
                bias: f32::from_le_bytes(reader.array()?),
                sentence_threshold: f32::from_le_bytes(reader.array()?),
                document_threshold: f32::from_le_bytes(reader.array()?),
            });
        }
        let entries = u32::from_le_bytes(reader.array()?);
        let mut weights: HashMap<u32, Vec<(u8, f32)>> = HashMap::new();
        for _ in 0..entries {
            let bucket = u32::from_le_bytes(reader.array()?);
            let category = reader.take(1)?[0];
            if u16::from(category) >= count {
                return Err(ModelFormatError("weight for an unknown category"));
            }
            let weight = f32::from_le_bytes(reader.array()?);
            weights.entry(bucket).or_default().push((category, weight));
        }
        if reader.at != bytes.len() {
            return Err(ModelFormatError("trailing bytes"));
        }
        Ok(Model { heads, weights })
    }
}

pub fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], ModelFormatError> {
        let slice = self
            .bytes
            .get(self.at..self.at + n)
            .ok_or(ModelFormatError("truncated"))?;
        self.at += n;
        Ok(slice)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], ModelFormatError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_model_survives_a_round_trip_and_a_truncated_file_is_refused() {
        let model = Model {
            heads: vec![CategoryHead {
                id: "governing_law".into(),
                bias: -2.0,
                sentence_threshold: 0.5,
                document_threshold: 0.6,
            }],
            weights: HashMap::from([(7, vec![(0, 3.5)]), (9, vec![(0, -1.0)])]),
        };
        let bytes = model.to_bytes();
        assert_eq!(Model::from_bytes(&bytes), Ok(model.clone()));
        assert!(Model::from_bytes(&bytes[..bytes.len() - 1]).is_err());
        assert!((model.score(&[(7, 1.0)])[0] - sigmoid(1.5)).abs() < 1e-6);
        assert!((model.score(&[(7, 0.5), (9, 0.5)])[0] - sigmoid(-0.75)).abs() < 1e-6);
    }
}
