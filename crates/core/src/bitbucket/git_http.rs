//! Git's smart HTTP push to Data Center, as calls: the receive-pack advertisement, the push itself
//! and the folder listings a commit's trees are planned from ([`crate::git`] writes and reads the
//! bytes). Git is served beside the REST API: where the API base URL is `{origin}/rest`, the
//! repository is `{origin}/scm/{project}/{slug}.git` (the project key in lower case, as Data
//! Center's clone links write it).

use super::api::{encode_file_path, Api, Call};
use super::error::Operation;
use super::request::{ApiRequest, ApiResponse, Method, RawBody, RequestBody};
use super::shared::subject_path;
use crate::git::advertisement::RECEIVE_PACK;
use crate::git::receive_pack::{REQUEST_CONTENT_TYPE, RESULT_CONTENT_TYPE};
use crate::git::upload_pack::{FETCH_CONTENT_TYPE, FETCH_RESULT_CONTENT_TYPE, UPLOAD_PACK};
use crate::git::{
    parse_listing_page, read_report, read_trees, trees_request, Advertisement, ListingPage,
    ObjectId, PushBody, Report, TreeSnapshot,
};

/// The `Content-Type` of a receive-pack advertisement.
pub const ADVERTISEMENT_CONTENT_TYPE: &str = "application/x-git-receive-pack-advertisement";

/// Entries asked for per page of a folder listing.
const LISTING_PAGE_LIMIT: u64 = 1000;

/// The repository's git address, `{origin}/scm/{project}/{slug}.git`; `None` when the API base URL
/// does not end in `/rest`, so that git's address cannot be told from it.
pub fn repository_url(api: &Api) -> Option<String> {
    let origin = api.base_url().strip_suffix("/rest")?;
    Some(format!(
        "{origin}/scm/{}/{}.git",
        encode_file_path(&api.owner().to_ascii_lowercase()),
        encode_file_path(api.slug())
    ))
}

/// Whether an answer's `Content-Type` is `expected` (its parameters aside).
fn has_content_type(response: &ApiResponse, expected: &str) -> bool {
    response
        .header("Content-Type")
        .and_then(|value| value.split(';').next())
        .is_some_and(|value| value.trim().eq_ignore_ascii_case(expected))
}

/// Reads an advertisement: smart HTTP's content type and a receive-pack advertisement in it.
pub fn read_advertisement(response: &ApiResponse) -> Option<Advertisement> {
    if !has_content_type(response, ADVERTISEMENT_CONTENT_TYPE) {
        return None;
    }
    Advertisement::parse(&response.body).ok()
}

/// `GET {repository}/info/refs?service=git-receive-pack`: the refs and the capabilities a push
/// works with; `None` without a git address ([`repository_url`]).
pub fn advertisement(api: &Api) -> Option<Call<Advertisement>> {
    let mut request = api.request(Method::Get, "", &[], false);
    request.url = format!("{}/info/refs?service={RECEIVE_PACK}", repository_url(api)?);
    let subject = format!("The repository {}", api.repository_name());
    Some(api.call(request, Operation::Read, subject, read_advertisement))
}

/// `POST {url}/{service}` with `bytes` of the service's request type `content_type`, accepting its
/// result type (the request type with `-result` for `-request`).
fn service_request(
    api: &Api,
    url: &str,
    service: &str,
    content_type: &str,
    bytes: Vec<u8>,
) -> ApiRequest {
    let mut request = api.request(Method::Post, "", &[], false);
    request.url = format!("{url}/{service}");
    let accept = content_type.replace("-request", "-result");
    request.headers.push(("Accept".to_owned(), accept));
    request.body = Some(RequestBody::Bytes(RawBody {
        content_type: content_type.to_owned(),
        bytes,
    }));
    request
}

/// `POST {repository}/git-receive-pack` with `body` ([`crate::git::push_body`]) to the repository
/// at `url` ([`repository_url`]): the server's report, read side-banded when the body asked so.
pub(crate) fn receive_pack(api: &Api, url: &str, branch: &str, body: PushBody) -> Call<Report> {
    let request = service_request(
        api,
        url,
        "git-receive-pack",
        REQUEST_CONTENT_TYPE,
        body.bytes,
    );
    let side_band = body.side_band;
    let subject = format!("The branch `{branch}`");
    api.call(request, Operation::CommitFiles, subject, move |response| {
        if !has_content_type(response, RESULT_CONTENT_TYPE) {
            return None;
        }
        read_report(&response.body, side_band).ok()
    })
}

/// `POST {repository}/git-upload-pack`: the folders of `commit` (its trees, without history or file
/// content) of the repository at `url` ([`repository_url`]); unreadable when the server does not
/// allow filters.
pub(crate) fn fetch_trees(api: &Api, url: &str, commit: ObjectId) -> Call<TreeSnapshot> {
    let request = service_request(
        api,
        url,
        UPLOAD_PACK,
        FETCH_CONTENT_TYPE,
        trees_request(commit),
    );
    let subject = format!("The folders of commit {commit}");
    api.call(request, Operation::Read, subject, move |response| {
        if !has_content_type(response, FETCH_RESULT_CONTENT_TYPE) {
            return None;
        }
        read_trees(&response.body, commit).ok()
    })
}

/// `GET …/browse/{folder}?at=…&start=…`: one page of a folder's entries at a commit (404 when the
/// folder does not exist there); `""` is the repository's root.
pub fn folder_listing(api: &Api, folder: &str, at: &str, start: u64) -> Call<ListingPage> {
    let url_path = match encode_file_path(folder) {
        encoded if encoded.is_empty() => format!("{}/browse", api.repository_path()),
        encoded => format!("{}/browse/{encoded}", api.repository_path()),
    };
    let (start, limit) = (start.to_string(), LISTING_PAGE_LIMIT.to_string());
    let query = [("at", at), ("start", &start), ("limit", &limit)];
    let request = api.request(Method::Get, &url_path, &query, true);
    api.call(
        request,
        Operation::Read,
        subject_path("folder", folder, at),
        |response| parse_listing_page(&response.body).ok(),
    )
}
