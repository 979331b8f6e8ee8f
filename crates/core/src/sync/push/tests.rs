//! Tests of the push's checks, its cancellation and its commit messages.

use super::confirm::Confirmation;
use super::message::same_message;
use super::outcome::{PushCancelled, PushOutcome};
use super::planner::{PushPlan, PushPlanner};
use super::request::PushRequest;
use super::rest::PushSender;
use crate::artifacts::demo::demo_projects;
use crate::bitbucket::{Api, ApiError, ApiRequest, ApiResponse, Method, RequestBody};
use crate::roles::{Denial, Role};
use crate::sync::error::SyncError;
use crate::sync::job::{Job, JobStep};
use crate::sync::local::LocalFiles;
use crate::sync::params::ScmParameters;
use crate::ConnectionForm;

/// A Cloud repository's API, as a Quality Lead's connection makes it.
fn cloud_api() -> Api {
    let form = ConnectionForm {
        name: "Checkout".to_owned(),
        token: "ATATT-demo-lee-cloud".to_owned(),
        pat: false,
        repository_url: "https://bitbucket.org/acme/checkout-tests".to_owned(),
        username: "lee@example.com".to_owned(),
        api_base_url: String::new(),
    };
    Api::new(&form.to_connection(&[]).expect("a valid connection"))
}

/// A Cloud branch `main` that answers the requests of a push: its tip, commits (`POST /src`, each
/// on the tip), and 404 for anything else (no artifact folder yet).
struct Branch {
    /// Its commits, oldest first: hash, parent and message.
    commits: Vec<(String, Option<String>, String)>,
}

impl Branch {
    fn new() -> Self {
        Branch {
            commits: vec![("c0".to_owned(), None, "Start".to_owned())],
        }
    }

    fn tip(&self) -> &str {
        &self.commits.last().expect("a commit").0
    }

    /// Commits as someone else would.
    fn commit(&mut self, message: &str) {
        let parent = self.tip().to_owned();
        let hash = format!("c{}", self.commits.len());
        self.commits.push((hash, Some(parent), message.to_owned()));
    }

    fn is_commit(request: &ApiRequest) -> bool {
        request.method == Method::Post && request.url.ends_with("/src")
    }

    fn answer(&mut self, request: &ApiRequest) -> Result<ApiResponse, ApiError> {
        if Self::is_commit(request) {
            let Some(RequestBody::Multipart(parts)) = &request.body else {
                panic!("a multipart commit");
            };
            let field = |name: &str| {
                let part = parts
                    .iter()
                    .find(|p| p.name == name && p.filename.is_none());
                part.map(|p| String::from_utf8_lossy(&p.content).into_owned())
            };
            if field("parents").as_deref() != Some(self.tip()) {
                return Ok(ApiResponse::new(409, "{}"));
            }
            self.commit(&field("message").unwrap_or_default());
            return Ok(ApiResponse::new(201, ""));
        }
        if request.url.contains("/refs/branches/main") {
            let (hash, parent, message) = self.commits.last().expect("a commit");
            let parents: Vec<_> = parent
                .iter()
                .map(|p| serde_json::json!({ "hash": p }))
                .collect();
            let target =
                serde_json::json!({ "hash": hash, "message": message, "parents": parents });
            let body = serde_json::json!({ "name": "main", "target": target });
            return Ok(ApiResponse::new(200, body.to_string()));
        }
        Ok(ApiResponse::new(404, "{}"))
    }
}

/// Runs `job`, answering its requests with `answer`, to its end.
fn drive<J: Job>(
    job: &mut J,
    mut answer: impl FnMut(&ApiRequest) -> Result<ApiResponse, ApiError>,
) -> J::Output {
    loop {
        match job.next() {
            JobStep::Send(requests) => job.handle(requests.iter().map(&mut answer).collect()),
            JobStep::Wait(_) => {}
            JobStep::Unpack(_) => panic!("a push unpacks nothing"),
            JobStep::Done(output) => return output,
        }
    }
}

/// A Quality Lead's plan of a push of the demo project to `main` (a branch without our manifest), in
/// commits of at most `files_per_commit` files.
fn planned(branch: &mut Branch, files_per_commit: u32) -> PushPlan {
    let request = PushRequest {
        roles: vec![Role::QualityLead],
        main_branch: Some("main".to_owned()),
        branch: "main".to_owned(),
        new_branch_from: None,
        message: "Publish".to_owned(),
        version: None,
        approved_only: false,
        parameters: ScmParameters {
            scm_files_per_commit: files_per_commit,
            ..ScmParameters::default()
        },
        base: None,
        seed: 7,
    };
    let local = LocalFiles::of(&demo_projects().remove(0));
    let mut planner = PushPlanner::new(cloud_api(), request, local).expect("allowed");
    drive(&mut planner, |request| branch.answer(request)).expect("a plan")
}

fn pressed(roles: &[Role]) -> Confirmation {
    Confirmation {
        roles: roles.to_vec(),
        overwrite: false,
    }
}

#[test]
fn the_check_gives_the_permit_for_the_plans_branch() {
    let plan = planned(&mut Branch::new(), 2_500);
    let permit = pressed(&[Role::QualityLead])
        .check(&plan)
        .expect("a lead may push");
    assert_eq!(permit.branch(), "main");
}

