//! Reading order for a page of positioned words: lines, columns, paragraphs.
//! Words are grouped into lines by height; a run of lines sharing a vertical gutter with prose
//! on both sides is a column region, read left column first. Short cells (list numbers, form
//! labels, tables) keep their rows together instead, joined by tabs.

/// A word on a page; y grows downwards, units are PDF points.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Word {
    pub x0: f64,
    pub x1: f64,
    pub top: f64,
    pub bottom: f64,
    pub text: String,
}

impl Word {
    fn height(&self) -> f64 {
        (self.bottom - self.top).max(1.0)
    }

    fn centre_y(&self) -> f64 {
        (self.top + self.bottom) / 2.0
    }

    fn centre_x(&self) -> f64 {
        (self.x0 + self.x1) / 2.0
    }
}

/// A horizontal gap wider than this many line heights separates cells or columns.
const WIDE_GAP_HEIGHTS: f64 = 1.5;

/// The narrowest gutter, in line heights, that still separates two columns.
const MIN_GUTTER_HEIGHTS: f64 = 0.6;

/// A column region needs at least this many lines with text on both sides of its gutter.
const MIN_SPLIT_LINES: usize = 3;

/// Each side of a column region must average this many characters and words a line: prose,
/// not list numbers, form labels or table cells.
const MIN_COLUMN_LINE_CHARS: f64 = 15.0;
const MIN_COLUMN_LINE_WORDS: f64 = 2.5;

/// Columns within columns are looked for this deep.
const MAX_COLUMN_DEPTH: usize = 3;

#[derive(Debug, Clone)]
struct Line {
    words: Vec<Word>,
    top: f64,
    bottom: f64,
    height: f64,
}

impl Line {
    fn new(mut words: Vec<Word>) -> Self {
        words.sort_by(|a, b| a.x0.total_cmp(&b.x0));
        let top = words.iter().map(|w| w.top).fold(f64::INFINITY, f64::min);
        let bottom = words
            .iter()
            .map(|w| w.bottom)
            .fold(f64::NEG_INFINITY, f64::max);
        let mut heights: Vec<f64> = words.iter().map(Word::height).collect();
        heights.sort_by(f64::total_cmp);
        let height = heights.get(heights.len() / 2).copied().unwrap_or(1.0);
        Self {
            words,
            top,
            bottom,
            height,
        }
    }

    fn wide_gap(&self) -> f64 {
        WIDE_GAP_HEIGHTS * self.height
    }

    fn text(&self) -> String {
        let mut text = String::new();
        for (index, word) in self.words.iter().enumerate() {
            if index > 0 {
                let gap = word.x0 - self.words[index - 1].x1;
                text.push(if gap >= self.wide_gap() { '\t' } else { ' ' });
            }
            text.push_str(&word.text);
        }
        text
    }
}

/// The page's text in reading order, one line per line and a blank line between paragraphs.
pub(crate) fn lay_out(words: Vec<Word>) -> String {
    let lines = group_lines(words);
    let mut ordered = Vec::with_capacity(lines.len());
    order(lines, 0, &mut ordered);
    join_lines(&ordered)
}

fn group_lines(mut words: Vec<Word>) -> Vec<Line> {
    words.retain(|w| !w.text.trim().is_empty() && w.x0.is_finite() && w.top.is_finite());
    words.sort_by(|a, b| a.centre_y().total_cmp(&b.centre_y()));

    let mut lines: Vec<Vec<Word>> = Vec::new();
    let mut current_centre = f64::NEG_INFINITY;
    let mut current_height = 1.0;
    for word in words {
        let tolerance = 0.5 * word.height().min(current_height);
        let same_line = (word.centre_y() - current_centre).abs() <= tolerance;
        match lines.last_mut() {
            Some(line) if same_line => line.push(word),
            _ => {
                current_centre = word.centre_y();
                current_height = word.height();
                lines.push(vec![word]);
            }
        }
    }
    lines.into_iter().map(Line::new).collect()
}

/// Appends `lines` to `out` in reading order, splitting column regions.
fn order(lines: Vec<Line>, depth: usize, out: &mut Vec<Line>) {
    let mut index = 0;
    while index < lines.len() {
        let region = (depth < MAX_COLUMN_DEPTH)
            .then(|| find_column_region(&lines, index))
            .flatten();
        let Some((end, gutter)) = region else {
            out.push(lines[index].clone());
            index += 1;
            continue;
        };

        let (left, right) = split_at_gutter(&lines[index..end], gutter);
        order(left, depth + 1, out);
        order(right, depth + 1, out);
        index = end;
    }
}

/// A run of lines from `start` sharing a gutter with prose on both sides: its end (exclusive)
/// and the gutter's x-interval.
fn find_column_region(lines: &[Line], start: usize) -> Option<(usize, (f64, f64))> {
    let first = &lines[start];
    for pair in first.words.windows(2) {
        if pair[1].x0 - pair[0].x1 < first.wide_gap() {
            continue;
        }
        let (end, gutter) = extend_gutter(lines, start, (pair[0].x1, pair[1].x0));
        if is_prose_on_both_sides(&lines[start..end], gutter) {
            return Some((end, gutter));
        }
    }
    None
}

