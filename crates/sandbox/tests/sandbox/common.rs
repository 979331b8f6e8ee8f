//! Helpers: a demo sandbox, a request builder and parsed responses.

use std::path::Path;

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Method, Request, StatusCode};
use axum::Router;
use base64::Engine;
use bitbucket_sandbox::config::Config;
use bitbucket_sandbox::{app, AppState, Options};
use serde_json::Value;
use tower::ServiceExt;

pub const CLOUD_REPO: &str = "/2.0/repositories/acme/checkout-tests";
pub const DC_REPO: &str = "/rest/api/latest/projects/QA/repos/regression-suite";

pub struct Sandbox {
    pub state: AppState,
    pub app: Router,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        Sandbox::with(Options {
            config: Config::demo(),
            quiet: true,
            ..Options::default()
        })
    }

    /// A sandbox with the demo configuration as `change` leaves it.
    pub fn configured(change: impl FnOnce(&mut Config)) -> Sandbox {
        let mut config = Config::demo();
        change(&mut config);
        Sandbox::with(Options {
            config,
            quiet: true,
            ..Options::default()
        })
    }

    pub fn with(options: Options) -> Sandbox {
        let state = AppState::new(options).expect("sandbox starts");
        Sandbox {
            app: app(state.clone()),
            state,
        }
    }

    /// Opens the bare repository of a store key.
    pub fn git(&self, key: &str) -> git2::Repository {
        git2::Repository::open_bare(self.state.store().path(key)).unwrap()
    }

    pub fn tip(&self, key: &str, branch: &str) -> String {
        self.state
            .store()
            .repo(key)
            .ok()
            .and_then(|repo| repo.branch_tip(branch))
            .map(|o| o.to_string())
            .unwrap_or_default()
    }

    /// What `read` makes of the repository of a store key and the tip commit of `branch`.
    pub fn at_tip<R>(
        &self,
        key: &str,
        branch: &str,
        read: impl FnOnce(&git2::Repository, &git2::Commit<'_>) -> R,
    ) -> R {
        let repo = self.git(key);
        let tip = repo
            .find_reference(&format!("refs/heads/{branch}"))
            .unwrap()
            .peel_to_commit()
            .unwrap();
        read(&repo, &tip)
    }

    /// The git mode and object id of `path` at the tip of `branch`.
    pub fn tree_entry(&self, key: &str, branch: &str, path: &str) -> (i32, String) {
        self.at_tip(key, branch, |_, tip| {
            let entry = tip.tree().unwrap().get_path(Path::new(path)).unwrap();
            (entry.filemode(), entry.id().to_string())
        })
    }
}

pub struct Req {
    method: Method,
    path: String,
    headers: Vec<(String, String)>,
    body: Body,
}

pub fn get(path: &str) -> Req {
    Req::new(Method::GET, path)
}

pub fn post(path: &str) -> Req {
    Req::new(Method::POST, path)
}

pub fn put(path: &str) -> Req {
    Req::new(Method::PUT, path)
}

/// `PUT …/browse/{path}` on the demo Data Center repository as `user`, with the XSRF opt-out
/// and the multipart `fields`.
pub async fn dc_edit(sb: &Sandbox, user: &str, path: &str, fields: &[(&str, &str)]) -> Resp {
    put(&format!("{DC_REPO}/browse/{path}"))
        .dc_user(user)
        .no_check()
        .multipart(fields)
        .send(sb)
        .await
}

pub fn cloud(user: &str) -> (String, String) {
    (
        format!("{user}@example.com"),
        format!("ATATT-demo-{user}-cloud"),
    )
}

impl Req {
    pub fn new(method: Method, path: &str) -> Req {
        Req {
            method,
            path: path.to_string(),
            headers: vec![("host".into(), "localhost:7990".into())],
            body: Body::empty(),
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Req {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    pub fn basic(self, user: &str, pass: &str) -> Req {
        let v = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"));
        self.header("authorization", &format!("Basic {v}"))
    }

    /// Basic auth with a demo user's Cloud API token.
    pub fn cloud_user(self, user: &str) -> Req {
        let (email, token) = cloud(user);
        self.basic(&email, &token)
    }

    /// Bearer auth with a demo user's Data Center token.
    pub fn dc_user(self, user: &str) -> Req {
        self.bearer(&format!("BBDC-demo-{user}"))
    }

    pub fn bearer(self, token: &str) -> Req {
        self.header("authorization", &format!("Bearer {token}"))
    }

    pub fn no_check(self) -> Req {
        self.header("x-atlassian-token", "no-check")
    }

    pub fn multipart(self, fields: &[(&str, &str)]) -> Req {
        let plain: Vec<_> = fields.iter().map(|&(n, v)| (n, v, None)).collect();
        self.multipart_with_attributes(&plain)
    }

    /// A multipart body whose fields may carry Cloud's `x-attributes` (`executable`, `link`).
    pub fn multipart_with_attributes(mut self, fields: &[(&str, &str, Option<&str>)]) -> Req {
        let mut body = String::new();
        for (name, value, attributes) in fields {
            let extra = attributes
                .map(|a| format!("; x-attributes=\"{a}\""))
                .unwrap_or_default();
            body.push_str(&format!(
                "--XBOUNDARY\r\nContent-Disposition: form-data; name=\"{name}\"{extra}\r\n\r\n{value}\r\n"
            ));
        }
        body.push_str("--XBOUNDARY--\r\n");
        self.body = Body::from(body);
        self.header("content-type", "multipart/form-data; boundary=XBOUNDARY")
    }

    pub fn form(mut self, fields: &[(&str, &str)]) -> Req {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in fields {
            s.append_pair(k, v);
        }
        self.body = Body::from(s.finish());
        self.header("content-type", "application/x-www-form-urlencoded")
    }

    pub fn json(mut self, value: Value) -> Req {
        self.body = Body::from(value.to_string());
        self.header("content-type", "application/json")
    }

    pub fn build(self) -> Request<Body> {
        let mut builder = Request::builder().method(self.method).uri(self.path);
        for (k, v) in self.headers {
            builder = builder.header(k, v);
        }
        builder.body(self.body).unwrap()
    }

    /// Sends the request, expects 200 (the failure message shows the body) and parses the JSON.
    pub async fn ok_json(self, sandbox: &Sandbox) -> Value {
        self.send(sandbox).await.expect(200).json()
    }

    pub async fn send(self, sandbox: &Sandbox) -> Resp {
        let response = sandbox.app.clone().oneshot(self.build()).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("body");
        Resp {
            status,
            headers,
            body,
        }
    }
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|_| {
            panic!(
                "not JSON ({}): {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
    }

    #[track_caller]
    pub fn expect(self, status: u16) -> Resp {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.text());
        self
    }

    pub fn cloud_message(&self) -> String {
        let v = self.json();
        assert_eq!(v["type"], "error", "{v}");
        v["error"]["message"].as_str().unwrap().to_string()
    }

    pub fn dc_error(&self) -> (String, String) {
        let v = self.json();
        let e = &v["errors"][0];
        assert!(e.get("context").is_some(), "{v}");
        (
            e["message"].as_str().unwrap().to_string(),
            e["exceptionName"].as_str().unwrap_or("").to_string(),
        )
    }
}
