//! The capability router: which provider and model serve each of the five AI capabilities,
//! and the seam every provider plugs into.
//!
//! Layout:
//! - [`capability`]: the five capabilities and their stable ids.
//! - [`provider`]: the [`Provider`] trait, its error, and the provider names this build knows.
//! - [`builtin`]: the provider that wraps the offline engine, `lucidity-analysis`.
//! - [`router`]: the mapping an administrator sets, resolved to a provider that is available,
//!   falling back to the built-in one, with the provenance of every result.
//! - [`cite`]: results turned into what is stored and served: character offsets and pages.
//!
//! Invariant: every result the pipeline stores names the provider and model that actually
//! produced it, which is not always the one the mapping asked for.

pub mod builtin;
pub mod capability;
pub mod cite;
pub mod provider;
pub mod router;

pub use builtin::Builtin;
pub use capability::Capability;
pub use provider::{AiError, Availability, Provider};
pub use router::{Mapping, Produced, Provenance, Router, Used};
