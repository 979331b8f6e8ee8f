//! Parts of a bulk read: every path is read by exactly one part, and each part keeps within its bounds.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use versioning_core::sync::folder_parts;

/// Whether a filter (a folder or a file) takes `path`.
fn takes(filter: &str, path: &str) -> bool {
    path == filter
        || path
            .strip_prefix(filter)
            .is_some_and(|rest| rest.starts_with('/'))
}

fn tree() -> impl Strategy<Value = Vec<String>> {
    let segment = prop_oneof![Just("a"), Just("a-b"), Just("b"), Just("c.json")];
    let path =
        prop::collection::vec(segment, 1..5).prop_map(|parts| format!("t/{}", parts.join("/")));
    prop::collection::btree_set(path, 0..200).prop_map(|paths| {
        // A file cannot also be a folder.
        let all: Vec<String> = paths.iter().cloned().collect();
        all.iter()
            .filter(|p| !all.iter().any(|q| q.starts_with(&format!("{p}/"))))
            .cloned()
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn every_path_is_read_once_and_parts_keep_their_bounds(
        paths in tree(),
        max_files in 1usize..40,
        max_filters in 1usize..6,
    ) {
        let refs: Vec<&str> = paths.iter().map(String::as_str).collect();
        let parts = folder_parts(&refs, "t", max_files, max_filters);
        for path in &paths {
            let readers = parts.iter().flatten().filter(|f| takes(f, path)).count();
            prop_assert_eq!(readers, 1, "{} in {:?}", path, parts);
        }
        for part in &parts {
            prop_assert!(!part.is_empty() && part.len() <= max_filters, "{:?}", part);
            let files = paths.iter().filter(|p| part.iter().any(|f| takes(f, p))).count();
            prop_assert!(files <= max_files || part.len() == 1 && paths.contains(&part[0]), "{:?}", part);
        }
        prop_assert_eq!(parts.is_empty(), paths.is_empty());
    }
}

#[test]
fn a_small_folder_is_one_filter() {
    assert_eq!(folder_parts(&["t/a/1", "t/b"], "t/", 250, 20), [vec!["t"]]);
}
