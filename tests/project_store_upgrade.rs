//! A browser whose project database an earlier release wrote (version 1: each project whole in one
//! record): its projects read as they were, and each is kept per artifact once opened.

#![cfg(target_arch = "wasm32")]

use std::rc::Rc;

use bitbucket_versioning::services::indexed_db_store::IndexedDbProjectStore;
use bitbucket_versioning::services::project_store::{read_record_text, ProjectStore};
use bitbucket_versioning::services::projects::StoredProject;
use idb::{Database, Factory, ObjectStore, TransactionMode};
use js_sys::JSON;
use versioning_core::artifacts::{artifact_files_and_manifest, LayoutOptions};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const DATABASE: &str = "bitbucket-versioning";
/// The record of a project as the earlier release wrote it: a demo project with one test case renamed
/// since its baseline, at revision 3.
const WHOLE_RECORD: &str = include_str!("fixtures/whole-project-record.json");
/// Its summary record, as the earlier release wrote it.
const SUMMARY_RECORD: &str = include_str!("fixtures/whole-project-summary.json");

/// Writes the database as the earlier release left it.
async fn database_of_version_one() {
    Factory::new()
        .unwrap()
        .delete(DATABASE)
        .unwrap()
        .await
        .unwrap();
    let database = Database::builder(DATABASE)
        .version(1)
        .add_object_store(ObjectStore::builder("project-summaries"))
        .add_object_store(ObjectStore::builder("projects"))
        .build()
        .await
        .unwrap();
    let transaction = database
        .transaction(
            &["project-summaries", "projects"],
            TransactionMode::ReadWrite,
        )
        .unwrap();
    let key = JsValue::from_str("kept-whole");
    let put = |store: &str, text: &str| {
        transaction
            .object_store(store)
            .unwrap()
            .put(&JsValue::from_str(text.trim_end()), Some(&key))
            .unwrap();
    };
    put("project-summaries", SUMMARY_RECORD);
    put("projects", WHOLE_RECORD);
    assert!(transaction.commit().unwrap().await.unwrap().is_committed());
    database.close();
}

/// The record under `key` in the object store `store` of the database as it is now, as JSON.
async fn raw_record(store: &str, key: &str) -> Option<JsValue> {
    let database = Database::builder(DATABASE).build().await.unwrap();
    let transaction = database
        .transaction(&[store], TransactionMode::ReadOnly)
        .unwrap();
    let value = transaction
        .object_store(store)
        .unwrap()
        .get(JsValue::from_str(key))
        .unwrap()
        .await
        .unwrap();
    database.close();
    value
}

#[wasm_bindgen_test]
async fn a_project_an_earlier_release_kept_whole_reads_as_it_was_and_is_then_kept_per_artifact() {
    database_of_version_one().await;
    let expected: StoredProject = read_record_text(WHOLE_RECORD).unwrap();
    let store = IndexedDbProjectStore::default();
    let listed = store.list().await.unwrap();
    assert_eq!(
        listed
            .iter()
            .map(|p| (p.id.as_str(), p.test_cases))
            .collect::<Vec<_>>(),
        [("kept-whole", 26)]
    );
    assert_eq!(store.revision("kept-whole").await.unwrap(), Some(3));
    assert_eq!(
        store.outline("kept-whole").await.unwrap(),
        None,
        "read whole first"
    );

    let opened = store
        .load("kept-whole")
        .await
        .unwrap()
        .expect("still there");
    assert_eq!(opened.project, expected.project);
    assert_eq!(opened.baseline(), expected.baseline());
    assert_eq!(
        opened.local_changes().changed.len(),
        1,
        "the renamed test case"
    );
    assert_eq!(
        opened.revision, 4,
        "written again per artifact, at the next revision"
    );

    // The record is now a head; each artifact file is a record of its own.
    let head = raw_record("projects", "kept-whole").await.unwrap();
    let head = JSON::parse(&head.as_string().unwrap()).unwrap();
    let field = |name: &str| js_sys::Reflect::get(&head, &JsValue::from_str(name)).unwrap();
    assert_eq!(field("format").as_f64(), Some(2.0));
    assert!(
        field("project").is_undefined(),
        "the artifacts left the record"
    );
    let (files, _) = artifact_files_and_manifest(&expected.project, &LayoutOptions::default());
    for (path, bytes) in &files {
        let record = raw_record("artifact-files", &format!("kept-whole\u{1}{path}")).await;
        let record = record.unwrap_or_else(|| panic!("{path} has a record"));
        assert_eq!(&js_sys::Uint8Array::new(&record).to_vec(), bytes, "{path}");
    }

    // Read again from the new form, by a store that never saw the old one, and saved after an edit.
    let fresh = IndexedDbProjectStore::default();
    let outline = fresh.outline("kept-whole").await.unwrap();
    assert_eq!(outline, Some(expected.project.outline()));
    let mut reread = fresh.load("kept-whole").await.unwrap().unwrap();
    assert_eq!((&reread.project, reread.revision), (&expected.project, 4));
    assert_eq!(reread.baseline(), expected.baseline());
    let suite = reread.project.suites[0].id.clone();
    Rc::make_mut(&mut reread.project)
        .rename(&suite, "Cart, kept per artifact")
        .unwrap();
    fresh.save(&reread).await.unwrap();
    let saved = IndexedDbProjectStore::default()
        .load("kept-whole")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(saved.project.suites[0].name, "Cart, kept per artifact");
    assert_eq!(saved.revision, 5);
}
