//! Data Center endpoints: reads, paging, the file editor, XSRF, tokens, permissions, no CORS.

use bitbucket_sandbox::config::{DataCenterConfig, FileEditor, SourceBranchOnExisting};

use crate::common::*;

const KEY: &str = "dc/QA/regression-suite";

#[tokio::test]
async fn repository_default_branch_and_branches() {
    let sb = Sandbox::new();
    let repo = get(DC_REPO).dc_user("eve").ok_json(&sb).await;
    assert_eq!(repo["project"]["key"], "QA");
    assert_eq!(
        repo["links"]["clone"][0]["href"],
        "http://localhost:7990/scm/qa/regression-suite.git"
    );
    assert_eq!(
        repo["links"]["self"][0]["href"],
        "http://localhost:7990/projects/QA/repos/regression-suite/browse"
    );
    let legacy = get("/rest/api/1.0/projects/QA/repos/regression-suite/default-branch")
        .dc_user("eve")
        .send(&sb)
        .await;
    assert_eq!(legacy.expect(200).json()["displayId"], "main");
    for i in 0..3 {
        put(&format!("{DC_REPO}/browse/f{i}.txt"))
            .dc_user("eve")
            .no_check()
            .multipart(&[
                ("content", "x"),
                ("branch", &format!("feature/f{i}")),
                ("sourceBranch", "main"),
                ("message", "m"),
            ])
            .send(&sb)
            .await
            .expect(200);
    }
    let mut start = 0;
    let mut seen = Vec::new();
    loop {
        let page = get(&format!(
            "{DC_REPO}/branches?limit=2&start={start}&orderBy=ALPHABETICAL"
        ))
        .dc_user("eve")
        .send(&sb)
        .await;
        let page = page.expect(200).json();
        for b in page["values"].as_array().unwrap() {
            seen.push((
                b["displayId"].as_str().unwrap().to_string(),
                b["isDefault"].as_bool().unwrap(),
            ));
        }
        if page["isLastPage"].as_bool().unwrap() {
            assert!(page.get("nextPageStart").is_none());
            break;
        }
        start = page["nextPageStart"].as_u64().unwrap() as usize;
    }
    assert_eq!(seen.len(), 4);
    assert!(seen.contains(&("main".to_string(), true)));
    let filtered = get(&format!("{DC_REPO}/branches?filterText=f1"))
        .dc_user("eve")
        .ok_json(&sb)
        .await;
    assert_eq!(filtered["values"][0]["displayId"], "feature/f1");
}

#[tokio::test]
async fn files_browse_raw_and_commits() {
    let sb = Sandbox::new();
    let files = get(&format!("{DC_REPO}/files?limit=1"))
        .dc_user("rory")
        .ok_json(&sb)
        .await;
    assert_eq!(files["values"], serde_json::json!(["README.md"]));
    assert_eq!(files["nextPageStart"], 1);
    let sub = get(&format!("{DC_REPO}/files/test-artifacts"))
        .dc_user("rory")
        .ok_json(&sb)
        .await;
    assert_eq!(sub["values"], serde_json::json!(["project.json"]));
    let lines = get(&format!("{DC_REPO}/browse/README.md?limit=1"))
        .dc_user("rory")
        .ok_json(&sb)
        .await;
    assert_eq!(lines["lines"][0]["text"], "# regression-suite");
    assert_eq!(lines["isLastPage"], false);
    let kind = get(&format!("{DC_REPO}/browse/test-artifacts?type=true"))
        .dc_user("rory")
        .ok_json(&sb)
        .await;
    assert_eq!(kind["type"], "DIRECTORY");
    let raw = get(&format!(
        "{DC_REPO}/raw/test-artifacts/project.json?at=main"
    ))
    .dc_user("rory")
    .send(&sb)
    .await;
    assert!(raw.expect(200).text().contains("Regression"));
    let missing = get(&format!("{DC_REPO}/raw/nope?at=main"))
        .dc_user("rory")
        .send(&sb)
        .await
        .expect(404);
    assert!(missing.dc_error().1.contains("NoSuchPath"));
    let commits = get(&format!("{DC_REPO}/commits?until=main&path=README.md"))
        .dc_user("rory")
        .ok_json(&sb)
        .await;
    assert_eq!(commits["values"][0]["id"], sb.tip(KEY, "main"));
}

