//! The Bitbucket client on the host: request descriptions, credentials, error messages, paging and the
//! connection test, all driven by canned answers.

use crate::bitbucket_support as support;

use base64::Engine;
use proptest::prelude::*;
use support::{
    cloud, cloud_access_token, connection, data_center, sample_commit, sample_edit, writing, TOKEN,
};
use versioning_core::bitbucket::cloud::{self as bb_cloud, CommitFiles};
use versioning_core::bitbucket::datacenter::{self as bb_dc, EditFile};
use versioning_core::bitbucket::{
    Api, ApiError, ApiRequest, ApiResponse, BodyLimit, Credentials, EntryKind, Method, NextPage,
    Page, Pager, RequestBody, TokenLimit,
};
use versioning_core::{AuthMode, Flavour};

fn header_names(request: &ApiRequest) -> Vec<&str> {
    request
        .headers
        .iter()
        .map(|(name, _)| name.as_str())
        .collect()
}

fn basic_value(user: &str) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{TOKEN}"));
    format!("Basic {encoded}")
}

fn assert_no_secret(text: &str) {
    let encoded =
        base64::engine::general_purpose::STANDARD.encode(format!("ada@example.com:{TOKEN}"));
    assert!(!text.contains(TOKEN), "token leaked: {text}");
    assert!(!text.contains(&encoded), "encoded token leaked: {text}");
}

/// Bitbucket Cloud lists a symbolic link or a submodule as a `commit_file` with the attribute `link` or
/// `subrepository`: neither is a file to read.
#[test]
fn a_cloud_symlink_or_submodule_is_listed_as_neither_file_nor_directory() {
    let body = br#"{"values": [
        {"type": "commit_file", "path": "t/a.json", "attributes": [], "size": 3},
        {"type": "commit_file", "path": "t/run.sh", "attributes": ["executable"], "size": 9},
        {"type": "commit_file", "path": "t/link.json", "attributes": ["link"], "size": 8},
        {"type": "commit_file", "path": "t/vendor", "attributes": ["subrepository"]},
        {"type": "commit_directory", "path": "t/sub"}
    ], "pagelen": 100, "page": 1}"#;
    let page = bb_cloud::directory(&Api::new(&cloud()), "main", "t")
        .parse(&ApiResponse::new(200, body.to_vec()))
        .unwrap();
    let kinds: Vec<_> = page
        .values
        .iter()
        .map(|e| (e.path.as_str(), e.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            ("t/a.json", EntryKind::File),
            ("t/run.sh", EntryKind::File),
            ("t/link.json", EntryKind::Other),
            ("t/vendor", EntryKind::Other),
            ("t/sub", EntryKind::Directory)
        ]
    );
}

// ---- requests and credentials ----

#[test]
fn cloud_api_token_goes_as_basic_with_the_email() {
    let request = bb_cloud::current_user(&Api::new(&cloud())).request;
    assert_eq!(request.method, Method::Get);
    assert_eq!(request.url, "https://api.bitbucket.org/2.0/user");
    assert_eq!(header_names(&request), ["Authorization", "Accept"]);
    assert_eq!(
        request.header("authorization"),
        Some(basic_value("ada@example.com").as_str())
    );
    assert_eq!(request.header("Accept"), Some("application/json"));
    assert_eq!(request.body, None);
}

