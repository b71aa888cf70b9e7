//! The vocabulary profile of a whole text: how strongly its words point to each document type.
//!
//! Each type has a hand-written list of terms that parties of that kind of agreement use
//! ("borrower", "administrative agent" for credit; "participant", "plan administrator" for
//! benefit plans), each with a weight of 1 (typical) or 2 (rarely seen elsewhere). A type's
//! score is the sum over its terms of `weight * ln(1 + uses per thousand words)`: the logarithm
//! keeps one frequent term from outweighing several distinct ones.
//!
//! Weights were written from the vocabulary of each agreement type, then checked against the
//! rates at which the terms occur per type in the development splits (doctypes, CUAD,
//! ContractNLI); none was fitted to individual documents. Learning them was tried and not
//! kept: a multinomial naive Bayes over the same terms, trained on doctypes, scored 90.8%
//! in 5-fold cross-validation choosing among that dataset's six types, against 89.6% for
//! these hand weights on the same choice, and it can only learn the types some dataset
//! labels (no lease, statement of work or master services data of that kind exists here).

use std::collections::HashMap;
use std::sync::LazyLock;

use crate::taxonomy::DocType;

/// Texts shorter than this many words count as this long, so that one use of a term in a
/// half-page letter does not read as a high rate.
const MIN_WORDS_FOR_RATE: usize = 500;

