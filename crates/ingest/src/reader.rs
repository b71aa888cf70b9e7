//! A forward-only byte reader over a buffered file, for the format walkers.
//! It reports the end of the file as `None`/`false` rather than an error, because for a
//! walker an early end is a finding (a truncated file), not an I/O failure.

use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::Path;

/// Buffer size of walkers: large reads keep a 100 MB scan in a few hundred milliseconds.
const BUFFER_BYTES: usize = 64 * 1024;

/// Reads a file byte by byte without a system call per byte.
pub(crate) struct ByteReader {
    inner: BufReader<File>,
}

impl ByteReader {
    /// Opens `path` for reading from its start.
    pub(crate) fn open(path: &Path) -> io::Result<Self> {
        let file = File::open(path)?;
        Ok(ByteReader {
            inner: BufReader::with_capacity(BUFFER_BYTES, file),
        })
    }

    /// The next byte, or `None` at the end of the file.
    pub(crate) fn next(&mut self) -> io::Result<Option<u8>> {
        let byte = self.inner.fill_buf()?.first().copied();
        if byte.is_some() {
            self.inner.consume(1);
        }
        Ok(byte)
    }

    /// The next byte without consuming it, or `None` at the end of the file.
    pub(crate) fn peek(&mut self) -> io::Result<Option<u8>> {
        Ok(self.inner.fill_buf()?.first().copied())
    }

    /// The next `N` bytes, or `None` if the file ends first.
    pub(crate) fn array<const N: usize>(&mut self) -> io::Result<Option<[u8; N]>> {
        let mut bytes = [0; N];
        for slot in &mut bytes {
            match self.next()? {
                Some(byte) => *slot = byte,
                None => return Ok(None),
            }
        }
        Ok(Some(bytes))
    }

    /// Skips `count` bytes, handing each buffered run to `visit`; `false` if the file ends first.
    pub(crate) fn skip_with(
        &mut self,
        mut count: u64,
        mut visit: impl FnMut(&[u8]),
    ) -> io::Result<bool> {
        while count > 0 {
            let buffer = self.inner.fill_buf()?;
            if buffer.is_empty() {
                return Ok(false);
            }

            let take = buffer
                .len()
                .min(usize::try_from(count).unwrap_or(usize::MAX));
            visit(&buffer[..take]);
            self.inner.consume(take);
            count -= take as u64;
        }
        Ok(true)
    }

    /// Hands every remaining buffered run to `visit` until it returns `false` or the file ends.
    pub(crate) fn for_each_chunk(
        &mut self,
        mut visit: impl FnMut(&[u8]) -> bool,
    ) -> io::Result<()> {
        loop {
            let buffer = self.inner.fill_buf()?;
            if buffer.is_empty() || !visit(buffer) {
                return Ok(());
            }
            let length = buffer.len();
            self.inner.consume(length);
        }
    }

    /// Skips `count` bytes; `false` if the file ends first.
    pub(crate) fn skip(&mut self, count: u64) -> io::Result<bool> {
        self.skip_with(count, |_| ())
    }
}