/// The names and contents of a zip's entries (folders end with `/` and have no content).
fn zip_entries(bytes: &[u8]) -> Vec<(String, String)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    (0..archive.len())
        .map(|i| {
            let mut entry = archive.by_index(i).unwrap();
            let mut text = String::new();
            std::io::Read::read_to_string(&mut entry, &mut text).unwrap();
            (entry.name().to_owned(), text)
        })
        .collect()
}

#[tokio::test]
async fn archive_streams_the_asked_folders_at_a_commit_as_a_zip() {
    let sb = Sandbox::new();
    let tip = sb.tip(KEY, "main");
    let zip = get(&format!(
        "{DC_REPO}/archive?at={tip}&format=zip&path=test-artifacts"
    ))
    .dc_user("rory")
    .send(&sb)
    .await
    .expect(200);
    assert_eq!(
        zip.header("content-type").as_deref(),
        Some("application/octet-stream")
    );
    let entries = zip_entries(&zip.body);
    let names: Vec<&str> = entries.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["test-artifacts/", "test-artifacts/project.json"]);
    assert!(entries[1].1.contains("Regression"));
    let whole = get(&format!("{DC_REPO}/archive?prefix=copy"))
        .dc_user("rory")
        .send(&sb)
        .await
        .expect(200);
    let names: Vec<String> = zip_entries(&whole.body)
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert!(names.contains(&"copy/README.md".to_owned()), "{names:?}");
    let tar = get(&format!("{DC_REPO}/archive?format=tar"))
        .dc_user("rory")
        .send(&sb)
        .await
        .expect(400);
    assert!(tar.dc_error().0.contains("zip"));
    let missing = get(&format!("{DC_REPO}/archive?path=nope"))
        .dc_user("rory")
        .send(&sb)
        .await
        .expect(404);
    assert!(missing.dc_error().1.contains("NoSuchPath"));
    get(&format!("{DC_REPO}/archive"))
        .send(&sb)
        .await
        .expect(401);
}

#[tokio::test]
async fn editing_a_file_commits_and_checks_conflicts() {
    let sb = Sandbox::new();
    let main = sb.tip(KEY, "main");
    let sb = &sb;
    let edit = |fields: Vec<(&'static str, String)>| {
        let owned: Vec<(&str, String)> = fields;
        async move {
            let refs: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (*k, v.as_str())).collect();
            put(&format!("{DC_REPO}/browse/test-artifacts/project.json"))
                .dc_user("lee")
                .no_check()
                .multipart(&refs)
                .send(sb)
                .await
        }
    };
    let exists = edit(vec![("content", "{}".into()), ("branch", "main".into())])
        .await
        .expect(409);
    assert!(exists.dc_error().0.contains("already exists"));
    let commit = edit(vec![
        ("content", "{\"v\":2}".into()),
        ("branch", "main".into()),
        ("sourceCommitId", main.clone()),
        ("message", "Update project".into()),
    ])
    .await
    .expect(200)
    .json();
    assert_eq!(commit["message"], "Update project");
    assert_eq!(commit["parents"][0]["id"], main);
    assert_eq!(sb.tip(KEY, "main"), commit["id"].as_str().unwrap());
    let stale = edit(vec![
        ("content", "{\"v\":3}".into()),
        ("branch", "main".into()),
        ("sourceCommitId", main.clone()),
    ])
    .await;
    assert!(stale.expect(409).dc_error().0.contains("modified"));
    let tip = sb.tip(KEY, "main");
    let same = edit(vec![
        ("content", "{\"v\":2}".into()),
        ("branch", "main".into()),
        ("sourceCommitId", tip.clone()),
    ])
    .await;
    assert!(same.expect(409).dc_error().0.contains("unchanged"));
    assert_eq!(sb.tip(KEY, "main"), tip);
    let repo = sb.git(KEY);
    let head = repo
        .find_commit(git2::Oid::from_str(&tip).unwrap())
        .unwrap();
    assert_eq!(head.author().name(), Some("Lee Lead"));
    let blob = head
        .tree()
        .unwrap()
        .get_path(std::path::Path::new("test-artifacts/project.json"))
        .unwrap();
    assert_eq!(repo.find_blob(blob.id()).unwrap().content(), b"{\"v\":2}");
    edit(vec![("branch", "main".into())]).await.expect(400);
}

