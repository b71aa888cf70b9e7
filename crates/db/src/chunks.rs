//! Queries on `chunks`: the search index of passages with their text and vectors.
//!
//! Vectors cross the wire as pgvector's text form (`[0.1,0.2,...]`) cast to `vector`, so the
//! database crate needs no vector type of its own. Every search takes the list of projects the
//! caller may see, computed by the API's one authorization function.

use serde::Serialize;
use sqlx::{FromRow, PgExecutor, Postgres, Transaction};

use crate::ids::{DocumentId, ProjectId};

/// One passage to index.
pub struct NewChunk<'a> {
    pub ordinal: i32,
    pub clause_ordinal: Option<i32>,
    /// Character offsets into the document's text.
    pub start: i32,
    pub end: i32,
    pub page: Option<i32>,
    pub body: &'a str,
    pub embedding: Option<&'a [f32]>,
}

/// pgvector's text form of a vector.
pub fn vector_literal(values: &[f32]) -> String {
    let mut out = String::with_capacity(values.len() * 10 + 2);
    out.push('[');
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        // Finite by construction (normalised model output); NaN would be refused by pgvector.
        out.push_str(&format!("{v}"));
    }
    out.push(']');
    out
}

/// Replaces the document's chunks with `chunks` (the stage is idempotent).
pub async fn replace_chunks(
    tx: &mut Transaction<'_, Postgres>,
    document: DocumentId,
    project: ProjectId,
    generation: i32,
    chunks: &[NewChunk<'_>],
    model: Option<&str>,
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM chunks WHERE document_id = $1")
        .bind(document)
        .execute(&mut **tx)
        .await?;
    let ordinals: Vec<i32> = chunks.iter().map(|c| c.ordinal).collect();
    let clauses: Vec<Option<i32>> = chunks.iter().map(|c| c.clause_ordinal).collect();
    let starts: Vec<i32> = chunks.iter().map(|c| c.start).collect();
    let ends: Vec<i32> = chunks.iter().map(|c| c.end).collect();
    let pages: Vec<Option<i32>> = chunks.iter().map(|c| c.page).collect();
    let bodies: Vec<&str> = chunks.iter().map(|c| c.body).collect();
    let vectors: Vec<Option<String>> = chunks
        .iter()
        .map(|c| c.embedding.map(vector_literal))
        .collect();
    sqlx::query(
        "INSERT INTO chunks (document_id, project_id, generation, ordinal, clause_ordinal, \
                             start_offset, end_offset, page, body, embedding, embedding_model) \
         SELECT $1, $2, $3, o, c, s, e, p, b, v::vector, \
                CASE WHEN v IS NULL THEN NULL ELSE $11 END \
         FROM UNNEST($4::int[], $5::int[], $6::int[], $7::int[], $8::int[], $9::text[], \
                     $10::text[]) AS t(o, c, s, e, p, b, v)",
    )
    .bind(document)
    .bind(project)
    .bind(generation)
    .bind(ordinals)
    .bind(clauses)
    .bind(starts)
    .bind(ends)
    .bind(pages)
    .bind(bodies)
    .bind(vectors)
    .bind(model)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A passage whose vector is missing or came from another model.
#[derive(Debug, Clone, FromRow)]
pub struct StaleChunk {
    pub id: i64,
    pub body: String,
}

/// Up to `limit` passages not embedded by `model`.
pub async fn list_stale_chunks(
    db: impl PgExecutor<'_>,
    model: &str,
    limit: i64,
) -> sqlx::Result<Vec<StaleChunk>> {
    sqlx::query_as(
        "SELECT id, body FROM chunks \
         WHERE embedding_model IS DISTINCT FROM $1 ORDER BY id LIMIT $2",
    )
    .bind(model)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Stores new vectors for passages, with the model that produced them.
pub async fn set_embeddings(
    db: impl PgExecutor<'_>,
    ids: &[i64],
    vectors: &[Vec<f32>],
    model: &str,
) -> sqlx::Result<u64> {
    let literals: Vec<String> = vectors.iter().map(|v| vector_literal(v)).collect();
    let done = sqlx::query(
        "UPDATE chunks SET embedding = t.v::vector, embedding_model = $3 \
         FROM UNNEST($1::bigint[], $2::text[]) AS t(id, v) WHERE chunks.id = t.id",
    )
    .bind(ids)
    .bind(literals)
    .bind(model)
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// How many passages still need a vector from `model`.
pub async fn count_stale_chunks(db: impl PgExecutor<'_>, model: &str) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT count(*) FROM chunks WHERE embedding_model IS DISTINCT FROM $1")
        .bind(model)
        .fetch_one(db)
        .await
}

/// A passage found by a search.
#[derive(Debug, Clone, FromRow, Serialize)]
pub struct Hit {
    pub chunk_id: i64,
    pub document_id: DocumentId,
    pub project_id: ProjectId,
    pub filename: String,
    pub page: Option<i32>,
    pub start_offset: i32,
    pub end_offset: i32,
    pub clause_ordinal: Option<i32>,
    pub score: f64,
    /// The passage with the matched words between U+E000 and U+E001 (private-use characters
    /// that never occur in extracted text), for the API to turn into highlight ranges.
    pub snippet: String,
}

/// What a search looks in.
pub struct Scope<'a> {
    pub projects: &'a [ProjectId],
    /// Only this document, when set.
    pub document: Option<DocumentId>,
    pub limit: i64,
}

/// Keyword search: passages holding any of the query's words (English stemming), ranked by
/// how often and how close together they occur, rarer words weighing more through the
/// normalised rank.
pub async fn search_keyword(
    db: impl PgExecutor<'_>,
    query: &str,
    scope: &Scope<'_>,
) -> sqlx::Result<Vec<Hit>> {
    sqlx::query_as(
        "WITH q AS ( \
             SELECT NULLIF(replace(plainto_tsquery('english', $1)::text, '&', '|'), '')::tsquery \
                    AS query) \
         SELECT c.id AS chunk_id, c.document_id, c.project_id, d.filename, c.page, \
                c.start_offset, c.end_offset, c.clause_ordinal, \
                ts_rank(c.tsv, q.query, 1)::float8 AS score, \
                ts_headline('english', c.body, q.query, \
                    'StartSel=\u{e000}, StopSel=\u{e001}, MaxWords=40, MinWords=15, \
                     MaxFragments=2, FragmentDelimiter=\" … \"') AS snippet \
         FROM chunks c JOIN documents d ON d.id = c.document_id, q \
         WHERE q.query IS NOT NULL AND c.tsv @@ q.query AND c.project_id = ANY($2) \
           AND ($3::uuid IS NULL OR c.document_id = $3) \
         ORDER BY score DESC, c.id LIMIT $4",
    )
    .bind(query)
    .bind(scope.projects)
    .bind(scope.document)
    .bind(scope.limit)
    .fetch_all(db)
    .await
}

/// Semantic search: passages nearest the query's vector by cosine distance, through the HNSW
/// index. Runs in a transaction that widens the index's candidate list, since pgvector 0.6
/// filters after the index scan and a narrow list would return fewer rows than asked for.
pub async fn search_semantic(
    tx: &mut Transaction<'_, Postgres>,
    vector: &[f32],
    scope: &Scope<'_>,
) -> sqlx::Result<Vec<Hit>> {
    sqlx::query("SET LOCAL hnsw.ef_search = 400")
        .execute(&mut **tx)
        .await?;
    sqlx::query_as(
        "SELECT c.id AS chunk_id, c.document_id, c.project_id, d.filename, c.page, \
                c.start_offset, c.end_offset, c.clause_ordinal, \
                (1 - (c.embedding <=> $1::vector))::float8 AS score, \
                left(c.body, 400) AS snippet \
         FROM chunks c JOIN documents d ON d.id = c.document_id \
         WHERE c.embedding IS NOT NULL AND c.project_id = ANY($2) \
           AND ($3::uuid IS NULL OR c.document_id = $3) \
         ORDER BY c.embedding <=> $1::vector LIMIT $4",
    )
    .bind(vector_literal(vector))
    .bind(scope.projects)
    .bind(scope.document)
    .bind(scope.limit)
    .fetch_all(&mut **tx)
    .await
}

/// How a search ranks passages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Words of the query, stemmed.
    Keyword,
    /// Nearness in meaning to the query's vector.
    Semantic,
    /// Both rankings fused by reciprocal rank.
    Hybrid,
}

/// Candidates each ranking contributes to a hybrid search, per result asked for.
const HYBRID_DEPTH: i64 = 4;

/// Runs a search in `mode`; `vector` is the query's embedding, needed by the semantic and
/// hybrid modes. Hybrid scores are reciprocal-rank sums, not similarities.
pub async fn search(
    db: &sqlx::PgPool,
    mode: Mode,
    query: &str,
    vector: Option<&[f32]>,
    scope: &Scope<'_>,
) -> sqlx::Result<Vec<Hit>> {
    let semantic = |limit: i64| async move {
        let Some(vector) = vector else {
            return Ok(Vec::new());
        };
        let mut tx = db.begin().await?;
        let wider = Scope {
            projects: scope.projects,
            document: scope.document,
            limit,
        };
        let hits = search_semantic(&mut tx, vector, &wider).await?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(hits)
    };
    match mode {
        Mode::Keyword => search_keyword(db, query, scope).await,
        Mode::Semantic => semantic(scope.limit).await,
        Mode::Hybrid => {
            let depth = (scope.limit * HYBRID_DEPTH).max(50);
            let wider = Scope {
                projects: scope.projects,
                document: scope.document,
                limit: depth,
            };
            let keyword = search_keyword(db, query, &wider).await?;
            let semantic = semantic(depth).await?;
            Ok(fuse(keyword, semantic, scope.limit as usize))
        }
    }
}

/// Reciprocal-rank fusion of two rankings of passages; a passage found by keyword keeps its
/// highlighted snippet.
fn fuse(keyword: Vec<Hit>, semantic: Vec<Hit>, limit: usize) -> Vec<Hit> {
    let keyword_ids: Vec<i64> = keyword.iter().map(|h| h.chunk_id).collect();
    let semantic_ids: Vec<i64> = semantic.iter().map(|h| h.chunk_id).collect();
    let fused =
        lucidity_analysis::search::fuse(&[(1.0, &keyword_ids[..]), (1.0, &semantic_ids[..])]);
    let mut by_id: std::collections::HashMap<i64, Hit> = semantic
        .into_iter()
        .chain(keyword)
        .map(|h| (h.chunk_id, h))
        .collect();
    fused
        .into_iter()
        .take(limit)
        .filter_map(|(id, score)| {
            let mut hit = by_id.remove(&id)?;
            hit.score = score;
            Some(hit)
        })
        .collect()
}
