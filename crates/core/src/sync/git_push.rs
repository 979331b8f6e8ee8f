//! Pushing a planned change to Data Center over git ([`GitPush`]): one commit holding every new,
//! changed and deleted file and the manifest, and the version tag, moved together in one atomic ref
//! update, instead of Data Center's REST chain of one commit per file that cannot delete.
//!
//! The steps, without I/O: the receive-pack advertisement (the branch tip and the tag, checked
//! against the plan before anything is written), the parent's trees (from the preview's fetch of
//! them, or one fetch without history or file content: every folder with the exact mode of every
//! file, [`TreeSnapshot`]), then the commit, its pack and the push, whose report says what Data
//! Center did in its words. Where the server allows no filtered fetch, the folders the change
//! touches are listed through the REST API ([`TreePlan`]) and the modes of the files they keep read
//! from an archive of their paths. A push left without an answer is never resent blindly: the advertisement is read again,
//! and the push is complete when the branch is at its commit, sent again when the branch did not
//! move, and stopped as [`SyncError::BranchMoved`] otherwise.
//!
//! **The modes of kept files, without a fetch.** A folder listing does not tell a regular file from an executable or
//! a link. A kept file counts as regular without reading the archive when the branch's manifest
//! lists it and its listed object id is the blob of this copy's bytes for it: the app writes every
//! file it lists as a regular file, and a link's blob (its target) is never the JSON or CSV the
//! manifest hashes. Only an execute bit set by hand on such a file is not proven absent, and the
//! push writes the file's mode as the app does, as it writes its content. Every other kept file
//! (outside the artifact folder, or not the app's) has its mode read from Data Center's archive.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::rc::Rc;

use super::change_set::RemoteState;
use super::job::{single_answer, Job, JobStep, Phase, Progress};
use super::push::{
    commit_message, Attempt, Confirmation, PushCancelled, PushOutcome, PushPlan, Retrying, SyncBase,
};
use super::remote::{GitMoves, Remote};
use super::retry::Failure;
use super::SyncError;
use crate::bitbucket::{datacenter, git_http, Api, ApiError, ApiRequest, ApiResponse, Call};
use crate::git::{
    archive_modes, write_pack, Advertisement, ArchiveModeError, Change, Commit, FileMode,
    ListedKind, Listings, Object, ObjectError, ObjectId, ObjectIdError, PackError, PushRefused,
    PushRequestError, RefUpdate, Report, Signature, TreePlan, TreePlanError, TreeSnapshot,
};
use crate::roles::WritePermit;

/// The longest query of paths one archive request carries (URLs stay well below the limits of
/// browsers, relays and Data Center).
const ARCHIVE_QUERY_CHARS: usize = 6_000;

/// Who makes the commit and when: the connection's username and the browser's clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitIdentity {
    /// The author's and committer's name (the connection's username).
    pub name: String,
    /// Their email address (the username when it is one, else empty: a token names no address).
    pub email: String,
    /// Seconds since the Unix epoch.
    pub seconds: i64,
    /// The time zone, in minutes east of UTC.
    pub offset_minutes: i16,
}

impl GitIdentity {
    /// The identity of a connection's `username` at `millis` since the epoch, `offset_minutes` east
    /// of UTC.
    pub fn of(username: &str, millis: f64, offset_minutes: i16) -> GitIdentity {
        let email = match username.contains('@') {
            true => username.trim().to_owned(),
            false => String::new(),
        };
        GitIdentity {
            name: username.trim().to_owned(),
            email,
            seconds: (millis / 1000.0).floor() as i64,
            offset_minutes,
        }
    }
}

