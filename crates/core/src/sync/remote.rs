//! The repository as a sync sees it. This is the one place where Bitbucket Cloud and Data Center differ:
//! every request of a push or pull is built here, by product.

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::change_set::{ChangeSet, CommitPart};
use super::local::LocalFiles;
use super::parts::FolderPart;
use crate::artifacts::archive::ArchiveLimits;
use crate::artifacts::patch::added_files;
use crate::artifacts::ProjectFiles;
use crate::bitbucket::cloud::FileChange;
use crate::bitbucket::{
    cloud, datacenter, git_http, Api, ApiError, ApiRequest, ApiResponse, Call, CommitSummary,
    EntryKind, Operation, Page, Pager, TreeEntry,
};
use crate::git::{push_body, Advertisement, ObjectId, PushRequestError, RefUpdate, Report};
use crate::repo_url::{Flavour, RepositoryLocation};
use crate::roles::WritePermit;

/// Pages one listing may take (1,000 files each on Data Center, 100 entries on Cloud).
pub const LISTING_MAX_PAGES: usize = 200;

/// What an answer to [`Remote::archive`] holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArchiveContent {
    /// The files read from it.
    Files(ProjectFiles),
    /// A `.zip`, still to unpack.
    Zip(Vec<u8>),
}

/// One repository of one connection.
#[derive(Debug, Clone)]
pub struct Remote {
    api: Api,
}

/// Entries of a listing, as repository paths.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listed {
    /// Files.
    pub files: Vec<String>,
    /// Folders, to be listed in turn (Cloud lists one level at a time).
    pub folders: Vec<String>,
    /// Entries that are neither files nor folders (submodules, links).
    pub others: Vec<String>,
}

/// The listing of one folder at one commit, page by page.
#[derive(Debug, Clone)]
pub enum Listing {
    /// Cloud: one level of `src/{commit}/{folder}/`.
    Cloud(Pager<TreeEntry>),
    /// Data Center: every file below the folder, as paths relative to it.
    DataCenter {
        /// The pages.
        pager: Pager<String>,
        /// The folder, prefixed to each relative path.
        folder: String,
    },
}

impl Listing {
    /// The request for the next page, or `None` when the listing is complete.
    pub fn next_request(&self) -> Option<ApiRequest> {
        match self {
            Listing::Cloud(pager) => pager.next_request(),
            Listing::DataCenter { pager, .. } => pager.next_request(),
        }
    }

    /// Reads a page.
    pub fn handle_response(&mut self, response: &ApiResponse) -> Result<Listed, ApiError> {
        self.handle_response_with_sizes(response)
            .map(|(listed, _)| listed)
    }

    /// Reads a page, with the size of each file the listing reports one for (Cloud's listing does; Data
    /// Center's lists paths only).
    pub fn handle_response_with_sizes(
        &mut self,
        response: &ApiResponse,
    ) -> Result<(Listed, BTreeMap<String, u64>), ApiError> {
        let mut listed = Listed::default();
        let mut sizes = BTreeMap::new();
        match self {
            Listing::Cloud(pager) => {
                for TreeEntry {
                    path, kind, size, ..
                } in pager.handle_response(response)?
                {
                    match kind {
                        EntryKind::File => {
                            if let Some(size) = size {
                                sizes.insert(path.clone(), size);
                            }
                            listed.files.push(path)
                        }
                        EntryKind::Directory => listed.folders.push(path),
                        EntryKind::Other => listed.others.push(path),
                    }
                }
            }
            Listing::DataCenter { pager, folder } => {
                for relative in pager.handle_response(response)? {
                    listed.files.push(match folder.as_str() {
                        "" => relative,
                        folder => format!("{folder}/{relative}"),
                    });
                }
            }
        }
        Ok((listed, sizes))
    }

    /// Whether the listing stopped at the page cap with more left.
    pub fn is_truncated(&self) -> bool {
        match self {
            Listing::Cloud(pager) => pager.is_truncated(),
            Listing::DataCenter { pager, .. } => pager.is_truncated(),
        }
    }
}

