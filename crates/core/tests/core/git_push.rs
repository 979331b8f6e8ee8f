//! Pushes written by `versioning_core::git` and sent to the sandbox's Data Center in-process: the
//! advertisement is read, a commit with its tree and blobs is packed, the ref updates go with it, and
//! the report says what the server did, in its words.

use std::path::{Path, PathBuf};
use std::process::Command;

use axum::body::Body;
use axum::http::Request;
use axum::Router;
use bitbucket_sandbox::config::Config;
use bitbucket_sandbox::{app, AppState, Options};
use std::collections::BTreeMap;
use tower::ServiceExt;

use versioning_core::git::{
    archive_modes, parse_listing_page, push_body, read_report, write_pack, Advertisement, Change,
    Commit, FileMode, Listings, Object, ObjectId, PushRefused, RefUpdate, Signature, Tree,
    TreeEntry, TreePlan,
};

const KEY: &str = "dc/QA/regression-suite";
const REPO: &str = "/scm/qa/regression-suite.git";
const REST: &str = "/rest/api/latest/projects/QA/repos/regression-suite";

/// The demo sandbox on a data directory of its own, reached in-process.
struct Sandbox {
    app: Router,
    data: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Sandbox {
        let data = tempfile::tempdir().unwrap();
        let state = AppState::new(Options {
            config: Config::demo(),
            data_dir: Some(data.path().to_path_buf()),
            quiet: true,
            ..Options::default()
        });
        let app = app(state.expect("the sandbox starts"));
        Sandbox { app, data }
    }

    /// The bare repository of the demo Data Center repository.
    fn path(&self) -> PathBuf {
        self.data.path().join(format!("{KEY}.git"))
    }

    /// Sends a request as `token` (Bearer); the status and body.
    async fn send(&self, method: &str, path: &str, token: &str, body: Vec<u8>) -> (u16, Vec<u8>) {
        let request = Request::builder()
            .method(method)
            .uri(path)
            .header("Authorization", format!("Bearer {token}"))
            .header("Content-Type", "application/x-git-receive-pack-request")
            .body(Body::from(body))
            .unwrap();
        let response = self.app.clone().oneshot(request).await.unwrap();
        let status = response.status().as_u16();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        (status, bytes.to_vec())
    }

    async fn advertisement(&self, token: &str) -> Advertisement {
        let path = format!("{REPO}/info/refs?service=git-receive-pack");
        let (status, body) = self.send("GET", &path, token, Vec::new()).await;
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
        Advertisement::parse(&body).unwrap()
    }

    /// Pushes `updates` with the pack of `objects` as `token`; the server's verdict.
    async fn push(
        &self,
        token: &str,
        updates: &[RefUpdate],
        objects: &[Object],
    ) -> Result<(), PushRefused> {
        let advertisement = self.advertisement(token).await;
        let pack = write_pack(objects).unwrap();
        let body = push_body(&advertisement, updates, &pack).unwrap();
        let path = format!("{REPO}/git-receive-pack");
        let (status, answer) = self.send("POST", &path, token, body.bytes).await;
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&answer));
        read_report(&answer, body.side_band)
            .unwrap()
            .outcome(updates)
    }

    fn repo(&self) -> git2::Repository {
        git2::Repository::open_bare(self.path()).unwrap()
    }

    fn tip(&self, name: &str) -> Option<ObjectId> {
        let id = self.repo().refname_to_id(name).ok()?;
        Some(id.to_string().parse().unwrap())
    }
}

fn id(oid: git2::Oid) -> ObjectId {
    oid.to_string().parse().unwrap()
}

/// A commit on `parent` adding `test-artifacts/{name}` (the parent's other entries kept), with
/// every object the server lacks.
fn commit_on(repo: &git2::Repository, parent: ObjectId, name: &str) -> (ObjectId, Vec<Object>) {
    let parent_commit = repo
        .find_commit(git2::Oid::from_bytes(parent.as_bytes()).unwrap())
        .unwrap();
    let tree_of = |tree: &git2::Tree<'_>| {
        let mut out = Tree::new();
        for entry in tree.iter() {
            let mode = match entry.filemode() {
                0o040000 => FileMode::Tree,
                _ => FileMode::Regular,
            };
            let entry_id = TreeEntry {
                mode,
                id: id(entry.id()),
            };
            out.insert(entry.name().unwrap(), entry_id).unwrap();
        }
        out
    };
    let root = parent_commit.tree().unwrap();
    let folder_id = root.get_name("test-artifacts").unwrap().id();
    let mut folder = tree_of(&repo.find_tree(folder_id).unwrap());
    let blob = Object::blob(format!("{{\"name\":\"{name}\"}}\n").into_bytes());
    let file = TreeEntry {
        mode: FileMode::Regular,
        id: blob.id(),
    };
    folder.insert(name, file).unwrap();
    let folder = folder.to_object();
    let mut root = tree_of(&root);
    let folder_entry = TreeEntry {
        mode: FileMode::Tree,
        id: folder.id(),
    };
    root.insert("test-artifacts", folder_entry).unwrap();
    let root = root.to_object();
    let lee = Signature::new("Lee Lead", "lee@example.com", 1_700_000_000, 60).unwrap();
    let commit = Commit {
        tree: root.id(),
        parents: vec![parent],
        author: lee.clone(),
        committer: lee,
        message: format!("Add {name}\n\nArtifacts-Manifest: test-artifacts/.manifest.json"),
    }
    .to_object()
    .unwrap();
    (commit.id(), vec![commit, root, folder, blob])
}

