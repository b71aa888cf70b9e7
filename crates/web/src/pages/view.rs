//! Small pieces of presentation every page shares: how statuses, risk levels, dates and
//! sizes read, and the horizontal bar charts drawn as SVG on the server.
//!
//! Templates escape every value; nothing here returns markup.

use chrono::{DateTime, NaiveDate, Utc};

/// The pipeline's statuses in the order a document moves through them.
pub const STATUSES: [&str; 9] = [
    "queued",
    "extracting",
    "classifying",
    "playbook",
    "analyzing",
    "embedding",
    "storing",
    "complete",
    "failed",
];

/// How a status reads in a badge.
pub fn status_label(status: &str) -> String {
    match status {
        "queued" => "Queued".into(),
        "extracting" => "Extracting text".into(),
        "classifying" => "Classifying".into(),
        "playbook" => "Checking playbook".into(),
        "analyzing" => "Analysing clauses".into(),
        "embedding" => "Indexing".into(),
        "storing" => "Saving".into(),
        "complete" => "Complete".into(),
        "failed" => "Failed".into(),
        other => capitalise(other),
    }
}

/// The badge's colour class: waiting, working, done or failed.
pub fn status_class(status: &str) -> &'static str {
    match status {
        "complete" => "badge-done",
        "failed" => "badge-failed",
        "queued" => "badge-waiting",
        _ => "badge-working",
    }
}

pub fn risk_label(level: Option<&str>) -> &'static str {
    match level {
        Some("high") => "High",
        Some("medium") => "Medium",
        Some("low") => "Low",
        _ => "Not scored",
    }
}

pub fn risk_class(level: Option<&str>) -> &'static str {
    match level {
        Some("high") => "risk-high",
        Some("medium") => "risk-medium",
        Some("low") => "risk-low",
        _ => "risk-none",
    }
}

/// A taxonomy id such as `master_services_agreement` as words: "Master services agreement".
pub fn humanise(id: &str) -> String {
    capitalise(&id.replace(['_', '-'], " "))
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// "4 Dec 2026, 09:12 UTC".
pub fn timestamp(at: &DateTime<Utc>) -> String {
    at.format("%-d %b %Y, %H:%M UTC").to_string()
}

/// "4 Dec 2026", or the text as given when it is not an ISO date.
pub fn date(text: &str) -> String {
    match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        Ok(day) => day.format("%-d %b %Y").to_string(),
        Err(_) => text.to_owned(),
    }
}

/// When an obligation is due, as the contract words it: its deadline and how often it recurs.
pub fn when(due: Option<String>, recurrence: Option<String>) -> String {
    [due, recurrence]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ")
}

/// "1.4 MB".
pub fn size(bytes: i64) -> String {
    const UNITS: [&str; 4] = ["bytes", "KB", "MB", "GB"];
    let mut value = bytes.max(0) as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    match unit {
        0 => format!("{bytes} bytes"),
        _ => format!("{value:.1} {}", UNITS[unit]),
    }
}

/// A horizontal bar chart: one labelled bar per row, scaled to the largest value.
pub struct BarChart {
    pub title: String,
    pub bars: Vec<Bar>,
    /// The SVG's height in its own units.
    pub height: u32,
}

pub struct Bar {
    pub label: String,
    pub value: i64,
    /// The bar's top edge and its length, in the SVG's units.
    pub y: u32,
    pub length: u32,
    /// Where the value is written: just after the bar.
    pub value_x: u32,
    /// The colour class.
    pub class: &'static str,
}

/// Where bars start (after their labels), their longest length, and each row's height.
const BAR_START: u32 = 110;
const BAR_MAX: u32 = 230;
const ROW_HEIGHT: u32 = 30;

impl BarChart {
    pub fn new(title: &str, rows: Vec<(String, i64, &'static str)>) -> Self {
        let largest = rows
            .iter()
            .map(|(_, value, _)| *value)
            .max()
            .unwrap_or(0)
            .max(1);
        let bars = rows
            .into_iter()
            .enumerate()
            .map(|(index, (label, value, class))| {
                let length = (value.max(0) as f64 / largest as f64 * f64::from(BAR_MAX)) as u32;
                Bar {
                    label,
                    value,
                    y: index as u32 * ROW_HEIGHT + 6,
                    length: length.max(u32::from(value > 0) * 2),
                    value_x: BAR_START + length + 8,
                    class,
                }
            })
            .collect::<Vec<_>>();
        let height = bars.len() as u32 * ROW_HEIGHT + 6;
        Self {
            title: title.to_owned(),
            bars,
            height,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.bars.iter().all(|bar| bar.value == 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_value() {
        let chart = BarChart::new(
            "Risk",
            vec![
                ("High".into(), 10, "risk-high"),
                ("Low".into(), 5, "risk-low"),
                ("None".into(), 0, "risk-none"),
            ],
        );

        assert_eq!(chart.bars[0].length, BAR_MAX);
        assert_eq!(chart.bars[1].length, BAR_MAX / 2);
        assert_eq!(chart.bars[2].length, 0);
        assert_eq!(chart.bars[1].y, ROW_HEIGHT + 6);
        assert!(!chart.is_empty());
    }

    #[test]
    fn sizes_and_dates_read_naturally() {
        assert_eq!(size(512), "512 bytes");
        assert_eq!(size(1_400_000), "1.4 MB");
        assert_eq!(date("2027-03-01"), "1 Mar 2027");
        assert_eq!(date("within 30 days"), "within 30 days");
        assert_eq!(
            humanise("master_services_agreement"),
            "Master services agreement"
        );
    }
}
