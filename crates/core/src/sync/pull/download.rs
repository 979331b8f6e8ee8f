//! The pull planner's downloads: which files it reads, in archives or one by one, and the parts an
//! archive too large is split into.

use std::collections::BTreeSet;

use super::planner::{ArchiveRound, Fetch, PullPlanner, Stage};
use super::preview::{BulkRead, BulkRefusal};
use crate::artifacts::archive::ArchiveLimits;
use crate::artifacts::{
    read_ahead, FileContents, FileSource, LayoutOptions, Manifest, ProjectFiles, ReadLimits,
};
use crate::bitbucket::{ApiError, ApiResponse};
use crate::sync::job::Job;
use crate::sync::parts::FolderPart;
use crate::sync::remote::ArchiveContent;
use crate::sync::three_way::{Classified, SideChange, Status};

impl PullPlanner {
    /// Classifies what is known and downloads what the pull needs.
    pub(super) fn plan_downloads(&mut self) -> Stage {
        let pending: Vec<Fetch> = match &self.manifest {
            Some(manifest) => {
                let manifest = self.checked_manifest(manifest.clone());
                self.classify(&manifest);
                self.list_unlisted(&manifest);
                let mut paths: BTreeSet<String> = self
                    .classified
                    .values()
                    .filter(|c| needs_remote(c))
                    .filter_map(|c| c.remote.as_ref().map(|r| r.path.to_string()))
                    .collect();
                paths.extend(self.check_changes(&manifest));
                self.compared = manifest;
                paths
                    .into_iter()
                    .map(|path| Fetch { path, base: false })
                    .chain(self.base_fetches())
                    .collect()
            }
            None => {
                let readable = self.readable_listed();
                readable
                    .into_iter()
                    .map(|path| Fetch { path, base: false })
                    .collect()
            }
        };
        self.download(pending)
    }

    pub(super) fn download(&mut self, pending: Vec<Fetch>) -> Stage {
        self.retrying.progress.files_total += pending.len();
        // Files read beside the manifest's parts are not read again.
        let (ready, pending): (Vec<Fetch>, Vec<Fetch>) = pending
            .into_iter()
            .partition(|f| !f.base && self.prefetch.files.contains_key(&f.path));
        for fetch in ready {
            let bytes = self.prefetch.files.remove(&fetch.path).unwrap_or_default();
            self.received(fetch, bytes);
        }
        if pending.is_empty() {
            return self.after_downloads();
        }
        match self.archive_parts(&pending) {
            Some(parts) => Stage::Archive {
                parts,
                waiting: (pending.iter())
                    .filter(|fetch| !fetch.base)
                    .map(|fetch| fetch.path.clone())
                    .collect(),
                pending,
                tries: 0,
            },
            None => {
                if let Some(bulk) = &mut self.bulk {
                    bulk.per_file += pending.len();
                }
                Stage::Download { pending, tries: 0 }
            }
        }
    }

    /// The folder in a few requests instead of one read per file ([`Remote::folder_parts`]), when the
    /// pull needs more than one round of reads and at least half of the folder: a restore, or a tree
    /// without manifest. Per-file baselines never use them. `None` when the product cannot (Cloud without
    /// the folder's origin), which the preview tells ([`PullPreview::bulk_read`]).
    fn archive_parts(&mut self, pending: &[Fetch]) -> Option<Vec<FolderPart>> {
        let wanted = pending.iter().filter(|f| !f.base).count();
        let folder = self.compared.files.len().max(wanted);
        let worth_it = !self.baseline() && wanted > self.concurrency() && wanted * 2 >= folder;
        if !worth_it {
            return None;
        }
        let origin = self.manifest.as_ref().and_then(Manifest::origin_commit);
        let parts = self
            .remote
            .folder_parts(&self.tip.id, self.options.root(), origin);
        self.bulk = Some(BulkRead {
            requests: 0,
            per_file: 0,
            per_file_requests: 0,
            refused: parts.is_none().then_some(BulkRefusal::NoOrigin),
        });
        parts
    }

    /// Counts requests of the bulk read.
    fn bulk_requests(&mut self, requests: usize) {
        if let Some(bulk) = &mut self.bulk {
            bulk.requests += requests;
        }
    }

    /// Records why some of the folder could not be read in bulk (the first reason found).
    fn refuse_bulk(&mut self, reason: BulkRefusal) {
        if let Some(bulk) = &mut self.bulk {
            bulk.refused.get_or_insert(reason);
        }
    }

    /// Takes the parts' files for the pending reads at the tip. A Cloud range too large to produce in
    /// time ([`CLOUD_TIMED_OUT`](crate::sync::remote::CLOUD_TIMED_OUT)) or to read is split
    /// ([`Stage::Split`]). What the parts do not hold, or all of a part when it cannot be had (an
    /// instance that does not serve archives, a damaged or oversized one, a single commit too large for
    /// Cloud to show in time), is read file by file, which reports each file's own problem. Parts refused
    /// for a while (429, 5xx, no answer) are asked again first.
    pub(super) fn handle_archive(
        &mut self,
        (parts, waiting, tries): (Vec<FolderPart>, BTreeSet<String>, u32),
        pending: Vec<Fetch>,
        answers: Vec<Result<ApiResponse, ApiError>>,
    ) -> Stage {
        let mut round = ArchiveRound {
            again: Vec::new(),
            split: Vec::new(),
            retry_error: None,
            pending,
            waiting,
            tries,
        };
        self.bulk_requests(answers.len());
        let mut zips = Vec::new();
        for (part, answer) in parts.into_iter().zip(answers) {
            let call = self.remote.archive(&self.tip.id, &part);
            match answer.and_then(|response| call.parse(&response)) {
                Ok(bytes) => match self
                    .remote
                    .archive_content(bytes, &ArchiveLimits::default())
                {
                    ArchiveContent::Files(files) => self.take_archived(&mut round, files),
                    ArchiveContent::Zip(zip) => zips.push(zip),
                },
                Err(error) => match BulkRefusal::of(&error) {
                    BulkRefusal::TooLarge if matches!(part, FolderPart::Range { .. }) => {
                        round.split.push(part)
                    }
                    BulkRefusal::Unreachable => {
                        round.retry_error = Some(error);
                        round.again.push(part);
                    }
                    reason => self.refuse_bulk(reason),
                },
            }
        }
        match zips.is_empty() {
            true => self.after_archive(round),
            false => Stage::Unpack {
                zips,
                round: Box::new(round),
            },
        }
    }

