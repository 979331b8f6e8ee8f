//! The trees of a push over git: read from a fetch, or from folder listings and an archive of modes.

use std::collections::{BTreeMap, BTreeSet};

use super::error::GitPushError;
use super::sender::{Answer, GitPush, Stage};
use crate::artifacts::FileSource;
use crate::bitbucket::{datacenter, git_http, ApiError, Call};
use crate::git::{
    archive_modes, tree_plan::join, Commit, FileMode, ListedKind, Object, ObjectId, TreePlan,
    TreeSnapshot,
};
use crate::sync::attempt::Attempt;
use crate::sync::change_set::RemoteState;
use crate::sync::error::SyncError;
use crate::sync::push::message::commit_message;

/// The longest query of paths one archive request carries (URLs stay well below the limits of
/// browsers, relays and Data Center).
const ARCHIVE_QUERY_CHARS: usize = 6_000;

impl GitPush {
    /// The parent's folders that the change touches: from the trees the preview fetched, from a
    /// fetch of them now, or (a server that does not allow that fetch) from folder listings and the
    /// archive.
    pub(super) fn read_parent(&mut self) -> Stage {
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
            None => Stage::Trees(Attempt::new(self.trees_call(tip))),
        }
    }

    pub(super) fn trees_call(&self, tip: ObjectId) -> Call<TreeSnapshot> {
        git_http::fetch_trees(self.remote.api(), &self.url, tip)
    }

    pub(super) fn handle_trees(
        &mut self,
        attempt: &Attempt<TreeSnapshot>,
        answer: Answer,
    ) -> Stage {
        match attempt.read(answer) {
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
    pub(super) fn list_root(&mut self) -> Stage {
        match (&self.trees, self.tip) {
            (Some(trees), Some(_)) => {
                let known = match &self.plan.remote {
                    RemoteState::Managed(manifest) => {
                        trees.folders_holding(manifest.files.iter().map(|e| e.path.as_ref()))
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

    pub(super) fn listing_call(&self, folder: &str, start: u64) -> Call<crate::git::ListingPage> {
        let at = self.tip.map(|tip| tip.to_string()).unwrap_or_default();
        git_http::folder_listing(self.remote.api(), folder, &at, start)
    }

    pub(super) fn handle_listings(
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
        if let Err(error) = self.retrying.retry_batch(&mut tries, failed) {
            return self.fail(SyncError::Api(error));
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
                manifest.files.iter().map(|e| e.path.as_ref()).collect()
            }
            RemoteState::Unmanaged(_) => BTreeSet::new(),
        };
        let local = &self.plan.local;
        let mut unknown = Vec::new();
        for path in trees.kept_files(&self.listings) {
            let ours = local
                .get(&path)
                .map(|file| Object::blob(file.bytes().into_owned()).id());
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

    pub(super) fn archive_call(&self, paths: &[String]) -> Call<Vec<u8>> {
        let at = self.tip.map(|tip| tip.to_string()).unwrap_or_default();
        datacenter::archive(self.remote.api(), paths, &at)
    }

    pub(super) fn handle_modes(
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
    pub(super) fn build(&mut self) -> Stage {
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
}
