//! How long the IndexedDB store takes to save and load a project of 10,000 test cases, logged for the
//! record (no timed assertions: machines differ).

#![cfg(target_arch = "wasm32")]

use std::rc::Rc;

use bitbucket_versioning::services::indexed_db_store::IndexedDbProjectStore;
use bitbucket_versioning::services::project_store::ProjectStore;
use bitbucket_versioning::services::projects::StoredProject;
use js_sys::Date;
use versioning_core::artifacts::generate::synthetic_project;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Runs `work` and logs how long it took.
async fn timed<T>(label: &str, work: impl std::future::Future<Output = T>) -> T {
    let start = Date::now();
    let result = work.await;
    console_log!("{label}: {:.0} ms", Date::now() - start);
    result
}

#[wasm_bindgen_test]
async fn saves_and_loads_ten_thousand_test_cases() {
    let project = timed("generate 10,000 test cases", async {
        synthetic_project(11, 10_000)
    })
    .await;
    let stored = timed("baseline manifest", async {
        StoredProject::at_baseline(project)
    })
    .await;
    let json_bytes = serde_json::to_string(&stored).unwrap().len();
    console_log!("stored record: {:.1} MB of JSON", json_bytes as f64 / 1e6);
    let store = IndexedDbProjectStore::default();
    timed("save to IndexedDB", store.save(&stored))
        .await
        .unwrap();
    let fresh = IndexedDbProjectStore::default();
    let loaded = timed(
        "load from IndexedDB (new connection)",
        fresh.load(stored.project.id.as_str()),
    )
    .await
    .unwrap()
    .unwrap();
    // Compared without printing: a failure's Debug of two 10,000-test-case projects is too large to report.
    assert!(
        loaded.project == stored.project,
        "the project reads back as saved"
    );
    assert!(
        loaded.baseline() == stored.baseline(),
        "the baseline reads back as saved"
    );
    assert_eq!(
        loaded.revision,
        stored.revision + 1,
        "a save sets the next revision"
    );
    let changes = timed("changes since baseline (manifest + diff)", async {
        loaded.local_changes()
    })
    .await;
    assert!(changes.changed.is_empty());
    let mut edited = loaded;
    let cases: Vec<_> = edited.project.test_cases().map(|c| c.id.clone()).collect();
    for case in cases.iter().step_by(cases.len() / 10).take(10) {
        Rc::make_mut(&mut edited.project)
            .set_description(case, "Edited here")
            .unwrap();
    }
    timed("save after 10 edits", fresh.save(&edited))
        .await
        .unwrap();
    let listed = timed("list summaries", fresh.list()).await.unwrap();
    assert!(listed.iter().any(|summary| summary.test_cases == 10_000));
    fresh.delete(stored.project.id.as_str()).await.unwrap();
}
