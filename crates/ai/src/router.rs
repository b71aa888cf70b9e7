//! The router: the capability → (provider, model) mapping an administrator sets, resolved to a
//! provider this build can call.
//!
//! A capability whose mapped provider is not available here (a remote provider this build has
//! no client for, or a name from a newer version) is served by the built-in engine, and a
//! mapped provider that fails is retried on the built-in engine, so a document is never lost to
//! a provider. Either way the result's [`Used`] names who actually produced it and whom it
//! stood in for, and the pipeline stores that as the analysis's [`Provenance`].

use std::collections::BTreeMap;
use std::sync::Arc;

use lucidity_analysis::playbook::{Finding, Playbook};
use lucidity_analysis::report::{Analysis, Classified};
use serde::Serialize;

use crate::builtin::Builtin;
use crate::capability::Capability;
use crate::provider::{AiError, BUILTIN, Provider};

/// What an administrator chose for one capability.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    pub capability: Capability,
    pub provider: String,
    pub model: String,
}

/// Who produced one result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Used {
    pub provider: String,
    pub model: String,
    /// The provider the mapping named, when another had to stand in for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instead_of: Option<String>,
}

/// Who produced each part of one document's analysis, by capability.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Provenance(BTreeMap<Capability, Used>);

impl Provenance {
    pub fn record(&mut self, capability: Capability, used: Used) {
        self.0.insert(capability, used);
    }

    pub fn get(&self, capability: Capability) -> Option<&Used> {
        self.0.get(&capability)
    }
}

/// A result and who produced it.
#[derive(Debug, Clone)]
pub struct Produced<T> {
    pub value: T,
    pub used: Used,
}

/// The provider that serves a capability now, and how to record it.
pub struct Route<'a> {
    pub provider: &'a dyn Provider,
    pub used: Used,
}

/// Cheap to clone: providers are shared, the mapping is a handful of rows.
#[derive(Clone)]
pub struct Router {
    /// The providers this build can call, by name; always holds the built-in one.
    providers: BTreeMap<String, Arc<dyn Provider>>,
    /// The fallback for everything.
    builtin: Arc<dyn Provider>,
    /// The administrator's choices; a capability without a row is served by the built-in one.
    mappings: BTreeMap<Capability, Mapping>,
}

impl Default for Router {
    fn default() -> Self {
        Self::new()
    }
}

impl Router {
    /// Every capability on the built-in engine: a new installation's state.
    pub fn new() -> Self {
        let builtin: Arc<dyn Provider> = Arc::new(Builtin);
        let providers = BTreeMap::from([(BUILTIN.to_string(), builtin.clone())]);
        Self {
            providers,
            builtin,
            mappings: BTreeMap::new(),
        }
    }

    /// The same providers with `mappings` in force (the rows of `ai_capabilities`).
    pub fn with_mappings(&self, mappings: impl IntoIterator<Item = Mapping>) -> Router {
        let mappings = mappings.into_iter().map(|m| (m.capability, m)).collect();
        Router {
            mappings,
            ..self.clone()
        }
    }

    /// The provider for `capability`: the mapped one when this build has it, else the
    /// built-in engine standing in for it.
    pub fn route(&self, capability: Capability) -> Route<'_> {
        let mapped = self.mappings.get(&capability);
        let wanted = mapped.map_or(BUILTIN, |m| m.provider.as_str());
        match self.providers.get(wanted) {
            Some(provider) => Route {
                provider: provider.as_ref(),
                used: used(provider.as_ref(), capability, None),
            },
            None => {
                tracing::warn!(
                    capability = capability.id(),
                    provider = wanted,
                    "the mapped provider is not in this build; the built-in engine stands in"
                );
                let instead_of = Some(wanted.to_string());
                Route {
                    provider: self.builtin.as_ref(),
                    used: used(self.builtin.as_ref(), capability, instead_of),
                }
            }
        }
    }

    /// extraction_classification on `text`.
    pub fn classify(&self, text: &str) -> Result<Produced<Classified>, AiError> {
        self.call(Capability::ExtractionClassification, |p| p.classify(text))
    }

    /// document_understanding and reasoning in one call, routed as document_understanding;
    /// the result's `used` stands for both.
    pub fn analyze(
        &self,
        text: &str,
        classified: &Classified,
        playbook: &Playbook,
    ) -> Result<Produced<Analysis>, AiError> {
        self.call(Capability::DocumentUnderstanding, |p| {
            p.analyze(text, classified, playbook)
        })
    }

    /// generation: fills each finding's suggested language.
    pub fn suggest(&self, findings: &mut [Finding], playbook: &Playbook) -> Result<Used, AiError> {
        let suggestions = self.call(Capability::Generation, |p| {
            findings.iter().map(|f| p.suggest(f, playbook)).collect()
        })?;
        let values: Vec<Option<String>> = suggestions.value;
        for (finding, suggestion) in findings.iter_mut().zip(values) {
            finding.suggested_language = suggestion;
        }
        Ok(suggestions.used)
    }

    /// Runs `call` on the routed provider; when that is not the built-in engine and it fails,
    /// runs it again on the built-in engine.
    fn call<T>(
        &self,
        capability: Capability,
        call: impl Fn(&dyn Provider) -> Result<T, AiError>,
    ) -> Result<Produced<T>, AiError> {
        let route = self.route(capability);
        let error = match call(route.provider) {
            Ok(value) => {
                return Ok(Produced {
                    value,
                    used: route.used,
                });
            }
            Err(error) if route.provider.name() != BUILTIN => error,
            Err(error) => return Err(error),
        };

        let failed = route.provider.name().to_string();
        tracing::warn!(
            capability = capability.id(),
            provider = failed,
            error = %error,
            "the provider failed; the built-in engine stands in"
        );
        let value = call(self.builtin.as_ref())?;
        let used = used(self.builtin.as_ref(), capability, Some(failed));
        Ok(Produced { value, used })
    }
}

