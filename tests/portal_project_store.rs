//! Projects in a portal's storage, in both forms it may declare: whole (1) or per artifact (2), each read
//! whatever the storage declares; per artifact, a save puts only what changed and leaves no key unnamed.
#![cfg(target_arch = "wasm32")]

use std::collections::BTreeSet;
use std::rc::Rc;

use bitbucket_versioning::services::portal_project_store::{PortalProjectStore, ProjectRecords};
use bitbucket_versioning::services::portal_storage::PortalStorage;
use bitbucket_versioning::services::project_store::{record_text, ProjectStore, StoreError};
use bitbucket_versioning::services::projects::StoredProject;
use js_sys::{Array, Function, Object, Reflect};
use versioning_core::artifacts::{demo, manifest, ArtifactId, LayoutOptions};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A portal's storage in memory (`held`: key → text), recording its calls (`calls`: "put key", …), that
/// declares `version` as its `projectRecordsVersion` (none: not given).
fn portal_storage(version: Option<u32>) -> JsValue {
    let storage = Object::new();
    let set = |name: &str, value: &JsValue| {
        Reflect::set(&storage, &JsValue::from_str(name), value).unwrap();
    };
    set("held", &Object::new());
    set("calls", &Array::new());
    if let Some(version) = version {
        set("projectRecordsVersion", &JsValue::from(version));
    }
    let method = |body: &str| Function::new_with_args("key, text", body);
    set(
        "get",
        &method("this.calls.push(`get ${key}`); return Promise.resolve(this.held[key] ?? null)"),
    );
    set(
        "put",
        &method("this.calls.push(`put ${key}`); this.held[key] = text; return Promise.resolve()"),
    );
    set(
        "delete",
        &method(
            "this.calls.push(`delete ${key}`); delete this.held[key]; return Promise.resolve()",
        ),
    );
    storage.into()
}

fn store(adapter: &JsValue) -> PortalProjectStore {
    let form = ProjectRecords::declared_by(adapter).unwrap();
    let storage = Rc::new(PortalStorage::new(adapter.clone()).unwrap());
    PortalProjectStore::new(storage, vec!["portal-project".into()], form)
}

/// The calls made since the last take, each "method key" with the key's project prefix left out.
fn take_calls(adapter: &JsValue) -> Vec<String> {
    let calls = Reflect::get(adapter, &JsValue::from_str("calls")).unwrap();
    let taken: Vec<String> = Array::from(&calls)
        .iter()
        .map(|call| {
            call.as_string()
                .unwrap()
                .replace("project/portal-project", "P")
        })
        .collect();
    Reflect::set(adapter, &JsValue::from_str("calls"), &Array::new()).unwrap();
    taken
}

/// The keys the storage holds.
fn keys(adapter: &JsValue) -> BTreeSet<String> {
    let held = Reflect::get(adapter, &JsValue::from_str("held")).unwrap();
    Object::keys(&held.into())
        .iter()
        .map(|k| k.as_string().unwrap())
        .collect()
}

/// What a save of `stored` (at any revision) leaves in a per-artifact storage: the head, each part of the
/// manifests of its files and its baseline, and each file by its SHA-256.
fn per_artifact_keys(stored: &StoredProject) -> BTreeSet<String> {
    let files = manifest(&stored.project, &LayoutOptions::default());
    let prefix = "project/portal-project";
    let parts = files.parts();
    let baseline = stored.baseline().parts();
    let names = parts.names().chain(baseline.names());
    names
        .map(|name| format!("{prefix}/manifest/{name}"))
        .chain(
            files
                .files
                .iter()
                .map(|e| format!("{prefix}/file/{}", e.sha256)),
        )
        .chain([prefix.to_owned()])
        .collect()
}

fn project() -> StoredProject {
    let mut project = demo::demo_projects().remove(0);
    project.id = ArtifactId::new("portal-project").unwrap();
    StoredProject::at_baseline(project)
}

