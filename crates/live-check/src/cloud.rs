//! The checks of a Bitbucket Cloud repository.

use std::collections::BTreeSet;

use versioning_core::artifacts::archive::ArchiveLimits;
use versioning_core::artifacts::patch::added_files;
use versioning_core::bitbucket::cloud::{self, CommitFiles, FileChangeKind};
use versioning_core::sync::{ArchiveContent, FolderPart};

use crate::cloud_cors::{cors_get, cors_preflight};
use crate::common::{commits_touching, connection_test, new_branch, tag};
use crate::report::{short, snippet, Check};
use crate::run::{
    content, describe, json_number, outgoing, paths, set_query, with_query, Run, FOLDER,
};

/// The files of the first commit (the sub-folder, a deeper one, and a sibling whose name starts like
/// the folder), and the one the second commit deletes.
const SUB: &str = "live-check/sub";
const FIRST: [&str; 5] = [
    "live-check/one.json",
    "live-check/sub/two.json",
    "live-check/sub/deeper/three.json",
    "live-check/subway.json",
    "live-check/gone.json",
];

/// The ids of the checks [`checks`] makes, in order (the clean-up and the checks of every answer come
/// after).
pub const CHECKS: &[&str] = &[
    "cloud.connection-test",
    "cloud.page-length",
    "cloud.pagelen-above-max",
    "cloud.src-listing",
    "cloud.commit",
    "cloud.commit-stale-parent",
    "cloud.file-read",
    "cloud.branch-slash-in-src",
    "cloud.diffstat",
    "cloud.diffstat-path-file",
    "cloud.diffstat-path-folder",
    "cloud.diffstat-repeated-path",
    "cloud.merge-with-topic",
    "cloud.diff-patch",
    "cloud.diff-path-folder",
    "cloud.diff-repeated-path",
    "cloud.commits-path-folder",
    "cloud.commits-touching",
    "cloud.tag",
    "cloud.new-branch",
    "cloud.cors-get",
    "cloud.cors-preflight",
];

/// Every Cloud check, in order (the clean-up and the checks of every answer come after, in `main`).
pub fn checks(run: &mut Run, connection: &versioning_core::ValidConnection) {
    if !connection_test(run, connection, "cloud") {
        return;
    }
    page_length(run);
    pagelen_above_max(run);
    src_listing(run);
    if !commit(run) {
        return;
    }
    stale_parent(run);
    file_read(run);
    slash_branch_in_src(run);
    diffstat(run);
    diffstat_paths(run);
    merge_with_topic(run);
    diff_patch(run);
    diff_paths(run);
    commits_path_folder(run);
    commits_touching(run, "cloud");
    tag(run, "cloud");
    new_branch(run, "cloud");
    cors_get(run);
    cors_preflight(run);
}

fn page_length(run: &mut Run) {
    let check = Check::new(
        "cloud.page-length",
        "The largest page length the product asks for on Cloud, pagelen=100 (branches, src listings, \
         diffstat, commits), is taken and answered in pages of 100.",
        "HTTP 200 with \"pagelen\": 100 on the branches and on a src listing",
    );
    let api = run.remote.api().clone();
    let requests = [
        ("branches", cloud::branches(&api, None).request),
        (
            "src listing",
            cloud::directory(&api, &run.main_tip(), "").request,
        ),
    ];
    let mut seen = Vec::new();
    let mut ok = true;
    for (what, request) in requests {
        match run.http.api(&request) {
            Ok(response) => {
                let pagelen = json_number(&response, "pagelen");
                ok &= response.status == 200 && pagelen.is_none_or(|p| p == 100);
                seen.push(format!(
                    "{what}: HTTP {}, pagelen {}",
                    response.status,
                    pagelen.map_or("not given".to_owned(), |p| p.to_string())
                ));
            }
            Err(error) => {
                ok = false;
                seen.push(format!("{what}: {error}"));
            }
        }
    }
    run.add(check.verdict(ok, seen.join("; ")));
}

