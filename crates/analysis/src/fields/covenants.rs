//! Periods of the covenants a reviewer checks: how long a non-compete runs, how long
//! confidentiality survives, how long a warranty lasts.
//!
//! Each is the first duration of at least a month (six months for confidentiality, a week for
//! warranties) written in a sentence about the covenant with a cue that makes it the
//! covenant's own period ("for a period of", "after termination", "from delivery"); notice and
//! cure periods are not.

use std::sync::LazyLock;

use regex::Regex;

use super::durations::{Duration, Unit};
use super::{Context, Field, Value, window_after, window_before};

/// One covenant: the sentences about it, the cues that make a duration its period, the
/// shortest period that counts, and how to describe it.
struct Covenant {
    name: &'static str,
    topic: &'static LazyLock<Regex>,
    min_days: u32,
    describe: fn(&Duration) -> String,
}

static NON_COMPETE: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(
        r"(?ix)\b(?:non-?\s?compet\w*|not\s+(?:to\s+)?(?:directly\s+or\s+indirectly\s+)?
        (?:compete|engage)|competing\s+(?:business|products?|services?)|competitive\s+(?:business|
        products?|activit\w+))\b",
    )
    .expect("non-compete pattern")
});

static CONFIDENTIALITY: LazyLock<Regex> =
    LazyLock::new(|| super::regex(r"(?i)\bconfidential\w*").expect("confidentiality pattern"));

static WARRANTY: LazyLock<Regex> =
    LazyLock::new(|| super::regex(r"(?i)\bwarrant(?:s|y|ies|ed)?\b").expect("warranty pattern"));

/// Cues before a duration that make it the covenant's period.
static PERIOD_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(
        r"(?ix)\b(?:period\s+of|for|during|until|term\s+of|lasting|of)\s*(?:an?\s+|the\s+)?
        (?:additional\s+)?$",
    )
    .expect("period cue pattern")
});

/// Cues after a duration that make it the covenant's period.
static PERIOD_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(
        r"(?ix)^\s*(?:period\s+)?(?:\w+\s+){0,1}(?:after|following|from|thereafter|beyond|
        commencing|of\s+(?:the\s+)?(?:date|delivery|acceptance))",
    )
    .expect("period after pattern")
});

static NOTICE_NEAR: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(r"(?i)^[\s'’]*(?:\w+\s+){0,2}(?:prior\s+)?(?:written\s+)?(?:notice|cure)")
        .expect("notice near pattern")
});

const COVENANTS: &[Covenant] = &[
    Covenant {
        name: "non_compete_period",
        topic: &NON_COMPETE,
        min_days: 30,
        describe: |d| format!("{} (non-compete)", d.display()),
    },
    Covenant {
        name: "confidentiality_period",
        topic: &CONFIDENTIALITY,
        min_days: 180,
        describe: |d| format!("{} (confidentiality)", d.display()),
    },
    Covenant {
        name: "warranty_period",
        topic: &WARRANTY,
        min_days: 7,
        describe: |d| format!("{} (warranty)", d.display()),
    },
];

pub(crate) fn find(cx: &Context) -> Vec<Field> {
    COVENANTS
        .iter()
        .filter_map(|c| covenant_period(cx, c))
        .collect()
}

fn covenant_period(cx: &Context, covenant: &Covenant) -> Option<Field> {
    for span in cx.sentences_with(covenant.topic) {
        if span.len() > 2_000 {
            continue;
        }
        let period = cx.durations_in(span).iter().find(|d| {
            let long_enough = d.days.is_some_and(|days| days >= covenant.min_days);
            let before = window_before(cx.text, d.span.start, 30);
            let after = window_after(cx.text, d.span.end, 40);
            long_enough
                && !matches!(d.unit, Unit::Hour | Unit::BusinessDay)
                && !NOTICE_NEAR.is_match(after)
                && (PERIOD_BEFORE.is_match(before) || PERIOD_AFTER.is_match(after))
        });
        if let Some(period) = period {
            return Some(Field {
                name: covenant.name,
                value: Value::Duration(period.clone()),
                display: (covenant.describe)(period),
                span,
                confidence: 0.6,
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::extract;

    fn display(text: &str, name: &str) -> Option<String> {
        extract(text)
            .fields
            .into_iter()
            .find(|f| f.name == name)
            .map(|f| f.display)
    }

    #[test]
    fn a_non_compete_runs_for_its_stated_period_after_the_term() {
        let text = "During the Term and for a period of two (2) years thereafter, Executive shall \
                    not compete with the Company in the Territory.";
        assert_eq!(
            display(text, "non_compete_period").as_deref(),
            Some("2 years (non-compete)")
        );
    }

    #[test]
    fn confidentiality_survives_for_its_stated_period() {
        let text = "The obligations of confidentiality under this Section shall survive for five \
                    (5) years following the termination of this Agreement.";
        assert_eq!(
            display(text, "confidentiality_period").as_deref(),
            Some("5 years (confidentiality)")
        );
    }

    #[test]
    fn a_warranty_period_runs_from_delivery_and_notice_periods_do_not_count() {
        let text = "Supplier warrants that the Products will conform to the Specifications for \
                    a period of twelve (12) months from the date of delivery. Customer shall \
                    notify Supplier within thirty (30) days of any warranty claim.";
        assert_eq!(
            display(text, "warranty_period").as_deref(),
            Some("12 months (warranty)")
        );
    }
}
