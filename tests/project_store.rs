//! The IndexedDB project store in a real browser: a create never replaces, a save over a newer revision
//! (another tab's) writes nothing, and a save writes only the artifact files that changed.
#![cfg(target_arch = "wasm32")]

use std::collections::BTreeSet;
use std::rc::Rc;

use bitbucket_versioning::services::indexed_db_store::IndexedDbProjectStore;
use bitbucket_versioning::services::project_store::{ProjectStore, StoreError};
use bitbucket_versioning::services::projects::{HistoryEntry, StoredProject};
use versioning_core::artifacts::generate::synthetic_project;
use versioning_core::artifacts::{demo, manifest, ArtifactId, LayoutOptions, Manifest};
use versioning_core::sync::{AppliedPull, PullCounts, SyncBase};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A demo project under an id of its own, so that tests sharing the database do not meet.
fn project(id: &str) -> StoredProject {
    let mut project = demo::demo_projects().remove(0);
    project.id = versioning_core::artifacts::ArtifactId::new(id).expect("an id");
    StoredProject::at_baseline(project)
}

#[wasm_bindgen_test]
async fn create_refuses_an_id_that_exists_and_writes_nothing() {
    let store = IndexedDbProjectStore::default();
    let first = project("create-twice");
    store.delete("create-twice").await.unwrap();
    store.create(&first).await.expect("a free id");
    let mut second = project("create-twice");
    Rc::make_mut(&mut second.project).name = "The other one".to_owned();
    let error = store.create(&second).await.expect_err("the id is taken");
    assert_eq!(
        &error,
        &StoreError::AlreadyExists("create-twice".to_owned())
    );
    let kept = store.load("create-twice").await.unwrap().unwrap();
    assert_eq!(kept.project.name, first.project.name);
    assert_eq!(kept.revision, 1);
}

#[wasm_bindgen_test]
async fn a_stale_save_fails_with_a_conflict_and_writes_nothing() {
    let store = IndexedDbProjectStore::default();
    store.delete("two-tabs").await.unwrap();
    store.create(&project("two-tabs")).await.unwrap();
    let mut tab_a = store.load("two-tabs").await.unwrap().unwrap();
    let mut tab_b = store.load("two-tabs").await.unwrap().unwrap();
    Rc::make_mut(&mut tab_a.project).name = "Saved by tab A".to_owned();
    store.save(&tab_a).await.expect("tab A saves first");
    Rc::make_mut(&mut tab_b.project).name = "Saved by tab B".to_owned();
    let error = store.save(&tab_b).await.expect_err("tab B's copy is stale");
    assert_eq!(&error, &StoreError::Conflict("two-tabs".to_owned()));
    assert!(error.to_string().contains("changed in another tab"));
    let stored = store.load("two-tabs").await.unwrap().unwrap();
    assert_eq!(stored.project.name, "Saved by tab A");
    assert_eq!(stored.revision, 2);
    // Loaded again, tab B saves over the new revision.
    let mut reloaded = stored;
    Rc::make_mut(&mut reloaded.project).name = "Saved by tab B".to_owned();
    store.save(&reloaded).await.expect("a fresh copy saves");
    let summary = store.list().await.unwrap();
    assert!(summary
        .iter()
        .any(|p| p.id == "two-tabs" && p.name == "Saved by tab B"));
}

#[wasm_bindgen_test]
async fn a_save_over_a_project_deleted_elsewhere_is_a_conflict() {
    let store = IndexedDbProjectStore::default();
    store.delete("deleted-elsewhere").await.unwrap();
    store.create(&project("deleted-elsewhere")).await.unwrap();
    let copy = store.load("deleted-elsewhere").await.unwrap().unwrap();
    store.delete("deleted-elsewhere").await.unwrap();
    let error = store.save(&copy).await.expect_err("deleted since");
    assert!(matches!(&error, StoreError::Conflict(_)));
    assert!(store.load("deleted-elsewhere").await.unwrap().is_none());
}

#[wasm_bindgen_test]
async fn the_revision_is_read_from_the_summary_as_saves_count_it() {
    let store = IndexedDbProjectStore::default();
    store.delete("revisions").await.unwrap();
    assert_eq!(store.revision("revisions").await.unwrap(), None);
    store.create(&project("revisions")).await.unwrap();
    assert_eq!(store.revision("revisions").await.unwrap(), Some(1));
    let loaded = store.load("revisions").await.unwrap().unwrap();
    store.save(&loaded).await.unwrap();
    assert_eq!(store.revision("revisions").await.unwrap(), Some(2));
    store.delete("revisions").await.unwrap();
    assert_eq!(store.revision("revisions").await.unwrap(), None);
}

