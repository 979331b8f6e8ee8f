//! Reading the files a git patch creates (Bitbucket Cloud's raw diff): every new file comes back byte for
//! byte among changed, deleted, binary and linked ones; what is not one whole new regular file is left
//! out; the limits hold, a file over the file limit is left at the limit; damaged input never panics.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeMap;

use proptest::prelude::*;
use versioning_core::artifacts::archive::ArchiveLimits;
use versioning_core::artifacts::patch::added_files;

/// The section of a file `git diff` prints when the file is new.
fn new_file(path: &str, content: &[u8]) -> Vec<u8> {
    let mut out =
        format!("diff --git a/{path} b/{path}\nnew file mode 100644\nindex 0000000..1f2e3d4\n")
            .into_bytes();
    if content.is_empty() {
        return out;
    }
    let lines: Vec<&[u8]> = content.split_inclusive(|&b| b == b'\n').collect();
    let range = match lines.len() {
        1 => "1".to_owned(),
        n => format!("1,{n}"),
    };
    // Git ends a name that holds a space with a tab on the `+++` line.
    let tab = if path.contains(' ') { "\t" } else { "" };
    out.extend(format!("--- /dev/null\n+++ b/{path}{tab}\n@@ -0,0 +{range} @@\n").bytes());
    for line in lines {
        out.push(b'+');
        out.extend_from_slice(line);
        if !line.ends_with(b"\n") {
            out.extend_from_slice(b"\n\\ No newline at end of file\n");
        }
    }
    out
}

/// Sections of files the patch changes rather than creates.
const OTHERS: &str = "diff --git a/t/old.json b/t/old.json\n\
index 1111111..2222222 100644\n\
--- a/t/old.json\n\
+++ b/t/old.json\n\
@@ -1,2 +1,2 @@\n\
 {\n\
-  \"a\": 1\n\
+  \"a\": 2\n\
diff --git a/t/gone.json b/t/gone.json\n\
deleted file mode 100644\n\
index 3333333..0000000\n\
--- a/t/gone.json\n\
+++ /dev/null\n\
@@ -1 +0,0 @@\n\
-x\n\
diff --git a/t/image.png b/t/image.png\n\
new file mode 100644\n\
index 0000000..4444444\n\
Binary files /dev/null and b/t/image.png differ\n\
diff --git a/t/link.json b/t/link.json\n\
new file mode 120000\n\
index 0000000..5555555\n\
--- /dev/null\n\
+++ b/t/link.json\n\
@@ -0,0 +1 @@\n\
+../../etc/passwd\n\
\\ No newline at end of file\n\
diff --git \"a/t/caf\\303\\251.json\" \"b/t/caf\\303\\251.json\"\n\
new file mode 100644\n\
index 0000000..6666666\n\
--- /dev/null\n\
+++ \"b/t/caf\\303\\251.json\"\n\
@@ -0,0 +1 @@\n\
+{}\n";