/// A sandbox whose Data Center is configured by `change`.
fn datacenter_with(change: impl FnOnce(&mut DataCenterConfig)) -> Sandbox {
    Sandbox::configured(|config| change(&mut config.datacenter))
}

#[tokio::test]
async fn source_branch_starts_new_branches_and_on_an_existing_one_commits_or_is_refused() {
    for reading in [
        SourceBranchOnExisting::Commit,
        SourceBranchOnExisting::Refuse,
    ] {
        let sb = datacenter_with(|dc| dc.readings.source_branch_on_existing = reading);
        source_branch_on_an_existing_branch(&sb, reading).await;
    }
}

async fn source_branch_on_an_existing_branch(sb: &Sandbox, reading: SourceBranchOnExisting) {
    let main = sb.tip(KEY, "main");
    let edit = |fields: &[(&str, &str)]| {
        put(&format!("{DC_REPO}/browse/notes.txt"))
            .dc_user("eve")
            .no_check()
            .multipart(fields)
    };
    let unknown = edit(&[("content", "a"), ("branch", "feature/new")])
        .send(sb)
        .await
        .expect(400);
    let (message, exception) = unknown.dc_error();
    assert!(message.contains("sourceBranch"), "{message}");
    assert!(exception.ends_with("ArgumentValidationException"));
    assert_eq!(sb.tip(KEY, "feature/new"), "");
    let created = edit(&[
        ("content", "a"),
        ("branch", "feature/new"),
        ("sourceBranch", "main"),
    ])
    .ok_json(sb)
    .await;
    assert_eq!(created["parents"][0]["id"], main);
    assert_eq!(created["id"], sb.tip(KEY, "feature/new").as_str());
    // A sourceBranch equal to the branch is ignored.
    let tip = edit(&[
        ("content", "b"),
        ("branch", "feature/new"),
        ("sourceBranch", "feature/new"),
        ("sourceCommitId", &sb.tip(KEY, "feature/new")),
    ])
    .ok_json(sb)
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let again = edit(&[
        ("content", "c"),
        ("branch", "feature/new"),
        ("sourceBranch", "main"),
        ("sourceCommitId", &tip),
    ])
    .send(sb)
    .await;
    match reading {
        SourceBranchOnExisting::Refuse => {
            assert!(again.expect(400).dc_error().0.contains("already exists"));
            assert_eq!(sb.tip(KEY, "feature/new"), tip);
        }
        SourceBranchOnExisting::Commit => {
            // The edit lands on the existing branch, on its tip, not on sourceBranch's.
            let landed = again.expect(200).json();
            assert_eq!(landed["parents"][0]["id"], tip.as_str());
            assert_eq!(sb.tip(KEY, "feature/new"), landed["id"].as_str().unwrap());
        }
    }
}

#[tokio::test]
async fn xsrf_tokens_permissions_and_branch_permissions() {
    let sb = Sandbox::new();
    let path = format!("{DC_REPO}/browse/new.txt");
    let fields = [
        ("content", "x"),
        ("branch", "feature/n"),
        ("sourceBranch", "main"),
    ];
    let xsrf = put(&path)
        .dc_user("eve")
        .multipart(&fields)
        .send(&sb)
        .await
        .expect(403);
    assert_eq!(xsrf.text(), "XSRF check failed");
    let token = put(&path)
        .bearer("BBDC-demo-repo-regression-suite")
        .no_check()
        .multipart(&fields)
        .send(&sb)
        .await
        .expect(403);
    assert!(token
        .dc_error()
        .0
        .contains("project or repository access token"));
    get(DC_REPO)
        .bearer("BBDC-demo-repo-regression-suite")
        .send(&sb)
        .await
        .expect(200);
    put(&path)
        .dc_user("rory")
        .no_check()
        .multipart(&fields)
        .send(&sb)
        .await
        .expect(401);
    let main = put(&path)
        .dc_user("eve")
        .no_check()
        .multipart(&[("content", "x"), ("branch", "main")])
        .send(&sb)
        .await;
    let (message, exception) = main.expect(401).dc_error();
    assert!(message.contains("read-only"), "{message}");
    assert!(exception.ends_with("AuthorisationException"));
    dc_edit(
        &sb,
        "lee",
        "new.txt",
        &[("content", "x"), ("branch", "main")],
    )
    .await
    .expect(200);
    put(&format!("{DC_REPO}/browse/other.txt"))
        .basic("eve", "BBDC-demo-eve")
        .no_check()
        .multipart(&fields)
        .send(&sb)
        .await
        .expect(200);
    let restrictions =
        "/rest/branch-permissions/2.0/projects/QA/repos/regression-suite/restrictions";
    get(restrictions).dc_user("eve").send(&sb).await.expect(401);
    let list = get(restrictions).dc_user("ada").ok_json(&sb).await;
    assert_eq!(list["values"][0]["type"], "read-only");
    get("/rest/branch-permissions/latest/projects/QA/repos/regression-suite/restrictions")
        .dc_user("ada")
        .send(&sb)
        .await
        .expect(200);
}

