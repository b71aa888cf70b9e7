//! The pipeline's stages for one claimed document.
//!
//! Statuses follow PRODUCT.md: extracting, classifying, playbook, analyzing, embedding,
//! storing, then complete. Each stage is written to the database (with its timing) as it starts
//! and announced as a live event. `extracting` saves the text and pages; `classifying`,
//! `playbook` and `analyzing` compute through the capability router and hand their results to
//! the next stage in memory; `storing` writes the whole analysis at once.
//!
//! Running a document twice is harmless by design: a run that stops anywhere (a crash, a
//! hand-back, a retry) starts again from `extracting`, every stage recomputes its part from the
//! saved text, and the only writes replace earlier output whole (the text in one transaction,
//! the analysis in another, guarded by the generation and the lease). Nothing half-done is ever
//! read back, and reviewers' decisions, which are keyed by finding and field, are never touched.

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use lucidity_ai::cite::{self, Citer, PageRange};
use lucidity_ai::{AiError, Capability, Provenance, Router, Used};
use lucidity_analysis::playbook::Playbook;
use lucidity_analysis::report::{self, Analysis, Classified};
use lucidity_common::Config;
use lucidity_common::config::PipelineConfig;
use lucidity_db::chunks::{self, NewChunk};
use lucidity_db::documents::{self, AttemptOutcome, Claimed, PageRow, TextRow};
use lucidity_db::{analysis, audit, capabilities, playbook};
use lucidity_embed::Embedder;
use lucidity_extract::{ExtractError, Extracted, PageMethod, SourceKind};
use lucidity_queue::{DocumentEvent, Events, Job, Queue};
use lucidity_storage::{Storage, StorageKey};
use rand::Rng;
use serde_json::json;
use sqlx::PgPool;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use crate::pool::renewal_period;

/// The stages after `queued`, in order.
pub const STAGES: [&str; 6] = [
    "extracting",
    "classifying",
    "playbook",
    "analyzing",
    "embedding",
    "storing",
];

/// The longest back-off between two attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(300);

/// How one run of the pipeline on a document ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Completed,
    /// Failed this time; another attempt is scheduled.
    Retrying,
    /// Failed for good: no attempts left, or the file cannot be read at all.
    Failed,
    /// Stopped by shutdown and handed back to the queue.
    HandedBack,
    /// Another worker took the document (this one was presumed dead); nothing was written.
    LeaseLost,
}

/// A stage failure: its readable message, and whether retrying could help.
#[derive(Debug)]
pub struct StageError {
    pub message: String,
    pub permanent: bool,
}

impl StageError {
    fn transient(error: anyhow::Error) -> Self {
        Self {
            message: format!("{error:#}"),
            permanent: false,
        }
    }

    fn database(error: sqlx::Error) -> Self {
        Self::transient(anyhow::Error::new(error).context("database query failed"))
    }
}

/// What `embedding` hands `storing`: the search index's passages with their vectors.
struct Indexed {
    chunks: Vec<IndexedChunk>,
}

struct IndexedChunk {
    clause: usize,
    span: lucidity_analysis::Span,
    vector: Vec<f32>,
}

/// What `classifying` hands the later stages of the same run.
struct Classifying {
    text: Arc<str>,
    pages: Vec<PageRange>,
    /// The mapping in force when the run started, so one run uses one mapping throughout.
    router: Router,
    classified: Arc<Classified>,
    provenance: Provenance,
}

pub struct Pipeline {
    worker_id: String,
    db: PgPool,
    queue: Queue,
    events: Events,
    storage: Storage,
    settings: PipelineConfig,
    extract: lucidity_extract::Options,
    /// The providers this build can call; each run applies the mapping then in force.
    router: Router,
    /// The local sentence-embedding model, loaded once per worker.
    embedder: Arc<Embedder>,
}

