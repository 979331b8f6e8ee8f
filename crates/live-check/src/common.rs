//! The checks both products share: the connection test, a version tag, a new branch, and the clean-up.

use versioning_core::bitbucket::{
    encode_component, encode_file_path, ApiError, ConnectionTest, StepStatus, AUTHORIZATION,
};
use versioning_core::{Flavour, ValidConnection};

use crate::report::{short, Check};
use crate::run::{describe, Created, Run};
use crate::transport::Outgoing;

/// The product's connection test, step by step; then the main branch's tip. False when the run cannot
/// go on (a step failed, pushing is not available, or the repository has no main branch).
pub fn connection_test(run: &mut Run, connection: &ValidConnection, prefix: &str) -> bool {
    let check = Check::new(
        &format!("{prefix}.connection-test"),
        "The product's connection test (credentials, repository, permission, main branch and every \
         branch, branch restrictions) passes with these credentials, and finds that they may push.",
        "every step passes; pushing available; a main branch with a commit",
    );
    let flavour = connection.location.flavour;
    let mut test = ConnectionTest::new(connection);
    let mut no_answer = None;
    while let Some(request) = test.next_request() {
        match run.http.api(&request) {
            Ok(response) => test.handle_response(response),
            Err(error) => {
                no_answer = Some(error);
                test.handle_failure(ApiError::from_fetch_failure(flavour, false));
            }
        }
    }
    let Some(outcome) = test.outcome() else {
        let failed = test.steps().iter().find_map(|report| match &report.status {
            StepStatus::Failed(error) => Some(format!("{}: {error}", report.step.label())),
            _ => None,
        });
        let observed = match (failed, no_answer) {
            (Some(failed), Some(error)) => format!("{failed} ({error})"),
            (Some(failed), None) => failed,
            (None, _) => "the test did not finish".to_owned(),
        };
        run.add(check.fail(observed));
        return false;
    };
    if !outcome.push_available {
        let reason = outcome.push_unavailable_reason.unwrap_or_default();
        run.add(check.fail(format!(
            "pushing is not available ({reason}): give the checker credentials that may write to the \
             scratch repository"
        )));
        return false;
    }
    let Some(main) = outcome.main_branch.clone() else {
        run.add(check.fail(
            "the repository has no main branch: the checker needs one with a commit to branch from",
        ));
        return false;
    };
    let tip = match run.call(&run.remote.tip(&main)) {
        Ok((tip, _)) => tip.id,
        Err(error) => {
            run.add(check.fail(format!("the main branch `{main}`: {error}")));
            return false;
        }
    };
    run.main = Some((main.clone(), tip.clone()));
    let identity = outcome
        .identity
        .as_ref()
        .map_or("not told".to_owned(), |i| {
            format!("{} ({})", i.display_name, i.account)
        });
    let restrictions = match outcome.restrictions_visible {
        true => format!("{} branch restrictions", outcome.restrictions.len()),
        false => "branch restrictions not visible".to_owned(),
    };
    run.add(check.pass(format!(
        "user {identity}; permission {:?}{}; main branch `{main}` at {}; {} branches{}; {restrictions}",
        outcome.permission,
        if outcome.permission_inferred {
            " (inferred)"
        } else {
            ""
        },
        short(&tip),
        outcome.branches.len(),
        if outcome.branches_truncated {
            " (truncated)"
        } else {
            ""
        },
    )));
    true
}

