//! Helpers for the extraction tests: fixture paths, options with a private scratch
//! directory, and word recall for judging OCR against known text.

use std::collections::HashMap;
use std::path::PathBuf;

use lucidity_extract::{Extracted, Options};

/// The path of a committed fixture.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Default options with a scratch directory of the test's own, kept alive by the guard.
pub fn options() -> (Options, tempfile::TempDir) {
    let scratch = tempfile::tempdir().unwrap();
    let options = Options {
        scratch_dir: scratch.path().to_owned(),
        ..Options::default()
    };
    (options, scratch)
}

fn word_counts(text: &str) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    let words = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase);
    for word in words {
        *counts.entry(word).or_default() += 1;
    }
    counts
}

/// Share of the words of `truth` (with multiplicity) that `text` also has.
pub fn word_recall(truth: &str, text: &str) -> f64 {
    let found = word_counts(text);
    let truth = word_counts(truth);
    let total: usize = truth.values().sum();
    let hits: usize = truth
        .iter()
        .map(|(word, count)| (*count).min(found.get(word).copied().unwrap_or(0)))
        .sum();
    hits as f64 / total.max(1) as f64
}

/// The char offset of `needle` in the extracted text, for `page_of`.
pub fn char_offset(extracted: &Extracted, needle: &str) -> usize {
    let byte = extracted
        .text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in the text"));
    extracted.text[..byte].chars().count()
}

/// How often `needle` occurs in `text`.
pub fn occurrences(text: &str, needle: &str) -> usize {
    text.matches(needle).count()
}

/// A minimal PDF with one page per content stream, in Helvetica. Pages whose flag is false
/// have no `/MediaBox`, which pdf-extract cannot handle (it panics) while poppler assumes
/// a letter page.
pub fn minimal_pdf(pages: &[(&str, bool)]) -> Vec<u8> {
    let mut objects: Vec<String> = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".into(),
        String::new(),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".into(),
    ];
    let mut kids = Vec::new();
    for (content, media_box) in pages {
        let stream = format!(
            "<< /Length {} >>\nstream\n{content}\nendstream",
            content.len()
        );
        objects.push(stream);
        let media_box = if *media_box {
            "/MediaBox [0 0 612 792]"
        } else {
            ""
        };
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R {media_box} /Contents {} 0 R \
             /Resources << /Font << /F1 3 0 R >> >> >>",
            objects.len()
        ));
        kids.push(format!("{} 0 R", objects.len()));
    }
    objects[1] = format!(
        "<< /Type /Pages /Kids [{}] /Count {} >>",
        kids.join(" "),
        kids.len()
    );

    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (index, object) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend(format!("{} 0 obj\n{object}\nendobj\n", index + 1).into_bytes());
    }
    let xref = pdf.len();
    pdf.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).into_bytes());
    for offset in offsets {
        pdf.extend(format!("{offset:010} 00000 n \n").into_bytes());
    }
    let trailer = format!(
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    );
    pdf.extend(trailer.into_bytes());
    pdf
}
