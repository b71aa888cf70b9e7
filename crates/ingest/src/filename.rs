//! Client file names made safe to show and to record, and the extension they claim.
//! The result is metadata only: stored originals are named by document id, never by this.

/// Longest name kept, in bytes: the common file-system limit, so a download keeps its name.
const MAX_NAME_BYTES: usize = 255;

/// Longest extension kept apart when a long name is shortened, in bytes.
const MAX_EXTENSION_BYTES: usize = 16;

/// The name given to an upload whose own name sanitises to nothing.
const FALLBACK_NAME: &str = "upload";

/// Device names Windows reserves in any directory and with any extension.
const WINDOWS_RESERVED_STEMS: [&str; 22] = [
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

/// A client's file name made fit for display and storage metadata, never for use as a path.
///
/// Keeps only the last component of `/` or `\` separated paths (so `C:\x\y.pdf` is `y.pdf`),
/// drops control and bidirectional-override characters, replaces characters Windows forbids
/// with `_`, strips leading dots and surrounding spaces, prefixes Windows device names
/// (`CON.pdf` becomes `_CON.pdf`), and shortens to 255 bytes keeping the extension. Never
/// returns an empty string: a name with nothing left becomes `upload`.
pub fn sanitize_filename(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last.chars().filter_map(clean_char).collect();
    let trimmed = cleaned
        .trim_start_matches(|c: char| c == '.' || c.is_whitespace())
        .trim_end_matches(|c: char| c == '.' || c.is_whitespace());

    if trimmed.is_empty() {
        return FALLBACK_NAME.to_owned();
    }
    let unreserved = escape_reserved(trimmed);
    shorten(&unreserved)
}

/// The extension of a client file name, lower case and without its dot, if it has one.
pub(crate) fn claimed_extension(name: &str) -> Option<String> {
    let sanitized = sanitize_filename(name);
    let (stem, extension) = sanitized.rsplit_once('.')?;
    if stem.is_empty() || extension.is_empty() {
        return None;
    }
    Some(extension.to_lowercase())
}

/// Drops characters that corrupt display or logs, replaces those Windows forbids in names.
fn clean_char(c: char) -> Option<char> {
    if c.is_control() || is_bidi_control(c) {
        return None;
    }
    if matches!(c, '<' | '>' | ':' | '"' | '|' | '?' | '*') {
        return Some('_');
    }
    Some(c)
}

/// Bidirectional controls make `evil\u{202E}fdp.exe` display as `evilexe.pdf`.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn escape_reserved(name: &str) -> String {
    let stem = name.split('.').next().unwrap_or_default().trim_end();
    let reserved = WINDOWS_RESERVED_STEMS
        .iter()
        .any(|candidate| candidate.eq_ignore_ascii_case(stem));

    if reserved {
        format!("_{name}")
    } else {
        name.to_owned()
    }
}

/// Cuts the stem, never the extension, on a character boundary to fit [`MAX_NAME_BYTES`].
fn shorten(name: &str) -> String {
    if name.len() <= MAX_NAME_BYTES {
        return name.to_owned();
    }

    let (stem, extension) = match name.rsplit_once('.') {
        Some((stem, extension)) if !stem.is_empty() && extension.len() <= MAX_EXTENSION_BYTES => {
            (stem, Some(extension))
        }
        _ => (name, None),
    };
    let room = match extension {
        Some(extension) => MAX_NAME_BYTES - extension.len() - 1,
        None => MAX_NAME_BYTES,
    };

    let cut = stem.floor_char_boundary(room);
    let stem = stem[..cut].trim_end();
    match extension {
        Some(extension) => format!("{stem}.{extension}"),
        None => stem.to_owned(),
    }
}