#[test]
fn the_check_gives_no_permit_to_a_quality_engineer_pushing_to_the_main_branch() {
    let mut plan = planned(&mut Branch::new(), 2_500);
    // As if the plan had read the main branch from the repository, in any case.
    plan.main_branch_read = true;
    for main in ["main", "Main", "refs/heads/MAIN"] {
        plan.request.main_branch = Some(main.to_owned());
        let refused = pressed(&[Role::QualityEngineer]).check(&plan);
        assert!(
            matches!(
                &refused,
                Err(SyncError::Denied(Denial::EngineersCannotPushToMain { .. }))
            ),
            "{main}: {refused:?}"
        );
    }
    let sender = PushSender::new(cloud_api(), plan, &pressed(&[Role::QualityEngineer]));
    assert!(matches!(sender, Err(SyncError::Denied(_))));
}

#[test]
fn the_check_gives_no_permit_when_the_roles_changed_between_preview_and_push() {
    // Planned by a Quality Lead, whose rights do not depend on the main branch (it was not read),
    // then pressed by the same user demoted to Quality Engineer.
    let plan = planned(&mut Branch::new(), 2_500);
    assert!(!plan.main_branch_read);
    let refused = pressed(&[Role::QualityEngineer]).check(&plan);
    assert!(
        matches!(refused, Err(SyncError::RolesChanged)),
        "{refused:?}"
    );
}

/// Sends `plan`, applying the writes Bitbucket gets to `branch`; before the answer to write number
/// `cancel_at` (counted from 1) comes back, the user cancels, after `meanwhile` ran on the branch.
fn cancelled(
    branch: &mut Branch,
    plan: PushPlan,
    cancel_at: usize,
    meanwhile: impl FnOnce(&mut Branch),
) -> Result<PushOutcome, SyncError> {
    let mut sender =
        PushSender::new(cloud_api(), plan, &pressed(&[Role::QualityLead])).expect("allowed");
    let mut writes = 0;
    let mut meanwhile = Some(meanwhile);
    loop {
        match sender.next() {
            JobStep::Send(requests) => {
                let request = &requests[0];
                writes += usize::from(Branch::is_commit(request));
                let answer = branch.answer(request);
                if writes == cancel_at {
                    // The request reached Bitbucket; its answer never reaches the job.
                    meanwhile.take().into_iter().for_each(|run| run(branch));
                    sender.finish_cancelled();
                    return drive(&mut sender, |request| branch.answer(request));
                }
                sender.handle(vec![answer]);
            }
            JobStep::Done(output) => return output,
            JobStep::Wait(_) | JobStep::Unpack(_) => panic!("no waits, no archives"),
        }
    }
}

#[test]
fn a_push_cancelled_after_its_last_commit_landed_is_published() {
    let mut branch = Branch::new();
    let plan = planned(&mut branch, 3);
    let total = plan.changes.split(3, u64::MAX, &|_| false).len();
    assert!(total > 2, "a chain: {total} commits");
    let outcome = cancelled(&mut branch, plan, total, |_| {}).expect("published");
    assert_eq!(outcome.commits.len(), total);
    assert_eq!(outcome.base.commit, branch.tip());
    assert_eq!(
        outcome.commits.last().map(String::as_str),
        Some(branch.tip())
    );
}

#[test]
fn a_push_cancelled_within_its_chain_says_which_part_landed() {
    let mut branch = Branch::new();
    let plan = planned(&mut branch, 3);
    let total = plan.changes.split(3, u64::MAX, &|_| false).len();
    let refused = cancelled(&mut branch, plan, 2, |_| {});
    assert_eq!(
        refused,
        Err(SyncError::Cancelled(PushCancelled::Part {
            branch: "main".to_owned(),
            landed: 2,
            total,
        }))
    );
    let message = refused.unwrap_err().to_string();
    assert!(
        message.starts_with("The push was cancelled after 2 of "),
        "{message}"
    );
}

#[test]
fn a_push_cancelled_before_anything_landed_published_nothing() {
    let mut branch = Branch::new();
    let plan = planned(&mut branch, 3);
    let mut sender =
        PushSender::new(cloud_api(), plan, &pressed(&[Role::QualityLead])).expect("allowed");
    // Cancelled before the first write was sent: the tip is read, and it is where the push began.
    sender.finish_cancelled();
    let mut asked = Vec::new();
    let ended = drive(&mut sender, |request| {
        asked.push(request.method);
        branch.answer(request)
    });
    assert_eq!(asked, [Method::Get]);
    assert_eq!(
        ended,
        Err(SyncError::Cancelled(PushCancelled::Nothing {
            branch: "main".to_owned()
        }))
    );
    assert_eq!(branch.tip(), "c0");
}

#[test]
fn a_push_cancelled_while_someone_else_pushed_says_the_branch_moved() {
    // The second commit landed, then a teammate's on it: only the first is known to be this push's.
    let mut branch = Branch::new();
    let plan = planned(&mut branch, 3);
    let ended = cancelled(&mut branch, plan, 2, |branch| {
        branch.commit("A teammate's push")
    });
    assert_eq!(
        ended,
        Err(SyncError::Cancelled(PushCancelled::BranchMoved {
            branch: "main".to_owned(),
            landed: 1,
        }))
    );
}

#[test]
fn messages_compare_whatever_their_line_endings() {
    assert!(same_message(
        "Fix\r\n\r\nArtifacts-Manifest: 0123",
        "Fix\n\nArtifacts-Manifest: 0123\n"
    ));
    assert!(!same_message(
        "Fix\n\nArtifacts-Manifest: 0123",
        "Fix\n\nArtifacts-Manifest: 4567"
    ));
}
