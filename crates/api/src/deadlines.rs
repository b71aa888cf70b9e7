//! Contract deadlines from the stored key terms: when a contract expires, when it renews by
//! itself, and by when notice must be given before either.
//!
//! The inputs are the JSON values of the `expiration_date`, `renewal` and
//! `renewal_notice_period` fields, as stored (`{"type", "value"}`) or as a reviewer corrected
//! them (the inner value, or a plain `"YYYY-MM-DD"` for a date). Everything here is a pure
//! function of those values and of the dates it is given, so "today" is the caller's choice.
//!
//! An automatically renewing contract whose stated end has passed is rolled forward by its
//! renewal term (from the stated end each time, so a term ending on the 31st keeps ending on
//! the last day of the month), and stops renewing after the number of terms the clause allows.
//! Without a renewal term, a passed end of an automatic renewal dates nothing further.

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

/// What falls due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// The last day notice may be given (to prevent a renewal, or to claim one).
    Notice,
    /// The current term ends and the contract renews by itself.
    Renewal,
    /// The contract ends.
    Expiration,
}

/// One dated deadline of one contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadline {
    pub kind: Kind,
    pub date: NaiveDate,
    /// A short sentence for people: "Notice to avoid auto-renewal is due".
    pub label: &'static str,
}

/// A period as the durations extractor stores it (`lucidity_analysis::fields::Duration`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct Period {
    pub amount: u32,
    pub unit: Unit,
    /// How many such periods may follow one another, when the contract says.
    #[serde(default)]
    pub count: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Hour,
    Day,
    BusinessDay,
    Week,
    Month,
    Quarter,
    Year,
}

/// The renewal clause as the extractor stores it (`lucidity_analysis::fields::Renewal`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct Renewal {
    pub automatic: bool,
    #[serde(default)]
    pub term: Option<Period>,
    #[serde(default)]
    pub notice: Option<Period>,
}

/// What the key terms say about the end of one contract.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EndTerms {
    /// The end of the initial term, when a calendar date is known.
    pub expiration: Option<NaiveDate>,
    pub renewal: Option<Renewal>,
    /// The notice before the end of a term (the field, or else the renewal clause's own).
    pub notice: Option<Period>,
}

impl EndTerms {
    /// Reads the three fields' values; any value that is absent, `null` or not readable counts
    /// as unknown.
    pub fn from_values(
        expiration: Option<&Value>,
        renewal: Option<&Value>,
        notice: Option<&Value>,
    ) -> Self {
        let renewal: Option<Renewal> = renewal.and_then(|v| typed(v, "renewal"));
        let notice = notice.and_then(|v| typed::<Period>(v, "duration"));
        Self {
            expiration: expiration.and_then(date),
            renewal,
            notice: notice.or(renewal.and_then(|r| r.notice)),
        }
    }

    /// The deadlines that fall from `from` to `until`, both included: at most the next notice
    /// deadline and the next end of a term, so a monthly renewal does not fill a list.
    pub fn deadlines(&self, from: NaiveDate, until: NaiveDate) -> Vec<Deadline> {
        let Some(end) = self.expiration else {
            return Vec::new();
        };
        let found = match self.renewal {
            Some(renewal) if renewal.automatic => self.renewing(end, renewal, from),
            _ => self.ending(end),
        };
        found
            .into_iter()
            .filter(|d| (from..=until).contains(&d.date))
            .collect()
    }

    /// A contract that ends at `end` unless someone acts.
    fn ending(&self, end: NaiveDate) -> Vec<Deadline> {
        let (expires, notice) = match self.renewal {
            Some(_) => (
                "Contract expires unless renewed by agreement",
                "Notice to renew is due",
            ),
            None => ("Contract expires", "Notice before the term ends is due"),
        };
        let mut found = vec![Deadline {
            kind: Kind::Expiration,
            date: end,
            label: expires,
        }];
        if let Some(date) = self.notice.and_then(|n| n.before(end)) {
            found.push(Deadline {
                kind: Kind::Notice,
                date,
                label: notice,
            });
        }
        found
    }

