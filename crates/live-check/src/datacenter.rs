//! The checks of a Bitbucket Data Center repository (reached directly: the checker is no browser, and
//! sends a browser's `User-Agent` and `Origin` only where a check says so).

use std::collections::{BTreeMap, BTreeSet};

use versioning_core::artifacts::archive::{read_zip, ArchiveLimits};
use versioning_core::bitbucket::cloud::FileChangeKind;
use versioning_core::bitbucket::datacenter::{self, EditFile};
use versioning_core::bitbucket::CommitSummary;
use versioning_core::sync::ArchiveContent;
use versioning_core::ValidConnection;

use crate::common::{commits_touching, connection_test, new_branch, tag};
use crate::report::{short, Check};
use crate::run::{content, describe, json_number, outgoing, paths, Created, Run, FOLDER};

/// A browser's `User-Agent` (Atlassian's XSRF filter looks for `Mozilla`).
const BROWSER: &str =
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36";

/// A page's origin that is not Data Center's own.
const FOREIGN_ORIGIN: &str = "https://portal.example.com";

/// Data Center's `content.upload.max.size` as seen in a public configuration (5 MiB), which the
/// sandbox applies by default.
const UPLOAD_LIMIT: usize = 5 * 1024 * 1024;

const ONE: &str = "live-check/one.json";
const SUB: &str = "live-check/sub";
const OTHER: &str = "live-check/other";
const MORE: [&str; 4] = [
    "live-check/sub/two.json",
    "live-check/sub/deeper/three.json",
    "live-check/subway.json",
    "live-check/other/four.json",
];

/// The ids of the checks [`checks`] makes, in order (the clean-up comes after).
pub const CHECKS: &[&str] = &[
    "dc.connection-test",
    "dc.page-length",
    "dc.edit-new-branch",
    "dc.edit-existing-branch",
    "dc.edit-existing-file",
    "dc.source-branch-existing",
    "dc.xsrf-put",
    "dc.xsrf-post",
    "dc.file-read",
    "dc.files-listing",
    "dc.compare-changes",
    "dc.archive",
    "dc.archive-repeated-path",
    "dc.commits-touching",
    "dc.upload-limit",
    "dc.tag",
    "dc.new-branch",
    "dc.cors",
];

/// Every Data Center check, in order (the clean-up comes after, in `main`).
pub fn checks(run: &mut Run, connection: &ValidConnection) {
    if !connection_test(run, connection, "dc") {
        return;
    }
    page_length(run);
    if !edit_new_branch(run) {
        return;
    }
    edit_existing_branch(run);
    edit_existing_file(run);
    source_branch_on_existing(run);
    xsrf_put(run);
    xsrf_post(run);
    file_read(run);
    files_listing(run);
    compare_changes(run);
    archive(run);
    commits_touching(run, "dc");
    upload_limit(run);
    tag(run, "dc");
    new_branch(run, "dc");
    cors(run);
}

