//! Projects whose test artifacts a portal provides: read from its provider, written back to it, with only
//! the sync record (no artifacts) kept in the module's store.
#![cfg(target_arch = "wasm32")]

use std::rc::Rc;

use bitbucket_versioning::services::artifact_provider::{ArtifactProvider, ProvidedProjects};
use bitbucket_versioning::services::indexed_db_store::{Holds, IndexedDbProjectStore};
use bitbucket_versioning::services::project_store::{ProjectStore, StoreError};
use bitbucket_versioning::services::projects::{list_or_seed, ProjectListing, StoredProject};
use js_sys::{Function, Object, Reflect};
use versioning_core::artifacts::{demo, ArtifactId, Project};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A portal's provider keeping artifacts in `held` (id → object) and the ids it was given in `saved`.
fn portal_provider() -> JsValue {
    let provider = Object::new();
    let set = |name: &str, value: &JsValue| {
        Reflect::set(&provider, &JsValue::from_str(name), value).unwrap();
    };
    set("held", &Object::new());
    set("saved", &js_sys::Array::new());
    set(
        "load",
        &Function::new_with_args("id", "return Promise.resolve(this.held[id] ?? null)"),
    );
    set(
        "save",
        &Function::new_with_args(
            "id, artifacts",
            "this.held[id] = artifacts; this.saved.push(id); return Promise.resolve()",
        ),
    );
    provider.into()
}

/// Puts `project`, as the portal's JSON data, under `id` in the provider.
fn hold(provider: &JsValue, id: &str, project: &Project) {
    let held = Reflect::get(provider, &JsValue::from_str("held")).unwrap();
    let data = js_sys::JSON::parse(&serde_json::to_string(project).unwrap()).unwrap();
    Reflect::set(&held, &JsValue::from_str(id), &data).unwrap();
}

/// The project the provider holds under `id`.
fn held(provider: &JsValue, id: &str) -> Project {
    let held = Reflect::get(provider, &JsValue::from_str("held")).unwrap();
    let data = Reflect::get(&held, &JsValue::from_str(id)).unwrap();
    serde_json::from_str(&String::from(js_sys::JSON::stringify(&data).unwrap())).unwrap()
}

fn demo_project(id: &str) -> Project {
    let mut project = demo::demo_projects().remove(0);
    project.id = ArtifactId::new(id).expect("an id");
    project
}

#[wasm_bindgen_test]
async fn the_portal_provides_the_artifacts_and_receives_each_change() {
    let provider = portal_provider();
    let records = Rc::new(IndexedDbProjectStore::holding(Holds::SyncRecords));
    records.delete("provided").await.unwrap();
    let project = demo_project("provided");
    // A standalone page of the same origin keeps a whole project of this id in its own database.
    let standalone = IndexedDbProjectStore::default();
    standalone.delete("provided").await.unwrap();
    standalone
        .create(&StoredProject::at_baseline(project.clone()))
        .await
        .unwrap();
    hold(&provider, "provided", &project);
    let store = ProvidedProjects::new(
        ArtifactProvider::new(provider.clone()).unwrap(),
        records.clone(),
        vec!["provided".to_owned(), "not-in-the-portal".to_owned()],
    );

    let listed = store.list().await.unwrap();
    assert_eq!(listed.len(), 1, "only the projects the portal has");
    assert_eq!(listed[0].test_cases, project.test_cases().count());

    let mut loaded = store.load("provided").await.unwrap().expect("provided");
    assert_eq!(**loaded.project, project);
    assert!(
        loaded.local_changes().changed.is_empty(),
        "never synced: the artifacts are the baseline"
    );
    assert!(store.load("not-in-the-portal").await.unwrap().is_none());

    Rc::make_mut(&mut loaded.project).suites[0].name = "Renamed here".to_owned();
    store.save(&loaded).await.unwrap();
    assert_eq!(held(&provider, "provided").suites[0].name, "Renamed here");
    let record = records
        .load("provided")
        .await
        .unwrap()
        .expect("the sync record");
    assert!(
        record.project.suites.is_empty(),
        "no artifacts kept beside the portal's"
    );
    assert_eq!(record.revision, 1);
    let kept = standalone.load("provided").await.unwrap().unwrap();
    assert_eq!(
        **kept.project, project,
        "the standalone page's project is untouched"
    );
    let again = store.load("provided").await.unwrap().unwrap();
    assert_eq!(again.project.suites[0].name, "Renamed here");
    assert_eq!(again.revision, 1);
    assert_eq!(
        again.local_changes().changed.len(),
        1,
        "the rename is a local change"
    );

    // A copy loaded before that save is stale: nothing reaches the portal.
    Rc::make_mut(&mut loaded.project).suites[0].name = "Stale".to_owned();
    let error = store.save(&loaded).await.expect_err("stale");
    assert_eq!(error, StoreError::Conflict("provided".to_owned()));
    assert_eq!(held(&provider, "provided").suites[0].name, "Renamed here");

    let error = store.create(&again).await.expect_err("the portal has it");
    assert_eq!(error, StoreError::AlreadyExists("provided".to_owned()));
}

