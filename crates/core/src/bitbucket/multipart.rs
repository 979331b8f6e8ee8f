//! `multipart/form-data` encoding of a [`MultipartPart`] list into one body, as browsers encode a `FormData`
//! (`"`, CR and LF in names escaped as `%22`, `%0D`, `%0A`), so that a transport sends a single buffer instead
//! of building a form part by part (a browser registers every file part as a blob of its own, which costs far
//! more than the bytes on a commit of thousands of files).

use super::request::MultipartPart;

/// A `multipart/form-data` body ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedMultipart {
    /// The `Content-Type` header value, with its boundary.
    pub content_type: String,
    /// The body bytes.
    pub body: Vec<u8>,
}

/// Encodes `parts`, in order, with a boundary that occurs in no part's content.
pub fn encode(parts: &[MultipartPart]) -> EncodedMultipart {
    let boundary = boundary(parts);
    let size: usize = parts.iter().map(|p| p.content.len() + 160).sum();
    let mut body = Vec::with_capacity(size + boundary.len() + 8);
    for part in parts {
        body.extend_from_slice(b"--");
        body.extend_from_slice(boundary.as_bytes());
        body.extend_from_slice(b"\r\nContent-Disposition: form-data; name=\"");
        body.extend_from_slice(escape(&part.name).as_bytes());
        body.push(b'"');
        if let Some(filename) = &part.filename {
            body.extend_from_slice(b"; filename=\"");
            body.extend_from_slice(escape(filename).as_bytes());
            body.push(b'"');
        }
        body.extend_from_slice(b"\r\nContent-Type: ");
        body.extend_from_slice(part.content_type.as_bytes());
        body.extend_from_slice(b"\r\n\r\n");
        body.extend_from_slice(&part.content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(b"--");
    body.extend_from_slice(boundary.as_bytes());
    body.extend_from_slice(b"--\r\n");
    EncodedMultipart {
        content_type: format!("multipart/form-data; boundary={boundary}"),
        body,
    }
}

/// The first boundary of the series that no part contains (a part may contain anything, even a boundary).
fn boundary(parts: &[MultipartPart]) -> String {
    (0u64..)
        .map(|n| format!("----BitbucketVersioningBoundary{n:04}"))
        .find(|candidate| {
            let finder = memchr::memmem::Finder::new(candidate.as_bytes());
            parts.iter().all(|p| finder.find(&p.content).is_none())
        })
        .unwrap_or_default()
}

fn escape(text: &str) -> String {
    text.replace('"', "%22")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_framed_with_their_names_and_bytes() {
        let encoded = encode(&[
            MultipartPart::text("message", "Push"),
            MultipartPart::file("a \"b\"\n.json", "b.json", b"{\r\n}".to_vec()),
        ]);
        let boundary = "----BitbucketVersioningBoundary0000";
        assert_eq!(
            encoded.content_type,
            format!("multipart/form-data; boundary={boundary}")
        );
        let expected = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"message\"\r\n\
             Content-Type: text/plain; charset=utf-8\r\n\r\nPush\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"a %22b%22%0A.json\"; \
             filename=\"b.json\"\r\nContent-Type: application/octet-stream\r\n\r\n{{\r\n}}\r\n\
             --{boundary}--\r\n"
        );
        assert_eq!(String::from_utf8(encoded.body).unwrap(), expected);
    }

    #[test]
    fn the_boundary_occurs_in_no_part() {
        let hostile =
            b"x----BitbucketVersioningBoundary0000 ----BitbucketVersioningBoundary0001".to_vec();
        let encoded = encode(&[MultipartPart::file("f", "f", hostile)]);
        assert!(encoded
            .content_type
            .ends_with("----BitbucketVersioningBoundary0002"));
    }
}
