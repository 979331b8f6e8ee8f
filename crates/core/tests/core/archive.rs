//! Project archives on the host: the round trip is byte-identical, and bad archives give errors, never
//! panics.
#![cfg(not(target_arch = "wasm32"))]

use versioning_core::artifacts::archive::{
    check_archive_size, read_project, read_zip, write_zip, ArchiveLimits, FileProblem,
    MAX_ARCHIVE_BYTES, MAX_ENTRY_BYTES, MAX_INFLATED_BYTES,
};
use versioning_core::artifacts::{demo, generate, to_files, LayoutOptions, ProjectFiles};

fn demo_files(index: usize) -> ProjectFiles {
    to_files(&demo::demo_projects()[index], &LayoutOptions::default())
}

#[test]
fn files_to_zip_to_files_is_byte_identical() {
    for index in 0..3 {
        let files = demo_files(index);
        let zip = write_zip(&files).unwrap();
        assert_eq!(read_zip(&zip, &ArchiveLimits::default()).unwrap(), files);
    }
    let synthetic = to_files(
        &generate::synthetic_project(3, 300),
        &LayoutOptions::default(),
    );
    let zip = write_zip(&synthetic).unwrap();
    assert_eq!(
        read_zip(&zip, &ArchiveLimits::default()).unwrap(),
        synthetic
    );
}

/// A large project's manifest is a small root and parts each far under the per-file limit, and the export
/// of a 10,000-test-case project imports again.
#[test]
fn a_large_project_exports_and_imports_again() {
    let project = generate::synthetic_project(5, 10_000);
    let files = to_files(&project, &LayoutOptions::default());
    let manifest: Vec<&String> = files.keys().filter(|p| p.contains("/.manifest")).collect();
    assert!(manifest.len() > 50, "{} parts", manifest.len() - 1);
    assert!(manifest
        .iter()
        .all(|path| files[*path].len() < MAX_ENTRY_BYTES / 8));
    let zip = write_zip(&files).unwrap();
    assert_eq!(
        read_project(&zip, &ArchiveLimits::default()).unwrap(),
        project
    );
}

#[test]
fn the_same_files_give_the_same_archive() {
    let files = demo_files(1);
    assert_eq!(write_zip(&files).unwrap(), write_zip(&files).unwrap());
}

#[test]
fn an_exported_project_imports_as_the_same_project() {
    let project = demo::demo_projects().remove(2);
    let zip = write_zip(&to_files(&project, &LayoutOptions::default())).unwrap();
    assert_eq!(
        read_project(&zip, &ArchiveLimits::default()).unwrap(),
        project
    );
}

fn whole_archive_problem(bytes: &[u8]) -> FileProblem {
    let problems = read_zip(bytes, &ArchiveLimits::default()).unwrap_err();
    assert_eq!(problems.len(), 1);
    problems.into_iter().next().unwrap()
}

#[test]
fn garbage_and_truncated_archives_are_errors() {
    assert_eq!(whole_archive_problem(b"").path, "");
    assert!(whole_archive_problem(b"not a zip at all")
        .message
        .contains(".zip"));
    let zip = write_zip(&demo_files(0)).unwrap();
    for cut in [10, zip.len() / 2, zip.len() - 10] {
        assert!(
            read_zip(&zip[..cut], &ArchiveLimits::default()).is_err(),
            "cut at {cut}"
        );
    }
}

#[test]
fn corrupt_bytes_never_panic() {
    let zip = write_zip(&demo_files(0)).unwrap();
    for position in (0..zip.len()).step_by(97) {
        let mut corrupt = zip.clone();
        corrupt[position] ^= 0x5a;
        let _ = read_project(&corrupt, &ArchiveLimits::default());
    }
}