impl Remote {
    /// The repository of `api`.
    pub fn new(api: Api) -> Self {
        Remote { api }
    }

    /// The API.
    pub fn api(&self) -> &Api {
        &self.api
    }

    /// Cloud or Data Center.
    pub fn flavour(&self) -> Flavour {
        self.api.flavour()
    }

    /// Whether the product can delete files through its REST API (Data Center cannot: a deleted artifact
    /// is dropped from the manifest, its file stays in git).
    pub fn can_delete_files(&self) -> bool {
        self.flavour() == Flavour::Cloud
    }

    /// Whether each file is its own commit (Data Center) rather than one commit for many (Cloud).
    pub fn commits_one_file_at_a_time(&self) -> bool {
        self.flavour() == Flavour::DataCenter
    }

    /// The writes of a push of `changes`: on Cloud one commit per part that `parts` makes (with its
    /// message), on Data Center one edit per file written, the manifest last (`exists`: whether the
    /// branch holds the file, so that the edit names the commit it changes).
    pub(crate) fn writes(
        &self,
        changes: &ChangeSet,
        parts: impl FnOnce() -> Vec<(CommitPart, String)>,
        exists: impl Fn(&str) -> bool,
    ) -> Vec<Write> {
        if !self.commits_one_file_at_a_time() {
            let parts = parts().into_iter();
            return parts
                .map(|(part, message)| Write::Cloud { part, message })
                .collect();
        }
        changes
            .written_paths()
            .map(|path| Write::DataCenter {
                exists: exists(&path),
                path,
            })
            .collect()
    }

    /// The requests each write of a push takes: on Cloud the commit and the read of the new tip (its
    /// answer names no commit), on Data Center the edit alone.
    pub(crate) fn requests_per_write(&self) -> usize {
        match self.flavour() {
            Flavour::Cloud => 2,
            Flavour::DataCenter => 1,
        }
    }

    /// Whether a write meant to create a branch may land on an existing branch of that name, so that a
    /// new branch's name is read to be free before the first write. Data Center's file edit with
    /// `sourceBranch` is described only as creating the branch, not as refusing an existing one; Cloud's
    /// commit names its parent, and a branch elsewhere answers 409.
    pub fn may_write_onto_an_existing_branch(&self) -> bool {
        self.flavour() == Flavour::DataCenter
    }

    /// The tip commit of a branch (404 when the branch does not exist).
    pub fn tip(&self, branch: &str) -> Call<CommitSummary> {
        match self.flavour() {
            Flavour::Cloud => cloud::branch_tip(&self.api, branch),
            Flavour::DataCenter => datacenter::branch_tip(&self.api, branch),
        }
    }

    /// The repository's main branch (Cloud's `mainbranch`, Data Center's default branch), `None` when
    /// the repository names none.
    pub fn main_branch(&self) -> Call<Option<String>> {
        let named = |name: String| Some(name).filter(|n| !n.trim().is_empty());
        match self.flavour() {
            Flavour::Cloud => {
                cloud::repository(&self.api).map(move |info| info.main_branch.and_then(named))
            }
            Flavour::DataCenter => datacenter::default_branch(&self.api).map(named),
        }
    }

    /// A file's bytes at a commit (by hash: Cloud answers 404 for branch names with `/` in this path).
    pub fn read_file(&self, commit: &str, path: &str) -> Call<Vec<u8>> {
        match self.flavour() {
            Flavour::Cloud => cloud::read_file(&self.api, commit, path),
            Flavour::DataCenter => datacenter::read_file(&self.api, path, commit),
        }
    }

