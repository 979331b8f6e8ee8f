//! Real Bitbucket answers (`shared/acceptance/responses`, see its SOURCES.md) read by the client, and the
//! client's requests checked against the official API descriptions (`shared/contracts`). Both folders sit
//! next to the repository; when they are absent the tests say so and check nothing.

use crate::bitbucket_support as support;

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use serde_json::Value;
use support::{cloud, connection, data_center, sample_commit, sample_edit, shared_dir, writing};
use versioning_core::bitbucket::cloud as bb_cloud;
use versioning_core::bitbucket::datacenter as bb_dc;
use versioning_core::bitbucket::paging::read_cloud_page;
use versioning_core::bitbucket::pull_requests::{self, NewPullRequest};
use versioning_core::bitbucket::{
    Api, ApiError, ApiRequest, ApiResponse, Call, EntryKind, NextPage, Pager, Permission,
};
use versioning_core::roles::{permit_pull_request, PullRequestPermit, Role};
use versioning_core::{AuthMode, Flavour};

/// What a response file must become.
type Check = fn(&[u8]);

fn ok(body: &[u8]) -> ApiResponse {
    ApiResponse::new(200, body.to_vec())
}

fn with_status(status: u16, body: &[u8]) -> ApiResponse {
    ApiResponse::new(status, body.to_vec())
}

/// The error `call` makes of `body` answered with `status`.
fn error_of<T: std::fmt::Debug>(call: Call<T>, status: u16, body: &[u8]) -> ApiError {
    call.parse(&with_status(status, body)).unwrap_err()
}

fn bad_request(message: &str) -> ApiError {
    ApiError::BadRequest {
        message: Some(message.to_owned()),
    }
}

fn not_read_by_the_product(body: &[u8]) {
    serde_json::from_slice::<Value>(body).expect("valid JSON");
}

fn dc_amuniz() -> Api {
    Api::new(&connection(
        "https://bitbucket.example.com/scm/amuniz/test-repos.git",
        false,
        "ada",
    ))
}

