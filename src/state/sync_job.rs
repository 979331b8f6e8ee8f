//! The jobs of the push and pull dialogs: the project's connection, the one job a dialog runs at a time
//! (starting one cancels the previous one, leaving the dialog cancels it), and what each job tells the
//! dialog's reducer, the page and the host page.

use std::rc::Rc;

use versioning_core::sync::Confirmation;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::services::clock::now_ms;
use crate::services::portal_events::{Events, PortalEvent};
use crate::services::project_record::StoredProject;
use crate::services::project_store::SharedStore;
use crate::services::sync::connection::{current_project, repository_of};
use crate::services::sync::error::SyncJobError;
use crate::services::sync::pull::{apply_pull, plan_pull, Choices};
use crate::services::sync::push::{plan_push, record_push, send_push};
use crate::services::unload_guard::UnloadGuard;
use crate::state::events::use_events;
use crate::state::job::{use_job_control, JobControl};
use crate::state::projects::use_projects;
use crate::state::pull::{PullAction, PullForm, PullStage, PullState};
use crate::state::push::{PushAction, PushForm, PushStage, PushState};
use crate::state::session::{use_session, SessionContext};
use crate::state::sync_connection::{use_sync_connection, SyncConnection};

/// What a sync dialog of one project works with: its connection, and the jobs it starts.
#[derive(Clone)]
pub struct SyncJob {
    /// The project's connection.
    pub sync: SyncConnection,
    project_id: String,
    loaded: Option<Rc<StoredProject>>,
    on_changed: Callback<Option<Rc<StoredProject>>>,
    store: SharedStore,
    session: SessionContext,
    events: Events,
    job: JobControl,
}

impl SyncJob {
    /// Previews the push `form` asks for: reads the branch and plans the change.
    pub fn preview_push(&self, form: &PushForm, state: &UseReducerHandle<PushState>) {
        if state.is_busy() {
            return;
        }
        let connection = match &self.sync.connection {
            Ok(connection) => connection.clone(),
            Err(problem) => return state.dispatch(PushAction::Failed(problem.clone().into())),
        };
        let (this, form, dispatcher) = (self.clone(), form.clone(), state.dispatcher());
        let (role, main_branch) = (self.session.role, self.sync.main_branch());
        let cancellation = self.job.start();
        dispatcher.dispatch(PushAction::Planning(now_ms()));
        spawn_local(async move {
            let loaded = this.loaded.clone();
            let stored = match current_project(loaded, &*this.store, &this.project_id).await {
                Ok(stored) => stored,
                Err(error) => return dispatcher.dispatch(PushAction::Failed(error.into())),
            };
            let repository = repository_of(&connection);
            let request = form.request(role, main_branch, &stored, &repository);
            let on_route = |route| dispatcher.dispatch(PushAction::Routed(route));
            let on_progress =
                |progress| dispatcher.dispatch(PushAction::Progress(progress, now_ms()));
            let planned = plan_push(
                &connection,
                stored,
                request,
                &cancellation,
                &on_route,
                &on_progress,
            );
            dispatcher.dispatch(match planned.await {
                Ok(None) => PushAction::Cancelled,
                Ok(Some((plan, names))) => PushAction::Planned(Rc::new(plan), Rc::new(names)),
                Err(error) => PushAction::Failed(error),
            })
        });
    }

    /// Sends the previewed push and records it; the page hears of the changed project, the host page of
    /// the push.
    pub fn push(&self, state: &UseReducerHandle<PushState>) {
        let (PushStage::Preview(plan), Ok(connection)) = (&state.stage, &self.sync.connection)
        else {
            return;
        };
        // The roles now, not those of the preview: a portal may have changed them since.
        let confirmation = Confirmation {
            roles: vec![self.session.role],
            overwrite: state.overwrite,
        };
        let (plan, route, connection) = (plan.clone(), state.route.clone(), connection.clone());
        let (this, dispatcher, cancellation) = (self.clone(), state.dispatcher(), self.job.start());
        dispatcher.dispatch(PushAction::Sending(now_ms()));
        spawn_local(async move {
            // Leaving the page now would stop the push half way: the browser asks first.
            let _writing = UnloadGuard::hold();
            let on_progress =
                |progress| dispatcher.dispatch(PushAction::Progress(progress, now_ms()));
            let restart = || this.job.start();
            let sent = send_push(
                &connection,
                plan,
                &confirmation,
                route,
                &cancellation,
                &restart,
                &on_progress,
            );
            let outcome = match sent.await {
                Ok(outcome) => outcome,
                Err(error) => return dispatcher.dispatch(PushAction::Failed(error)),
            };
            let user = this.session.user_name.clone();
            let loaded = this.loaded.clone();
            let recorded = record_push(
                &this.store,
                &this.project_id,
                loaded,
                &connection,
                &user,
                &outcome,
            );
            match recorded.await {
                Ok(stored) => {
                    let outcome = Rc::new(outcome);
                    dispatcher.dispatch(PushAction::Pushed(outcome.clone()));
                    this.on_changed.emit(Some(stored));
                    this.events.emit(PortalEvent::PushDone {
                        project: this.project_id.clone(),
                        branch: outcome.branch.clone(),
                        commits: outcome.commits.clone(),
                    });
                }
                Err(error) => {
                    dispatcher.dispatch(PushAction::Failed(SyncJobError::PushNotRecorded(error)))
                }
            }
        });
    }