    /// A contract that renews by itself at the end of each term, the first ending at `end`.
    fn renewing(&self, end: NaiveDate, renewal: Renewal, from: NaiveDate) -> Vec<Deadline> {
        let terms = Terms::new(end, renewal.term);
        let mut found = Vec::new();
        if let Some((k, date)) = terms.first(from, Some) {
            let last = terms.renewals == Some(k);
            found.push(Deadline {
                kind: if last {
                    Kind::Expiration
                } else {
                    Kind::Renewal
                },
                date,
                label: if last {
                    "Contract expires at the end of its last renewal term"
                } else {
                    "Contract renews automatically"
                },
            });
        }

        let Some(notice) = self.notice else {
            return found;
        };
        if let Some((k, date)) = terms.first(from, |date| notice.before(date))
            && terms.renewals != Some(k)
        {
            found.push(Deadline {
                kind: Kind::Notice,
                date,
                label: "Notice to avoid auto-renewal is due",
            });
        }
        found
    }
}

/// The successive ends of term of a renewing contract: `end`, then `end` plus one, two, ...
/// renewal terms, up to the number of renewals allowed.
struct Terms {
    end: NaiveDate,
    term: Option<Period>,
    /// How many renewals the contract allows; the end after the last is its expiration.
    renewals: Option<u32>,
}

/// Bounds the search for the next end of term, whatever the stored values say.
const MAX_TERMS_SEARCHED: u32 = 10_000;

impl Terms {
    fn new(end: NaiveDate, term: Option<Period>) -> Self {
        let term = term.filter(|t| t.amount > 0 && t.longest_days().is_some());
        Self {
            end,
            renewals: term.and_then(|t| t.count).filter(|n| *n > 0),
            term,
        }
    }

    /// The end of term `k` (0 is the stated end).
    fn nth(&self, k: u32) -> Option<NaiveDate> {
        match (k, self.term) {
            (0, _) => Some(self.end),
            (_, Some(term)) => term.after(self.end, k),
            (_, None) => None,
        }
    }

    /// The first end of term `k`, with `at(end of term k)`, such that that date falls on or
    /// after `from`. `at` must not decrease as its argument grows.
    fn first(
        &self,
        from: NaiveDate,
        at: impl Fn(NaiveDate) -> Option<NaiveDate>,
    ) -> Option<(u32, NaiveDate)> {
        let last = match self.term {
            None => 0,
            Some(_) => self.renewals.unwrap_or(u32::MAX),
        };
        let start = self.lower_bound(from).min(last);
        let stop = last.min(start.saturating_add(MAX_TERMS_SEARCHED));
        (start..=stop).find_map(|k| {
            let date = at(self.nth(k)?)?;
            (date >= from).then_some((k, date))
        })
    }

    /// A `k` no greater than the first whose end of term reaches `from`, so the search can
    /// start there rather than at the stated end.
    fn lower_bound(&self, from: NaiveDate) -> u32 {
        let Some(longest) = self.term.and_then(|t| t.longest_days()) else {
            return 0;
        };
        let behind = (from - self.end).num_days().max(0) as u64;
        u32::try_from(behind / longest.max(1)).unwrap_or(u32::MAX)
    }
}

/// How a period moves a date.
enum Step {
    Months(u32),
    Days(u64),
    BusinessDays(u32),
}

impl Period {
    fn step(self) -> Option<Step> {
        let amount = self.amount;
        Some(match self.unit {
            Unit::Hour => Step::Days(u64::from(amount.div_ceil(24))),
            Unit::Day => Step::Days(u64::from(amount)),
            Unit::BusinessDay => Step::BusinessDays(amount),
            Unit::Week => Step::Days(u64::from(amount) * 7),
            Unit::Month => Step::Months(amount),
            Unit::Quarter => Step::Months(amount.checked_mul(3)?),
            Unit::Year => Step::Months(amount.checked_mul(12)?),
        })
    }

    /// The most calendar days one period can span, for bounding searches; none for business
    /// days, whose length depends on the weekends in between.
    fn longest_days(self) -> Option<u64> {
        match self.step()? {
            Step::Months(months) => Some(u64::from(months) * 31),
            Step::Days(days) => Some(days),
            Step::BusinessDays(_) => None,
        }
    }

