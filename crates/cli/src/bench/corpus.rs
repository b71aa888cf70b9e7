//! The input files: every PDF of a directory with its page count and size, and every page
//! image of another. Missing or empty directories are errors that say what was expected.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use super::tools;

/// Extensions of the page images the OCR part reads.
const IMAGE_EXTENSIONS: [&str; 5] = ["png", "tif", "tiff", "jpg", "jpeg"];

/// One PDF of the corpus.
#[derive(Debug, Clone)]
pub struct SourcePdf {
    pub path: PathBuf,
    pub size_bytes: u64,
    /// From `pdfinfo`, so neither side of a comparison counts its own pages.
    pub pages: u32,
}

impl SourcePdf {
    pub fn bytes_per_page(&self) -> f64 {
        self.size_bytes as f64 / f64::from(self.pages.max(1))
    }
}

/// Every `*.pdf` in `dir`, sorted by name, with its page count.
pub fn pdfs(dir: &Path) -> anyhow::Result<Vec<SourcePdf>> {
    let paths = files_with_extensions(dir, &["pdf"])?;
    if paths.is_empty() {
        bail!(
            "no *.pdf in {} (choose another with --pdf-dir)",
            dir.display()
        );
    }

    let mut pdfs = Vec::with_capacity(paths.len());
    for path in paths {
        let size_bytes = std::fs::metadata(&path)
            .with_context(|| format!("cannot read {}", path.display()))?
            .len();
        let pages = tools::pdf_page_count(&path)?;
        pdfs.push(SourcePdf {
            path,
            size_bytes,
            pages,
        });
    }
    Ok(pdfs)
}

/// Every PNG, JPEG and TIFF in `dir`, sorted by name.
pub fn images(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let paths = files_with_extensions(dir, &IMAGE_EXTENSIONS)?;
    if paths.is_empty() {
        let kinds = IMAGE_EXTENSIONS.join(", ");
        bail!(
            "no page images ({kinds}) in {} (choose another with --ocr-dir)",
            dir.display()
        );
    }
    Ok(paths)
}

fn files_with_extensions(dir: &Path, extensions: &[&str]) -> anyhow::Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(dir).with_context(|| {
        format!(
            "cannot read the directory {} (relative paths start at the working directory)",
            dir.display()
        )
    })?;

    let mut paths = Vec::new();
    for entry in entries {
        let path = entry
            .with_context(|| format!("cannot list {}", dir.display()))?
            .path();
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        if path.is_file() && extension.is_some_and(|e| extensions.contains(&e.as_str())) {
            paths.push(path);
        }
    }
    paths.sort();
    Ok(paths)
}

/// The file's name for messages: never its contents.
pub fn name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into(),
    )
}