#[wasm_bindgen_test]
async fn per_artifact_a_save_puts_only_the_changed_files_and_parts_then_the_head_and_deletes_what_is_unnamed(
) {
    let adapter = portal_storage(Some(2));
    let portal = store(&adapter);
    portal.create(&project()).await.unwrap();
    let mut stored = store(&adapter)
        .load("portal-project")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.project, project().project);
    assert_eq!(stored.baseline(), project().baseline());
    assert_eq!(keys(&adapter), per_artifact_keys(&stored));

    let reader = store(&adapter);
    let mut stored2 = reader.load("portal-project").await.unwrap().unwrap();
    take_calls(&adapter);
    let cases: Vec<_> = stored2.project.test_cases().map(|c| c.id.clone()).collect();
    for case in &cases[..10] {
        Rc::make_mut(&mut stored2.project)
            .set_description(case, "Edited in the portal")
            .unwrap();
    }
    reader.save(&stored2).await.unwrap();
    let calls = take_calls(&adapter);
    let count = |prefix: &str| calls.iter().filter(|c| c.starts_with(prefix)).count();
    assert_eq!(count("put P/file/"), 10, "{calls:?}");
    assert_eq!(
        count("put P/manifest/"),
        1,
        "the one part of the files' manifest"
    );
    assert_eq!(
        calls
            .iter()
            .filter(|c| c.starts_with("get "))
            .collect::<Vec<_>>(),
        ["get P"],
        "the head's revision is checked; what it names is known from the load"
    );
    let head = calls.iter().position(|c| c == "put P").expect("the head");
    assert!(
        calls[1..head].iter().all(|c| c.starts_with("put P/")),
        "the head is put after every file and part: {calls:?}"
    );
    assert!(calls[head + 1..].iter().all(|c| c.starts_with("delete P/")));
    assert_eq!(count("delete P/file/"), 10);
    assert_eq!(
        keys(&adapter),
        per_artifact_keys(&stored2),
        "no key left unnamed"
    );

    let read = store(&adapter)
        .load("portal-project")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((&read.project, read.revision), (&stored2.project, 2));
    // The first copy is stale now.
    Rc::make_mut(&mut stored.project).name = "Elsewhere".into();
    assert_eq!(
        portal.save(&stored).await.unwrap_err(),
        StoreError::Conflict("portal-project".into())
    );
    assert_eq!(
        store(&adapter).list().await.unwrap()[0].name,
        stored2.project.name,
        "the list reads the summary in the head"
    );
    portal.delete("portal-project").await.unwrap();
    assert!(keys(&adapter).is_empty(), "{:?}", keys(&adapter));
}

#[wasm_bindgen_test]
async fn a_whole_record_is_read_and_kept_per_artifact_from_its_next_save_and_back() {
    let adapter = portal_storage(Some(2));
    let whole = project();
    let text = record_text(&whole.record_at(4)).unwrap();
    let held = Reflect::get(&adapter, &JsValue::from_str("held")).unwrap();
    Reflect::set(
        &held,
        &JsValue::from_str("project/portal-project"),
        &JsValue::from_str(&text),
    )
    .unwrap();
    let portal = store(&adapter);
    assert_eq!(portal.list().await.unwrap()[0].test_cases, 26);
    assert_eq!(portal.outline("portal-project").await.unwrap(), None);
    let mut loaded = portal.load("portal-project").await.unwrap().unwrap();
    assert_eq!((&loaded.project, loaded.revision), (&whole.project, 4));
    Rc::make_mut(&mut loaded.project).description = "Kept per artifact".into();
    portal.save(&loaded).await.unwrap();
    assert_eq!(keys(&adapter), per_artifact_keys(&loaded));
    let outline = portal.outline("portal-project").await.unwrap();
    assert_eq!(outline, Some(loaded.project.outline()));
    let read = store(&adapter)
        .load("portal-project")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (read.project.description.as_str(), read.revision),
        ("Kept per artifact", 5)
    );

    // A storage that declares the whole form again gets the whole record back, and nothing else.
    let whole_form = PortalProjectStore::new(
        Rc::new(PortalStorage::new(adapter.clone()).unwrap()),
        vec!["portal-project".into()],
        ProjectRecords::Whole,
    );
    whole_form.save(&read).await.unwrap();
    assert_eq!(
        keys(&adapter),
        BTreeSet::from(["project/portal-project".to_owned()])
    );
    let again = store(&adapter)
        .load("portal-project")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((&again.project, again.revision), (&read.project, 6));
}

#[wasm_bindgen_test]
async fn a_missing_file_is_reported_with_its_key_and_an_unknown_version_is_refused() {
    let adapter = portal_storage(Some(2));
    store(&adapter).create(&project()).await.unwrap();
    let victim = keys(&adapter)
        .into_iter()
        .find(|k| k.contains("/file/"))
        .unwrap();
    let held = Reflect::get(&adapter, &JsValue::from_str("held")).unwrap();
    Reflect::delete_property(&held.into(), &JsValue::from_str(&victim)).unwrap();
    let error = store(&adapter).load("portal-project").await.unwrap_err();
    assert!(
        matches!(&error, StoreError::Unreadable(m) if m.contains(&victim)),
        "{error:?}"
    );

    assert_eq!(
        ProjectRecords::declared_by(&portal_storage(None)),
        Ok(ProjectRecords::Whole)
    );
    assert_eq!(
        ProjectRecords::declared_by(&portal_storage(Some(1))),
        Ok(ProjectRecords::Whole)
    );
    assert_eq!(
        ProjectRecords::declared_by(&portal_storage(Some(3))),
        Err("storage.projectRecordsVersion must be 1 or 2, not 3".to_owned())
    );
}