#[test]
fn access_tokens_go_as_bearer() {
    let request = bb_cloud::repository(&Api::new(&cloud_access_token())).request;
    assert_eq!(
        request.header("Authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(
        request.url,
        "https://api.bitbucket.org/2.0/repositories/acme/checkout-tests"
    );
}

#[test]
fn data_center_paths_sit_below_rest_with_the_context_path() {
    let api = Api::new(&data_center());
    assert_eq!(api.base_url(), "https://git.example.com/bitbucket/rest");
    let request = bb_dc::repository(&api).request;
    assert_eq!(
        request.url,
        "https://git.example.com/bitbucket/rest/api/latest/projects/QA/repos/regression"
    );
    assert_eq!(
        request.header("Authorization"),
        Some(basic_value("ada").as_str())
    );
    let restrictions = bb_dc::branch_restrictions(&api).request;
    assert_eq!(
        restrictions.url,
        "https://git.example.com/bitbucket/rest/branch-permissions/latest/projects/QA/repos/regression/restrictions?limit=100"
    );
}

#[test]
fn path_segments_and_query_values_are_encoded() {
    let api = Api::new(&cloud());
    let branch = bb_cloud::branch(&api, "feature/login page").request;
    assert!(
        branch
            .url
            .ends_with("/refs/branches/feature%2Flogin%20page"),
        "{}",
        branch.url
    );
    let meta = bb_cloud::file_meta(&api, "main", "/suites/smoke tests/#1?.json").request;
    assert!(
        meta.url
            .ends_with("/src/main/suites/smoke%20tests/%231%3F.json?format=meta"),
        "{}",
        meta.url
    );
    let escape = bb_cloud::read_file(&api, "main", "../../../user/../x").request;
    assert!(escape.url.ends_with("/src/main/user/x"), "{}", escape.url);
    let permission = bb_cloud::repository_permission(&api, "acme/checkout-tests").request;
    assert_eq!(
        permission.url,
        "https://api.bitbucket.org/2.0/user/workspaces/acme/permissions/repositories?q=repository.full_name%3D%22acme%2Fcheckout-tests%22"
    );
    let filtered = bb_cloud::branches(&api, Some("rel\"ease")).request;
    assert!(
        filtered
            .url
            .ends_with("?pagelen=100&sort=name&q=name~%22rel%5C%22ease%22"),
        "{}",
        filtered.url
    );
    let dc = bb_dc::branches(&Api::new(&data_center()), Some("feature/x")).request;
    assert!(
        dc.url
            .ends_with("/branches?orderBy=ALPHABETICAL&limit=100&filterText=feature%2Fx"),
        "{}",
        dc.url
    );
}

#[test]
fn a_cloud_diffstat_asks_for_the_plain_diff_of_the_whole_repository_without_merge() {
    let api = Api::new(&cloud());
    let request = bb_cloud::diffstat(&api, "0a1b2c3d", "4e5f6a7b").request;
    let url = url::Url::parse(&request.url).expect("an absolute URL");
    assert!(
        url.path().ends_with("/diffstat/0a1b2c3d..4e5f6a7b"),
        "{}",
        request.url
    );
    let query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    let value = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    // Cloud removed `merge`; its `path` selects one file, not a folder.
    assert_eq!(value("merge"), None, "{}", request.url);
    assert_eq!(value("path"), None, "{}", request.url);
    assert_eq!(value("topic"), Some("false"));
    let pagelen: usize = value("pagelen").expect("a page length").parse().unwrap();
    assert!((1..=100).contains(&pagelen), "{pagelen}");
}

#[test]
fn cloud_commit_is_one_multipart_post_without_extra_headers() {
    let api = Api::new(&cloud());
    let commit = CommitFiles {
        message: "Update smoke suite".to_owned(),
        author: Some("Ada <ada@example.com>".to_owned()),
        parent: Some("abc123".to_owned()),
        files: vec![
            ("/suites/smoke.json".to_owned(), b"{}".to_vec()),
            ("message".to_owned(), b"x".to_vec()),
        ],
        deletions: vec!["suites/old.json".to_owned()],
    };
    let request = writing(&api, "main", |main| main.commit_files(&commit).request);
    assert_eq!(request.method, Method::Post);
    assert_eq!(
        request.url,
        "https://api.bitbucket.org/2.0/repositories/acme/checkout-tests/src"
    );
    assert_eq!(
        header_names(&request),
        ["Authorization", "Accept"],
        "no X-Atlassian-Token on Cloud"
    );
    let Some(RequestBody::Multipart(parts)) = &request.body else {
        panic!("multipart body expected");
    };
    let fields: Vec<(&str, Option<&str>, &[u8])> = parts
        .iter()
        .map(|p| (p.name.as_str(), p.filename.as_deref(), p.content.as_slice()))
        .collect();
    assert_eq!(
        fields,
        [
            ("suites/smoke.json", Some("smoke.json"), &b"{}"[..]),
            ("message", Some("message"), &b"x"[..]),
            ("message", None, &b"Update smoke suite"[..]),
            ("branch", None, &b"main"[..]),
            ("author", None, &b"Ada <ada@example.com>"[..]),
            ("parents", None, &b"abc123"[..]),
            ("files", None, &b"suites/old.json"[..]),
        ]
    );
}

#[test]
fn data_center_edit_is_a_multipart_put_with_the_xsrf_header() {
    let api = Api::new(&data_center());
    let edit = EditFile {
        path: "suites/smoke.json".to_owned(),
        content: b"{}".to_vec(),
        message: "Update".to_owned(),
        source_commit_id: Some("abc".to_owned()),
        source_branch: None,
    };
    let request = writing(&api, "main", |main| main.edit_file(&edit).request);
    assert_eq!(request.method, Method::Put);
    assert!(request
        .url
        .ends_with("/api/latest/projects/QA/repos/regression/browse/suites/smoke.json"));
    assert_eq!(
        header_names(&request),
        ["Authorization", "Accept", "X-Atlassian-Token"]
    );
    assert_eq!(request.header("X-Atlassian-Token"), Some("no-check"));
    let Some(RequestBody::Multipart(parts)) = &request.body else {
        panic!("multipart body expected");
    };
    let names: Vec<&str> = parts.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["content", "message", "branch", "sourceCommitId"]);
}

#[test]
fn json_bodies_carry_their_content_type_and_nothing_else_is_added() {
    let cloud_api = Api::new(&cloud());
    let cloud_request = writing(&cloud_api, "release/2", |release| {
        release.create_branch("abc").request
    });
    assert_eq!(
        header_names(&cloud_request),
        ["Authorization", "Accept", "Content-Type"]
    );
    assert_eq!(
        cloud_request.body,
        Some(RequestBody::Json(
            r#"{"name":"release/2","target":{"hash":"abc"}}"#.to_owned()
        ))
    );
    let dc_api = Api::new(&data_center());
    let dc_request = writing(&dc_api, "release/2", |release| {
        release.create_branch("main").request
    });
    assert!(dc_request
        .url
        .ends_with("/rest/branch-utils/latest/projects/QA/repos/regression/branches"));
    assert_eq!(
        header_names(&dc_request),
        ["Authorization", "Accept", "Content-Type"]
    );
    let raw = bb_dc::read_file(&Api::new(&data_center()), "a.json", "main").request;
    assert_eq!(
        header_names(&raw),
        ["Authorization"],
        "raw files are not JSON"
    );
}