#[tokio::test]
async fn dc_auth_failures_and_identity() {
    let sb = Sandbox::new();
    let anonymous = get(DC_REPO).send(&sb).await.expect(401);
    assert!(anonymous
        .dc_error()
        .1
        .ends_with("AuthenticationRequiredException"));
    let wrong = get(DC_REPO)
        .basic("eve", "nope")
        .send(&sb)
        .await
        .expect(401);
    assert_eq!(
        wrong.dc_error().0,
        "Authentication failed. Please check your credentials and try again."
    );
    get(DC_REPO)
        .bearer("BBDC-demo-eve-expired")
        .send(&sb)
        .await
        .expect(401);
    get(DC_REPO)
        .basic("eve", "BBDC-demo-repo-regression-suite")
        .send(&sb)
        .await
        .expect(401);
    get(DC_REPO)
        .basic("ada", "BBDC-demo-eve")
        .send(&sb)
        .await
        .expect(401);
    let missing = get("/rest/api/latest/projects/QA/repos/nope")
        .dc_user("eve")
        .send(&sb)
        .await
        .expect(404);
    assert_eq!(
        missing.dc_error(),
        (
            "Repository QA/nope does not exist.".into(),
            "com.atlassian.bitbucket.repository.NoSuchRepositoryException".into()
        )
    );
    let props = get("/rest/api/1.0/application-properties")
        .send(&sb)
        .await
        .expect(200);
    assert!(props.header("x-ausername").is_none());
    let props = get("/rest/api/1.0/application-properties")
        .dc_user("quinn")
        .send(&sb)
        .await
        .expect(200);
    assert_eq!(props.header("x-ausername").as_deref(), Some("quinn"));
    let me = get("/rest/api/latest/users/quinn")
        .dc_user("quinn")
        .ok_json(&sb)
        .await;
    assert_eq!(me["displayName"], "Quinn Manager");
    let search = |perm: &'static str, user: &'static str| {
        get(&format!(
            "/rest/api/latest/repos?projectkey=QA&name=regression-suite&permission={perm}"
        ))
        .dc_user(user)
    };
    assert_eq!(
        search("REPO_WRITE", "eve")
            .send(&sb)
            .await
            .expect(200)
            .json()["size"],
        1
    );
    assert_eq!(
        search("REPO_WRITE", "rory")
            .send(&sb)
            .await
            .expect(200)
            .json()["size"],
        0
    );
    assert_eq!(
        search("REPO_ADMIN", "ada")
            .send(&sb)
            .await
            .expect(200)
            .json()["size"],
        1
    );
}

/// A browser's `User-Agent` (Chromium's), which Data Center's XSRF filter recognises.
const BROWSER: &str =
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36";

/// `POST …/tags` creating `name` at main, as Eve.
fn new_tag(name: &str) -> Req {
    post(&format!("{DC_REPO}/tags"))
        .dc_user("eve")
        .json(serde_json::json!({ "name": name, "startPoint": "main" }))
}