fn pagelen_above_max(run: &mut Run) {
    let check = Check::new(
        "cloud.pagelen-above-max",
        "Cloud documents 100 as the largest pagelen; what it does above is open. The product never asks \
         for more; the sandbox refuses by default (--cloud-pagelen-above-max refuse).",
        "pagelen=101 on the branches refused with HTTP 400 (reading: refuse)",
    );
    let request = cloud::branches(run.remote.api(), None).request;
    let request = outgoing(&request);
    let url = set_query(&request.url, "pagelen", "101");
    let answer = run.send(crate::transport::Outgoing { url, ..request });
    let check = match answer {
        Err(error) => check.fail(error),
        Ok(response) if response.status == 400 => check.reading("refuse").pass(describe(&response)),
        Ok(response) if response.status == 200 => {
            let pagelen = json_number(&response, "pagelen");
            let observed = format!(
                "HTTP 200 with pagelen {}",
                pagelen.map_or("not given".to_owned(), |p| p.to_string())
            );
            match pagelen {
                Some(101) => check.differs("accept", observed),
                _ => check.differs("cap", observed),
            }
        }
        Ok(response) => check.fail(describe(&response)),
    };
    run.add(check);
}

fn src_listing(run: &mut Run) {
    let check = Check::new(
        "cloud.src-listing",
        "The product lists a folder one level at a time with src/{commit}/{folder}/ (by hash, pagelen=100) \
         and reads files with src/{commit}/{path}.",
        "the root of the main branch lists its files and folders; a file listed there reads",
    );
    let tip = run.main_tip();
    let listing = run.remote.listing(&tip, "");
    let mut files = Vec::new();
    let mut folders = 0;
    let mut listing = listing;
    let mut failure = None;
    while let Some(request) = listing.next_request() {
        match run.http.api(&request) {
            Ok(response) => match listing.handle_response(&response) {
                Ok(listed) => {
                    folders += listed.folders.len();
                    files.extend(listed.files);
                }
                Err(_) => {
                    failure = Some(crate::run::refusal(&response));
                    break;
                }
            },
            Err(error) => {
                failure = Some(error);
                break;
            }
        }
    }
    if let Some(failure) = failure {
        return run.add(check.fail(failure));
    }
    let read = match files.first() {
        None => "no file at the root to read".to_owned(),
        Some(path) => match run.call(&run.remote.read_file(&tip, path)) {
            Ok((bytes, _)) => format!("`{path}` read, {} bytes", bytes.len()),
            Err(error) => return run.add(check.fail(format!("`{path}`: {error}"))),
        },
    };
    run.add(check.pass(format!(
        "{} files and {folders} folders at the root; {read}",
        files.len()
    )));
}

/// The two commits on the scratch branch: four files and one to delete, then one file changed and that
/// one deleted. False when the branch could not be written.
fn commit(run: &mut Run) -> bool {
    let check = Check::new(
        "cloud.commit",
        "A push commits with POST …/src (multipart: a file field per path, message, branch, parents, \
         files to delete); a new branch is created from `parents`; Bitbucket answers 201 and the product \
         re-reads the branch for the new commit.",
        "HTTP 201 twice; the branch's tip is the second commit, whose parent is the first, whose parent \
         is the main branch's tip",
    );
    let main_tip = run.main_tip();
    let branch = run.branch.clone();
    let permit = run.permit(&branch);
    let first = CommitFiles {
        message: "live-check: a scratch commit (this branch is removed at the end)".to_owned(),
        author: None,
        parent: Some(main_tip.clone()),
        files: FIRST
            .iter()
            .map(|path| (path.to_string(), content(path, 1)))
            .collect(),
        deletions: Vec::new(),
    };
    let call = run.remote.writer(&permit).commit_files(&first);
    let answer = run.http.api(&call.request);
    run.created(crate::run::Created::Branch(branch.clone()));
    let first_answer = match answer {
        Ok(response) if call.parse(&response).is_ok() => response,
        Ok(response) => {
            run.add(check.fail(format!("first commit: {}", describe(&response))));
            return false;
        }
        Err(error) => {
            run.add(check.fail(format!("first commit: {error}")));
            return false;
        }
    };
    let location = first_answer
        .header("Location")
        .map(|l| format!(", Location {l}"))
        .unwrap_or_else(|| ", no Location".to_owned());
    let body = match String::from_utf8_lossy(&first_answer.body).trim() {
        "" => "an empty body".to_owned(),
        text => format!("body {}", snippet(text, 80)),
    };
    let tip1 = match run.call(&run.remote.tip(&branch)) {
        Ok((tip, _)) => tip,
        Err(error) => {
            run.add(check.fail(format!("the branch after the first commit: {error}")));
            return false;
        }
    };
    for path in FIRST {
        run.files.insert(path.to_owned(), content(path, 1));
    }
    run.tip = Some(tip1.id.clone());
    run.touched.push(tip1.id.clone());
    let second = CommitFiles {
        message: "live-check: a second scratch commit".to_owned(),
        author: None,
        parent: Some(tip1.id.clone()),
        files: vec![(FIRST[0].to_owned(), content(FIRST[0], 2))],
        deletions: vec![FIRST[4].to_owned()],
    };
    let call = run.remote.writer(&permit).commit_files(&second);
    let second_answer = match run.http.api(&call.request) {
        Ok(response) => response,
        Err(error) => {
            run.add(check.fail(format!("second commit: {error}")));
            return false;
        }
    };
    let tip2 = run.call(&run.remote.tip(&branch));
    let observed = format!(
        "first: HTTP {}{location}, {body}; second: {}",
        first_answer.status,
        describe(&second_answer)
    );
    match tip2 {
        Ok((tip2, _)) if second_answer.status == 201 => {
            run.files.insert(FIRST[0].to_owned(), content(FIRST[0], 2));
            run.files.remove(FIRST[4]);
            run.tip = Some(tip2.id.clone());
            run.touched.push(tip2.id.clone());
            let chained = tip2.parents == [tip1.id.clone()] && tip1.parents == [main_tip];
            run.add(check.verdict(
                chained,
                format!(
                    "{observed}; tip {} (parents {:?}), first {} (parents {:?})",
                    short(&tip2.id),
                    tip2.parents.iter().map(|p| short(p)).collect::<Vec<_>>(),
                    short(&tip1.id),
                    tip1.parents.iter().map(|p| short(p)).collect::<Vec<_>>()
                ),
            ));
            true
        }
        Ok(_) => {
            run.add(check.fail(observed));
            false
        }
        Err(error) => {
            run.add(check.fail(format!("{observed}; the branch: {error}")));
            false
        }
    }
}

