//! Measuring the engine against labelled datasets in the layout of the development data:
//! loaders for each dataset and the metrics `lucidity eval` prints.

pub mod cuad;
pub mod metrics;