/// Follows the gutter down the page, narrowing it, while it stays wide enough.
fn extend_gutter(lines: &[Line], start: usize, mut gutter: (f64, f64)) -> (usize, (f64, f64)) {
    let mut end = start + 1;
    while let Some(line) = lines.get(end) {
        let centre = (gutter.0 + gutter.1) / 2.0;
        let left_end = line
            .words
            .iter()
            .filter(|w| w.centre_x() < centre)
            .map(|w| w.x1)
            .fold(f64::NEG_INFINITY, f64::max);
        let right_start = line
            .words
            .iter()
            .filter(|w| w.centre_x() >= centre)
            .map(|w| w.x0)
            .fold(f64::INFINITY, f64::min);
        let narrowed = (gutter.0.max(left_end), gutter.1.min(right_start));
        if narrowed.1 - narrowed.0 < MIN_GUTTER_HEIGHTS * line.height {
            break;
        }
        gutter = narrowed;
        end += 1;
    }
    (end, gutter)
}

fn is_prose_on_both_sides(lines: &[Line], gutter: (f64, f64)) -> bool {
    let centre = (gutter.0 + gutter.1) / 2.0;
    let mut split_lines = 0;
    let mut sides = [SideStats::default(), SideStats::default()];
    for line in lines {
        let (left, right): (Vec<&Word>, Vec<&Word>) =
            line.words.iter().partition(|w| w.centre_x() < centre);
        if !left.is_empty() && !right.is_empty() {
            split_lines += 1;
        }
        sides[0].add(&left);
        sides[1].add(&right);
    }
    split_lines >= MIN_SPLIT_LINES && sides.iter().all(SideStats::is_prose)
}

#[derive(Default)]
struct SideStats {
    lines: usize,
    chars: usize,
    words: usize,
}

impl SideStats {
    fn add(&mut self, words: &[&Word]) {
        if words.is_empty() {
            return;
        }
        self.lines += 1;
        self.words += words.len();
        self.chars += words
            .iter()
            .map(|w| w.text.chars().count() + 1)
            .sum::<usize>();
    }

    fn is_prose(&self) -> bool {
        let lines = self.lines.max(1) as f64;
        self.chars as f64 / lines >= MIN_COLUMN_LINE_CHARS
            && self.words as f64 / lines >= MIN_COLUMN_LINE_WORDS
    }
}

fn split_at_gutter(lines: &[Line], gutter: (f64, f64)) -> (Vec<Line>, Vec<Line>) {
    let centre = (gutter.0 + gutter.1) / 2.0;
    let mut left = Vec::new();
    let mut right = Vec::new();
    for line in lines {
        let (l, r): (Vec<Word>, Vec<Word>) = line
            .words
            .iter()
            .cloned()
            .partition(|w| w.centre_x() < centre);
        if !l.is_empty() {
            left.push(Line::new(l));
        }
        if !r.is_empty() {
            right.push(Line::new(r));
        }
    }
    (left, right)
}

/// Joins lines with newlines, and with a blank line where the vertical gap is clearly wider
/// than the page's usual line spacing.
fn join_lines(lines: &[Line]) -> String {
    let mut gaps: Vec<f64> = lines
        .windows(2)
        .map(|pair| pair[1].top - pair[0].bottom)
        .filter(|gap| *gap > -0.5)
        .collect();
    gaps.sort_by(f64::total_cmp);
    let usual_gap = gaps
        .get(gaps.len().saturating_sub(1) / 2)
        .copied()
        .unwrap_or(0.0)
        .max(0.0);

    let mut text = String::new();
    for (index, line) in lines.iter().enumerate() {
        if index > 0 {
            let previous = &lines[index - 1];
            let gap = line.top - previous.bottom;
            let threshold = (usual_gap * 1.6).max(usual_gap + 0.4 * previous.height);
            text.push_str(if gap > threshold { "\n\n" } else { "\n" });
        }
        text.push_str(&line.text());
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Words of `text` set in a line at `x`, `y` in a 10-point font, 5 points a character.
    fn set(text: &str, x: f64, y: f64) -> Vec<Word> {
        let mut words = Vec::new();
        let mut cursor = x;
        for word in text.split(' ') {
            let width = 5.0 * word.chars().count() as f64;
            words.push(Word {
                x0: cursor,
                x1: cursor + width,
                top: y,
                bottom: y + 10.0,
                text: word.to_owned(),
            });
            cursor += width + 3.0;
        }
        words
    }

    #[test]
    fn two_columns_of_prose_read_left_column_first() {
        let mut words = set("A Title Across The Whole Page", 50.0, 20.0);
        for row in 0..5 {
            let y = 50.0 + 12.0 * row as f64;
            words.extend(set(&format!("left column line {row} of prose"), 50.0, y));
            words.extend(set(&format!("right column line {row} of prose"), 320.0, y));
        }
        let text = lay_out(words);
        let left_last = text.find("left column line 4").unwrap_or(usize::MAX);
        let right_first = text.find("right column line 0").unwrap_or(0);
        assert!(
            text.starts_with("A Title Across The Whole Page\n\n"),
            "{text}"
        );
        assert!(left_last < right_first, "{text}");
    }

    #[test]
    fn list_numbers_stay_on_the_line_of_their_paragraph() {
        let mut words = Vec::new();
        for row in 0..4 {
            let y = 50.0 + 12.0 * row as f64;
            words.extend(set(&format!("{}.", row + 1), 50.0, y));
            words.extend(set(
                "Solicit within the State of Nevada and elsewhere",
                90.0,
                y,
            ));
        }
        let text = lay_out(words);
        assert!(text.starts_with("1.\tSolicit within"), "{text}");
        assert!(text.contains("\n2.\tSolicit"), "{text}");
    }

    #[test]
    fn a_wider_gap_between_lines_starts_a_paragraph() {
        let mut words = set("first line", 50.0, 50.0);
        words.extend(set("second line", 50.0, 62.0));
        words.extend(set("new paragraph", 50.0, 90.0));
        assert_eq!(lay_out(words), "first line\nsecond line\n\nnew paragraph");
    }
}