/// Every response file, and what it must become.
fn fixture_table() -> Vec<(&'static str, Check)> {
    vec![
        ("cloud/user.json", |body| {
            let identity = bb_cloud::current_user(&Api::new(&cloud()))
                .parse(&ok(body))
                .unwrap();
            assert_eq!(identity.account, "amuniz");
            assert!(identity.display_name.starts_with("Antonio Mu"));
        }),
        ("cloud/repository.json", |body| {
            let repository = bb_cloud::repository(&Api::new(&cloud()))
                .parse(&ok(body))
                .unwrap();
            assert_eq!(repository.full_name, "amuniz/test-repos");
            assert_eq!(repository.main_branch.as_deref(), Some("master"));
            assert_eq!(repository.clone_urls[0].0, "https");
        }),
        ("cloud/repository-2.json", |body| {
            let repository = bb_cloud::repository(&Api::new(&cloud()))
                .parse(&ok(body))
                .unwrap();
            assert_eq!(repository.full_name, "TestWorkspace1/testrepository1");
            assert_eq!(repository.main_branch.as_deref(), Some("master"));
        }),
        ("cloud/branches-page.json", |body| {
            let page = bb_cloud::branches(&Api::new(&cloud()), None)
                .parse(&ok(body))
                .unwrap();
            let names: Vec<_> = page.values.iter().map(|b| b.name.as_str()).collect();
            assert_eq!(
                names,
                [
                    "feature/BB-1",
                    "feature/BB-2",
                    "master",
                    "release/release-1"
                ]
            );
            assert_eq!(page.next, NextPage::Last);
        }),
        ("cloud/branch-master.json", |body| {
            let branch = bb_cloud::branch(&Api::new(&cloud()), "master")
                .parse(&ok(body))
                .unwrap();
            assert_eq!(branch.name, "master");
            assert_eq!(
                branch.target.as_deref(),
                Some("bf4f4ce8a3a8d5c7dbfe7d609973a81a6c6664cf")
            );
        }),
        ("cloud/branch-restrictions-page.json", |body| {
            let page = bb_cloud::branch_restrictions(&Api::new(&cloud()))
                .parse(&ok(body))
                .unwrap();
            let kinds: Vec<_> = page
                .values
                .iter()
                .map(|r| (r.kind.name(), r.branches.as_str()))
                .collect();
            assert_eq!(
                kinds,
                [
                    ("delete", "*"),
                    ("force", "master"),
                    ("delete", "master"),
                    ("restrict_merges", "master"),
                    ("push", "master")
                ]
            );
        }),
        ("cloud/branching-model.json", not_read_by_the_product),
        ("cloud/src-directory-listing.json", |body| {
            let page = bb_cloud::directory(&Api::new(&cloud()), "main", "tests")
                .parse(&ok(body))
                .unwrap();
            let entries: Vec<_> = page
                .values
                .iter()
                .map(|e| (e.path.as_str(), e.kind))
                .collect();
            assert_eq!(
                entries,
                [
                    ("tests/test_project", EntryKind::Directory),
                    ("tests/__init__.py", EntryKind::File)
                ]
            );
        }),
        ("cloud/src-file-meta.json", |body| {
            let entry =
                bb_cloud::file_meta(&Api::new(&cloud()), "master", "folder/file.properties")
                    .parse(&ok(body))
                    .unwrap();
            assert_eq!(
                (entry.path.as_str(), entry.kind, entry.size),
                ("folder/file.properties", EntryKind::File, Some(35))
            );
        }),
        ("cloud/src-file-meta-2.json", |body| {
            let entry = bb_cloud::file_meta(&Api::new(&cloud()), "main", "tests/__init__.py")
                .parse(&ok(body))
                .unwrap();
            assert_eq!((entry.kind, entry.size), (EntryKind::File, Some(0)));
        }),
        ("cloud/user-workspace-repo-permissions.json", |body| {
            let call = bb_cloud::repository_permission(&Api::new(&cloud()), "bitbucket/bits");
            assert_eq!(call.parse(&ok(body)).unwrap(), Some(Permission::Admin));
            let other = bb_cloud::repository_permission(&Api::new(&cloud()), "acme/checkout-tests");
            assert_eq!(
                other.parse(&ok(body)).unwrap(),
                None,
                "another repository's grant is not ours"
            );
        }),
        ("cloud/user-permissions-repositories.json", |body| {
            // The deprecated endpoint answers in the same shape.
            let call = bb_cloud::repository_permission(&Api::new(&cloud()), "bitbucket/geordi");
            assert_eq!(call.parse(&ok(body)).unwrap(), Some(Permission::Admin));
        }),
        ("cloud/user-workspaces.json", |body| {
            let page = read_cloud_page::<Value>(&ok(body)).expect("a Cloud page");
            assert_eq!((page.values.len(), page.next), (1, NextPage::Last));
        }),
        ("cloud/workspaces-page1.json", |body| {
            let page = read_cloud_page::<Value>(&ok(body)).expect("a Cloud page");
            assert_eq!(page.next, NextPage::Link("workspaces?nextPage".to_owned()));
        }),
        ("cloud/workspaces-page2.json", |body| {
            let page = read_cloud_page::<Value>(&ok(body)).expect("a Cloud page");
            assert_eq!(page.next, NextPage::Last);
        }),
        ("cloud/errors/401-token-invalid.json", |body| {
            let error = error_of(bb_cloud::current_user(&Api::new(&cloud())), 401, body);
            assert_eq!(
                error,
                ApiError::InvalidCredentials {
                    flavour: Flavour::Cloud,
                    auth: AuthMode::Basic,
                    username_is_email: true
                }
            );
            assert!(error.to_string().contains("Create API token with scopes"));
        }),
        ("cloud/errors/403-forbidden.json", |body| {
            let error = error_of(bb_cloud::repository(&Api::new(&cloud())), 403, body);
            assert_eq!(
                error,
                ApiError::Forbidden {
                    message: Some("Forbidden.".to_owned())
                }
            );
        }),
        (
            "cloud/errors/403-missing-privilege-scopes-api-token.json",
            |body| {
                let error = error_of(bb_cloud::current_user(&Api::new(&cloud())), 403, body);
                assert_eq!(
                    error,
                    ApiError::MissingScope {
                        needed: vec!["read:user:bitbucket".to_owned()],
                        granted: None
                    }
                );
            },
        ),
        ("cloud/errors/403-missing-privilege-scopes.json", |body| {
            let error = error_of(bb_cloud::current_user(&Api::new(&cloud())), 403, body);
            assert_eq!(
                error,
                ApiError::MissingScope {
                    needed: vec!["account".to_owned()],
                    granted: Some(vec!["team".to_owned()])
                }
            );
        }),
        ("cloud/errors/429-rate-limited.response.json", |body| {
            // A description of the response: its status and plain-text body.
            let wrapper: Value = serde_json::from_slice(body).unwrap();
            let status = wrapper["status"].as_u64().unwrap() as u16;
            let text = wrapper["body"].as_str().unwrap().as_bytes();
            let call = bb_cloud::directory(&Api::new(&cloud()), "main", "tests");
            let error = call.parse(&with_status(status, text)).unwrap_err();
            // No Retry-After: the hourly limit, which waiting seconds does not lift.
            assert_eq!(
                error,
                ApiError::HourlyLimit {
                    needed: None,
                    left: 0,
                    retry_in_secs: None
                }
            );
            assert!(error
                .to_string()
                .contains("about 1,000 requests in any hour"));
        }),
        ("cloud/errors/error-standard-example.json", |body| {
            let error = error_of(bb_cloud::repository(&Api::new(&cloud())), 400, body);
            assert_eq!(error, bad_request("Bad request. You must specify a valid source branch when creating a pull request. src: This field is required."));
        }),
        ("datacenter/repository.json", |body| {
            let repository = bb_dc::repository(&dc_amuniz()).parse(&ok(body)).unwrap();
            assert_eq!(
                (repository.full_name.as_str(), repository.name.as_str()),
                ("AMUNIZ/test-repos", "test-repos")
            );
            let protocols: Vec<_> = repository
                .clone_urls
                .iter()
                .map(|(name, _)| name.as_str())
                .collect();
            assert_eq!(protocols, ["ssh", "http"]);
        }),
        ("datacenter/repository-2.json", |body| {
            let repository = bb_dc::repository(&Api::new(&data_center()))
                .parse(&ok(body))
                .unwrap();
            assert_eq!(repository.full_name, "PRJ/my-repo");
            assert_eq!(
                repository.main_branch, None,
                "Data Center reports it separately"
            );
        }),
        ("datacenter/repos-page.json", |body| {
            let holds = bb_dc::has_permission(&dc_amuniz(), "test-repos", Permission::Write)
                .parse(&ok(body))
                .unwrap();
            assert!(holds);
            let other = bb_dc::has_permission(&Api::new(&data_center()), "x", Permission::Write)
                .parse(&ok(body))
                .unwrap();
            assert!(!other, "other repositories in the answer do not count");
        }),
        ("datacenter/branches-page.json", |body| {
            let page = bb_dc::branches(&dc_amuniz(), None)
                .parse(&ok(body))
                .unwrap();
            let default: Vec<_> = page
                .values
                .iter()
                .filter(|b| b.is_default == Some(true))
                .map(|b| b.name.as_str())
                .collect();
            assert_eq!((page.values.len(), default), (4, vec!["main"]));
            assert_eq!(page.next, NextPage::Last);
        }),
        ("datacenter/branches-filter-page.json", |body| {
            let page = bb_dc::branches(&dc_amuniz(), Some("main"))
                .parse(&ok(body))
                .unwrap();
            assert_eq!(page.values[0].name, "main");
        }),
        ("datacenter/branches-page-with-metadata.json", |body| {
            let page = bb_dc::branches(&dc_amuniz(), None)
                .parse(&ok(body))
                .unwrap();
            assert_eq!(page.values[0].name, "hello-world");
            assert_eq!(page.next, NextPage::Start(1));
        }),
        ("datacenter/branch.json", |body| {
            writing(&dc_amuniz(), "dev-branch", |dev| {
                dev.create_branch("main").parse(&ok(body))
            })
            .unwrap();
        }),
        ("datacenter/default-branch.json", |body| {
            assert_eq!(
                bb_dc::default_branch(&dc_amuniz())
                    .parse(&ok(body))
                    .unwrap(),
                "main"
            );
        }),
        ("datacenter/browse-type-file.json", |body| {
            assert_eq!(
                bb_dc::path_kind(&dc_amuniz(), "Jenkinsfile", "main")
                    .parse(&ok(body))
                    .unwrap(),
                EntryKind::File
            );
        }),
        // File contents are read raw (`/raw`), not as pages of lines.
        ("datacenter/browse-lines-page.json", not_read_by_the_product),
        ("datacenter/files-page.json", |body| {
            let page = bb_dc::list_files(&dc_amuniz(), "", "main")
                .parse(&ok(body))
                .unwrap();
            assert_eq!(page.values, ["path/to/file.txt"]);
        }),
        ("datacenter/commit.json", |body| {
            let commit = writing(&dc_amuniz(), "main", |main| {
                main.edit_file(&sample_edit()).parse(&ok(body))
            })
            .unwrap();
            assert_eq!(commit.id, "abcdef0123abcdef4567abcdef8987abcdef6543");
            assert_eq!(
                commit.author.as_deref(),
                Some("Charlie Brown <charlie@example.com>")
            );
            assert_eq!(commit.date.as_deref(), Some("2017-01-19T04:41:17Z"));
        }),
        (
            "datacenter/branch-permission-restrictions-page.json",
            |body| {
                let page = bb_dc::branch_restrictions(&dc_amuniz())
                    .parse(&ok(body))
                    .unwrap();
                let restriction = &page.values[0];
                assert_eq!(
                    (restriction.kind.name(), restriction.branches.as_str()),
                    ("fast-forward-only", "Development")
                );
                assert_eq!(restriction.exempt, ["GROUPS1", "test213", "test123"]);
            },
        ),
        ("datacenter/branch-model.json", not_read_by_the_product),
        ("datacenter/errors/400-validation-errors.json", |body| {
            let error = writing(&dc_amuniz(), "x", |x| {
                error_of(x.create_branch("main"), 400, body)
            });
            assert_eq!(error, bad_request("The name should be between 1 and 255 characters. The email should be a valid email address."));
        }),
        ("datacenter/errors/404-repository-not-exist.json", |body| {
            let error = error_of(bb_dc::repository(&dc_amuniz()), 404, body);
            assert_eq!(
                error,
                ApiError::NotFound {
                    what: "The repository `AMUNIZ/test-repos`".to_owned(),
                    message: Some("Repository CFSTLRYHBN/JKXATTQLOT does not exist.".to_owned()),
                }
            );
        }),
        ("datacenter/errors/error-with-vetoes.json", |body| {
            let error = error_of(bb_dc::branches(&dc_amuniz(), None), 404, body);
            let ApiError::NotFound {
                message: Some(message),
                ..
            } = error
            else {
                panic!("not found expected: {error:?}");
            };
            assert!(
                message.contains("does not exist in project 'world'")
                    && message.contains("some detailed message")
            );
        }),
        (
            "datacenter/errors/live-error-registry.json",
            check_live_registry,
        ),
    ]
}

