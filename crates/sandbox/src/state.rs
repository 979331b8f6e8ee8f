//! Shared state of the running sandbox: configuration, repositories, faults, log.

use std::path::PathBuf;
use std::sync::Arc;

use crate::config::{Config, Repository};
use crate::faults::{FaultSettings, Faults};
use crate::log::RequestLog;
use crate::pull_requests::PullRequests;
use crate::store::Store;

/// How to build the sandbox.
#[derive(Debug, Default)]
pub struct Options {
    /// The configuration (the demo one when built with `Config::demo()`).
    pub config: Config,
    /// Where the bare repositories live; a fresh temporary directory when `None`.
    pub data_dir: Option<PathBuf>,
    /// A built single-page app to serve on non-API paths.
    pub serve_dir: Option<PathBuf>,
    /// Faults active from the start (and after a reset).
    pub faults: FaultSettings,
    /// Where JSON log lines go: a file path, or stderr when `None`.
    pub log_file: Option<PathBuf>,
    /// Keep log lines in memory only (tests).
    pub quiet: bool,
}

struct Inner {
    config: Config,
    store: Store,
    faults: Faults,
    log: RequestLog,
    pull_requests: PullRequests,
    serve_dir: Option<PathBuf>,
    _temp: Option<tempfile::TempDir>,
}

/// Cheaply clonable handle on the sandbox state.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

impl AppState {
    /// Creates the repositories from their seeds and the rest of the state.
    pub fn new(options: Options) -> std::io::Result<AppState> {
        let (root, temp) = match options.data_dir {
            Some(dir) => (dir, None),
            None => {
                let temp = tempfile::Builder::new()
                    .prefix("bitbucket-sandbox-")
                    .tempdir()?;
                (temp.path().to_path_buf(), Some(temp))
            }
        };
        let secrets = options.config.secrets().map(str::to_string).collect();
        let log = RequestLog::new(options.log_file.as_deref(), options.quiet, secrets)?;
        let state = AppState(Arc::new(Inner {
            store: Store::new(&root)?,
            faults: Faults::new(options.faults),
            log,
            pull_requests: PullRequests::default(),
            serve_dir: options.serve_dir,
            config: options.config,
            _temp: temp,
        }));
        state
            .seed()
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        Ok(state)
    }

    fn seed(&self) -> Result<(), git2::Error> {
        for (key, repo) in self.repositories() {
            self.store().seed(&key, repo)?;
        }
        Ok(())
    }

    /// Every repository with its store key (`cloud/ws/slug`, `dc/KEY/slug`).
    pub fn repositories(&self) -> Vec<(String, &Repository)> {
        let config = self.config();
        let cloud = config.cloud.workspaces.iter().flat_map(|w| {
            w.repositories
                .iter()
                .map(move |r| (cloud_key(&w.slug, &r.slug), r))
        });
        let dc = config.datacenter.projects.iter().flat_map(|p| {
            p.repositories
                .iter()
                .map(move |r| (dc_key(&p.key, &r.slug), r))
        });
        cloud.chain(dc).collect()
    }

    /// Restores the seed repositories, forgets pull requests, clears rate-limit counters and restores
    /// start-up faults.
    pub fn reset(&self) -> Result<(), git2::Error> {
        self.0.faults.reset();
        self.0.pull_requests.clear();
        self.seed()
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.0.config
    }

    /// The git repositories.
    pub fn store(&self) -> &Store {
        &self.0.store
    }

    /// The pull requests.
    pub fn pull_requests(&self) -> &PullRequests {
        &self.0.pull_requests
    }

    /// The fault injector.
    pub fn faults(&self) -> &Faults {
        &self.0.faults
    }

    /// The request log.
    pub fn log(&self) -> &RequestLog {
        &self.0.log
    }

    /// The static app directory, if any.
    pub fn serve_dir(&self) -> Option<&PathBuf> {
        self.0.serve_dir.as_ref()
    }
}

/// Store key of a Cloud repository.
pub fn cloud_key(workspace: &str, slug: &str) -> String {
    format!("cloud/{workspace}/{slug}")
}

/// Store key of a Data Center repository (project key upper-case).
pub fn dc_key(project: &str, slug: &str) -> String {
    format!("dc/{}/{slug}", project.to_ascii_uppercase())
}
