//! The local Bitbucket sandbox, in-process, as the transport of the sync jobs: every `ApiRequest` a job
//! hands out becomes an `http::Request` sent to the sandbox's axum app with `tower::ServiceExt::oneshot`,
//! and its answer goes back as an `ApiResponse`. Transport failures can be injected per write request,
//! and the sandbox's bare git repositories can be read to check what landed.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::task::Poll;

use axum::body::{Body, HttpBody};
use axum::http::Request;
use axum::Router;
use bitbucket_sandbox::config::Config;
use bitbucket_sandbox::faults::FaultSettings;
use bitbucket_sandbox::store::{CommitInfo, CommitPlan, Entry, Expect};
use bitbucket_sandbox::{app, AppState, Options};
use tower::ServiceExt;
use versioning_core::artifacts::{
    manifest_in, to_canonical_json, to_files, LayoutOptions, Manifest, Project, ProjectFiles,
    MANIFEST_FILE,
};
use versioning_core::bitbucket::{
    multipart, Api, ApiError, ApiRequest, ApiResponse, BodyReader, BodyTooLarge, Method,
    RequestBody,
};
use versioning_core::roles::{permit_push, Role};
use versioning_core::sync::{unpack_here, Confirmation, Job, JobStep, PushPlan, Remote, Writer};
use versioning_core::ConnectionForm;

/// Runs each named test (an `async fn(Product)` of the invoking file) on Cloud and on Data Center, as two
/// tests of a module named after it.
#[allow(unused_macros)]
macro_rules! on_both {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test]
            async fn cloud() {
                super::$name(super::Product::Cloud).await
            }

            #[tokio::test]
            async fn data_center() {
                super::$name(super::Product::DataCenter).await
            }
        }
    )*};
}

/// The port in the repository URLs (nothing listens: requests go to the app in-process).
pub const PORT: u16 = 7990;

/// The two products of the demo configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Product {
    /// `acme/checkout-tests`.
    Cloud,
    /// `QA/regression-suite`.
    DataCenter,
}

impl Product {
    /// The sandbox's store key of the demo repository.
    pub fn key(self) -> &'static str {
        match self {
            Product::Cloud => "cloud/acme/checkout-tests",
            Product::DataCenter => "dc/QA/regression-suite",
        }
    }

    /// An API for a demo user (`lee`, `eve`, `rory`…) with the user's own token.
    pub fn api(self, user: &str) -> Api {
        let form = match self {
            Product::Cloud => ConnectionForm {
                name: format!("Cloud as {user}"),
                token: format!("ATATT-demo-{user}-cloud"),
                pat: false,
                repository_url: format!("http://localhost:{PORT}/acme/checkout-tests"),
                username: format!("{user}@example.com"),
                api_base_url: String::new(),
            },
            Product::DataCenter => ConnectionForm {
                name: format!("Data Center as {user}"),
                token: format!("BBDC-demo-{user}"),
                pat: true,
                repository_url: format!("http://localhost:{PORT}/scm/qa/regression-suite.git"),
                username: user.to_owned(),
                api_base_url: String::new(),
            },
        };
        let connection = form
            .to_connection(&[])
            .unwrap_or_else(|report| panic!("a valid sandbox connection: {report:?}"));
        Api::new(&connection)
    }
}

/// A transport failure injected on the `nth` write request (POST or PUT, a git fetch aside, counted from
/// 1 over the driver's life).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The request is executed, then its answer is lost (`Err(Timeout)`).
    AnswerLost { nth: usize },
    /// The request never reaches the server (`Err(Timeout)`).
    NeverArrived { nth: usize },
    /// The request is executed, its connection drops, and the browser sends it again: the answer is
    /// the second one's (a 409 once the first commit landed).
    Resent { nth: usize },
}

/// One request the driver executed (or failed on purpose).
#[derive(Debug, Clone)]
pub struct Sent {
    /// Its method.
    pub method: Method,
    /// The status answered, `None` when the transport failed.
    pub status: Option<u16>,
    /// Its address.
    pub url: String,
}

/// The demo sandbox, fresh for each test.
pub struct Sandbox {
    state: AppState,
    app: Router,
}

