//! Where an artifact file sits in the repository's layout and what it is: its kind from its path, its
//! manifest entry from its bytes, and the child lists a folder of test cases holds.

use crate::artifacts::{
    from_files, sha256_hex, ArtifactId, ArtifactKind, ArtifactPath, LayoutOptions, ManifestEntry,
    ProjectFiles, ReadLimits, TreeErrorKind,
};

/// The kind of artifact file at a repository path, or why the path cannot be one.
pub(super) fn path_kind(
    path: &str,
    options: &LayoutOptions,
) -> Result<ArtifactKind, TreeErrorKind> {
    let relative = options
        .relative(path)
        .ok_or_else(|| TreeErrorKind::OutsideRoot {
            root: options.root().to_owned(),
        })?;
    if let Ok(kind) = ArtifactPath::kind_of(relative) {
        return Ok(kind);
    }
    // The reader says precisely why (unsafe path, invalid id, unknown file).
    let single = ProjectFiles::from([(path.to_owned(), Vec::new())]);
    let errors = from_files(&single, options, &ReadLimits::default()).err();
    Err(errors
        .into_iter()
        .flat_map(|e| e.0)
        .map(|e| e.kind)
        .find(|kind| {
            matches!(
                kind,
                TreeErrorKind::UnsafePath { .. } | TreeErrorKind::InvalidId(_)
            )
        })
        .unwrap_or(TreeErrorKind::UnknownFile))
}

/// The manifest entry of a file read from a tree without manifest.
pub(super) fn entry_of(path: &str, bytes: &[u8], options: &LayoutOptions) -> Option<ManifestEntry> {
    let place = ArtifactPath::parse(options.relative(path)?).ok()?;
    let id = match &place {
        ArtifactPath::Project => serde_json::from_slice::<serde_json::Value>(bytes)
            .ok()?
            .get("id")?
            .as_str()
            .and_then(|id| ArtifactId::new(id).ok())?,
        ArtifactPath::Suite { id }
        | ArtifactPath::Scenario { id, .. }
        | ArtifactPath::TestCase { id, .. }
        | ArtifactPath::ElementRepository { id }
        | ArtifactPath::DataTable { id }
        | ArtifactPath::DataTableRows { id }
        | ArtifactPath::ExecutionList { id } => id.clone(),
    };
    Some(ManifestEntry {
        path: path.into(),
        sha256: sha256_hex(bytes).into(),
        id,
        kind: place.kind(),
    })
}

/// The `name` of an artifact file, if it has one.
pub(super) fn name_of(bytes: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Named {
        name: String,
    }
    serde_json::from_slice::<Named>(bytes).ok().map(|n| n.name)
}

/// The keys of parent files that list children by id.
pub(super) const CHILD_LISTS: [&str; 6] = [
    "suites",
    "scenarios",
    "test_cases",
    "element_repositories",
    "data_tables",
    "execution_lists",
];
