//! OCR in seconds per page: `extract` on page images (`SourceKind::Image`) against the
//! `tesseract` CLI with our settings (`--psm 1`, `OMP_THREAD_LIMIT=1`) on the same images in
//! the same run. Both sides read one page at a time (our `ocr_parallelism` is set to 1), so
//! the ratio is the cost of our path per page, not a gain from parallelism.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use lucidity_extract::{Options, SourceKind};
use serde::Serialize;

use super::report::{Table, ratio};
use super::{Args, corpus, progress, tools};

/// What the OCR part measured.
#[derive(Debug, Serialize)]
pub struct Figures {
    pub dir: PathBuf,
    pub images: usize,
    /// Pages in the images (each frame of a TIFF a page), as our extraction counts them.
    pub pages: usize,
    pub runs: u32,
    pub lucidity: PerPage,
    pub tesseract: PerPage,
}

/// One side's fastest pass over every image.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct PerPage {
    pub seconds: f64,
    pub seconds_per_page: f64,
}

pub async fn measure(args: &Args) -> anyhow::Result<Figures> {
    let images = corpus::images(&args.ocr_dir)?;
    let options = Options {
        ocr_parallelism: 1,
        ..Options::default()
    };

    let (mut ours, mut reference) = (Duration::MAX, Duration::MAX);
    let mut pages = 0;
    for run in 1..=args.runs {
        progress(&format!("ocr: run {run} of {}", args.runs));
        let (elapsed, counted) = our_pass(&images, &options).await?;
        ours = ours.min(elapsed);
        pages = counted;
        reference = reference.min(tesseract_pass(&images).await?);
    }

    Ok(Figures {
        dir: args.ocr_dir.clone(),
        images: images.len(),
        pages,
        runs: args.runs,
        lucidity: PerPage::new(pages, ours),
        tesseract: PerPage::new(pages, reference),
    })
}

/// Our OCR path over every image; a failed image fails the part, since the comparison
/// would no longer be like for like.
async fn our_pass(images: &[PathBuf], options: &Options) -> anyhow::Result<(Duration, usize)> {
    let started = Instant::now();
    let mut pages = 0;
    for image in images {
        let extracted = lucidity_extract::extract(image, SourceKind::Image, options)
            .await
            .map_err(|e| anyhow::anyhow!("{}: {e}", corpus::name(image)))?;
        pages += extracted.pages.len();
    }
    Ok((started.elapsed(), pages))
}

async fn tesseract_pass(images: &[PathBuf]) -> anyhow::Result<Duration> {
    let images = images.to_vec();
    tokio::task::spawn_blocking(move || {
        let started = Instant::now();
        for image in &images {
            tesseract_one(image)?;
        }
        Ok(started.elapsed())
    })
    .await?
}

fn tesseract_one(image: &Path) -> anyhow::Result<()> {
    match tools::tesseract(image)? {
        true => Ok(()),
        false => anyhow::bail!("{}: the tesseract CLI failed", corpus::name(image)),
    }
}

impl PerPage {
    fn new(pages: usize, elapsed: Duration) -> Self {
        let seconds = elapsed.as_secs_f64();
        Self {
            seconds,
            seconds_per_page: seconds / pages.max(1) as f64,
        }
    }
}

impl Figures {
    pub fn print(&self) {
        println!(
            "OCR: {} image(s), {} page(s) in {}; one page at a time; fastest of {} run(s)",
            self.images,
            self.pages,
            self.dir.display(),
            self.runs
        );
        let mut table = Table::new(&["measure", "lucidity", "tesseract CLI", "ratio"]);
        let (ours, reference) = (
            self.lucidity.seconds_per_page,
            self.tesseract.seconds_per_page,
        );
        table.row(vec![
            "seconds per page".into(),
            format!("{ours:.2}"),
            format!("{reference:.2}"),
            ratio(ours, reference),
        ]);
        table.print();
    }
}
