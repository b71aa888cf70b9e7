//! Measures the classifier on labelled data: document types on the EDGAR doctypes layout, and
//! titles and mapped types on CUAD. Reports hold document ids and labels, never contract text.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use serde_json::{Value, json};

use super::classify;
use crate::taxonomy::DocType;

/// The doctypes dataset's labels, in its own names.
#[rustfmt::skip]
const DOCTYPE_LABELS: [&str; 6] =
    ["construction", "credit", "employment", "retirement", "severance", "software_license"];

/// One labelled document and what the classifier made of it.
struct Outcome {
    doc_id: String,
    label: String,
    /// The predicted type under the dataset's name for it, or `not_contract`/`unreadable`.
    predicted: String,
    confidence: f32,
}

impl Outcome {
    fn right(&self) -> bool {
        self.label == self.predicted
    }
}

/// Accuracy, macro-F1 and the confusion matrix of [`classify`] on a dataset laid out as
/// `<dir>/labels.jsonl` (`{"doc_id", "label"}` per line) and `<dir>/documents/<doc_id>.txt`.
///
/// Our types map onto the dataset's labels (`benefit_plan` is `retirement`); an amendment
/// counts as the type it amends; any other type, or a text judged not a contract, is wrong
/// and appears in the confusion matrix under its own name. A document that cannot be read
/// counts as wrong, under `unreadable`. The report also lists accuracy per confidence band
/// and the misclassified documents by id.
pub fn eval_doctypes(dir: &Path) -> Value {
    let mut outcomes = Vec::new();
    for row in jsonl(&dir.join("labels.jsonl")) {
        let (Some(id), Some(label)) = (row["doc_id"].as_str(), row["label"].as_str()) else {
            continue;
        };
        let path = dir.join("documents").join(format!("{id}.txt"));
        let (predicted, confidence) = match fs::read_to_string(&path) {
            Ok(text) => doctype_prediction(&text),
            Err(_) => ("unreadable", 0.0),
        };
        outcomes.push(Outcome {
            doc_id: id.to_string(),
            label: label.to_string(),
            predicted: predicted.to_string(),
            confidence,
        });
    }
    report("doctypes", &DOCTYPE_LABELS, &outcomes)
}

/// The classification of `text` under the doctypes dataset's names, with its confidence.
fn doctype_prediction(text: &str) -> (&'static str, f32) {
    let c = classify(text);
    let effective = effective_type(&c).filter(|_| c.is_contract);
    let name = match effective {
        Some(DocType::BenefitPlan) => "retirement",
        Some(other) => other.id(),
        None => "not_contract",
    };
    (name, c.confidence)
}

/// The type a classification counts as: the amended type for an amendment.
fn effective_type(c: &super::Classification) -> Option<DocType> {
    if c.doc_type == DocType::Amendment {
        c.amends
    } else {
        Some(c.doc_type)
    }
}

/// The report on `outcomes` over the dataset's `labels`.
fn report(dataset: &str, labels: &[&str], outcomes: &[Outcome]) -> Value {
    let mut confusion: BTreeMap<&str, BTreeMap<&str, usize>> = BTreeMap::new();
    for o in outcomes {
        *confusion
            .entry(&o.label)
            .or_default()
            .entry(&o.predicted)
            .or_default() += 1;
    }
    let correct = outcomes.iter().filter(|o| o.right()).count();
    let n = outcomes.len();

    let f1s: Vec<f64> = labels.iter().map(|l| f1(outcomes, l)).collect();
    let macro_f1 = f1s.iter().sum::<f64>() / labels.len().max(1) as f64;
    let per_label: BTreeMap<&str, f64> = labels.iter().copied().zip(f1s).collect();
    let misclassified: Vec<Value> = outcomes
        .iter()
        .filter(|o| !o.right())
        .map(|o| {
            json!({
                "doc_id": o.doc_id,
                "label": o.label,
                "predicted": o.predicted,
                "confidence": o.confidence,
            })
        })
        .collect();

    json!({
        "dataset": dataset,
        "accuracy": correct as f64 / n.max(1) as f64,
        "macro_f1": macro_f1,
        "f1": per_label,
        "documents": n,
        "confusion": confusion,
        "calibration": calibration(outcomes),
        "misclassified": misclassified,
    })
}

