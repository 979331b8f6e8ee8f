//! Canonical JSON: the one byte form every JSON file of the layout is written in, so that the same data
//! always gives the same bytes and diffs show only real changes.
//!
//! Rules: keys in struct field order (the model has no maps; a map would be written sorted), two-space
//! indent, `\n` line ends and a final newline, UTF-8 with non-ASCII characters written as they are, strings
//! and numbers exactly as given (only `"`, `\` and control characters are escaped, as JSON requires).

use serde::Serialize;
use serde_json::ser::PrettyFormatter;

/// The canonical JSON bytes of `value`.
///
/// ```
/// use versioning_core::artifacts::to_canonical_json;
/// #[derive(serde::Serialize)]
/// struct Sample { name: &'static str, tags: Vec<u32> }
/// let bytes = to_canonical_json(&Sample { name: "Größe", tags: vec![1, 2] });
/// assert_eq!(bytes, "{\n  \"name\": \"Größe\",\n  \"tags\": [\n    1,\n    2\n  ]\n}\n".as_bytes());
/// ```
pub fn to_canonical_json<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut serializer =
        serde_json::Serializer::with_formatter(&mut bytes, PrettyFormatter::with_indent(b"  "));
    // Writing to a Vec cannot fail, and the artifact types hold no maps with non-string keys and no
    // custom serialisers, which are serde_json's only other failure causes.
    value
        .serialize(&mut serializer)
        .expect("artifact types always serialise to JSON");
    bytes.push(b'\n');
    bytes
}