    /// `date` plus `times` periods, counted from `date` in one move. Business days are not
    /// rolled forward: a renewal term is never written in them.
    fn after(self, date: NaiveDate, times: u32) -> Option<NaiveDate> {
        match self.step()? {
            Step::Months(months) => {
                date.checked_add_months(Months::new(months.checked_mul(times)?))
            }
            Step::Days(days) => {
                date.checked_add_days(Days::new(days.checked_mul(u64::from(times))?))
            }
            Step::BusinessDays(_) => None,
        }
    }

    /// The last day to act when the period must pass before `date`.
    fn before(self, date: NaiveDate) -> Option<NaiveDate> {
        match self.step()? {
            Step::Months(months) => date.checked_sub_months(Months::new(months)),
            Step::Days(days) => date.checked_sub_days(Days::new(days)),
            Step::BusinessDays(days) => business_days_before(date, days),
        }
    }
}

/// `date` moved back over `count` weekdays (Saturdays and Sundays do not count; holidays,
/// which differ by place, do).
fn business_days_before(date: NaiveDate, count: u32) -> Option<NaiveDate> {
    let mut day = date;
    let mut left = count;
    while left > 0 {
        day = day.pred_opt()?;
        if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            left -= 1;
        }
    }
    Some(day)
}

/// The inner value of a stored field of type `kind` (`{"type": kind, "value": ...}`), or a
/// corrected value given without the wrapper.
fn typed<T: serde::de::DeserializeOwned>(value: &Value, kind: &str) -> Option<T> {
    let inner = match value.get("type") {
        Some(found) if found == kind => value.get("value")?,
        Some(_) => return None,
        None => value,
    };
    serde_json::from_value(inner.clone()).ok()
}