fn stale_parent(run: &mut Run) {
    let check = Check::new(
        "cloud.commit-stale-parent",
        "A commit whose `parents` is no longer the branch's tip is refused with 409 and changes nothing: the \
         product relies on it to never write over a commit it did not see.",
        "HTTP 409; the branch's tip unchanged",
    );
    let tip = run.tip.clone().unwrap_or_default();
    let main_tip = run.main_tip();
    let branch = run.branch.clone();
    let permit = run.permit(&branch);
    let stale = CommitFiles {
        message: "live-check: a commit on a stale parent (must be refused)".to_owned(),
        author: None,
        parent: Some(main_tip),
        files: vec![(FIRST[0].to_owned(), content(FIRST[0], 3))],
        deletions: Vec::new(),
    };
    let call = run.remote.writer(&permit).commit_files(&stale);
    let answer = run.http.api(&call.request);
    let now = run.call(&run.remote.tip(&branch)).map(|(t, _)| t.id);
    let check = match (answer, now) {
        (Err(error), _) => check.fail(error),
        (Ok(response), Ok(now)) => {
            let observed = format!("{}; tip {}", describe(&response), short(&now));
            if now != tip {
                // It landed: what the branch holds is what it wrote.
                run.files.insert(FIRST[0].to_owned(), content(FIRST[0], 3));
                run.tip = Some(now.clone());
                run.touched.push(now.clone());
            }
            check.verdict(response.status == 409 && now == tip, observed)
        }
        (Ok(response), Err(error)) => {
            check.fail(format!("{}; the branch: {error}", describe(&response)))
        }
    };
    run.add(check);
}

fn file_read(run: &mut Run) {
    let check = Check::new(
        "cloud.file-read",
        "A file committed by the product reads back byte for byte with src/{commit}/{path} (by hash).",
        "every file of the scratch branch as written",
    );
    let tip = run.tip.clone().unwrap_or_default();
    let mut wrong = Vec::new();
    for (path, expected) in run.files.clone() {
        match run.call(&run.remote.read_file(&tip, &path)) {
            Ok((bytes, _)) if bytes == expected => {}
            Ok((bytes, _)) => wrong.push(format!("`{path}`: {} other bytes", bytes.len())),
            Err(error) => wrong.push(format!("`{path}`: {error}")),
        }
    }
    let count = run.files.len();
    run.add(match wrong.is_empty() {
        true => check.pass(format!("{count} files read back as written")),
        false => check.fail(wrong.join("; ")),
    });
}

