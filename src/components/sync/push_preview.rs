//! What the push dialog shows of a push: the preview of the change (and of what the branch changed), the
//! progress of a running job and the outcome.

use std::collections::BTreeMap;
use std::rc::Rc;

use versioning_core::artifacts::{ArtifactId, ArtifactKind};
use versioning_core::counts::counted;
use versioning_core::sync::{
    commit_web_url, Action, BranchChange, ConflictKind, Progress, PushOutcome, PushPlan,
    SideChange, Status,
};
use versioning_core::ValidConnection;
use yew::prelude::*;

use crate::components::code_text::code_text;
use crate::components::file_diff::FileDiff;
use crate::services::connection_store::ConnectionRecord;
use crate::state::push::{PushStage, PushState};

fn kind_label(kind: ArtifactKind) -> &'static str {
    kind.label()
}

fn action_label(action: &Action) -> String {
    match action {
        Action::Add => "added".into(),
        Action::Modify => "modified".into(),
        Action::Rename { from } => format!("renamed from {from}"),
        Action::Overwrite => "replaced".into(),
        Action::Delete => "deleted".into(),
    }
}

/// What a push preview says of an artifact the branch changed since this copy's base.
fn branch_label(status: Status, never_synced: bool) -> &'static str {
    match status {
        Status::Remote(SideChange::Added) if never_synced => "only on the branch",
        Status::Remote(SideChange::Added) => "added on the branch",
        Status::Remote(SideChange::Changed) => "changed on the branch",
        Status::Remote(SideChange::Deleted) => "deleted on the branch",
        Status::Conflict(ConflictKind::BothAdded) if never_synced => "differs from the branch",
        Status::Conflict(ConflictKind::BothAdded) => "added here and on the branch",
        Status::Conflict(ConflictKind::BothChanged) => "changed here and on the branch",
        Status::Conflict(ConflictKind::ChangedLocallyDeletedRemotely) => {
            "changed here, deleted on the branch"
        }
        Status::Conflict(ConflictKind::DeletedLocallyChangedRemotely) => {
            "deleted here, changed on the branch"
        }
        Status::Unchanged | Status::Local(_) | Status::Both(_) => "unchanged on the branch",
    }
}

/// The rows of a list of artifacts the branch changed: each named as this copy names it (or by its
/// file when this copy does not have it), with what happened.
fn branch_rows(
    rows: &[BranchChange],
    names: &BTreeMap<ArtifactId, String>,
    never_synced: bool,
) -> Html {
    html! {
        <ul class="file-list">
            { for rows.iter().take(500).map(|row| {
                let file = row.path.rsplit('/').next().unwrap_or(&row.path);
                let name = names.get(&row.artifact).map_or(file, String::as_str);
                html! {
                    <li>
                        <strong>{ name }</strong>{ format!(" ({}) — {}", kind_label(row.kind), branch_label(row.status, never_synced)) }
                    </li>
                }
            }) }
        </ul>
    }
}

/// What the branch changed since this copy's base (kept), and the conflicts with the choice to
/// overwrite them (`refusal`: why the user's role may not).
pub fn branch_view(
    plan: &PushPlan,
    state: &PushState,
    refusal: Option<String>,
    on_overwrite: Callback<bool>,
) -> Html {
    let (kept, conflicts) = (&plan.changes.branch_changes, &plan.changes.conflicts);
    let never_synced = plan.never_synced;
    let branch = &plan.request.branch;
    let artifacts = |n: usize| counted(n, "artifact file", "artifact files");
    let differ = if conflicts.len() == 1 {
        "differs"
    } else {
        "differ"
    };
    html! {
        <>
            if never_synced && !conflicts.is_empty() {
                <p class="banner warning" role="alert">{ code_text(&format!(
                    "This copy has never synced with the branch `{branch}`, and {} there {differ} from yours. Pull the branch first to combine both, or overwrite the branch's versions below.",
                    artifacts(conflicts.len())
                )) }</p>
            } else if !conflicts.is_empty() {
                <p class="banner warning" role="alert">{ code_text(&format!(
                    "{} changed both here and on the branch `{branch}` since your last sync. Pull first to settle them, or overwrite the branch's versions below.",
                    artifacts(conflicts.len())
                )) }</p>
            }
            if !conflicts.is_empty() {
                <section class="branch-conflicts" aria-label="Conflicts with the branch">
                    { branch_rows(conflicts, &state.names, never_synced) }
                    <div class="field checkbox">
                        <input id="push-overwrite" type="checkbox" checked={state.overwrite} disabled={refusal.is_some()}
                               onchange={Callback::from(move |e: Event| on_overwrite.emit(e.target_unchecked_into::<web_sys::HtmlInputElement>().checked()))} />
                        <label for="push-overwrite">{ format!("Overwrite the branch's versions of these {} (what the branch holds for them is lost)", artifacts(conflicts.len())) }</label>
                    </div>
                    if let Some(reason) = refusal {
                        <p class="helper">{ code_text(&reason) }</p>
                    }
                </section>
            }
            if !kept.is_empty() {
                <section class="branch-changes" aria-label="Changed on the branch">
                    <p role="status">{ format!(
                        "{} on the branch since {}: kept as the branch has them (pull to get them here).",
                        artifacts(kept.len()) + " changed",
                        if never_synced { "this copy's start" } else { "your last sync" },
                    ) }</p>
                    { branch_rows(kept, &state.names, never_synced) }
                </section>
            }
        </>
    }
}

