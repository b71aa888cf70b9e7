//! The readable form of `lucidity analyze`: what a reviewer wants first, with page citations.

use std::fmt::Write;
use std::path::Path;

use lucidity_ai::cite::Citer;
use lucidity_analysis::playbook::Severity;
use lucidity_analysis::{Report, Span};

/// The summary as text, ending in a newline.
pub fn render(
    file: &Path,
    extraction: &serde_json::Value,
    report: &Report,
    citer: &Citer,
) -> String {
    let mut out = String::new();
    let c = &report.classified.classification;
    let _ = writeln!(out, "{}", file.display());
    let _ = writeln!(
        out,
        "  {} characters, {} pages, extracted in {} ms, analysed in {} ms",
        extraction["characters"],
        extraction["pages"].as_array().map_or(0, Vec::len),
        extraction["extraction_ms"],
        extraction["analysis_ms"]
    );
    if !c.is_contract {
        let reason = c
            .reason
            .as_ref()
            .map_or("not recognised".to_string(), |r| r.message.clone());
        let _ = writeln!(out, "\nNot a contract: {reason}. No findings are reported.");
        return out;
    }

    let _ = writeln!(
        out,
        "\nType: {} (confidence {:.2})",
        c.doc_type.label(),
        c.confidence
    );
    if let Some(amends) = c.amends {
        let _ = writeln!(out, "  amends a {}", amends.label().to_lowercase());
    }
    if let Some((title, span)) = &c.title {
        let _ = writeln!(out, "Title: {title} {}", at(citer, *span));
    }

    let e = &report.classified.extraction;
    if !e.parties.is_empty() {
        let _ = writeln!(out, "\nParties:");
        for p in &e.parties {
            let aliases: Vec<&str> = p.aliases.iter().map(|a| a.name.as_str()).collect();
            let role = p
                .role
                .as_deref()
                .map(|r| format!(", {r}"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  - {}{role} {} {}",
                p.name,
                quoted(&aliases),
                at(citer, p.span)
            );
        }
    }
    if !e.fields.is_empty() {
        let _ = writeln!(out, "\nKey terms:");
        for f in &e.fields {
            let _ = writeln!(
                out,
                "  - {}: {} {}",
                f.name.replace('_', " "),
                f.display,
                at(citer, f.span)
            );
        }
    }

    let a = &report.analysis;
    let categorised = a
        .clauses
        .iter()
        .filter(|c| !c.categories.is_empty())
        .count();
    let _ = writeln!(
        out,
        "\nClauses: {} ({categorised} categorised)",
        a.clauses.len()
    );
    if let Some(risk) = &a.risk {
        let _ = writeln!(out, "\nRisk: {}", risk.summary);
    }
    let mut findings: Vec<_> = a.findings.iter().collect();
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    if !findings.is_empty() {
        let _ = writeln!(out, "\nFindings:");
    }
    for f in findings {
        let at = f.span.map(|s| at(citer, s)).unwrap_or_default();
        let _ = writeln!(
            out,
            "  [{}] {} {at}\n      {}",
            severity(f.severity),
            f.title,
            f.explanation
        );
    }
    if !a.obligations.is_empty() {
        let _ = writeln!(out, "\nObligations: {}", a.obligations.len());
        for o in a.obligations.iter().take(10) {
            let due = o
                .due
                .as_deref()
                .map(|d| format!(" ({d})"))
                .unwrap_or_default();
            let action: String = o.action.chars().take(90).collect();
            let _ = writeln!(out, "  - {}: {action}{due} {}", o.party, at(citer, o.span));
        }
        if a.obligations.len() > 10 {
            let _ = writeln!(
                out,
                "  ... and {} more (--json lists all)",
                a.obligations.len() - 10
            );
        }
    }
    out
}

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::High => "HIGH",
        Severity::Medium => "MEDIUM",
        Severity::Low => "low",
    }
}

fn quoted(aliases: &[&str]) -> String {
    if aliases.is_empty() {
        return String::new();
    }
    let list: Vec<String> = aliases.iter().map(|a| format!("\"{a}\"")).collect();
    format!("({})", list.join(", "))
}

/// "[p. N]" for the page a span starts on.
fn at(citer: &Citer, span: Span) -> String {
    citer
        .page(citer.span(span))
        .map(|p| format!("[p. {p}]"))
        .unwrap_or_default()
}