#[tokio::test]
async fn a_browser_post_from_another_origin_fails_the_xsrf_check_whatever_the_token_header() {
    let sb = Sandbox::new();
    let from_app = |request: Req| {
        request
            .header("user-agent", BROWSER)
            .header("origin", "http://127.0.0.1:7990")
            .header(
                "referer",
                "http://127.0.0.1:7990/projects/checkout-web/artifacts",
            )
    };
    let branches = "/rest/branch-utils/latest/projects/QA/repos/regression-suite/branches";
    let refused = [
        from_app(new_tag("t1")),
        from_app(new_tag("t2")).no_check(),
        // Neither header, as a relay that only removes them would send it.
        new_tag("t3").header("user-agent", BROWSER),
        // A look-alike: the own origin as a prefix of another host.
        new_tag("t4")
            .header("user-agent", BROWSER)
            .header("origin", "http://localhost:79901"),
        from_app(post(branches).dc_user("eve"))
            .json(serde_json::json!({ "name": "feature/b", "startPoint": "main" })),
    ];
    for request in refused {
        let answer = request.send(&sb).await.expect(403);
        assert_eq!(answer.text(), "XSRF check failed");
    }
    assert!(sb.git(KEY).find_reference("refs/tags/t1").is_err());
    // The own origin, in Origin or in Referer, passes; so does a client that is not a browser.
    for (i, (name, value)) in [
        ("origin", "http://localhost:7990"),
        (
            "referer",
            "http://localhost:7990/projects/QA/repos/regression-suite",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        new_tag(&format!("own-{i}"))
            .header("user-agent", BROWSER)
            .header("origin", "http://127.0.0.1:7990")
            .header(name, value)
            .send(&sb)
            .await
            .expect(200);
    }
    new_tag("curl")
        .header("user-agent", "curl/8.5.0")
        .header("origin", "http://127.0.0.1:7990")
        .send(&sb)
        .await
        .expect(200);
}

#[tokio::test]
async fn a_browser_put_from_another_origin_passes_the_xsrf_check() {
    let sb = Sandbox::new();
    put(&format!("{DC_REPO}/browse/from-browser.txt"))
        .dc_user("eve")
        .no_check()
        .header("user-agent", BROWSER)
        .header("origin", "http://127.0.0.1:7990")
        .multipart(&[
            ("content", "x"),
            ("branch", "feature/browser"),
            ("sourceBranch", "main"),
            ("message", "From a browser"),
        ])
        .send(&sb)
        .await
        .expect(200);
}

#[tokio::test]
async fn data_center_never_answers_cors_on_rest_or_scm() {
    let sb = Sandbox::new();
    let paths = [
        DC_REPO.to_string(),
        format!("{DC_REPO}/tags"),
        "/rest/api/1.0/application-properties".to_string(),
        "/scm/qa/regression-suite.git/info/refs?service=git-upload-pack".to_string(),
    ];
    for path in &paths {
        let preflight = Req::new(axum::http::Method::OPTIONS, path)
            .header("origin", "http://127.0.0.1:7990")
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization, content-type",
            )
            .send(&sb)
            .await;
        let plain = get(path)
            .dc_user("eve")
            .header("user-agent", BROWSER)
            .header("origin", "http://127.0.0.1:7990")
            .send(&sb)
            .await;
        for answer in [preflight, plain] {
            let cors: Vec<_> = answer
                .headers
                .keys()
                .filter(|name| name.as_str().starts_with("access-control-"))
                .collect();
            assert!(cors.is_empty(), "{path}: {cors:?}");
        }
    }
}

#[tokio::test]
async fn branch_utils_creates_a_branch_at_a_start_point() {
    let sb = Sandbox::new();
    let main = sb.tip(KEY, "main");
    let branches = "/rest/branch-utils/latest/projects/QA/repos/regression-suite/branches";
    let create = |user: &str, name: &str| {
        post(branches)
            .dc_user(user)
            .json(serde_json::json!({ "name": name, "startPoint": "refs/heads/main" }))
    };
    let created = create("lee", "refs/heads/feature/empty")
        .send(&sb)
        .await
        .expect(201)
        .json();
    assert_eq!(created["id"], "refs/heads/feature/empty");
    assert_eq!(created["displayId"], "feature/empty");
    assert_eq!(created["latestCommit"], main);
    assert_eq!(sb.tip(KEY, "feature/empty"), main);
    let (message, exception) = create("lee", "feature/empty")
        .send(&sb)
        .await
        .expect(400)
        .dc_error();
    assert!(message.contains("already exists"), "{message}");
    assert!(exception.ends_with("DuplicateRefException"));
    create("rory", "feature/rory").send(&sb).await.expect(401);
    let (message, _) = create("eve", "main").send(&sb).await.expect(401).dc_error();
    assert!(message.contains("branch permission"), "{message}");
    post(branches)
        .dc_user("lee")
        .json(serde_json::json!({ "name": "feature/x", "startPoint": "no-such-ref" }))
        .send(&sb)
        .await
        .expect(400);
}

