//! A push: planning it against the branch, sending it, and recording what landed in the project's record.

use std::collections::BTreeMap;
use std::rc::Rc;

use versioning_core::artifacts::ArtifactId;
use versioning_core::bitbucket::Api;
use versioning_core::sync::{
    Confirmation, Job, Progress, PushOutcome, PushPlan, PushPlanner, PushRequest,
};
use versioning_core::ValidConnection;

use crate::services::connection_store::now_iso;
use crate::services::jobs::run_job;
use crate::services::project_record::{HistoryEntry, StoredProject};
use crate::services::project_store::{SharedStore, StoreError};
use crate::services::projects::load_existing;
use crate::services::push_route::{push_route, Route, Sending};
use crate::services::sync::connection::repository_of;
use crate::services::sync::error::SyncJobError;
use crate::services::transport::Cancellation;

/// A planned push, with the local names of the artifacts it lists as changed on the branch or in conflict.
pub type PlannedPush = (PushPlan, BTreeMap<ArtifactId, String>);

/// Plans `request` for `stored` on `connection`; `None` when cancelled. Data Center's route is read first
/// (`on_route` hears it); over git, the branch is read from git.
pub async fn plan_push(
    connection: &ValidConnection,
    stored: Rc<StoredProject>,
    request: PushRequest,
    cancellation: &Cancellation,
    on_route: &dyn Fn(Option<Route>),
    on_progress: &dyn Fn(Progress),
) -> Result<Option<PlannedPush>, SyncJobError> {
    let timeout = stored.scm.scm_request_timeout_seconds * 1000;
    let local = {
        let stored = stored.clone();
        move || stored.local_files()
    };
    let planner = PushPlanner::deferring_local(Api::new(connection), request, local)?;
    let route = push_route(connection, timeout, cancellation).await;
    let mut planner = match route.as_ref().and_then(|r| r.advertisement.as_ref()) {
        Some(advertisement) => planner.over_git(advertisement),
        None => planner,
    };
    on_route(route);
    let flavour = connection.location.flavour;
    let progress = |job: &PushPlanner| on_progress(job.progress());
    let Some(plan) = run_job(&mut planner, flavour, timeout, cancellation, &progress).await else {
        return Ok(None);
    };
    let plan = plan?;
    let listed = || {
        let changes = plan.changes.branch_changes.iter();
        changes.chain(&plan.changes.conflicts)
    };
    let names = stored.project.names_of(listed().map(|c| &c.artifact));
    let names = listed()
        .filter_map(|c| {
            let name = names.get(&c.artifact)?;
            Some((c.artifact.clone(), (*name).to_owned()))
        })
        .collect();
    Ok(Some((plan, names)))
}

/// Sends `plan` on `connection` the way `route` says. On Cancel, the branch is read (with a job from
/// `restart`) to learn what the request in flight did, so that a push whose last commit landed is
/// reported as published.
pub async fn send_push(
    connection: &ValidConnection,
    plan: Rc<PushPlan>,
    confirmation: &Confirmation,
    route: Option<Route>,
    cancellation: &Cancellation,
    restart: &dyn Fn() -> Cancellation,
    on_progress: &dyn Fn(Progress),
) -> Result<PushOutcome, SyncJobError> {
    let timeout = plan.request.parameters.scm_request_timeout_seconds * 1000;
    let mut sender = Sending::new(connection, plan, confirmation, route)?;
    let progress = |job: &Sending| on_progress(job.progress());
    let flavour = connection.location.flavour;
    let mut ended = run_job(&mut sender, flavour, timeout, cancellation, &progress).await;
    if ended.is_none() {
        sender.finish_cancelled();
        ended = run_job(&mut sender, flavour, timeout, &restart(), &progress).await;
    }
    Ok(ended.ok_or(SyncJobError::PushCancelledUnread)??)
}

/// Saves a finished push into the project's record (base, baseline, history); answers the record as
/// now stored. The push is recorded over the page's copy of the project (`loaded`) while the store
/// still holds that revision, else over the store's record (another tab saved the project meanwhile).
pub async fn record_push(
    store: &SharedStore,
    project_id: &str,
    loaded: Option<Rc<StoredProject>>,
    connection: &ValidConnection,
    user: &str,
    outcome: &PushOutcome,
) -> Result<Rc<StoredProject>, StoreError> {
    let repository = repository_of(connection);
    let mut stored = match loaded {
        Some(copy) if store.revision(project_id).await? == Some(copy.revision) => {
            StoredProject::clone(&copy)
        }
        _ => load_existing(&**store, project_id).await?,
    };
    let entry = HistoryEntry {
        action: "push".into(),
        user: user.to_owned(),
        at: now_iso(),
        repository: repository.clone(),
        branch: outcome.branch.clone(),
        commits: outcome.commits.clone(),
        version: outcome.tag.clone(),
        written: outcome.written,
        removed: outcome.deleted + outcome.kept_in_git,
        pull_request: None,
    };
    stored.record_push(&repository, outcome, entry);
    store.save(&stored).await?;
    // The store now holds the next revision.
    stored.revision += 1;
    Ok(Rc::new(stored))
}
