//! Plain text: UTF-8 with its byte-order mark removed, form feeds as page breaks.
//! Files that are not UTF-8 are read as UTF-16 when they carry its byte-order mark, else as
//! Windows-1252, the usual encoding of old Windows text, with a warning.

use crate::document::{Draft, PageMethod, PageText};

/// Splits decoded text into pages at form feeds.
pub(crate) fn extract(bytes: &[u8]) -> Draft {
    let (text, warning) = decode(bytes);
    let pages = text
        .replace("\r\n", "\n")
        .split('\u{c}')
        .map(|page| PageText::new(page.to_owned(), PageMethod::Native))
        .collect();
    let mut draft = Draft::from_pages(pages);
    draft.warnings.extend(warning);
    draft
}

fn decode(bytes: &[u8]) -> (String, Option<String>) {
    let without_bom = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(without_bom) {
        return (text.to_owned(), None);
    }
    if let Some((encoding, _)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _, _) = encoding.decode(bytes);
        return (text.into_owned(), None);
    }
    let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
    let warning = "the text file is not UTF-8; it was read as Windows-1252".to_owned();
    (text.into_owned(), Some(warning))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_byte_order_mark_is_removed_and_form_feeds_split_pages() {
        let draft = extract("\u{feff}one\r\n\u{c}two".as_bytes());
        let texts: Vec<&str> = draft.pages.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(texts, vec!["one\n", "two"]);
        assert!(draft.warnings.is_empty());
    }

    #[test]
    fn windows_1252_text_is_decoded_with_a_warning() {
        let draft = extract(b"caf\xe9 \x93quoted\x94");
        assert_eq!(draft.pages[0].text, "café “quoted”");
        assert_eq!(draft.warnings.len(), 1);
    }

    #[test]
    fn utf16_with_a_byte_order_mark_is_decoded() {
        let bytes: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("hé".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(extract(&bytes).pages[0].text, "hé");
    }
}
