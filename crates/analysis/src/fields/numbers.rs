//! Numbers as contracts write them: digits with thousands separators, and English number
//! words ("one hundred twenty", "thirty-six"), which amounts and durations share.

use std::sync::LazyLock;

use regex::Regex;

/// Number words in the order the pattern must try them: longer spellings first, so that
/// "fourteen" is not read as "four".
const NUMBER_WORDS: &[(&str, u64)] = &[
    ("seventeen", 17),
    ("thirteen", 13),
    ("fourteen", 14),
    ("eighteen", 18),
    ("nineteen", 19),
    ("fifteen", 15),
    ("sixteen", 16),
    ("seventy", 70),
    ("billion", 1_000_000_000),
    ("million", 1_000_000),
    ("thousand", 1_000),
    ("hundred", 100),
    ("eleven", 11),
    ("twelve", 12),
    ("twenty", 20),
    ("thirty", 30),
    ("eighty", 80),
    ("ninety", 90),
    ("fourty", 40),
    ("forty", 40),
    ("fifty", 50),
    ("sixty", 60),
    ("three", 3),
    ("seven", 7),
    ("eight", 8),
    ("zero", 0),
    ("four", 4),
    ("five", 5),
    ("nine", 9),
    ("one", 1),
    ("two", 2),
    ("six", 6),
    ("ten", 10),
];

/// A regex fragment matching a run of number words ("one hundred and twenty-five"), without
/// word boundaries or groups: callers embed it.
pub(crate) static WORDS_PATTERN: LazyLock<String> = LazyLock::new(|| {
    let word = NUMBER_WORDS
        .iter()
        .map(|(w, _)| *w)
        .collect::<Vec<_>>()
        .join("|");
    format!(r"(?:{word})(?:(?:[\s-]+|\s+and\s+)(?:{word}))*")
});

static WORD_TOKEN: LazyLock<Regex> =
    LazyLock::new(|| super::regex(r"[A-Za-z]+").expect("word token pattern"));

/// The value of a run of English number words, or `None` when a word is not a number word.
/// "and" is ignored, so "one hundred and five" is 105.
pub(crate) fn parse_words(words: &str) -> Option<u64> {
    let mut total: u64 = 0;
    let mut group: u64 = 0;
    let mut any = false;
    for token in WORD_TOKEN.find_iter(words) {
        let lower = token.as_str().to_ascii_lowercase();
        if lower == "and" || lower == "a" {
            continue;
        }
        let value = NUMBER_WORDS.iter().find(|(w, _)| *w == lower)?.1;
        any = true;
        match value {
            100 => group = group.max(1) * 100,
            1_000.. => {
                total += group.max(1) * value;
                group = 0;
            }
            _ => group += value,
        }
    }
    any.then_some(total + group)
}

/// The value of a number written in digits, with the separator rules of [`crate::fields::money`]:
/// the last `.` or `,` followed by one or two digits is the decimal point; any separator
/// followed by exactly three digits groups thousands (so "10.000,00" and "10,000.00" agree).
pub(crate) fn parse_digits(digits: &str) -> Option<f64> {
    let cleaned: String = digits
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\'')
        .collect();
    let last_sep = cleaned.rfind(['.', ',']);
    let (int_part, frac_part) = match last_sep {
        Some(i) if decimal_separator(&cleaned, i) => (&cleaned[..i], &cleaned[i + 1..]),
        _ => (cleaned.as_str(), ""),
    };
    let int_digits: String = int_part.chars().filter(char::is_ascii_digit).collect();
    if int_digits.is_empty() && frac_part.is_empty() {
        return None;
    }
    let joined = format!(
        "{}.{}",
        if int_digits.is_empty() {
            "0"
        } else {
            &int_digits
        },
        frac_part
    );
    joined.parse().ok()
}

/// Whether the separator at `i` of `number` is a decimal point rather than a thousands mark.
fn decimal_separator(number: &str, i: usize) -> bool {
    let after = &number[i + 1..];
    let before = &number[..i];
    let digits_after = after.len();
    let only_leading_zero = before == "0" || before.is_empty();
    digits_after != 3 || only_leading_zero
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_words_compose_into_values() {
        assert_eq!(parse_words("thirty"), Some(30));
        assert_eq!(parse_words("one hundred twenty"), Some(120));
        assert_eq!(parse_words("one hundred and eighty"), Some(180));
        assert_eq!(parse_words("Twenty-Five"), Some(25));
        assert_eq!(parse_words("Five Hundred Thousand"), Some(500_000));
        assert_eq!(
            parse_words("two million five hundred thousand"),
            Some(2_500_000)
        );
        assert_eq!(parse_words("fourteen"), Some(14));
        assert_eq!(parse_words("several"), None);
    }

    #[test]
    fn digit_separators_are_read_by_the_digits_that_follow_them() {
        assert_eq!(parse_digits("1,000,000"), Some(1_000_000.0));
        assert_eq!(parse_digits("250,000.00"), Some(250_000.0));
        assert_eq!(parse_digits("10.000,00"), Some(10_000.0));
        assert_eq!(parse_digits("2.5"), Some(2.5));
        assert_eq!(parse_digits("0.125"), Some(0.125));
        assert_eq!(parse_digits("1 000 000"), Some(1_000_000.0));
    }
}