impl Sandbox {
    /// A sandbox with the demo configuration.
    pub fn new() -> Sandbox {
        let state = AppState::new(Options {
            config: Config::demo(),
            quiet: true,
            ..Options::default()
        })
        .expect("the sandbox starts");
        Sandbox {
            app: app(state.clone()),
            state,
        }
    }

    /// The next requests answer these statuses (the sandbox's own `fail_next`).
    pub fn fail_next(&self, statuses: &[u16]) {
        self.state.faults().set(FaultSettings {
            fail_next: statuses.to_vec(),
            ..FaultSettings::default()
        });
    }

    /// Replaces the sandbox's faults (as its `PUT /_sandbox/faults`).
    #[allow(dead_code)] // not every test file injects faults
    pub fn set_faults(&self, faults: FaultSettings) {
        self.state.faults().set(faults);
    }

    /// Delays every API answer by `ms` milliseconds (the sandbox's `latency_ms`), as a distant server
    /// would; other faults are cleared.
    #[allow(dead_code)] // not every test file measures
    pub fn latency(&self, ms: u64) {
        self.state.faults().set(FaultSettings {
            latency_ms: ms,
            ..FaultSettings::default()
        });
    }

    /// A sandbox with the demo configuration as `change` leaves it (its readings of open rules, Cloud's
    /// time limit, Data Center's properties).
    #[allow(dead_code)] // not every test file configures the sandbox
    pub fn configured(change: impl FnOnce(&mut Config)) -> Sandbox {
        let mut config = Config::demo();
        change(&mut config);
        let state = AppState::new(Options {
            config,
            quiet: true,
            ..Options::default()
        })
        .expect("the sandbox starts");
        Sandbox {
            app: app(state.clone()),
            state,
        }
    }

    /// Commits `files` to `branch` directly in the sandbox's git store (no API request, no latency),
    /// creating the branch from `from` when it does not exist; answers the new commit's hash.
    #[allow(dead_code)] // not every test file seeds
    pub fn seed(
        &self,
        product: Product,
        branch: &str,
        from: &str,
        files: BTreeMap<String, Vec<u8>>,
    ) -> String {
        let store = self.state.store();
        let start = store
            .repo(product.key())
            .ok()
            .and_then(|repo| repo.branch_tip(from));
        let plan = CommitPlan {
            branch: branch.to_owned(),
            expect: Expect::Any,
            start,
            changes: files.into_iter().map(|(p, b)| (p, Some(b))).collect(),
            modes: BTreeMap::new(),
            author: ("Seed".to_owned(), "seed@example.com".to_owned()),
            message: "Seeded for a measurement".to_owned(),
        };
        store
            .apply(product.key(), &plan)
            .expect("the seed commit is made")
            .hash
    }

    /// Another client's write to `branch` as `user` (outside the app's push), through the client's writes
    /// opened by the role check of a Quality Manager, who may write to any branch.
    #[allow(dead_code)] // not every test file writes by hand
    pub async fn write_by_hand(
        &self,
        product: Product,
        user: &str,
        branch: &str,
        write: impl FnOnce(&Writer<'_>) -> ApiRequest,
    ) -> ApiResponse {
        let permit =
            permit_push(&[Role::QualityManager], branch, None).expect("a manager may push");
        let remote = Remote::new(product.api(user));
        self.execute(&write(&remote.writer(&permit))).await
    }

    /// Executes one request in-process.
    pub async fn execute(&self, request: &ApiRequest) -> ApiResponse {
        let limit = request.max_response_bytes;
        let (app, request) = (self.app.clone(), to_http(request));
        // Served in a task of its own, as a separate server would: on a multi-threaded runtime the
        // sandbox answers on other cores than the job's.
        let serve = async move {
            let response = app
                .oneshot(request)
                .await
                .expect("the router is infallible");
            let status = response.status().as_u16();
            let headers = response
                .headers()
                .iter()
                .map(|(name, value)| {
                    let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
                    (name.as_str().to_owned(), value)
                })
                .collect();
            let length = response.headers().get("content-length").cloned();
            let length = length.as_ref().and_then(|value| value.to_str().ok());
            // Read as the browser's transport reads it: within the request's limit, chunk by chunk.
            let read = match BodyReader::new(limit, length) {
                Ok(reader) => read_body(response.into_body(), reader).await,
                Err(refused) => Err(refused),
            };
            match read {
                Ok(body) => ApiResponse {
                    status,
                    headers,
                    body,
                    too_large: None,
                },
                Err(refused) => ApiResponse::too_large(status, headers, refused),
            }
        };
        tokio::spawn(serve).await.expect("the sandbox's task ends")
    }

    /// A driver of jobs on this sandbox.
    pub fn driver(&self) -> Driver<'_> {
        Driver {
            sandbox: self,
            faults: Vec::new(),
            writes: 0,
            stop_after_writes: None,
            sent: Vec::new(),
            rounds: 0,
        }
    }

