//! Caps on what a repository can make the app hold: an answer's body is read within its request's limit
//! (refused from its announced length, or at the chunk that crosses the limit), file, patch and archive
//! reads carry their own limits, and a manifest read from a repository is refused over its size or its
//! number of entries.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use versioning_core::artifacts::archive::MAX_ARCHIVE_BYTES;
use versioning_core::artifacts::patch::MAX_PATCH_BYTES;
use versioning_core::artifacts::{
    Manifest, ManifestRefusal, MAX_FILE_BYTES, MAX_MANIFEST_BYTES, MAX_MANIFEST_ENTRIES,
};
use versioning_core::bitbucket::{
    cloud, datacenter, Api, ApiError, ApiResponse, BodyReader, BodyTooLarge, MAX_RESPONSE_BYTES,
};
use versioning_core::ConnectionForm;

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    /// Chunks are kept whole while they fit; the first that takes the body over the limit is refused,
    /// and nothing more than the limit is ever held.
    #[test]
    fn a_body_is_kept_exactly_when_it_fits(
        chunks in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..64), 0..20),
        limit in 0u64..600,
    ) {
        let mut reader = BodyReader::new(limit, None).unwrap();
        let mut held = 0u64;
        let mut refused = None;
        for chunk in &chunks {
            held += chunk.len() as u64;
            if let Err(error) = reader.push(chunk) {
                refused = Some((error, held));
                break;
            }
        }
        let total: u64 = chunks.iter().map(|c| c.len() as u64).sum();
        match refused {
            None => {
                prop_assert!(total <= limit);
                prop_assert_eq!(reader.finish(), chunks.concat());
            }
            Some((error, held)) => {
                prop_assert_eq!(error, BodyTooLarge { limit, size: None });
                prop_assert!(held > limit && total > limit);
            }
        }
    }

    /// An announced length over the limit is refused before any chunk; one within it is not.
    #[test]
    fn an_announced_length_over_the_limit_is_refused_at_once(length in 0u64..2_000, limit in 0u64..1_000) {
        let announced = length.to_string();
        match BodyReader::new(limit, Some(&announced)) {
            Ok(_) => prop_assert!(length <= limit),
            Err(error) => {
                prop_assert!(length > limit);
                prop_assert_eq!(error, BodyTooLarge { limit, size: Some(length) });
            }
        }
    }
}

#[test]
fn a_length_that_is_no_number_is_left_to_the_reading() {
    let mut reader = BodyReader::new(4, Some("lots")).unwrap();
    assert!(reader.push(b"12345").is_err());
}

fn cloud_api() -> Api {
    let form = ConnectionForm {
        name: "Cloud".to_owned(),
        token: "ATATT-demo-lee-cloud".to_owned(),
        pat: false,
        repository_url: "https://bitbucket.org/acme/checkout-tests".to_owned(),
        username: "lee@example.com".to_owned(),
        api_base_url: String::new(),
    };
    Api::new(&form.to_connection(&[]).unwrap())
}

#[test]
fn reads_carry_the_limit_of_what_they_read() {
    let api = cloud_api();
    let paths = ["t".to_owned()];
    let file = cloud::read_file(&api, "abc1234", "t/a.json").request;
    assert_eq!(file.max_response_bytes, MAX_FILE_BYTES as u64);
    let patch = cloud::diff(&api, "abc1234", "def5678").request;
    assert_eq!(patch.max_response_bytes, MAX_PATCH_BYTES);
    let archive = datacenter::archive(&api, &paths, "abc1234").request;
    assert_eq!(archive.max_response_bytes, MAX_ARCHIVE_BYTES);
    let commit = cloud::commit(&api, "abc1234").request;
    assert_eq!(commit.max_response_bytes, MAX_RESPONSE_BYTES);
}

#[test]
fn an_answer_too_large_to_read_is_an_error_naming_what_was_asked_for() {
    let call = cloud::read_file(&cloud_api(), "abc1234", "t/a.json");
    let refused = BodyTooLarge {
        limit: MAX_FILE_BYTES as u64,
        size: Some(200_000_000),
    };
    let error = call
        .parse(&ApiResponse::too_large(200, Vec::new(), refused))
        .unwrap_err();
    assert_eq!(
        error,
        ApiError::TooLarge {
            what: "The file `t/a.json` at `abc1234`".to_owned(),
            limit: MAX_FILE_BYTES as u64,
            size: Some(200_000_000),
        }
    );
    assert!(error.to_string().starts_with(
        "The file `t/a.json` at `abc1234` is larger than 4 MiB (Bitbucket announced 190.7 MiB)"
    ));
}

/// A manifest of `entries` entries in the shape a push writes.
fn manifest_of(entries: usize) -> Vec<u8> {
    let entry =
        r#"{"path":"test-artifacts/a--t1.json","sha256":"00","id":"t1","kind":"test_case"}"#;
    format!(
        r#"{{"schema_version":1,"files":[{}]}}"#,
        vec![entry; entries].join(",")
    )
    .into_bytes()
}

#[test]
fn a_manifest_is_refused_over_its_entries_or_its_bytes() {
    assert_eq!(
        Manifest::check_remote(&manifest_of(MAX_MANIFEST_ENTRIES)),
        Ok(())
    );
    let refusal = Manifest::check_remote(&manifest_of(MAX_MANIFEST_ENTRIES + 1)).unwrap_err();
    assert_eq!(
        refusal,
        ManifestRefusal::TooManyEntries {
            entries: MAX_MANIFEST_ENTRIES + 1,
            limit: MAX_MANIFEST_ENTRIES
        }
    );
    assert_eq!(
        refusal.to_string(),
        "lists 200001 files, more than the 200000 this app reads"
    );
    let large = vec![b' '; MAX_MANIFEST_BYTES + 1];
    assert_eq!(
        Manifest::check_remote(&large),
        Err(ManifestRefusal::TooLarge {
            size: Some(MAX_MANIFEST_BYTES as u64 + 1),
            limit: MAX_MANIFEST_BYTES as u64
        })
    );
    // What is no manifest at all is left to the parser, which says what is wrong.
    assert_eq!(Manifest::check_remote(b"{ not json"), Ok(()));
}
