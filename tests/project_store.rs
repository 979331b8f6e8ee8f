//! The IndexedDB project store in a real browser: a create never replaces, and a save over a newer
//! revision (another tab's) writes nothing.
#![cfg(target_arch = "wasm32")]

use bitbucket_versioning::services::project_store::{
    IndexedDbProjectStore, ProjectStore, StoreError,
};
use bitbucket_versioning::services::projects::StoredProject;
use versioning_core::artifacts::demo;
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
    second.project.name = "The other one".to_owned();
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
    tab_a.project.name = "Saved by tab A".to_owned();
    store.save(&tab_a).await.expect("tab A saves first");
    tab_b.project.name = "Saved by tab B".to_owned();
    let error = store.save(&tab_b).await.expect_err("tab B's copy is stale");
    assert_eq!(&error, &StoreError::Conflict("two-tabs".to_owned()));
    assert!(error.to_string().contains("changed in another tab"));
    let stored = store.load("two-tabs").await.unwrap().unwrap();
    assert_eq!(stored.project.name, "Saved by tab A");
    assert_eq!(stored.revision, 2);
    // Loaded again, tab B saves over the new revision.
    let mut reloaded = stored;
    reloaded.project.name = "Saved by tab B".to_owned();
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
