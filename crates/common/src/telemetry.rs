//! Structured logging.
//!
//! JSON lines in production (one object per event, for CloudWatch and friends), readable text
//! in development. The level comes from `LOG_LEVEL`; `RUST_LOG`, when set, overrides it for
//! debugging. The field vocabulary and the never-log list are in docs/LOGGING.md.

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::FmtSpan;

use crate::config::Config;

/// Crates that are chatty at `info` and `debug`; they log at `warn` unless `RUST_LOG` says.
const QUIET_CRATES: &[&str] = &["sqlx", "hyper", "hyper_util", "reqwest", "h2", "rustls"];

/// Installs the global subscriber. Calling it twice is harmless: the second call does nothing.
pub fn init(config: &Config) {
    let filter = match std::env::var("RUST_LOG") {
        Ok(directives) if !directives.is_empty() => EnvFilter::new(directives),
        _ => {
            let mut directives = config.log_level.clone();
            for name in QUIET_CRATES {
                directives.push_str(&format!(",{name}=warn"));
            }
            EnvFilter::new(directives)
        }
    };

    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_span_events(FmtSpan::NONE)
        .with_writer(std::io::stderr);
    let result = if config.is_production() {
        builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .try_init()
    } else {
        builder.with_target(false).try_init()
    };
    drop(result);
}
