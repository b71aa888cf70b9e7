//! The benchmark's report: the machine, the date, each part's figures, and the parts that
//! could not run with why. Printed as Markdown tables (ready for docs/BENCHMARKS.md) or JSON.

use serde::Serialize;

use super::{analysis, embeddings, memory, ocr, pdf, web};

/// Everything one `lucidity bench` run measured.
#[derive(Debug, Serialize)]
pub struct Report {
    /// UTC, `YYYY-MM-DD HH:MM`.
    pub date: String,
    pub machine: Machine,
    pub pdf: Option<pdf::Figures>,
    pub ocr: Option<ocr::Figures>,
    pub memory: Option<memory::Figures>,
    pub analysis: Option<analysis::Figures>,
    pub embeddings: Option<embeddings::Figures>,
    pub web: Option<web::Figures>,
    pub skipped: Vec<Skipped>,
}

/// A part that could not run.
#[derive(Debug, Serialize)]
pub struct Skipped {
    pub part: &'static str,
    pub reason: String,
}

/// What the figures were measured on.
#[derive(Debug, Serialize)]
pub struct Machine {
    pub cores: usize,
    pub cpu: String,
    pub memory_bytes: u64,
}

impl Report {
    pub fn new() -> Self {
        Self {
            date: chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string(),
            machine: Machine::current(),
            pdf: None,
            ocr: None,
            memory: None,
            analysis: None,
            embeddings: None,
            web: None,
            skipped: Vec::new(),
        }
    }

    pub fn print(&self, json: bool) -> anyhow::Result<()> {
        if json {
            println!("{}", serde_json::to_string_pretty(self)?);
            return Ok(());
        }

        let m = &self.machine;
        println!("lucidity bench, {}", self.date);
        println!(
            "machine: {} cores, {}, {} memory\n",
            m.cores,
            m.cpu,
            bytes(m.memory_bytes)
        );
        if let Some(figures) = &self.pdf {
            figures.print();
        }
        if let Some(figures) = &self.ocr {
            figures.print();
        }
        if let Some(figures) = &self.memory {
            figures.print();
        }
        if let Some(figures) = &self.analysis {
            figures.print();
        }
        if let Some(figures) = &self.embeddings {
            figures.print();
        }
        if let Some(figures) = &self.web {
            figures.print();
        }
        for skipped in &self.skipped {
            println!("{}: not measured: {}", skipped.part, skipped.reason);
        }
        Ok(())
    }
}

impl Machine {
    fn current() -> Self {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find_map(|line| line.strip_prefix("model name"))
            .and_then(|rest| rest.split_once(':'))
            .map_or("unknown CPU".into(), |(_, model)| model.trim().to_string());
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let memory_bytes = meminfo
            .lines()
            .find_map(|line| line.strip_prefix("MemTotal:"))
            .and_then(super::procfs::parse_kb)
            .unwrap_or(0);
        Self {
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            cpu,
            memory_bytes,
        }
    }
}

/// A Markdown table with aligned columns.
pub struct Table {
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(header: &[&str]) -> Self {
        Self {
            rows: vec![header.iter().map(|h| h.to_string()).collect()],
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    pub fn print(&self) {
        let columns = self.rows.iter().map(Vec::len).max().unwrap_or(0);
        let widths: Vec<usize> = (0..columns)
            .map(|c| {
                let cells = self.rows.iter().filter_map(|r| r.get(c));
                cells.map(|cell| cell.chars().count()).max().unwrap_or(0)
            })
            .collect();

        for (index, row) in self.rows.iter().enumerate() {
            let cells: Vec<String> = widths
                .iter()
                .enumerate()
                .map(|(c, &w)| format!("{:w$}", row.get(c).map_or("", String::as_str)))
                .collect();
            println!("| {} |", cells.join(" | "));
            if index == 0 {
                let rules: Vec<String> = widths.iter().map(|&w| "-".repeat(w)).collect();
                println!("|-{}-|", rules.join("-|-"));
            }
        }
        println!();
    }
}

/// Bytes in binary units, as `ps` and /proc count memory.
pub fn bytes(count: u64) -> String {
    const MIB: f64 = 1024.0 * 1024.0;
    let mib = count as f64 / MIB;
    if mib >= 1024.0 {
        format!("{:.2} GiB", mib / 1024.0)
    } else {
        format!("{mib:.0} MiB")
    }
}

/// A file size in MiB to one place, as the upload limit (`MAX_UPLOAD_SIZE_MB`) counts.
pub fn file_size(count: u64) -> String {
    format!("{:.1} MiB", count as f64 / (1024.0 * 1024.0))
}

/// `ours / reference` to two places, or a dash when the reference is zero.
pub fn ratio(ours: f64, reference: f64) -> String {
    if reference > 0.0 && ours.is_finite() {
        format!("{:.2}", ours / reference)
    } else {
        "-".into()
    }
}
