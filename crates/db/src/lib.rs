//! PostgreSQL for Contract Lucidity.
//!
//! Layout:
//! - [`embedded`]: the private server the single-machine mode runs from the pgserver wheel.
pub mod embedded;