fn slash_branch_in_src(run: &mut Run) {
    let check = Check::new(
        "cloud.branch-slash-in-src",
        "src/{revision}/ does not serve a branch whose name holds `/` (reported by several clients): the \
         product resolves branches to their tip hash with refs/branches/{name} first.",
        "src/live-check%2F…/ answers 404 (reading: not-served)",
    );
    let request = cloud::directory(run.remote.api(), &run.branch, "").request;
    let check = match run.http.api(&request) {
        Err(error) => check.fail(error),
        Ok(response) if response.status == 404 => {
            check.reading("not-served").pass(describe(&response))
        }
        Ok(response) if response.status == 200 => check.differs(
            "served",
            "HTTP 200: the listing of the branch (the product's hash-first reading works either way)",
        ),
        Ok(response) => check.fail(describe(&response)),
    };
    run.add(check);
}

fn diffstat(run: &mut Run) {
    let check = Check::new(
        "cloud.diffstat",
        "diffstat/{new}..{old}?topic=false&pagelen=100 lists every file that differs between two commits \
         (the product keeps the paths it wants: it sends no `path`).",
        "the files of the scratch branch, each `added`",
    );
    let (tip, main_tip) = (run.tip.clone().unwrap_or_default(), run.main_tip());
    let pager = run.remote.changes(&tip, &main_tip);
    let check = match run.pages(pager) {
        Err(error) => check.fail(error),
        Ok((changes, _)) => {
            let listed: BTreeSet<String> = changes.iter().map(|c| c.path.clone()).collect();
            let expected: BTreeSet<String> = run.files.keys().cloned().collect();
            let all_added = changes.iter().all(|c| c.kind == FileChangeKind::Added);
            check.verdict(
                listed == expected && all_added,
                format!("listed: {}", paths(&listed)),
            )
        }
    };
    run.add(check);
}

/// One page of the product's diffstat between the scratch branch and the main branch with `path`s
/// added: the paths listed, or what went wrong.
fn diffstat_with(run: &mut Run, filters: &[&str]) -> Result<BTreeSet<String>, String> {
    let (tip, main_tip) = (run.tip.clone().unwrap_or_default(), run.main_tip());
    let call = cloud::diffstat(run.remote.api(), &tip, &main_tip);
    let pairs: Vec<(&str, &str)> = filters.iter().map(|p| ("path", *p)).collect();
    let mut request = outgoing(&call.request);
    request.url = with_query(&request.url, &pairs);
    let response = run.send(request)?;
    match call.parse(&response) {
        Ok(page) => Ok(page.values.into_iter().map(|c| c.path).collect()),
        Err(_) => Err(crate::run::refusal(&response)),
    }
}

/// One patch between the scratch branch and the main branch with `path`s added: the files it creates
/// whole, or what went wrong.
fn diff_with(run: &mut Run, filters: &[&str]) -> Result<BTreeSet<String>, String> {
    let (tip, main_tip) = (run.tip.clone().unwrap_or_default(), run.main_tip());
    let call = cloud::diff(run.remote.api(), &tip, &main_tip);
    let pairs: Vec<(&str, &str)> = filters.iter().map(|p| ("path", *p)).collect();
    let mut request = outgoing(&call.request);
    request.url = with_query(&request.url, &pairs);
    let response = run.send(request)?;
    match call.parse(&response) {
        Ok(patch) => Ok(added_files(&patch, &ArchiveLimits::default())
            .into_keys()
            .collect()),
        Err(_) => Err(crate::run::refusal(&response)),
    }
}

/// Which reading of one `path` naming a folder a selection shows.
fn folder_reading(selected: &BTreeSet<String>) -> &'static str {
    let under: BTreeSet<String> = [FIRST[1], FIRST[2]].map(str::to_owned).into();
    if selected.is_empty() {
        "file"
    } else if *selected == under {
        "file-or-folder"
    } else if selected.contains(FIRST[3]) {
        "name-prefix"
    } else {
        "other"
    }
}

/// Which reading of two `path`s (`one.json`, then `sub/two.json`) a selection shows.
fn repeated_reading(selected: &BTreeSet<String>) -> &'static str {
    let (one, two) = (selected.contains(FIRST[0]), selected.contains(FIRST[1]));
    match (one, two, selected.len()) {
        (true, true, 2) => "all",
        (false, true, 1) => "last",
        (true, false, 1) => "first",
        _ => "other",
    }
}