/// The registry summarises live Data Center answers: each status and exception, rebuilt as an error body,
/// must map to the variant for that kind of failure.
fn check_live_registry(body: &[u8]) {
    let registry: Value = serde_json::from_slice(body).unwrap();
    let api = dc_amuniz();
    for entry in registry["entries"].as_array().unwrap() {
        let status = entry["status"].as_u64().unwrap() as u16;
        let exception = entry["exception"].as_str();
        let message = entry["exampleMessage"].as_str().unwrap_or_default();
        let error_body = serde_json::json!({ "errors": [{ "context": null, "message": message, "exceptionName": exception }] });
        let response = ApiResponse::new(status, error_body.to_string());
        let result = bb_dc::repository(&api).parse(&response);
        let name = exception.unwrap_or("(none)");
        match (status, result) {
            (200..=299, _) => {} // successes: nothing to map
            (400, Err(ApiError::Conflict { .. })) => assert_eq!(
                name,
                "com.atlassian.bitbucket.repository.DuplicateRefException"
            ),
            (400, Err(ApiError::BadRequest { .. })) => {}
            (401, Err(ApiError::InvalidCredentials { .. })) => assert!(
                name.contains("AuthenticationRequired") || name.contains("IncorrectPassword"),
                "{name}"
            ),
            (
                401,
                Err(ApiError::Forbidden {
                    message: Some(text),
                }),
            ) => assert!(text.starts_with(message.lines().next().unwrap()), "{name}"),
            (404, Err(ApiError::NotFound { .. })) | (409, Err(ApiError::Conflict { .. })) => {}
            (307 | 406, Err(ApiError::UnexpectedResponse { .. })) => {}
            (status, other) => panic!("{status} {name} became {other:?}"),
        }
    }
}

