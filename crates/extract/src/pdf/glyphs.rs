//! The fast path: pdf-extract's glyphs, laid out by `layout`, isolated from the worker.
//! pdf-extract panics on many malformed PDFs and can loop on some: it runs on its own thread,
//! each page under `catch_unwind` and a deadline. A thread that overruns is abandoned (it
//! cannot be killed) and, while one is still running, later documents skip this path.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Once};
use std::time::Duration;

use pdf_extract::{Document, MediaBox, OutputDev, OutputError, Transform};

use super::layout::{self, Word};

/// Name of the extraction threads; the panic hook silences panics on threads of this name.
const THREAD_NAME: &str = "lucidity-pdf-extract";

/// Stack for the extraction thread: pdf-extract recurses into nested forms and a stack
/// overflow would abort the whole process. Only the pages touched are committed.
const THREAD_STACK_BYTES: usize = 256 * 1024 * 1024;

/// Time allowed to parse the document's object tree (lopdf reads the whole file).
const LOAD_TIMEOUT: Duration = Duration::from_secs(60);

/// Time allowed for any single page; pages take about half a millisecond when healthy.
const PAGE_TIMEOUT: Duration = Duration::from_secs(10);

/// Abandoned threads still running after which the fast path is skipped until they end:
/// each one holds a core, so a poisonous PDF must not be allowed to pile them up.
const MAX_RUNAWAY_THREADS: usize = 1;

/// Abandoned extraction threads that have not finished yet.
static RUNAWAY_THREADS: AtomicUsize = AtomicUsize::new(0);

static QUIET_PANICS: Once = Once::new();

/// What the fast path made of a document.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// One entry per page: its text, or why that page could not be read.
    Pages(Vec<Result<String, String>>),
    /// The document has more pages than allowed.
    TooManyPages(u32),
    /// The fast path could not read the document at all, and why.
    Unavailable(String),
}

enum Message {
    Loaded(usize),
    Page(Result<String, String>),
    Failed(String),
}

const RUNNING: u8 = 0;
const FINISHED: u8 = 1;
const ABANDONED: u8 = 2;

/// Reads every page's text with pdf-extract, without letting a panic or hang escape.
pub(crate) fn extract(path: &Path, max_pages: u32) -> Outcome {
    if RUNAWAY_THREADS.load(Ordering::SeqCst) >= MAX_RUNAWAY_THREADS {
        return Outcome::Unavailable("an earlier pdf-extract run is still stuck".into());
    }
    silence_extraction_panics();

    let (sender, receiver) = mpsc::channel();
    let cancel = Arc::new(AtomicBool::new(false));
    let state = Arc::new(AtomicU8::new(RUNNING));
    let spawned = std::thread::Builder::new()
        .name(THREAD_NAME.into())
        .stack_size(THREAD_STACK_BYTES)
        .spawn({
            let (path, cancel, state) = (path.to_owned(), cancel.clone(), state.clone());
            move || run_thread(&path, max_pages, &sender, &cancel, &state)
        });
    if let Err(error) = spawned {
        return Outcome::Unavailable(format!("could not start a thread: {error}"));
    }

    let outcome = collect(&receiver, max_pages);
    if outcome.timed_out() {
        cancel.store(true, Ordering::SeqCst);
        abandon(&state);
    }
    outcome
}

impl Outcome {
    /// Whether the thread overran a deadline and may still be running.
    fn timed_out(&self) -> bool {
        let is_timeout = |reason: &String| reason == TIMED_OUT;
        match self {
            Self::Pages(pages) => pages
                .iter()
                .any(|page| page.as_ref().is_err_and(is_timeout)),
            Self::Unavailable(reason) => is_timeout(reason),
            Self::TooManyPages(_) => false,
        }
    }
}

const TIMED_OUT: &str = "pdf-extract took too long";