#[wasm_bindgen_test]
async fn artifacts_of_another_project_or_unreadable_are_refused_and_no_demo_is_added() {
    let provider = portal_provider();
    hold(&provider, "asked", &demo_project("someone-else"));
    let held_object = Reflect::get(&provider, &JsValue::from_str("held")).unwrap();
    Reflect::set(
        &held_object,
        &JsValue::from_str("broken"),
        &JsValue::from_str("{\"id\":"),
    )
    .unwrap();
    let store = ProvidedProjects::new(
        ArtifactProvider::new(provider.clone()).unwrap(),
        Rc::new(IndexedDbProjectStore::holding(Holds::SyncRecords)),
        vec!["empty".to_owned()],
    );
    let error = store.load("asked").await.expect_err("another project");
    assert!(
        matches!(&error, StoreError::Provided(id, why) if id == "asked" && why.contains("someone-else"))
    );
    assert!(error.to_string().contains("Ask the portal's administrator"));
    assert!(matches!(
        store.load("broken").await,
        Err(StoreError::Provided(..))
    ));

    assert_eq!(
        list_or_seed(&store).await.unwrap(),
        ProjectListing::Projects(Vec::new())
    );
    let saved = Reflect::get(&provider, &JsValue::from_str("saved")).unwrap();
    assert_eq!(
        js_sys::Array::from(&saved).length(),
        0,
        "no demo project given to the portal"
    );

    let refused = ArtifactProvider::new(Object::new().into()).err();
    assert_eq!(
        refused.as_deref(),
        Some("artifacts.load must be a function")
    );
}

#[wasm_bindgen_test]
async fn a_save_the_portal_refuses_changes_nothing_and_says_why() {
    let provider = portal_provider();
    Reflect::set(
        &provider,
        &JsValue::from_str("save"),
        &Function::new_with_args(
            "id, artifacts",
            "return Promise.reject(new Error('the portal is read-only'))",
        ),
    )
    .unwrap();
    let records = Rc::new(IndexedDbProjectStore::holding(Holds::SyncRecords));
    records.delete("read-only").await.unwrap();
    hold(&provider, "read-only", &demo_project("read-only"));
    let store = ProvidedProjects::new(
        ArtifactProvider::new(provider.clone()).unwrap(),
        records.clone(),
        vec!["read-only".to_owned()],
    );
    let mut loaded = store.load("read-only").await.unwrap().unwrap();
    Rc::make_mut(&mut loaded.project).suites[0].name = "Not kept".to_owned();
    let error = store.save(&loaded).await.expect_err("refused");
    assert_eq!(
        error,
        StoreError::Portal("the portal is read-only".to_owned())
    );
    assert!(error.to_string().contains("nothing was changed"));
    assert!(
        records.load("read-only").await.unwrap().is_none(),
        "no sync record written"
    );
    assert_ne!(held(&provider, "read-only").suites[0].name, "Not kept");
}
