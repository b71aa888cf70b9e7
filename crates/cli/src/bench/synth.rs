//! The memory part's large files: valid PDFs of real contract pages, at least the asked size,
//! made by concatenating copies of the corpus's PDFs with `qpdf`. Each copy is passed through
//! its own link, since qpdf shares the objects of a file given twice under one path and the
//! output would not grow. The page count must stay within the extractor's limit, so the copies
//! come from the PDFs with the heaviest pages (fonts and images embedded per document).

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use lucidity_extract::DEFAULT_MAX_PAGES;

use super::corpus::SourcePdf;
use super::tools;

/// Pages a built file may have: the extractor's limit less a tenth, for the copies added
/// when qpdf's output comes out smaller than its inputs.
const PAGE_BUDGET: u32 = DEFAULT_MAX_PAGES / 10 * 9;

/// Rebuilds with more copies allowed before giving up on reaching the size.
const MAX_ATTEMPTS: usize = 5;

/// A built file.
#[derive(Debug, Clone)]
pub struct Synthesised {
    pub path: PathBuf,
    pub size_bytes: u64,
    pub pages: u32,
}

/// The PDFs to copy for files up to `largest_bytes`: heaviest pages first, as many as keep
/// the average page heavy enough for `largest_bytes` to fit in [`PAGE_BUDGET`] pages. Every
/// size is built from the same mix, so the sizes differ in pages and bytes alike.
pub fn choose_mix(pdfs: &[SourcePdf], largest_bytes: u64) -> anyhow::Result<Vec<SourcePdf>> {
    let mut sorted = pdfs.to_vec();
    sorted.sort_by(|a, b| b.bytes_per_page().total_cmp(&a.bytes_per_page()));
    let needed = largest_bytes as f64 / f64::from(PAGE_BUDGET);

    let (mut bytes, mut pages, mut keep) = (0u64, 0u64, 0);
    for (index, pdf) in sorted.iter().enumerate() {
        bytes += pdf.size_bytes;
        pages += u64::from(pdf.pages.max(1));
        if bytes as f64 / pages as f64 >= needed {
            keep = index + 1;
        }
    }
    if keep == 0 {
        bail!(
            "the heaviest PDF averages {:.0} KiB a page; a {} MiB file of such pages would \
             exceed the extractor's {DEFAULT_MAX_PAGES} pages: give --pdf-dir heavier PDFs",
            sorted.first().map_or(0.0, SourcePdf::bytes_per_page) / 1024.0,
            largest_bytes / (1024 * 1024)
        );
    }
    sorted.truncate(keep);
    Ok(sorted)
}

/// Builds `dir/contract-<size>.pdf` of at least `target_bytes` from copies of `mix`.
pub fn build(mix: &[SourcePdf], target_bytes: u64, dir: &Path) -> anyhow::Result<Synthesised> {
    let out = dir.join(format!("contract-{}mib.pdf", target_bytes / (1024 * 1024)));
    let links = dir.join(format!("links-{target_bytes}"));
    std::fs::create_dir_all(&links).with_context(|| format!("cannot create {links:?}"))?;

    let mut copies = copies_for(mix, target_bytes);
    for _ in 0..MAX_ATTEMPTS {
        let inputs = link_copies(mix, copies, &links)?;
        tools::qpdf_concatenate(&inputs, &out)?;
        let size_bytes = std::fs::metadata(&out)
            .with_context(|| format!("cannot read {}", out.display()))?
            .len();
        if size_bytes >= target_bytes {
            return checked(out, size_bytes);
        }
        let per_copy = size_bytes as f64 / copies as f64;
        copies += ((target_bytes - size_bytes) as f64 / per_copy).ceil() as usize + 1;
    }
    bail!("qpdf's output stayed under {target_bytes} bytes after {MAX_ATTEMPTS} attempts")
}

/// Copies of `mix`, taken in turn, whose sizes add up to a little over `target_bytes`.
fn copies_for(mix: &[SourcePdf], target_bytes: u64) -> usize {
    let goal = target_bytes + target_bytes / 50;
    let mut total = 0;
    let mut copies = 0;
    while total < goal && !mix.is_empty() {
        total += mix[copies % mix.len()].size_bytes.max(1);
        copies += 1;
    }
    copies
}

/// `copies` links, one per copy, each to the next PDF of `mix` in turn.
fn link_copies(mix: &[SourcePdf], copies: usize, dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut inputs = Vec::with_capacity(copies);
    for index in 0..copies {
        let link = dir.join(format!("copy-{index:05}.pdf"));
        if !link.exists() {
            let source = std::fs::canonicalize(&mix[index % mix.len()].path)?;
            std::os::unix::fs::symlink(&source, &link)
                .with_context(|| format!("cannot link {}", link.display()))?;
        }
        inputs.push(link);
    }
    Ok(inputs)
}

fn checked(path: PathBuf, size_bytes: u64) -> anyhow::Result<Synthesised> {
    let pages = tools::pdf_page_count(&path)?;
    if pages > DEFAULT_MAX_PAGES {
        bail!("the built PDF has {pages} pages, over the extractor's {DEFAULT_MAX_PAGES}");
    }
    Ok(Synthesised {
        path,
        size_bytes,
        pages,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pdf(name: &str, size_bytes: u64, pages: u32) -> SourcePdf {
        SourcePdf {
            path: PathBuf::from(name),
            size_bytes,
            pages,
        }
    }

    #[test]
    fn the_mix_keeps_the_heaviest_pages_that_fit_the_page_budget() {
        let pdfs = [
            pdf("light", 10_000, 10),
            pdf("heavy", 200_000, 2),
            pdf("medium", 60_000, 1),
        ];
        let mix = choose_mix(&pdfs, u64::from(PAGE_BUDGET) * 70_000).unwrap();
        let names: Vec<_> = mix.iter().map(|p| p.path.display().to_string()).collect();
        assert_eq!(names, ["heavy", "medium"]);
    }

    #[test]
    fn a_corpus_of_light_pages_is_refused_with_the_reason() {
        let pdfs = [pdf("light", 10_000, 10)];
        let error = choose_mix(&pdfs, 100 * 1024 * 1024).unwrap_err();
        assert!(error.to_string().contains("heavier PDFs"), "{error}");
    }

    #[test]
    fn copies_are_taken_in_turn_until_the_target_is_passed() {
        let mix = [pdf("a", 100, 1), pdf("b", 300, 1)];
        assert_eq!(copies_for(&mix, 1000), 6);
    }
}