impl Pipeline {
    pub async fn new(
        config: &Config,
        db: PgPool,
        queue: Queue,
        events: Events,
    ) -> anyhow::Result<Self> {
        let storage = Storage::open(&config.storage)
            .await
            .context("cannot open storage")?;
        let scratch_dir =
            std::env::temp_dir().join(format!("lucidity-worker-{}", std::process::id()));
        // One set of OCR slots for the whole worker, so pages of several documents together
        // never use more than CELERY_CONCURRENCY cores.
        let slots = std::sync::Arc::new(tokio::sync::Semaphore::new(config.worker_concurrency));
        let extract = lucidity_extract::Options {
            ocr_parallelism: config.worker_concurrency,
            ocr_slots: Some(slots),
            scratch_dir,
            ..lucidity_extract::Options::default()
        };
        let embedder = load_embedder(config).await?;
        Ok(Self {
            worker_id: worker_id(),
            db,
            queue,
            events,
            storage,
            settings: config.pipeline.clone(),
            extract,
            router: Router::new(),
            embedder,
        })
    }

    /// The embedding model this worker computes vectors with.
    pub fn embedder(&self) -> &Arc<Embedder> {
        &self.embedder
    }

    pub fn worker_id(&self) -> &str {
        &self.worker_id
    }

    /// Takes the document's lease when the job still has work to do.
    pub async fn claim(&self, job: Job) -> anyhow::Result<Option<Claimed>> {
        let lease = self.settings.lease.as_secs() as i64;
        let claimed = documents::claim_document(
            &self.db,
            job.document_id,
            job.generation,
            &self.worker_id,
            lease,
        )
        .await?;
        Ok(claimed)
    }

    /// Runs the stages while renewing the lease; `stop` hands the document back.
    pub async fn process(&self, claimed: Claimed, stop: CancellationToken) -> Outcome {
        let span = tracing::info_span!(
            "document",
            document.id = %claimed.id,
            job.attempt = claimed.attempts + 1
        );
        self.process_in_span(claimed, stop).instrument(span).await
    }

    async fn process_in_span(&self, claimed: Claimed, stop: CancellationToken) -> Outcome {
        let started = Instant::now();

        let lease_lost = CancellationToken::new();
        let heartbeat = tokio::spawn(heartbeat(
            self.db.clone(),
            claimed.clone(),
            self.worker_id.clone(),
            self.settings.lease,
            lease_lost.clone(),
        ));
        let result = tokio::select! {
            result = self.run_stages(&claimed) => Some(result),
            _ = stop.cancelled() => None,
            _ = lease_lost.cancelled() => {
                heartbeat.abort();
                tracing::warn!(document.id = %claimed.id, "lease lost; another worker has it");
                return Outcome::LeaseLost;
            }
        };
        heartbeat.abort();

        let outcome = match result {
            Some(Ok(())) => self.complete(&claimed).await,
            Some(Err(error)) => self.fail(&claimed, error).await,
            None => self.hand_back(&claimed).await,
        };
        let duration_ms = started.elapsed().as_millis() as u64;
        tracing::info!(document.id = %claimed.id, ?outcome, duration_ms, "document processed");
        outcome
    }

    /// The stages of [`STAGES`], in order, each handing its result to the next.
    async fn run_stages(&self, claimed: &Claimed) -> Result<(), StageError> {
        self.stage(claimed, "extracting", self.extract(claimed))
            .await?;
        let mut run = self
            .stage(claimed, "classifying", self.classify(claimed))
            .await?;
        let playbook = self
            .stage(claimed, "playbook", self.select_playbook(claimed, &run))
            .await?;
        let analysis = self
            .stage(
                claimed,
                "analyzing",
                self.analyze(claimed, &mut run, playbook),
            )
            .await?;
        let indexed = self
            .stage(
                claimed,
                "embedding",
                self.embed(claimed, &mut run, &analysis),
            )
            .await?;
        self.stage(
            claimed,
            "storing",
            self.store(claimed, &run, &analysis, &indexed),
        )
        .await
    }