/// A version tag on the scratch branch's tip, made with the product's request.
pub fn tag(run: &mut Run, prefix: &str) {
    let check = Check::new(
        &format!("{prefix}.tag"),
        "A version is a tag made with the product's request (Cloud POST …/refs/tags {name, target: \
         {hash}}; Data Center POST …/tags {name, startPoint, message}), once the product saw the name \
         free (GET …/tags/{name}: 404).",
        "HTTP 404 for the name; the tag created (2xx); it names the scratch branch's tip",
    );
    let (name, tip) = (run.tag.clone(), run.tip.clone().unwrap_or_default());
    let before = match run.http.api(&run.remote.tag(&name).request) {
        Ok(response) => response.status,
        Err(error) => return run.add(check.fail(error)),
    };
    let permit = run.permit(&run.branch.clone());
    let call = run.remote.writer(&permit).create_tag(
        &name,
        &tip,
        "live-check: a scratch version (removed at the end)",
    );
    let answer = run.http.api(&call.request);
    run.created(Created::Tag(name.clone()));
    let created = match answer {
        Ok(response) if call.parse(&response).is_ok() => format!("HTTP {}", response.status),
        Ok(response) => {
            return run.add(check.fail(format!(
                "before: HTTP {before}; creation: {}",
                describe(&response)
            )))
        }
        Err(error) => return run.add(check.fail(format!("creation: {error}"))),
    };
    let check = match run.call(&run.remote.tag_commit(&name)) {
        Ok((commit, _)) => check.verdict(
            before == 404 && commit.id == tip,
            format!(
                "before: HTTP {before}; creation: {created}; it names {}",
                short(&commit.id)
            ),
        ),
        Err(error) => check.fail(format!(
            "before: HTTP {before}; creation: {created}; reading it: {error}"
        )),
    };
    run.add(check);
}