fn used(provider: &dyn Provider, capability: Capability, instead_of: Option<String>) -> Used {
    Used {
        provider: provider.name().to_string(),
        model: provider.model(capability).to_string(),
        instead_of,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A provider that always fails, standing for a remote one that is down.
    struct Down;

    impl Provider for Down {
        fn name(&self) -> &str {
            "down"
        }

        fn model(&self, _: Capability) -> &str {
            "down-1"
        }

        fn classify(&self, _: &str) -> Result<Classified, AiError> {
            Err(self.failure(Capability::ExtractionClassification))
        }

        fn analyze(&self, _: &str, _: &Classified, _: &Playbook) -> Result<Analysis, AiError> {
            Err(self.failure(Capability::DocumentUnderstanding))
        }

        fn suggest(&self, _: &Finding, _: &Playbook) -> Result<Option<String>, AiError> {
            Err(self.failure(Capability::Generation))
        }

        fn embed(&self, _: &[&str]) -> Result<Vec<Vec<f32>>, AiError> {
            Err(self.failure(Capability::Embeddings))
        }
    }

    impl Down {
        fn failure(&self, capability: Capability) -> AiError {
            AiError::Failed {
                provider: "down".into(),
                capability,
                reason: "connection refused".into(),
            }
        }
    }

    fn mapping(capability: Capability, provider: &str) -> Mapping {
        Mapping {
            capability,
            provider: provider.into(),
            model: "some-model".into(),
        }
    }

    const TEXT: &str = "This Agreement is made between Acme Inc. and Beta LLC.";

    #[test]
    fn a_provider_missing_from_this_build_is_served_by_the_builtin_engine() {
        let mapping = mapping(Capability::ExtractionClassification, "anthropic");
        let router = Router::new().with_mappings([mapping]);
        let produced = router
            .classify(TEXT)
            .expect("the built-in engine classifies");
        assert_eq!(produced.used.provider, BUILTIN);
        assert_eq!(produced.used.instead_of.as_deref(), Some("anthropic"));
        assert_eq!(
            router.route(Capability::Reasoning).used.instead_of,
            None,
            "an unmapped capability is simply built-in"
        );
    }

    #[test]
    fn a_failing_provider_falls_back_to_the_builtin_engine_and_says_so() {
        let mut router = Router::new();
        router.providers.insert("down".into(), Arc::new(Down));
        let router = router.with_mappings([mapping(Capability::ExtractionClassification, "down")]);
        let produced = router.classify(TEXT).expect("the fallback classifies");
        assert_eq!(produced.used.provider, BUILTIN);
        assert_eq!(produced.used.instead_of.as_deref(), Some("down"));
    }

    #[test]
    fn the_builtin_provider_offers_no_embeddings_of_its_own() {
        let route = Router::new();
        let error = route.route(Capability::Embeddings).provider.embed(&["x"]);
        assert!(matches!(error, Err(AiError::Unavailable { .. })));
    }

    #[test]
    fn provenance_serialises_by_capability_id() {
        let mut provenance = Provenance::default();
        let used = Router::new().route(Capability::Reasoning).used;
        provenance.record(Capability::Reasoning, used);
        let json = serde_json::to_value(&provenance).expect("serialises");
        assert_eq!(json["reasoning"]["provider"], "builtin");
        assert!(json["reasoning"].get("instead_of").is_none());
    }
}