    fn repository(&self, product: Product) -> git2::Repository {
        git2::Repository::open_bare(self.state.store().path(product.key()))
            .expect("the sandbox's bare repository")
    }

    /// The tree a first push of `project` to a branch made from `from` writes: the project's files, with
    /// a manifest that names `from`'s tip as the folder's origin.
    #[allow(dead_code)] // not every test file pushes
    pub fn pushed_files(
        &self,
        product: Product,
        from: &str,
        project: &Project,
    ) -> BTreeMap<String, Vec<u8>> {
        let options = LayoutOptions::default();
        let mut files = to_files(project, &options);
        let path = options.full_path(MANIFEST_FILE);
        let mut manifest = manifest_of(&files);
        manifest.origin = self.tip(product, from);
        files.insert(path, manifest.tree().root);
        files
    }

    /// The tip of a branch, if it exists.
    pub fn tip(&self, product: Product, branch: &str) -> Option<String> {
        self.state
            .store()
            .repo(product.key())
            .ok()
            .and_then(|repo| repo.branch_tip(branch))
            .map(|oid| oid.to_string())
    }

    /// A commit.
    pub fn commit(&self, product: Product, hash: &str) -> CommitInfo {
        let oid = git2::Oid::from_str(hash).expect("a commit hash");
        self.state
            .store()
            .repo(product.key())
            .ok()
            .and_then(|repo| repo.commit(oid))
            .unwrap_or_else(|| panic!("commit {hash} exists"))
    }

    /// Every file below `folder` at a commit, by repository path.
    pub fn files_at(
        &self,
        product: Product,
        commit: &str,
        folder: &str,
    ) -> BTreeMap<String, Vec<u8>> {
        let store = self.state.store();
        let oid = git2::Oid::from_str(commit).expect("a commit hash");
        let Ok(repo) = store.repo(product.key()) else {
            return BTreeMap::new();
        };
        let Some(paths) = repo.files(oid, folder) else {
            return BTreeMap::new();
        };
        paths
            .into_iter()
            .map(|relative| {
                let path = format!("{folder}/{relative}");
                match repo.entry(oid, &path) {
                    Some(Entry::File { data, .. }) => (path, data),
                    other => panic!("{path} is a file, not {other:?}"),
                }
            })
            .collect()
    }

    /// Every file below `folder` at the tip of `branch`.
    pub fn files(&self, product: Product, branch: &str, folder: &str) -> BTreeMap<String, Vec<u8>> {
        let tip = self.tip(product, branch).expect("the branch exists");
        self.files_at(product, &tip, folder)
    }

    /// The paths a commit changed against its first parent (added, modified or deleted), sorted.
    pub fn touched(&self, product: Product, commit: &str) -> Vec<String> {
        let repo = self.repository(product);
        let commit = repo
            .find_commit(git2::Oid::from_str(commit).expect("a commit hash"))
            .expect("the commit exists");
        let parent_tree = commit.parent(0).ok().map(|p| p.tree().expect("a tree"));
        let tree = commit.tree().expect("a tree");
        let diff = repo
            .diff_tree_to_tree(parent_tree.as_ref(), Some(&tree), None)
            .expect("a diff");
        let mut paths: Vec<String> = diff
            .deltas()
            .filter_map(|delta| delta.new_file().path().or(delta.old_file().path()))
            .map(|path| path.to_string_lossy().into_owned())
            .collect();
        paths.sort();
        paths
    }

    /// The commits on `branch` that are not on `since`, oldest first (first-parent chain).
    pub fn commits_since(&self, product: Product, branch: &str, since: &str) -> Vec<CommitInfo> {
        let tip = self.tip(product, branch).expect("the branch exists");
        let stop = self.tip(product, since).expect("the base branch exists");
        let mut commits = Vec::new();
        let mut current = tip;
        while current != stop {
            let commit = self.commit(product, &current);
            current = commit
                .parents
                .first()
                .cloned()
                .expect("a parent before the base");
            commits.push(commit);
        }
        commits.reverse();
        commits
    }

