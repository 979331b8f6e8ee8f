//! Writes arriving at once on one branch, as a client with many requests in flight sends them: Cloud commits
//! without `parents` and Data Center edits of different files all land, one after the other.

use std::collections::BTreeSet;

use tower::ServiceExt;

use crate::common::*;

const WRITES: usize = 16;

/// Sends every request in a task of its own on a multi-threaded runtime; answers their statuses.
async fn all_at_once(sb: &Sandbox, requests: Vec<Req>) -> Vec<u16> {
    let tasks: Vec<_> = requests
        .into_iter()
        .map(|request| {
            let app = sb.app.clone();
            tokio::spawn(async move { app.oneshot(request.build()).await.unwrap().status() })
        })
        .collect();
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap().as_u16());
    }
    statuses
}

/// The files below `test-artifacts/parallel/` on `branch`, and the number of commits since `from`.
fn landed(sb: &Sandbox, key: &str, branch: &str, from: &str) -> (BTreeSet<String>, usize) {
    sb.at_tip(key, branch, |repo, tip| {
        let mut files = BTreeSet::new();
        if let Ok(entry) = tip
            .tree()
            .unwrap()
            .get_path(std::path::Path::new("test-artifacts/parallel"))
        {
            let tree = repo.find_tree(entry.id()).unwrap();
            files.extend(tree.iter().filter_map(|e| e.name().map(str::to_owned)));
        }
        let mut walk = repo.revwalk().unwrap();
        walk.push(tip.id()).unwrap();
        walk.hide(git2::Oid::from_str(from).unwrap()).unwrap();
        (files, walk.count())
    })
}

fn expected() -> BTreeSet<String> {
    (0..WRITES).map(|i| format!("f{i}.json")).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cloud_commits_without_parents_all_land_on_the_newest_tip() {
    let sb = Sandbox::new();
    let before = sb.tip("cloud/acme/checkout-tests", "main");
    let requests = (0..WRITES)
        .map(|i| {
            let path = format!("test-artifacts/parallel/f{i}.json");
            post(&format!("{CLOUD_REPO}/src"))
                .cloud_user("lee")
                .multipart(&[
                    (path.as_str(), "{}"),
                    ("message", "One file"),
                    ("branch", "main"),
                ])
        })
        .collect();
    let statuses = all_at_once(&sb, requests).await;
    assert!(statuses.iter().all(|s| *s == 201), "{statuses:?}");
    let (files, commits) = landed(&sb, "cloud/acme/checkout-tests", "main", &before);
    assert_eq!(files, expected());
    assert_eq!(commits, WRITES);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn data_center_edits_of_different_files_all_land_and_a_stale_file_is_refused() {
    let sb = Sandbox::new();
    let key = "dc/QA/regression-suite";
    let before = sb.tip(key, "main");
    let requests = (0..WRITES)
        .map(|i| {
            put(&format!(
                "{DC_REPO}/browse/test-artifacts/parallel/f{i}.json"
            ))
            .dc_user("lee")
            .no_check()
            .multipart(&[
                ("content", "{}"),
                ("branch", "main"),
                ("sourceCommitId", before.as_str()),
            ])
        })
        .collect();
    let statuses = all_at_once(&sb, requests).await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    let (files, commits) = landed(&sb, key, "main", &before);
    assert_eq!(files, expected());
    assert_eq!(commits, WRITES);
    // The same file again from the commit before them: it changed since, so the edit is refused.
    let stale = put(&format!("{DC_REPO}/browse/test-artifacts/parallel/f0.json"))
        .dc_user("lee")
        .no_check()
        .multipart(&[
            ("content", "{\"v\":2}"),
            ("branch", "main"),
            ("sourceCommitId", before.as_str()),
        ])
        .send(&sb)
        .await;
    assert!(stale.expect(409).dc_error().0.contains("modified"));
}