#[test]
fn debug_output_never_shows_the_token() {
    let connections = [cloud(), cloud_access_token(), data_center()];
    for connection in &connections {
        let api = Api::new(connection);
        let call = bb_cloud::current_user(&api);
        for text in [
            format!("{:?}", call.request),
            format!("{call:?}"),
            format!("{api:?}"),
            format!("{:?}", Credentials::from_connection(connection)),
            call.request.url.clone(),
        ] {
            assert_no_secret(&text);
        }
    }
}

// ---- error mapping ----

/// What a call is, for the table.
#[derive(Clone, Copy, Debug)]
enum Op {
    CloudUser,
    CloudRepository,
    CloudPermission,
    CloudCommit,
    DcRepository,
    DcEditFile,
}

fn fail(op: Op, connection: &versioning_core::ValidConnection, response: ApiResponse) -> ApiError {
    let api = Api::new(connection);
    let result = match op {
        Op::CloudUser => bb_cloud::current_user(&api).parse(&response).map(drop),
        Op::CloudRepository => bb_cloud::repository(&api).parse(&response).map(drop),
        Op::CloudPermission => bb_cloud::repository_permission(&api, "acme/checkout-tests")
            .parse(&response)
            .map(drop),
        Op::CloudCommit => writing(&api, "main", |main| {
            main.commit_files(&sample_commit()).parse(&response)
        }),
        Op::DcRepository => bb_dc::repository(&api).parse(&response).map(drop),
        Op::DcEditFile => writing(&api, "main", |main| {
            main.edit_file(&sample_edit()).parse(&response).map(drop)
        }),
    };
    result.expect_err("an error")
}

struct Row {
    name: &'static str,
    connection: versioning_core::ValidConnection,
    op: Op,
    response: ApiResponse,
    expected: ApiError,
    message: &'static str,
}

fn row(
    name: &'static str,
    connection: versioning_core::ValidConnection,
    op: Op,
    response: ApiResponse,
    expected: ApiError,
    message: &'static str,
) -> Row {
    Row {
        name,
        connection,
        op,
        response,
        expected,
        message,
    }
}

const CLOUD_TOKEN_INVALID: &str = r#"{"type":"error","error":{"message":"Token is invalid, expired, or not supported for this endpoint."}}"#;

