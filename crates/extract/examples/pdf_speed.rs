//! Pages per second of `pdf_text_pages` against `pdftotext` on the same PDFs, in one run:
//! `cargo run --release -p lucidity-extract --example pdf_speed -- path/to/*.pdf`.
//! Prints counts and rates only, never text.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

fn main() {
    let paths: Vec<PathBuf> = std::env::args().skip(1).map(PathBuf::from).collect();
    if paths.is_empty() {
        eprintln!("usage: pdf_speed FILE.pdf...");
        std::process::exit(2);
    }

    let started = Instant::now();
    let mut pages = 0;
    for path in &paths {
        match lucidity_extract::pdf_text_pages(path) {
            Ok(texts) => pages += texts.len(),
            Err(error) => eprintln!("{}: {error}", path.display()),
        }
    }
    report("lucidity-extract", pages, started);

    let started = Instant::now();
    for path in &paths {
        pdftotext(path);
    }
    report("pdftotext", pages, started);
}

fn pdftotext(path: &Path) {
    let status = Command::new("pdftotext")
        .args(["-q", "-enc", "UTF-8"])
        .arg(path)
        .arg("-")
        .stdout(Stdio::null())
        .status();
    if !status.is_ok_and(|s| s.success()) {
        eprintln!("{}: pdftotext failed", path.display());
    }
}

fn report(name: &str, pages: usize, started: Instant) {
    let seconds = started.elapsed().as_secs_f64();
    let rate = pages as f64 / seconds;
    println!("{name}: {pages} pages in {seconds:.2} s = {rate:.0} pages/s");
}