    /// Records `name` as started, runs `work`, records its duration.
    async fn stage<T>(
        &self,
        claimed: &Claimed,
        name: &str,
        work: impl Future<Output = Result<T, StageError>>,
    ) -> Result<T, StageError> {
        let started = Instant::now();
        self.enter_stage(claimed, name)
            .await
            .map_err(StageError::transient)?;
        let value = work.await?;
        let duration_ms = started.elapsed().as_millis() as i64;
        documents::finish_stage(&self.db, claimed.id, claimed.generation, name, duration_ms)
            .await
            .map_err(StageError::database)?;
        Ok(value)
    }

    async fn enter_stage(&self, claimed: &Claimed, stage: &str) -> anyhow::Result<()> {
        let mut tx = self.db.begin().await?;
        let holding = documents::start_stage(
            &mut tx,
            claimed.id,
            claimed.generation,
            &self.worker_id,
            stage,
        )
        .await?;
        tx.commit().await?;
        anyhow::ensure!(holding, "the lease on the document was lost");
        tracing::info!(document.id = %claimed.id, stage, "stage started");
        self.announce(claimed, stage, None).await;
        Ok(())
    }

    /// The `extracting` stage: the original from storage to scratch, then text and pages.
    async fn extract(&self, claimed: &Claimed) -> Result<(), StageError> {
        let scratch = Scratch::create(&self.extract.scratch_dir, claimed)
            .await
            .map_err(StageError::transient)?;
        let original = scratch.path.join(format!("original.{}", claimed.file_kind));
        let key =
            StorageKey::new(&claimed.storage_key).map_err(|e| StageError::transient(e.into()))?;
        self.storage
            .get_to_file(&key, &original)
            .await
            .map_err(|e| {
                StageError::transient(anyhow::Error::new(e).context("cannot read the original"))
            })?;

        let kind = source_kind(&claimed.file_kind).ok_or_else(|| StageError {
            message: format!("unsupported file kind {}", claimed.file_kind),
            permanent: true,
        })?;
        let mut options = self.extract.clone();
        options.scratch_dir = scratch.path.clone();
        let extracted = lucidity_extract::extract(&original, kind, &options)
            .await
            .map_err(|e| StageError {
                message: format!("text extraction failed: {e}"),
                permanent: is_permanent(&e),
            })?;
        self.save_text(claimed, &extracted)
            .await
            .map_err(StageError::transient)
    }

    async fn save_text(&self, claimed: &Claimed, extracted: &Extracted) -> anyhow::Result<()> {
        let pages: Vec<PageRow> = extracted
            .pages
            .iter()
            .map(|p| PageRow {
                number: p.number as i32,
                start: p.start as i32,
                end: p.end as i32,
                method: match p.method {
                    PageMethod::TextLayer => "text_layer",
                    PageMethod::Ocr => "ocr",
                    PageMethod::Native => "native",
                },
            })
            .collect();
        let row = TextRow {
            body: &extracted.text,
            char_count: extracted.text.chars().count() as i32,
            pages: &pages,
            warnings: json!(extracted.warnings),
            has_tracked_changes: extracted.has_tracked_changes,
            has_comments: extracted.has_comments,
        };
        let mut tx = self.db.begin().await?;
        documents::save_text(&mut tx, claimed.id, claimed.generation, &row).await?;
        tx.commit().await?;
        let chars = row.char_count;
        tracing::info!(document.id = %claimed.id, pages = pages.len(), chars, "text saved");
        Ok(())
    }

