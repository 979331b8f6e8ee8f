//! The documented JSON Schemas match the files the code writes, and the documented example tree is
//! exactly what the code writes for the "Partner API" demo project.
//!
//! To refresh the example tree after a deliberate format change, run the tests with
//! `UPDATE_EXAMPLES=1`.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;
use versioning_core::artifacts::{
    demo, from_files, manifest, part_name, to_files, ArtifactId, ArtifactKind, LayoutOptions,
    ProjectFiles, ReadLimits, MANIFEST_FILE,
};

/// `docs/schema`, found above the package folder.
fn schema_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|folder| folder.join("docs/schema"))
        .find(|folder| folder.is_dir())
        .expect("docs/schema exists above the package")
}

fn schema_name(kind: ArtifactKind) -> Option<&'static str> {
    Some(match kind {
        ArtifactKind::Project => "project",
        ArtifactKind::Suite => "suite",
        ArtifactKind::Scenario => "scenario",
        ArtifactKind::TestCase => "test-case",
        ArtifactKind::ElementRepository => "element-repository",
        ArtifactKind::DataTable => "data-table",
        ArtifactKind::ExecutionList => "execution-list",
        ArtifactKind::DataTableRows => return None,
    })
}

fn load_schema(name: &str) -> Value {
    let path = schema_dir().join(format!("{name}.schema.json"));
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let schema: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        schema["$schema"], "https://json-schema.org/draft/2020-12/schema",
        "{name}"
    );
    schema
}

