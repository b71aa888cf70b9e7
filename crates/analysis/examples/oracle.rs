//! Ceiling of the sentence-unit approach: per CUAD category, the share of labels that some
//! single unit (or run of adjacent units) of the segmentation matches under the CUAD rule.
use lucidity_analysis::categorize::units;
use lucidity_analysis::eval::{cuad, metrics};
use lucidity_analysis::segment::segment;

fn main() -> std::io::Result<()> {
    let dir = std::env::args().nth(1).expect("dir");
    let contracts = cuad::load(dir.as_ref())?;
    let mut stats: std::collections::BTreeMap<String, (usize, usize, usize)> = Default::default();
    for c in &contracts {
        let clauses = segment(&c.text);
        let us = units(&c.text, &clauses);
        let sets: Vec<_> = us
            .iter()
            .map(|u| metrics::word_set(u.span.of(&c.text)))
            .collect();
        let csets: Vec<_> = clauses
            .iter()
            .map(|u| metrics::word_set(u.span.of(&c.text)))
            .collect();
        for (name, labels) in &c.labels {
            for segs in labels {
                let joined: Vec<&str> = segs.iter().map(|s| s.of(&c.text)).collect();
                let l = metrics::word_set(&joined.join(" "));
                let one = sets.iter().any(|s| metrics::jaccard(&l, s) >= 0.5);
                let two = sets.windows(2).any(|w| {
                    let u: std::collections::HashSet<String> = w[0].union(&w[1]).cloned().collect();
                    metrics::jaccard(&l, &u) >= 0.5
                });
                let clause = csets.iter().any(|s| metrics::jaccard(&l, s) >= 0.5);
                let e = stats.entry(name.clone()).or_default();
                e.0 += 1;
                if one {
                    e.1 += 1;
                }
                if one || two || clause {
                    e.2 += 1;
                }
            }
        }
    }
    for (k, (n, one, any)) in stats {
        println!(
            "{k:40} labels {n:5} unit {:.2} unit|pair|clause {:.2}",
            one as f64 / n as f64,
            any as f64 / n as f64
        );
    }
    Ok(())
}