/// The calendar date of a date field: `{"type": "date", "value": {"kind", "date"}}` as
/// stored, its inner value, or `"YYYY-MM-DD"`. A perpetual term, an event or a date with its
/// day left blank has none.
fn date(value: &Value) -> Option<NaiveDate> {
    match value {
        Value::String(text) => text.parse().ok(),
        Value::Object(object) => match object.get("type") {
            Some(kind) if kind == "date" => date(object.get("value")?),
            Some(_) => None,
            None => object.get("date").and_then(Value::as_str)?.parse().ok(),
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn stored_date(text: &str) -> Value {
        json!({ "type": "date", "value": { "kind": "derived", "date": text } })
    }

    fn stored_period(amount: u32, unit: &str) -> Value {
        json!({ "type": "duration",
                "value": { "span": { "start": 1, "end": 9 }, "amount": amount, "unit": unit,
                           "days": null, "count": null } })
    }

    fn stored_renewal(automatic: bool, term: Option<(u32, &str, Option<u32>)>) -> Value {
        let term = term.map(|(amount, unit, count)| {
            json!({ "span": { "start": 1, "end": 9 }, "amount": amount, "unit": unit,
                    "days": null, "count": count })
        });
        json!({ "type": "renewal",
                "value": { "automatic": automatic, "term": term, "notice": null, "also": [] } })
    }

    /// The deadlines of a year from 2026-12-04.
    fn year_of(terms: EndTerms) -> Vec<(Kind, String)> {
        terms
            .deadlines(day("2026-12-04"), day("2027-12-04"))
            .into_iter()
            .map(|d| (d.kind, d.date.to_string()))
            .collect()
    }

    #[test]
    fn a_stated_expiration_within_the_year_is_due_and_one_beyond_it_is_not() {
        let soon = EndTerms::from_values(Some(&stored_date("2027-03-04")), None, None);
        assert_eq!(year_of(soon), [(Kind::Expiration, "2027-03-04".into())]);
        let later = EndTerms::from_values(Some(&stored_date("2028-12-04")), None, None);
        assert_eq!(year_of(later), []);
        let passed = EndTerms::from_values(Some(&stored_date("2026-11-04")), None, None);
        assert_eq!(year_of(passed), []);
    }

    #[test]
    fn an_automatic_renewal_rolls_past_ends_forward_and_dates_its_notice() {
        let terms = EndTerms::from_values(
            Some(&stored_date("2025-03-01")),
            Some(&stored_renewal(true, Some((1, "year", None)))),
            Some(&stored_period(60, "day")),
        );
        assert_eq!(
            year_of(terms),
            [
                (Kind::Renewal, "2027-03-01".into()),
                (Kind::Notice, "2026-12-31".into())
            ]
        );
    }

    #[test]
    fn a_notice_deadline_already_passed_gives_the_next_terms() {
        let terms = EndTerms::from_values(
            Some(&stored_date("2024-12-20")),
            Some(&stored_renewal(true, Some((1, "year", None)))),
            Some(&stored_period(1, "month")),
        );
        assert_eq!(
            year_of(terms),
            [
                (Kind::Renewal, "2026-12-20".into()),
                (Kind::Notice, "2027-11-20".into())
            ]
        );
    }

    #[test]
    fn a_monthly_term_ending_on_the_31st_keeps_ending_on_the_last_day() {
        let terms = EndTerms::from_values(
            Some(&stored_date("2026-01-31")),
            Some(&stored_renewal(true, Some((1, "month", None)))),
            None,
        );
        assert_eq!(year_of(terms), [(Kind::Renewal, "2026-12-31".into())]);
        let february = Period {
            amount: 1,
            unit: Unit::Month,
            count: None,
        };
        assert_eq!(
            february.after(day("2026-01-31"), 1),
            Some(day("2026-02-28"))
        );
        assert_eq!(
            february.after(day("2026-01-31"), 2),
            Some(day("2026-03-31"))
        );
    }

    #[test]
    fn the_end_after_the_last_allowed_renewal_is_an_expiration_without_notice() {
        let terms = EndTerms::from_values(
            Some(&stored_date("2025-06-30")),
            Some(&stored_renewal(true, Some((1, "year", Some(2))))),
            Some(&stored_period(90, "day")),
        );
        assert_eq!(year_of(terms), [(Kind::Expiration, "2027-06-30".into())]);
    }

    #[test]
    fn an_automatic_renewal_without_a_term_dates_nothing_once_its_end_has_passed() {
        let terms = EndTerms::from_values(
            Some(&stored_date("2026-01-01")),
            Some(&stored_renewal(true, None)),
            Some(&stored_period(30, "day")),
        );
        assert_eq!(year_of(terms), []);
    }

    #[test]
    fn renewal_by_agreement_expires_and_asks_for_notice_to_renew() {
        let terms = EndTerms::from_values(
            Some(&stored_date("2027-06-30")),
            Some(&stored_renewal(false, Some((1, "year", None)))),
            Some(&stored_period(3, "month")),
        );
        let found = terms.deadlines(day("2026-12-04"), day("2027-12-04"));
        let labels: Vec<(&str, String)> = found
            .iter()
            .map(|d| (d.label, d.date.to_string()))
            .collect();
        assert_eq!(
            labels,
            [
                (
                    "Contract expires unless renewed by agreement",
                    "2027-06-30".into()
                ),
                ("Notice to renew is due", "2027-03-30".into())
            ]
        );
    }

    #[test]
    fn business_days_of_notice_skip_weekends() {
        // 2027-03-01 is a Monday: ten weekdays earlier is Monday 2027-02-15.
        let ten = Period {
            amount: 10,
            unit: Unit::BusinessDay,
            count: None,
        };
        assert_eq!(ten.before(day("2027-03-01")), Some(day("2027-02-15")));
    }

    #[test]
    fn perpetual_event_and_blank_dates_have_no_calendar_date() {
        for value in [
            json!({ "type": "date", "value": { "kind": "perpetual" } }),
            json!({ "type": "date", "value": { "kind": "event" } }),
            json!({ "type": "date",
                    "value": { "kind": "stated", "date": null, "year": 2027, "month": 5,
                               "day": null } }),
            json!({ "type": "duration", "value": { "amount": 1, "unit": "year" } }),
            Value::Null,
        ] {
            assert_eq!(date(&value), None, "{value}");
        }
    }

    #[test]
    fn a_reviewers_plain_date_or_inner_value_is_read_like_a_stored_one() {
        assert_eq!(date(&json!("2027-05-01")), Some(day("2027-05-01")));
        let inner = json!({ "kind": "stated", "date": "2027-05-01" });
        assert_eq!(date(&inner), Some(day("2027-05-01")));
        let notice = json!({ "amount": 2, "unit": "week" });
        assert_eq!(
            typed::<Period>(&notice, "duration").map(|p| p.unit),
            Some(Unit::Week)
        );
    }
}
