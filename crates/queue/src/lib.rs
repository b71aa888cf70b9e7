//! Moving work and news between processes.
//!
//! Layout:
//! - [`queue`]: the work queue. Redis when configured, a PostgreSQL table otherwise, behind
//!   one type. It carries hints ("this document may have work"), never state: the document
//!   row decides, so a lost or duplicated hint delays or repeats nothing that matters.
//! - [`events`]: live document events (status changes) published by workers and delivered
//!   to every API instance: Redis pub/sub when configured, PostgreSQL NOTIFY otherwise.

pub mod events;
pub mod queue;

pub use events::{DocumentEvent, Events};
pub use queue::{Job, Queue};
