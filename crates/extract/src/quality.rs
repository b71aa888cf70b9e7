//! Judging whether a page's text is usable or junk that OCR should replace.
//! Junk text layers come from fonts without a usable Unicode map: private-use or CID codes,
//! symbols, or letters shifted into nonsense. Each test is cheap and language-tolerant.

/// Fewer non-blank characters than this and a page counts as having no text layer.
pub(crate) const MIN_TEXT_CHARS: usize = 20;

/// Above this share of private-use, replacement or control characters the text is CID junk.
const MAX_JUNK_CHAR_SHARE: f64 = 0.10;

/// Below this share of letters and digits among non-blank characters the text is symbols.
const MIN_ALPHANUMERIC_SHARE: f64 = 0.60;

/// Word tests only run with at least this many words: shorter pages are too noisy to judge.
const MIN_WORDS_FOR_WORD_TESTS: usize = 30;

/// Below this share of common function words (in any of seven languages) Latin-script text
/// is letter soup. Real prose sits at 30-50%; tables and lists of names rarely under 10%.
const MIN_COMMON_WORD_SHARE: f64 = 0.06;

/// Above this share of vowel-less words (beyond one letter) Latin-script text is letter soup.
const MAX_VOWELLESS_WORD_SHARE: f64 = 0.45;

/// Lists and tables (names, places, headings) lack function words but are mostly
/// capitalised; letter soup from a shifted font keeps prose's few capitals.
const MAX_SOUP_CAPITALISED_SHARE: f64 = 0.5;

/// Characters that draw lines and leaders ("-----", "_____", ". . . .") in forms and tables;
/// they are neither letters nor junk, so the symbol test ignores them.
const FILLER: &str = "-_.=*·…–—~|";

/// The most frequent short words of English, German, French, Spanish, Italian, Dutch and
/// Portuguese: together they are 30-50% of the words of any prose in those languages.
#[rustfmt::skip]
const COMMON_WORDS: &[&str] = &[
    // English
    "the", "of", "and", "to", "in", "is", "that", "for", "it", "as", "with", "be", "on", "by",
    "this", "are", "or", "not", "at", "from", "an", "any", "all", "will", "shall", "such", "its",
    "has", "have", "may", "which", "other", "under", "no", "if", "each", "party", "agreement",
    "was", "were", "than", "into", "upon", "their", "these", "those", "so",
    // German
    "der", "die", "das", "und", "zu", "den", "ist", "nicht", "von", "mit", "des", "auf", "für",
    "im", "dem", "ein", "eine", "oder", "wird", "sich",
    // French
    "le", "la", "les", "de", "et", "des", "du", "un", "une", "en", "est", "que", "pour", "par",
    "dans", "sur", "au", "aux", "ou", "qui", "sont",
    // Spanish, Italian, Portuguese
    "el", "los", "las", "del", "y", "que", "por", "con", "para", "su", "se", "il", "di", "che",
    "per", "da", "della", "dei", "non", "o", "os", "do", "da", "em", "uma", "ao",
    // Dutch
    "het", "een", "van", "en", "op", "te", "voor", "met", "zijn", "aan", "niet", "bij",
];

/// What is wrong with a page's text, if anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    Usable,
    /// Too little text: a scanned page, or one with only a page number.
    NearEmpty,
    /// Private-use, replacement or control characters: fonts without a Unicode map.
    JunkCodes,
    /// Mostly symbols rather than letters and digits.
    Symbols,
    /// Letters, but not words of any language we expect.
    LetterSoup,
}

impl Verdict {
    /// A short description for warnings.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Self::Usable => "usable",
            Self::NearEmpty => "no text layer",
            Self::JunkCodes => "private-use or unmapped glyph codes",
            Self::Symbols => "mostly symbols",
            Self::LetterSoup => "letters that form no words",
        }
    }
}

/// Counts behind a verdict, also used to compare a text layer with OCR of the same page.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Assessment {
    pub non_blank: usize,
    pub words: usize,
    pub common_words: usize,
    pub verdict: Option<Verdict>,
}

impl Assessment {
    pub(crate) fn verdict(&self) -> Verdict {
        self.verdict.unwrap_or(Verdict::Usable)
    }