    /// The `classifying` stage: the saved text and its pages, the capability mapping in force,
    /// then the document type, parties, dates and law.
    async fn classify(&self, claimed: &Claimed) -> Result<Classifying, StageError> {
        let (text, _) = documents::find_text(&self.db, claimed.id)
            .await
            .map_err(StageError::database)?
            .ok_or_else(|| StageError::transient(anyhow::anyhow!("the saved text is missing")))?;
        let pages = documents::list_pages(&self.db, claimed.id)
            .await
            .map_err(StageError::database)?
            .into_iter()
            .map(|(number, start, end, _)| PageRange { number, start, end })
            .collect();
        let mappings = capabilities::list_mappings(&self.db)
            .await
            .map_err(StageError::database)?;
        let router = self.router.with_mappings(mappings);

        let text: Arc<str> = text.into();
        let (routed, input) = (router.clone(), text.clone());
        let produced = on_blocking_thread(move || routed.classify(&input)).await?;
        let classification = &produced.value.classification;
        tracing::info!(
            document.id = %claimed.id,
            doc_type = classification.doc_type.id(),
            is_contract = classification.is_contract,
            provider = %produced.used.provider,
            "classified"
        );
        let mut provenance = Provenance::default();
        provenance.record(Capability::ExtractionClassification, produced.used);
        Ok(Classifying {
            text,
            pages,
            router,
            classified: Arc::new(produced.value),
            provenance,
        })
    }

    /// The `playbook` stage: the entries, as administrators left them, that apply to the
    /// document's type (an amendment's is the type it amends).
    async fn select_playbook(
        &self,
        claimed: &Claimed,
        run: &Classifying,
    ) -> Result<Playbook, StageError> {
        let playbook = playbook::load_playbook(&self.db)
            .await
            .map_err(StageError::database)?;
        let doc_type = report::effective_type(&run.classified.classification);
        let relevant = playbook.relevant(doc_type.id());
        let entries = relevant.entries.len();
        tracing::info!(document.id = %claimed.id, entries, "playbook entries selected");
        Ok(relevant)
    }

    /// The `analyzing` stage: clauses, fields, obligations, findings and the score, then the
    /// suggested language of each finding.
    async fn analyze(
        &self,
        claimed: &Claimed,
        run: &mut Classifying,
        playbook: Playbook,
    ) -> Result<Analysis, StageError> {
        let router = run.router.clone();
        let (text, classified) = (run.text.clone(), run.classified.clone());
        let (produced, suggested) = on_blocking_thread(move || {
            let mut produced = router.analyze(&text, &classified, &playbook)?;
            let suggested = router.suggest(&mut produced.value.findings, &playbook)?;
            Ok((produced, suggested))
        })
        .await?;

        let analysis = produced.value;
        tracing::info!(
            document.id = %claimed.id,
            clauses = analysis.clauses.len(),
            findings = analysis.findings.len(),
            obligations = analysis.obligations.len(),
            risk_score = analysis.risk.as_ref().map(|r| r.score),
            "analysed"
        );
        let provenance = &mut run.provenance;
        provenance.record(Capability::DocumentUnderstanding, produced.used.clone());
        provenance.record(Capability::Reasoning, produced.used);
        provenance.record(Capability::Generation, suggested);
        Ok(analysis)
    }

    /// The `embedding` stage: the text cut into passages along its clauses (all of the text,
    /// contract or not, so everything uploaded is searchable), each with its vector.
    async fn embed(
        &self,
        claimed: &Claimed,
        run: &mut Classifying,
        analysis: &Analysis,
    ) -> Result<Indexed, StageError> {
        let text = run.text.clone();
        // A text that is not a contract has no analysed clauses: it is cut by its structure.
        let clauses: Vec<lucidity_analysis::segment::Clause> =
            analysis.clauses.iter().map(|c| c.clause.clone()).collect();
        let embedder = self.embedder.clone();
        let indexed = on_blocking_thread(move || {
            let clauses = if clauses.is_empty() {
                lucidity_analysis::segment::segment(&text)
            } else {
                clauses
            };
            let chunks = lucidity_analysis::chunk::chunks(&text, &clauses);
            let bodies: Vec<&str> = chunks.iter().map(|c| c.span.of(&text)).collect();
            let vectors = embedder.embed(&bodies).map_err(|e| AiError::Failed {
                provider: "builtin".into(),
                capability: Capability::Embeddings,
                reason: e.to_string(),
            })?;
            let chunks = chunks
                .into_iter()
                .zip(vectors)
                .map(|(chunk, vector)| IndexedChunk {
                    clause: chunk.clause,
                    span: chunk.span,
                    vector,
                })
                .collect();
            Ok(Indexed { chunks })
        })
        .await?;
        let chunks = indexed.chunks.len();
        tracing::info!(document.id = %claimed.id, chunks, "passages embedded");
        let used = Used {
            provider: "builtin".into(),
            model: self.embedder.model_id().to_string(),
            instead_of: None,
        };
        run.provenance.record(Capability::Embeddings, used);
        Ok(indexed)
    }