#[wasm_bindgen_test]
async fn the_outline_is_read_from_the_head_as_the_last_save_left_it() {
    let store = IndexedDbProjectStore::default();
    store.delete("outlined").await.unwrap();
    assert_eq!(store.outline("outlined").await.unwrap(), None);
    let created = project("outlined");
    store.create(&created).await.unwrap();
    let outline = store.outline("outlined").await.unwrap();
    assert_eq!(outline, Some(created.project.outline()));
    let mut loaded = store.load("outlined").await.unwrap().unwrap();
    let suite = loaded.project.suites[0].id.clone();
    Rc::make_mut(&mut loaded.project)
        .rename(&suite, "Renamed suite")
        .unwrap();
    store.save(&loaded).await.unwrap();
    let outline = store.outline("outlined").await.unwrap().unwrap();
    assert_eq!(outline.suites[0].name, "Renamed suite");
}

/// Counts, from now on, the `put` and `delete` calls of every object store by name (in `window.storeCalls`,
/// emptied on each call).
fn count_store_calls() {
    js_sys::Function::new_no_args(
        "const counting = window.storeCalls !== undefined;
         window.storeCalls = {};
         if (counting) return;
         for (const method of ['put', 'delete']) {
           const original = IDBObjectStore.prototype[method];
           IDBObjectStore.prototype[method] = function (...args) {
             const key = `${this.name} ${method}`;
             window.storeCalls[key] = (window.storeCalls[key] || 0) + 1;
             return original.apply(this, args);
           };
         }",
    )
    .call0(&JsValue::NULL)
    .unwrap();
}

/// The calls counted since [`count_store_calls`] (or the last take), as `(store method, count)` sorted.
fn take_store_calls() -> Vec<(String, u32)> {
    let window = js_sys::global();
    let calls = js_sys::Reflect::get(&window, &JsValue::from_str("storeCalls")).unwrap();
    let mut counted: Vec<(String, u32)> = js_sys::Object::entries(&calls.into())
        .iter()
        .map(|entry| {
            let entry = js_sys::Array::from(&entry);
            (
                entry.get(0).as_string().unwrap(),
                entry.get(1).as_f64().unwrap() as u32,
            )
        })
        .collect();
    counted.sort();
    js_sys::Reflect::set(
        &window,
        &JsValue::from_str("storeCalls"),
        &js_sys::Object::new(),
    )
    .unwrap();
    counted
}

/// The names of the parts a store keeps of `stored`: its baseline's and its files' manifest's.
fn kept_parts(stored: &StoredProject) -> BTreeSet<String> {
    let files = stored.project.written().manifest.clone();
    let (baseline, files) = (stored.baseline().parts(), files.parts());
    let names = baseline.names().chain(files.names());
    names.map(str::to_owned).collect()
}

/// How many parts a save of `stored` puts and deletes, over a store that kept the parts `held`.
fn part_writes(held: &BTreeSet<String>, stored: &StoredProject) -> (u32, u32) {
    let kept = kept_parts(stored);
    let count = |n: usize| n as u32;
    (
        count(kept.difference(held).count()),
        count(held.difference(&kept).count()),
    )
}

