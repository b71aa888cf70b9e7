//! What a provider offers the pipeline, one method per capability, and the providers this
//! build knows by name.
//!
//! Methods block: the built-in engine is CPU-bound, so callers run them on a blocking thread
//! (`tokio::task::spawn_blocking`), never on the async executor.

use lucidity_analysis::playbook::{Finding, Playbook};
use lucidity_analysis::report::{Analysis, Classified};

use crate::capability::Capability;

/// The built-in engine's provider name, as mappings and provenance spell it.
pub const BUILTIN: &str = lucidity_analysis::report::PROVIDER;

/// Remote providers an administrator may name but this build cannot call yet; mapping a
/// capability to one is refused with a message saying so.
pub const NOT_IN_THIS_BUILD: [&str; 3] = ["anthropic", "openai", "azure_openai"];

/// Whether a provider name can serve requests in this build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Availability {
    Available,
    /// A known provider whose client this build does not include.
    NotInThisBuild,
    Unknown,
}

pub fn availability(provider: &str) -> Availability {
    if provider == BUILTIN {
        Availability::Available
    } else if NOT_IN_THIS_BUILD.contains(&provider) {
        Availability::NotInThisBuild
    } else {
        Availability::Unknown
    }
}

/// Why a provider produced nothing. Messages name the provider and capability, never the text.
#[derive(Debug, thiserror::Error)]
pub enum AiError {
    /// The provider does not offer the capability (or not in this build).
    #[error("{provider} does not offer {capability} in this build")]
    Unavailable {
        provider: String,
        capability: Capability,
    },
    /// The provider was asked and failed; `reason` is safe to log and to show.
    #[error("{provider} failed at {capability}: {reason}")]
    Failed {
        provider: String,
        capability: Capability,
        reason: String,
    },
}

/// One provider of the five capabilities. Object-safe, so the router holds any mix of them.
pub trait Provider: Send + Sync {
    /// The name mappings and provenance use (`builtin`, `anthropic`, ...).
    fn name(&self) -> &str;

    /// The model that actually serves `capability`, recorded with each result.
    fn model(&self, capability: Capability) -> &str;

    /// extraction_classification: the document type, parties, dates and law.
    fn classify(&self, text: &str) -> Result<Classified, AiError>;

    /// document_understanding and reasoning: clauses and their categories, fields,
    /// obligations, findings against `playbook` (the entries relevant to the document) and
    /// the risk score.
    fn analyze(
        &self,
        text: &str,
        classified: &Classified,
        playbook: &Playbook,
    ) -> Result<Analysis, AiError>;

    /// generation: language to propose for a finding, if any.
    fn suggest(&self, finding: &Finding, playbook: &Playbook) -> Result<Option<String>, AiError>;

    /// embeddings: one vector per text.
    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, AiError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_builtin_provider_is_available_in_this_build() {
        assert_eq!(availability("builtin"), Availability::Available);
        for remote in NOT_IN_THIS_BUILD {
            assert_eq!(availability(remote), Availability::NotInThisBuild);
        }
        assert_eq!(availability("acme"), Availability::Unknown);
    }
}
