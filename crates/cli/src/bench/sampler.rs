//! Samples the processes outside `serve` on a thread of its own while a file is processed:
//! the summed resident sets of `serve`'s children (poppler, tesseract) and the summed
//! proportional sets of the embedded PostgreSQL's processes (a sum of resident sets would
//! count their shared buffers once per process). Peaks between two samples can be missed.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::procfs;
use super::server::Server;

/// How often the processes are read; each sample reads /proc for every process.
const SAMPLE_INTERVAL: Duration = Duration::from_millis(100);

/// A running sampler; `stop` returns what it saw.
pub struct Sampler {
    stop: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<Peaks>,
}

/// The highest sampled figures of the processes outside `serve`.
#[derive(Debug, Default)]
pub struct Peaks {
    pub children_rss_bytes: u64,
    /// Program names of the children seen, once each.
    pub children_seen: BTreeSet<String>,
    pub postgres_pss_bytes: u64,
}

impl Sampler {
    pub fn start(server: &Server) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let (serve, postmaster) = (server.pid(), server.postmaster_pid());
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut peaks = Peaks::default();
            while !flag.load(Ordering::Relaxed) {
                peaks.sample(serve, postmaster);
                std::thread::sleep(SAMPLE_INTERVAL);
            }
            peaks
        });
        Self { stop, thread }
    }

    pub fn stop(self) -> Peaks {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().unwrap_or_default()
    }
}

impl Peaks {
    /// One sample: `serve`'s children and their summed RSS, PostgreSQL's summed PSS.
    fn sample(&mut self, serve: u32, postmaster: Option<u32>) {
        let table = procfs::processes();
        let postgres: Vec<u32> = postmaster
            .map(|pid| {
                let mut all = procfs::descendants(pid, &table);
                all.push(pid);
                all
            })
            .unwrap_or_default();

        let children: Vec<u32> = procfs::descendants(serve, &table)
            .into_iter()
            .filter(|pid| !postgres.contains(pid))
            .collect();
        self.children_seen
            .extend(children.iter().filter_map(|&pid| procfs::program(pid)));
        let rss: u64 = children.into_iter().filter_map(procfs::rss_bytes).sum();
        let pss: u64 = postgres.into_iter().filter_map(procfs::pss_bytes).sum();
        self.children_rss_bytes = self.children_rss_bytes.max(rss);
        self.postgres_pss_bytes = self.postgres_pss_bytes.max(pss);
    }
}
