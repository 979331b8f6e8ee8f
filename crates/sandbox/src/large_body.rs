//! Large bodies made while they are sent: a file of any size, or a manifest of many entries.

use axum::body::Body;
use axum::http::{header, HeaderValue};
use axum::response::Response;

use crate::faults::{LargeBody, LargeContent};

/// Bytes of a large body made at a time.
const LARGE_CHUNK_BYTES: usize = 64 * 1024;

/// The start and the end of a large manifest, around its entries.
const MANIFEST_HEAD: &str = r#"{"schema_version":1,"files":["#;
const MANIFEST_TAIL: &str = "]}";

/// Entry `index` of a large manifest (all entries have the same length), with the comma before it but
/// for the first.
fn manifest_entry(index: u64) -> String {
    let comma = if index == 0 { "" } else { "," };
    format!(
        r#"{comma}{{"path":"test-artifacts/test-suites/large/{index:07}--t{index:07}.json","sha256":"{}","id":"t{index:07}","kind":"test_case"}}"#,
        "0".repeat(64)
    )
}

impl LargeBody {
    /// The body's length in bytes.
    fn length(&self) -> u64 {
        match self.content {
            LargeContent::Bytes { bytes } => bytes,
            LargeContent::Manifest { entries } => {
                let entry = manifest_entry(1).len() as u64;
                let commas = entries.min(1);
                (MANIFEST_HEAD.len() + MANIFEST_TAIL.len()) as u64 + entries * entry - commas
            }
        }
    }

    /// Chunk `index` of the body (of about [`LARGE_CHUNK_BYTES`]), `None` after the last.
    fn chunk(&self, index: u64) -> Option<bytes::Bytes> {
        match self.content {
            LargeContent::Bytes { bytes } => {
                let start = index.checked_mul(LARGE_CHUNK_BYTES as u64)?;
                let size = bytes.checked_sub(start).filter(|&rest| rest > 0)?;
                let size = size.min(LARGE_CHUNK_BYTES as u64) as usize;
                Some(bytes::Bytes::from(vec![b' '; size]))
            }
            LargeContent::Manifest { entries } => {
                let per_chunk = (LARGE_CHUNK_BYTES / manifest_entry(1).len()) as u64;
                let first = index * per_chunk;
                // One chunk more than the entries' for the head and tail of an empty manifest.
                let chunks = entries.div_ceil(per_chunk).max(1);
                if index >= chunks {
                    return None;
                }
                let mut text = if index == 0 {
                    MANIFEST_HEAD.to_string()
                } else {
                    String::new()
                };
                for entry in first..(first + per_chunk).min(entries) {
                    text.push_str(&manifest_entry(entry));
                }
                if index + 1 == chunks {
                    text.push_str(MANIFEST_TAIL);
                }
                Some(bytes::Bytes::from(text))
            }
        }
    }

    /// The answer, its body made chunk by chunk as it is sent.
    pub(crate) fn response(self) -> Response {
        let length = self.length();
        let announce = self.announce_length;
        let stream = futures_util::stream::unfold((self, 0u64), |(large, index)| async move {
            let chunk = large.chunk(index)?;
            Some((Ok::<_, std::io::Error>(chunk), (large, index + 1)))
        });
        let mut response = Response::new(Body::from_stream(stream));
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/octet-stream"),
        );
        if announce {
            headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole body of `large`, chunk by chunk.
    fn whole(large: &LargeBody) -> Vec<u8> {
        (0..)
            .map_while(|index| large.chunk(index))
            .flat_map(|chunk| chunk.to_vec())
            .collect()
    }

    #[test]
    fn large_bodies_have_the_length_they_announce() {
        for content in [
            LargeContent::Bytes { bytes: 0 },
            LargeContent::Bytes { bytes: 200_001 },
            LargeContent::Manifest { entries: 0 },
            LargeContent::Manifest { entries: 1 },
            LargeContent::Manifest { entries: 1_234 },
        ] {
            let large = LargeBody {
                path: "/x".to_string(),
                content,
                announce_length: true,
            };
            let body = whole(&large);
            assert_eq!(body.len() as u64, large.length(), "{content:?}");
            if let LargeContent::Manifest { entries } = content {
                let manifest: serde_json::Value = serde_json::from_slice(&body).unwrap();
                assert_eq!(manifest["files"].as_array().unwrap().len() as u64, entries);
            }
        }
    }
}