    /// The `storing` stage: the analysis and the search index replace any earlier ones in one
    /// transaction, unless the document moved on to a newer generation or another worker.
    async fn store(
        &self,
        claimed: &Claimed,
        run: &Classifying,
        analysis: &Analysis,
        indexed: &Indexed,
    ) -> Result<(), StageError> {
        let citer = Citer::new(&run.text, run.pages.clone());
        let record = cite::record(&citer, &run.classified, analysis, &run.provenance);

        let claim = (claimed.id, claimed.generation, self.worker_id.as_str());
        let mut tx = self.db.begin().await.map_err(StageError::database)?;
        let holding = analysis::replace_analysis(&mut tx, claim, &record)
            .await
            .map_err(StageError::database)?;
        if !holding {
            let lost = anyhow::anyhow!("the lease on the document was lost");
            return Err(StageError::transient(lost));
        }
        let rows: Vec<NewChunk> = indexed
            .chunks
            .iter()
            .enumerate()
            .map(|(ordinal, chunk)| {
                let span = citer.span(chunk.span);
                NewChunk {
                    ordinal: ordinal as i32,
                    clause_ordinal: Some(chunk.clause as i32),
                    start: span.start,
                    end: span.end,
                    page: citer.page(span),
                    body: chunk.span.of(&run.text),
                    embedding: Some(&chunk.vector),
                }
            })
            .collect();
        let model = Some(self.embedder.model_id());
        chunks::replace_chunks(
            &mut tx,
            claimed.id,
            claimed.project_id,
            claimed.generation,
            &rows,
            model,
        )
        .await
        .map_err(StageError::database)?;
        tx.commit().await.map_err(StageError::database)?;
        let findings = record.findings.len();
        tracing::info!(document.id = %claimed.id, findings, "analysis stored");
        Ok(())
    }

    async fn complete(&self, claimed: &Claimed) -> Outcome {
        match documents::complete_document(
            &self.db,
            claimed.id,
            claimed.generation,
            &self.worker_id,
        )
        .await
        {
            Ok(true) => {
                self.announce(claimed, "complete", None).await;
                self.record(claimed, "document.completed", json!({})).await;
                Outcome::Completed
            }
            Ok(false) => Outcome::LeaseLost,
            Err(error) => {
                // The lease will lapse and the document run again: every stage is idempotent.
                tracing::error!(%error, document.id = %claimed.id, "could not record completion");
                Outcome::LeaseLost
            }
        }
    }

    async fn fail(&self, claimed: &Claimed, error: StageError) -> Outcome {
        let max_attempts = if error.permanent {
            claimed.attempts + 1
        } else {
            self.settings.max_attempts
        };
        let backoff = backoff(self.settings.retry_base, claimed.attempts);
        let claim = (claimed.id, claimed.generation, self.worker_id.as_str());
        let recorded = documents::fail_attempt(
            &self.db,
            claim,
            &error.message,
            max_attempts,
            backoff.as_millis() as i64,
        )
        .await;
        match recorded {
            Ok(AttemptOutcome::Retry) => {
                let retry_in_ms = backoff.as_millis() as u64;
                let (id, message) = (claimed.id, &error.message);
                tracing::warn!(document.id = %id, error = %message, retry_in_ms, "will retry");
                self.announce(claimed, "queued", Some(error.message)).await;
                Outcome::Retrying
            }
            Ok(AttemptOutcome::Failed) => {
                let message = &error.message;
                tracing::error!(document.id = %claimed.id, error = %message, "document failed");
                self.announce(claimed, "failed", Some(error.message.clone()))
                    .await;
                self.record(
                    claimed,
                    "document.failed",
                    json!({ "error": error.message }),
                )
                .await;
                Outcome::Failed
            }
            Ok(AttemptOutcome::LeaseLost) => Outcome::LeaseLost,
            Err(db_error) => {
                let id = claimed.id;
                tracing::error!(error = %db_error, document.id = %id, "could not record a failure");
                Outcome::LeaseLost
            }
        }
    }

