//! The reference programs and helpers the benchmark runs: `pdftotext`, `pdfinfo`, the
//! `tesseract` CLI and `qpdf`. A missing program is an error naming its Debian package;
//! their output is counted or discarded, never printed.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use anyhow::{Context, bail};

/// A program and the Debian package that installs it.
#[derive(Debug, Clone, Copy)]
pub struct Program {
    pub name: &'static str,
    pub package: &'static str,
}

pub const PDFTOTEXT: Program = Program {
    name: "pdftotext",
    package: "poppler-utils",
};

pub const PDFINFO: Program = Program {
    name: "pdfinfo",
    package: "poppler-utils",
};

pub const TESSERACT: Program = Program {
    name: "tesseract",
    package: "tesseract-ocr and tesseract-ocr-eng",
};

pub const QPDF: Program = Program {
    name: "qpdf",
    package: "qpdf",
};

/// Tesseract's page segmentation mode in our OCR: automatic layout with orientation.
const TESSERACT_PSM: &str = "1";

/// Runs `command` to completion, its output captured.
fn output(program: Program, command: &mut Command) -> anyhow::Result<Output> {
    match command.stdin(Stdio::null()).output() {
        Ok(output) => Ok(output),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => bail!(
            "`{}` is not installed (apt-get install {})",
            program.name,
            program.package
        ),
        Err(error) => Err(error).with_context(|| format!("cannot run `{}`", program.name)),
    }
}

/// Runs `command` with its output discarded; `Ok(false)` when it exits with a failure.
fn status(program: Program, command: &mut Command) -> anyhow::Result<bool> {
    command.stdout(Stdio::null()).stderr(Stdio::null());
    Ok(output(program, command)?.status.success())
}

/// The page count `pdfinfo` reads from the page tree.
pub fn pdf_page_count(pdf: &Path) -> anyhow::Result<u32> {
    let output = output(PDFINFO, Command::new(PDFINFO.name).arg(pdf))?;
    let text = String::from_utf8_lossy(&output.stdout);
    text.lines()
        .find_map(|line| line.strip_prefix("Pages:"))
        .and_then(|count| count.trim().parse().ok())
        .with_context(|| format!("`pdfinfo` found no page count in {}", pdf.display()))
}

/// `pdftotext` over the whole document, its text discarded; `Ok(false)` when it failed.
pub fn pdftotext(pdf: &Path) -> anyhow::Result<bool> {
    let mut command = Command::new(PDFTOTEXT.name);
    command.args(["-q", "-enc", "UTF-8"]).arg(pdf).arg("-");
    status(PDFTOTEXT, &mut command)
}

/// The `tesseract` CLI on every page of `image` as our OCR runs it (`--psm 1`, one thread),
/// its text discarded; `Ok(false)` when it failed.
pub fn tesseract(image: &Path) -> anyhow::Result<bool> {
    let mut command = Command::new(TESSERACT.name);
    command
        .arg(image)
        .arg("stdout")
        .args(["-l", "eng", "--psm", TESSERACT_PSM])
        .env("OMP_THREAD_LIMIT", "1");
    status(TESSERACT, &mut command)
}

/// Concatenates the pages of `inputs`, in order, into `out` with `qpdf --empty --pages`.
/// Inputs repeated under the same path would share their objects, so callers pass distinct
/// paths (links) for each copy.
pub fn qpdf_concatenate(inputs: &[impl AsRef<Path>], out: &Path) -> anyhow::Result<()> {
    let mut command = Command::new(QPDF.name);
    command.args(["--empty", "--warning-exit-0", "--pages"]);
    command.args(inputs.iter().map(AsRef::as_ref));
    command.arg("--").arg(out);

    let output = output(QPDF, &mut command)?;
    if !output.status.success() {
        let reason = String::from_utf8_lossy(&output.stderr);
        let reason = reason.lines().last().unwrap_or("no message");
        bail!("`qpdf` could not concatenate the PDFs: {reason}");
    }
    Ok(())
}