/// A small structural validator for the subset of JSON Schema the layout's schemas use: local `$ref`,
/// `anyOf`, `enum`, `const`, `type`, `properties` (keys must appear in the listed order, as canonical
/// JSON writes them; optional ones may be left out), `required`, `additionalProperties: false`,
/// `items`, `minimum`, `maximum` and `maxLength`. Patterns are checked by the code's own validators
/// instead.
fn validate(value: &Value, schema: &Value, root: &Value, at: &str, problems: &mut Vec<String>) {
    if let Some(reference) = schema["$ref"].as_str() {
        let target = reference
            .strip_prefix("#/")
            .unwrap()
            .split('/')
            .fold(root, |node, key| &node[key]);
        return validate(value, target, root, at, problems);
    }
    if let Some(options) = schema["anyOf"].as_array() {
        let fits = options.iter().any(|option| {
            let mut inner = Vec::new();
            validate(value, option, root, at, &mut inner);
            inner.is_empty()
        });
        if !fits {
            problems.push(format!("{at}: matches none of anyOf"));
        }
    }
    if let Some(allowed) = schema["enum"].as_array() {
        if !allowed.contains(value) {
            problems.push(format!("{at}: {value} not in enum"));
        }
    }
    if !schema["const"].is_null() && schema["const"] != *value {
        problems.push(format!("{at}: {value} is not {}", schema["const"]));
    }
    let type_ok = match schema["type"].as_str() {
        None => true,
        Some("object") => value.is_object(),
        Some("array") => value.is_array(),
        Some("string") => value.is_string(),
        Some("integer") => value.is_u64() || value.is_i64(),
        Some("null") => value.is_null(),
        Some(other) => panic!("type {other} is not used by the layout's schemas"),
    };
    if !type_ok {
        problems.push(format!("{at}: {value} is not of type {}", schema["type"]));
    }
    if let (Some(max), Some(text)) = (schema["maxLength"].as_u64(), value.as_str()) {
        if text.chars().count() as u64 > max {
            problems.push(format!("{at}: longer than {max}"));
        }
    }
    if let Some(number) = value.as_u64() {
        let below = schema["minimum"].as_u64().is_some_and(|min| number < min);
        let above = schema["maximum"].as_u64().is_some_and(|max| number > max);
        if below || above {
            problems.push(format!("{at}: {number} out of range"));
        }
    }
    if let (Some(properties), Some(object)) = (schema["properties"].as_object(), value.as_object())
    {
        let listed: Vec<&String> = properties.keys().collect();
        let present: Vec<&String> = object.keys().collect();
        let required: BTreeSet<&str> = schema["required"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        // Optional properties may be left out; the others come in the listed order.
        let expected: Vec<&String> = listed
            .into_iter()
            .filter(|key| object.contains_key(*key) || required.contains(key.as_str()))
            .collect();
        if present != expected {
            problems.push(format!(
                "{at}: keys {present:?} differ from the schema's properties {expected:?}"
            ));
        }
        if let Some(missing) = required.iter().find(|key| !object.contains_key(**key)) {
            problems.push(format!("{at}: required {missing} is missing"));
        }
        assert_eq!(
            schema["additionalProperties"], false,
            "{at}: schemas are closed"
        );
        for (key, child) in object {
            validate(
                child,
                &properties[key.as_str()],
                root,
                &format!("{at}.{key}"),
                problems,
            );
        }
    }
    if let (Some(items), Some(array)) = (schema.get("items"), value.as_array()) {
        for (index, item) in array.iter().enumerate() {
            validate(item, items, root, &format!("{at}[{index}]"), problems);
        }
    }
}

/// Validates every JSON file of a tree against its kind's schema; returns the problems.
fn validate_tree(files: &ProjectFiles, options: &LayoutOptions) -> Vec<String> {
    let project = from_files(files, options, &ReadLimits::default()).expect("the tree reads");
    let listing = manifest(&project, options);
    let mut problems = Vec::new();
    let manifest_path = options.full_path(MANIFEST_FILE);
    let schema_of = |path: &str| {
        if path == manifest_path {
            return Some("manifest");
        }
        if options.relative(path).and_then(part_name).is_some() {
            return Some("manifest-part");
        }
        listing
            .entry(path)
            .and_then(|entry| schema_name(entry.kind))
    };
    for (path, bytes) in files {
        let Some(name) = schema_of(path) else {
            continue;
        };
        let schema = load_schema(name);
        let value: Value = serde_json::from_slice(bytes).unwrap();
        validate(&value, &schema, &schema, path, &mut problems);
    }
    problems
}

#[test]
fn demo_files_match_their_schemas() {
    let options = LayoutOptions::default();
    for project in demo::demo_projects() {
        let problems = validate_tree(&to_files(&project, &options), &options);
        assert!(
            problems.is_empty(),
            "{}:\n{}",
            project.name,
            problems.join("\n")
        );
    }
}

/// A pushed manifest names the commit its folder grew from (`origin`); the schema allows it.
#[test]
fn a_pushed_manifest_with_its_origin_matches_the_schema() {
    let options = LayoutOptions::default();
    let project = demo::demo_projects().remove(0);
    let mut pushed = manifest(&project, &options);
    pushed.origin = Some("0123456789abcdef0123456789abcdef01234567".to_owned());
    let value: Value = serde_json::from_slice(&pushed.tree().root).unwrap();
    assert!(value.get("origin").is_some());
    let schema = load_schema("manifest");
    let mut problems = Vec::new();
    validate(&value, &schema, &schema, "manifest", &mut problems);
    assert!(problems.is_empty(), "{problems:?}");
}

#[test]
fn the_validator_notices_mismatches() {
    let schema = load_schema("test-case");
    let mut problems = Vec::new();
    let wrong = serde_json::json!({"name": "x", "id": "t1", "description": "", "review_state": "done", "steps": [{}]});
    validate(&wrong, &schema, &schema, "case", &mut problems);
    assert!(problems.len() >= 3, "{problems:?}");
}

#[test]
fn schema_enums_match_the_code() {
    let manifest_schema = load_schema("manifest-part");
    let kinds = &manifest_schema["properties"]["files"]["items"]["properties"]["kind"]["enum"];
    let all = [
        ArtifactKind::Project,
        ArtifactKind::Suite,
        ArtifactKind::Scenario,
        ArtifactKind::TestCase,
        ArtifactKind::ElementRepository,
        ArtifactKind::DataTable,
        ArtifactKind::DataTableRows,
        ArtifactKind::ExecutionList,
    ];
    assert_eq!(*kinds, serde_json::to_value(all).unwrap());
    let id_schema = &load_schema("suite")["$defs"]["id"];
    assert_eq!(
        id_schema["maxLength"],
        versioning_core::artifacts::MAX_ID_LEN
    );
    assert!(ArtifactId::new("con").is_err() && ArtifactId::new("a-1").is_ok());
}

/// Reads every file below a folder into a map keyed by the path relative to `base`.
fn read_tree(base: &Path, folder: &Path, files: &mut ProjectFiles) {
    for entry in fs::read_dir(folder).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            read_tree(base, &path, files);
        } else {
            let relative = path
                .strip_prefix(base)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            files.insert(relative, fs::read(&path).unwrap());
        }
    }
}

#[test]
fn the_documented_example_tree_is_what_the_code_writes() {
    let options = LayoutOptions::default();
    let project = demo::demo_projects().remove(2);
    let expected = to_files(&project, &options);
    let examples = schema_dir().join("examples");
    if std::env::var_os("UPDATE_EXAMPLES").is_some() {
        let _ = fs::remove_dir_all(&examples);
        for (path, bytes) in &expected {
            let target = examples.join(path);
            fs::create_dir_all(target.parent().unwrap()).unwrap();
            fs::write(target, bytes).unwrap();
        }
    }
    let mut on_disk = ProjectFiles::new();
    read_tree(&examples, &examples, &mut on_disk);
    assert_eq!(
        on_disk.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>(),
        "run with UPDATE_EXAMPLES=1"
    );
    assert!(
        on_disk == expected,
        "docs/schema/examples is out of date: run the tests with UPDATE_EXAMPLES=1"
    );
    assert!(validate_tree(&on_disk, &options).is_empty());
    assert_eq!(
        from_files(&on_disk, &options, &ReadLimits::default()).unwrap(),
        project
    );
}