    /// The commit a tag points at, if the tag exists.
    pub fn tag(&self, product: Product, name: &str) -> Option<String> {
        self.state
            .store()
            .repo(product.key())
            .ok()
            .and_then(|repo| repo.tag(name))
            .map(|tag| tag.tip.hash)
    }
}

/// Runs jobs on a sandbox, with at most the job's concurrency of one step's requests in flight at once,
/// with the injected faults.
pub struct Driver<'a> {
    sandbox: &'a Sandbox,
    faults: Vec<Fault>,
    writes: usize,
    stop_after_writes: Option<usize>,
    /// Every request handed out, in order.
    pub sent: Vec<Sent>,
    /// How many steps sent requests: rounds that each waited for the one before.
    pub rounds: usize,
}

impl Driver<'_> {
    /// Adds a transport failure.
    pub fn inject(mut self, fault: Fault) -> Self {
        self.faults.push(fault);
        self
    }

    /// Stops driving a job once this many write requests (over the driver's life) were executed, as a
    /// user cancelling does.
    pub fn stop_after_writes(mut self, writes: usize) -> Self {
        self.stop_after_writes = Some(writes);
        self
    }

    /// Drives `job` to its end; `None` when it was stopped (see [`Driver::stop_after_writes`]).
    pub async fn run<J: Job>(&mut self, job: &mut J) -> Option<J::Output> {
        for _ in 0..10_000 {
            match job.next() {
                JobStep::Done(output) => return Some(output),
                JobStep::Wait(_) => {}
                JobStep::Unpack(zips) => job.unpacked(unpack_here(&zips)),
                JobStep::Send(requests) => {
                    assert!(!requests.is_empty(), "a Send step without requests");
                    self.rounds += 1;
                    // As the app does: the job works while its requests are in flight.
                    job.while_waiting();
                    let answers = self.execute_all(&requests, job.concurrency()).await;
                    if self
                        .stop_after_writes
                        .is_some_and(|limit| self.writes >= limit)
                    {
                        return None;
                    }
                    job.handle(answers);
                }
            }
        }
        panic!("the job does not end");
    }

    /// Executes the requests of one `Send` step, at most `concurrency` at once (as a browser's fetches
    /// overlap: the sandbox's latency sleeps overlap too), and answers in request order. Write requests
    /// are counted, and their faults chosen, in request order before any is sent.
    async fn execute_all(
        &mut self,
        requests: &[ApiRequest],
        concurrency: usize,
    ) -> Vec<Result<ApiResponse, ApiError>> {
        let faults: Vec<Option<Fault>> = requests.iter().map(|r| self.fault_of(r)).collect();
        let sandbox = self.sandbox;
        let calls = requests
            .iter()
            .zip(faults)
            .map(|(request, fault)| async move {
                match fault {
                    Some(Fault::NeverArrived { .. }) => Err(ApiError::Timeout),
                    Some(Fault::AnswerLost { .. }) => {
                        sandbox.execute(request).await;
                        Err(ApiError::Timeout)
                    }
                    Some(Fault::Resent { .. }) => {
                        sandbox.execute(request).await;
                        Ok(sandbox.execute(request).await)
                    }
                    None => Ok(sandbox.execute(request).await),
                }
            })
            .collect();
        let answers = buffered(calls, concurrency).await;
        for (request, answer) in requests.iter().zip(&answers) {
            self.sent.push(Sent {
                method: request.method,
                status: answer.as_ref().ok().map(|r| r.status),
                url: request.url.clone(),
            });
        }
        answers
    }

    /// Counts a write request and finds the fault injected on it (a git fetch, though a POST, reads).
    fn fault_of(&mut self, request: &ApiRequest) -> Option<Fault> {
        let fetch = request.url.ends_with("/git-upload-pack");
        if !matches!(request.method, Method::Post | Method::Put) || fetch {
            return None;
        }
        self.writes += 1;
        self.faults.iter().copied().find(|f| match f {
            Fault::AnswerLost { nth } | Fault::NeverArrived { nth } | Fault::Resent { nth } => {
                *nth == self.writes
            }
        })
    }
}

