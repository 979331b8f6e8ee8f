//! `live-check`: a contract check of a real Bitbucket Cloud workspace or Data Center server. It sends the
//! product's own requests (built by `versioning-core`) to a scratch repository, checks each assumption
//! the product and the sandbox make, and says which reading of each open point the service follows.
//! It writes only to branches and tags it creates (`live-check/<random>…`) and removes them at the end.
//!
//! Run it through `scripts/live-check.sh` (see the README, "Checking against real Bitbucket").

mod cloud;
mod cloud_cors;
mod common;
mod datacenter;
mod report;
mod run;
mod transport;

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use versioning_core::bitbucket::Api;
use versioning_core::sync::Remote;
use versioning_core::{ConnectionForm, Flavour};

use crate::report::{Check, Report, Status};
use crate::run::Run;
use crate::transport::Transport;

/// Checks what Bitbucket Cloud or Data Center does with every kind of request the product sends.
///
/// The token is read from an environment variable (--token-env, default BITBUCKET_TOKEN) or from
/// standard input (--token-stdin), never from the command line. The checker writes only to branches
/// and tags it creates in the scratch repository (live-check/<random>…), and deletes them at the end.
#[derive(Parser, Debug)]
#[command(name = "live-check", version, about, long_about)]
struct Cli {
    /// Bitbucket Cloud: the workspace of the scratch repository.
    #[arg(long, value_name = "WORKSPACE", conflicts_with_all = ["datacenter", "project"], required_unless_present = "datacenter")]
    cloud: Option<String>,
    /// Bitbucket Data Center: its base URL, as its users open it (e.g. https://bitbucket.example.com).
    #[arg(long, value_name = "URL", requires = "project")]
    datacenter: Option<String>,
    /// Data Center: the project key of the scratch repository.
    #[arg(long, value_name = "KEY")]
    project: Option<String>,
    /// The scratch repository's slug (the checker writes there, on branches and tags of its own).
    #[arg(long, value_name = "SLUG")]
    repo: String,
    /// The username sent with the token (HTTP Basic): Cloud API token: your Atlassian account email;
    /// Data Center: your username. Without it, use --bearer.
    #[arg(long, value_name = "NAME", required_unless_present = "bearer")]
    username: Option<String>,
    /// Send the token as `Authorization: Bearer` (Cloud access tokens; Data Center HTTP access tokens).
    #[arg(long)]
    bearer: bool,
    /// The environment variable that holds the token.
    #[arg(long, value_name = "VAR", default_value = "BITBUCKET_TOKEN")]
    token_env: String,
    /// Read the token from the first line of standard input instead.
    #[arg(long)]
    token_stdin: bool,
    /// Another API base URL (a proxy in front of the API, or the sandbox: http://localhost:7990/2.0 for
    /// Cloud). Data Center's is derived from --datacenter (its /rest).
    #[arg(long, value_name = "URL")]
    api_base_url: Option<String>,
    /// Extra trusted certificate authorities (PEM), e.g. a company's own for Data Center.
    #[arg(long, value_name = "FILE")]
    ca_file: Option<PathBuf>,
    /// Data Center: do not probe the upload limit (two files of about 5 MiB on the scratch branch).
    #[arg(long)]
    skip_upload_probe: bool,
    /// Seconds each request may take.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    timeout: u64,
    /// Seconds to wait after a 429 without Retry-After before sending the request once more.
    #[arg(long, value_name = "SECONDS", default_value_t = 1, hide = true)]
    retry_wait: u64,
    /// Also write one line per check, `id STATUS reading`, to this file.
    #[arg(long, value_name = "FILE")]
    summary: Option<PathBuf>,
    /// Print every request (method, URL, status) on standard error.
    #[arg(long, short)]
    verbose: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("live-check: {message}");
            ExitCode::from(2)
        }
    }
}

fn read_token(cli: &Cli) -> Result<String, String> {
    let token = if cli.token_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| format!("reading the token from standard input: {e}"))?;
        line
    } else {
        std::env::var(&cli.token_env).map_err(|_| {
            format!(
                "no token: put it in the environment variable {} (or pass --token-stdin and type it), \
                 never on the command line",
                cli.token_env
            )
        })?
    };
    let token = token.trim().to_owned();
    if token.is_empty() {
        return Err("the token is empty".to_owned());
    }
    Ok(token)
}

