//! The embedding model as callers see it, loaded from the installed model folder
//! (`scripts/lib/install-model.sh`, or `LUCIDITY_MODEL_DIR`). One embedder serves every test,
//! from several threads at once, as it does in the product.

use std::path::Path;
use std::sync::LazyLock;

use lucidity_embed::{DIMENSIONS, EmbedError, Embedder, MAX_TOKENS, default_model_dir};

static EMBEDDER: LazyLock<Embedder> = LazyLock::new(|| {
    let dir = default_model_dir();
    Embedder::load(&dir).unwrap_or_else(|error| panic!("{}", error_chain(&error)))
});

const GOVERNING_LAW: &str =
    "This Agreement shall be governed by the laws of the State of New York.";
const GOVERNING_LAW_REPHRASED: &str =
    "The contract is construed in accordance with, and governed by, New York law.";
const PAYMENT: &str = "The Customer shall pay each invoice within thirty days of receiving it.";

fn embed(texts: &[&str]) -> Vec<Vec<f32>> {
    EMBEDDER.embed(texts).expect("embedding failed")
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    dot(a, b) / (dot(a, a).sqrt() * dot(b, b).sqrt())
}

fn max_difference(a: &[f32], b: &[f32]) -> f32 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    message
}

#[test]
fn two_phrasings_of_a_clause_are_closer_than_an_unrelated_clause() {
    let vectors = embed(&[GOVERNING_LAW, GOVERNING_LAW_REPHRASED, PAYMENT]);

    let same_meaning = cosine(&vectors[0], &vectors[1]);
    let unrelated = cosine(&vectors[0], &vectors[2]);
    assert!(
        same_meaning > unrelated + 0.2,
        "same clause {same_meaning}, unrelated clause {unrelated}"
    );
}

#[test]
fn every_vector_has_384_dimensions_and_unit_length() {
    for vector in embed(&[GOVERNING_LAW, PAYMENT, "Confidential."]) {
        assert_eq!(vector.len(), DIMENSIONS);
        assert!((dot(&vector, &vector).sqrt() - 1.0).abs() < 1e-5);
    }
}

#[test]
fn a_batch_gives_the_same_vectors_as_texts_embedded_one_by_one() {
    let long = GOVERNING_LAW.repeat(6);
    let texts = [
        PAYMENT,
        long.as_str(),
        "Notices.",
        GOVERNING_LAW,
        "",
        PAYMENT,
    ];

    let together = embed(&texts);
    for (text, batched) in texts.iter().zip(&together) {
        let alone = embed(&[text]).remove(0);
        let difference = max_difference(&alone, batched);
        assert!(
            difference < 1e-4,
            "differs by {difference} for a {}-byte text",
            text.len()
        );
    }
}

#[test]
fn a_text_longer_than_the_model_reads_is_cut_not_refused() {
    let long = "The Supplier warrants the goods against defects. ".repeat(200);
    let longer = format!("{long} Any further words fall past the cut.");

    assert_eq!(
        EMBEDDER.count_tokens(&[&long]).expect("tokenize"),
        MAX_TOKENS
    );
    let vectors = embed(&[&long, &longer]);
    assert_eq!(vectors[0].len(), DIMENSIONS);
    assert!(max_difference(&vectors[0], &vectors[1]) < 1e-5);
}

#[test]
fn an_empty_text_gets_a_unit_vector_and_no_texts_get_no_vectors() {
    let vectors = embed(&[""]);
    assert_eq!(vectors[0].len(), DIMENSIONS);
    assert!((dot(&vectors[0], &vectors[0]).sqrt() - 1.0).abs() < 1e-5);

    assert!(embed(&[]).is_empty());
    assert_eq!(EMBEDDER.count_tokens(&[""]).expect("tokenize"), 2);
}

#[test]
fn vectors_match_onnx_runtime_in_python_on_the_reference_sentences() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/reference-vectors.json");
    let fixture: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("read fixture"))
            .expect("fixture is JSON");
    let passages = fixture["passages"].as_array().expect("passages");
    let texts: Vec<&str> = passages
        .iter()
        .map(|p| p["text"].as_str().expect("text"))
        .collect();
    let expected: Vec<Vec<f32>> = passages
        .iter()
        .map(|p| serde_json::from_value(p["vector"].clone()).expect("vector"))
        .collect();

    assert_eq!(texts.len(), 3);
    for (actual, expected) in embed(&texts).iter().zip(&expected) {
        let similarity = cosine(actual, expected);
        assert!(
            similarity > 0.999,
            "cosine {similarity} with the Python reference"
        );
    }
}

#[test]
fn the_model_id_names_the_model_and_a_digest_of_its_files() {
    let id = EMBEDDER.model_id();
    let digest = id
        .strip_prefix("all-MiniLM-L6-v2-int8@")
        .expect("model name first");
    assert_eq!(digest.len(), 12);
    assert!(digest.chars().all(|c| c.is_ascii_hexdigit()), "{id}");

    let again = Embedder::load(&default_model_dir()).expect("load again");
    assert_eq!(again.model_id(), id);
}

#[test]
fn several_threads_share_one_embedder() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Embedder>();

    let expected = embed(&[GOVERNING_LAW, PAYMENT]);
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..4)
            .map(|_| scope.spawn(|| embed(&[GOVERNING_LAW, PAYMENT])))
            .collect();
        for worker in workers {
            let vectors = worker.join().expect("worker panicked");
            assert!(max_difference(&vectors[0], &expected[0]) < 1e-4);
            assert!(max_difference(&vectors[1], &expected[1]) < 1e-4);
        }
    });
}

#[test]
fn a_missing_model_folder_names_the_missing_file_and_how_to_install_it() {
    let dir = Path::new("/nonexistent/lucidity-model");

    let error = Embedder::load(dir).expect_err("loaded from a folder that does not exist");
    match &error {
        EmbedError::MissingFile { path } => assert_eq!(path, &dir.join("model.onnx")),
        other => panic!("expected MissingFile, got {other:?}"),
    }
    let message = error.to_string();
    assert!(message.contains("install-model.sh") && message.contains("LUCIDITY_MODEL_DIR"));
}