fn fsck(path: &Path) {
    let out = Command::new("git")
        .args(["fsck", "--strict", "--no-dangling"])
        .current_dir(path)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
async fn a_pack_the_core_writes_moves_a_branch_and_a_tag_at_once() {
    let sb = Sandbox::new();
    let main = sb.tip("refs/heads/main").unwrap();
    let (commit, objects) = commit_on(&sb.repo(), main, "suite.json");
    let updates = [
        RefUpdate {
            name: "refs/heads/main".into(),
            old: main,
            new: commit,
        },
        RefUpdate {
            name: "refs/tags/v1.0".into(),
            old: ObjectId::ZERO,
            new: commit,
        },
    ];
    sb.push("BBDC-demo-lee", &updates, &objects).await.unwrap();
    assert_eq!(sb.tip("refs/heads/main"), Some(commit));
    assert_eq!(sb.tip("refs/tags/v1.0"), Some(commit));
    let repo = sb.repo();
    let pushed = repo
        .find_commit(git2::Oid::from_bytes(commit.as_bytes()).unwrap())
        .unwrap();
    let tree = pushed.tree().unwrap();
    assert!(tree.get_path(Path::new("README.md")).is_ok());
    assert!(tree
        .get_path(Path::new("test-artifacts/project.json"))
        .is_ok());
    assert!(tree
        .get_path(Path::new("test-artifacts/suite.json"))
        .is_ok());
    fsck(&sb.path());
}

#[tokio::test]
async fn a_branch_that_moved_or_a_tag_that_exists_refuses_the_whole_push() {
    let sb = Sandbox::new();
    let main = sb.tip("refs/heads/main").unwrap();
    let (first, objects) = commit_on(&sb.repo(), main, "first.json");
    let update = |name: &str, old, new| RefUpdate {
        name: name.into(),
        old,
        new,
    };
    sb.push(
        "BBDC-demo-lee",
        &[update("refs/heads/main", main, first)],
        &objects,
    )
    .await
    .unwrap();

    // Pushed again from the old tip: the compare and swap fails, and the tag does not move either.
    let (stale, objects) = commit_on(&sb.repo(), main, "stale.json");
    let refused = sb
        .push(
            "BBDC-demo-lee",
            &[
                update("refs/heads/main", main, stale),
                update("refs/tags/v2", ObjectId::ZERO, stale),
            ],
            &objects,
        )
        .await
        .unwrap_err();
    assert_eq!(refused.unpack, None);
    let failed = "atomic transaction failed".to_owned();
    assert_eq!(
        refused.refs,
        [
            ("refs/heads/main".to_owned(), failed.clone()),
            ("refs/tags/v2".to_owned(), failed.clone())
        ]
    );
    assert_eq!(
        refused.messages,
        [format!(
            "error: cannot lock ref 'refs/heads/main': is at {first} but expected {main}"
        )]
    );
    assert_eq!(sb.tip("refs/heads/main"), Some(first));
    assert_eq!(sb.tip("refs/tags/v2"), None);

    // A new branch is created from nothing: refused when it exists.
    let (next, objects) = commit_on(&sb.repo(), first, "next.json");
    let refused = sb
        .push(
            "BBDC-demo-lee",
            &[update("refs/heads/main", ObjectId::ZERO, next)],
            &objects,
        )
        .await
        .unwrap_err();
    assert_eq!(refused.refs, [("refs/heads/main".to_owned(), failed)]);
    assert_eq!(
        refused.messages,
        ["error: cannot lock ref 'refs/heads/main': reference already exists"]
    );
    assert_eq!(sb.tip("refs/heads/main"), Some(first));
    fsck(&sb.path());
}

#[tokio::test]
async fn a_branch_permission_refuses_with_data_centers_words() {
    let sb = Sandbox::new();
    let main = sb.tip("refs/heads/main").unwrap();
    let (commit, objects) = commit_on(&sb.repo(), main, "eve.json");
    let update = RefUpdate {
        name: "refs/heads/main".into(),
        old: main,
        new: commit,
    };
    let refused = sb
        .push("BBDC-demo-eve", &[update], &objects)
        .await
        .unwrap_err();
    assert_eq!(
        refused.refs,
        [(
            "refs/heads/main".to_owned(),
            "pre-receive hook declined".to_owned()
        )]
    );
    assert!(
        refused
            .messages
            .contains(&"Branch refs/heads/main is read-only.".to_owned()),
        "{refused}"
    );
    assert_eq!(sb.tip("refs/heads/main"), Some(main));

    // A reader is refused before anything is sent.
    let path = format!("{REPO}/info/refs?service=git-receive-pack");
    let (status, _) = sb.send("GET", &path, "BBDC-demo-rory", Vec::new()).await;
    assert_eq!(status, 403);
}

/// Makes `main` hold, beside the demo's files, an executable and a symbolic link at the root; the
/// new tip.
fn with_executable_and_link(sb: &Sandbox) -> ObjectId {
    let repo = sb.repo();
    let main = repo.find_reference("refs/heads/main").unwrap();
    let parent = main.peel_to_commit().unwrap();
    let mut root = repo.treebuilder(Some(&parent.tree().unwrap())).unwrap();
    let script = repo.blob(b"#!/bin/sh\necho run\n").unwrap();
    root.insert("run.sh", script, 0o100755).unwrap();
    root.insert("docs", repo.blob(b"README.md").unwrap(), 0o120000)
        .unwrap();
    let tree = repo.find_tree(root.write().unwrap()).unwrap();
    let who = git2::Signature::now("Ada Admin", "ada@example.com").unwrap();
    let tip = repo
        .commit(
            Some("refs/heads/main"),
            &who,
            &who,
            "Scripts",
            &tree,
            &[&parent],
        )
        .unwrap();
    id(tip)
}

#[tokio::test]
async fn a_commit_planned_from_listings_keeps_every_other_entry_and_mode() {
    let sb = Sandbox::new();
    let tip = with_executable_and_link(&sb);
    let changes = BTreeMap::from([
        (
            "test-artifacts/project.json".to_owned(),
            Change::Write(b"{\"id\":\"changed\"}\n".to_vec()),
        ),
        (
            "test-artifacts/suites/new.json".to_owned(),
            Change::Write(b"{}\n".to_vec()),
        ),
    ]);
    let plan = TreePlan::new(changes).unwrap();

    let mut listings = Listings::new();
    for folder in plan.folders() {
        let path = match folder.is_empty() {
            true => format!("{REST}/browse?at={tip}&limit=1000"),
            false => format!("{REST}/browse/{folder}?at={tip}&limit=1000"),
        };
        let (status, body) = sb.send("GET", &path, "BBDC-demo-lee", Vec::new()).await;
        let listing = match status {
            404 => None,
            _ => {
                let page = parse_listing_page(&body).unwrap();
                assert_eq!(page.next_start, None, "one page");
                Some(page.entries)
            }
        };
        listings.insert(folder, listing);
    }
    let kept = plan.kept_files(&listings);
    let query: String = kept.iter().map(|p| format!("&path={p}")).collect();
    let path = format!("{REST}/archive?at={tip}&format=zip{query}");
    let (status, zip) = sb.send("GET", &path, "BBDC-demo-lee", Vec::new()).await;
    assert_eq!(status, 200, "{path} {}", String::from_utf8_lossy(&zip));
    let modes = archive_modes(&zip, "").unwrap();
    assert_eq!(modes.len(), kept.len(), "{kept:?}");
    let planned = plan.build(&listings, &modes).unwrap();
    assert!(planned.changed);

    let lee = Signature::new("Lee Lead", "lee@example.com", 1_700_000_000, 0).unwrap();
    let commit = Commit {
        tree: planned.root,
        parents: vec![tip],
        author: lee.clone(),
        committer: lee,
        message: "Push artifacts".to_owned(),
    }
    .to_object()
    .unwrap();
    let update = RefUpdate {
        name: "refs/heads/main".into(),
        old: tip,
        new: commit.id(),
    };
    let objects: Vec<Object> = std::iter::once(commit.clone())
        .chain(planned.objects)
        .collect();
    sb.push("BBDC-demo-lee", &[update], &objects).await.unwrap();

    let repo = sb.repo();
    let entry = |rev: ObjectId, path: &str| {
        let commit = repo
            .find_commit(git2::Oid::from_bytes(rev.as_bytes()).unwrap())
            .unwrap();
        let entry = commit.tree().unwrap().get_path(Path::new(path)).unwrap();
        (entry.filemode(), entry.id())
    };
    for path in ["README.md", "run.sh", "docs"] {
        assert_eq!(entry(commit.id(), path), entry(tip, path), "{path} is kept");
    }
    assert_eq!(entry(commit.id(), "run.sh").0, 0o100755);
    assert_eq!(entry(commit.id(), "docs").0, 0o120000);
    assert_ne!(
        entry(commit.id(), "test-artifacts/project.json"),
        entry(tip, "test-artifacts/project.json")
    );
    assert_eq!(
        entry(commit.id(), "test-artifacts/suites/new.json").0,
        0o100644
    );
    fsck(&sb.path());
}