    /// The parts of a bulk read of `folder` at `commit`, each one request, `None` when the product cannot
    /// read it in bulk: Data Center's `archive` of the folder (a zip); on Cloud, whose archives are not
    /// served by its API (nor readable across origins), the patch from `origin` (see
    /// [`crate::artifacts::Manifest::origin`]), whole, which is split ([`FolderPart::halves`]) only when
    /// Cloud cannot produce it in time; `None` without an origin.
    pub fn folder_parts(
        &self,
        commit: &str,
        folder: &str,
        origin: Option<&str>,
    ) -> Option<Vec<FolderPart>> {
        match self.flavour() {
            Flavour::Cloud => origin.map(|origin| {
                vec![FolderPart::Range {
                    new: commit.to_owned(),
                    old: origin.to_owned(),
                }]
            }),
            Flavour::DataCenter => Some(vec![FolderPart::Paths(vec![folder
                .trim_matches('/')
                .to_owned()])]),
        }
    }

    /// The request of one part of a bulk read at `commit` ([`Remote::folder_parts`]).
    pub fn archive(&self, commit: &str, part: &FolderPart) -> Call<Vec<u8>> {
        match part {
            FolderPart::Paths(paths) => datacenter::archive(&self.api, paths, commit),
            FolderPart::Range { new, old } => cloud::diff(&self.api, new, old),
        }
    }

    /// The commits of a Cloud range ([`FolderPart::Range`]) that touched `folder`, newest first (one
    /// page), to split it at; `None` for a part that is no range.
    pub fn commits_within(
        &self,
        part: &FolderPart,
        folder: &str,
    ) -> Option<Call<Page<CommitSummary>>> {
        match part {
            FolderPart::Paths(_) => None,
            FolderPart::Range { new, old } => {
                Some(cloud::commits_since(&self.api, new, old, folder))
            }
        }
    }

    /// What an answer to [`Remote::archive`] holds: on Cloud, the patch's files that could be read within
    /// `limits`; on Data Center, a `.zip` that the driver unpacks ([`crate::sync::JobStep::Unpack`]). The
    /// caller reads the files it does not hold one by one.
    pub fn archive_content(&self, bytes: Vec<u8>, limits: &ArchiveLimits) -> ArchiveContent {
        match self.archives_are_zips() {
            true => ArchiveContent::Zip(bytes),
            false => ArchiveContent::Files(added_files(&bytes, limits)),
        }
    }

    /// Whether answers to [`Remote::archive`] are `.zip`s to unpack (Data Center), not patches (Cloud).
    pub fn archives_are_zips(&self) -> bool {
        self.flavour() == Flavour::DataCenter
    }

    /// The listing of `folder` at a commit. Data Center lists recursively; Cloud one level, so its
    /// folders are listed in turn.
    pub fn listing(&self, commit: &str, folder: &str) -> Listing {
        let folder = folder.trim_matches('/');
        match self.flavour() {
            Flavour::Cloud => Listing::Cloud(
                Pager::new(&self.api, cloud::directory(&self.api, commit, folder))
                    .with_max_pages(LISTING_MAX_PAGES),
            ),
            Flavour::DataCenter => Listing::DataCenter {
                pager: Pager::new(&self.api, datacenter::list_files(&self.api, folder, commit))
                    .with_max_pages(LISTING_MAX_PAGES),
                folder: folder.to_owned(),
            },
        }
    }

    /// Whether a tag exists (404 when not).
    pub fn tag(&self, name: &str) -> Call<()> {
        match self.flavour() {
            Flavour::Cloud => cloud::tag(&self.api, name),
            Flavour::DataCenter => datacenter::tag(&self.api, name),
        }
    }

    /// The writes to the branch `permit` allows: a [`crate::roles::WritePermit`] from the role check
    /// opens them, nothing else does.
    pub fn writer<'a>(&'a self, permit: &'a WritePermit) -> Writer<'a> {
        Writer {
            remote: self,
            branch: permit.branch(),
        }
    }

