//! Contract: every served route exists with its method in the official descriptions, and the
//! JSON answers for the seeded repositories validate against the described response schemas.

use std::path::PathBuf;

use serde_json::{json, Value};

use crate::common::*;

fn contracts() -> Option<(Value, Value)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/contracts");
    let read = |name: &str| -> Option<Value> {
        let text = std::fs::read_to_string(dir.join(name)).ok()?;
        serde_json::from_str(&text).ok()
    };
    let cloud = read("bitbucket-cloud-swagger-2.0.json");
    let dc = read("bitbucket-datacenter-9.4-openapi-3.0.json");
    match (cloud, dc) {
        (Some(c), Some(d)) => Some((c, d)),
        _ => {
            println!(
                "SKIPPED: contract tests need {} (official API descriptions not found)",
                dir.display()
            );
            None
        }
    }
}

/// Maps a sandbox path template to the description's template; `true` for Cloud.
fn spec_path(path: &str) -> (bool, String) {
    let path = path.replace("{*", "{");
    if let Some(rest) = path.strip_prefix("/2.0") {
        let rest = if rest.ends_with("/src/{commit}/") {
            format!("{rest}{{path}}")
        } else {
            rest.to_string()
        };
        return (true, rest);
    }
    let rest = path.trim_start_matches("/rest");
    let rest = rest.replacen("/api/1.0/", "/api/latest/", 1).replacen(
        "/branch-permissions/2.0/",
        "/branch-permissions/latest/",
        1,
    );
    (false, rest)
}

#[test]
fn every_served_route_is_described_with_its_method() {
    let Some((cloud, dc)) = contracts() else {
        return;
    };
    let routes = bitbucket_sandbox::api_routes();
    assert!(routes.len() > 30);
    for (method, path) in routes {
        let (is_cloud, template) = spec_path(&path);
        let doc = if is_cloud { &cloud } else { &dc };
        let operation = &doc["paths"][&template][method.to_ascii_lowercase()];
        assert!(
            operation.is_object(),
            "{method} {path} (as {template}) is not in the description"
        );
    }
}

/// The response schema of an operation, made self-contained by carrying the document's
/// definitions so `$ref`s resolve inside it.
fn response_schema(
    doc: &Value,
    is_cloud: bool,
    template: &str,
    method: &str,
    status: u16,
) -> Option<Value> {
    let response = &doc["paths"][template][method]["responses"][status.to_string()];
    let mut schema = if is_cloud {
        response["schema"].clone()
    } else {
        let content = response["content"].as_object()?;
        content
            .get("application/json")
            .or_else(|| content.values().next())?["schema"]
            .clone()
    };
    if schema.is_null() {
        return None;
    }
    if is_cloud {
        schema["definitions"] = doc["definitions"].clone();
    } else {
        schema["components"] = json!({ "schemas": doc["components"]["schemas"].clone() });
    }
    Some(schema)
}

fn validate(
    doc: &Value,
    is_cloud: bool,
    template: &str,
    method: &str,
    status: u16,
    body: &Value,
) -> Result<(), String> {
    let Some(schema) = response_schema(doc, is_cloud, template, method, status) else {
        return Err(format!("no {status} schema for {method} {template}"));
    };
    let draft = if is_cloud {
        jsonschema::Draft::Draft4
    } else {
        jsonschema::Draft::Draft7
    };
    let validator = jsonschema::options()
        .with_draft(draft)
        .should_validate_formats(false)
        .build(&schema)
        .map_err(|e| format!("schema of {template}: {e}"))?;
    let errors: Vec<String> = validator
        .iter_errors(body)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{method} {template} {status}: {}",
            errors.join("; ")
        ))
    }
}