/// Lower bounds of the confidence bands the calibration table reports.
const CONFIDENCE_BANDS: [f64; 4] = [0.0, 0.5, 0.8, 0.95];

/// Accuracy per confidence band: a calibrated classifier is right about as often as it says.
fn calibration(outcomes: &[Outcome]) -> Vec<Value> {
    let mut bands = Vec::new();
    for (i, low) in CONFIDENCE_BANDS.iter().enumerate() {
        let high = CONFIDENCE_BANDS
            .get(i + 1)
            .copied()
            .unwrap_or(f64::INFINITY);
        let inside: Vec<&Outcome> = outcomes
            .iter()
            .filter(|o| (*low..high).contains(&f64::from(o.confidence)))
            .collect();
        let right = inside.iter().filter(|o| o.right()).count();
        bands.push(json!({
            "from": low,
            "documents": inside.len(),
            "accuracy": right as f64 / inside.len().max(1) as f64,
        }));
    }
    bands
}

/// F1 of `label` over the outcomes.
fn f1(outcomes: &[Outcome], label: &str) -> f64 {
    let count = |keep: &dyn Fn(&Outcome) -> bool| outcomes.iter().filter(|o| keep(o)).count();
    let tp = count(&|o| o.label == label && o.predicted == label) as f64;
    let predicted = count(&|o| o.predicted == label) as f64;
    let actual = count(&|o| o.label == label) as f64;
    if tp == 0.0 {
        return 0.0;
    }
    let (precision, recall) = (tp / predicted, tp / actual);
    2.0 * precision * recall / (precision + recall)
}

/// CUAD contract types mapped onto the taxonomy: the types a classification may give to
/// count as right. CUAD types absent here (Franchise, Sponsorship, Endorsement, IP, Joint
/// Filing ...) are `other` and left out of the type score: their titles name them plainly and
/// they show nothing about the taxonomy's own types.
const CUAD_TYPES: &[(&str, &[DocType])] = &[
    ("Distributor", &[DocType::Distribution]),
    ("Reseller", &[DocType::Distribution]),
    ("Strategic Alliance", &[DocType::StrategicAlliance]),
    ("Joint Venture", &[DocType::StrategicAlliance]),
    ("Collaboration", &[DocType::StrategicAlliance]),
    ("Co_Branding", &[DocType::StrategicAlliance]),
    ("Supply", &[DocType::PurchaseSupply]),
    ("Manufacturing", &[DocType::PurchaseSupply]),
    ("Service", &[DocType::MasterServices]),
    ("Outsourcing", &[DocType::MasterServices]),
    ("Transportation", &[DocType::MasterServices]),
    ("Consulting Agreements", &[DocType::Consulting]),
    (
        "Hosting",
        &[DocType::MasterServices, DocType::SoftwareLicense],
    ),
    (
        "Maintenance",
        &[DocType::MasterServices, DocType::SoftwareLicense],
    ),
];

/// Titles and mapped types on CUAD laid out as `<dir>/manifest.jsonl` (`doc_id`,
/// `contract_type`), `<dir>/labels.jsonl` and `<dir>/contracts/<doc_id>.txt`.
///
/// Titles are compared with the "Document Name" labels: `exact` when the span equals a
/// labelled span, `overlap` when the words of the two overlap by a Jaccard index of at least
/// 0.5 (CUAD's own matching rule). Types are scored on the contract types in `CUAD_TYPES`.
pub fn eval_cuad(dir: &Path) -> Value {
    let contract_types: BTreeMap<String, String> = jsonl(&dir.join("manifest.jsonl"))
        .into_iter()
        .filter_map(|r| {
            Some((
                r["doc_id"].as_str()?.into(),
                r["contract_type"].as_str()?.into(),
            ))
        })
        .collect();
    let mut titles = TitleScore::default();
    let mut types = TypeScore::default();

    for row in jsonl(&dir.join("labels.jsonl")) {
        let Some(id) = row["doc_id"]
            .as_str()
            .filter(|_| row["category"] == "Document Name")
        else {
            continue;
        };
        let Ok(text) = fs::read_to_string(dir.join("contracts").join(format!("{id}.txt"))) else {
            continue;
        };
        let c = classify(&text);
        titles.add(&text, c.title.as_ref().map(|t| t.1), &labelled_spans(&row));
        let contract_type = contract_types.get(id).map_or("", String::as_str);
        types.add(id, contract_type, &c);
    }

    json!({"dataset": "cuad", "titles": titles.report(), "types": types.report()})
}

