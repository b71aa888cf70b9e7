//! The worker process: takes documents from the queue and runs the pipeline.
//!
//! Layout:
//! - [`pool`]: the loop that takes jobs, claims documents and runs up to
//!   `CELERY_CONCURRENCY` of them at once, and hands work back on shutdown.
//! - [`pipeline`]: the stages, in order, each recorded in the database as it starts.
//! - [`reconciler`]: re-sends documents whose queue entry was lost.
//! - [`reembed`]: gives passages embedded by another model a vector from the current one.
//!
//! The database holds every document's state; a worker holds a renewable lease on each
//! document it works on. A worker that dies stops renewing, its leases expire, and the
//! reconciler hands the documents to the queue again.

pub mod pipeline;
pub mod pool;
pub mod reconciler;
pub mod reembed;

pub use pool::run;
