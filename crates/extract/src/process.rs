//! Running the external programs (poppler's tools, tesseract) with a deadline.
//! A child that overruns is killed; an async run that is dropped kills its child, so
//! cancelling an extraction leaves no process behind.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crate::ExtractError;

/// A program this crate runs, with the Debian package that installs it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tool {
    pub name: &'static str,
    pub package: &'static str,
}

pub(crate) const PDFTOTEXT: Tool = Tool {
    name: "pdftotext",
    package: "poppler-utils",
};
pub(crate) const PDFINFO: Tool = Tool {
    name: "pdfinfo",
    package: "poppler-utils",
};
pub(crate) const PDFTOPPM: Tool = Tool {
    name: "pdftoppm",
    package: "poppler-utils",
};
pub(crate) const TESSERACT: Tool = Tool {
    name: "tesseract",
    package: "tesseract-ocr",
};

/// How often a synchronous run checks whether its child has exited.
const POLL_INTERVAL: Duration = Duration::from_millis(5);

/// Longest stderr excerpt kept in an error: tools print file positions, never page text.
const STDERR_EXCERPT_CHARS: usize = 160;

/// Why a run of a tool did not produce output.
#[derive(Debug)]
pub(crate) enum RunError {
    Missing(Tool),
    TimedOut(Tool, Duration),
    Failed(Tool, String),
}

impl RunError {
    /// A short reason for a warning; it holds no document text.
    pub(crate) fn reason(&self) -> String {
        match self {
            Self::Missing(tool) => format!("`{}` is not installed", tool.name),
            Self::TimedOut(tool, limit) => {
                format!("`{}` took longer than {} s", tool.name, limit.as_secs())
            }
            Self::Failed(tool, reason) => format!("`{}` failed: {reason}", tool.name),
        }
    }
}

impl From<RunError> for ExtractError {
    fn from(error: RunError) -> Self {
        match error {
            RunError::Missing(tool) => ExtractError::ToolMissing {
                tool: tool.name,
                package: tool.package,
            },
            RunError::TimedOut(tool, _) | RunError::Failed(tool, _) => ExtractError::ToolFailed {
                tool: tool.name,
                reason: error.reason(),
            },
        }
    }
}

fn spawn_error(tool: Tool, error: &std::io::Error) -> RunError {
    if error.kind() == std::io::ErrorKind::NotFound {
        RunError::Missing(tool)
    } else {
        RunError::Failed(tool, format!("could not start: {error}"))
    }
}

fn status_error(tool: Tool, status: ExitStatus, stderr: &[u8]) -> RunError {
    let text = String::from_utf8_lossy(stderr);
    let last_line = text
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    let excerpt: String = last_line
        .trim()
        .chars()
        .take(STDERR_EXCERPT_CHARS)
        .collect();
    RunError::Failed(tool, format!("{status}: {excerpt}"))
}

/// Runs `command` synchronously and hands its stdout, as it streams, to `read`; the child is
/// killed if it runs past `timeout`. Stderr is discarded so it can never fill a pipe.
pub(crate) fn run_streaming<T>(
    tool: Tool,
    mut command: Command,
    timeout: Duration,
    read: impl FnOnce(&mut dyn BufRead) -> T,
) -> Result<T, RunError> {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut child = command.spawn().map_err(|e| spawn_error(tool, &e))?;
    let Some(stdout) = child.stdout.take() else {
        kill(&mut child);
        return Err(RunError::Failed(tool, "no stdout pipe".into()));
    };

    let deadline = Instant::now() + timeout;
    let watchdog = std::thread::spawn(move || watch(child, deadline));
    let value = read(&mut BufReader::new(stdout));

    let outcome = watchdog
        .join()
        .map_err(|_| RunError::Failed(tool, "watchdog thread panicked".into()))?;
    match outcome {
        Watch::Exited(status) if status.success() => Ok(value),
        Watch::Exited(status) => Err(status_error(tool, status, &[])),
        Watch::Killed => Err(RunError::TimedOut(tool, timeout)),
        Watch::Lost(error) => Err(RunError::Failed(tool, error)),
    }
}

enum Watch {
    Exited(ExitStatus),
    Killed,
    Lost(String),
}

/// Waits for `child` until `deadline`, killing it then.
fn watch(mut child: Child, deadline: Instant) -> Watch {
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Watch::Exited(status),
            Ok(None) if Instant::now() >= deadline => {
                kill(&mut child);
                return Watch::Killed;
            }
            Ok(None) => std::thread::sleep(POLL_INTERVAL),
            Err(error) => {
                kill(&mut child);
                return Watch::Lost(error.to_string());
            }
        }
    }
}

fn kill(child: &mut Child) {
    // The child may already have exited; either way it is reaped below.
    let _ = child.kill();
    let _ = child.wait();
}

/// Runs `command` and returns its stdout; the child is killed on timeout and whenever the
/// returned future is dropped.
pub(crate) async fn run_async(
    tool: Tool,
    mut command: tokio::process::Command,
    timeout: Duration,
) -> Result<Vec<u8>, RunError> {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let child = command.spawn().map_err(|e| spawn_error(tool, &e))?;

    let output = match tokio::time::timeout(timeout, child.wait_with_output()).await {
        Ok(Ok(output)) => output,
        Ok(Err(error)) => return Err(RunError::Failed(tool, error.to_string())),
        Err(_) => return Err(RunError::TimedOut(tool, timeout)),
    };
    if output.status.success() {
        Ok(output.stdout)
    } else {
        Err(status_error(tool, output.status, &output.stderr))
    }
}