/// Counts of mapped CUAD contract types classified right.
#[derive(Default)]
struct TypeScore {
    documents: usize,
    right: usize,
    misclassified: Vec<Value>,
}

impl TypeScore {
    fn add(&mut self, doc_id: &str, contract_type: &str, c: &super::Classification) {
        let Some((_, accepted)) = CUAD_TYPES.iter().find(|(name, _)| *name == contract_type) else {
            return;
        };
        self.documents += 1;
        let effective = effective_type(c).filter(|_| c.is_contract);
        if effective.is_some_and(|t| accepted.contains(&t)) {
            self.right += 1;
            return;
        }
        let predicted = effective.map_or("not_contract", DocType::id);
        self.misclassified
            .push(json!({"doc_id": doc_id, "type": contract_type, "predicted": predicted}));
    }

    fn report(&self) -> Value {
        json!({
            "documents": self.documents,
            "accuracy": self.right as f64 / self.documents.max(1) as f64,
            "misclassified": self.misclassified,
        })
    }
}

/// The byte spans of a label row's clauses.
fn labelled_spans(row: &Value) -> Vec<(usize, usize)> {
    let clauses = row["clauses"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    clauses
        .iter()
        .flat_map(|c| c["segments"].as_array().cloned().unwrap_or_default())
        .filter_map(|s| {
            Some((
                s["start_byte"].as_u64()? as usize,
                s["end_byte"].as_u64()? as usize,
            ))
        })
        .collect()
}

/// Counts of predicted titles against labelled ones.
#[derive(Default)]
struct TitleScore {
    documents: usize,
    labelled: usize,
    exact: usize,
    overlap: usize,
    /// Labelled, but no title found.
    missed: usize,
    /// A title found where the annotators marked none.
    unlabelled_found: usize,
}

impl TitleScore {
    fn add(&mut self, text: &str, found: Option<crate::Span>, labels: &[(usize, usize)]) {
        self.documents += 1;
        let Some(found) = found else {
            self.missed += usize::from(!labels.is_empty());
            return;
        };
        if labels.is_empty() {
            self.unlabelled_found += 1;
            return;
        }
        self.labelled += 1;
        if labels
            .iter()
            .any(|&(s, e)| (s, e) == (found.start, found.end))
        {
            self.exact += 1;
        }
        let ours = word_set(found.of(text));
        let best = labels
            .iter()
            .filter_map(|&(s, e)| text.get(s..e))
            .map(|label| jaccard(&ours, &word_set(label)))
            .fold(0.0, f64::max);
        if best >= 0.5 {
            self.overlap += 1;
        }
    }

    fn report(&self) -> Value {
        let labelled = (self.labelled + self.missed).max(1) as f64;
        json!({
            "documents": self.documents,
            "labelled": self.labelled + self.missed,
            "exact": self.exact as f64 / labelled,
            "overlap": self.overlap as f64 / labelled,
            "missed": self.missed,
            "unlabelled_found": self.unlabelled_found,
        })
    }
}

fn word_set(text: &str) -> BTreeSet<String> {
    crate::text::word_list(text).into_iter().collect()
}

fn jaccard(a: &BTreeSet<String>, b: &BTreeSet<String>) -> f64 {
    let union = a.union(b).count();
    if union == 0 {
        return 0.0;
    }
    a.intersection(b).count() as f64 / union as f64
}

/// The JSON objects of a JSON-lines file; unreadable files and lines are skipped.
fn jsonl(path: &Path) -> Vec<Value> {
    let Ok(text) = fs::read_to_string(path) else {
        return Vec::new();
    };
    text.lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}