    async fn hand_back(&self, claimed: &Claimed) -> Outcome {
        let released =
            documents::release_document(&self.db, claimed.id, claimed.generation, &self.worker_id)
                .await;
        if let Err(error) = &released {
            let id = claimed.id;
            tracing::error!(%error, document.id = %id, "could not hand back; its lease will lapse");
        }
        let job = Job {
            document_id: claimed.id,
            generation: claimed.generation,
        };
        if let Err(error) = self.queue.enqueue(job).await {
            tracing::warn!(
                error = format!("{error:#}"),
                "could not requeue; the reconciler will"
            );
        }
        self.announce(claimed, "queued", None).await;
        tracing::info!(document.id = %claimed.id, "handed back");
        Outcome::HandedBack
    }

    async fn announce(&self, claimed: &Claimed, status: &str, error_message: Option<String>) {
        let event = DocumentEvent {
            document_id: claimed.id,
            project_id: claimed.project_id,
            status: status.to_string(),
            error_message,
        };
        self.events.publish(&event).await;
    }

    async fn record(&self, claimed: &Claimed, action: &str, detail: serde_json::Value) {
        let entry = audit::Entry {
            action,
            target_type: Some("document"),
            target_id: Some(claimed.id.to_string()),
            project_id: Some(claimed.project_id),
            detail,
            ..Default::default()
        };
        if let Err(error) = audit::insert_entry(&self.db, &entry).await {
            tracing::warn!(%error, "could not write the activity entry");
        }
    }
}

/// Renews the lease until aborted; cancels `lost` when the lease is no longer this worker's.
async fn heartbeat(
    db: PgPool,
    claimed: Claimed,
    worker_id: String,
    lease: Duration,
    lost: CancellationToken,
) {
    let lease_secs = lease.as_secs() as i64;
    loop {
        tokio::time::sleep(renewal_period(lease)).await;
        let renewed =
            documents::renew_lease(&db, claimed.id, claimed.generation, &worker_id, lease_secs)
                .await;
        match renewed {
            Ok(true) => {}
            Ok(false) => return lost.cancel(),
            Err(error) => tracing::warn!(%error, "lease renewal failed; will try again"),
        }
    }
}

/// Runs CPU-bound provider work off the async executor. A panic inside the engine is a
/// permanent failure: the engine is deterministic, so the same text would fail again. Its
/// message is not kept, since a panic message may quote the text.
async fn on_blocking_thread<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, AiError> + Send + 'static,
) -> Result<T, StageError> {
    match tokio::task::spawn_blocking(work).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(StageError::transient(anyhow::Error::new(error))),
        Err(error) if error.is_panic() => Err(StageError {
            message: "the analysis engine failed on this document".into(),
            permanent: true,
        }),
        Err(_) => {
            let interrupted = anyhow::anyhow!("the analysis was interrupted");
            Err(StageError::transient(interrupted))
        }
    }
}

/// `base * 2^attempts`, plus up to `base` of jitter so retries of many documents spread out,
/// capped at [`MAX_BACKOFF`].
pub fn backoff(base: Duration, attempts: i32) -> Duration {
    let exponent = attempts.clamp(0, 16) as u32;
    let delay = base
        .saturating_mul(2u32.saturating_pow(exponent))
        .min(MAX_BACKOFF);
    let jitter_ms = rand::rng().random_range(0..=base.as_millis().max(1) as u64);
    (delay + Duration::from_millis(jitter_ms)).min(MAX_BACKOFF)
}

