//! The built-in provider: the offline engine of `lucidity-analysis`, on this machine, with no
//! network. It serves every capability but embeddings, whose model the embedding stage wires in
//! itself; generation returns the playbook's language, which the engine already attaches to
//! each finding.

use lucidity_analysis::playbook::{Finding, Playbook};
use lucidity_analysis::report::{self, Analysis, Classified};

use crate::capability::Capability;
use crate::provider::{AiError, BUILTIN, Provider};

#[derive(Debug, Clone, Copy, Default)]
pub struct Builtin;

impl Provider for Builtin {
    fn name(&self) -> &str {
        BUILTIN
    }

    fn model(&self, _capability: Capability) -> &str {
        report::MODEL
    }

    fn classify(&self, text: &str) -> Result<Classified, AiError> {
        Ok(report::classify_stage(text))
    }

    fn analyze(
        &self,
        text: &str,
        classified: &Classified,
        playbook: &Playbook,
    ) -> Result<Analysis, AiError> {
        Ok(report::analyze_stage(text, classified, playbook))
    }

    /// The engine fills `suggested_language` from the playbook's preferred language (else the
    /// entry's first fallback); this keeps it, or looks the category up when it is empty.
    fn suggest(&self, finding: &Finding, playbook: &Playbook) -> Result<Option<String>, AiError> {
        let preferred = || {
            playbook
                .preferred_language(&finding.category)
                .map(|entry| entry.text.clone())
        };
        Ok(finding.suggested_language.clone().or_else(preferred))
    }

    /// Embeddings come from the embedding stage's own model, not from this provider.
    fn embed(&self, _texts: &[&str]) -> Result<Vec<Vec<f32>>, AiError> {
        Err(AiError::Unavailable {
            provider: BUILTIN.to_string(),
            capability: Capability::Embeddings,
        })
    }
}
