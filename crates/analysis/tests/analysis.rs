//! The engine end to end on real contracts and on texts that are not contracts.

use lucidity_analysis::playbook::{FindingKind, Severity};
use lucidity_analysis::{DocType, Report, analyze, default_playbook};

fn fixture(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read_to_string(path).expect("fixture exists")
}

fn run(text: &str) -> Report {
    analyze(text, &default_playbook())
}

#[test]
fn an_agency_agreement_gets_parties_clauses_findings_and_a_score_that_cite_the_text() {
    let text = fixture("cuad-agency-agreement.txt");
    let report = run(&text);
    let c = &report.classified.classification;
    assert!(c.is_contract);

    assert!(!report.classified.extraction.parties.is_empty());
    for party in &report.classified.extraction.parties {
        assert_eq!(party.span.of(&text), party.name);
    }

    let clauses = &report.analysis.clauses;
    assert!(clauses.len() > 10, "{}", clauses.len());
    assert!(
        clauses
            .windows(2)
            .all(|w| w[0].clause.span.end <= w[1].clause.span.start)
    );
    let categorised: Vec<&str> = clauses
        .iter()
        .flat_map(|c| c.categories.iter().map(|s| s.category))
        .collect();
    assert!(
        categorised.contains(&"governing_law") || categorised.contains(&"anti_assignment"),
        "{categorised:?}"
    );

    let risk = report.analysis.risk.as_ref().expect("a contract is scored");
    assert!(risk.score <= 100);
    assert_eq!(risk.explanation.len(), report.analysis.findings.len());
    for finding in &report.analysis.findings {
        assert!(!finding.explanation.is_empty());
        if let Some(span) = finding.span {
            assert!(span.end <= text.len() && !span.of(&text).trim().is_empty());
        } else {
            assert_eq!(finding.kind, FindingKind::Missing);
        }
    }
    let mut keys: Vec<&str> = report
        .analysis
        .findings
        .iter()
        .map(|f| f.key.as_str())
        .collect();
    keys.sort_unstable();
    keys.dedup();
    assert_eq!(
        keys.len(),
        report.analysis.findings.len(),
        "finding keys are unique"
    );
}

#[test]
fn the_same_text_gives_the_same_finding_keys_so_reviews_survive_reprocessing() {
    let text = fixture("cuad-agency-agreement.txt");
    let keys = |r: Report| {
        r.analysis
            .findings
            .into_iter()
            .map(|f| f.key)
            .collect::<Vec<_>>()
    };
    assert_eq!(keys(run(&text)), keys(run(&text)));
}

#[test]
fn a_mutual_nda_is_classified_as_an_nda_with_confidentiality_clauses() {
    let text = fixture("bonterms-mutual-nda.md");
    let report = run(&text);
    assert_eq!(report.classified.classification.doc_type, DocType::Nda);
    let has_confidentiality = report
        .analysis
        .clauses
        .iter()
        .any(|c| c.categories.iter().any(|s| s.category == "confidentiality"));
    assert!(has_confidentiality);
    assert!(
        !report
            .analysis
            .findings
            .iter()
            .any(|f| f.kind == FindingKind::Missing && f.category == "confidentiality")
    );
}

#[test]
fn non_contracts_get_a_clear_answer_and_no_invented_findings() {
    let news = "The city council met on Tuesday to discuss the new bus routes. Residents \
                voiced concerns about parking near the stadium, and the mayor promised a \
                report by the end of the month. The weather was mild and the meeting ended \
                early.";
    let recipe = "Pancakes\n\nMix two cups of flour with one egg and a cup of milk. Heat a pan, \
                  pour the batter and turn each pancake once bubbles appear. Serve warm with \
                  syrup.";
    for text in ["", "   \n\n ", news, recipe] {
        let report = run(text);
        let c = &report.classified.classification;
        assert!(!c.is_contract, "{text:?} was taken for a contract");
        assert!(c.reason.is_some());
        assert!(report.analysis.findings.is_empty());
        assert!(report.analysis.obligations.is_empty());
        assert!(report.analysis.risk.is_none());
    }
}

#[test]
fn a_contract_in_another_language_is_named_as_unsupported_rather_than_analysed() {
    let french = "CONTRAT DE PRESTATION DE SERVICES\n\nEntre les soussignés, la société Alpha SAS, \
                  dont le siège social est situé à Paris, ci-après dénommée le Prestataire, et \
                  la société Beta SARL, ci-après dénommée le Client. Le Prestataire s'engage à \
                  fournir les services décrits en annexe. Le présent contrat est régi par le \
                  droit français et tout litige sera soumis aux tribunaux de Paris. Le Client \
                  paiera les factures dans un délai de trente jours.";
    let report = run(french);
    let c = &report.classified.classification;
    assert!(!c.is_contract);
    let reason = c.reason.as_ref().expect("a reason");
    assert!(
        reason.message.to_lowercase().contains("french") || reason.language.is_some(),
        "{reason:?}"
    );
    assert!(report.analysis.findings.is_empty());
}

#[test]
fn one_giant_paragraph_is_still_cut_into_reviewable_clauses() {
    let sentence = "The Supplier shall deliver the Products to the Customer within thirty (30) \
                    days of each purchase order, and the Customer shall pay each invoice within \
                    sixty (60) days of receipt. ";
    let text = format!(
        "SUPPLY AGREEMENT This Supply Agreement is entered into by and between Acme Corp., a \
         Delaware corporation (\"Supplier\"), and Beta LLC (\"Customer\"). {}",
        sentence.repeat(80)
    );
    let report = run(&text);
    assert!(report.classified.classification.is_contract);
    assert!(report.analysis.clauses.len() >= 4);
    assert!(!report.analysis.obligations.is_empty());
    let missing_cap = report.analysis.findings.iter().any(|f| {
        f.kind == FindingKind::Missing
            && f.category == "cap_on_liability"
            && f.severity >= Severity::Medium
    });
    assert!(
        missing_cap,
        "a supply agreement without a liability cap is flagged"
    );
}

#[test]
fn the_taxonomy_page_lists_every_document_type_and_clause_category() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/TAXONOMY.md");
    let page = std::fs::read_to_string(path).expect("docs/TAXONOMY.md exists");
    for doc_type in DocType::ALL {
        assert!(
            page.contains(&format!("| `{}` |", doc_type.id())),
            "{}",
            doc_type.id()
        );
    }
    for category in lucidity_analysis::CATEGORIES {
        assert!(
            page.contains(&format!("| `{}` |", category.id)),
            "{}",
            category.id
        );
    }
}