    /// Previews the pull `form` asks for: reads the repository and compares it with the project.
    pub fn preview_pull(&self, form: &PullForm, state: &UseReducerHandle<PullState>) {
        if state.is_busy() {
            return;
        }
        let connection = match &self.sync.connection {
            Ok(connection) => connection.clone(),
            Err(problem) => return state.dispatch(PullAction::Failed(problem.clone().into())),
        };
        let source = form.source();
        if let Err(error) = source.check() {
            return state.dispatch(PullAction::Failed(error.into()));
        }
        let (this, restore, dispatcher) = (self.clone(), form.restore, state.dispatcher());
        let cancellation = self.job.start();
        dispatcher.dispatch(PullAction::Planning);
        spawn_local(async move {
            let loaded = this.loaded.clone();
            let stored = match current_project(loaded, &*this.store, &this.project_id).await {
                Ok(stored) => stored,
                Err(error) => return dispatcher.dispatch(PullAction::Failed(error.into())),
            };
            let on_progress = |progress| dispatcher.dispatch(PullAction::Progress(progress));
            let planned = plan_pull(
                &connection,
                &stored,
                source,
                restore,
                &cancellation,
                &on_progress,
            );
            dispatcher.dispatch(match planned.await {
                Ok(None) => PullAction::Edit,
                Ok(Some((preview, compared))) => {
                    PullAction::Previewed(Rc::new(preview), stored, compared)
                }
                Err(error) => PullAction::Failed(error.into()),
            })
        });
    }

    /// Applies the previewed pull (a restore when `restore`) in one save; the page hears of the changed
    /// project, the host page of the pull.
    pub fn apply_pull(&self, state: &UseReducerHandle<PullState>, restore: bool) {
        let (PullStage::Preview(preview), Ok(connection)) = (&state.stage, &self.sync.connection)
        else {
            return;
        };
        let (preview, snapshot, connection) =
            (preview.clone(), (**state).clone(), connection.clone());
        let (this, dispatcher) = (self.clone(), state.dispatcher());
        spawn_local(async move {
            // Leaving the page while the project is saved would lose the pull: the browser asks first.
            let _writing = UnloadGuard::hold();
            let choices = Choices {
                resolutions: &snapshot.resolutions,
                include_invalid: snapshot.include_invalid,
                restore,
            };
            let applied = apply_pull(
                &this.store,
                &this.project_id,
                &connection,
                &this.session.user_name,
                &preview,
                snapshot.loaded.as_deref(),
                choices,
            );
            match applied.await {
                Ok((counts, message, stored)) => {
                    dispatcher.dispatch(PullAction::Applied(counts, message.clone()));
                    this.on_changed.emit(stored);
                    this.events.emit(PortalEvent::PullApplied {
                        project: this.project_id.clone(),
                        summary: message,
                    });
                }
                Err(error) => {
                    dispatcher.dispatch(PullAction::Failed(SyncJobError::PullNotApplied(error)))
                }
            }
        });
    }

    /// Cancels the running job, if any.
    pub fn cancel(&self) {
        self.job.cancel();
    }
}

/// The sync jobs of project `project_id`: `loaded` is the page's copy of it when that is what the store
/// keeps (`None`: it is read from the store), and `on_changed` hears the record as a job stored it
/// (`None`: read it again).
#[hook]
pub fn use_sync_job(
    project_id: &str,
    loaded: Option<Rc<StoredProject>>,
    on_changed: Callback<Option<Rc<StoredProject>>>,
) -> SyncJob {
    SyncJob {
        sync: use_sync_connection(project_id),
        project_id: project_id.to_owned(),
        loaded,
        on_changed,
        store: use_projects().store,
        session: use_session(),
        events: use_events(),
        job: use_job_control(),
    }
}