#[test]
fn every_recorded_response_is_read_or_explained() {
    let Some(dir) = shared_dir("acceptance/responses") else {
        return;
    };
    let mut on_disk = BTreeSet::new();
    collect_json(&dir, &dir, &mut on_disk);
    let table = fixture_table();
    let named: BTreeSet<String> = table.iter().map(|(file, _)| (*file).to_owned()).collect();
    assert_eq!(
        on_disk, named,
        "every response file has a row in the table, and every row a file"
    );
    for (file, check) in table {
        let body = fs::read(dir.join(file)).unwrap();
        check(&body);
        println!("read: {file}");
    }
}

fn collect_json(root: &Path, dir: &Path, into: &mut BTreeSet<String>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect_json(root, &path, into);
        } else if path.extension().is_some_and(|e| e == "json") {
            into.insert(
                path.strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/"),
            );
        }
    }
}

// ---- requests against the official descriptions ----

/// Every request the client can build, with the flavour it is for.
fn all_requests() -> Vec<(Flavour, ApiRequest)> {
    let cloud_api = Api::new(&cloud());
    let dc_api = Api::new(&data_center());
    let commit = sample_commit();
    let cloud_requests = vec![
        bb_cloud::current_user(&cloud_api).request,
        bb_cloud::repository(&cloud_api).request,
        bb_cloud::repository_permission(&cloud_api, "acme/checkout-tests").request,
        bb_cloud::branches(&cloud_api, None).request,
        bb_cloud::branches(&cloud_api, Some("release/")).request,
        bb_cloud::branch(&cloud_api, "feature/x").request,
        writing(&cloud_api, "feature/x", |x| x.create_branch("abc").request),
        bb_cloud::branch_restrictions(&cloud_api).request,
        bb_cloud::directory(&cloud_api, "main", "").request,
        bb_cloud::directory(&cloud_api, "main", "suites/smoke").request,
        bb_cloud::file_meta(&cloud_api, "main", "suites/a b.json").request,
        bb_cloud::read_file(&cloud_api, "main", "suites/a.json").request,
        writing(&cloud_api, "main", |main| {
            main.commit_files(&commit).request
        }),
        bb_cloud::commits(&cloud_api, "main", "suites/a.json").request,
        pull_requests::open(&cloud_api, &pull_request_permit(), &new_pull_request()).request,
        pull_requests::get(&cloud_api, 7).request,
        pull_requests::access_probe(&cloud_api).unwrap().request,
    ];
    let mut plan = bb_dc::PermissionPlan::new(&dc_api, "Regression");
    let write_probe = plan.next_call().unwrap().request.clone();
    let found = serde_json::json!({ "values": [{ "slug": "regression", "name": "Regression", "project": { "key": "QA" } }], "isLastPage": true });
    plan.handle_response(&ApiResponse::new(200, found.to_string()))
        .unwrap();
    let admin_probe = plan.next_call().unwrap().request.clone();
    let mut pager = Pager::new(&dc_api, bb_dc::branches(&dc_api, Some("rel")));
    let next = serde_json::json!({ "values": [], "isLastPage": false, "nextPageStart": 25 });
    pager
        .handle_response(&ApiResponse::new(200, next.to_string()))
        .unwrap();
    let dc_requests = vec![
        bb_dc::server_info(&dc_api).request,
        bb_dc::repository(&dc_api).request,
        bb_dc::default_branch(&dc_api).request,
        write_probe,
        admin_probe,
        bb_dc::branches(&dc_api, None).request,
        pager.next_request().unwrap(),
        writing(&dc_api, "feature/x", |x| x.create_branch("main").request),
        bb_dc::branch_restrictions(&dc_api).request,
        bb_dc::list_files(&dc_api, "", "main").request,
        bb_dc::list_files(&dc_api, "suites", "refs/heads/main").request,
        bb_dc::read_file(&dc_api, "suites/a.json", "main").request,
        bb_dc::path_kind(&dc_api, "suites", "main").request,
        writing(&dc_api, "main", |main| {
            main.edit_file(&sample_edit()).request
        }),
        bb_dc::commits(&dc_api, "main", "suites/a.json").request,
        pull_requests::open(&dc_api, &pull_request_permit(), &new_pull_request()).request,
        pull_requests::get(&dc_api, 7).request,
    ];
    cloud_requests
        .into_iter()
        .map(|r| (Flavour::Cloud, r))
        .chain(dc_requests.into_iter().map(|r| (Flavour::DataCenter, r)))
        .collect()
}