fn content() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            Just(b'\n'),
            Just(b'\r'),
            Just(b'+'),
            Just(b'\\'),
            any::<u8>()
        ],
        0..200,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    /// Every new file comes back as it was, whatever its bytes, wherever the other sections are.
    #[test]
    fn new_files_come_back_byte_for_byte(
        files in prop::collection::btree_map("t/[a-z]{1,8}( [a-z]{1,3})?\\.json", content(), 0..12),
        others_at in 0usize..12,
    ) {
        let mut patch = Vec::new();
        for (n, (path, bytes)) in files.iter().enumerate() {
            if n == others_at {
                patch.extend_from_slice(OTHERS.as_bytes());
            }
            patch.extend(new_file(path, bytes));
        }
        if others_at >= files.len() {
            patch.extend_from_slice(OTHERS.as_bytes());
        }
        prop_assert_eq!(added_files(&patch, &ArchiveLimits::default()), files);
    }

    /// A new file is kept exactly when it fits the file limit, whatever its last line, and the file after
    /// it is read either way: a hunk stops at the limit, and what is left of it is skipped.
    #[test]
    fn a_file_is_kept_exactly_when_it_fits(bytes in content(), limit in 3usize..200) {
        let mut patch = new_file("t/big.json", &bytes);
        patch.extend(new_file("t/next.json", b"{}\n"));
        let limits = ArchiveLimits { max_file_bytes: limit, ..ArchiveLimits::default() };
        let files = added_files(&patch, &limits);
        prop_assert_eq!(files.contains_key("t/big.json"), bytes.len() <= limit);
        prop_assert_eq!(files.get("t/next.json").map(Vec::as_slice), Some(&b"{}\n"[..]));
    }

    /// Damaged patches (cut, bytes changed) never panic and keep within the limits.
    #[test]
    fn damaged_patches_never_panic(cut in 0usize..2_000, flips in prop::collection::vec((0usize..2_000, any::<u8>()), 0..8)) {
        let mut patch = new_file("t/a.json", b"{\n  \"name\": \"A\"\n}\n");
        patch.extend_from_slice(OTHERS.as_bytes());
        patch.extend(new_file("t/b.json", b"x"));
        for (at, byte) in flips {
            let len = patch.len();
            patch[at % len] = byte;
        }
        patch.truncate(cut.min(patch.len()));
        let limits = ArchiveLimits { max_file_bytes: 16, ..ArchiveLimits::default() };
        let files = added_files(&patch, &limits);
        prop_assert!(files.values().all(|f| f.len() <= 16));
    }
}

#[test]
fn leaves_out_what_is_not_a_whole_new_regular_file() {
    let files = added_files(OTHERS.as_bytes(), &ArchiveLimits::default());
    assert_eq!(files, BTreeMap::new());
}

#[test]
fn leaves_out_a_hunk_shorter_than_it_says_and_reads_on() {
    let mut patch = new_file("t/a.json", b"1\n2\n3\n");
    let cut = patch.len() - "+3\n".len();
    patch.truncate(cut);
    patch.extend(new_file("t/b.json", b"b\n"));
    let files = added_files(&patch, &ArchiveLimits::default());
    assert_eq!(files.keys().collect::<Vec<_>>(), ["t/b.json"]);
}

#[test]
fn keeps_within_the_limits() {
    let mut patch = Vec::new();
    for (path, size) in [
        ("t/a", 10),
        ("t/big", 40),
        ("t/b", 10),
        ("t/c", 10),
        ("t/d", 1),
    ] {
        patch.extend(new_file(path, &vec![b'x'; size]));
    }
    let limits = ArchiveLimits {
        max_file_bytes: 20,
        max_total_bytes: 25,
        max_entries: 3,
        ..ArchiveLimits::default()
    };
    let files = added_files(&patch, &limits);
    // `big` is over the file limit, `c` over the total; `d` is the third entry.
    assert_eq!(files.keys().collect::<Vec<_>>(), ["t/a", "t/b", "t/d"]);
}

/// What `git diff` (2.47) printed for three new files: a name with a space, a file without a final
/// newline, and an empty one.
const GIT_PRINTED: &str = "diff --git a/t/a b.json b/t/a b.json\n\
new file mode 100644\n\
index 0000000..587be6b\n\
--- /dev/null\n\
+++ b/t/a b.json\t\n\
@@ -0,0 +1 @@\n\
+x\n\
diff --git a/t/c.json b/t/c.json\n\
new file mode 100644\n\
index 0000000..e25f181\n\
--- /dev/null\n\
+++ b/t/c.json\n\
@@ -0,0 +1 @@\n\
+y\n\
\\ No newline at end of file\n\
diff --git a/t/empty.json b/t/empty.json\n\
new file mode 100644\n\
index 0000000..e69de29\n\
";

#[test]
fn reads_what_git_prints() {
    let files = added_files(GIT_PRINTED.as_bytes(), &ArchiveLimits::default());
    let expected: BTreeMap<String, Vec<u8>> = [
        ("t/a b.json", &b"x\n"[..]),
        ("t/c.json", b"y"),
        ("t/empty.json", b""),
    ]
    .into_iter()
    .map(|(path, bytes)| (path.to_owned(), bytes.to_vec()))
    .collect();
    assert_eq!(files, expected);
}
