//! Sentence vectors from token vectors, as sentence-transformers does for all-MiniLM-L6-v2:
//! the mean of the token vectors the attention mask marks real (padding excluded), scaled to
//! unit length.

/// Below this norm a vector is left unscaled rather than divided by almost nothing (PyTorch's
/// `normalize` uses the same floor).
const MIN_NORM: f32 = 1e-12;

/// Pools one sequence: `hidden` holds `mask.len()` token vectors of `dimensions` values each.
pub(crate) fn mean_pool_normalised(hidden: &[f32], mask: &[i64], dimensions: usize) -> Vec<f32> {
    let mut sum = vec![0.0f32; dimensions];
    let mut tokens = 0.0f32;
    for (token, &real) in hidden.chunks_exact(dimensions).zip(mask) {
        if real == 0 {
            continue;
        }
        tokens += 1.0;
        for (total, value) in sum.iter_mut().zip(token) {
            *total += value;
        }
    }

    let mean_scale = 1.0 / tokens.max(1.0);
    let norm = sum.iter().map(|v| v * v).sum::<f32>().sqrt() * mean_scale;
    let scale = mean_scale / norm.max(MIN_NORM);
    sum.iter_mut().for_each(|v| *v *= scale);
    sum
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padding_does_not_change_the_vector() {
        let hidden = [3.0, 0.0, 3.0, 8.0, 100.0, 100.0];
        let pooled = mean_pool_normalised(&hidden, &[1, 1, 0], 2);
        assert!((pooled[0] - 0.6).abs() < 1e-6 && (pooled[1] - 0.8).abs() < 1e-6);
    }

    #[test]
    fn an_all_zero_sequence_stays_zero_instead_of_dividing_by_zero() {
        let pooled = mean_pool_normalised(&[0.0; 4], &[1, 1], 2);
        assert_eq!(pooled, vec![0.0, 0.0]);
    }
}