fn pull_request_permit() -> PullRequestPermit {
    permit_pull_request(&[Role::QualityEngineer]).unwrap()
}

fn new_pull_request() -> NewPullRequest {
    NewPullRequest {
        title: "Login tests".to_owned(),
        description: "Added".to_owned(),
        source: "feature/login".to_owned(),
        destination: "main".to_owned(),
        reviewers: vec!["lee".to_owned()],
    }
}

/// Whether `path` (encoded segments) fits `template` (`{name}` is one segment; a final `{path}` takes the
/// rest, which may be empty or span segments).
fn fits(template: &str, path: &str) -> bool {
    let template: Vec<&str> = template.trim_matches('/').split('/').collect();
    let path: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    for (i, part) in template.iter().enumerate() {
        if *part == "{path}" && i == template.len() - 1 {
            return path.len() >= i;
        }
        match path.get(i) {
            Some(segment) if part.starts_with('{') && part.ends_with('}') => {
                if segment.is_empty() {
                    return false;
                }
            }
            Some(segment) if segment == part => {}
            _ => return false,
        }
    }
    template.len() == path.len()
}

fn declared_parameters(item: &Value, operation: &Value) -> BTreeSet<String> {
    [item, operation]
        .iter()
        .flat_map(|v| v["parameters"].as_array().cloned().unwrap_or_default())
        .filter(|p| p["in"] == "query")
        .filter_map(|p| p["name"].as_str().map(str::to_owned))
        .collect()
}