fn run(cli: Cli) -> Result<ExitCode, String> {
    let token = read_token(&cli)?;
    let (repository_url, flavour) = match (&cli.cloud, &cli.datacenter, &cli.project) {
        (Some(workspace), None, None) => (
            format!("https://bitbucket.org/{workspace}/{}", cli.repo),
            Flavour::Cloud,
        ),
        (None, Some(base), Some(project)) => (
            format!(
                "{}/projects/{project}/repos/{}/browse",
                base.trim_end_matches('/'),
                cli.repo
            ),
            Flavour::DataCenter,
        ),
        _ => return Err("give --cloud WORKSPACE, or --datacenter URL --project KEY".to_owned()),
    };
    let form = ConnectionForm {
        name: "live check".to_owned(),
        token: token.clone(),
        pat: cli.bearer,
        repository_url,
        username: cli.username.clone().unwrap_or_default(),
        api_base_url: cli.api_base_url.clone().unwrap_or_default(),
    };
    // The product's own form validation: the same URL parsing, API base URL and credentials.
    let connection = form.to_connection(&[]).map_err(|report| {
        let errors: Vec<String> = report
            .errors
            .iter()
            .map(|(field, error)| format!("{}: {error}", field.label()))
            .collect();
        format!("the connection is not valid: {}", errors.join("; "))
    })?;
    if connection.location.flavour != flavour {
        return Err(format!(
            "the repository URL was read as {:?}, not {flavour:?}",
            connection.location.flavour
        ));
    }
    let ca = match &cli.ca_file {
        Some(path) => {
            Some(std::fs::read(path).map_err(|e| format!("--ca-file {}: {e}", path.display()))?)
        }
        None => None,
    };
    let mut http = Transport::new(Duration::from_secs(cli.timeout.max(1)), ca.as_deref())?;
    http.verbose = cli.verbose;
    http.retry_wait_seconds = cli.retry_wait;
    if flavour == Flavour::Cloud {
        // The app runs on a page of another origin: its browser sends that Origin with every request.
        http.origin = Some("https://portal.example.com".to_owned());
    }
    let secrets = versioning_core::secrets::forms(&connection.username, &token);
    let api = Api::new(&connection);
    let suffix = format!("{:010x}", transport::random_u64() & 0xff_ffff_ffff);
    let mut run = Run::new(
        Remote::new(api.clone()),
        http,
        Report::new(secrets),
        &suffix,
    );
    run.skip_upload_probe = cli.skip_upload_probe;
    let product = match flavour {
        Flavour::Cloud => "Bitbucket Cloud",
        Flavour::DataCenter => "Bitbucket Data Center",
    };
    println!(
        "live-check: {product}, repository {}/{}, API {}",
        api.owner(),
        api.slug(),
        api.base_url()
    );
    println!(
        "It writes only to branch `{}` (files under `{}/` and `live-check-probe/`), branch `{}` and tag \
         `{}`, and deletes them at the end.\n",
        run.branch,
        run::FOLDER,
        run.new_branch,
        run.tag
    );
    let prefix = match flavour {
        Flavour::Cloud => "cloud",
        Flavour::DataCenter => "dc",
    };
    let checks = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match flavour {
        Flavour::Cloud => cloud::checks(&mut run, &connection),
        Flavour::DataCenter => datacenter::checks(&mut run, &connection),
    }));
    if let Err(panic) = checks {
        let message = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        run.add(
            Check::new(
                &format!("{prefix}.checker"),
                "The checker runs to its end.",
                "no internal error",
            )
            .fail(format!(
                "the checker stopped on an internal error: {message}"
            )),
        );
    }
    // The checks an early stop (a failed connection test or first write) left out are listed as skipped.
    let all: &[&str] = match flavour {
        Flavour::Cloud => cloud::CHECKS,
        Flavour::DataCenter => datacenter::CHECKS,
    };
    for id in all {
        if !run.report.checks.iter().any(|c| c.id == *id) {
            let reason = run
                .stopped()
                .unwrap_or_else(|| "not run: a check it depends on failed (see above)".to_owned());
            run.report.add_quietly(Check::new(id, "", "").skip(reason));
        }
    }
    common::cleanup(&mut run, prefix);
    if flavour == Flavour::Cloud {
        cloud_cors::cors_every_answer(&mut run);
        cloud_cors::rate_limit(&mut run);
    }
    if let Some(reason) = run.stopped() {
        println!("The run stopped early: {reason}.\n");
    }
    summary(&run, flavour);
    if let Some(path) = &cli.summary {
        std::fs::write(path, run.report.summary_lines())
            .map_err(|e| format!("--summary {}: {e}", path.display()))?;
    }
    let _ = std::io::stdout().flush();
    let incomplete = run.stopped().is_some();
    Ok(match run.report.count(Status::Fail) > 0 || incomplete {
        true => ExitCode::FAILURE,
        false => ExitCode::SUCCESS,
    })
}

/// The counts, and the sandbox flags whose readings this service follows.
fn summary(run: &Run, flavour: Flavour) {
    let report = &run.report;
    println!(
        "Summary: {} PASS, {} DIFFERS, {} FAIL, {} SKIP",
        report.count(Status::Pass),
        report.count(Status::Differs),
        report.count(Status::Fail),
        report.count(Status::Skip)
    );
    let flags: &[(&str, &str)] = match flavour {
        Flavour::Cloud => &[
            ("cloud.pagelen-above-max", "--cloud-pagelen-above-max"),
            ("cloud.diffstat-path-folder", "--cloud-diffstat-path"),
            (
                "cloud.diffstat-repeated-path",
                "--cloud-diffstat-repeated-path",
            ),
        ],
        Flavour::DataCenter => &[
            (
                "dc.source-branch-existing",
                "--dc-source-branch-on-existing",
            ),
            ("dc.upload-limit", "--dc-upload-max-bytes"),
        ],
    };
    let known = |flag: &str, reading: &str| match flag {
        "--cloud-pagelen-above-max" => ["refuse", "cap"].contains(&reading),
        "--cloud-diffstat-path" => ["file", "file-or-folder"].contains(&reading),
        "--cloud-diffstat-repeated-path" => ["last", "all"].contains(&reading),
        "--dc-source-branch-on-existing" => ["commit", "refuse"].contains(&reading),
        "--dc-upload-max-bytes" => reading.chars().all(|c| c.is_ascii_digit()),
        _ => false,
    };
    let mut model = Vec::new();
    let mut unmodelled = Vec::new();
    for (id, flag) in flags {
        match report.reading_of(id) {
            Some(reading) if known(flag, reading) => model.push(format!("{flag} {reading}")),
            Some(reading) => unmodelled.push(format!("{id}: {reading}")),
            None => {}
        }
    }
    if report.reading_of("dc.edit-new-branch") == Some("file-editor-off") {
        model.push("--dc-file-editor disabled".to_owned());
    }
    if !model.is_empty() {
        println!(
            "The sandbox models this service's readings with: {}",
            model.join(" ")
        );
    }
    if !unmodelled.is_empty() {
        println!(
            "Readings no sandbox flag models yet: {}",
            unmodelled.join("; ")
        );
    }
}