/// Terms per type, as space-separated lower-case words, with their weights.
#[rustfmt::skip]
const TERMS: &[(DocType, &[(&str, f32)])] = &[
    (DocType::Credit, &[
        ("borrower", 2.0), ("borrowers", 2.0), ("lender", 2.0), ("lenders", 2.0),
        ("administrative agent", 2.0), ("revolving", 2.0), ("term loan", 2.0),
        ("term loans", 2.0), ("loan documents", 2.0), ("credit facility", 2.0),
        ("applicable margin", 2.0), ("letters of credit", 1.0), ("letter of credit", 1.0),
        ("libor", 1.0), ("base rate", 1.0), ("event of default", 1.0), ("collateral", 1.0),
        ("commitments", 1.0), ("interest rate", 1.0), ("principal amount", 1.0),
        ("prepayment", 1.0), ("guarantor", 1.0), ("security interest", 1.0), ("loan", 1.0),
        ("loans", 1.0), ("indebtedness", 1.0), ("advances", 1.0), ("maturity date", 1.0),
    ]),
    (DocType::Construction, &[
        ("contractor", 1.0), ("subcontractor", 2.0), ("subcontractors", 2.0),
        ("change order", 2.0), ("change orders", 2.0), ("retainage", 2.0),
        ("substantial completion", 2.0), ("final completion", 2.0), ("construction", 2.0),
        ("architect", 2.0), ("punch list", 2.0), ("performance bond", 2.0), ("payment bond", 2.0),
        ("guaranteed maximum price", 2.0), ("schedule of values", 2.0),
        ("plans and specifications", 2.0), ("drawings", 1.0), ("site", 1.0), ("owner", 1.0),
        ("the work", 1.0), ("builder", 1.0), ("commissioning", 1.0),
        ("liquidated damages", 1.0), ("critical path", 2.0), ("engineering", 1.0),
        ("shipyard", 1.0), ("vessel", 1.0), ("delivery of the vessel", 2.0),
    ]),
    (DocType::Employment, &[
        ("employment", 1.0), ("base salary", 1.0), ("annual bonus", 2.0), ("vacation", 2.0),
        ("duties", 1.0), ("responsibilities", 1.0), ("devote", 2.0), ("business expenses", 1.0),
        ("report to", 1.0), ("reports to", 1.0), ("employment period", 2.0),
        ("term of employment", 2.0), ("at will", 2.0), ("paid time off", 2.0), ("full time", 1.0),
        ("relocation", 1.0), ("fringe benefits", 1.0), ("salary", 1.0), ("position", 1.0),
        ("employer", 0.5), ("stock options", 0.5), ("start date", 1.0),
    ]),
    (DocType::Severance, &[
        ("severance", 2.0), ("separation", 2.0), ("release", 2.0), ("releases", 2.0),
        ("general release", 2.0), ("release of claims", 2.0), ("separation date", 2.0),
        ("severance pay", 2.0), ("severance payment", 2.0), ("severance payments", 2.0),
        ("severance benefits", 2.0), ("age discrimination", 2.0), ("adea", 2.0),
        ("older workers benefit protection", 2.0), ("waiver of claims", 2.0),
        ("qualifying termination", 2.0), ("outplacement", 2.0), ("revoke", 1.0),
        ("revocation", 1.0), ("change in control", 1.0), ("change of control", 1.0),
        ("cobra", 1.0), ("lump sum", 1.0), ("resignation", 1.0), ("excise tax", 1.0),
        ("termination of employment", 1.0), ("without cause", 1.0), ("good reason", 1.0),
        ("notice of termination", 1.0), ("termination date", 1.0),
        ("knowingly and voluntarily", 2.0), ("consult with an attorney", 2.0), ("21 days", 2.0),
        ("7 days", 1.0), ("disparage", 1.0), ("disparaging", 1.0), ("waive", 1.0),
        ("unemployment", 1.0), ("claims", 0.5),
    ]),
    (DocType::BenefitPlan, &[
        ("participant", 2.0), ("participants", 2.0), ("plan administrator", 2.0),
        ("plan year", 2.0), ("the plan", 2.0), ("beneficiary", 1.0), ("beneficiaries", 1.0),
        ("vested", 1.0), ("vesting", 1.0), ("erisa", 1.0), ("deferred compensation", 2.0),
        ("retirement", 2.0), ("pension", 2.0), ("accrued benefit", 2.0),
        ("normal retirement", 2.0), ("early retirement", 2.0), ("rabbi trust", 2.0),
        ("account balance", 1.0), ("deferral", 2.0), ("deferrals", 2.0), ("qualified plan", 2.0),
        ("annuity", 1.0), ("actuarial", 2.0), ("plan sponsor", 2.0), ("awards", 1.0),
        ("grantee", 1.0), ("exercise price", 1.0), ("benefit", 1.0),
    ]),
    (DocType::SoftwareLicense, &[
        ("licensee", 2.0), ("licensor", 2.0), ("software", 2.0), ("source code", 2.0),
        ("object code", 2.0), ("documentation", 1.0), ("end user", 1.0), ("end users", 1.0),
        ("updates", 1.0), ("upgrades", 1.0), ("license fee", 2.0), ("license fees", 2.0),
        ("licensed software", 2.0), ("copies", 1.0), ("installation", 1.0), ("subscription", 1.0),
        ("saas", 2.0), ("uptime", 1.0), ("reverse engineer", 2.0), ("sublicense", 1.0),
        ("license", 1.0), ("program", 1.0), ("programs", 1.0), ("error corrections", 2.0),
        ("enhancements", 1.0),
    ]),
    (DocType::Lease, &[
        ("landlord", 2.0), ("tenant", 2.0), ("lessor", 2.0), ("lessee", 2.0), ("premises", 1.0),
        ("rent", 2.0), ("base rent", 2.0), ("security deposit", 2.0), ("square feet", 2.0),
        ("common areas", 2.0), ("leased premises", 2.0), ("lease term", 2.0), ("sublease", 1.0),
        ("holdover", 2.0), ("quiet enjoyment", 2.0), ("demised", 2.0), ("real estate taxes", 1.0),
        ("rentable", 2.0),
    ]),
    (DocType::Nda, &[
        ("confidential information", 2.0), ("receiving party", 2.0), ("disclosing party", 2.0),
        ("recipient", 1.0), ("discloser", 2.0), ("non disclosure", 2.0), ("nondisclosure", 2.0),
        ("proprietary information", 1.0), ("evaluation material", 2.0),
        ("return or destroy", 2.0), ("need to know", 2.0), ("trade secrets", 1.0),
        ("representatives", 1.0), ("confidentiality", 1.0), ("the purpose", 1.0),
        ("possible transaction", 1.0),
    ]),
    (DocType::Distribution, &[
        ("distributor", 2.0), ("distributors", 2.0), ("reseller", 2.0), ("resellers", 2.0),
        ("resale", 2.0), ("resell", 2.0), ("territory", 1.0), ("products", 1.0), ("dealer", 2.0),
        ("dealers", 2.0), ("minimum purchase", 2.0), ("price list", 1.0),
        ("sub distributor", 2.0), ("sub distributors", 2.0), ("marketing materials", 1.0),
        ("distribution rights", 2.0), ("end customers", 1.0),
    ]),
    (DocType::PurchaseSupply, &[
        ("supplier", 2.0), ("buyer", 1.0), ("seller", 1.0), ("purchase order", 2.0),
        ("purchase orders", 2.0), ("forecast", 2.0), ("forecasts", 2.0), ("manufacturer", 1.0),
        ("manufacture", 1.0), ("specifications", 1.0), ("delivery", 1.0), ("shipment", 1.0),
        ("incoterms", 2.0), ("unit price", 2.0), ("lead time", 2.0), ("supply", 1.0),
        ("raw materials", 1.0), ("defective products", 2.0), ("quality agreement", 1.0),
        ("firm orders", 2.0),
    ]),
    (DocType::MasterServices, &[
        ("services", 1.0), ("service provider", 2.0), ("service level", 2.0),
        ("service levels", 2.0), ("statement of work", 1.0), ("statements of work", 1.0),
        ("deliverables", 1.0), ("customer", 1.0), ("provider", 1.0), ("vendor", 1.0),
        ("outsourcing", 2.0), ("hosting", 1.0), ("support services", 1.0), ("service fees", 2.0),
        ("personnel", 1.0), ("change control", 1.0), ("professional services", 2.0),
        ("service credits", 2.0), ("transition services", 2.0), ("maintenance services", 1.0),
    ]),
    (DocType::StatementOfWork, &[
        ("this statement of work", 3.0), ("this sow", 3.0), ("sow", 2.0), ("milestones", 2.0),
        ("milestone", 1.0), ("deliverables", 2.0), ("project", 1.0), ("acceptance criteria", 2.0),
        ("assumptions", 1.0), ("out of scope", 2.0), ("scope of work", 2.0),
        ("project manager", 2.0), ("timeline", 1.0), ("phase", 1.0),
    ]),
    (DocType::StrategicAlliance, &[
        ("joint venture", 2.0), ("alliance", 2.0), ("collaboration", 2.0),
        ("steering committee", 2.0), ("co branded", 2.0), ("co branding", 2.0),
        ("joint development", 2.0), ("jointly", 1.0), ("cooperation", 2.0), ("partners", 1.0),
        ("revenue share", 1.0), ("joint marketing", 2.0), ("co promote", 2.0),
        ("co promotion", 2.0), ("commercialization", 1.0), ("party a", 1.0), ("party b", 1.0),
        ("research program", 1.0),
    ]),
    (DocType::Consulting, &[
        ("consultant", 2.0), ("consultants", 2.0), ("consulting", 2.0),
        ("consulting services", 2.0), ("independent contractor", 2.0), ("consulting fee", 2.0),
        ("consulting fees", 2.0), ("advisory", 1.0), ("advisor", 1.0), ("hourly rate", 1.0),
        ("per hour", 1.0),
    ]),
    (DocType::Other, &[
        ("franchise", 2.0), ("franchisee", 2.0), ("franchisor", 2.0), ("sponsor", 2.0),
        ("sponsorship", 2.0), ("endorsement", 2.0), ("merger", 2.0), ("purchase price", 1.0),
        ("escrow agent", 2.0), ("stockholder", 1.0), ("stockholders", 1.0), ("joint filing", 2.0),
        ("licensed marks", 2.0), ("trademarks", 1.0), ("accredited investor", 2.0),
        ("securities act", 1.0), ("closing", 1.0), ("royalty", 1.0), ("royalties", 1.0),
    ]),
];