#[tokio::test]
async fn seeded_answers_validate_against_the_response_schemas() {
    let Some((cloud, dc)) = contracts() else {
        return;
    };
    let sb = Sandbox::new();
    let main = sb.tip("cloud/acme/checkout-tests", "main");
    let r = "/repositories/{workspace}/{repo_slug}";
    let mut failures = Vec::new();
    let cloud_tag = post(&format!("{CLOUD_REPO}/refs/tags"))
        .cloud_user("ada")
        .json(json!({ "name": "v1.0", "target": { "hash": main } }))
        .send(&sb)
        .await
        .expect(201)
        .json();
    failures.extend(
        validate(
            &cloud,
            true,
            &format!("{r}/refs/tags"),
            "post",
            201,
            &cloud_tag,
        )
        .err(),
    );
    let cloud_cases: Vec<(String, String, u16)> = vec![
        ("/2.0/user".into(), "/user".into(), 200),
        (
            "/2.0/user/workspaces/acme/permissions/repositories?q=repository.name%3D%22checkout-tests%22".into(),
            "/user/workspaces/{workspace}/permissions/repositories".into(),
            200,
        ),
        (CLOUD_REPO.into(), r.into(), 200),
        (format!("{CLOUD_REPO}/refs/branches"), format!("{r}/refs/branches"), 200),
        (format!("{CLOUD_REPO}/refs/branches/main"), format!("{r}/refs/branches/{{name}}"), 200),
        (format!("{CLOUD_REPO}/refs/tags"), format!("{r}/refs/tags"), 200),
        (format!("{CLOUD_REPO}/refs/tags/v1.0"), format!("{r}/refs/tags/{{name}}"), 200),
        (format!("{CLOUD_REPO}/refs/tags/nope"), format!("{r}/refs/tags/{{name}}"), 404),
        (format!("{CLOUD_REPO}/branch-restrictions"), format!("{r}/branch-restrictions"), 200),
        (format!("{CLOUD_REPO}/src/main/"), format!("{r}/src/{{commit}}/{{path}}"), 200),
        (format!("{CLOUD_REPO}/src"), format!("{r}/src"), 200),
        (format!("{CLOUD_REPO}/commits/main"), format!("{r}/commits/{{revision}}"), 200),
        (format!("{CLOUD_REPO}/commits"), format!("{r}/commits"), 200),
        (format!("{CLOUD_REPO}/commit/{main}"), format!("{r}/commit/{{commit}}"), 200),
        (format!("{CLOUD_REPO}/diffstat/{main}"), format!("{r}/diffstat/{{spec}}"), 200),
        (format!("{CLOUD_REPO}/diffstat/{main}..{main}"), format!("{r}/diffstat/{{spec}}"), 200),
        ("/2.0/repositories/acme/nope".into(), r.into(), 404),
        (format!("{CLOUD_REPO}/src/main/nope"), format!("{r}/src/{{commit}}/{{path}}"), 404),
    ];
    for (url, template, status) in cloud_cases {
        let mut body = get(&url)
            .cloud_user("ada")
            .send(&sb)
            .await
            .expect(status)
            .json();
        // The description types a diffstat's `old` and `new` as files; live answers carry null
        // for the missing side of an added or removed file.
        if let Some(values) = body.get_mut("values").and_then(Value::as_array_mut) {
            for v in values.iter_mut().filter(|v| v["type"] == "diffstat") {
                let object = v.as_object_mut().unwrap();
                object.retain(|_, side| !side.is_null());
            }
        }
        if let Err(e) = validate(&cloud, true, &template, "get", status, &body) {
            failures.push(e);
        }
    }
    // `format=meta` answers one tree entry, not the page the description gives for the path.
    let meta = get(&format!("{CLOUD_REPO}/src/main/README.md?format=meta"))
        .cloud_user("ada")
        .send(&sb)
        .await
        .expect(200);
    let mut schema = json!({ "$ref": "#/definitions/treeentry" });
    schema["definitions"] = cloud["definitions"].clone();
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .build(&schema)
        .unwrap();
    failures.extend(
        validator
            .iter_errors(&meta.json())
            .map(|e| format!("format=meta: {e} at {}", e.instance_path)),
    );
    let p = "/api/latest/projects/{projectKey}/repos/{repositorySlug}";
    for (name, message) in [("v1.0", Some("Release 1.0")), ("v1.1", None)] {
        let dc_tag = post(&format!("{DC_REPO}/tags"))
            .dc_user("ada")
            .json(json!({ "name": name, "startPoint": "main", "message": message }))
            .send(&sb)
            .await
            .expect(200)
            .json();
        failures.extend(validate(&dc, false, &format!("{p}/tags"), "post", 200, &dc_tag).err());
    }
    let dc_cases: Vec<(String, String, u16)> = vec![
        (DC_REPO.into(), p.into(), 200),
        (
            format!("{DC_REPO}/default-branch"),
            format!("{p}/default-branch"),
            200,
        ),
        (format!("{DC_REPO}/branches"), format!("{p}/branches"), 200),
        (format!("{DC_REPO}/tags"), format!("{p}/tags"), 200),
        (
            format!("{DC_REPO}/tags/v1.0"),
            format!("{p}/tags/{{name}}"),
            200,
        ),
        (format!("{DC_REPO}/commits"), format!("{p}/commits"), 200),
        (
            format!("{DC_REPO}/compare/changes?from=main&to=v1.0"),
            format!("{p}/compare/changes"),
            200,
        ),
        (format!("{DC_REPO}/files"), format!("{p}/files"), 200),
        (
            format!("{DC_REPO}/files/test-artifacts"),
            format!("{p}/files/{{path}}"),
            200,
        ),
        (
            "/rest/api/latest/repos?projectkey=QA&permission=REPO_WRITE".into(),
            "/api/latest/repos".into(),
            200,
        ),
        (
            "/rest/api/latest/users/ada".into(),
            "/api/latest/users/{userSlug}".into(),
            200,
        ),
        (
            "/rest/api/1.0/application-properties".into(),
            "/api/latest/application-properties".into(),
            200,
        ),
        (
            "/rest/branch-permissions/latest/projects/QA/repos/regression-suite/restrictions"
                .into(),
            "/branch-permissions/latest/projects/{projectKey}/repos/{repositorySlug}/restrictions"
                .into(),
            200,
        ),
        (
            "/rest/api/latest/projects/QA/repos/nope".into(),
            p.into(),
            404,
        ),
    ];
    for (url, template, status) in dc_cases {
        let mut body = get(&url)
            .dc_user("ada")
            .send(&sb)
            .await
            .expect(status)
            .json();
        // The description types `context` as a string; live Data Center errors carry null.
        if let Some(errors) = body.get_mut("errors").and_then(Value::as_array_mut) {
            for e in errors.iter_mut().filter(|e| e["context"].is_null()) {
                e["context"] = json!("");
            }
        }
        match validate(&dc, false, &template, "get", status, &body) {
            Err(e) if e.starts_with("no ") => println!("not checked (no schema): {e}"),
            Err(e) => failures.push(e),
            Ok(()) => {}
        }
    }
    let dc_commit = put(&format!("{DC_REPO}/browse/new.txt"))
        .dc_user("ada")
        .no_check()
        .multipart(&[
            ("content", "x"),
            ("branch", "feature/c"),
            ("sourceBranch", "main"),
        ])
        .send(&sb)
        .await
        .expect(200)
        .json();
    if let Err(e) = validate(
        &dc,
        false,
        &format!("{p}/browse/{{path}}"),
        "put",
        200,
        &dc_commit,
    ) {
        failures.push(e);
    }
    assert!(
        failures.is_empty(),
        "schema violations:\n{}",
        failures.join("\n")
    );
}
