//! The trees of a commit that changes some files, planned without a clone.
//!
//! Only the folders that hold a changed path, and their ancestors up to the root, get new trees;
//! every other entry keeps its object id and mode. What those folders hold comes from Data
//! Center's folder listings (`GET …/browse/{folder}?at={parent commit}`: each child's name,
//! `contentId` (its object id) and `type`: `FILE`, `DIRECTORY` or `SUBMODULE`). A listing does
//! not tell a regular file from an executable or a symbolic link, so the mode of each file kept
//! in a rebuilt folder must be given ([`TreePlan::kept_files`] names them; Data Center's archive of
//! those paths tells them: [`super::archive_modes`]); a file whose mode is not given stops the plan
//! rather than being guessed.
//!
//! The steps: [`TreePlan::new`] with the changes, [`TreePlan::folders`] to list, then
//! [`TreePlan::kept_files`] and [`TreePlan::build`] with the listings (and the kept files' modes).

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use super::objects::{
    check_entry_name, FileMode, Object, ObjectError, ObjectId, ObjectIdError, Tree, TreeEntry,
};

/// What a folder listing says an entry is (Data Center's `type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum ListedKind {
    /// A file: regular, executable or a symbolic link (the listing does not say which).
    File,
    /// A folder.
    Directory,
    /// A submodule.
    Submodule,
}

/// One entry of a folder listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedEntry {
    /// Its name in the folder.
    pub name: String,
    /// Its object id (Data Center's `contentId`).
    pub id: ObjectId,
    /// File, folder or submodule.
    pub kind: ListedKind,
}

/// One page of a Data Center folder listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListingPage {
    /// The entries of this page.
    pub entries: Vec<ListedEntry>,
    /// The `start` of the next page, unless this is the last.
    pub next_start: Option<u64>,
}

#[derive(Deserialize)]
struct Browse {
    children: Children,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Children {
    values: Vec<Child>,
    is_last_page: bool,
    next_page_start: Option<u64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Child {
    path: ChildPath,
    content_id: String,
    #[serde(rename = "type")]
    kind: ListedKind,
}

#[derive(Deserialize)]
struct ChildPath {
    name: String,
}

/// Reads one page of `GET …/browse/{folder}?at=…` (a folder's answer: `children` paged).
pub fn parse_listing_page(body: &[u8]) -> Result<ListingPage, TreePlanError> {
    let browse: Browse =
        serde_json::from_slice(body).map_err(|e| TreePlanError::Listing(e.to_string()))?;
    let children = browse.children;
    let next_start = match (children.is_last_page, children.next_page_start) {
        (true, _) => None,
        (false, Some(start)) => Some(start),
        (false, None) => {
            let missing = "a page that is not the last names no nextPageStart";
            return Err(TreePlanError::Listing(missing.to_owned()));
        }
    };
    let entries = children
        .values
        .into_iter()
        .map(|child| {
            Ok(ListedEntry {
                name: child.path.name,
                id: child.content_id.parse()?,
                kind: child.kind,
            })
        })
        .collect::<Result<_, TreePlanError>>()?;
    Ok(ListingPage {
        entries,
        next_start,
    })
}

/// What becomes of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Written with these bytes, as a regular file (new or changed).
    Write(Vec<u8>),
    /// Deleted (nothing happens when it does not exist).
    Delete,
}

/// Why the trees cannot be planned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TreePlanError {
    /// A path git cannot hold (an empty, `.`, `..` or `.git` component, a NUL).
    #[error("{0:?} is not a path a git tree can hold")]
    Path(String),
    /// A path the change writes as a file and also as a folder of another path.
    #[error("{0:?} is both a file and a folder of the change")]
    Overlap(String),
    /// A folder the plan needs was not listed.
    #[error("the folder {0:?} was not listed")]
    NotListed(String),
    /// A kept file whose mode (regular, executable, link) was not given.
    #[error("the mode of {0:?} is not known (a file, an executable or a link), and a push must not guess it")]
    UnknownMode(String),
    /// A file to write or delete is a folder or a submodule in the repository.
    #[error("{0:?} is a folder or a submodule in the repository, not a file")]
    NotAFile(String),
    /// A folder of the change is a file or a submodule in the repository.
    #[error("{0:?} is a file or a submodule in the repository, not a folder")]
    NotAFolder(String),
    /// A listing that cannot be read.
    #[error("not a Data Center folder listing: {0}")]
    Listing(String),
    /// A listed id that is not one.
    #[error(transparent)]
    ObjectId(#[from] ObjectIdError),
    /// A tree that cannot be written.
    #[error(transparent)]
    Object(#[from] ObjectError),
}

/// Listings of the folders a plan needs, by folder path (`""`: the root); `None` for a folder that
/// does not exist at the parent commit (Data Center answers 404).
pub type Listings = BTreeMap<String, Option<Vec<ListedEntry>>>;

/// The changes of one commit, by repository path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreePlan {
    changes: BTreeMap<String, Change>,
}

/// The trees the plan built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedTrees {
    /// The new root tree.
    pub root: ObjectId,
    /// The rebuilt trees and the written blobs that differ from the listed ones: what the pack
    /// carries besides the commit.
    pub objects: Vec<Object>,
    /// Whether any file is written with other bytes or deleted (otherwise the commit would
    /// change nothing).
    pub changed: bool,
}

