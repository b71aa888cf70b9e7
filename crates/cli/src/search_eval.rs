//! ACORD: clause retrieval, in the BEIR layout (`corpus.jsonl`, `queries.jsonl`,
//! `qrels.tsv`). The corpus is indexed exactly as the pipeline indexes documents (passages
//! with vectors from the local model, in a private PostgreSQL with pgvector started for the
//! run) and ranked by the product's own hybrid search; a BM25 ranking of the same corpus is
//! computed in the same run for comparison. NDCG uses linear gain (the relevance score 0-4)
//! against the ideal ordering of each query's judged clauses, as trec_eval does.

use std::collections::HashMap;
use std::path::Path;

use anyhow::Context;
use lucidity_db::chunks::{self, Mode, NewChunk, Scope};
use lucidity_db::embedded::{EmbeddedPostgres, EmbeddedSettings};
use lucidity_db::ids::{DocumentId, ProjectId};
use lucidity_db::{documents, migrate, pool, projects, users};
use serde::Deserialize;
use serde_json::{Value, json};

mod bm25;

/// The cut-offs reported.
const CUTS: [usize; 2] = [5, 10];

#[derive(Deserialize)]
struct Line {
    #[serde(rename = "_id")]
    id: String,
    text: String,
}

struct Dataset {
    corpus: Vec<Line>,
    queries: Vec<Line>,
    /// Per query, the relevance of each judged clause.
    qrels: HashMap<String, HashMap<String, u32>>,
}

/// Runs the evaluation; `threads` is the embedding model's thread count.
pub async fn acord(dir: &Path, threads: usize) -> anyhow::Result<Value> {
    let data = load(dir)?;
    eprintln!(
        "{} clauses, {} queries",
        data.corpus.len(),
        data.queries.len()
    );
    let config = lucidity_common::Config::load().context("the configuration is invalid")?;
    let model_dir = config.model_dir.clone();
    let options = lucidity_embed::Options {
        intra_threads: threads.max(1),
        ..lucidity_embed::Options::default()
    };
    let embedder = tokio::task::spawn_blocking(move || {
        lucidity_embed::Embedder::load_with(&model_dir, options)
    })
    .await??;
    let embedder = std::sync::Arc::new(embedder);

    let scratch = tempfile::tempdir().context("cannot create a scratch directory")?;
    let settings = EmbeddedSettings {
        bin_dir: config.postgres_bin.clone(),
        data_dir: scratch.path().to_path_buf(),
        os_user: config.postgres_os_user.clone(),
        superuser: "lucidity".into(),
        database: "acord".into(),
    };
    let server = EmbeddedPostgres::start(settings).await?;
    let outcome = run(&data, &server, &embedder).await;
    server
        .stop()
        .await
        .context("cannot stop the evaluation's PostgreSQL")?;
    outcome
}

async fn run(
    data: &Dataset,
    server: &EmbeddedPostgres,
    embedder: &std::sync::Arc<lucidity_embed::Embedder>,
) -> anyhow::Result<Value> {
    let db = pool::connect(server.connect_options(), 4).await?;
    migrate::run_migrations(&db).await?;
    let (project, document) = index(&db, data, embedder).await?;

    let bm25 = bm25::Index::new(data.corpus.iter().map(|l| l.text.as_str()));
    let depth = *CUTS.iter().max().unwrap_or(&10);
    let mut ours = vec![Vec::new(); CUTS.len()];
    let mut keyword = vec![Vec::new(); CUTS.len()];
    let mut semantic = vec![Vec::new(); CUTS.len()];
    let mut baseline = vec![Vec::new(); CUTS.len()];
    for query in data.queries.iter().filter(|q| data.judged(&q.id)) {
        let model = embedder.clone();
        let text = query.text.clone();
        let vector = tokio::task::spawn_blocking(move || model.embed(&[text.as_str()])).await??;
        let projects = [project];
        let scope = Scope {
            projects: &projects,
            document: Some(document),
            limit: depth as i64,
        };
        let ranked = |hits: Vec<chunks::Hit>| -> Vec<String> {
            hits.iter()
                .filter_map(|h| data.corpus.get(h.clause_ordinal? as usize))
                .map(|l| l.id.clone())
                .collect()
        };
        let vector = vector.first().map(Vec::as_slice);
        let hybrid = chunks::search(&db, Mode::Hybrid, &query.text, vector, &scope).await?;
        let words = chunks::search(&db, Mode::Keyword, &query.text, None, &scope).await?;
        let meaning = chunks::search(&db, Mode::Semantic, &query.text, vector, &scope).await?;
        let reference: Vec<String> = bm25
            .rank(&query.text, depth)
            .into_iter()
            .map(|i| data.corpus[i].id.clone())
            .collect();
        for (c, &cut) in CUTS.iter().enumerate() {
            ours[c].push(data.ndcg(&query.id, &ranked(hybrid.clone()), cut));
            keyword[c].push(data.ndcg(&query.id, &ranked(words.clone()), cut));
            semantic[c].push(data.ndcg(&query.id, &ranked(meaning.clone()), cut));
            baseline[c].push(data.ndcg(&query.id, &reference, cut));
        }
    }
    db.close().await;

    let mean = |v: &Vec<f64>| round(v.iter().sum::<f64>() / v.len().max(1) as f64);
    let block =
        |scores: &Vec<Vec<f64>>| json!({ "ndcg@5": mean(&scores[0]), "ndcg@10": mean(&scores[1]) });
    Ok(json!({
        "dataset": "acord",
        "queries": ours[0].len(),
        "ndcg@5": mean(&ours[0]),
        "ndcg@10": mean(&ours[1]),
        "bm25": block(&baseline),
        "keyword": block(&keyword),
        "semantic": block(&semantic),
    }))
}