    /// Splits each Cloud range of the round at a commit of its listing; a range that holds a single
    /// commit (as far as the folder goes), or whose commits cannot be listed, is read file by file.
    pub(super) fn handle_split(
        &mut self,
        mut round: ArchiveRound,
        answers: Vec<Result<ApiResponse, ApiError>>,
    ) -> Stage {
        self.bulk_requests(answers.len());
        let root = self.options.root().to_owned();
        for (part, answer) in std::mem::take(&mut round.split).into_iter().zip(answers) {
            let Some(call) = self.remote.commits_within(&part, &root) else {
                continue;
            };
            match answer.and_then(|response| call.parse(&response)) {
                Ok(page) => match part.halves(&page.values) {
                    Some(halves) => round.again.extend(halves),
                    None => self.refuse_bulk(BulkRefusal::TooLarge),
                },
                Err(error) => self.refuse_bulk(BulkRefusal::of(&error)),
            }
        }
        self.after_archive(round)
    }

    /// Lists the commits of the ranges to split, asks for the parts to read (again), or reads what the
    /// parts did not hold (or held damaged) file by file.
    pub(super) fn after_archive(&mut self, mut round: ArchiveRound) -> Stage {
        if !round.split.is_empty() {
            return Stage::Split(Box::new(round));
        }
        if !round.again.is_empty() {
            let again = match round.retry_error.take() {
                Some(error) => self.retrying.schedule_batch(&mut round.tries, &error),
                None => true,
            };
            if again {
                return Stage::Archive {
                    parts: std::mem::take(&mut round.again),
                    pending: round.pending,
                    waiting: round.waiting,
                    tries: round.tries,
                };
            }
            self.refuse_bulk(BulkRefusal::Unreachable);
        }
        let ArchiveRound {
            pending, waiting, ..
        } = round;
        let rest: Vec<Fetch> = (pending.into_iter())
            .filter(|fetch| fetch.base || waiting.contains(&fetch.path))
            .collect();
        if let Some(bulk) = &mut self.bulk {
            bulk.per_file += rest.len();
        }
        match rest.is_empty() {
            true => self.after_downloads(),
            false => Stage::Download {
                pending: rest,
                tries: 0,
            },
        }
    }

    /// Keeps the files of a part the round waits for, as the part arrives: a large folder is never
    /// held whole as bytes. A member that does not match the manifest is left waiting, to be read once
    /// more by itself before it is reported (a part of a patch or archive may have come back damaged).
    pub(super) fn take_archived(&mut self, round: &mut ArchiveRound, files: ProjectFiles) {
        for (path, bytes) in files {
            if !round.waiting.contains(&path) {
                continue;
            }
            let file = kept(&path, bytes, &self.options);
            if self.mismatch(&path, &file).is_none() {
                round.waiting.remove(&path);
                self.keep(path, file);
            }
        }
    }

    /// Keeps a downloaded file.
    pub(super) fn received(&mut self, fetch: Fetch, bytes: Vec<u8>) {
        match fetch.base {
            true => {
                self.count_done(bytes.len() as u64);
                self.base_files.insert(fetch.path, bytes);
            }
            false => {
                let file = kept(&fetch.path, bytes, &self.options);
                self.keep(fetch.path, file);
            }
        }
    }

    /// Keeps a file downloaded at the tip.
    fn keep(&mut self, path: String, file: FileContents) {
        self.count_done(file.size());
        self.downloaded.insert(path, file);
    }

    /// Counts a file downloaded, of `bytes`.
    fn count_done(&mut self, bytes: u64) {
        let progress = &mut self.retrying.progress;
        progress.files_done += 1;
        progress.bytes_done += bytes;
    }
}

/// A downloaded file as the pull keeps it: a test case's read at once, so that a large pull does not
/// hold every file's bytes beside what they read as (the bytes are kept only when the test case would
/// write others); any other file, or one that does not read cleanly, as its bytes (checked with the
/// rest).
fn kept(path: &str, bytes: Vec<u8>, options: &LayoutOptions) -> FileContents {
    let limits = ReadLimits {
        verify_manifest: false,
        ..ReadLimits::default()
    };
    read_ahead(path, bytes, None, options, &limits)
}

/// Whether the pull may take the remote version and does not have its bytes locally.
fn needs_remote(classified: &Classified) -> bool {
    let may_take = matches!(
        classified.status,
        Status::Remote(SideChange::Added | SideChange::Changed) | Status::Conflict(_)
    );
    match (&classified.remote, &classified.local) {
        (Some(remote), Some(local)) => may_take && remote.sha256 != local.sha256,
        (Some(_), None) => may_take,
        (None, _) => false,
    }
}