    /// A rough count of real words, for choosing between two readings of a page.
    pub(crate) fn score(&self) -> usize {
        match self.verdict() {
            Verdict::Usable | Verdict::NearEmpty => self.words.max(self.non_blank / 6),
            _ => 0,
        }
    }
}

/// Judges `text`.
pub(crate) fn assess(text: &str) -> Assessment {
    let chars = CharCounts::of(text);
    let mut assessment = Assessment {
        non_blank: chars.non_blank,
        ..Assessment::default()
    };
    if chars.non_blank < MIN_TEXT_CHARS {
        assessment.verdict = Some(Verdict::NearEmpty);
        return assessment;
    }
    if share(chars.junk, chars.non_blank) > MAX_JUNK_CHAR_SHARE {
        assessment.verdict = Some(Verdict::JunkCodes);
        return assessment;
    }
    if share(chars.alphanumeric, chars.non_blank - chars.filler) < MIN_ALPHANUMERIC_SHARE {
        assessment.verdict = Some(Verdict::Symbols);
        return assessment;
    }

    let words = WordCounts::of(text);
    assessment.words = words.words;
    assessment.common_words = words.common;
    let latin = chars.latin_letters * 5 >= chars.letters * 4;
    if latin && words.words >= MIN_WORDS_FOR_WORD_TESTS && words.is_soup() {
        assessment.verdict = Some(Verdict::LetterSoup);
    }
    assessment
}

/// Share of OCR's words a text layer must contain for OCR to confirm it.
const MIN_CONFIRMED_WORD_SHARE: f64 = 0.6;

/// Whether `reference` (OCR of the page) confirms `text` (its text layer): most of the words
/// OCR reads are in the layer too.
pub(crate) fn confirms(reference: &str, text: &str) -> bool {
    let tokens = |s: &str| -> Vec<String> {
        s.split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.chars().count() >= 2)
            .map(str::to_lowercase)
            .collect()
    };
    let layer_words: std::collections::HashSet<String> = tokens(text).into_iter().collect();
    let reference_words = tokens(reference);
    if reference_words.is_empty() {
        return false;
    }
    let found = reference_words
        .iter()
        .filter(|w| layer_words.contains(*w))
        .count();
    share(found, reference_words.len()) >= MIN_CONFIRMED_WORD_SHARE
}

fn share(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        return 0.0;
    }
    part as f64 / whole as f64
}

#[derive(Default)]
struct CharCounts {
    non_blank: usize,
    filler: usize,
    junk: usize,
    alphanumeric: usize,
    letters: usize,
    latin_letters: usize,
}

impl CharCounts {
    fn of(text: &str) -> Self {
        let mut counts = Self::default();
        for c in text.chars().filter(|c| !c.is_whitespace()) {
            counts.non_blank += 1;
            if FILLER.contains(c) {
                counts.filler += 1;
            } else if is_junk(c) {
                counts.junk += 1;
            } else if c.is_alphabetic() {
                counts.letters += 1;
                counts.alphanumeric += 1;
                if (c as u32) < 0x250 {
                    counts.latin_letters += 1;
                }
            } else if c.is_numeric() {
                counts.alphanumeric += 1;
            }
        }
        counts
    }
}

/// Private-use areas, the replacement character and control characters.
fn is_junk(c: char) -> bool {
    let code = c as u32;
    (0xE000..=0xF8FF).contains(&code)
        || code >= 0xF0000
        || c == '\u{FFFD}'
        || (c.is_control() && c != '\t')
}

#[derive(Default)]
struct WordCounts {
    words: usize,
    common: usize,
    vowelless: usize,
    capitalised: usize,
}

impl WordCounts {
    fn of(text: &str) -> Self {
        let mut counts = Self::default();
        let words = text
            .split(|c: char| !c.is_alphabetic())
            .filter(|w| !w.is_empty());
        for word in words {
            counts.words += 1;
            if word.chars().next().is_some_and(char::is_uppercase) {
                counts.capitalised += 1;
            }
            let lower = word.to_lowercase();
            if COMMON_WORDS.contains(&lower.as_str()) {
                counts.common += 1;
            }
            if lower.chars().count() > 1 && !lower.chars().any(is_vowel) {
                counts.vowelless += 1;
            }
        }
        counts
    }