#[tokio::test]
async fn tags_are_created_listed_and_read() {
    let sb = Sandbox::new();
    let main = sb.tip(KEY, "main");
    let tags = format!("{DC_REPO}/tags");
    let annotated = post(&tags)
        .dc_user("eve")
        .json(serde_json::json!({ "name": "release-1", "startPoint": "main", "message": "First" }))
        .ok_json(&sb)
        .await;
    assert_eq!(annotated["id"], "refs/tags/release-1");
    assert_eq!(annotated["displayId"], "release-1");
    assert_eq!(annotated["type"], "TAG");
    assert_eq!(annotated["latestCommit"], main);
    assert_ne!(
        annotated["hash"], main,
        "an annotated tag has its own object"
    );
    let light = post(&tags)
        .bearer("BBDC-demo-repo-regression-suite")
        .json(serde_json::json!({ "name": "snapshot", "startPoint": main }))
        .ok_json(&sb)
        .await;
    assert_eq!(light["hash"], main);
    let repo = sb.git(KEY);
    let object = repo.revparse_single("refs/tags/release-1").unwrap();
    assert_eq!(object.as_tag().unwrap().message(), Some("First"));
    let again = post(&tags)
        .dc_user("eve")
        .json(serde_json::json!({ "name": "release-1", "startPoint": "main" }))
        .send(&sb)
        .await
        .expect(400);
    assert!(again.dc_error().1.ends_with("DuplicateRefException"));
    post(&tags)
        .dc_user("eve")
        .json(serde_json::json!({ "name": "x", "startPoint": "nope" }))
        .send(&sb)
        .await
        .expect(400);
    post(&tags)
        .dc_user("rory")
        .json(serde_json::json!({ "name": "x", "startPoint": "main" }))
        .send(&sb)
        .await
        .expect(401);
    let page = get(&format!("{tags}?filterText=REL&limit=5"))
        .dc_user("rory")
        .ok_json(&sb)
        .await;
    assert_eq!(page["values"].as_array().unwrap().len(), 1);
    assert_eq!(page["values"][0]["displayId"], "release-1");
    let page = get(&format!("{tags}?orderBy=ALPHABETICAL&limit=1"))
        .dc_user("rory")
        .ok_json(&sb)
        .await;
    assert_eq!(page["values"][0]["displayId"], "release-1");
    assert_eq!(page["nextPageStart"], 1);
    let one = get(&format!("{tags}/snapshot"))
        .dc_user("rory")
        .ok_json(&sb)
        .await;
    assert_eq!(one["latestCommit"], main);
    let at_tag = get(&format!("{DC_REPO}/commits?until=release-1"))
        .dc_user("rory")
        .ok_json(&sb)
        .await;
    assert_eq!(
        at_tag["values"][0]["id"], main,
        "a tag name resolves to its commit"
    );
    let missing = get(&format!("{tags}/nope"))
        .dc_user("rory")
        .send(&sb)
        .await
        .expect(404);
    assert!(missing.dc_error().1.ends_with("NoSuchTagException"));
}