/// The corpus as one document's passages, in corpus order, with vectors.
async fn index(
    db: &lucidity_db::PgPool,
    data: &Dataset,
    embedder: &std::sync::Arc<lucidity_embed::Embedder>,
) -> anyhow::Result<(ProjectId, DocumentId)> {
    let hash = lucidity_db::password::hash("acord-evaluation-only")?;
    let user = users::insert_user(
        db,
        &users::NewUser {
            email: "eval@localhost",
            display_name: "Evaluation",
            password_hash: &hash,
            role: users::Role::Admin,
            must_change_password: false,
        },
    )
    .await?;
    let project = projects::insert_project(db, "ACORD", "evaluation corpus", user.id).await?;
    let document = documents::insert_document(
        db,
        &documents::NewDocument {
            id: DocumentId::new(),
            project_id: project.id,
            filename: "acord-corpus.txt",
            file_kind: "txt",
            content_type: "text/plain",
            size_bytes: 1,
            sha256: &[0u8; 32],
            storage_key: "eval/acord",
            uploaded_by: user.id,
        },
    )
    .await?;

    let started = std::time::Instant::now();
    let model = embedder.clone();
    let texts: Vec<String> = data.corpus.iter().map(|l| l.text.clone()).collect();
    let vectors = tokio::task::spawn_blocking(move || {
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        model.embed(&refs)
    })
    .await??;
    eprintln!(
        "embedded the corpus in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let rows: Vec<NewChunk> = data
        .corpus
        .iter()
        .zip(&vectors)
        .enumerate()
        .map(|(i, (line, vector))| NewChunk {
            ordinal: i as i32,
            clause_ordinal: Some(i as i32),
            start: 0,
            end: line.text.chars().count() as i32,
            page: None,
            body: &line.text,
            embedding: Some(vector),
        })
        .collect();
    let mut tx = db.begin().await?;
    let model = Some(embedder.model_id());
    chunks::replace_chunks(&mut tx, document.id, project.id, 1, &rows, model).await?;
    tx.commit().await?;
    Ok((project.id, document.id))
}

fn load(dir: &Path) -> anyhow::Result<Dataset> {
    let read = |name: &str| {
        std::fs::read_to_string(dir.join(name))
            .with_context(|| format!("cannot read {}", dir.join(name).display()))
    };
    let lines = |name: &str| -> anyhow::Result<Vec<Line>> {
        read(name)?
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).with_context(|| format!("malformed line in {name}")))
            .collect()
    };
    let mut qrels: HashMap<String, HashMap<String, u32>> = HashMap::new();
    for line in read("qrels.tsv")?.lines().skip(1) {
        let fields: Vec<&str> = line.split('\t').collect();
        if let [query, corpus, score] = fields[..] {
            let query = unquote(query);
            let score: u32 = score.trim().parse().unwrap_or(0);
            qrels
                .entry(query)
                .or_default()
                .insert(corpus.to_string(), score);
        }
    }
    Ok(Dataset {
        corpus: lines("corpus.jsonl")?,
        queries: lines("queries.jsonl")?,
        qrels,
    })
}

impl Dataset {
    /// Whether the query has at least one relevant judged clause.
    fn judged(&self, query: &str) -> bool {
        self.qrels
            .get(query)
            .is_some_and(|r| r.values().any(|&s| s > 0))
    }

    /// NDCG at `cut` of `ranking` for `query`, with linear gain.
    fn ndcg(&self, query: &str, ranking: &[String], cut: usize) -> f64 {
        let Some(judged) = self.qrels.get(query) else {
            return 0.0;
        };
        let dcg: f64 = ranking
            .iter()
            .take(cut)
            .enumerate()
            .map(|(i, id)| f64::from(*judged.get(id).unwrap_or(&0)) / ((i + 2) as f64).log2())
            .sum();
        let mut ideal: Vec<u32> = judged.values().copied().filter(|&s| s > 0).collect();
        ideal.sort_unstable_by(|a, b| b.cmp(a));
        let best: f64 = ideal
            .iter()
            .take(cut)
            .enumerate()
            .map(|(i, &s)| f64::from(s) / ((i + 2) as f64).log2())
            .sum();
        if best == 0.0 { 0.0 } else { dcg / best }
    }
}

/// A CSV field as written: quotes around it removed, doubled quotes inside made single.
fn unquote(field: &str) -> String {
    match field.strip_prefix('"').and_then(|f| f.strip_suffix('"')) {
        Some(inner) => inner.replace("\"\"", "\""),
        None => field.to_string(),
    }
}

fn round(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}