fn diffstat_paths(run: &mut Run) {
    let check = Check::new(
        "cloud.diffstat-path-file",
        "diffstat's `path` is documented as \"a particular file\": it selects that file.",
        "path=live-check/sub/two.json lists that file alone",
    );
    let check = match diffstat_with(run, &[FIRST[1]]) {
        Err(error) => check.fail(error),
        Ok(listed) => check.verdict(
            listed.len() == 1 && listed.contains(FIRST[1]),
            format!("listed: {}", paths(&listed)),
        ),
    };
    run.add(check);
    let check = Check::new(
        "cloud.diffstat-path-folder",
        "Whether diffstat's `path` naming a folder selects the files under it is not documented; the \
         sandbox's default reads it as a file only (--cloud-diffstat-path file).",
        "path=live-check/sub lists nothing (reading: file)",
    );
    let check = match diffstat_with(run, &[SUB]) {
        Err(error) => check.fail(error),
        Ok(listed) => match folder_reading(&listed) {
            "file" => check.reading("file").pass("listed: none"),
            reading => check.differs(reading, format!("listed: {}", paths(&listed))),
        },
    };
    run.add(check);
    let check = Check::new(
        "cloud.diffstat-repeated-path",
        "diffstat's `path` \"can be repeated\"; a client library reports that only the last one counts, \
         which the sandbox's default follows (--cloud-diffstat-repeated-path last).",
        "path=live-check/one.json&path=live-check/sub/two.json lists the last one alone (reading: last)",
    );
    let check = match diffstat_with(run, &[FIRST[0], FIRST[1]]) {
        Err(error) => check.fail(error),
        Ok(listed) => match repeated_reading(&listed) {
            "last" => check
                .reading("last")
                .pass(format!("listed: {}", paths(&listed))),
            reading => check.differs(reading, format!("listed: {}", paths(&listed))),
        },
    };
    run.add(check);
}

fn merge_with_topic(run: &mut Run) {
    let check = Check::new(
        "cloud.merge-with-topic",
        "Cloud removed `merge` from diff and diffstat (its description said it cannot be used with \
         `topic`): the product never sends it, and the sandbox refuses it.",
        "the product's diffstat and diff (topic=false) with merge=true added: HTTP 400 each (reading: \
         refused)",
    );
    let (tip, main_tip) = (run.tip.clone().unwrap_or_default(), run.main_tip());
    let api = run.remote.api().clone();
    let mut statuses = Vec::new();
    let mut seen = Vec::new();
    for (what, request) in [
        ("diffstat", cloud::diffstat(&api, &tip, &main_tip).request),
        ("diff", cloud::diff(&api, &tip, &main_tip).request),
    ] {
        let mut request = outgoing(&request);
        request.url = with_query(&request.url, &[("merge", "true")]);
        match run.send(request) {
            Ok(response) => {
                statuses.push(response.status);
                seen.push(format!("{what}: {}", describe(&response)));
            }
            Err(error) => {
                statuses.push(0);
                seen.push(format!("{what}: {error}"));
            }
        }
    }
    let observed = seen.join("; ");
    let check = match statuses.as_slice() {
        [400, 400] => check.reading("refused").pass(observed),
        [200, 200] => check.differs("ignored", observed),
        [a, b] if [*a, *b].iter().all(|s| [200, 400].contains(s)) => {
            check.differs("mixed", observed)
        }
        _ => check.fail(observed),
    };
    run.add(check);
}

