//! Records written before revisions existed read at revision 0, which a first save expects.
#![cfg(not(target_arch = "wasm32"))]

use bitbucket_versioning::services::projects::StoredProject;
use versioning_core::artifacts::demo;

#[test]
fn an_old_record_without_a_revision_reads_at_revision_zero() {
    let stored = StoredProject::at_baseline(demo::demo_projects().remove(0));
    let mut json: serde_json::Value = serde_json::to_value(&stored).unwrap();
    json.as_object_mut().unwrap().remove("revision");
    let old: StoredProject = serde_json::from_value(json).unwrap();
    assert_eq!(old.revision, 0);
    assert_eq!(old, stored);
}