    /// The commit a tag (a version) points at (404 when the tag does not exist).
    pub fn tag_commit(&self, name: &str) -> Call<CommitSummary> {
        match self.flavour() {
            Flavour::Cloud => cloud::tag_commit(&self.api, name),
            Flavour::DataCenter => datacenter::tag_commit(&self.api, name),
        }
    }

    /// The first page of the commits before `commit` (a hash: Cloud answers 404 for branch names with
    /// `/` there) that touched `path`, newest first: a branch's versions, whoever pushed them.
    pub fn commits_touching(&self, commit: &str, path: &str) -> Call<Page<CommitSummary>> {
        match self.flavour() {
            Flavour::Cloud => cloud::commits(&self.api, commit, path),
            Flavour::DataCenter => datacenter::commits(&self.api, commit, path),
        }
    }

    /// A commit by its full or abbreviated hash (404 when unknown).
    pub fn commit(&self, hash: &str) -> Call<CommitSummary> {
        match self.flavour() {
            Flavour::Cloud => cloud::commit(&self.api, hash),
            Flavour::DataCenter => datacenter::commit(&self.api, hash),
        }
    }

    /// The files that differ between commit `old` and commit `new` in the whole repository, page by page
    /// (Cloud `diffstat`, Data Center `compare/changes`): neither filters folders reliably, so the caller
    /// keeps the paths it wants.
    pub fn changes(&self, new: &str, old: &str) -> Pager<FileChange> {
        let call = match self.flavour() {
            Flavour::Cloud => cloud::diffstat(&self.api, new, old),
            Flavour::DataCenter => datacenter::compare_changes(&self.api, new, old),
        };
        Pager::new(&self.api, call).with_max_pages(LISTING_MAX_PAGES)
    }
}

/// The writes of one repository to one branch, opened by a [`WritePermit`] ([`Remote::writer`]).
#[derive(Debug)]
pub struct Writer<'a> {
    remote: &'a Remote,
    branch: &'a str,
}