fn error_table() -> Vec<Row> {
    let cloud_email_less = connection("https://bitbucket.org/acme/checkout-tests", false, "ada");
    let dc_token = connection(
        "https://git.example.com/bitbucket/scm/qa/regression.git",
        true,
        "",
    );
    vec![
        row(
            "Cloud 401, API token with email",
            cloud(),
            Op::CloudUser,
            ApiResponse::new(401, CLOUD_TOKEN_INVALID),
            ApiError::InvalidCredentials { flavour: Flavour::Cloud, auth: AuthMode::Basic, username_is_email: true },
            "Bitbucket Cloud did not accept the token: it is wrong, expired, or was created without scopes. Create a new one with “Create API token with scopes” (Atlassian account › Security › API tokens, app Bitbucket) and enter your Atlassian account email as the username.",
        ),
        row(
            "Cloud 401, Basic with a user name that is not an email",
            cloud_email_less,
            Op::CloudUser,
            ApiResponse::new(401, "").with_header("WWW-Authenticate", "Basic realm=\"Bitbucket.org HTTP\""),
            ApiError::InvalidCredentials { flavour: Flavour::Cloud, auth: AuthMode::Basic, username_is_email: false },
            "Bitbucket Cloud did not accept the credentials. With an API token the username must be your Atlassian account email, and this username is not an email address. Also check that the token is not expired and was made with “Create API token with scopes”.",
        ),
        row(
            "Cloud 401, access token",
            cloud_access_token(),
            Op::CloudRepository,
            ApiResponse::new(401, CLOUD_TOKEN_INVALID),
            ApiError::InvalidCredentials { flavour: Flavour::Cloud, auth: AuthMode::Bearer, username_is_email: false },
            "Bitbucket Cloud did not accept the access token: it is wrong, expired or revoked. Create a new repository, project or workspace access token; for a personal API token, untick the PAT box and enter your Atlassian account email as the username.",
        ),
        row(
            "DC 401 IncorrectPasswordAuthenticationException",
            data_center(),
            Op::DcRepository,
            ApiResponse::new(401, r#"{"errors":[{"context":null,"message":"Authentication failed. Please check your credentials and try again.","exceptionName":"com.atlassian.bitbucket.auth.IncorrectPasswordAuthenticationException"}]}"#),
            ApiError::InvalidCredentials { flavour: Flavour::DataCenter, auth: AuthMode::Basic, username_is_email: false },
            "Bitbucket Data Center did not accept the credentials: check the username (your Bitbucket username) and the token, which may be wrong, expired or revoked.",
        ),
        row(
            "DC 401 with a Bearer token, empty body",
            dc_token,
            Op::DcRepository,
            ApiResponse::new(401, ""),
            ApiError::InvalidCredentials { flavour: Flavour::DataCenter, auth: AuthMode::Bearer, username_is_email: false },
            "Bitbucket Data Center did not accept the HTTP access token: it is wrong, expired or revoked. Create a new one in Bitbucket (Manage account › HTTP access tokens).",
        ),
        row(
            "DC 401 AuthorisationException (authenticated, not permitted)",
            data_center(),
            Op::DcEditFile,
            ApiResponse::new(401, r#"{"errors":[{"context":null,"message":"You are not permitted to access this resource","exceptionName":"com.atlassian.bitbucket.AuthorisationException"}]}"#),
            ApiError::Forbidden { message: Some("You are not permitted to access this resource.".to_owned()) },
            "Bitbucket refused: You are not permitted to access this resource. The account or token lacks the permission for it, or a branch permission or workspace policy forbids it; a repository admin can tell which.",
        ),
        row(
            "Cloud 403 scopes granted empty",
            cloud(),
            Op::CloudUser,
            ApiResponse::new(403, r#"{"type":"error","error":{"message":"Your credentials lack one or more required privilege scopes.","detail":{"required":["read:user:bitbucket"],"granted":[]}}}"#),
            ApiError::TokenWithoutScopes,
            "The API token has no Bitbucket scopes. Create a new one with “Create API token with scopes” (app Bitbucket) with at least read:user:bitbucket, read:repository:bitbucket and write:repository:bitbucket.",
        ),
        row(
            "Cloud 403 missing scope with granted",
            cloud(),
            Op::CloudUser,
            ApiResponse::new(403, r#"{"type":"error","error":{"message":"Your credentials lack one or more required privilege scopes.","detail":{"required":["account"],"granted":["team"]}}}"#),
            ApiError::MissingScope { needed: vec!["account".to_owned()], granted: Some(vec!["team".to_owned()]) },
            "The token lacks a permission (scope) this needs: account. It has: team. Scopes cannot be added to an existing token: create a new token whose scopes include account.",
        ),
        row(
            "Cloud 403 plain Forbidden",
            cloud(),
            Op::CloudRepository,
            ApiResponse::new(403, r#"{"type":"error","error":{"message":"Forbidden"}}"#),
            ApiError::Forbidden { message: Some("Forbidden.".to_owned()) },
            "Bitbucket refused: Forbidden. The account or token lacks the permission for it, or a branch permission or workspace policy forbids it; a repository admin can tell which.",
        ),
        row(
            "Cloud 403 branch restriction on commit, Bitbucket's words kept",
            cloud(),
            Op::CloudCommit,
            ApiResponse::new(403, r#"{"type":"error","error":{"message":"You do not have permission to push to branch main"}}"#),
            ApiError::Forbidden { message: Some("You do not have permission to push to branch main.".to_owned()) },
            "Bitbucket refused: You do not have permission to push to branch main. The account or token lacks the permission for it, or a branch permission or workspace policy forbids it; a repository admin can tell which.",
        ),
        row(
            "DC 403 on file edit: project or repository token",
            data_center(),
            Op::DcEditFile,
            ApiResponse::new(403, r#"{"errors":[{"message":"This operation is not allowed for a project or repository access token"}]}"#),
            ApiError::ResourceTokenCannot { limit: TokenLimit::CommitFiles },
            "Project and repository access tokens cannot commit files in Bitbucket Data Center, because a commit needs a real user. Use a personal HTTP access token of a user with write permission.",
        ),
        row(
            "Cloud 403 on permissions with an access token",
            cloud_access_token(),
            Op::CloudPermission,
            ApiResponse::new(403, r#"{"type":"error","error":{"message":"Forbidden"}}"#),
            ApiError::ResourceTokenCannot { limit: TokenLimit::ReadPermissions },
            "Access tokens cannot ask Bitbucket Cloud for permissions. To see your exact permission, use an API token with your Atlassian account email instead.",
        ),
        row(
            "DC 403 XSRF check failed (plain text)",
            data_center(),
            Op::DcEditFile,
            ApiResponse::new(403, "XSRF check failed"),
            ApiError::XsrfRejected,
            "Bitbucket Data Center rejected the change with “XSRF check failed”: it refuses a browser's POST (a version tag, a new branch) whose Origin or Referer is not Data Center's own address, whatever the app sends, and no Data Center setting changes that. The relay in front of Data Center must remove the page's Origin and Referer (the relay shipped with this app sets Origin to Data Center's own address: see the README, “Data Center: the relay”); ask the relay's administrator.",
        ),
        row(
            "Cloud 404 repository (private or missing)",
            cloud(),
            Op::CloudRepository,
            ApiResponse::new(404, r#"{"type":"error","error":{"message":"Repository acme/checkout-tests not found"}}"#),
            ApiError::NotFound { what: "The repository `acme/checkout-tests`".to_owned(), message: Some("Repository acme/checkout-tests not found.".to_owned()) },
            "The repository `acme/checkout-tests` was not found, or these credentials cannot see it (Bitbucket answers “not found” for private repositories you have no access to). Bitbucket said: Repository acme/checkout-tests not found. Check the URL and that the account has access.",
        ),
        row(
            "DC 404 NoSuchRepositoryException",
            data_center(),
            Op::DcRepository,
            ApiResponse::new(404, r#"{"errors":[{"context":null,"message":"Repository QA/regression does not exist.","exceptionName":"com.atlassian.bitbucket.repository.NoSuchRepositoryException"}]}"#),
            ApiError::NotFound { what: "The repository `QA/regression`".to_owned(), message: Some("Repository QA/regression does not exist.".to_owned()) },
            "The repository `QA/regression` was not found, or these credentials cannot see it (Bitbucket answers “not found” for private repositories you have no access to). Bitbucket said: Repository QA/regression does not exist. Check the URL and that the account has access.",
        ),
        row(
            "Cloud 409 stale parents",
            cloud(),
            Op::CloudCommit,
            ApiResponse::new(409, r#"{"type":"error","error":{"message":"Commit abc is not the tip of branch main"}}"#),
            ApiError::Conflict { message: Some("Commit abc is not the tip of branch main.".to_owned()) },
            "Bitbucket reported a conflict: Commit abc is not the tip of branch main. The branch or file changed since it was read, or the file already exists or is unchanged: reload and try again.",
        ),
        row(
            "DC 409 stale sourceCommitId",
            data_center(),
            Op::DcEditFile,
            ApiResponse::new(409, r#"{"errors":[{"message":"The file 'a.json' has been modified since the commit abc.","exceptionName":"com.atlassian.bitbucket.content.FileContentModifiedException"}]}"#),
            ApiError::Conflict { message: Some("The file 'a.json' has been modified since the commit abc.".to_owned()) },
            "Bitbucket reported a conflict: The file 'a.json' has been modified since the commit abc. The branch or file changed since it was read, or the file already exists or is unchanged: reload and try again.",
        ),
        row(
            "DC 400 DuplicateRefException",
            data_center(),
            Op::DcRepository,
            ApiResponse::new(400, r#"{"errors":[{"message":"Branch 'release/2' already exists in repository 'regression'","exceptionName":"com.atlassian.bitbucket.repository.DuplicateRefException"}]}"#),
            ApiError::Conflict { message: Some("Branch 'release/2' already exists in repository 'regression'.".to_owned()) },
            "Bitbucket reported a conflict: Branch 'release/2' already exists in repository 'regression'. The branch or file changed since it was read, or the file already exists or is unchanged: reload and try again.",
        ),
        row(
            "Cloud 400 standard error envelope",
            cloud(),
            Op::CloudCommit,
            ApiResponse::new(400, r#"{"type":"error","error":{"message":"Bad request","fields":{"src":["This field is required."]},"detail":"You must specify a valid source branch."}}"#),
            ApiError::BadRequest { message: Some("Bad request. You must specify a valid source branch. src: This field is required.".to_owned()) },
            "Bitbucket rejected the request: Bad request. You must specify a valid source branch. src: This field is required.",
        ),
        row(
            "Cloud 429 plain text, no Retry-After",
            cloud(),
            Op::CloudRepository,
            ApiResponse::new(429, "Rate limit for this resource has been exceeded"),
            ApiError::HourlyLimit { needed: None, left: 0, retry_in_secs: None },
            "Bitbucket Cloud's hourly request limit for this account is used up (about 1,000 requests in any hour, counting every tool that uses the account). Try again later: requests count for an hour after they were sent.",
        ),
        row(
            "DC 429 with Retry-After",
            data_center(),
            Op::DcRepository,
            ApiResponse::new(429, "").with_header("retry-after", "120"),
            ApiError::RateLimited { flavour: Flavour::DataCenter, retry_after: Some(120) },
            "Bitbucket's request limit was reached. Try again in 2 minutes.",
        ),
        row(
            "DC 429 with an HTTP-date Retry-After",
            data_center(),
            Op::DcRepository,
            ApiResponse::new(429, "").with_header("Retry-After", "Wed, 21 Oct 2026 07:28:00 GMT"),
            ApiError::RateLimited { flavour: Flavour::DataCenter, retry_after: None },
            "Bitbucket's request limit was reached. Try again in a few minutes; your Bitbucket administrator sets the limit.",
        ),
        row(
            "DC file edit with the file editor turned off",
            data_center(),
            Op::DcEditFile,
            ApiResponse::new(409, r#"{"errors":[{"context":null,"message":"File editing is disabled.","exceptionName":"com.atlassian.bitbucket.feature.FeatureDisabledException"}]}"#),
            ApiError::FileEditingOff,
            "Bitbucket Data Center has file editing turned off (feature.file.editor=false in its bitbucket.properties), and this app writes every file through that editor's REST API, so nothing was pushed. Ask the Data Center administrator to set feature.file.editor=true and restart Bitbucket; pulling works meanwhile.",
        ),
        row(
            "DC file edit over the upload limit",
            data_center(),
            Op::DcEditFile,
            ApiResponse::new(413, r#"{"errors":[{"context":null,"message":"The file is too large.","exceptionName":null}]}"#),
            ApiError::BodyTooLarge { what: "The file `a.json` at `main`".to_owned(), limit: BodyLimit::DataCenterUpload },
            "Bitbucket Data Center refused the file `a.json` at `main`: it is larger than its upload limit (content.upload.max.size in its bitbucket.properties), and nothing was written. Ask the Data Center administrator to raise content.upload.max.size above the file's size; the SCM parameters do not help, since Data Center takes each file in a request of its own.",
        ),
        row(
            "DC file edit over the relay's body limit (nginx's page)",
            data_center(),
            Op::DcEditFile,
            ApiResponse::new(413, "<html>\r\n<head><title>413 Request Entity Too Large</title></head>\r\n<body>\r\n<center><h1>413 Request Entity Too Large</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"),
            ApiError::BodyTooLarge { what: "The file `a.json` at `main`".to_owned(), limit: BodyLimit::DataCenterRelay },
            "The relay in front of Bitbucket Data Center refused the file `a.json` at `main` as too large (HTTP 413), and nothing was written. Raise client_max_body_size in the relay's configuration (the relay shipped with this app sets it in relay/bitbucket-datacenter-proxy.conf; nginx's default is 1 MiB) above the file's size, then reload the relay; the SCM parameters do not help, since Data Center takes each file in a request of its own.",
        ),
        row(
            "Cloud commit over a body limit",
            cloud(),
            Op::CloudCommit,
            ApiResponse::new(413, ""),
            ApiError::BodyTooLarge { what: "The branch `main` of `acme/checkout-tests`".to_owned(), limit: BodyLimit::Cloud },
            "Bitbucket Cloud, or a proxy in front of it, refused the commit to the branch `main` of `acme/checkout-tests` as too large (HTTP 413). Lower scm_megabytes_per_commit in the SCM parameters, so that each commit is smaller, and push again.",
        ),
        row(
            "Cloud 555 timeout",
            cloud(),
            Op::CloudRepository,
            ApiResponse::new(555, r#"{"type":"error","error":{"message":"timeout"}}"#),
            ApiError::Server { status: 555 },
            "Bitbucket took too long to answer (HTTP 555) and gave up. Try again, asking for fewer files at a time.",
        ),
        row(
            "DC 503",
            data_center(),
            Op::DcRepository,
            ApiResponse::new(503, "<html>Service Unavailable</html>"),
            ApiError::Server { status: 503 },
            "Bitbucket had a problem (HTTP 503). Try again in a few minutes; if it persists, check Bitbucket's status page or ask your administrator.",
        ),
        row(
            "200 with an HTML login page from a proxy",
            data_center(),
            Op::DcRepository,
            ApiResponse::new(200, "<html><body>Log in</body></html>"),
            ApiError::UnexpectedResponse { status: 200, excerpt: "<html><body>Log in</body></html>".to_owned() },
            "Bitbucket sent an answer this app cannot read (HTTP 200): “<html><body>Log in</body></html>”. If an API base URL is set under Advanced, check that it points at the Bitbucket REST API.",
        ),
        row(
            "302 redirect to a login page",
            data_center(),
            Op::DcRepository,
            ApiResponse::new(302, ""),
            ApiError::UnexpectedResponse { status: 302, excerpt: String::new() },
            "Bitbucket sent an answer this app cannot read (HTTP 302). If an API base URL is set under Advanced, check that it points at the Bitbucket REST API.",
        ),
    ]
}

#[test]
fn error_mapping_table() {
    for row in error_table() {
        let error = fail(row.op, &row.connection, row.response.clone());
        assert_eq!(error, row.expected, "{}", row.name);
        assert_eq!(error.to_string(), row.message, "{}", row.name);
        println!("| {} | {} | {} |", row.name, row.response.status, error);
    }
}

#[test]
fn fetch_failures_explain_cors_for_data_center_only_when_cross_origin() {
    let cases = [
        (Flavour::Cloud, true, "Could not reach api.bitbucket.org or read its answer. Bitbucket may be limiting requests (a rate-limit answer without CORS headers looks the same to the browser), or the network, a proxy, a firewall or a browser extension (such as an ad or privacy blocker) blocks it. Wait a minute and try again; if it still fails, check the connection and allow api.bitbucket.org."),
        (Flavour::DataCenter, true, "Could not reach Bitbucket Data Center from this page. Data Center never answers a browser on another origin (it sends no CORS headers), so the app needs a relay in front of it: install the nginx relay shipped with this app (see the README, \u{201c}Data Center: the relay\u{201d}) and enter its address, such as https://relay.example.com/rest, as the API base URL under Advanced. If a relay is set, check its address and that it allows this page's origin; otherwise check the server address, your VPN and the network."),
        (Flavour::DataCenter, false, "Could not reach Bitbucket Data Center: check the server address, your VPN and the network."),
    ];
    for (flavour, cross_origin, message) in cases {
        let error = ApiError::from_fetch_failure(flavour, cross_origin);
        assert_eq!(
            error,
            ApiError::Network {
                flavour,
                cross_origin
            }
        );
        assert_eq!(error.to_string(), message);
    }
    assert_eq!(
        ApiError::Timeout.to_string(),
        "Bitbucket did not answer in time. Try again; if it keeps happening, check the network."
    );
}

#[test]
fn a_header_the_browser_refuses_says_what_to_do_without_the_value() {
    let token = ApiError::UnsendableHeader {
        name: "Authorization".into(),
    }
    .to_string();
    assert!(token.starts_with("Nothing was sent"), "{token}");
    assert!(token.contains("paste the token again"), "{token}");
    let other = ApiError::UnsendableHeader {
        name: "Accept".into(),
    }
    .to_string();
    assert!(other.contains("Accept header"), "{other}");
}

#[test]
fn errors_serialise_for_storage() {
    let error = ApiError::MissingScope {
        needed: vec!["read:user:bitbucket".to_owned()],
        granted: None,
    };
    assert_eq!(
        serde_json::to_string(&error).unwrap(),
        r#"{"kind":"missing_scope","needed":["read:user:bitbucket"],"granted":null}"#
    );
}

#[test]
fn echoed_tokens_are_scrubbed_from_every_message() {
    let encoded =
        base64::engine::general_purpose::STANDARD.encode(format!("ada@example.com:{TOKEN}"));
    let bodies = [
        format!(r#"{{"type":"error","error":{{"message":"bad token {TOKEN}"}}}}"#),
        format!(r#"{{"errors":[{{"message":"Authorization: Basic {encoded}"}}]}}"#),
        format!("<html>{TOKEN}</html>"),
        format!("plain {TOKEN} text"),
    ];
    for status in [200, 302, 400, 401, 403, 404, 409, 429, 500, 555] {
        for body in &bodies {
            for op in [Op::CloudRepository, Op::CloudPermission, Op::DcEditFile] {
                let error = fail(
                    op,
                    &cloud(),
                    ApiResponse::new(status, body.as_bytes().to_vec()),
                );
                assert_no_secret(&error.to_string());
                assert_no_secret(&format!("{error:?}"));
                assert_no_secret(&serde_json::to_string(&error).unwrap());
            }
        }
    }
}

#[test]
fn long_bitbucket_messages_are_shortened() {
    let long = "x".repeat(2_000);
    let error = fail(Op::CloudRepository, &cloud(), ApiResponse::new(200, long));
    let ApiError::UnexpectedResponse { excerpt, .. } = error else {
        panic!("unexpected response expected");
    };
    assert_eq!(excerpt.chars().count(), 301);
}

// ---- paging ----

fn cloud_page(names: &[&str], next: Option<&str>) -> ApiResponse {
    let values: Vec<_> = names
        .iter()
        .map(|n| serde_json::json!({ "name": n, "target": { "hash": "h" } }))
        .collect();
    let mut body = serde_json::json!({ "pagelen": 2, "values": values });
    if let Some(next) = next {
        body["next"] = next.into();
    }
    ApiResponse::new(200, body.to_string())
}

fn dc_page(names: &[&str], next_start: Option<u64>) -> ApiResponse {
    let values: Vec<_> = names
        .iter()
        .map(|n| serde_json::json!({ "displayId": n, "latestCommit": "c", "isDefault": false }))
        .collect();
    let body = serde_json::json!({
        "values": values,
        "isLastPage": next_start.is_none(),
        "nextPageStart": next_start,
        "start": 0,
        "limit": 2,
        "size": names.len(),
    });
    ApiResponse::new(200, body.to_string())
}

fn names<T>(items: Vec<versioning_core::bitbucket::Branch>, into: &mut Vec<String>) -> Vec<T> {
    into.extend(items.into_iter().map(|b| b.name));
    Vec::new()
}

#[test]
fn cloud_pages_follow_next_links() {
    let api = Api::new(&cloud());
    let mut pager = Pager::new(&api, bb_cloud::branches(&api, None));
    let base = "https://api.bitbucket.org/2.0/repositories/acme/checkout-tests/refs/branches";
    let pages = [
        cloud_page(&["a", "b"], Some(&format!("{base}?pagelen=2&page=2"))),
        cloud_page(&["c", "d"], Some(&format!("{base}?pagelen=2&page=3"))),
        cloud_page(&["e"], None),
    ];
    let mut urls = Vec::new();
    let mut seen = Vec::new();
    for page in pages {
        let request = pager.next_request().expect("a request");
        assert_eq!(
            request.header("Authorization"),
            Some(basic_value("ada@example.com").as_str())
        );
        urls.push(request.url);
        let _: Vec<()> = names(pager.handle_response(&page).unwrap(), &mut seen);
    }
    assert_eq!(pager.next_request(), None);
    assert_eq!(seen, ["a", "b", "c", "d", "e"]);
    assert_eq!(urls[1], format!("{base}?pagelen=2&page=2"));
    assert!(!pager.is_truncated());
}

#[test]
fn data_center_pages_follow_next_page_start() {
    let api = Api::new(&data_center());
    let mut pager = Pager::new(&api, bb_dc::branches(&api, Some("release")));
    let mut urls = Vec::new();
    let mut seen = Vec::new();
    for page in [
        dc_page(&["a", "b"], Some(2)),
        dc_page(&["c", "d"], Some(4)),
        dc_page(&["e"], None),
    ] {
        urls.push(pager.next_request().expect("a request").url);
        let _: Vec<()> = names(pager.handle_response(&page).unwrap(), &mut seen);
    }
    assert_eq!(pager.next_request(), None);
    assert_eq!(seen, ["a", "b", "c", "d", "e"]);
    let base =
        "https://git.example.com/bitbucket/rest/api/latest/projects/QA/repos/regression/branches";
    assert_eq!(
        urls,
        [
            format!("{base}?orderBy=ALPHABETICAL&limit=100&filterText=release"),
            format!("{base}?orderBy=ALPHABETICAL&limit=100&filterText=release&start=2"),
            format!("{base}?orderBy=ALPHABETICAL&limit=100&filterText=release&start=4"),
        ]
    );
}

#[test]
fn a_next_link_to_another_origin_is_not_followed() {
    let api = Api::new(&cloud());
    for evil in [
        "https://evil.example.com/2.0/repositories/acme/checkout-tests/refs/branches?page=2",
        "http://api.bitbucket.org/2.0/repositories?page=2",
        "https://api.bitbucket.org.evil.example/2.0/x",
        "https://api.bitbucket.org/internal?page=2",
        "//evil.example.com/2.0/x",
    ] {
        let mut pager = Pager::new(&api, bb_cloud::branches(&api, None));
        pager.next_request().unwrap();
        let error = pager
            .handle_response(&cloud_page(&["a"], Some(evil)))
            .unwrap_err();
        assert!(
            matches!(error, ApiError::CrossOriginLink { .. }),
            "{evil}: {error:?}"
        );
        assert_eq!(pager.next_request(), None, "{evil}");
        assert_no_secret(&error.to_string());
    }
}

#[test]
fn cloud_links_are_rebased_onto_a_proxy() {
    let mut proxied = cloud();
    proxied.api_base_url = "https://proxy.example.com/bitbucket-api".to_owned();
    let api = Api::new(&proxied);
    let mut pager = Pager::new(&api, bb_cloud::branches(&api, None));
    assert!(pager
        .next_request()
        .unwrap()
        .url
        .starts_with("https://proxy.example.com/bitbucket-api/repositories/"));
    let next =
        "https://api.bitbucket.org/2.0/repositories/acme/checkout-tests/refs/branches?page=2";
    pager
        .handle_response(&cloud_page(&["a"], Some(next)))
        .unwrap();
    assert_eq!(
        pager.next_request().unwrap().url,
        "https://proxy.example.com/bitbucket-api/repositories/acme/checkout-tests/refs/branches?page=2"
    );
}

#[test]
fn a_relative_next_link_resolves_against_the_current_page() {
    let api = Api::new(&cloud());
    let mut pager = Pager::new(&api, bb_cloud::branches(&api, None));
    pager.next_request().unwrap();
    pager
        .handle_response(&cloud_page(&["a"], Some("branches?page=2")))
        .unwrap();
    assert_eq!(
        pager.next_request().unwrap().url,
        "https://api.bitbucket.org/2.0/repositories/acme/checkout-tests/refs/branches?page=2"
    );
}

#[test]
fn the_page_cap_stops_endless_lists() {
    let api = Api::new(&data_center());
    let mut pager = Pager::new(&api, bb_dc::branches(&api, None)).with_max_pages(3);
    let mut count = 0;
    while pager.next_request().is_some() {
        count += 1;
        pager
            .handle_response(&dc_page(&["x"], Some(count * 10)))
            .unwrap();
    }
    assert_eq!(count, 3);
    assert!(pager.is_truncated());
}

#[test]
fn a_next_page_start_that_goes_backwards_or_a_self_link_ends_the_list() {
    let api = Api::new(&data_center());
    let mut pager = Pager::new(&api, bb_dc::branches(&api, None));
    pager.next_request().unwrap();
    pager.handle_response(&dc_page(&["a"], Some(0))).unwrap();
    assert_eq!(pager.next_request(), None);

    let api = Api::new(&cloud());
    let mut pager = Pager::new(&api, bb_cloud::branches(&api, None));
    let first = pager.next_request().unwrap();
    pager
        .handle_response(&cloud_page(&["a"], Some(&first.url)))
        .unwrap();
    assert_eq!(pager.next_request(), None);
}

#[test]
fn an_error_page_ends_the_list_with_the_error() {
    let api = Api::new(&cloud());
    let mut pager = Pager::new(&api, bb_cloud::branches(&api, None));
    pager.next_request().unwrap();
    let error = pager
        .handle_response(&ApiResponse::new(429, "Rate limit"))
        .unwrap_err();
    assert_eq!(
        error,
        ApiError::HourlyLimit {
            needed: None,
            left: 0,
            retry_in_secs: None
        }
    );
    assert_eq!(pager.next_request(), None);
}

#[test]
fn pages_convert_and_keep_their_cursor() {
    let page = Page {
        values: vec![1, 2],
        next: NextPage::Start(2),
    };
    assert_eq!(
        page.map(|v| v * 10),
        Page {
            values: vec![10, 20],
            next: NextPage::Start(2)
        }
    );
}

// ---- never panic ----

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mapping_and_parsing_never_panic(status in 0u16..1000, body in proptest::collection::vec(any::<u8>(), 0..300)) {
        let response = ApiResponse::new(status, body);
        for connection in [cloud(), cloud_access_token(), data_center()] {
            let api = Api::new(&connection);
            let _ = bb_cloud::current_user(&api).parse(&response);
            let _ = bb_cloud::repository(&api).parse(&response);
            let _ = bb_cloud::repository_permission(&api, "acme/x").parse(&response);
            let _ = bb_cloud::branch_restrictions(&api).parse(&response);
            let _ = bb_cloud::directory(&api, "main", "").parse(&response);
            let _ = bb_cloud::commits(&api, "main", "a").parse(&response);
            let _ = bb_dc::server_info(&api).parse(&response);
            let _ = bb_dc::branches(&api, None).parse(&response);
            let _ = bb_dc::list_files(&api, "", "main").parse(&response);
            let _ = bb_dc::path_kind(&api, "a", "main").parse(&response);
            let _ = bb_dc::commits(&api, "main", "a").parse(&response);
            let edit = writing(&api, "main", |main| main.edit_file(&sample_edit()).parse(&response));
            if let Err(error) = edit {
                let _ = error.to_string();
            }
            let mut pager = Pager::new(&api, bb_dc::branches(&api, None));
            let _ = pager.handle_response(&response);
        }
    }

    #[test]
    fn json_error_bodies_never_panic(status in 400u16..600, message in ".{0,80}", detail in prop_oneof![
        Just(serde_json::Value::Null),
        ".{0,40}".prop_map(serde_json::Value::from),
        proptest::collection::vec(".{0,10}", 0..3).prop_map(|r| serde_json::json!({ "required": r })),
    ]) {
        let cloud_body = serde_json::json!({ "type": "error", "error": { "message": message, "detail": detail } });
        let dc_body = serde_json::json!({ "errors": [{ "message": message, "exceptionName": detail }] });
        for body in [cloud_body, dc_body] {
            let error = fail(Op::CloudCommit, &cloud(), ApiResponse::new(status, body.to_string()));
            let _ = error.to_string();
        }
    }
}