fn page_length(run: &mut Run) {
    let check = Check::new(
        "dc.page-length",
        "The largest page the product asks Data Center for is limit=1000 (files, compare/changes; branches \
         100), followed by nextPageStart until isLastPage.",
        "HTTP 200 pages of the branches (limit 100) and the files (limit 1000); a smaller limit answered \
         is followed page by page",
    );
    let api = run.remote.api().clone();
    let requests = [
        ("branches", datacenter::branches(&api, None).request, 100),
        (
            "files",
            datacenter::list_files(&api, "", &run.main_tip()).request,
            1000,
        ),
    ];
    let mut seen = Vec::new();
    let mut ok = true;
    for (what, request, asked) in requests {
        match run.http.api(&request) {
            Ok(response) => {
                let limit = json_number(&response, "limit");
                ok &= response.status == 200;
                let capped = match limit {
                    Some(limit) if limit < asked => format!(" (capped at {limit})"),
                    _ => String::new(),
                };
                seen.push(format!(
                    "{what}: HTTP {}, limit {}{capped}",
                    response.status,
                    limit.map_or("not given".to_owned(), |l| l.to_string())
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

/// One file edit with the product's request on `branch`, optionally changed (a browser's headers); the
/// answer and the commit it names.
fn edit(
    run: &mut Run,
    branch: &str,
    edit: &EditFile,
    extra: &[(&str, &str)],
) -> Result<(Option<CommitSummary>, String, u16), String> {
    let permit = run.permit(branch);
    let call = run.remote.writer(&permit).edit_file(edit);
    let mut request = outgoing(&call.request);
    for (name, value) in extra {
        request = request.header(name, value);
    }
    let response = run.send(request)?;
    let commit = call.parse(&response).ok();
    if let Some(commit) = &commit {
        if branch == run.branch {
            run.tip = Some(commit.id.clone());
            if edit.path.starts_with(&format!("{FOLDER}/")) {
                run.files.insert(edit.path.clone(), edit.content.clone());
            }
            if edit.path == crate::run::TOUCHED {
                run.touched.push(commit.id.clone());
            }
        }
    }
    Ok((commit, describe(&response), response.status))
}

fn new_file(path: &str, source_branch: Option<String>) -> EditFile {
    EditFile {
        path: path.to_owned(),
        content: content(path, 1),
        message: format!("live-check: {path} (this branch is removed at the end)"),
        source_commit_id: None,
        source_branch,
    }
}

fn edit_new_branch(run: &mut Run) -> bool {
    let check = Check::new(
        "dc.edit-new-branch",
        "A push to a new branch makes its first commit with the file editor: PUT …/browse/{path} \
         (multipart content, message, branch, sourceBranch; X-Atlassian-Token: no-check) creates the branch \
         from sourceBranch. This needs the file editor on (feature.file.editor).",
        "HTTP 200 with the new commit, whose parent is the main branch's tip",
    );
    let (branch, main) = (
        run.branch.clone(),
        run.main.clone().map(|m| m.0).unwrap_or_default(),
    );
    let answer = edit(run, &branch, &new_file(ONE, Some(main)), &[]);
    run.created(Created::Branch(branch));
    let check = match answer {
        Err(error) => check.fail(error),
        Ok((Some(commit), observed, _)) => check.verdict(
            commit.parents.first() == Some(&run.main_tip()),
            format!("{observed}; commit {}", short(&commit.id)),
        ),
        Ok((None, observed, status)) => {
            let off = status == 409 && observed.to_ascii_lowercase().contains("disabled");
            match off {
                true => check.reading("file-editor-off").fail(format!(
                    "{observed}: the file editor is off, so the product cannot push to this server"
                )),
                false => check.fail(observed),
            }
        }
    };
    let ok = check.status == crate::report::Status::Pass;
    run.add(check);
    ok
}

fn edit_existing_branch(run: &mut Run) {
    let check = Check::new(
        "dc.edit-existing-branch",
        "Further files of a push are edits on the branch that now exists (branch, no sourceBranch, no \
         sourceCommitId for a new file), one commit each.",
        "HTTP 200 for each, each commit on the one before",
    );
    let branch = run.branch.clone();
    let mut seen = Vec::new();
    let mut ok = true;
    for path in MORE {
        let before = run.tip.clone();
        match edit(run, &branch, &new_file(path, None), &[]) {
            Ok((Some(commit), _, _)) => {
                ok &= commit.parents.first() == before.as_ref();
                seen.push(format!("`{path}`: {}", short(&commit.id)));
            }
            Ok((None, observed, _)) => {
                ok = false;
                seen.push(format!("`{path}`: {observed}"));
            }
            Err(error) => {
                ok = false;
                seen.push(format!("`{path}`: {error}"));
            }
        }
    }
    run.add(check.verdict(ok, seen.join("; ")));
}

fn edit_existing_file(run: &mut Run) {
    let check = Check::new(
        "dc.edit-existing-file",
        "A changed file is an edit with sourceCommitId (the commit the product read it at); an edit whose \
         sourceCommitId is older than the file's last change is refused with 409, so the product never \
         writes over a change it did not see.",
        "HTTP 200 with the current tip as sourceCommitId; then HTTP 409 with the older commit",
    );
    let branch = run.branch.clone();
    let first = run.tip.clone();
    let update = EditFile {
        content: content(ONE, 2),
        source_commit_id: first.clone(),
        ..new_file(ONE, None)
    };
    let first_answer = match edit(run, &branch, &update, &[]) {
        Ok((Some(commit), observed, _)) => format!("{observed}, commit {}", short(&commit.id)),
        Ok((None, observed, _)) => return run.add(check.fail(format!("the update: {observed}"))),
        Err(error) => return run.add(check.fail(format!("the update: {error}"))),
    };
    let stale = EditFile {
        content: content(ONE, 3),
        source_commit_id: first,
        ..new_file(ONE, None)
    };
    let check = match edit(run, &branch, &stale, &[]) {
        Ok((_, observed, status)) => check.verdict(
            status == 409,
            format!("update: {first_answer}; stale: {observed}"),
        ),
        Err(error) => check.fail(format!("update: {first_answer}; stale: {error}")),
    };
    run.add(check);
}

fn source_branch_on_existing(run: &mut Run) {
    let check = Check::new(
        "dc.source-branch-existing",
        "What an edit does whose `branch` exists and whose `sourceBranch` differs is not documented (only \
         that `branch` \"will be created\"). The product checks a new branch's name is free before its first \
         write; the sandbox by default commits onto the existing branch (--dc-source-branch-on-existing \
         commit), the more dangerous reading.",
        "HTTP 200: committed onto the existing branch, sourceBranch ignored (reading: commit)",
    );
    let (branch, main) = (
        run.branch.clone(),
        run.main.clone().map(|m| m.0).unwrap_or_default(),
    );
    let before = run.tip.clone();
    let path = "live-check/source-branch.json";
    let check = match edit(run, &branch, &new_file(path, Some(main)), &[]) {
        Err(error) => check.fail(error),
        Ok((Some(commit), observed, _)) => {
            let onto = commit.parents.first() == before.as_ref();
            match onto {
                true => check.reading("commit").pass(format!(
                    "{observed}; commit {} on the branch's tip",
                    short(&commit.id)
                )),
                false => check.differs(
                    "restart",
                    format!(
                        "{observed}; commit {} on {:?}, not on the branch's tip",
                        short(&commit.id),
                        commit.parents.first().map(|p| short(p))
                    ),
                ),
            }
        }
        Ok((None, observed, 400)) => check.differs("refuse", observed),
        Ok((None, observed, _)) => check.fail(observed),
    };
    run.add(check);
}

fn xsrf_put(run: &mut Run) {
    let check = Check::new(
        "dc.xsrf-put",
        "Atlassian's XSRF filter refuses only a browser's POST from another origin; a PUT passes (it is \
         only logged), so file edits pass through a relay whatever it does with Origin.",
        "the product's file edit with a browser's User-Agent and a foreign Origin: HTTP 200 (reading: \
         passes)",
    );
    let branch = run.branch.clone();
    let path = "live-check/xsrf-put.json";
    let extra = [("User-Agent", BROWSER), ("Origin", FOREIGN_ORIGIN)];
    let check = match edit(run, &branch, &new_file(path, None), &extra) {
        Err(error) => check.fail(error),
        Ok((Some(_), observed, _)) => check.reading("passes").pass(observed),
        Ok((None, observed, 403)) => check.differs("refused", observed),
        Ok((None, observed, _)) => check.fail(observed),
    };
    run.add(check);
}

fn xsrf_post(run: &mut Run) {
    let check = Check::new(
        "dc.xsrf-post",
        "Atlassian's XSRF filter refuses a POST whose User-Agent is a browser's and whose Origin is not \
         Data Center's own, whatever X-Atlassian-Token says: why a browser reaches Data Center through a \
         relay that sends Data Center's own Origin.",
        "the product's tag creation with a browser's User-Agent and a foreign Origin: HTTP 403 \"XSRF check \
         failed\", no tag made (reading: refused)",
    );
    let (name, tip) = (run.refused_tag.clone(), run.tip.clone().unwrap_or_default());
    let permit = run.permit(&run.branch.clone());
    let call = run
        .remote
        .writer(&permit)
        .create_tag(&name, &tip, "live-check: must be refused");
    let request = outgoing(&call.request)
        .header("User-Agent", BROWSER)
        .header("Origin", FOREIGN_ORIGIN);
    let check = match run.send(request) {
        Err(error) => {
            run.created(Created::Tag(name));
            check.fail(error)
        }
        Ok(response) if response.status == 403 => {
            let text = String::from_utf8_lossy(&response.body).to_string();
            match text.contains("XSRF") {
                true => check.reading("refused").pass(describe(&response)),
                false => check.fail(describe(&response)),
            }
        }
        Ok(response) if response.is_success() => {
            run.created(Created::Tag(name));
            check.differs("passes", describe(&response))
        }
        Ok(response) => check.fail(describe(&response)),
    };
    run.add(check);
}

fn file_read(run: &mut Run) {
    let check = Check::new(
        "dc.file-read",
        "A file reads back byte for byte with raw/{path}?at={commit}.",
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

fn files_listing(run: &mut Run) {
    let check = Check::new(
        "dc.files-listing",
        "files/{folder}?at={commit}&limit=1000 lists every file below a folder, recursively, as paths \
         relative to it.",
        "every file of the scratch branch's folder",
    );
    let tip = run.tip.clone().unwrap_or_default();
    let mut listing = run.remote.listing(&tip, FOLDER);
    let mut listed = BTreeSet::new();
    while let Some(request) = listing.next_request() {
        let response = match run.http.api(&request) {
            Ok(response) => response,
            Err(error) => return run.add(check.fail(error)),
        };
        match listing.handle_response(&response) {
            Ok(page) => listed.extend(page.files),
            Err(_) => return run.add(check.fail(crate::run::refusal(&response))),
        }
    }
    let expected: BTreeSet<String> = run.files.keys().cloned().collect();
    run.add(check.verdict(listed == expected, format!("listed: {}", paths(&listed))));
}

fn compare_changes(run: &mut Run) {
    let check = Check::new(
        "dc.compare-changes",
        "compare/changes?from={new}&to={old}&limit=1000 lists the files changed between two commits.",
        "the files of the scratch branch, each ADD",
    );
    let (tip, main_tip) = (run.tip.clone().unwrap_or_default(), run.main_tip());
    let pager = run.remote.changes(&tip, &main_tip);
    let check = match run.pages(pager) {
        Err(error) => check.fail(error),
        Ok((changes, answers)) => {
            let listed: BTreeSet<String> = changes.iter().map(|c| c.path.clone()).collect();
            let expected: BTreeSet<String> = run.files.keys().cloned().collect();
            let added = changes.iter().all(|c| c.kind == FileChangeKind::Added);
            let limit = answers.first().and_then(|a| json_number(a, "limit"));
            check.verdict(
                listed == expected && added,
                format!(
                    "listed: {} (limit {})",
                    paths(&listed),
                    limit.map_or("not given".to_owned(), |l| l.to_string())
                ),
            )
        }
    };
    run.add(check);
}

/// The files of an archive answer, or what went wrong.
fn zip_files(bytes: &[u8]) -> Result<BTreeMap<String, Vec<u8>>, String> {
    read_zip(bytes, &ArchiveLimits::default()).map_err(|problems| {
        problems
            .iter()
            .map(|p| format!("{} {}", p.path, p.message))
            .collect::<Vec<_>>()
            .join("; ")
    })
}

fn archive(run: &mut Run) {
    let check = Check::new(
        "dc.archive",
        "A pull reads the artifact folder in bulk as archive?at={commit}&format=zip&path={folder}: a zip whose \
         entries are named by their repository paths.",
        "the zip holds every file of the scratch branch's folder, as written",
    );
    let tip = run.tip.clone().unwrap_or_default();
    let parts = run
        .remote
        .folder_parts(&tip, FOLDER, None)
        .unwrap_or_default();
    let mut files = BTreeMap::new();
    for part in &parts {
        let call = run.remote.archive(&tip, part);
        match run.call(&call) {
            Ok((bytes, _)) => match run.remote.archive_content(bytes, &ArchiveLimits::default()) {
                ArchiveContent::Zip(bytes) => match zip_files(&bytes) {
                    Ok(read) => files.extend(read),
                    Err(problems) => return run.add(check.fail(problems)),
                },
                ArchiveContent::Files(read) => files.extend(read),
            },
            Err(error) => return run.add(check.fail(error)),
        }
    }
    let read: BTreeSet<String> = files.keys().cloned().collect();
    let ok = !parts.is_empty() && files == run.files;
    run.add(check.verdict(
        ok,
        format!("{} part(s); held: {}", parts.len(), paths(&read)),
    ));
    let check = Check::new(
        "dc.archive-repeated-path",
        "archive's `path` may be repeated (in the 9.4 description): one request reads several folders.",
        "path=live-check/sub&path=live-check/other: the zip holds the files under both, and no other",
    );
    let call = datacenter::archive(run.remote.api(), &[SUB.to_owned(), OTHER.to_owned()], &tip);
    let expected = run.files_under(&[SUB, OTHER]);
    let check = match run.call(&call) {
        Err(error) => check.fail(error),
        Ok((bytes, _)) => match zip_files(&bytes) {
            Err(problems) => check.fail(problems),
            Ok(files) => {
                let read: BTreeSet<String> = files.keys().cloned().collect();
                check.verdict(files == expected, format!("held: {}", paths(&read)))
            }
        },
    };
    run.add(check);
}

fn upload_limit(run: &mut Run) {
    let check = Check::new(
        "dc.upload-limit",
        "Data Center bounds uploads with content.upload.max.size (5,242,880 bytes seen in a public \
         configuration); whether file edits apply it is open. The sandbox applies 5 MiB by default \
         (--dc-upload-max-bytes 5242880).",
        "a file of 5,242,880 bytes committed, one of 5,242,881 refused (reading: 5242880)",
    );
    if run.skip_upload_probe {
        return run.add(check.skip("--skip-upload-probe"));
    }
    let branch = run.branch.clone();
    let mut outcome = Vec::new();
    let mut seen = Vec::new();
    for (name, size) in [("at-limit", UPLOAD_LIMIT), ("over-limit", UPLOAD_LIMIT + 1)] {
        let probe = EditFile {
            path: format!("live-check-probe/{name}.txt"),
            content: vec![b'a'; size],
            message: format!("live-check: an upload of {size} bytes"),
            source_commit_id: None,
            source_branch: None,
        };
        match edit(run, &branch, &probe, &[]) {
            Ok((commit, observed, _)) => {
                outcome.push(commit.is_some());
                seen.push(format!("{size} bytes: {observed}"));
            }
            Err(error) => return run.add(check.fail(format!("{size} bytes: {error}"))),
        }
    }
    let observed = seen.join("; ");
    let check = match outcome.as_slice() {
        [true, false] => check.reading("5242880").pass(observed),
        [true, true] => check.differs("above-5242880", observed),
        [false, false] => check.differs("below-5242880", observed),
        _ => check.fail(observed),
    };
    run.add(check);
}

fn cors(run: &mut Run) {
    let check = Check::new(
        "dc.cors",
        "Data Center answers no CORS on /rest (no setting turns it on for the REST API): a browser reaches it \
         through a relay.",
        "no Access-Control-Allow-Origin on a GET with a foreign Origin, nor on its preflight (reading: none)",
    );
    let request = datacenter::repository(run.remote.api()).request;
    let get = outgoing(&request).header("Origin", FOREIGN_ORIGIN);
    let preflight = crate::transport::Outgoing {
        method: "OPTIONS".to_owned(),
        url: request.url.clone(),
        headers: vec![
            ("Origin".to_owned(), FOREIGN_ORIGIN.to_owned()),
            ("Access-Control-Request-Method".to_owned(), "GET".to_owned()),
            (
                "Access-Control-Request-Headers".to_owned(),
                "authorization".to_owned(),
            ),
        ],
        body: None,
        max_response_bytes: 1 << 20,
    };
    let mut allowed = Vec::new();
    let mut seen = Vec::new();
    for (what, request) in [("GET", get), ("OPTIONS", preflight)] {
        match run.send(request) {
            Ok(response) => {
                let allow = response
                    .header("Access-Control-Allow-Origin")
                    .map(str::to_owned);
                seen.push(format!(
                    "{what}: HTTP {}, Access-Control-Allow-Origin {}",
                    response.status,
                    allow.as_deref().unwrap_or("absent")
                ));
                allowed.extend(allow);
            }
            Err(error) => return run.add(check.fail(format!("{what}: {error}"))),
        }
    }
    let observed = seen.join("; ");
    run.add(match allowed.is_empty() {
        true => check.reading("none").pass(observed),
        false => check.differs("allowed", observed),
    });
}