/// The preview of a planned push: what it writes and deletes, by kind and by file (each file's diff when
/// `connection` is given), with `branch` (see [`branch_view`]) under its summary.
pub fn preview(
    plan: &Rc<PushPlan>,
    connection: Option<Rc<ValidConnection>>,
    data_center: bool,
    branch: Html,
) -> Html {
    let changes = &plan.changes;
    if changes.is_empty() {
        return html! {
            <>
                <p class="banner info" role="status">{ code_text(&format!(
                    "Nothing to push: the branch `{}` already holds this copy's changes.{}",
                    plan.request.branch,
                    if plan.creates_branch { " The new branch is created without a commit." } else { "" }
                )) }</p>
                { branch }
            </>
        };
    }
    let mut by_kind: BTreeMap<&str, BTreeMap<String, usize>> = BTreeMap::new();
    for change in &changes.changes {
        let verb = match change.action {
            Action::Rename { .. } => "renamed".to_owned(),
            ref other => action_label(other),
        };
        *by_kind
            .entry(kind_label(change.kind))
            .or_default()
            .entry(verb)
            .or_default() += 1;
    }
    let removed = changes.removed_paths().len();
    html! {
        <div class="preview">
            <p role="status">{ code_text(&format!(
                "{} to write ({} KB){}{} to `{}`{}.",
                counted(changes.total_files(), "file", "files"),
                changes.total_bytes().div_ceil(1024),
                match (removed, data_center) {
                    (0, _) => String::new(),
                    (n, false) => format!(", {n} to delete"),
                    (n, true) => format!(", {n} to drop from the manifest (Data Center cannot delete files: they stay in git, and pulls ignore them)"),
                },
                if changes.held_back > 0 { format!(", {} held back (not Approved)", counted(changes.held_back, "changed artifact", "changed artifacts")) } else { String::new() },
                plan.request.branch,
                if plan.creates_branch { format!(", a new branch from `{}`", plan.request.new_branch_from.clone().unwrap_or_default()) } else { String::new() },
            )) }</p>
            if plan.manifest_damaged {
                <p class="banner warning">{ "The branch's manifest could not be read; its files are treated as written by another tool, and none is deleted." }</p>
            }
            { branch }
            <table class="changes-table">
                <caption>{ "Changes by kind" }</caption>
                <thead><tr><th scope="col">{ "Kind" }</th><th scope="col">{ "Changes" }</th></tr></thead>
                <tbody>
                    { for by_kind.iter().map(|(kind, verbs)| html! {
                        <tr><th scope="row">{ *kind }</th><td>{ verbs.iter().map(|(v, n)| format!("{n} {v}")).collect::<Vec<_>>().join(", ") }</td></tr>
                    }) }
                </tbody>
            </table>
            <details>
                <summary>{ "Files" }</summary>
                <ul class="file-list">
                    { for changes.changes.iter().take(500).enumerate().map(|(index, c)| html! {
                        <li>
                            <code>{ &c.path }</code>{ " — " }{ action_label(&c.action) }
                            if let Some(connection) = &connection {
                                <FileDiff connection={connection.clone()} plan={plan.clone()} {index} />
                            }
                        </li>
                    }) }
                </ul>
            </details>
        </div>
    }
}