/// The commits of one file, newest first, and a commit by its abbreviated hash: how the product lists a
/// branch's versions.
pub fn commits_touching(run: &mut Run, prefix: &str) {
    let check = Check::new(
        &format!("{prefix}.commits-touching"),
        "A branch's versions are the commits that touched a file, newest first, read with the product's \
         request (Cloud commits/{hash}?path=…&pagelen=100, Data Center commits?until=…&path=…&limit=100); a \
         commit is read by its abbreviated hash (Cloud commit/{hash}, Data Center commits?until={hash}).",
        "the commits that wrote live-check/one.json, newest first; the newest found by its first 12 \
         characters",
    );
    let tip = run.tip.clone().unwrap_or_default();
    let listed = match run.call(&run.remote.commits_touching(&tip, crate::run::TOUCHED)) {
        Ok((page, _)) => page.values.into_iter().map(|c| c.id).collect::<Vec<_>>(),
        Err(error) => return run.add(check.fail(error)),
    };
    let expected: Vec<String> = run.touched.iter().rev().cloned().collect();
    let shown = |ids: &[String]| {
        ids.iter()
            .map(|id| short(id))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let Some(newest) = listed.first().cloned() else {
        return run.add(check.fail("listed: none"));
    };
    let check = match run.call(&run.remote.commit(&short(&newest))) {
        Ok((commit, _)) => check.verdict(
            listed == expected && commit.id == newest,
            format!(
                "listed: {}; {} read as {}",
                shown(&listed),
                short(&newest),
                commit.id
            ),
        ),
        Err(error) => check.fail(format!(
            "listed: {}; {}: {error}",
            shown(&listed),
            short(&newest)
        )),
    };
    run.add(check);
}

/// A new branch at the main branch's tip, made with the product's request.
pub fn new_branch(run: &mut Run, prefix: &str) {
    let check = Check::new(
        &format!("{prefix}.new-branch"),
        "A push of nothing to a new branch creates it with the product's request (Cloud POST \
         …/refs/branches {name, target: {hash}}; Data Center POST /rest/branch-utils/latest/…/branches \
         {name, startPoint}), once the product saw the name free.",
        "HTTP 404 for the name; HTTP 201; the branch's tip is the main branch's tip",
    );
    let (name, main_tip) = (run.new_branch.clone(), run.main_tip());
    let before = match run.http.api(&run.remote.tip(&name).request) {
        Ok(response) => response.status,
        Err(error) => return run.add(check.fail(error)),
    };
    let permit = run.permit(&name);
    let call = run.remote.writer(&permit).create_branch(&main_tip);
    let answer = run.http.api(&call.request);
    run.created(Created::Branch(name.clone()));
    let status = match answer {
        Ok(response) if call.parse(&response).is_ok() => response.status,
        Ok(response) => {
            return run.add(check.fail(format!(
                "before: HTTP {before}; creation: {}",
                describe(&response)
            )))
        }
        Err(error) => return run.add(check.fail(format!("creation: {error}"))),
    };
    let check = match run.call(&run.remote.tip(&name)) {
        Ok((tip, _)) => check.verdict(
            before == 404 && status == 201 && tip.id == main_tip,
            format!(
                "before: HTTP {before}; creation: HTTP {status}; tip {}",
                short(&tip.id)
            ),
        ),
        Err(error) => check.fail(format!(
            "before: HTTP {before}; creation: HTTP {status}; reading it: {error}"
        )),
    };
    run.add(check);
}

/// The request that deletes a branch or tag this run created, by the official descriptions: Cloud
/// `DELETE …/refs/branches/{name}` and `…/refs/tags/{name}`; Data Center `DELETE
/// /rest/branch-utils/latest/…/branches` (JSON body) and `DELETE /rest/git/latest/…/tags/{name}`. The
/// repository's URL is the product's own (its repository request's).
fn deletion(run: &Run, what: &Created) -> Outgoing {
    let api = run.remote.api();
    let repository = match api.flavour() {
        Flavour::Cloud => {
            versioning_core::bitbucket::cloud::repository(api)
                .request
                .url
        }
        Flavour::DataCenter => {
            versioning_core::bitbucket::datacenter::repository(api)
                .request
                .url
        }
    };
    let headers = vec![
        (AUTHORIZATION.to_owned(), api.credentials().authorization()),
        ("Accept".to_owned(), "application/json".to_owned()),
    ];
    let request = |url: String| Outgoing {
        method: "DELETE".to_owned(),
        url,
        headers: headers.clone(),
        body: None,
        max_response_bytes: 1 << 20,
    };
    // Data Center's other REST APIs share the repository's path after their name.
    let data_center = |rest_api: &str| {
        let path = &repository[api.base_url().len()..];
        format!(
            "{}{}",
            api.base_url(),
            path.replacen("/api/latest/", &format!("/{rest_api}/latest/"), 1)
        )
    };
    match (api.flavour(), what) {
        (Flavour::Cloud, Created::Branch(name)) => request(format!(
            "{repository}/refs/branches/{}",
            encode_component(name)
        )),
        (Flavour::Cloud, Created::Tag(name)) => {
            request(format!("{repository}/refs/tags/{}", encode_component(name)))
        }
        (Flavour::DataCenter, Created::Branch(name)) => {
            let body = serde_json::json!({ "name": format!("refs/heads/{name}"), "dryRun": false });
            Outgoing {
                body: Some(body.to_string().into_bytes()),
                ..request(format!("{}/branches", data_center("branch-utils")))
            }
            .header("Content-Type", "application/json")
        }
        (Flavour::DataCenter, Created::Tag(name)) => request(format!(
            "{}/tags/{}",
            data_center("git"),
            encode_file_path(name)
        )),
    }
}

/// Removes every branch and tag the run created (also after a failure), then checks that they are gone.
pub fn cleanup(run: &mut Run, prefix: &str) {
    let check = Check::new(
        &format!("{prefix}.cleanup"),
        "The checker removes what it wrote with the DELETE operations of the official API descriptions.",
        "each branch and tag of the run deleted (204) and no longer found (404)",
    );
    if run.created.is_empty() {
        return run.add(check.skip("nothing was created"));
    }
    let mut seen = Vec::new();
    let mut left = Vec::new();
    for what in run.created.clone().into_iter().rev() {
        let (noun, name) = match &what {
            Created::Branch(name) => ("branch", name.clone()),
            Created::Tag(name) => ("tag", name.clone()),
        };
        let deleted = match run.http.send_anyway(deletion(run, &what)) {
            Ok(response) => format!("HTTP {}", response.status),
            Err(error) => error,
        };
        let lookup = match &what {
            Created::Branch(name) => run.remote.tip(name).request,
            Created::Tag(name) => run.remote.tag(name).request,
        };
        let gone = match run.http.send_anyway(Outgoing::from_api(&lookup)) {
            Ok(response) if response.status == 404 => true,
            Ok(_) | Err(_) => false,
        };
        if !gone {
            left.push(format!("{noun} `{name}`"));
        }
        seen.push(format!(
            "{noun} `{name}`: {deleted}, {}",
            if gone { "gone" } else { "still there" }
        ));
    }
    let observed = seen.join("; ");
    run.add(match left.is_empty() {
        true => check.pass(observed),
        false => check.fail(format!("{observed}. Remove by hand: {}", left.join(", "))),
    });
}
