//! The archive reader against damaged input on the host: truncated, bit-flipped, overwritten and
//! random archives give errors (or files), never a panic, and stay within the limits.
#![cfg(not(target_arch = "wasm32"))]

use std::sync::OnceLock;

use proptest::prelude::*;
use versioning_core::artifacts::archive::{read_project, read_zip, write_zip, ArchiveLimits};
use versioning_core::artifacts::{demo, to_files, LayoutOptions};

/// A real export, made once.
fn export() -> &'static [u8] {
    static ZIP: OnceLock<Vec<u8>> = OnceLock::new();
    ZIP.get_or_init(|| {
        let project = demo::demo_projects().remove(0);
        write_zip(&to_files(&project, &LayoutOptions::default())).unwrap()
    })
}

fn limits() -> ArchiveLimits {
    ArchiveLimits {
        max_file_bytes: 64 * 1024,
        max_total_bytes: 256 * 1024,
        ..ArchiveLimits::default()
    }
}

/// Reads the bytes both ways; whatever comes back respects the limits.
fn read_never_panics(bytes: &[u8]) {
    let limits = limits();
    if let Ok(files) = read_zip(bytes, &limits) {
        assert!(files.values().all(|f| f.len() <= limits.max_file_bytes));
        assert!(files.values().map(Vec::len).sum::<usize>() <= limits.max_total_bytes);
    }
    let _ = read_project(bytes, &limits);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn flipped_bits_never_panic(flips in proptest::collection::vec((any::<prop::sample::Index>(), 0u8..8), 1..12)) {
        let mut bytes = export().to_vec();
        for (index, bit) in flips {
            let position = index.index(bytes.len());
            bytes[position] ^= 1 << bit;
        }
        read_never_panics(&bytes);
    }

    #[test]
    fn truncated_archives_never_panic(cut in any::<prop::sample::Index>(), from_start in any::<bool>()) {
        let zip = export();
        let at = cut.index(zip.len());
        let bytes = if from_start { &zip[at..] } else { &zip[..at] };
        read_never_panics(bytes);
    }

    #[test]
    fn overwritten_spans_never_panic(
        start in any::<prop::sample::Index>(),
        span in proptest::collection::vec(any::<u8>(), 1..64),
    ) {
        let mut bytes = export().to_vec();
        let start = start.index(bytes.len());
        for (offset, byte) in span.into_iter().enumerate() {
            if let Some(slot) = bytes.get_mut(start + offset) {
                *slot = byte;
            }
        }
        read_never_panics(&bytes);
    }

    #[test]
    fn inserted_and_removed_bytes_never_panic(
        at in any::<prop::sample::Index>(),
        inserted in proptest::collection::vec(any::<u8>(), 0..32),
        removed in 0usize..32,
    ) {
        let zip = export();
        let at = at.index(zip.len());
        let mut bytes = zip[..at].to_vec();
        bytes.extend(inserted);
        bytes.extend_from_slice(&zip[(at + removed).min(zip.len())..]);
        read_never_panics(&bytes);
    }

    #[test]
    fn random_bytes_with_zip_signatures_never_panic(
        body in proptest::collection::vec(any::<u8>(), 0..2048),
        local_header in any::<bool>(),
    ) {
        let mut bytes = Vec::new();
        if local_header {
            bytes.extend_from_slice(b"PK\x03\x04");
        }
        bytes.extend(body);
        // An end-of-central-directory record pointing into the random bytes.
        bytes.extend_from_slice(b"PK\x05\x06\0\0\0\0\x01\0\x01\0\x2e\0\0\0\0\0\0\0\0\0");
        read_never_panics(&bytes);
    }
}
