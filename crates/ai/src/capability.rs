//! The five capabilities an administrator maps to a provider and model.
//!
//! Their ids are stored (`ai_capabilities.capability`, whose CHECK lists the same five), served
//! by the API and recorded in every analysis's provenance, so they never change.

use std::fmt;

use serde::{Serialize, Serializer};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Capability {
    /// The document type, parties, dates and jurisdiction: the `classifying` stage.
    ExtractionClassification,
    /// Clauses, their categories, key fields and obligations: the `analyzing` stage.
    DocumentUnderstanding,
    /// Findings against the playbook and the risk score: the `analyzing` stage.
    Reasoning,
    /// Drafting: suggested language for findings, alternative clauses, answers.
    Generation,
    /// Vectors for semantic search: the `embedding` stage.
    Embeddings,
}

impl Capability {
    pub const ALL: [Capability; 5] = [
        Capability::ExtractionClassification,
        Capability::DocumentUnderstanding,
        Capability::Reasoning,
        Capability::Generation,
        Capability::Embeddings,
    ];

    /// The stable snake_case id.
    pub fn id(self) -> &'static str {
        match self {
            Capability::ExtractionClassification => "extraction_classification",
            Capability::DocumentUnderstanding => "document_understanding",
            Capability::Reasoning => "reasoning",
            Capability::Generation => "generation",
            Capability::Embeddings => "embeddings",
        }
    }

    pub fn from_id(id: &str) -> Option<Capability> {
        Capability::ALL.into_iter().find(|c| c.id() == id)
    }
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl Serialize for Capability {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_capability_round_trips_through_its_id() {
        for capability in Capability::ALL {
            assert_eq!(Capability::from_id(capability.id()), Some(capability));
        }
        assert_eq!(Capability::from_id("Reasoning"), None);
    }
}
