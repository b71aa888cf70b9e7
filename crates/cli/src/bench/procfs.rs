//! Memory figures from Linux's /proc: a process's peak resident set (`VmHWM`, kept by the
//! kernel, so no peak is missed between samples, and resettable to time one phase), current
//! resident and proportional sets, and the process tree. A process that exits between two
//! reads simply reads as absent.

use std::collections::HashMap;

/// One process: its id and its parent's.
#[derive(Debug, Clone, Copy)]
pub struct Process {
    pub pid: u32,
    pub parent: u32,
}

/// The peak resident set of `pid` since it started, in bytes.
pub fn peak_rss_bytes(pid: u32) -> Option<u64> {
    status_field(pid, "VmHWM:")
}

/// Resets the peak resident set of `pid` to its current one (Linux 4.0 and later), so the
/// next reading of the peak covers only what happened in between.
pub fn reset_peak_rss(pid: u32) -> std::io::Result<()> {
    std::fs::write(format!("/proc/{pid}/clear_refs"), "5")
}

/// The resident set of `pid` now, in bytes (shared pages counted in full).
pub fn rss_bytes(pid: u32) -> Option<u64> {
    status_field(pid, "VmRSS:")
}

/// The proportional set of `pid` now, in bytes: each shared page divided among the
/// processes sharing it, so a sum over processes counts shared memory once.
pub fn pss_bytes(pid: u32) -> Option<u64> {
    let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok()?;
    rollup
        .lines()
        .find_map(|line| line.strip_prefix("Pss:"))
        .and_then(parse_kb)
}

/// The program name of `pid` (its `comm`, at most 15 bytes).
pub fn program(pid: u32) -> Option<String> {
    let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).ok()?;
    Some(comm.trim_end().to_string())
}

fn status_field(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(parse_kb)
}

/// Reads `  1234 kB` as bytes.
pub fn parse_kb(value: &str) -> Option<u64> {
    let kb: u64 = value.trim().strip_suffix("kB")?.trim().parse().ok()?;
    Some(kb * 1024)
}

/// Every process visible now.
pub fn processes() -> Vec<Process> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            Some(Process {
                pid,
                parent: parent_from_stat(&stat)?,
            })
        })
        .collect()
}

/// The parent id from `/proc/PID/stat`: `pid (comm) state ppid ...`, where `comm` may hold
/// spaces and parentheses, so fields are counted after the last `)`.
fn parent_from_stat(stat: &str) -> Option<u32> {
    let (_, rest) = stat.rsplit_once(')')?;
    rest.split_whitespace().nth(1)?.parse().ok()
}

/// The ids of `root`'s descendants in `table`, `root` excluded.
pub fn descendants(root: u32, table: &[Process]) -> Vec<u32> {
    let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
    for process in table {
        children
            .entry(process.parent)
            .or_default()
            .push(process.pid);
    }

    let mut found = Vec::new();
    let mut pending = vec![root];
    while let Some(pid) = pending.pop() {
        for &child in children.get(&pid).into_iter().flatten() {
            found.push(child);
            pending.push(child);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kilobyte_fields_read_as_bytes() {
        assert_eq!(parse_kb("   2048 kB"), Some(2 * 1024 * 1024));
        assert_eq!(parse_kb("2048"), None);
    }

    #[test]
    fn the_parent_is_read_past_a_command_name_with_spaces_and_parentheses() {
        let stat = "4242 (tokio (worker) 1) S 17 4242 4242 0 -1 4194560";
        assert_eq!(parent_from_stat(stat), Some(17));
    }

    #[test]
    fn descendants_include_grandchildren_but_not_the_root_or_strangers() {
        let table =
            [(10, 1), (11, 10), (12, 11), (20, 1)].map(|(pid, parent)| Process { pid, parent });
        let mut found = descendants(10, &table);
        found.sort();
        assert_eq!(found, vec![11, 12]);
    }

    #[test]
    fn this_process_memory_figures_can_be_read() {
        let pid = std::process::id();
        assert!(peak_rss_bytes(pid).is_some());
        assert!(rss_bytes(pid).is_some());
        assert!(processes().iter().any(|p| p.pid == pid));
    }
}