/// Runs `futures` with at most `limit` in flight at once, started in order, and gives their outputs in
/// order (`futures::stream::iter(..).buffered(limit)`, without the dependency).
pub async fn buffered<F: Future>(futures: Vec<F>, limit: usize) -> Vec<F::Output> {
    let limit = limit.max(1);
    let mut results: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    let mut queue = futures.into_iter().map(Box::pin).enumerate();
    let mut running: Vec<(usize, Pin<Box<F>>)> = Vec::new();
    std::future::poll_fn(|cx| loop {
        while running.len() < limit {
            match queue.next() {
                Some(next) => running.push(next),
                None => break,
            }
        }
        if running.is_empty() {
            return Poll::Ready(());
        }
        let before = running.len();
        running.retain_mut(|(index, future)| match future.as_mut().poll(cx) {
            Poll::Ready(output) => {
                results[*index] = Some(output);
                false
            }
            Poll::Pending => true,
        });
        if running.len() == before {
            return Poll::Pending;
        }
    })
    .await;
    results
        .into_iter()
        .map(|r| r.expect("every future ran"))
        .collect()
}

/// A body read frame by frame into `reader`, stopping at the frame that takes it over the limit.
async fn read_body(mut body: Body, mut reader: BodyReader) -> Result<Vec<u8>, BodyTooLarge> {
    while let Some(frame) = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
        if let Ok(data) = frame.expect("a readable body").into_data() {
            reader.push(&data)?;
        }
    }
    Ok(reader.finish())
}

/// An `ApiRequest` as the browser would send it.
fn to_http(request: &ApiRequest) -> Request<Body> {
    let url = url::Url::parse(&request.url).expect("an absolute URL");
    let target = match url.query() {
        Some(query) => format!("{}?{query}", url.path()),
        None => url.path().to_owned(),
    };
    let host = match url.port() {
        Some(port) => format!("{}:{port}", url.host_str().unwrap_or_default()),
        None => url.host_str().unwrap_or_default().to_owned(),
    };
    let mut builder = Request::builder()
        .method(request.method.as_str())
        .uri(target)
        .header("host", host);
    for (name, value) in &request.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    let body = match &request.body {
        None => Body::empty(),
        Some(RequestBody::Json(json)) => {
            builder = builder.header("content-type", "application/json");
            Body::from(json.clone())
        }
        Some(RequestBody::Form(pairs)) => {
            builder = builder.header("content-type", "application/x-www-form-urlencoded");
            let mut form = url::form_urlencoded::Serializer::new(String::new());
            for (name, value) in pairs {
                form.append_pair(name, value);
            }
            Body::from(form.finish())
        }
        Some(RequestBody::Multipart(parts)) => {
            // Any boundary does: the sandbox reads the one the header names.
            let encoded = multipart::encode(parts, 0);
            builder = builder.header("content-type", encoded.content_type);
            Body::from(encoded.body)
        }
        Some(RequestBody::Bytes(raw)) => {
            builder = builder.header("content-type", raw.content_type.as_str());
            Body::from(raw.bytes.clone())
        }
    };
    builder.body(body).expect("a valid request")
}

/// Pressing Push on `plan` with the roles it was planned for, without overwriting conflicts.
pub fn as_planned(plan: &PushPlan) -> Confirmation {
    Confirmation {
        roles: plan.request.roles.clone(),
        overwrite: false,
    }
}

/// The manifest a tree of files holds (its root and parts).
pub fn manifest_of(files: &ProjectFiles) -> Manifest {
    let manifest = manifest_in(files, &LayoutOptions::default());
    manifest.expect("a manifest").expect("a readable manifest")
}

/// How many parts of the manifest a tree of files holds.
pub fn manifest_parts(files: &ProjectFiles) -> usize {
    files
        .keys()
        .filter(|path| path.contains("/.manifest/"))
        .count()
}

/// How many artifact files a tree of files holds: all but the manifest's root and parts.
pub fn artifact_count(files: &ProjectFiles) -> usize {
    files.len() - manifest_parts(files) - 1
}

/// A manifest written as layout 1 wrote it: one file listing every entry.
pub fn flat(manifest: &Manifest) -> Vec<u8> {
    let mut flat = manifest.clone();
    flat.schema_version = 1;
    to_canonical_json(&flat)
}