/// Failures that another attempt cannot fix: the file itself is unreadable or too large.
/// Everything else (a missing tool, a crashed child, I/O) may pass on a retry.
fn is_permanent(error: &ExtractError) -> bool {
    matches!(
        error,
        ExtractError::TooManyPages { .. }
            | ExtractError::ImageTooLarge { .. }
            | ExtractError::ImageUnreadable { .. }
            | ExtractError::PdfUnreadable
            | ExtractError::DocxArchive(_)
            | ExtractError::DocxXml { .. }
            | ExtractError::RtfHeader
    )
}

fn source_kind(file_kind: &str) -> Option<SourceKind> {
    match file_kind {
        "pdf" => Some(SourceKind::Pdf),
        "docx" => Some(SourceKind::Docx),
        "rtf" => Some(SourceKind::Rtf),
        "txt" => Some(SourceKind::Txt),
        "png" | "jpg" | "jpeg" | "gif" | "tif" | "tiff" => Some(SourceKind::Image),
        _ => None,
    }
}

/// A per-document scratch directory, removed when dropped.
struct Scratch {
    path: PathBuf,
}

impl Scratch {
    async fn create(root: &std::path::Path, claimed: &Claimed) -> anyhow::Result<Self> {
        let path = root.join(format!("{}-{}", claimed.id, claimed.generation));
        tokio::fs::create_dir_all(&path)
            .await
            .context("cannot create a scratch directory")?;
        Ok(Self { path })
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if let Err(error) = std::fs::remove_dir_all(&self.path) {
            tracing::warn!(%error, "could not remove a scratch directory");
        }
    }
}

/// A name for this worker: host and process, plus randomness so a restarted process with a
/// recycled pid never inherits a dead one's leases.
fn worker_id() -> String {
    let host = std::fs::read_to_string("/etc/hostname").unwrap_or_default();
    let suffix = &uuid::Uuid::new_v4().simple().to_string()[..8];
    format!("{}-{}-{suffix}", host.trim(), std::process::id())
}

/// Loads the embedding model from `LUCIDITY_MODEL_DIR`, on a blocking thread: a worker cannot
/// index documents without it, so a missing model stops the worker at start with advice.
async fn load_embedder(config: &Config) -> anyhow::Result<Arc<Embedder>> {
    let dir = config.model_dir.clone();
    let options = lucidity_embed::Options {
        intra_threads: config.worker_concurrency.max(1),
        ..lucidity_embed::Options::default()
    };
    let loaded = tokio::task::spawn_blocking(move || Embedder::load_with(&dir, options))
        .await
        .context("loading the embedding model crashed")?
        .with_context(|| {
            format!(
                "cannot load the embedding model from {} (LUCIDITY_MODEL_DIR); \
                 scripts/install.sh installs it",
                config.model_dir.display()
            )
        })?;
    Ok(Arc::new(loaded))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        let base = Duration::from_secs(2);
        for attempts in 0..4 {
            let delay = backoff(base, attempts);
            let floor = base * 2u32.pow(attempts as u32);
            assert!(
                delay >= floor && delay <= floor + base,
                "{attempts}: {delay:?}"
            );
        }
        assert_eq!(backoff(base, 40), MAX_BACKOFF);
    }

    #[test]
    fn the_stages_are_the_documented_statuses_between_queued_and_complete() {
        assert_eq!(STAGES[..], documents::STATUSES[1..7]);
    }

    #[test]
    fn every_accepted_file_kind_has_an_extractor() {
        for kind in [
            "pdf", "docx", "rtf", "txt", "png", "jpg", "jpeg", "gif", "tif", "tiff",
        ] {
            assert!(source_kind(kind).is_some(), "{kind}");
        }
        assert!(source_kind("exe").is_none());
    }
}