impl TreePlan {
    /// A plan of `changes`; refused when a path cannot be held by git or is a folder of another.
    pub fn new(changes: BTreeMap<String, Change>) -> Result<TreePlan, TreePlanError> {
        for path in changes.keys() {
            if path.split('/').any(|name| check_entry_name(name).is_err()) {
                return Err(TreePlanError::Path(path.clone()));
            }
            if let Some(folder) = ancestors(path).find(|f| changes.contains_key(*f)) {
                return Err(TreePlanError::Overlap(folder.to_owned()));
            }
        }
        Ok(TreePlan { changes })
    }

    /// Every folder whose listing the plan needs: the root (`""`), each folder holding a changed
    /// path and their ancestors.
    pub fn folders(&self) -> BTreeSet<String> {
        let mut folders = BTreeSet::from([String::new()]);
        for path in self.changes.keys() {
            folders.extend(ancestors(path).map(str::to_owned));
        }
        folders
    }

    /// The folders of [`TreePlan::folders`] that hold one of `paths` (files known to be at the
    /// parent, such as those its manifest lists), with the root: they can be listed at once, without
    /// waiting for their parent's listing to show them.
    pub fn folders_holding<'a>(
        &self,
        paths: impl IntoIterator<Item = &'a str>,
    ) -> BTreeSet<String> {
        let folders = self.folders();
        let mut held = BTreeSet::from([String::new()]);
        for path in paths {
            let planned = ancestors(path).filter(|folder| folders.contains(*folder));
            held.extend(planned.map(str::to_owned));
        }
        held
    }

    /// The files that the rebuilt folders keep as they are, whose modes [`TreePlan::build`] needs.
    pub fn kept_files(&self, listings: &Listings) -> Vec<String> {
        let folders = self.folders();
        listings
            .iter()
            .filter(|(folder, _)| folders.contains(*folder))
            .flat_map(|(folder, listing)| {
                let files = listing
                    .iter()
                    .flatten()
                    .filter(|e| e.kind == ListedKind::File);
                files.map(move |entry| join(folder, &entry.name))
            })
            .filter(|path| !self.changes.contains_key(path))
            .collect()
    }

    /// Builds the new trees from the parent's `listings` of [`TreePlan::folders`] and the `modes`
    /// of [`TreePlan::kept_files`]: deepest folder first, a folder left empty dropped from its
    /// parent (git holds no empty folder), the root kept even when empty.
    pub fn build(
        self,
        listings: &Listings,
        modes: &BTreeMap<String, FileMode>,
    ) -> Result<PlannedTrees, TreePlanError> {
        let folders = self.folders();
        let mut by_folder: BTreeMap<String, Vec<(String, Change)>> = BTreeMap::new();
        for (path, change) in self.changes {
            let (folder, name) = split(&path);
            by_folder
                .entry(folder.to_owned())
                .or_default()
                .push((name.to_owned(), change));
        }
        let mut order: Vec<&String> = folders.iter().collect();
        order.sort_by_key(|folder| Reverse(depth(folder)));
        let mut built: BTreeMap<&str, Option<ObjectId>> = BTreeMap::new();
        let mut planned = PlannedTrees {
            root: ObjectId::ZERO,
            objects: Vec::new(),
            changed: false,
        };
        for folder in order {
            let listing = listings
                .get(folder)
                .ok_or_else(|| TreePlanError::NotListed(folder.clone()))?;
            let listed: BTreeMap<&str, &ListedEntry> = listing
                .iter()
                .flatten()
                .map(|entry| (entry.name.as_str(), entry))
                .collect();
            let changes = by_folder.remove(folder.as_str()).unwrap_or_default();
            let replaced: BTreeSet<&str> = changes.iter().map(|(name, _)| name.as_str()).collect();
            let mut tree = Tree::new();
            for (name, entry) in &listed {
                let path = join(folder, name);
                if replaced.contains(name) || folders.contains(&path) {
                    continue;
                }
                let mode = match entry.kind {
                    ListedKind::Directory => FileMode::Tree,
                    ListedKind::Submodule => FileMode::Submodule,
                    ListedKind::File => {
                        *modes.get(&path).ok_or(TreePlanError::UnknownMode(path))?
                    }
                };
                tree.insert(name, TreeEntry { mode, id: entry.id })?;
            }
            for (name, change) in changes {
                let before = listed.get(name.as_str());
                if before.is_some_and(|entry| entry.kind != ListedKind::File) {
                    return Err(TreePlanError::NotAFile(join(folder, &name)));
                }
                match change {
                    Change::Write(bytes) => {
                        let blob = Object::blob(bytes);
                        let file = TreeEntry {
                            mode: FileMode::Regular,
                            id: blob.id(),
                        };
                        tree.insert(&name, file)?;
                        if before.map(|entry| entry.id) != Some(blob.id()) {
                            planned.changed = true;
                            planned.objects.push(blob);
                        }
                    }
                    Change::Delete => planned.changed |= before.is_some(),
                }
            }
            for child in folders
                .iter()
                .filter(|f| !f.is_empty() && split(f).0 == folder)
            {
                let name = split(child).1;
                if listed
                    .get(name)
                    .is_some_and(|e| e.kind != ListedKind::Directory)
                {
                    return Err(TreePlanError::NotAFolder(child.clone()));
                }
                if let Some(id) = built.get(child.as_str()).copied().flatten() {
                    tree.insert(
                        name,
                        TreeEntry {
                            mode: FileMode::Tree,
                            id,
                        },
                    )?;
                }
            }
            let id = match tree.is_empty() && !folder.is_empty() {
                true => None,
                false => {
                    let object = tree.to_object();
                    let id = object.id();
                    planned.objects.push(object);
                    Some(id)
                }
            };
            built.insert(folder, id);
            if folder.is_empty() {
                planned.root = id.unwrap_or(ObjectId::ZERO);
            }
        }
        Ok(planned)
    }
}

