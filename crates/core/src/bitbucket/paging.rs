//! Lists that span several pages, without I/O: [`Pager`] hands out the request for the next page after
//! reading the previous one.
//!
//! Cloud pages carry an absolute `next` link, which is followed only while it stays on the configured API
//! (same origin and base path), so the token is never sent elsewhere. A link to `api.bitbucket.org` is
//! re-based onto the configured API base URL when that is a proxy. Data Center pages carry
//! `nextPageStart` until `isLastPage`. A cap on the number of pages stops runaway lists.

use url::Url;

use super::api::{Api, Call};
use super::error::ApiError;
pub use super::page::{read_cloud_page, read_data_center_page, NextPage, Page};
use super::request::{ApiRequest, ApiResponse};

/// Pages fetched at most by default (100 pages of 100 entries).
pub const DEFAULT_MAX_PAGES: usize = 100;

/// The canonical Cloud API, which `next` links name even when the app goes through a proxy.
const CLOUD_API: &str = "https://api.bitbucket.org/2.0";

/// Walks a paginated list: ask [`Pager::next_request`], execute it, give the answer to
/// [`Pager::handle_response`], repeat until there is no next request.
#[derive(Debug, Clone)]
pub struct Pager<T> {
    call: Call<Page<T>>,
    base_url: String,
    pending: Option<ApiRequest>,
    last_start: u64,
    pages: usize,
    max_pages: usize,
    truncated: bool,
}

impl<T> Pager<T> {
    /// A pager starting with the first page's call.
    pub fn new(api: &Api, first: Call<Page<T>>) -> Self {
        Pager {
            pending: Some(first.request.clone()),
            call: first,
            base_url: api.base_url().to_owned(),
            last_start: 0,
            pages: 0,
            max_pages: DEFAULT_MAX_PAGES,
            truncated: false,
        }
    }

    /// The same pager with another page cap.
    pub fn with_max_pages(mut self, max_pages: usize) -> Self {
        self.max_pages = max_pages.max(1);
        self
    }

    /// The request for the next page, or `None` when the list is complete (or stopped).
    pub fn next_request(&self) -> Option<ApiRequest> {
        self.pending.clone()
    }

    /// Whether the list stopped at the page cap with more pages left.
    pub fn is_truncated(&self) -> bool {
        self.truncated
    }

    /// Reads the answer to the last request: the page's entries, or the error (which ends the list).
    pub fn handle_response(&mut self, response: &ApiResponse) -> Result<Vec<T>, ApiError> {
        let Some(request) = self.pending.take() else {
            return Ok(Vec::new());
        };
        let page = self.call.with_request(request.clone()).parse(response)?;
        self.pages += 1;
        let next_url = match page.next {
            NextPage::Last => None,
            NextPage::Link(link) => self.follow(&request.url, &link)?,
            NextPage::Start(start) if start > self.last_start => {
                self.last_start = start;
                Some(with_query_param(&request.url, "start", &start.to_string()))
            }
            NextPage::Start(_) => None,
        };
        if let Some(url) = next_url {
            if self.pages >= self.max_pages {
                self.truncated = true;
            } else {
                self.pending = Some(ApiRequest { url, ..request });
            }
        }
        Ok(page.values)
    }

    /// The URL of a `next` link if it is safe to follow (`None` when it loops back to the same page).
    fn follow(&self, current: &str, link: &str) -> Result<Option<String>, ApiError> {
        let resolved = Url::parse(current)
            .and_then(|current| current.join(link))
            .map_err(|_| ApiError::CrossOriginLink {
                origin: link.chars().take(80).collect(),
            })?;
        let resolved = resolved.to_string();
        let url = if is_under(&resolved, &self.base_url) {
            resolved
        } else if let Some(rest) = resolved
            .strip_prefix(CLOUD_API)
            .filter(|rest| rest.starts_with('/'))
        {
            format!("{}{rest}", self.base_url)
        } else {
            let origin = Url::parse(&resolved).map(|u| u.origin().ascii_serialization());
            return Err(ApiError::CrossOriginLink {
                origin: origin.unwrap_or_default(),
            });
        };
        Ok(Some(url).filter(|url| url != current))
    }
}

/// Whether `url` is on the same origin as `base` and below its path.
fn is_under(url: &str, base: &str) -> bool {
    let (Ok(url), Ok(base)) = (Url::parse(url), Url::parse(base)) else {
        return false;
    };
    let base_path = base.path().trim_end_matches('/');
    let path = url.path();
    url.origin() == base.origin()
        && path.starts_with(base_path)
        && matches!(path.as_bytes().get(base_path.len()), None | Some(b'/'))
}

/// `url` with the query parameter `name` set to `value` (other parameters kept as they are).
fn with_query_param(url: &str, name: &str, value: &str) -> String {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let prefix = format!("{name}=");
    let mut pairs: Vec<&str> = query
        .split('&')
        .filter(|pair| !pair.is_empty() && !pair.starts_with(&prefix))
        .collect();
    let pair = format!("{prefix}{value}");
    pairs.push(&pair);
    format!("{path}?{}", pairs.join("&"))
}
