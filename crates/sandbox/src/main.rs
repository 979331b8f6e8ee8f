//! `bitbucket-sandbox`: runs the local Bitbucket-compatible server.

use std::io::{ErrorKind, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use bitbucket_sandbox::config::{
    Config, FileEditor, GitFilter, PagelenAboveMax, PathMatch, RepeatedPath, SourceBranchOnExisting,
};
use bitbucket_sandbox::control::token_rows;
use bitbucket_sandbox::faults::{FaultCors, FaultSettings, DEFAULT_MAX_BODY_BYTES};
use bitbucket_sandbox::{app, server, AppState, Options};
use clap::Parser;

/// A local Bitbucket Cloud + Data Center server backed by real git repositories.
#[derive(Parser, Debug)]
#[command(name = "bitbucket-sandbox", version, about)]
struct Cli {
    /// TOML configuration (default: the built-in demo).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 7990)]
    port: u16,
    /// Directory for the bare repositories (default: a fresh temporary directory).
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Serve a built single-page app from this directory on non-API paths.
    #[arg(long, value_name = "DIR")]
    serve: Option<PathBuf>,
    /// Write the JSON-lines request log to this file instead of stderr.
    #[arg(long, value_name = "FILE")]
    log: Option<PathBuf>,
    /// Fixed latency added to every API answer, in milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Random extra latency, 0..=N milliseconds.
    #[arg(long, default_value_t = 0)]
    jitter_ms: u64,
    /// Cap on response body speed, bytes per second.
    #[arg(long, value_name = "BYTES_PER_SEC")]
    bandwidth: Option<u64>,
    /// Delay between a response's head and its body, in milliseconds.
    #[arg(long, default_value_t = 0)]
    slow_body_ms: u64,
    /// Requests per credential per rolling hour before 429.
    #[arg(long, value_name = "N")]
    rate_limit: Option<u32>,
    /// Probability (0..1) of a 5xx answer.
    #[arg(long, default_value_t = 0.0)]
    error_rate: f64,
    /// Statuses used by --error-rate (comma separated).
    #[arg(long, value_delimiter = ',', default_value = "500,502,503")]
    error_statuses: Vec<u16>,
    /// The next requests answer these statuses in order (comma separated).
    #[arg(long, value_delimiter = ',')]
    fail_next: Vec<u16>,
    /// Only requests whose path contains this text take the --fail-next statuses.
    #[arg(long, value_name = "TEXT")]
    fail_next_path: Option<String>,
    /// Probability (0..1) of dropping the connection after processing a request.
    #[arg(long, default_value_t = 0.0)]
    drop_rate: f64,
    /// Drop the connection of the next N requests after processing them.
    #[arg(long, default_value_t = 0)]
    drop_next: u32,
    /// Largest API request body in bytes; larger ones get 413.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_BODY_BYTES)]
    max_body_bytes: u64,
    /// CORS headers on injected answers (rate limit, --fail-next, --error-rate): `absent` as some
    /// proxies and rate limiters send them.
    #[arg(long, value_enum, default_value_t = FaultCors::Present)]
    fault_cors: FaultCors,
    /// Cloud: what a `pagelen` above 100 gets: `refuse` (400) or `cap` (pages of 100). Overrides the
    /// configuration's `[cloud.readings]`, whose default is `refuse`.
    #[arg(long, value_enum, value_name = "READING")]
    cloud_pagelen_above_max: Option<PagelenAboveMax>,
    /// Cloud `diffstat` and `diff`: what one `path` selects: `file` or `file-or-folder`. Overrides the
    /// configuration's `[cloud.readings]`, whose default is `file`.
    #[arg(long, value_enum, value_name = "READING")]
    cloud_diffstat_path: Option<PathMatch>,
    /// Cloud `diffstat` and `diff`: which of several `path` count: `last` or `all`. Overrides the
    /// configuration's `[cloud.readings]`, whose default is `last`.
    #[arg(long, value_enum, value_name = "READING")]
    cloud_diffstat_repeated_path: Option<RepeatedPath>,
    /// Cloud: the time one `diff`, `diffstat` or `src` listing may take, in milliseconds, before it
    /// answers 555. Overrides the configuration's `[cloud.time_limit]`, whose default is 10000.
    #[arg(long, value_name = "MS")]
    cloud_time_budget_ms: Option<u64>,
    /// Cloud: requests to repository paths each credential may send in a rolling hour before a plain
    /// 429 (0: no limit). Overrides the configuration's `[cloud.limits]`, whose default is 1000.
    #[arg(long, value_name = "N")]
    cloud_requests_per_hour: Option<u32>,
    /// Data Center file edit naming an existing `branch` and another `sourceBranch`: `commit` onto the
    /// existing branch or `refuse` (400). Overrides the configuration's `[datacenter.readings]`, whose
    /// default is `commit`.
    #[arg(long, value_enum, value_name = "READING")]
    dc_source_branch_on_existing: Option<SourceBranchOnExisting>,
    /// Data Center `feature.file.editor`: `enabled` or `disabled` (file edits answer 409). Overrides
    /// the configuration's `[datacenter.properties]`, whose default is `enabled`.
    #[arg(long, value_enum, value_name = "STATE")]
    dc_file_editor: Option<FileEditor>,
    /// Data Center `content.upload.max.size`: the largest file a file edit takes, in bytes (larger:
    /// 413). Overrides the configuration's `[datacenter.properties]`, whose default is 5242880.
    #[arg(long, value_name = "BYTES")]
    dc_upload_max_bytes: Option<u64>,
    /// Data Center `plugin.bitbucket-git.hosting.allow-filter`: `enabled` or `disabled` (a fetch
    /// asking for a filter gets no pack). Overrides the configuration's `[datacenter.properties]`,
    /// whose default is `enabled`.
    #[arg(long, value_enum, value_name = "STATE")]
    dc_allow_filter: Option<GitFilter>,
    /// Serve HTTPS on the same port, with HTTP/2 (and HTTP/1.1 for clients without h2), using a
    /// self-signed certificate for localhost and 127.0.0.1 made at start-up.
    #[cfg(feature = "tls")]
    #[arg(long)]
    tls: bool,
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("bitbucket-sandbox: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Listens on `port` of 127.0.0.1, saying what to do when the port is taken.
async fn listen(port: u16) -> Result<tokio::net::TcpListener, String> {
    tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(|error| match error.kind() {
            ErrorKind::AddrInUse => format!(
                "port {port} of 127.0.0.1 is already in use, perhaps by another sandbox. Stop that \
                 program, or pick another port: scripts/run.sh --port 8080 (or \
                 --port 0 for any free one)."
            ),
            _ => format!("cannot listen on port {port} of 127.0.0.1: {error}"),
        })
}

fn run(cli: Cli) -> Result<(), Box<dyn std::error::Error>> {
    #[cfg(feature = "tls")]
    let tls = if cli.tls {
        Some(
            bitbucket_sandbox::tls::self_signed()
                .map(|s| s.config)
                .map_err(|e| format!("TLS: {e}"))?,
        )
    } else {
        None
    };
    #[cfg(feature = "tls")]
    let scheme = if tls.is_some() { "https" } else { "http" };
    #[cfg(not(feature = "tls"))]
    let scheme = "http";
    let mut config = match &cli.config {
        Some(path) => Config::parse(&std::fs::read_to_string(path)?)
            .map_err(|e| format!("{}: {e}", path.display()))?,
        None => Config::demo(),
    };
    let readings = &mut config.cloud.readings;
    if let Some(reading) = cli.cloud_pagelen_above_max {
        readings.pagelen_above_max = reading;
    }
    if let Some(reading) = cli.cloud_diffstat_path {
        readings.diffstat_path = reading;
    }
    if let Some(reading) = cli.cloud_diffstat_repeated_path {
        readings.diffstat_repeated_path = reading;
    }
    if let Some(budget) = cli.cloud_time_budget_ms {
        config.cloud.time_limit.budget_ms = budget;
    }
    if let Some(limit) = cli.cloud_requests_per_hour {
        config.cloud.limits.requests_per_hour = limit;
    }
    let datacenter = &mut config.datacenter;
    if let Some(reading) = cli.dc_source_branch_on_existing {
        datacenter.readings.source_branch_on_existing = reading;
    }
    if let Some(state) = cli.dc_file_editor {
        datacenter.properties.file_editor = state;
    }
    if let Some(bytes) = cli.dc_upload_max_bytes {
        datacenter.properties.upload_max_bytes = bytes;
    }
    if let Some(state) = cli.dc_allow_filter {
        datacenter.properties.allow_filter = state;
    }
    let faults = FaultSettings {
        latency_ms: cli.latency_ms,
        jitter_ms: cli.jitter_ms,
        bandwidth_bytes_per_sec: cli.bandwidth,
        slow_body_ms: cli.slow_body_ms,
        rate_limit_per_hour: cli.rate_limit,
        error_rate: cli.error_rate,
        error_statuses: cli.error_statuses,
        fail_next: cli.fail_next,
        fail_next_path: cli.fail_next_path,
        drop_rate: cli.drop_rate,
        drop_next: cli.drop_next,
        max_body_bytes: cli.max_body_bytes,
        redirect_next: 0,
        fault_cors: cli.fault_cors,
        large_bodies: Vec::new(),
    };
    faults.validate()?;
    let state = AppState::new(Options {
        config,
        data_dir: cli.data_dir,
        serve_dir: cli.serve,
        faults,
        log_file: cli.log,
        quiet: false,
    })?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let served = state.clone();
    let result: Result<(), Box<dyn std::error::Error>> = runtime.block_on(async move {
        let listener = listen(cli.port).await?;
        let port = listener.local_addr()?.port();
        print_banner(&served, port, scheme);
        println!("Bitbucket sandbox listening on {scheme}://127.0.0.1:{port}");
        if served.serve_dir().is_some() {
            println!("\nOpen the app:\n{scheme}://127.0.0.1:{port}/\n");
        }
        std::io::stdout().flush()?;
        let mut terminate =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        let serving = async move {
            #[cfg(feature = "tls")]
            if let Some(tls) = tls {
                return server::serve_tls(listener, app(served), tls).await;
            }
            server::serve(listener, app(served)).await
        };
        tokio::select! {
            result = serving => result?,
            _ = tokio::signal::ctrl_c() => {}
            _ = terminate.recv() => {}
        }
        Ok(())
    });
    // Dropping the runtime ends every connection task and drops their handles on the state, so
    // the last handle, ours, removes the temporary data directory (Ctrl+C and SIGTERM alike).
    drop(runtime);
    drop(state);
    result
}

fn print_banner(state: &AppState, port: u16, scheme: &str) {
    let rows = token_rows(state);
    let width = |f: fn(&bitbucket_sandbox::control::TokenRow) -> &str, title: &str| {
        rows.iter()
            .map(|r| f(r).len())
            .chain([title.len()])
            .max()
            .unwrap_or(0)
    };
    let (wu, wr, wk) = (
        width(|r| &r.user, "user"),
        width(|r| &r.role, "role"),
        width(|r| &r.kind, "kind"),
    );
    println!("{:wu$}  {:wr$}  {:wk$}  token", "user", "role", "kind");
    for r in &rows {
        println!(
            "{:wu$}  {:wr$}  {:wk$}  {}",
            r.user, r.role, r.kind, r.token
        );
    }
    println!();
    let config = state.config();
    for ws in &config.cloud.workspaces {
        for repo in &ws.repositories {
            println!(
                "Cloud repository:       {scheme}://localhost:{port}/{ws}/{slug}  (clone: {scheme}://localhost:{port}/{ws}/{slug}.git)",
                ws = ws.slug,
                slug = repo.slug
            );
        }
    }
    for project in &config.datacenter.projects {
        for repo in &project.repositories {
            // On the app's own origin: a browser reaches Data Center only there or through a relay.
            println!(
                "Data Center repository: {scheme}://127.0.0.1:{port}/scm/{}/{}.git  (the app's own origin, as the relay's same-origin mode serves it)",
                project.key.to_ascii_lowercase(),
                repo.slug
            );
        }
    }
    println!("Data directory:  {}", state.store().root().display());
    println!("Cloud API:       {scheme}://localhost:{port}/2.0");
    println!("Data Center API: {scheme}://localhost:{port}/rest");
    println!("Control:         {scheme}://127.0.0.1:{port}/_sandbox/faults");
}