#[wasm_bindgen_test]
async fn a_save_writes_only_the_artifact_files_that_changed_beside_the_head_and_summary() {
    let store = IndexedDbProjectStore::default();
    store.delete("per-artifact").await.unwrap();
    store.create(&project("per-artifact")).await.unwrap();
    let mut stored = store.load("per-artifact").await.unwrap().unwrap();
    let held = kept_parts(&stored);
    count_store_calls();
    let cases: Vec<_> = stored.project.test_cases().map(|c| c.id.clone()).collect();
    for case in &cases[..10] {
        Rc::make_mut(&mut stored.project)
            .set_description(case, "Edited here")
            .unwrap();
    }
    store.save(&stored).await.unwrap();
    let counted = |pairs: &[(&str, u32)]| -> Vec<(String, u32)> {
        let pairs = pairs.iter().filter(|(_, n)| *n > 0);
        pairs.map(|(k, n)| (k.to_string(), *n)).collect()
    };
    let (parts_put, parts_deleted) = part_writes(&held, &stored);
    assert!(parts_put > 0, "the manifest of the files changed");
    assert_eq!(
        take_store_calls(),
        counted(&[
            ("artifact-files put", 10),
            ("baseline-parts delete", parts_deleted),
            ("baseline-parts put", parts_put),
            ("project-summaries put", 1),
            ("projects put", 1),
        ]),
        "ten test cases edited: their ten files, the parts of their manifest that changed, the head \
         and the summary"
    );

    let mut stored = store.load("per-artifact").await.unwrap().unwrap();
    take_store_calls();
    let held = kept_parts(&stored);
    Rc::make_mut(&mut stored.project)
        .rename(&cases[0], "Moved by its new name")
        .unwrap();
    store.save(&stored).await.unwrap();
    let (parts_put, parts_deleted) = part_writes(&held, &stored);
    assert_eq!(
        take_store_calls(),
        counted(&[
            ("artifact-files delete", 1),
            ("artifact-files put", 1),
            ("baseline-parts delete", parts_deleted),
            ("baseline-parts put", parts_put),
            ("project-summaries put", 1),
            ("projects put", 1),
        ]),
        "a renamed test case's file moves"
    );
    let read = IndexedDbProjectStore::default()
        .load("per-artifact")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read.project, stored.project);
    assert_eq!(read.revision, 3);
    store.delete("per-artifact").await.unwrap();
    assert!(store.load("per-artifact").await.unwrap().is_none());
}

#[wasm_bindgen_test]
async fn a_pull_of_ten_changes_into_a_large_project_writes_ten_files_and_the_parts_that_changed() {
    let store = IndexedDbProjectStore::default();
    let mut large = synthetic_project(5, 2_000);
    large.id = ArtifactId::new("pulled-into").unwrap();
    store.delete("pulled-into").await.unwrap();
    store
        .create(&StoredProject::at_baseline(large))
        .await
        .unwrap();
    let previous = store.load("pulled-into").await.unwrap().unwrap();
    let mut pulled = (**previous.project).clone();
    let cases: Vec<_> = pulled.test_cases().map(|c| c.id.clone()).collect();
    for case in cases.iter().step_by(cases.len() / 10).take(10) {
        pulled
            .set_description(case, "Changed by a teammate")
            .unwrap();
    }
    let remote = manifest(&pulled, &LayoutOptions::default());
    let names =
        |m: &Manifest| -> BTreeSet<String> { m.parts().names().map(str::to_owned).collect() };
    let (before, after) = (names(previous.baseline()), names(&remote));
    let applied = AppliedPull {
        project: pulled.into(),
        base: SyncBase {
            branch: "main".into(),
            commit: "c0ffee".into(),
            manifest: remote,
        },
        counts: PullCounts::default(),
        skipped: Vec::new(),
    };
    let row = HistoryEntry {
        action: "pull".into(),
        user: "Quinn".into(),
        at: "2026-12-06T10:00:00Z".into(),
        repository: "https://api.bitbucket.org/2.0/acme/tests".into(),
        branch: "main".into(),
        commits: vec!["c0ffee".into()],
        version: None,
        written: 10,
        removed: 0,
        pull_request: None,
    };
    let record = StoredProject::pulled(Some(&previous), &row.repository.clone(), applied, row);
    count_store_calls();
    store.save(&record).await.unwrap();
    let (new_parts, gone_parts) = (
        after.difference(&before).count(),
        before.difference(&after).count(),
    );
    assert!((1..=10).contains(&new_parts), "{new_parts} parts changed");
    let mut expected = vec![
        ("artifact-files put".to_owned(), 10),
        ("baseline-parts delete".to_owned(), gone_parts as u32),
        ("baseline-parts put".to_owned(), new_parts as u32),
        ("project-summaries put".to_owned(), 1),
        ("projects put".to_owned(), 1),
    ];
    expected.retain(|(_, n)| *n > 0);
    assert_eq!(take_store_calls(), expected);
    let read = IndexedDbProjectStore::default()
        .load("pulled-into")
        .await
        .unwrap()
        .unwrap();
    assert!(
        read.project == record.project,
        "the pulled project reads back"
    );
    assert!(read.baseline() == record.baseline(), "so does its baseline");
    assert!(read.local_changes().changed.is_empty());
    store.delete("pulled-into").await.unwrap();
}