/// Every term's words, mapped from its first word: `first word -> [(rest, type, weight)]`.
type TermIndex = HashMap<&'static str, Vec<(Vec<&'static str>, DocType, f32)>>;

static INDEX: LazyLock<TermIndex> = LazyLock::new(|| {
    let mut index: TermIndex = HashMap::new();
    for (doc_type, terms) in TERMS {
        for (term, weight) in *terms {
            let mut words = term.split(' ');
            let first = words.next().expect("terms are not empty");
            index
                .entry(first)
                .or_default()
                .push((words.collect(), *doc_type, *weight));
        }
    }
    index
});

/// Per-type vocabulary scores of a text, given its lower-cased words in order.
pub(crate) fn scores(words: &[&str]) -> HashMap<DocType, f32> {
    let mut counts: HashMap<(DocType, &str, usize), u32> = HashMap::new();
    for (i, word) in words.iter().enumerate() {
        let Some(terms) = INDEX.get(word) else {
            continue;
        };
        for (k, (rest, doc_type, _)) in terms.iter().enumerate() {
            if words[i + 1..].starts_with(rest) {
                *counts.entry((*doc_type, word, k)).or_insert(0) += 1;
            }
        }
    }

    let per_thousand = 1000.0 / words.len().max(MIN_WORDS_FOR_RATE) as f32;
    let mut scores = HashMap::new();
    for ((doc_type, first, k), count) in counts {
        let weight = INDEX[first][k].2;
        *scores.entry(doc_type).or_insert(0.0) += weight * (count as f32 * per_thousand).ln_1p();
    }
    scores
}