fn diff_patch(run: &mut Run) {
    let check = Check::new(
        "cloud.diff-patch",
        "A pull reads the artifact folder in bulk as the patch diff/{tip}..{origin}?topic=false&renames=false\
         &binary=false (no `path`), text/plain, and takes every file it creates whole.",
        "the patch holds every file of the scratch branch, whole, as written",
    );
    let (tip, main_tip) = (run.tip.clone().unwrap_or_default(), run.main_tip());
    let parts = run
        .remote
        .folder_parts(&tip, FOLDER, Some(&main_tip))
        .unwrap_or_default();
    let mut files = std::collections::BTreeMap::new();
    let mut types = Vec::new();
    for part in &parts {
        let call = run.remote.archive(&tip, part);
        match run.call(&call) {
            Ok((bytes, response)) => {
                types.push(
                    response
                        .header("Content-Type")
                        .unwrap_or("no Content-Type")
                        .to_owned(),
                );
                if let ArchiveContent::Files(read) =
                    run.remote.archive_content(bytes, &ArchiveLimits::default())
                {
                    files.extend(read);
                }
            }
            Err(error) => return run.add(check.fail(error)),
        }
    }
    let read: BTreeSet<String> = files.keys().cloned().collect();
    let whole = run.files.iter().all(|(p, c)| files.get(p) == Some(c));
    let observed = format!(
        "{} part(s), {}; whole: {}",
        parts.len(),
        types.join(", "),
        paths(&read)
    );
    run.add(check.verdict(
        whole && !parts.is_empty() && matches!(parts[0], FolderPart::Range { .. }),
        observed,
    ));
}

fn diff_paths(run: &mut Run) {
    let check = Check::new(
        "cloud.diff-path-folder",
        "diff's `path` is documented as \"a particular file\"; whether a folder selects its files is open \
         (the product sends no `path`; the sandbox reads it as diffstat's, --cloud-diffstat-path file).",
        "the patch with path=live-check/sub creates no file (reading: file)",
    );
    let check = match diff_with(run, &[SUB]) {
        Err(error) => check.fail(error),
        Ok(files) => match folder_reading(&files) {
            "file" => check.reading("file").pass("created: none"),
            reading => check.differs(reading, format!("created: {}", paths(&files))),
        },
    };
    run.add(check);
    let check = Check::new(
        "cloud.diff-repeated-path",
        "Whether every repeated `path` of diff counts is open (the sandbox reads it as diffstat's, \
         --cloud-diffstat-repeated-path last).",
        "the patch with path=live-check/one.json&path=live-check/sub/two.json creates the last one alone \
         (reading: last)",
    );
    let check = match diff_with(run, &[FIRST[0], FIRST[1]]) {
        Err(error) => check.fail(error),
        Ok(files) => match repeated_reading(&files) {
            "last" => check
                .reading("last")
                .pass(format!("created: {}", paths(&files))),
            reading => check.differs(reading, format!("created: {}", paths(&files))),
        },
    };
    run.add(check);
}

fn commits_path_folder(run: &mut Run) {
    let check = Check::new(
        "cloud.commits-path-folder",
        "commits/{new}?path={folder}&exclude={old} lists the commits after `old` that touched the folder \
         (`path` is documented there as \"a file or a directory\"): the product splits a patch too slow to \
         produce at one of them.",
        "path=live-check/sub between the main branch and the scratch tip: the first scratch commit alone",
    );
    let (tip, main_tip) = (run.tip.clone().unwrap_or_default(), run.main_tip());
    let part = FolderPart::Range {
        new: tip.clone(),
        old: main_tip,
    };
    let Some(call) = run.remote.commits_within(&part, SUB) else {
        return run.add(check.fail("the product builds no such request"));
    };
    let check = match run.call(&call) {
        Err(error) => check.fail(error),
        Ok((page, _)) => {
            let ids: Vec<String> = page.values.iter().map(|c| short(&c.id)).collect();
            // The first commit is the scratch tip's parent's first ancestor on the branch: the only one
            // of the run that touched the sub-folder.
            let touched_once = page.values.len() == 1 && page.values[0].id != tip;
            check.verdict(touched_once, format!("listed: {}", ids.join(", ")))
        }
    };
    run.add(check);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(paths: &[&str]) -> BTreeSet<String> {
        paths.iter().map(|p| p.to_string()).collect()
    }

    #[test]
    fn selections_tell_the_reading_of_path() {
        assert_eq!(folder_reading(&set(&[])), "file");
        assert_eq!(
            folder_reading(&set(&[FIRST[1], FIRST[2]])),
            "file-or-folder"
        );
        assert_eq!(
            folder_reading(&set(&[FIRST[1], FIRST[2], FIRST[3]])),
            "name-prefix"
        );
        assert_eq!(repeated_reading(&set(&[FIRST[1]])), "last");
        assert_eq!(repeated_reading(&set(&[FIRST[0], FIRST[1]])), "all");
        assert_eq!(repeated_reading(&set(&[FIRST[0]])), "first");
        assert_eq!(repeated_reading(&set(&[])), "other");
    }
}