/// The folders above `path`, innermost first (the root, `""`, excluded).
fn ancestors(path: &str) -> impl Iterator<Item = &str> {
    path.match_indices('/').map(|(i, _)| &path[..i]).rev()
}

/// The folder of `path` (`""` at the root) and its last name.
fn split(path: &str) -> (&str, &str) {
    path.rsplit_once('/').unwrap_or(("", path))
}

/// `name` in `folder` (`""`: the root), as a repository path.
pub fn join(folder: &str, name: &str) -> String {
    match folder.is_empty() {
        true => name.to_owned(),
        false => format!("{folder}/{name}"),
    }
}

fn depth(folder: &str) -> usize {
    match folder.is_empty() {
        true => 0,
        false => folder.matches('/').count() + 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn oid(id: git2::Oid) -> ObjectId {
        id.to_string().parse().unwrap()
    }

    /// A repository whose root holds a regular file, an executable, a link, a submodule and the
    /// artifact folder; the repository and the root tree.
    fn parent() -> (tempfile::TempDir, git2::Repository, git2::Oid) {
        let dir = tempfile::tempdir().unwrap();
        let repo = git2::Repository::init_bare(dir.path()).unwrap();
        let blob = |text: &str| repo.blob(text.as_bytes()).unwrap();
        let tree = |entries: &[(&str, git2::Oid, i32)]| {
            let mut builder = repo.treebuilder(None).unwrap();
            for (name, id, mode) in entries {
                builder.insert(name, *id, *mode).unwrap();
            }
            builder.write().unwrap()
        };
        let suites = tree(&[
            ("a.json", blob("a"), 0o100644),
            ("b.json", blob("b"), 0o100644),
        ]);
        let lone = tree(&[("only.json", blob("only"), 0o100644)]);
        let artifacts = tree(&[
            ("project.json", blob("{}"), 0o100644),
            ("suites", suites, 0o040000),
            ("lone", lone, 0o040000),
        ]);
        let submodule = git2::Oid::from_str(&"5".repeat(40)).unwrap();
        let root = tree(&[
            ("README.md", blob("# readme"), 0o100644),
            ("gradlew", blob("#!/bin/sh"), 0o100755),
            ("docs", blob("README.md"), 0o120000),
            ("vendor", submodule, 0o160000),
            ("test-artifacts", artifacts, 0o040000),
        ]);
        (dir, repo, root)
    }

    /// What Data Center's browse lists for a folder of `root` (`None` when it does not exist).
    fn listing(repo: &git2::Repository, root: git2::Oid, folder: &str) -> Option<Vec<ListedEntry>> {
        let root = repo.find_tree(root).unwrap();
        let tree = match folder.is_empty() {
            true => root,
            false => {
                let entry = root.get_path(std::path::Path::new(folder)).ok()?;
                repo.find_tree(entry.id()).ok()?
            }
        };
        let entries = tree.iter().map(|entry| ListedEntry {
            name: entry.name().unwrap().to_owned(),
            id: oid(entry.id()),
            kind: match entry.filemode() {
                0o040000 => ListedKind::Directory,
                0o160000 => ListedKind::Submodule,
                _ => ListedKind::File,
            },
        });
        Some(entries.collect())
    }

    fn listings(plan: &TreePlan, repo: &git2::Repository, root: git2::Oid) -> Listings {
        let folders = plan.folders().into_iter();
        folders
            .map(|f| (f.clone(), listing(repo, root, &f)))
            .collect()
    }

    fn root_modes() -> BTreeMap<String, FileMode> {
        BTreeMap::from([
            ("README.md".to_owned(), FileMode::Regular),
            ("gradlew".to_owned(), FileMode::Executable),
            ("docs".to_owned(), FileMode::Symlink),
            ("test-artifacts/project.json".to_owned(), FileMode::Regular),
            ("test-artifacts/suites/b.json".to_owned(), FileMode::Regular),
        ])
    }

    #[test]
    fn only_the_changed_folders_get_new_trees_as_git_would_write_them() {
        let (_dir, repo, root) = parent();
        let changes = BTreeMap::from([
            (
                "test-artifacts/suites/a.json".to_owned(),
                Change::Write(b"A".to_vec()),
            ),
            (
                "test-artifacts/suites/s1/new.json".to_owned(),
                Change::Write(b"n".to_vec()),
            ),
            ("test-artifacts/lone/only.json".to_owned(), Change::Delete),
            ("test-artifacts/gone.json".to_owned(), Change::Delete),
        ]);
        let plan = TreePlan::new(changes).unwrap();
        assert_eq!(
            plan.folders().into_iter().collect::<Vec<_>>(),
            [
                "",
                "test-artifacts",
                "test-artifacts/lone",
                "test-artifacts/suites",
                "test-artifacts/suites/s1"
            ]
        );
        let listings = listings(&plan, &repo, root);
        let kept: BTreeSet<String> = plan.kept_files(&listings).into_iter().collect();
        assert_eq!(kept, root_modes().into_keys().collect());
        let planned = plan.build(&listings, &root_modes()).unwrap();
        assert!(planned.changed);

        let a = repo.blob(b"A").unwrap();
        let new = repo.blob(b"n").unwrap();
        let expected = git2::build::TreeUpdateBuilder::new()
            .upsert("test-artifacts/suites/a.json", a, git2::FileMode::Blob)
            .upsert(
                "test-artifacts/suites/s1/new.json",
                new,
                git2::FileMode::Blob,
            )
            .remove("test-artifacts/lone/only.json")
            .create_updated(&repo, &repo.find_tree(root).unwrap())
            .unwrap();
        assert_eq!(planned.root, oid(expected));
        let kinds: Vec<_> = planned.objects.iter().map(Object::kind).collect();
        assert_eq!(kinds.iter().filter(|k| k.name() == "blob").count(), 2);
        assert_eq!(
            kinds.iter().filter(|k| k.name() == "tree").count(),
            4,
            "lone is dropped"
        );
    }

    #[test]
    fn a_file_whose_mode_is_not_known_stops_the_plan() {
        let (_dir, repo, root) = parent();
        let changes = BTreeMap::from([("new.json".to_owned(), Change::Write(b"x".to_vec()))]);
        let plan = TreePlan::new(changes).unwrap();
        let listings = listings(&plan, &repo, root);
        let mut modes = root_modes();
        modes.remove("docs");
        assert_eq!(
            plan.build(&listings, &modes),
            Err(TreePlanError::UnknownMode("docs".to_owned()))
        );
    }

    #[test]
    fn writing_the_same_bytes_changes_nothing() {
        let (_dir, repo, root) = parent();
        let changes = BTreeMap::from([
            ("README.md".to_owned(), Change::Write(b"# readme".to_vec())),
            ("missing.json".to_owned(), Change::Delete),
        ]);
        let plan = TreePlan::new(changes).unwrap();
        let listings = listings(&plan, &repo, root);
        let planned = plan.build(&listings, &root_modes()).unwrap();
        assert!(!planned.changed);
        assert_eq!(planned.root, oid(root));
    }

    #[test]
    fn folders_files_and_submodules_stay_what_they_are() {
        let (_dir, repo, root) = parent();
        let plan_of = |path: &str| {
            TreePlan::new(BTreeMap::from([(
                path.to_owned(),
                Change::Write(b"x".to_vec()),
            )]))
            .unwrap()
        };
        for (path, error) in [
            (
                "test-artifacts",
                TreePlanError::NotAFile("test-artifacts".into()),
            ),
            ("vendor", TreePlanError::NotAFile("vendor".into())),
            (
                "gradlew/x.json",
                TreePlanError::NotAFolder("gradlew".into()),
            ),
            ("vendor/x.json", TreePlanError::NotAFolder("vendor".into())),
        ] {
            let plan = plan_of(path);
            let listings = listings(&plan, &repo, root);
            assert_eq!(plan.build(&listings, &root_modes()), Err(error), "{path}");
        }
        let plan = plan_of("a/b.json");
        assert_eq!(
            plan.build(&Listings::new(), &root_modes()),
            Err(TreePlanError::NotListed("a".into()))
        );
    }

    #[test]
    fn paths_git_cannot_hold_are_refused() {
        for path in ["", "a//b", "a/../b", ".git/config", "a/.GIT", "/a"] {
            let changes = BTreeMap::from([(path.to_owned(), Change::Delete)]);
            assert_eq!(
                TreePlan::new(changes),
                Err(TreePlanError::Path(path.into()))
            );
        }
        let changes = BTreeMap::from([
            ("a".to_owned(), Change::Write(Vec::new())),
            ("a/b".to_owned(), Change::Delete),
        ]);
        assert_eq!(
            TreePlan::new(changes),
            Err(TreePlanError::Overlap("a".into()))
        );
    }

    #[test]
    fn data_center_listings_are_read_page_by_page() {
        let id = "ce013625030ba8dba906f756967f9e9ca394464a";
        let body = format!(
            r#"{{"path":{{"components":[],"name":"","toString":""}},"revision":"main",
            "children":{{"size":3,"limit":3,"isLastPage":false,"start":0,"nextPageStart":3,"values":[
            {{"path":{{"components":["README.md"],"name":"README.md","toString":"README.md"}},"contentId":"{id}","type":"FILE","size":8}},
            {{"path":{{"components":["docs"],"name":"docs","toString":"docs"}},"contentId":"{id}","type":"DIRECTORY"}},
            {{"path":{{"components":["vendor"],"name":"vendor","toString":"vendor"}},"contentId":"{id}","type":"SUBMODULE"}}]}}}}"#
        );
        let page = parse_listing_page(body.as_bytes()).unwrap();
        assert_eq!(page.next_start, Some(3));
        let kinds: Vec<_> = page
            .entries
            .iter()
            .map(|e| (e.name.as_str(), e.kind))
            .collect();
        assert_eq!(
            kinds,
            [
                ("README.md", ListedKind::File),
                ("docs", ListedKind::Directory),
                ("vendor", ListedKind::Submodule)
            ]
        );
        let last = body.replace("\"isLastPage\":false", "\"isLastPage\":true");
        assert_eq!(
            parse_listing_page(last.as_bytes()).unwrap().next_start,
            None
        );
        let link = body.replace("\"SUBMODULE\"", "\"LINK\"");
        assert!(matches!(
            parse_listing_page(link.as_bytes()),
            Err(TreePlanError::Listing(_))
        ));
    }
}
