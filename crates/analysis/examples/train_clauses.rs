//! Trains the CUAD clause model and writes `model/clauses.bin`.
//!
//! ```text
//! cargo run --release -p lucidity-analysis --example train_clauses -- ../shared/data/cuad
//! ```
//!
//! Five-fold cross-validation by contract chooses each category's sentence and document
//! thresholds on held-out predictions and prints the held-out figures; the stored model is then
//! fitted on every contract. The weights are derived from CUAD (CC BY 4.0, The Atticus Project).

use std::path::PathBuf;

use lucidity_analysis::categorize::features::features;
use lucidity_analysis::categorize::train::{self, Example, Options, Scored};
use lucidity_analysis::categorize::units;
use lucidity_analysis::eval::cuad::{self, Contract};
use lucidity_analysis::segment::segment;
use lucidity_analysis::span::Span;
use lucidity_analysis::taxonomy::{CATEGORIES, CUAD_CATEGORY_COUNT};

/// Categories the model learns: CUAD's, except those the field extractors answer better.
const LEARNED_FROM: usize = 0;

const FOLDS: usize = 5;

fn main() -> std::io::Result<()> {
    let dir = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .expect("usage: train_clauses CUAD_DIR");
    let out = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("model/clauses.bin");
    let contracts = cuad::load(&dir)?;
    let categories: Vec<(&str, &str)> = CATEGORIES[LEARNED_FROM..CUAD_CATEGORY_COUNT]
        .iter()
        .map(|c| (c.id, c.cuad.expect("CUAD categories come first")))
        .collect();
    let ids: Vec<String> = categories.iter().map(|(id, _)| id.to_string()).collect();
    let examples: Vec<Example> = contracts
        .iter()
        .enumerate()
        .flat_map(|(d, c)| examples_of(d, c, &categories))
        .collect();
    eprintln!(
        "{} contracts, {} sentences",
        contracts.len(),
        examples.len()
    );

    let options = options_from_env();
    let mut held_out: Vec<Vec<Scored>> = vec![Vec::new(); ids.len()];
    let mut fold_models = Vec::new();
    let fitted = cuad::parallel_map(&(0..FOLDS).collect::<Vec<_>>(), 2, |&fold| {
        let training: Vec<Example> = examples
            .iter()
            .filter(|e| e.document % FOLDS != fold)
            .cloned()
            .collect();
        train::fit(&training, &ids, &options)
    });
    for (fold, model) in fitted.into_iter().enumerate() {
        let test = examples.iter().filter(|e| e.document % FOLDS == fold);
        for example in test {
            let scores = model.score(&example.features);
            for (c, probability) in scores.into_iter().enumerate() {
                held_out[c].push(Scored {
                    document: example.document,
                    truth: example.positives.contains(&(c as u8)),
                    probability,
                });
            }
        }
        fold_models.push(model);
        eprintln!("fold {fold} done");
    }

    let mut model = train::fit(&examples, &ids, &options);
    for (c, head) in model.heads.iter_mut().enumerate() {
        let name = categories[c].1;
        let documents = train::by_document(&held_out[c], |d| contracts[d].has(name));
        head.sentence_threshold = train::best_threshold(&held_out[c], 0.1, 0.9);
        head.document_threshold = train::best_threshold(&documents, 0.1, 0.9);
        eprintln!(
            "{:40} sentence t={:.3} document t={:.3}",
            name, head.sentence_threshold, head.document_threshold
        );
    }
    // Held-out figures: each contract predicted by the model of the fold that did not see it,
    // with the thresholds chosen above.
    for fold_model in &mut fold_models {
        for (head, chosen) in fold_model.heads.iter_mut().zip(&model.heads) {
            head.sentence_threshold = chosen.sentence_threshold;
            head.document_threshold = chosen.document_threshold;
        }
    }
    let fold_of: std::collections::HashMap<&str, usize> = contracts
        .iter()
        .enumerate()
        .map(|(d, c)| (c.id.as_str(), d % FOLDS))
        .collect();
    let report = cuad::evaluate(&contracts, 2, |c| {
        cuad::predict_with(&c.text, &fold_models[fold_of[c.id.as_str()]])
    });
    println!("{report}");

    let bytes = model.to_bytes();
    std::fs::write(&out, &bytes)?;
    eprintln!("wrote {} ({} bytes)", out.display(), bytes.len());
    Ok(())
}

/// The sentences of one contract with the categories whose labels cover them.
fn examples_of(document: usize, contract: &Contract, categories: &[(&str, &str)]) -> Vec<Example> {
    let clauses = segment(&contract.text);
    units(&contract.text, &clauses)
        .into_iter()
        .map(|unit| {
            let heading = clauses[unit.clause].heading.as_deref();
            let positives = categories
                .iter()
                .enumerate()
                .filter(|(_, (_, name))| covered(unit.span, contract, name))
                .map(|(c, _)| c as u8)
                .collect();
            Example {
                features: features(unit.span.of(&contract.text), heading),
                positives,
                document,
            }
        })
        .collect()
}

/// Whether a labelled segment of `name` covers most of the sentence, or the sentence most of
/// the segment.
fn covered(sentence: Span, contract: &Contract, name: &str) -> bool {
    contract
        .labels
        .get(name)
        .into_iter()
        .flatten()
        .flatten()
        .any(|segment| {
            let overlap = sentence
                .end
                .min(segment.end)
                .saturating_sub(sentence.start.max(segment.start));
            overlap * 2 >= sentence.len() || overlap * 2 >= segment.len()
        })
}

/// The default options, each overridable for experiments: `TRAIN_EPOCHS`, `TRAIN_RATE`,
/// `TRAIN_L2`, `TRAIN_ACCUMULATOR`, `TRAIN_POSITIVE_CAP`, `TRAIN_KEEP`.
fn options_from_env() -> Options {
    fn var<T: std::str::FromStr>(name: &str, default: T) -> T {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    }
    let d = Options::default();
    Options {
        epochs: var("TRAIN_EPOCHS", d.epochs),
        learning_rate: var("TRAIN_RATE", d.learning_rate),
        l2: var("TRAIN_L2", d.l2),
        initial_accumulator: var("TRAIN_ACCUMULATOR", d.initial_accumulator),
        max_positive_weight: var("TRAIN_POSITIVE_CAP", d.max_positive_weight),
        keep_per_category: var("TRAIN_KEEP", d.keep_per_category),
    }
}