impl Writer<'_> {
    /// The branch every write goes to: the permit's.
    pub fn branch(&self) -> &str {
        self.branch
    }

    /// Tags a commit (of the branch).
    pub fn create_tag(&self, name: &str, commit: &str, message: &str) -> Call<()> {
        let api = &self.remote.api;
        match self.remote.flavour() {
            Flavour::Cloud => cloud::create_tag(api, name, commit),
            Flavour::DataCenter => datacenter::create_tag(api, name, commit, message),
        }
    }

    /// Creates the branch at a commit (a push of no change to a new branch).
    pub fn create_branch(&self, commit: &str) -> Call<()> {
        let (api, name) = (&self.remote.api, self.branch);
        let request = match self.remote.flavour() {
            Flavour::Cloud => cloud::create_branch(api, name, commit).request,
            Flavour::DataCenter => datacenter::create_branch(api, name, commit).request,
        };
        let subject = format!("The branch `{name}`");
        api.call(request, Operation::CreateBranch, subject, |_| Some(()))
    }

    /// The call of `write` on top of `parent` (the commit the previous write made), which reads the
    /// commit Data Center's answer names (Cloud's names none). A Data Center edit that creates the branch
    /// starts it from `source_branch`.
    pub(crate) fn write(
        &self,
        write: &Write,
        content: &WriteContent<'_>,
        parent: &str,
        source_branch: Option<String>,
    ) -> Call<Option<CommitSummary>> {
        match write {
            Write::Cloud { part, message } => {
                let mut files: Vec<(String, Vec<u8>)> = part
                    .writes
                    .iter()
                    .map(|path| (path.clone(), content.bytes(path).to_vec()))
                    .collect();
                if part.includes_manifest {
                    let manifest = content.changes.manifest_writes();
                    files.extend(manifest.map(|(path, bytes)| (path.to_owned(), bytes.to_vec())));
                }
                let commit = cloud::CommitFiles {
                    message: message.clone(),
                    author: None,
                    parent: Some(parent.to_owned()),
                    files,
                    deletions: part.deletions.clone(),
                };
                self.commit_files(&commit).map(|()| None)
            }
            Write::DataCenter { path, exists } => {
                let edit = datacenter::EditFile {
                    path: path.clone(),
                    content: content.bytes(path).to_vec(),
                    message: content.message.to_owned(),
                    source_commit_id: exists.then(|| parent.to_owned()),
                    source_branch,
                };
                self.edit_file(&edit).map(Some)
            }
        }
    }

    /// The call of one file's own commit (`file`: its path and content), the way a per-file client makes
    /// it (benchmarks), reading the commit Data Center's answer names. A Data Center edit is based on
    /// `tip`; a Cloud commit names `tip` as its parent only when the write creates the branch
    /// (`creating`: `Some`, with the branch a Data Center edit starts it from).
    #[cfg(feature = "benchmark-strategies")]
    pub(crate) fn write_file(
        &self,
        (path, content): (&str, Vec<u8>),
        message: &str,
        tip: Option<String>,
        creating: Option<Option<String>>,
    ) -> Call<Option<CommitSummary>> {
        if self.remote.commits_one_file_at_a_time() {
            let edit = datacenter::EditFile {
                path: path.to_owned(),
                content,
                message: message.to_owned(),
                source_commit_id: tip,
                source_branch: creating.flatten(),
            };
            self.edit_file(&edit).map(Some)
        } else {
            let commit = cloud::CommitFiles {
                message: message.to_owned(),
                author: None,
                parent: tip.filter(|_| creating.is_some()),
                files: vec![(path.to_owned(), content)],
                deletions: Vec::new(),
            };
            self.commit_files(&commit).map(|()| None)
        }
    }

    /// One Cloud commit of many files on the branch.
    pub fn commit_files(&self, commit: &cloud::CommitFiles) -> Call<()> {
        cloud::commit_files(&self.remote.api, self.branch, commit)
    }

    /// One Data Center commit of one file on the branch.
    pub fn edit_file(&self, edit: &datacenter::EditFile) -> Call<CommitSummary> {
        datacenter::edit_file(&self.remote.api, self.branch, edit)
    }

    /// A git push to the repository at `url` ([`git_http::repository_url`], Data Center) of `pack`,
    /// as `advertisement` allows: the branch moves from `old` to `new` (`old` zero: it is created;
    /// `None`: it does not move) and the version `tag`, if any, is created at `new`, in one atomic
    /// update. Only the permit's branch and tags are ever named.
    pub fn git_push(
        &self,
        url: &str,
        advertisement: &Advertisement,
        moves: GitMoves<'_>,
        pack: &[u8],
    ) -> Result<(Call<Report>, Vec<RefUpdate>), PushRequestError> {
        let branch = moves.old.map(|old| RefUpdate {
            name: format!("refs/heads/{}", self.branch),
            old,
            new: moves.new,
        });
        let tag = moves.tag.map(|tag| RefUpdate {
            name: format!("refs/tags/{tag}"),
            old: ObjectId::ZERO,
            new: moves.new,
        });
        let updates: Vec<RefUpdate> = branch.into_iter().chain(tag).collect();
        let body = push_body(advertisement, &updates, pack)?;
        let call = git_http::receive_pack(&self.remote.api, url, self.branch, body);
        Ok((call, updates))
    }
}

/// One write of a push, as each product takes it.
#[derive(Debug, Clone)]
pub(crate) enum Write {
    /// A Cloud commit of one part.
    Cloud { part: CommitPart, message: String },
    /// A Data Center edit of one file.
    DataCenter { path: String, exists: bool },
}

impl Write {
    /// The files and bytes the write holds, of `content`.
    pub(crate) fn size(&self, content: &WriteContent<'_>) -> (usize, u64) {
        match self {
            Write::Cloud { part, .. } => {
                let manifest = match part.includes_manifest {
                    true => content.changes.manifest_writes().count(),
                    false => 0,
                };
                (part.writes.len() + manifest, part.bytes)
            }
            Write::DataCenter { path, .. } => (1, content.bytes(path).len() as u64),
        }
    }

