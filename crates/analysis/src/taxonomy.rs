//! The two taxonomies the engine speaks: document types and clause categories.
//!
//! Clause categories cover the 41 categories of the CUAD dataset (each names the CUAD category
//! it corresponds to) plus the boilerplate and commercial clauses a reviewer also expects named.
//! Identifiers are stable snake_case strings: they are stored, served by the API and keyed on by
//! playbook entries, so they never change once released.

use serde::Serialize;

/// A document type of the classification taxonomy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DocType {
    Nda,
    MasterServices,
    StatementOfWork,
    SoftwareLicense,
    Employment,
    Severance,
    Credit,
    Lease,
    Construction,
    PurchaseSupply,
    Distribution,
    StrategicAlliance,
    Consulting,
    BenefitPlan,
    Amendment,
    Other,
}

impl DocType {
    pub const ALL: [DocType; 16] = [
        DocType::Nda,
        DocType::MasterServices,
        DocType::StatementOfWork,
        DocType::SoftwareLicense,
        DocType::Employment,
        DocType::Severance,
        DocType::Credit,
        DocType::Lease,
        DocType::Construction,
        DocType::PurchaseSupply,
        DocType::Distribution,
        DocType::StrategicAlliance,
        DocType::Consulting,
        DocType::BenefitPlan,
        DocType::Amendment,
        DocType::Other,
    ];

    /// The stable identifier, as stored and served.
    pub fn id(self) -> &'static str {
        match self {
            DocType::Nda => "nda",
            DocType::MasterServices => "master_services",
            DocType::StatementOfWork => "statement_of_work",
            DocType::SoftwareLicense => "software_license",
            DocType::Employment => "employment",
            DocType::Severance => "severance",
            DocType::Credit => "credit",
            DocType::Lease => "lease",
            DocType::Construction => "construction",
            DocType::PurchaseSupply => "purchase_supply",
            DocType::Distribution => "distribution",
            DocType::StrategicAlliance => "strategic_alliance",
            DocType::Consulting => "consulting",
            DocType::BenefitPlan => "benefit_plan",
            DocType::Amendment => "amendment",
            DocType::Other => "other",
        }
    }

    /// A name for people.
    pub fn label(self) -> &'static str {
        match self {
            DocType::Nda => "Non-disclosure agreement",
            DocType::MasterServices => "Master services agreement",
            DocType::StatementOfWork => "Statement of work",
            DocType::SoftwareLicense => "Software / SaaS licence",
            DocType::Employment => "Employment agreement",
            DocType::Severance => "Severance agreement",
            DocType::Credit => "Credit / loan agreement",
            DocType::Lease => "Lease",
            DocType::Construction => "Construction contract",
            DocType::PurchaseSupply => "Purchase / supply agreement",
            DocType::Distribution => "Distribution / reseller agreement",
            DocType::StrategicAlliance => "Strategic alliance / joint venture",
            DocType::Consulting => "Consulting agreement",
            DocType::BenefitPlan => "Benefit or retirement plan",
            DocType::Amendment => "Amendment",
            DocType::Other => "Other agreement",
        }
    }

    pub fn from_id(id: &str) -> Option<DocType> {
        DocType::ALL.into_iter().find(|t| t.id() == id)
    }
}

/// One clause category of the taxonomy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Category {
    /// Stable identifier, as stored and served.
    pub id: &'static str,
    pub name: &'static str,
    /// The CUAD category this one corresponds to, when it is one of the 41.
    pub cuad: Option<&'static str>,
}

const fn cuad(id: &'static str, name: &'static str) -> Category {
    Category {
        id,
        name,
        cuad: Some(name),
    }
}

const fn own(id: &'static str, name: &'static str) -> Category {
    Category {
        id,
        name,
        cuad: None,
    }
}