#[tokio::test]
async fn compare_changes_lists_the_files_changed_between_two_commits() {
    let sb = Sandbox::new();
    let old = sb.tip(KEY, "main");
    let fields = [("content", "{}"), ("branch", "main")];
    dc_edit(&sb, "lee", "test-artifacts/new.json", &fields)
        .await
        .expect(200);
    let fields = [
        ("content", "changed"),
        ("branch", "main"),
        ("sourceCommitId", &old),
    ];
    dc_edit(&sb, "lee", "README.md", &fields).await.expect(200);
    let new = sb.tip(KEY, "main");
    let page = get(&format!("{DC_REPO}/compare/changes?from={new}&to={old}"))
        .dc_user("rory")
        .ok_json(&sb)
        .await;
    let summary: Vec<(&str, &str)> = page["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["type"].as_str().unwrap(),
                v["path"]["toString"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [("MODIFY", "README.md"), ("ADD", "test-artifacts/new.json")]
    );
    assert_eq!(page["values"][1]["path"]["parent"], "test-artifacts");
    assert_eq!(page["isLastPage"], true);
    let first = get(&format!(
        "{DC_REPO}/compare/changes?from={new}&to={old}&limit=1"
    ))
    .dc_user("rory")
    .ok_json(&sb)
    .await;
    assert_eq!(first["nextPageStart"], 1);
    let back = get(&format!("{DC_REPO}/compare/changes?from={old}&to={new}"))
        .dc_user("rory")
        .ok_json(&sb)
        .await;
    assert_eq!(
        back["values"],
        serde_json::json!([]),
        "nothing in old is missing from new"
    );
    get(&format!("{DC_REPO}/compare/changes?from=nope&to={old}"))
        .dc_user("rory")
        .send(&sb)
        .await
        .expect(404);
}

#[tokio::test]
async fn boosted_branch_matches_put_the_exact_name_first() {
    let sb = Sandbox::new();
    for branch in ["feature/login", "login", "login-page"] {
        let fields = [
            ("content", branch),
            ("branch", branch),
            ("sourceBranch", "main"),
        ];
        dc_edit(
            &sb,
            "eve",
            &format!("{}.txt", branch.replace('/', "-")),
            &fields,
        )
        .await
        .expect(200);
    }
    let names = |page: serde_json::Value| -> Vec<String> {
        page["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["displayId"].as_str().unwrap().to_string())
            .collect()
    };
    let url = format!("{DC_REPO}/branches?filterText=login&orderBy=ALPHABETICAL");
    let plain = get(&url).dc_user("eve").ok_json(&sb).await;
    assert_eq!(names(plain), ["feature/login", "login", "login-page"]);
    let boosted = get(&format!("{url}&boostMatches=true"))
        .dc_user("eve")
        .ok_json(&sb)
        .await;
    assert_eq!(names(boosted), ["login", "login-page", "feature/login"]);
    let newest = get(&format!(
        "{DC_REPO}/branches?filterText=LOGIN&boostMatches=true"
    ))
    .dc_user("eve")
    .ok_json(&sb)
    .await;
    assert_eq!(names(newest)[0], "login");
}

#[tokio::test]
async fn file_editing_turned_off_refuses_every_edit_and_commits_nothing() {
    let sb = datacenter_with(|dc| dc.properties.file_editor = FileEditor::Disabled);
    let main = sb.tip(KEY, "main");
    let fields = [
        ("content", "x"),
        ("branch", "feature/n"),
        ("sourceBranch", "main"),
    ];
    let (message, exception) = dc_edit(&sb, "lee", "notes.txt", &fields)
        .await
        .expect(409)
        .dc_error();
    assert!(message.contains("disabled"), "{message}");
    assert!(
        exception.ends_with("FeatureDisabledException"),
        "{exception}"
    );
    assert_eq!(sb.tip(KEY, "feature/n"), "");
    assert_eq!(sb.tip(KEY, "main"), main);
    // Reading stays possible.
    get(&format!("{DC_REPO}/browse"))
        .dc_user("lee")
        .send(&sb)
        .await
        .expect(200);
}

#[tokio::test]
async fn a_file_over_the_upload_limit_is_413_and_commits_nothing() {
    let sb = datacenter_with(|dc| dc.properties.upload_max_bytes = 10);
    let fields = |content| {
        [
            ("content", content),
            ("branch", "feature/n"),
            ("sourceBranch", "main"),
        ]
    };
    let (message, _) = dc_edit(&sb, "lee", "notes.txt", &fields("eleven char"))
        .await
        .expect(413)
        .dc_error();
    assert!(message.contains("10 bytes"), "{message}");
    assert_eq!(sb.tip(KEY, "feature/n"), "");
    dc_edit(&sb, "lee", "notes.txt", &fields("ten chars."))
        .await
        .expect(200);
}
