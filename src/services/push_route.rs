//! Which way a push goes: a Data Center push goes over git (`/scm`, through the relay) when the page
//! can reach git's smart HTTP there, and through the REST API's chain of file edits otherwise (a
//! relay that passes only `/rest`, a network or CORS failure, an answer that is not git's); a Cloud
//! push always goes through the REST API. [`Sending`] is the job that sends a plan the chosen way.

use std::rc::Rc;

use versioning_core::bitbucket::{Api, ApiError, ApiResponse};
use versioning_core::sync::{
    Confirmation, GitIdentity, GitPush, Job, JobStep, Progress, PushOutcome, PushPlan, PushRoute,
    SyncError,
};
use versioning_core::{Flavour, ValidConnection};

use crate::services::strategy::Sender;
use crate::services::transport::{execute_within, Cancellation};

/// The way a Data Center push goes, with the advertisement that told it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// Over git, or through the REST API and why.
    pub way: PushRoute,
    /// `/scm`'s advertisement, when it told the way is git: the push starts from it.
    pub advertisement: Option<Rc<ApiResponse>>,
}

/// The route of a push on `connection`, read from `/scm`'s advertisement (Data Center); `None` on
/// Cloud, whose pushes have one way.
pub async fn push_route(
    connection: &ValidConnection,
    timeout_ms: u32,
    cancellation: &Cancellation,
) -> Option<Route> {
    let flavour = connection.location.flavour;
    if flavour == Flavour::Cloud {
        return None;
    }
    Some(match PushRoute::probe(&Api::new(connection)) {
        Err(way) => Route {
            way,
            advertisement: None,
        },
        Ok(request) => {
            let answer = execute_within(&request, flavour, timeout_ms, cancellation).await;
            let way = PushRoute::of(&answer);
            let advertisement = answer.ok().filter(|_| way == PushRoute::Git).map(Rc::new);
            Route { way, advertisement }
        }
    })
}

/// The job that sends a plan: over git or through the REST API.
#[derive(Debug)]
pub enum Sending {
    /// Through the REST API.
    Rest(Box<Sender>),
    /// Over git.
    Git(Box<GitPush>),
}

impl Sending {
    /// The sender of `plan` on `connection` the `route` says, as `confirmation` says at Push (the
    /// roles are checked again either way); a push over git is made by the connection's username at
    /// the browser's time. A per-file strategy's plan (the benchmarks' build) goes through the REST
    /// API, as the tools it stands for do.
    pub fn new(
        connection: &ValidConnection,
        plan: Rc<PushPlan>,
        confirmation: &Confirmation,
        route: Option<Route>,
    ) -> Result<Sending, SyncError> {
        let api = Api::new(connection);
        match route {
            Some(Route {
                way: PushRoute::Git,
                advertisement,
            }) if plan.request.parameters.strategy.is_planned() => {
                let now = js_sys::Date::new_0();
                // `getTimezoneOffset` counts minutes west of UTC.
                let east = -(now.get_timezone_offset() as i16);
                let identity = GitIdentity::of(&connection.username, now.get_time(), east);
                let job = GitPush::new(api, plan, confirmation, &identity)?;
                let job = match advertisement {
                    Some(answer) => job.with_advertisement(answer.as_ref().clone()),
                    None => job,
                };
                Ok(Sending::Git(Box::new(job)))
            }
            Some(_) | None => {
                Sender::new(api, plan, confirmation).map(|job| Sending::Rest(Box::new(job)))
            }
        }
    }

    /// Ends a cancelled push once its driver stopped (see each sender's `finish_cancelled`).
    pub fn finish_cancelled(&mut self) {
        match self {
            Sending::Rest(job) => job.finish_cancelled(),
            Sending::Git(job) => job.finish_cancelled(),
        }
    }

    fn job(&mut self) -> &mut dyn Job<Output = Result<PushOutcome, SyncError>> {
        match self {
            Sending::Rest(job) => job.as_mut(),
            Sending::Git(job) => job.as_mut(),
        }
    }

    fn job_ref(&self) -> &dyn Job<Output = Result<PushOutcome, SyncError>> {
        match self {
            Sending::Rest(job) => job.as_ref(),
            Sending::Git(job) => job.as_ref(),
        }
    }
}

impl Job for Sending {
    type Output = Result<PushOutcome, SyncError>;

    fn next(&mut self) -> JobStep<Self::Output> {
        self.job().next()
    }

    fn handle(&mut self, answers: Vec<Result<ApiResponse, ApiError>>) {
        self.job().handle(answers)
    }

    fn progress(&self) -> Progress {
        self.job_ref().progress()
    }

    fn concurrency(&self) -> usize {
        self.job_ref().concurrency()
    }

    fn requests_ahead(&self) -> Option<usize> {
        self.job_ref().requests_ahead()
    }

    fn while_waiting(&mut self) {
        self.job().while_waiting()
    }
}