    fn is_soup(&self) -> bool {
        let no_function_words = share(self.common, self.words) < MIN_COMMON_WORD_SHARE
            && share(self.capitalised, self.words) < MAX_SOUP_CAPITALISED_SHARE;
        no_function_words || share(self.vowelless, self.words) > MAX_VOWELLESS_WORD_SHARE
    }
}

fn is_vowel(c: char) -> bool {
    matches!(
        c,
        'a' | 'e' | 'i' | 'o' | 'u' | 'y' | 'à'..='æ' | 'è'..='ï' | 'ò'..='ö' | 'ù'..='ü'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROSE: &str = "The Recipient shall hold the Confidential Information in strict \
        confidence and shall not disclose it to any third party without the prior written \
        consent of the Discloser, except to its employees and advisers who need to know it \
        for the Purpose and are bound by obligations of confidentiality.";

    #[test]
    fn contract_prose_is_usable() {
        assert_eq!(assess(PROSE).verdict(), Verdict::Usable);
    }

    #[test]
    fn german_prose_is_usable() {
        let text = "Der Auftragnehmer ist verpflichtet, die ihm im Rahmen dieses Vertrages \
            bekannt gewordenen Informationen vertraulich zu behandeln und nicht an Dritte \
            weiterzugeben, es sei denn, dass der Auftraggeber der Weitergabe zuvor schriftlich \
            zugestimmt hat oder eine gesetzliche Pflicht zur Offenlegung besteht.";
        assert_eq!(assess(text).verdict(), Verdict::Usable);
    }

    #[test]
    fn a_page_number_alone_is_near_empty() {
        assert_eq!(assess("  - 3 -\n").verdict(), Verdict::NearEmpty);
    }

    #[test]
    fn private_use_glyphs_are_junk_codes() {
        let text: String = (0..200)
            .map(|i| char::from_u32(0xE000 + i).unwrap_or(' '))
            .collect();
        assert_eq!(assess(&text).verdict(), Verdict::JunkCodes);
    }

    #[test]
    fn punctuation_runs_are_symbols() {
        let text = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~ ".repeat(8);
        assert_eq!(assess(&text).verdict(), Verdict::Symbols);
    }

    #[test]
    fn shifted_letters_are_letter_soup() {
        let shifted: String = PROSE
            .chars()
            .map(|c| match c {
                'a'..='y' => char::from(c as u8 + 1),
                other => other,
            })
            .collect();
        assert_eq!(assess(&shifted).verdict(), Verdict::LetterSoup);
    }

    #[test]
    fn signature_lines_are_not_symbols() {
        let text = "---------------------------\t-----------------------\nA.M. Smith\tN. Jones\n\
                    /s/ Richard Moore\n_____________________\nRichard Moore";
        assert_eq!(assess(text).verdict(), Verdict::Usable);
    }

    #[test]
    fn a_list_of_places_is_usable() {
        let text = "Province City Alberta Calgary Edmonton British Columbia Vancouver Victoria \
            Kelowna Whistler Abbotsford Manitoba Winnipeg Nova Scotia Halifax Ontario Toronto \
            Ottawa Hamilton Windsor Kitchener London Guelph Kingston Oshawa Waterloo Quebec \
            Montreal Regina Saskatoon";
        assert_eq!(assess(text).verdict(), Verdict::Usable);
    }

    #[test]
    fn ocr_confirms_a_layer_with_the_same_words() {
        assert!(confirms(
            "Licenses 500 $7,000 ea",
            "500 Licenses\t$7,000\t$14.00 ea"
        ));
        assert!(!confirms(
            "Confidential Information",
            "Cpogjefoujbm Jogpsnbujpo"
        ));
    }

    #[test]
    fn a_table_of_figures_is_usable() {
        let text = "Year 2021 2022 2023\nFees 10,000 12,500 15,000\nUnits 4 5 6\n".repeat(4);
        assert_eq!(assess(&text).verdict(), Verdict::Usable);
    }
}