#[test]
fn damaged_content_is_reported_against_its_file() {
    let files = demo_files(0);
    let zip = write_zip(&files).unwrap();
    // Flip a byte inside the first entry's compressed data (after its 30-byte header and name).
    let first = files.keys().next().unwrap();
    let mut corrupt = zip.clone();
    corrupt[30 + first.len() + 2] ^= 0xff;
    let problems = read_zip(&corrupt, &ArchiveLimits::default()).unwrap_err();
    assert!(problems.iter().all(|p| !p.message.is_empty()));
    assert!(problems.iter().any(|p| &p.path == first), "{problems:?}");
}

#[test]
fn limits_refuse_large_files_and_many_entries() {
    let files = demo_files(0);
    let zip = write_zip(&files).unwrap();
    let small = ArchiveLimits {
        max_file_bytes: 64,
        ..ArchiveLimits::default()
    };
    let problems = read_zip(&zip, &small).unwrap_err();
    assert!(problems
        .iter()
        .all(|p| p.message.contains("larger than 64 bytes")));
    let few = ArchiveLimits {
        max_entries: 2,
        ..ArchiveLimits::default()
    };
    assert!(read_zip(&zip, &few).unwrap_err()[0]
        .message
        .contains("entries"));
    let total = ArchiveLimits {
        max_total_bytes: 1000,
        ..ArchiveLimits::default()
    };
    assert!(read_zip(&zip, &total).is_err());
}

#[test]
fn an_archive_that_is_not_a_project_lists_core_errors_per_file() {
    let mut files = demo_files(0);
    let project_file = files
        .keys()
        .find(|p| p.ends_with("/project.json"))
        .unwrap()
        .clone();
    files.remove(&project_file);
    files.insert("test-artifacts/notes.txt".into(), b"hello".to_vec());
    let zip = write_zip(&files).unwrap();
    let problems = read_project(&zip, &ArchiveLimits::default()).unwrap_err();
    assert!(problems
        .iter()
        .any(|p| p.path == "test-artifacts/notes.txt"));
    assert!(problems.iter().any(|p| p.message.contains("project.json")));
}

#[test]
fn an_archive_file_over_the_limit_is_refused_from_its_size_alone() {
    let limits = ArchiveLimits::default();
    assert_eq!(limits.max_archive_bytes, 128 * 1024 * 1024);
    assert!(check_archive_size(0.0, &limits).is_ok());
    assert!(check_archive_size(MAX_ARCHIVE_BYTES as f64, &limits).is_ok());
    let problem = check_archive_size(MAX_ARCHIVE_BYTES as f64 + 1.0, &limits).unwrap_err();
    assert_eq!(problem.path, "");
    assert!(
        problem.message.contains("at most 128 MiB"),
        "{}",
        problem.message
    );
    assert!(check_archive_size(f64::NAN, &limits).is_err());
    assert!(check_archive_size(f64::INFINITY, &limits).is_err());
}

#[test]
fn the_default_limits_bound_what_is_inflated() {
    let limits = ArchiveLimits::default();
    assert_eq!(limits.max_total_bytes, MAX_INFLATED_BYTES);
    // Room for a project of 100,000 test cases (about 170 MiB of files in 106,000 entries), no more.
    assert_eq!(MAX_INFLATED_BYTES, 512 * 1024 * 1024);
    assert_eq!(limits.max_file_bytes, MAX_ENTRY_BYTES);
    const { assert!(MAX_ENTRY_BYTES <= 2 * 1024 * 1024) };
    assert!(limits.max_entries <= 250_000);
    // A small file that inflates beyond the per-entry limit (a "zip bomb") is refused.
    let mut files = ProjectFiles::new();
    files.insert(
        "test-artifacts/big.json".into(),
        vec![b' '; MAX_ENTRY_BYTES + 1],
    );
    let zip = write_zip(&files).unwrap();
    assert!(zip.len() < 64 * 1024, "compressed to {}", zip.len());
    let problems = read_zip(&zip, &limits).unwrap_err();
    assert!(problems[0].message.contains("larger than"), "{problems:?}");
}
