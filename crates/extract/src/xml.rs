//! Small helpers shared by the XML readers (DOCX parts and poppler's word boxes).
//! Attribute values and entity references arrive escaped; these return plain text.

use quick_xml::XmlVersion;
use quick_xml::events::{BytesRef, BytesStart};

/// An attribute's unescaped value, looked up by its qualified name (`w:val`).
pub(crate) fn attr(tag: &BytesStart<'_>, name: &str) -> Option<String> {
    let attribute = tag.try_get_attribute(name).ok().flatten()?;
    let value = attribute.normalized_value(XmlVersion::Implicit1_0).ok()?;
    Some(value.into_owned())
}

/// Appends the character an entity or character reference (`&amp;`, `&#8220;`) stands for.
pub(crate) fn push_reference(out: &mut String, reference: &BytesRef<'_>) {
    if let Ok(Some(c)) = reference.resolve_char_ref() {
        out.push(c);
        return;
    }
    let name = reference.xml10_content();
    if let Some(resolved) = quick_xml::escape::resolve_xml_entity(&name) {
        out.push_str(resolved);
    }
}