/// Every clause category. The first 41 are CUAD's, in the dataset's order.
pub const CATEGORIES: &[Category] = &[
    cuad("document_name", "Document Name"),
    cuad("parties", "Parties"),
    cuad("agreement_date", "Agreement Date"),
    cuad("effective_date", "Effective Date"),
    cuad("expiration_date", "Expiration Date"),
    cuad("renewal_term", "Renewal Term"),
    cuad(
        "notice_period_to_terminate_renewal",
        "Notice Period to Terminate Renewal",
    ),
    cuad("governing_law", "Governing Law"),
    cuad("most_favored_nation", "Most Favored Nation"),
    cuad("non_compete", "Non-Compete"),
    cuad("exclusivity", "Exclusivity"),
    cuad("no_solicit_of_customers", "No-Solicit of Customers"),
    cuad(
        "competitive_restriction_exception",
        "Competitive Restriction Exception",
    ),
    cuad("no_solicit_of_employees", "No-Solicit of Employees"),
    cuad("non_disparagement", "Non-Disparagement"),
    cuad("termination_for_convenience", "Termination for Convenience"),
    cuad("rofr_rofo_rofn", "Rofr/Rofo/Rofn"),
    cuad("change_of_control", "Change of Control"),
    cuad("anti_assignment", "Anti-Assignment"),
    cuad("revenue_profit_sharing", "Revenue/Profit Sharing"),
    cuad("price_restrictions", "Price Restrictions"),
    cuad("minimum_commitment", "Minimum Commitment"),
    cuad("volume_restriction", "Volume Restriction"),
    cuad("ip_ownership_assignment", "IP Ownership Assignment"),
    cuad("joint_ip_ownership", "Joint IP Ownership"),
    cuad("license_grant", "License Grant"),
    cuad("non_transferable_license", "Non-Transferable License"),
    cuad("affiliate_license_licensor", "Affiliate License-Licensor"),
    cuad("affiliate_license_licensee", "Affiliate License-Licensee"),
    cuad("unlimited_license", "Unlimited/All-You-Can-Eat-License"),
    cuad(
        "irrevocable_or_perpetual_license",
        "Irrevocable or Perpetual License",
    ),
    cuad("source_code_escrow", "Source Code Escrow"),
    cuad("post_termination_services", "Post-Termination Services"),
    cuad("audit_rights", "Audit Rights"),
    cuad("uncapped_liability", "Uncapped Liability"),
    cuad("cap_on_liability", "Cap on Liability"),
    cuad("liquidated_damages", "Liquidated Damages"),
    cuad("warranty_duration", "Warranty Duration"),
    cuad("insurance", "Insurance"),
    cuad("covenant_not_to_sue", "Covenant Not to Sue"),
    cuad("third_party_beneficiary", "Third Party Beneficiary"),
    own("confidentiality", "Confidentiality"),
    own("indemnification", "Indemnification"),
    own("termination_for_cause", "Termination for Cause"),
    own("payment_terms", "Payment Terms"),
    own("term", "Term"),
    own("warranty", "Warranties"),
    own(
        "limitation_of_damages",
        "Exclusion of Consequential Damages",
    ),
    own("force_majeure", "Force Majeure"),
    own("dispute_resolution", "Dispute Resolution and Venue"),
    own("notices", "Notices"),
    own("data_protection", "Data Protection"),
    own("definitions", "Definitions"),
    own("entire_agreement", "Entire Agreement"),
    own("other", "Other"),
];

/// The number of CUAD categories, which come first in [`CATEGORIES`].
pub const CUAD_CATEGORY_COUNT: usize = 41;

pub fn category(id: &str) -> Option<&'static Category> {
    CATEGORIES.iter().find(|c| c.id == id)
}

pub fn category_by_cuad_name(name: &str) -> Option<&'static Category> {
    CATEGORIES.iter().find(|c| c.cuad == Some(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_41_categories_are_cuads_and_ids_are_unique() {
        let cuad = CATEGORIES.iter().filter(|c| c.cuad.is_some()).count();
        assert_eq!(cuad, CUAD_CATEGORY_COUNT);
        assert!(
            CATEGORIES[..CUAD_CATEGORY_COUNT]
                .iter()
                .all(|c| c.cuad.is_some())
        );
        let mut ids: Vec<_> = CATEGORIES.iter().map(|c| c.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), CATEGORIES.len());
    }

    #[test]
    fn document_types_round_trip_through_their_ids() {
        for doc_type in DocType::ALL {
            assert_eq!(DocType::from_id(doc_type.id()), Some(doc_type));
        }
    }
}