fn collect(receiver: &Receiver<Message>, max_pages: u32) -> Outcome {
    let count = match receiver.recv_timeout(LOAD_TIMEOUT) {
        Ok(Message::Loaded(count)) => count,
        Ok(Message::Failed(reason)) => return Outcome::Unavailable(reason),
        Ok(Message::Page(_)) => return Outcome::Unavailable("pages before the document".into()),
        Err(RecvTimeoutError::Timeout) => return Outcome::Unavailable(TIMED_OUT.into()),
        Err(RecvTimeoutError::Disconnected) => {
            return Outcome::Unavailable("pdf-extract stopped while loading".into());
        }
    };
    if count > max_pages as usize {
        return Outcome::TooManyPages(u32::try_from(count).unwrap_or(u32::MAX));
    }

    let mut pages = Vec::with_capacity(count);
    while pages.len() < count {
        match receiver.recv_timeout(PAGE_TIMEOUT) {
            Ok(Message::Page(page)) => pages.push(page),
            Ok(_) | Err(RecvTimeoutError::Disconnected) => break,
            Err(RecvTimeoutError::Timeout) => {
                pages.resize(count, Err(TIMED_OUT.into()));
            }
        }
    }
    pages.resize(count, Err("pdf-extract stopped early".into()));
    Outcome::Pages(pages)
}

/// Marks the thread as abandoned, counting it as a runaway until it finishes.
fn abandon(state: &AtomicU8) {
    RUNAWAY_THREADS.fetch_add(1, Ordering::SeqCst);
    let marked = state.compare_exchange(RUNNING, ABANDONED, Ordering::SeqCst, Ordering::SeqCst);
    if marked.is_err() {
        // It finished in the meantime: nothing is running away.
        RUNAWAY_THREADS.fetch_sub(1, Ordering::SeqCst);
    }
}

fn run_thread(
    path: &Path,
    max_pages: u32,
    sender: &Sender<Message>,
    cancel: &AtomicBool,
    state: &AtomicU8,
) {
    read_pages(path, max_pages, sender, cancel);
    let finished = state.compare_exchange(RUNNING, FINISHED, Ordering::SeqCst, Ordering::SeqCst);
    if finished.is_err() {
        RUNAWAY_THREADS.fetch_sub(1, Ordering::SeqCst);
    }
}

fn read_pages(path: &Path, max_pages: u32, sender: &Sender<Message>, cancel: &AtomicBool) {
    let loaded = catch_unwind(|| load(path)).unwrap_or_else(|_| Err("pdf-extract panicked".into()));
    let document = match loaded {
        Ok(document) => document,
        Err(reason) => {
            let _ = sender.send(Message::Failed(reason));
            return;
        }
    };

    let numbers: Vec<u32> = document.get_pages().keys().copied().collect();
    if sender.send(Message::Loaded(numbers.len())).is_err() || numbers.len() > max_pages as usize {
        return;
    }
    for number in numbers {
        if cancel.load(Ordering::SeqCst) {
            return;
        }
        let page = catch_unwind(AssertUnwindSafe(|| page_text(&document, number)))
            .unwrap_or_else(|_| Err("pdf-extract panicked".into()));
        if sender.send(Message::Page(page)).is_err() {
            return;
        }
    }
}

fn load(path: &Path) -> Result<Document, String> {
    let mut document = Document::load(path).map_err(|e| format!("lopdf: {e}"))?;
    if document.is_encrypted() {
        document
            .decrypt("")
            .map_err(|_| "encrypted with a password".to_owned())?;
    }
    Ok(document)
}

fn page_text(document: &Document, number: u32) -> Result<String, String> {
    let mut sink = GlyphSink::default();
    pdf_extract::output_doc_page(document, &mut sink, number).map_err(|e| e.to_string())?;
    Ok(lay_out_glyphs(sink.glyphs))
}

/// Panics on extraction threads are expected and reported as page failures; the default hook
/// would print them (with whatever the PDF put in the message) to stderr.
fn silence_extraction_panics() {
    QUIET_PANICS.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if std::thread::current().name() != Some(THREAD_NAME) {
                previous(info);
            }
        }));
    });
}

/// A glyph as pdf-extract places it, in user space (y up).
#[derive(Debug, Clone)]
struct Glyph {
    x: f64,
    y: f64,
    /// Unit vector of the text direction.
    dx: f64,
    dy: f64,
    advance: f64,
    size: f64,
    text: String,
}

#[derive(Default)]
struct GlyphSink {
    glyphs: Vec<Glyph>,
}