    /// What a 409 on the write means when it was not this push's own commit.
    pub(crate) fn conflict(&self, manifest_path: &str) -> WriteConflict {
        match self {
            Write::Cloud { .. } => WriteConflict::BranchMoved,
            // The file exists after all (left by an earlier, interrupted push): update it.
            Write::DataCenter {
                path,
                exists: false,
            } => WriteConflict::FileExists(Write::DataCenter {
                path: path.clone(),
                exists: true,
            }),
            Write::DataCenter { path, .. } if path == manifest_path => WriteConflict::BranchMoved,
            Write::DataCenter { .. } => WriteConflict::Unchanged,
        }
    }

    /// The message of the commit the write makes.
    pub(crate) fn message(&self, content: &WriteContent<'_>) -> String {
        match self {
            Write::Cloud { message, .. } => message.clone(),
            Write::DataCenter { .. } => content.message.to_owned(),
        }
    }
}

/// What a 409 on a write that was not the push's own commit means ([`Write::conflict`]).
#[derive(Debug, Clone)]
pub(crate) enum WriteConflict {
    /// The branch moved: on Cloud, or the manifest on Data Center.
    BranchMoved,
    /// The file existed (Data Center): the write again, as the edit of that file.
    FileExists(Write),
    /// The branch holds the file's content already (Data Center): nothing to commit for it.
    Unchanged,
}

/// What the writes of a push hold ([`Writer::write`]).
#[derive(Debug)]
pub(crate) struct WriteContent<'a> {
    /// Every file but the manifest.
    pub(crate) files: &'a LocalFiles,
    /// The push's changes, with the manifest's files it writes.
    pub(crate) changes: &'a ChangeSet,
    /// The message of a Data Center edit.
    pub(crate) message: &'a str,
}

impl WriteContent<'_> {
    /// The bytes written at `path`.
    pub(crate) fn bytes(&self, path: &str) -> Cow<'_, [u8]> {
        self.changes.content(self.files, path)
    }
}

/// The refs a git push moves ([`Writer::git_push`]).
#[derive(Debug, Clone, Copy)]
pub struct GitMoves<'a> {
    /// Where the branch is expected to be (the zero id: it is created), `None`: it does not move.
    pub old: Option<ObjectId>,
    /// Where the branch and the tag go.
    pub new: ObjectId,
    /// The version tag to create.
    pub tag: Option<&'a str>,
}

/// The web page of a commit, for links after a push.
pub fn commit_web_url(location: &RepositoryLocation, hash: &str) -> String {
    let origin = web_origin(location);
    match location.flavour {
        Flavour::Cloud => format!(
            "{origin}/{}/{}/commits/{hash}",
            location.owner, location.slug
        ),
        Flavour::DataCenter => {
            let owner = match location.owner.strip_prefix('~') {
                Some(user) => format!("users/{user}"),
                None => format!("projects/{}", location.owner),
            };
            format!(
                "{origin}{}/{owner}/repos/{}/commits/{hash}",
                location.context_path, location.slug
            )
        }
    }
}

fn web_origin(location: &RepositoryLocation) -> String {
    let scheme = if crate::repo_url::is_loopback(&location.host) {
        "http"
    } else {
        "https"
    };
    let host = match location.host.as_str() {
        "api.bitbucket.org" => "bitbucket.org",
        host => host,
    };
    match location.port {
        Some(port) => format!("{scheme}://{host}:{port}"),
        None => format!("{scheme}://{host}"),
    }
}

/// Files a listing of a branch without manifest may hold.
pub const MAX_LISTED_FILES: usize = 200_000;

/// The status Bitbucket Cloud answers when it took too long to produce an answer (a diff, a patch, a
/// listing) and gave up: asked again, the same request takes as long.
pub(crate) const CLOUD_TIMED_OUT: u16 = 555;
