//! The built-in contract analysis engine: everything Contract Lucidity learns from a
//! contract's text, computed on this machine with no network.
//!
//! Layout:
//! - `span`, `text`: byte spans and their character offsets; words and sentences.
//! - `taxonomy`: document types and clause categories (a superset of CUAD's 41).
//! - `classify`: the document type, whether the text is a contract at all, and what an
//!   amendment amends.
//! - `fields`: parties, dates, governing law and venue, term and renewal, payment, value,
//!   liability cap and the other key terms, each with the span it came from.
//! - `segment`, `categorize`: clauses along the document's own structure, and their categories.
//! - `playbook`, `findings`: the firm's positions, the findings they raise and the risk score.
//! - `obligations`: who must do what, by when.
//! - `report`: the stages end to end, as the worker and `lucidity analyze` run them.
//! - `eval`: dataset loaders and the metrics `lucidity eval` prints.
//!
//! Every finding carries a [`Span`] into the analysed text; callers convert spans to character
//! offsets with [`span::CharOffsets`] to cite pages.

pub mod categorize;
pub mod chunk;
pub mod classify;
pub mod eval;
pub mod fields;
pub mod findings;
pub mod obligations;
pub mod playbook;
mod playbook_seed;
pub mod report;
pub mod search;
pub mod segment;
pub mod span;
pub mod taxonomy;
pub mod text;

pub use playbook::{Playbook, default_playbook};
pub use report::{Report, analyze};
pub use span::{CharOffsets, Span};
pub use taxonomy::{CATEGORIES, Category, DocType};
