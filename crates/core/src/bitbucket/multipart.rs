//! `multipart/form-data` encoding of a [`MultipartPart`] list into one body, as browsers encode a `FormData`
//! (`"`, CR and LF in names escaped as `%22`, `%0D`, `%0A`), so that a transport sends a single buffer instead
//! of building a form part by part (a browser registers every file part as a blob of its own, which costs far
//! more than the bytes on a commit of thousands of files).

use super::request::MultipartPart;
use crate::artifacts::rng::SplitMix64;

/// A `multipart/form-data` body ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedMultipart {
    /// The `Content-Type` header value, with its boundary.
    pub content_type: String,
    /// The body bytes.
    pub body: Vec<u8>,
}

/// Encodes `parts`, in order, with a boundary that occurs in no part's content, drawn from `random`
/// (random bits from the caller: core has no random source of its own).
///
/// The boundary is checked while the body is written, in one pass over the parts. Only a part that
/// holds it (a chance of 2^-64 per position for parts that do not know it) makes the writer draw
/// another boundary and write again; the boundaries drawn from one `random` are all different.
pub fn encode(parts: &[MultipartPart], random: u64) -> EncodedMultipart {
    let mut candidates = boundaries(random);
    loop {
        let boundary = candidates.next().unwrap_or_default();
        if let Some(body) = write(parts, &boundary) {
            return EncodedMultipart {
                content_type: format!("multipart/form-data; boundary={boundary}"),
                body,
            };
        }
    }
}

/// The boundaries drawn from `random`, all different: 64 random bits each, in hexadecimal.
fn boundaries(random: u64) -> impl Iterator<Item = String> {
    let mut bits = SplitMix64::new(random);
    std::iter::repeat_with(move || format!("----BitbucketVersioning{:016x}", bits.next_u64()))
}

/// The body of `parts` framed by `boundary`, or `None` when a part's content holds the boundary.
fn write(parts: &[MultipartPart], boundary: &str) -> Option<Vec<u8>> {
    let finder = memchr::memmem::Finder::new(boundary.as_bytes());
    let size: usize = parts.iter().map(|p| p.content.len() + 160).sum();
    let mut body = Vec::with_capacity(size + boundary.len() + 8);
    for part in parts {
        if finder.find(&part.content).is_some() {
            return None;
        }
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
    Some(body)
}

fn escape(text: &str) -> String {
    text.replace('"', "%22")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The parts of `body` framed by `boundary`: each part's headers and content.
    fn parse(body: &[u8], boundary: &str) -> Vec<(String, Vec<u8>)> {
        let body = body
            .strip_suffix(format!("--{boundary}--\r\n").as_bytes())
            .expect("the body ends with the closing boundary");
        let delimiter = format!("--{boundary}\r\n");
        let finder = memchr::memmem::Finder::new(delimiter.as_bytes());
        let starts: Vec<usize> = finder.find_iter(body).collect();
        assert_eq!(starts.first(), Some(&0), "the body starts with a boundary");
        let ends = starts.iter().skip(1).copied().chain([body.len()]);
        starts
            .iter()
            .zip(ends)
            .map(|(&start, end)| {
                let part = &body[start + delimiter.len()..end];
                let split = memchr::memmem::find(part, b"\r\n\r\n").expect("headers end");
                let content = part[split + 4..]
                    .strip_suffix(b"\r\n")
                    .expect("a part ends with CRLF");
                (
                    String::from_utf8(part[..split].to_vec()).unwrap(),
                    content.to_vec(),
                )
            })
            .collect()
    }

    fn first_boundaries(random: u64) -> (String, String) {
        let mut drawn = boundaries(random);
        (drawn.next().unwrap(), drawn.next().unwrap())
    }

    #[test]
    fn parts_are_framed_with_their_names_and_bytes() {
        let encoded = encode(
            &[
                MultipartPart::text("message", "Push"),
                MultipartPart::file("a \"b\"\n.json", "b.json", b"{\r\n}".to_vec()),
            ],
            7,
        );
        let (boundary, _) = first_boundaries(7);
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
    fn the_boundary_is_random_and_written_in_one_pass() {
        let parts = [
            MultipartPart::text("message", "Push"),
            MultipartPart::file("f", "f", b"----BitbucketVersioningBoundary0000".to_vec()),
        ];
        let (first, _) = first_boundaries(1);
        // The first boundary drawn fits: the body was written once, with it.
        assert!(encode(&parts, 1).content_type.ends_with(&first));
        let (other, _) = first_boundaries(2);
        assert_ne!(first, other);
        assert!(encode(&parts, 2).content_type.ends_with(&other));
        assert_eq!(first.len(), "----BitbucketVersioning".len() + 16);
    }

    #[test]
    fn a_part_holding_the_first_boundary_still_makes_a_valid_body() {
        let (first, second) = first_boundaries(42);
        let hostile =
            format!("x--{first}\r\nContent-Type: text/plain\r\n\r\n--{first}--\r\n").into_bytes();
        let parts = [
            MultipartPart::text("message", "Push"),
            MultipartPart::file("a.json", "a.json", hostile.clone()),
            MultipartPart::file("b.json", "b.json", b"{}".to_vec()),
        ];
        let encoded = encode(&parts, 42);
        assert_eq!(
            encoded.content_type,
            format!("multipart/form-data; boundary={second}")
        );
        let read = parse(&encoded.body, &second);
        let contents: Vec<&[u8]> = read.iter().map(|(_, c)| c.as_slice()).collect();
        assert_eq!(contents, [b"Push".as_slice(), &hostile, b"{}"]);
        assert!(read[1].0.contains("name=\"a.json\"; filename=\"a.json\""));
    }
}