impl OutputDev for GlyphSink {
    fn begin_page(
        &mut self,
        _: u32,
        _: &MediaBox,
        _: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_page(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn output_character(
        &mut self,
        trm: &Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        text: &str,
    ) -> Result<(), OutputError> {
        let scale_x = trm.m11.hypot(trm.m12);
        let scale_y = trm.m21.hypot(trm.m22);
        if !(scale_x.is_finite() && scale_x > 0.0 && trm.m31.is_finite() && trm.m32.is_finite()) {
            return Ok(());
        }
        let size = (font_size.abs() * scale_y).max(1.0);
        self.glyphs.push(Glyph {
            x: trm.m31,
            y: trm.m32,
            dx: trm.m11 / scale_x,
            dy: trm.m12 / scale_x,
            advance: (width * font_size.abs() * scale_x).max(0.0),
            size: if size.is_finite() { size } else { 1.0 },
            text: text.to_owned(),
        });
        Ok(())
    }

    fn begin_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_line(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
}

/// Glyphs more than this far (in sine) from an axis are skewed text, such as watermarks.
const AXIS_TOLERANCE: f64 = 0.17;

/// Groups glyphs by direction, lays out the most common direction as the page and appends
/// the others (vertical margin notes, watermarks) after it.
fn lay_out_glyphs(glyphs: Vec<Glyph>) -> String {
    let mut groups: Vec<(Option<usize>, Vec<Glyph>)> = Vec::new();
    for glyph in glyphs {
        let axis = axis_of(glyph.dx, glyph.dy);
        match groups.iter_mut().find(|(a, _)| *a == axis) {
            Some((_, members)) => members.push(glyph),
            None => groups.push((axis, vec![glyph])),
        }
    }
    groups.sort_by_key(|(axis, members)| (axis.is_none(), std::cmp::Reverse(members.len())));

    let parts: Vec<String> = groups
        .into_iter()
        .map(|(axis, members)| match axis {
            Some(axis) => layout::lay_out(words_along(&members, AXES[axis])),
            None => skewed_text(&members),
        })
        .filter(|text| !text.trim().is_empty())
        .collect();
    parts.join("\n\n")
}

/// Reading directions: right, up, left, down (in PDF user space, y up).
const AXES: [(f64, f64); 4] = [(1.0, 0.0), (0.0, 1.0), (-1.0, 0.0), (0.0, -1.0)];

fn axis_of(dx: f64, dy: f64) -> Option<usize> {
    AXES.iter()
        .position(|(ax, ay)| dx * ax + dy * ay > 0.0 && (dx * ay - dy * ax).abs() < AXIS_TOLERANCE)
}

/// Words from glyphs read along `axis`, in a frame where that axis points right and lines
/// advance downwards.
fn words_along(glyphs: &[Glyph], axis: (f64, f64)) -> Vec<Word> {
    let (rx, ry) = axis;
    let (down_x, down_y) = (ry, -rx);
    let mut words: Vec<Word> = Vec::new();
    let mut open = false;
    for glyph in glyphs {
        if glyph.text.trim().is_empty() {
            open = false;
            continue;
        }
        let x = glyph.x * rx + glyph.y * ry;
        let y = glyph.x * down_x + glyph.y * down_y;
        let (top, bottom) = (y - 0.8 * glyph.size, y + 0.2 * glyph.size);
        let continues = open
            && words.last().is_some_and(|word| {
                let same_line = (bottom - word.bottom).abs() <= 0.3 * glyph.size;
                let gap = x - word.x1;
                same_line && gap <= 0.15 * glyph.size && gap >= -0.5 * glyph.size
            });
        match words.last_mut() {
            Some(word) if continues => {
                word.text.push_str(&glyph.text);
                word.x1 = word.x1.max(x + glyph.advance);
                word.top = word.top.min(top);
                word.bottom = word.bottom.max(bottom);
            }
            _ => words.push(Word {
                x0: x,
                x1: x + glyph.advance,
                top,
                bottom,
                text: glyph.text.clone(),
            }),
        }
        open = true;
    }
    words
}

/// Text at an angle, in the order it was drawn: a space at each gap or space glyph.
fn skewed_text(glyphs: &[Glyph]) -> String {
    let mut text = String::new();
    let mut previous: Option<&Glyph> = None;
    for glyph in glyphs {
        let jumped = previous.is_some_and(|p| {
            let expected_x = p.x + p.advance * p.dx;
            let expected_y = p.y + p.advance * p.dy;
            (glyph.x - expected_x).hypot(glyph.y - expected_y) > 0.3 * glyph.size
        });
        if jumped || glyph.text.trim().is_empty() {
            text.push(' ');
        }
        text.push_str(glyph.text.trim());
        previous = Some(glyph);
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