/// The progress of a running job: counts, time taken and about how long is left.
pub fn progress_view(state: &PushState) -> Html {
    let Progress {
        phase,
        files_done,
        files_total,
        bytes_done,
        bytes_total,
        commits_done,
        commits_total,
        ..
    } = state.progress;
    let elapsed = ((state.now_ms - state.started_ms) / 1000.0).max(0.0);
    let fraction = state.progress.fraction();
    let remaining = if fraction > 0.0 && fraction < 1.0 {
        format!(
            ", about {:.0} s left",
            elapsed * (1.0 - fraction) / fraction
        )
    } else {
        String::new()
    };
    html! {
        <div class="progress">
            <progress max="1" value={fraction.to_string()} aria-label="Push progress"></progress>
            <p>{ format!(
                "{}: {files_done} of {}, {} of {} KB, {commits_done} of {}; {elapsed:.1} s{remaining}",
                phase.label(), counted(files_total, "file", "files"), bytes_done / 1024, bytes_total / 1024, counted(commits_total, "commit", "commits")
            ) }</p>
        </div>
    }
}

/// The first line of a push's outcome.
fn outcome_headline(outcome: &PushOutcome) -> String {
    if outcome.nothing_to_push {
        format!(
            "Nothing to push: `{}` already holds these artifacts. No commit was made.",
            outcome.branch
        )
    } else {
        format!(
            "Pushed to `{}`: {} written{}{} in {}.",
            outcome.branch,
            counted(outcome.written, "file", "files"),
            if outcome.deleted > 0 {
                format!(", {} deleted", outcome.deleted)
            } else {
                String::new()
            },
            if outcome.kept_in_git > 0 {
                format!(
                    ", {} dropped from the manifest (kept in git)",
                    outcome.kept_in_git
                )
            } else {
                String::new()
            },
            counted(outcome.commits.len(), "commit", "commits")
        )
    }
}

/// What screen readers are told of the push as it goes: the phase of a running job (its counts would be
/// too many announcements) and that the preview is ready; the outcome is in the dialog's result region,
/// errors are alerts of their own.
pub fn push_announcement(state: &PushState) -> String {
    match &state.stage {
        PushStage::Planning | PushStage::Pushing(_) => format!("{}…", state.progress.phase.label()),
        PushStage::Preview(_) => "The preview is ready.".to_owned(),
        PushStage::Done(_) | PushStage::Form => String::new(),
    }
}

/// The outcome of a push: what was written, the branch and version made, and links to the commits.
pub fn outcome_view(outcome: &PushOutcome, record: &Option<ConnectionRecord>) -> Html {
    let location = record
        .as_ref()
        .and_then(|r| versioning_core::parse_repository_url(&r.repository_url).ok());
    html! {
        <div class="outcome">
            <p class="banner success">{ code_text(&outcome_headline(outcome)) }</p>
            if outcome.branch_created {
                <p>{ code_text(&format!("The branch `{}` was created.", outcome.branch)) }</p>
            }
            if let Some(tag) = &outcome.tag {
                <p>{ code_text(&format!("Version `{tag}` was tagged on the pushed commit.")) }</p>
            }
            if let Some(error) = &outcome.tag_error {
                <p class="banner error">{ code_text(&format!("The version could not be tagged: {error}")) }</p>
            }
            if outcome.held_back > 0 {
                <p>{ format!("{} held back because they are not Approved.", match outcome.held_back { 1 => "1 changed artifact was".to_owned(), n => format!("{n} changed artifacts were") }) }</p>
            }
            <ul class="commit-list">
                { for outcome.commits.iter().map(|hash| {
                    let short: String = hash.chars().take(12).collect();
                    match &location {
                        Some(location) => html! { <li><a href={commit_web_url(location, hash)} target="_blank" rel="noopener noreferrer">{ format!("Commit {short}") }</a></li> },
                        None => html! { <li><code>{ short }</code></li> },
                    }
                }) }
            </ul>
        </div>
    }
}