#[test]
fn requests_match_the_official_api_descriptions() {
    let Some(dir) = shared_dir("contracts") else {
        return;
    };
    let read = |file: &str| -> Value {
        serde_json::from_slice(&fs::read(dir.join(file)).unwrap()).unwrap()
    };
    let cloud_spec = read("bitbucket-cloud-swagger-2.0.json");
    let dc_spec = read("bitbucket-datacenter-9.4-openapi-3.0.json");
    // Cloud documents `pagelen` once for every paginated collection, in its "Pagination" narrative.
    let narrative = cloud_spec["x-atlassian-narrative"].to_string();
    assert!(
        narrative.contains("pagelen"),
        "the Cloud narrative documents pagelen"
    );

    for (flavour, request) in all_requests() {
        let (spec, base) = match flavour {
            Flavour::Cloud => (&cloud_spec, "https://api.bitbucket.org/2.0"),
            Flavour::DataCenter => (&dc_spec, "https://git.example.com/bitbucket/rest"),
        };
        let relative = request.url.strip_prefix(base).expect("below the API base");
        let (path, query) = relative.split_once('?').unwrap_or((relative, ""));
        let method = request.method.as_str().to_ascii_lowercase();
        let matches: Vec<(&String, &Value)> = spec["paths"]
            .as_object()
            .unwrap()
            .iter()
            .filter(|(template, item)| fits(template, path) && item.get(&method).is_some())
            .collect();
        // A literal template (`…/repos/{slug}/branches`) wins over `…/{path}` forms.
        let Some((template, item)) = matches.iter().min_by_key(|(t, _)| t.matches('{').count())
        else {
            panic!(
                "{} {relative}: no such operation in the {flavour:?} description",
                request.method
            );
        };
        let operation = &item[&method];
        let declared = declared_parameters(item, operation);
        let described = operation["description"].as_str().unwrap_or_default();
        for name in query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| p.split('=').next().unwrap())
        {
            let documented = declared.contains(name)
                || (flavour == Flavour::Cloud && name == "pagelen")
                || described.contains(&format!("`{name}` parameter"));
            assert!(
                documented,
                "{} {template}: `{name}` is not a parameter of this operation",
                request.method
            );
        }
        println!("{} {template} ✓ {query}", request.method);
    }
}

#[test]
fn path_templates_fit_as_expected() {
    assert!(fits(
        "/repositories/{workspace}/{repo_slug}/src/{commit}/{path}",
        "/repositories/a/b/src/main/"
    ));
    assert!(fits(
        "/repositories/{workspace}/{repo_slug}/src/{commit}/{path}",
        "/repositories/a/b/src/main/x/y.json"
    ));
    assert!(!fits(
        "/repositories/{workspace}/{repo_slug}",
        "/repositories/a/b/src"
    ));
    assert!(!fits("/user", "/users"));
}
