//! Pieces every Contract Lucidity process shares.
//!
//! Layout:
//! - [`config`]: the configuration contract, read once from the environment and `.env`,
//!   typed and validated before anything starts.
//! - [`secret`]: a string wrapper that never prints its value.
//! - [`telemetry`]: structured logging at `LOG_LEVEL`, JSON in production.
//! - [`shutdown`]: one cancellation token fired by Ctrl-C or SIGTERM.
//! - [`net`]: binding listeners with errors that tell the operator what to do.

pub mod config;
pub mod net;
pub mod secret;
pub mod shutdown;
pub mod telemetry;

pub use config::Config;
pub use secret::Secret;