/// Why a push over git stopped, besides Bitbucket's errors and the branch's state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GitPushError {
    /// The API base URL does not end in `/rest`, so that git's address is not known.
    #[error("The API base URL does not end in /rest, so the repository's git address (/scm) is not known. Push through the REST API, or set the API base URL to the relay's /rest address.")]
    NoAddress,
    /// Data Center refused the push (a branch permission, a hook, a size limit): its words.
    #[error("{}", refused_message(branch, refused))]
    Refused {
        /// The branch.
        branch: String,
        /// What Data Center reported.
        refused: PushRefused,
    },
    /// The commit's trees cannot be planned (a file's mode is not known, a file where the change
    /// needs a folder).
    #[error("The commit cannot be made without changing other files: {0}. Nothing was pushed.")]
    Plan(#[from] TreePlanError),
    /// The archive that tells the kept files' modes cannot be read.
    #[error("The modes of the files this push keeps could not be read: {0}. Nothing was pushed.")]
    Modes(#[from] ArchiveModeError),
    /// The server lacks what this push needs (`report-status`, `atomic`).
    #[error("Data Center cannot take this push over git: {0}. Nothing was pushed.")]
    Request(#[from] PushRequestError),
    /// An author name git cannot carry.
    #[error("The commit's author cannot be written: {0}. Nothing was pushed.")]
    Identity(#[from] ObjectError),
    /// The pack cannot be written.
    #[error("The pack of this push cannot be written: {0}. Nothing was pushed.")]
    Pack(#[from] PackError),
    /// The branch's tip as the plan read it is not a commit id.
    #[error("The branch's tip is not a commit id: {0}. Preview the push again.")]
    Tip(#[from] ObjectIdError),
}

fn refused_message(branch: &str, refused: &PushRefused) -> String {
    let mut words: Vec<String> = refused.messages.clone();
    if let Some(reason) = &refused.unpack {
        words.push(format!("unpacking failed: {reason}"));
    }
    words.extend(
        refused
            .refs
            .iter()
            .map(|(name, why)| format!("{name}: {why}")),
    );
    format!(
        "Bitbucket refused the push to `{branch}`, and nothing was pushed. Bitbucket said: {}",
        words.join(" — ")
    )
}

impl From<GitPushError> for SyncError {
    fn from(error: GitPushError) -> SyncError {
        SyncError::Git(error)
    }
}

/// Why a Data Center push goes through the REST API instead of git.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestReason {
    /// The API base URL does not end in `/rest`.
    NoAddress,
    /// No answer from `/scm` (network, CORS, timeout).
    Unreachable,
    /// `/scm` answered this status (a relay that does not pass it, no permission).
    Answered(u16),
    /// `/scm` answered with something other than git's smart HTTP.
    NotSmartHttp,
}

/// How a Data Center push goes: over git, or through the REST API and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushRoute {
    /// Over git's smart HTTP (`/scm`): one commit, deletions and the tag in one atomic update.
    Git,
    /// Through the REST API, one commit per file.
    Rest(RestReason),
}

impl PushRoute {
    /// The request that tells the route (the advertisement of `/scm`), or the route when no request
    /// is needed.
    pub fn probe(api: &Api) -> Result<ApiRequest, PushRoute> {
        git_http::advertisement(api)
            .map(|call| call.request)
            .ok_or(PushRoute::Rest(RestReason::NoAddress))
    }

    /// The route the answer to [`PushRoute::probe`] tells.
    pub fn of(answer: &Result<ApiResponse, ApiError>) -> PushRoute {
        match answer {
            Err(_) => PushRoute::Rest(RestReason::Unreachable),
            Ok(response) if !response.is_success() => {
                PushRoute::Rest(RestReason::Answered(response.status))
            }
            Ok(response) => match git_http::read_advertisement(response) {
                Some(_) => PushRoute::Git,
                None => PushRoute::Rest(RestReason::NotSmartHttp),
            },
        }
    }

    /// Why a push on this route cannot be made with credentials that push over git only
    /// (`git_only`: the connection test's reason, see `TestOutcome::push_over_git_only`).
    pub fn refusal(self, git_only: Option<&str>) -> Option<String> {
        match (self, git_only) {
            (PushRoute::Rest(_), Some(reason)) => Some(format!(
                "This push cannot go through the REST API with this token: {reason}"
            )),
            (PushRoute::Git, _) | (PushRoute::Rest(_), None) => None,
        }
    }
}

impl fmt::Display for PushRoute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rest = "Through Data Center's REST API, one commit per file (deleted files stay in git), because";
        match self {
            PushRoute::Git => f.write_str(
                "Over git (/scm): one commit with every change, deletions included, and the version in the same atomic update.",
            ),
            PushRoute::Rest(RestReason::NoAddress) => write!(
                f,
                "{rest} the API base URL does not end in /rest, so git's address (/scm) is not known."
            ),
            PushRoute::Rest(RestReason::Unreachable) => write!(
                f,
                "{rest} git's address (/scm) could not be reached from this page: the relay may not pass /scm."
            ),
            PushRoute::Rest(RestReason::Answered(status)) => write!(
                f,
                "{rest} git's address (/scm) answered HTTP {status}: the relay may not pass /scm, or the token may not push over git."
            ),
            PushRoute::Rest(RestReason::NotSmartHttp) => write!(
                f,
                "{rest} git's address (/scm) did not answer with git's smart HTTP protocol."
            ),
        }
    }
}

/// What the push sent: the ref updates, the call that reads their report, the commit.
#[derive(Debug, Clone)]
struct Sent {
    call: Call<Report>,
    updates: Vec<RefUpdate>,
    /// Where the branch (and the tag) go.
    new: ObjectId,
    /// The commit made, if any (a new branch or a tag alone makes none).
    commit: Option<ObjectId>,
}

/// Why the advertisement is read.
#[derive(Debug)]
enum After {
    /// Before anything is written: the branch must be where the plan found it.
    Start,
    /// The push got no answer: it is sent again unless it landed.
    Lost(Attempt),
    /// Data Center refused it: whether the branch or the tag moved meanwhile.
    Refused(PushRefused),
    /// The user cancelled: whether the push landed.
    Cancelled,
}

#[derive(Debug)]
enum Stage {
    Advertise {
        attempt: Attempt,
        after: After,
    },
    /// Fetching the parent's trees (no history, no file content).
    Trees(Attempt),
    List {
        pages: Vec<(String, u64)>,
        tries: u32,
    },
    Modes {
        parts: Vec<Vec<String>>,
        tries: u32,
    },
    Push {
        attempt: Attempt,
    },
    Done,
}

/// What the advertisement says of a push's refs.
enum Landing {
    /// Every ref is where the push moves it.
    Landed,
    /// Every ref is where the push found it.
    Untouched,
    /// Someone else moved the branch, or made the tag.
    Moved,
}

/// Sends a planned Data Center push over git (see the module's description).
#[derive(Debug)]
pub struct GitPush {
    remote: Remote,
    /// The permit the role check gave for the plan's branch: the push goes through it.
    permit: WritePermit,
    plan: Rc<PushPlan>,
    url: String,
    /// The read of the advertisement, before the push and after it.
    advertise: Call<Advertisement>,
    author: Signature,
    /// The commit the change is based on (`None`: an empty repository).
    tip: Option<ObjectId>,
    stage: Stage,
    retrying: Retrying,
    advertisement: Advertisement,
    trees: Option<TreePlan>,
    listings: Listings,
    modes: BTreeMap<String, FileMode>,
    sent: Option<Sent>,
    result: Option<Result<PushOutcome, SyncError>>,
}

impl GitPush {
    /// A push of `plan` over git on `api` by `identity`, as `confirmation` says at Push: the role
    /// policy is checked again, as for the REST push, before anything is sent.
    pub fn new(
        api: Api,
        plan: impl Into<Rc<PushPlan>>,
        confirmation: &Confirmation,
        identity: &GitIdentity,
    ) -> Result<GitPush, SyncError> {
        let plan = plan.into();
        let permit = confirmation.check(&plan)?;
        let url = git_http::repository_url(&api).ok_or(GitPushError::NoAddress)?;
        let advertise = git_http::advertisement(&api).ok_or(GitPushError::NoAddress)?;
        let author = Signature::new(
            &identity.name,
            &identity.email,
            identity.seconds,
            identity.offset_minutes,
        )
        .map_err(GitPushError::from)?;
        let tip = match plan.tip.id.as_str() {
            "" => None,
            id => Some(id.parse().map_err(GitPushError::from)?),
        };
        let changes = &plan.changes;
        let trees = match changes.is_empty() {
            true => None,
            false => {
                let files = &plan.local.files;
                let writes = changes.writes().map(|change| {
                    let bytes = files.get(&change.path).cloned().unwrap_or_default();
                    (change.path.clone(), Change::Write(bytes))
                });
                let manifest = changes.writes_manifest.then(|| {
                    let bytes = changes.manifest_bytes.clone();
                    (changes.manifest_path.clone(), Change::Write(bytes))
                });
                let deletions = changes
                    .removed_paths()
                    .into_iter()
                    .map(|path| (path, Change::Delete));
                // Deletions first, so that a path both removed and written is written.
                let all = deletions.chain(writes).chain(manifest).collect();
                Some(TreePlan::new(all).map_err(GitPushError::from)?)
            }
        };
        let mut retrying = Retrying::new(&plan.request.parameters, plan.request.seed ^ 0x917);
        retrying.progress.files_total = changes.total_files();
        retrying.progress.bytes_total = changes.total_bytes();
        retrying.progress.commits_total = usize::from(!changes.is_empty());
        Ok(GitPush {
            remote: Remote::new(api),
            permit,
            plan,
            url,
            stage: Stage::Advertise {
                attempt: attempt(advertise.request.clone()),
                after: After::Start,
            },
            advertise,
            author,
            tip,
            retrying,
            advertisement: Advertisement::default(),
            trees,
            listings: Listings::new(),
            modes: BTreeMap::new(),
            sent: None,
            result: None,
        })
    }

    /// Starts from `answer`, the advertisement read when the push was previewed (the route's probe,
    /// see [`PushRoute::of`]), instead of asking for it again. A branch that moved since is still
    /// refused: the ref update is a compare-and-swap, and after a refusal the advertisement is read
    /// again to tell why.
    pub fn with_advertisement(mut self, answer: ApiResponse) -> GitPush {
        self.stage = match std::mem::replace(&mut self.stage, Stage::Done) {
            Stage::Advertise {
                attempt,
                after: After::Start,
            } => self.handle_advertisement(attempt, After::Start, Ok(answer)),
            stage => stage,
        };
        self
    }

    /// Ends a push the user cancelled, once its driver stopped: a push that may be in flight is
    /// settled by reading the advertisement (landed: the push ends with its outcome; not:
    /// [`PushCancelled::Nothing`]); one cancelled before it was sent wrote nothing.
    pub fn finish_cancelled(&mut self) {
        self.retrying.take_wait::<()>();
        self.stage = match std::mem::replace(&mut self.stage, Stage::Done) {
            Stage::Push { .. }
            | Stage::Advertise {
                after: After::Lost(_) | After::Refused(_) | After::Cancelled,
                ..
            } => Stage::Advertise {
                attempt: self.advertise(),
                after: After::Cancelled,
            },
            Stage::Done => Stage::Done,
            Stage::Advertise { .. }
            | Stage::Trees(_)
            | Stage::List { .. }
            | Stage::Modes { .. } => self.cancelled(PushCancelled::Nothing {
                branch: self.branch().to_owned(),
            }),
        };
    }

    fn branch(&self) -> &str {
        &self.plan.request.branch
    }

    fn branch_ref(&self) -> String {
        format!("refs/heads/{}", self.branch())
    }

    fn tag_ref(&self) -> Option<String> {
        let version = self.plan.request.version.as_ref()?;
        Some(format!("refs/tags/{version}"))
    }

    /// Where the branch is before the push: nowhere when the push creates it.
    fn expected_old(&self) -> ObjectId {
        match self.plan.creates_branch {
            true => ObjectId::ZERO,
            false => self.tip.unwrap_or(ObjectId::ZERO),
        }
    }

    fn advertise(&self) -> Attempt {
        attempt(self.advertise.request.clone())
    }

    fn fail(&mut self, error: impl Into<SyncError>) -> Stage {
        self.result = Some(Err(error.into()));
        Stage::Done
    }

    fn cancelled(&mut self, what: PushCancelled) -> Stage {
        self.fail(SyncError::Cancelled(what))
    }

    /// The error of a branch or a tag someone else moved or made.
    fn moved(&mut self) -> Stage {
        let branch = self.branch().to_owned();
        let at = self.advertisement.refs().get(&self.branch_ref()).copied();
        let error = match (self.plan.creates_branch, at) {
            (true, Some(_)) => SyncError::BranchExists { branch },
            (false, found) if found != self.tip => SyncError::BranchMoved { branch },
            _ => SyncError::VersionExists {
                name: self.plan.request.version.clone().unwrap_or_default(),
            },
        };
        self.fail(error)
    }

    /// Where the refs a push moves (or would move) to `new` stand in the last advertisement
    /// (untouched first: before the push, the branch may already be at `new`).
    fn landing(&self, new: ObjectId, moves_branch: bool) -> Landing {
        let refs = self.advertisement.refs();
        let at = |name: &str| refs.get(name).copied().unwrap_or(ObjectId::ZERO);
        let mut states = Vec::new();
        if moves_branch {
            states.push((at(&self.branch_ref()), self.expected_old()));
        }
        if let Some(tag) = self.tag_ref() {
            states.push((at(&tag), ObjectId::ZERO));
        }
        if states.iter().all(|(now, old)| now == old) {
            Landing::Untouched
        } else if states.iter().all(|(now, _)| *now == new) {
            Landing::Landed
        } else {
            Landing::Moved
        }
    }

    fn handle_advertisement(&mut self, attempt: Attempt, after: After, answer: Answer) -> Stage {
        let read = answer.and_then(|response| self.advertise.parse(&response));
        let mut attempt = attempt;
        let advertisement = match read {
            Ok(advertisement) => advertisement,
            Err(error) if self.retrying.schedule(&mut attempt, &error) => {
                return Stage::Advertise { attempt, after }
            }
            Err(error) => return self.fail(SyncError::Api(error)),
        };
        self.advertisement = advertisement;
        let Some(sent) = self.sent.clone() else {
            // Before the push: the branch where the plan found it, the version free.
            let new = self.tip.unwrap_or(ObjectId::ZERO);
            return match self.landing(new, true) {
                Landing::Untouched => self.read_parent(),
                Landing::Landed | Landing::Moved => self.moved(),
            };
        };
        let moves_branch = sent.updates.iter().any(|u| u.name == self.branch_ref());
        match (self.landing(sent.new, moves_branch), after) {
            (Landing::Landed, _) => self.finish(),
            (Landing::Untouched, After::Lost(mut push)) => {
                match self.retrying.schedule(&mut push, &ApiError::Timeout) {
                    true => Stage::Push { attempt: push },
                    false => self.fail(SyncError::Api(ApiError::Timeout)),
                }
            }
            (Landing::Untouched, After::Refused(refused)) => {
                let branch = self.branch().to_owned();
                self.fail(GitPushError::Refused { branch, refused })
            }
            (Landing::Untouched, After::Cancelled | After::Start) => {
                let branch = self.branch().to_owned();
                self.cancelled(PushCancelled::Nothing { branch })
            }
            (Landing::Moved, After::Cancelled) => {
                let branch = self.branch().to_owned();
                self.cancelled(PushCancelled::BranchMoved { branch, landed: 0 })
            }
            (Landing::Moved, _) => self.moved(),
        }
    }

    /// The parent's folders that the change touches: from the trees the preview fetched, from a
    /// fetch of them now, or (a server that does not allow that fetch) from folder listings and the
    /// archive.
    fn read_parent(&mut self) -> Stage {
        let (Some(_), Some(tip)) = (&self.trees, self.tip) else {
            return self.list_root();
        };
        match self
            .plan
            .trees
            .clone()
            .filter(|trees| trees.commit() == tip)
        {
            Some(snapshot) => self.build_from(&snapshot),
            None => Stage::Trees(attempt(self.trees_call(tip).request)),
        }
    }

    fn trees_call(&self, tip: ObjectId) -> Call<TreeSnapshot> {
        git_http::fetch_trees(self.remote.api(), &self.url, tip)
    }

    fn handle_trees(&mut self, answer: Answer) -> Stage {
        let Some(tip) = self.tip else {
            return self.list_root();
        };
        match answer.and_then(|response| self.trees_call(tip).parse(&response)) {
            Ok(snapshot) => self.build_from(&snapshot),
            Err(_) => self.list_root(),
        }
    }

    /// Builds the commit from `snapshot`: the listings of the planned folders and the exact modes
    /// of the files they keep.
    fn build_from(&mut self, snapshot: &TreeSnapshot) -> Stage {
        let Some(trees) = &self.trees else {
            return self.push(None);
        };
        self.listings = snapshot.listings(&trees.folders());
        self.modes = snapshot.modes(&trees.kept_files(&self.listings));
        self.build()
    }

    /// Lists the root with the planned folders the parent's manifest shows to exist, all at once
    /// (the others when their parent's listing shows them), or goes on without listings in an empty
    /// repository or without changes.
    fn list_root(&mut self) -> Stage {
        match (&self.trees, self.tip) {
            (Some(trees), Some(_)) => {
                let known = match &self.plan.remote {
                    RemoteState::Managed(manifest) => {
                        trees.folders_holding(manifest.files.iter().map(|e| e.path.as_str()))
                    }
                    RemoteState::Unmanaged(_) => BTreeSet::from([String::new()]),
                };
                Stage::List {
                    pages: known.into_iter().map(|folder| (folder, 0)).collect(),
                    tries: 0,
                }
            }
            (Some(_), None) => self.read_modes(),
            (None, _) => self.push(None),
        }
    }

    fn listing_call(&self, folder: &str, start: u64) -> Call<crate::git::ListingPage> {
        let at = self.tip.map(|tip| tip.to_string()).unwrap_or_default();
        git_http::folder_listing(self.remote.api(), folder, &at, start)
    }

    fn handle_listings(
        &mut self,
        pages: Vec<(String, u64)>,
        mut tries: u32,
        answers: Vec<Answer>,
    ) -> Stage {
        let folders = self
            .trees
            .as_ref()
            .map(TreePlan::folders)
            .unwrap_or_default();
        // Folders listed before or in this round are not asked for again as someone's child.
        let mut asked: BTreeSet<String> = self.listings.keys().cloned().collect();
        asked.extend(pages.iter().map(|(folder, _)| folder.clone()));
        let mut next = Vec::new();
        let mut failed: Option<ApiError> = None;
        for ((folder, start), answer) in pages.into_iter().zip(answers) {
            let call = self.listing_call(&folder, start);
            match answer.and_then(|response| call.parse(&response)) {
                Ok(page) => {
                    let children: Vec<String> = page
                        .entries
                        .iter()
                        .filter(|entry| entry.kind == ListedKind::Directory)
                        .map(|entry| join(&folder, &entry.name))
                        .filter(|child| folders.contains(child) && !asked.contains(child))
                        .collect();
                    let listed = self.listings.entry(folder.clone()).or_insert(None);
                    listed.get_or_insert_with(Vec::new).extend(page.entries);
                    match page.next_start {
                        Some(start) => next.push((folder, start)),
                        None => next.extend(children.into_iter().map(|child| (child, 0))),
                    }
                }
                Err(ApiError::NotFound { .. }) => {
                    self.listings.insert(folder, None);
                }
                Err(error) => {
                    next.push((folder, start));
                    failed = Some(error);
                }
            }
        }
        if let Some(error) = failed {
            if !self.retrying.schedule_batch(&mut tries, &error) {
                return self.fail(SyncError::Api(error));
            }
        }
        if !next.is_empty() {
            return Stage::List { pages: next, tries };
        }
        // A folder whose parent does not hold it does not exist at the tip.
        for folder in folders {
            self.listings.entry(folder).or_insert(None);
        }
        self.read_modes()
    }

    /// The kept files whose modes the archive must tell (see the module's description), in parts
    /// of one request each.
    fn read_modes(&mut self) -> Stage {
        let Some(trees) = &self.trees else {
            return self.push(None);
        };
        let listed: BTreeMap<String, ObjectId> = self
            .listings
            .iter()
            .flat_map(|(folder, entries)| {
                let entries = entries.iter().flatten();
                entries.map(move |entry| (join(folder, &entry.name), entry.id))
            })
            .collect();
        let managed: BTreeSet<&str> = match &self.plan.remote {
            RemoteState::Managed(manifest) => {
                manifest.files.iter().map(|e| e.path.as_str()).collect()
            }
            RemoteState::Unmanaged(_) => BTreeSet::new(),
        };
        let local = &self.plan.local.files;
        let mut unknown = Vec::new();
        for path in trees.kept_files(&self.listings) {
            let ours = local
                .get(&path)
                .map(|bytes| Object::blob(bytes.clone()).id());
            let app_file = managed.contains(path.as_str())
                && ours.is_some()
                && ours == listed.get(&path).copied();
            match app_file {
                true => {
                    self.modes.insert(path, FileMode::Regular);
                }
                false => unknown.push(path),
            }
        }
        let mut parts: Vec<Vec<String>> = Vec::new();
        let mut chars = ARCHIVE_QUERY_CHARS;
        for path in unknown {
            let length = path.len() * 3 + 6;
            if chars + length > ARCHIVE_QUERY_CHARS {
                parts.push(Vec::new());
                chars = 0;
            }
            chars += length;
            if let Some(part) = parts.last_mut() {
                part.push(path);
            }
        }
        match parts.is_empty() {
            true => self.build(),
            false => Stage::Modes { parts, tries: 0 },
        }
    }

    fn archive_call(&self, paths: &[String]) -> Call<Vec<u8>> {
        let at = self.tip.map(|tip| tip.to_string()).unwrap_or_default();
        datacenter::archive(self.remote.api(), paths, &at)
    }

    fn handle_modes(
        &mut self,
        parts: Vec<Vec<String>>,
        mut tries: u32,
        answers: Vec<Answer>,
    ) -> Stage {
        let mut again = Vec::new();
        let mut failed: Option<ApiError> = None;
        for (paths, answer) in parts.into_iter().zip(answers) {
            let call = self.archive_call(&paths);
            match answer.and_then(|response| call.parse(&response)) {
                Ok(zip) => match archive_modes(&zip, "") {
                    Ok(modes) => self.modes.extend(modes),
                    Err(error) => return self.fail(GitPushError::from(error)),
                },
                Err(error) => {
                    again.push(paths);
                    failed = Some(error);
                }
            }
        }
        if let Some(error) = failed {
            return match self.retrying.schedule_batch(&mut tries, &error) {
                true => Stage::Modes {
                    parts: again,
                    tries,
                },
                false => self.fail(SyncError::Api(error)),
            };
        }
        self.build()
    }

    /// The commit of the planned trees, then the push.
    fn build(&mut self) -> Stage {
        let Some(trees) = self.trees.take() else {
            return self.push(None);
        };
        let planned = match trees.build(&self.listings, &self.modes) {
            Ok(planned) => planned,
            Err(error) => return self.fail(GitPushError::from(error)),
        };
        if !planned.changed {
            return self.push(None);
        }
        let message = commit_message(&self.plan, self.plan.request.message.trim());
        let commit = Commit {
            tree: planned.root,
            parents: self.tip.into_iter().collect(),
            author: self.author.clone(),
            committer: self.author.clone(),
            message,
        };
        match commit.to_object() {
            Ok(commit) => {
                let objects = std::iter::once(commit).chain(planned.objects).collect();
                self.push(Some(objects))
            }
            Err(error) => self.fail(GitPushError::from(error)),
        }
    }

    /// The push of `objects` (the commit first), or of the refs alone.
    fn push(&mut self, objects: Option<Vec<Object>>) -> Stage {
        let commit = objects.as_ref().and_then(|o| o.first()).map(Object::id);
        let tip = self.tip.unwrap_or(ObjectId::ZERO);
        let old = match (commit, self.plan.creates_branch) {
            (Some(_), _) | (None, true) => Some(self.expected_old()),
            (None, false) => None,
        };
        let new = commit.unwrap_or(tip);
        let version = self.plan.request.version.clone();
        if old.is_none() && version.is_none() {
            return self.finish();
        }
        let pack = match write_pack(objects.iter().flatten()) {
            Ok(pack) => pack,
            Err(error) => return self.fail(GitPushError::from(error)),
        };
        let moves = GitMoves {
            old,
            new,
            tag: version.as_deref(),
        };
        let writer = self.remote.writer(&self.permit);
        match writer.git_push(&self.url, &self.advertisement, moves, &pack) {
            Ok((call, updates)) => {
                let request = call.request.clone();
                self.sent = Some(Sent {
                    call,
                    updates,
                    new,
                    commit,
                });
                Stage::Push {
                    attempt: attempt(request),
                }
            }
            Err(error) => self.fail(GitPushError::from(error)),
        }
    }

    fn handle_push(&mut self, mut attempt: Attempt, answer: Answer) -> Stage {
        let Some(sent) = self.sent.clone() else {
            return Stage::Done;
        };
        match answer.and_then(|response| sent.call.parse(&response)) {
            Ok(report) => match report.outcome(&sent.updates) {
                Ok(()) => self.finish(),
                // Refused: whether someone else moved the branch decides what the user is told.
                Err(refused) => Stage::Advertise {
                    attempt: self.advertise(),
                    after: After::Refused(refused),
                },
            },
            Err(error) => match Failure::of(&error) {
                Failure::Refused if self.retrying.schedule(&mut attempt, &error) => {
                    Stage::Push { attempt }
                }
                Failure::Unknown
                    if attempt.tries <= self.plan.request.parameters.scm_retry_count =>
                {
                    Stage::Advertise {
                        attempt: self.advertise(),
                        after: After::Lost(attempt),
                    }
                }
                _ => self.fail(SyncError::Api(error)),
            },
        }
    }

    fn finish(&mut self) -> Stage {
        let changes = &self.plan.changes;
        let sent = self.sent.as_ref();
        let new = sent.map(|s| s.new).or(self.tip).unwrap_or(ObjectId::ZERO);
        let commits: Vec<String> = sent
            .and_then(|s| s.commit)
            .map(|c| c.to_string())
            .into_iter()
            .collect();
        let progress = &mut self.retrying.progress;
        progress.files_done = progress.files_total;
        progress.bytes_done = progress.bytes_total;
        progress.commits_done = commits.len();
        progress.phase = Phase::Done;
        let tag = sent.and(self.plan.request.version.clone());
        self.result = Some(Ok(PushOutcome {
            branch: self.branch().to_owned(),
            base: SyncBase {
                branch: self.branch().to_owned(),
                commit: new.to_string(),
                manifest: changes.manifest.clone(),
            },
            nothing_to_push: changes.is_empty(),
            branch_created: self.plan.creates_branch,
            tag,
            tag_error: None,
            written: if commits.is_empty() {
                0
            } else {
                changes.total_files()
            },
            deleted: if commits.is_empty() {
                0
            } else {
                changes.removed_paths().len()
            },
            kept_in_git: 0,
            unchanged: 0,
            held_back: changes.held_back,
            requests: self.plan.requests + self.retrying.progress.requests,
            commits,
        }));
        Stage::Done
    }
}

type Answer = Result<ApiResponse, ApiError>;

fn attempt(request: ApiRequest) -> Attempt {
    Attempt { request, tries: 0 }
}

/// `name` in `folder` (`""`: the root).
fn join(folder: &str, name: &str) -> String {
    match folder {
        "" => name.to_owned(),
        folder => format!("{folder}/{name}"),
    }
}

impl Job for GitPush {
    type Output = Result<PushOutcome, SyncError>;

    fn next(&mut self) -> JobStep<Self::Output> {
        if let Some(wait) = self.retrying.take_wait() {
            return wait;
        }
        let (requests, phase) = match &self.stage {
            Stage::Advertise { attempt, after } => {
                let phase = match after {
                    After::Start => Phase::ReadingBranch,
                    _ => Phase::Verifying,
                };
                (vec![attempt.request.clone()], phase)
            }
            Stage::Trees(attempt) => (vec![attempt.request.clone()], Phase::ReadingRepository),
            Stage::List { pages, .. } => {
                let requests = pages
                    .iter()
                    .map(|(folder, start)| self.listing_call(folder, *start).request)
                    .collect();
                (requests, Phase::ReadingRepository)
            }
            Stage::Modes { parts, .. } => {
                let requests = parts
                    .iter()
                    .map(|paths| self.archive_call(paths).request)
                    .collect();
                (requests, Phase::ReadingRepository)
            }
            Stage::Push { attempt } => (vec![attempt.request.clone()], Phase::Committing),
            Stage::Done => return self.retrying.done(&mut self.result),
        };
        self.retrying.send(requests, phase)
    }

    fn handle(&mut self, answers: Vec<Result<ApiResponse, ApiError>>) {
        self.stage = match std::mem::replace(&mut self.stage, Stage::Done) {
            Stage::Advertise { attempt, after } => {
                self.handle_advertisement(attempt, after, single_answer(answers))
            }
            Stage::Push { attempt } => self.handle_push(attempt, single_answer(answers)),
            Stage::Trees(_) => self.handle_trees(single_answer(answers)),
            Stage::List { pages, tries } => {
                let answers = padded(answers, pages.len());
                self.handle_listings(pages, tries, answers)
            }
            Stage::Modes { parts, tries } => {
                let answers = padded(answers, parts.len());
                self.handle_modes(parts, tries, answers)
            }
            Stage::Done => Stage::Done,
        };
    }

    fn progress(&self) -> Progress {
        self.retrying.progress
    }

    fn concurrency(&self) -> usize {
        self.plan.request.parameters.concurrency()
    }
}

/// `answers` with `Cancelled` for each request that got none.
fn padded(mut answers: Vec<Answer>, count: usize) -> Vec<Answer> {
    answers.resize_with(count.max(answers.len()), || Err(ApiError::Cancelled));
    answers
}
