//! One page of a list and how it is read: Cloud's `{values, next}` and Data Center's
//! `{values, isLastPage, nextPageStart}`.

use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::request::ApiResponse;

/// Where the next page is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NextPage {
    /// Cloud: the `next` link.
    Link(String),
    /// Data Center: `nextPageStart`.
    Start(u64),
    /// This was the last page.
    Last,
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    /// The entries.
    pub values: Vec<T>,
    /// Where the next page is.
    pub next: NextPage,
}

impl<T> Page<T> {
    /// The same page with every entry converted.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            values: self.values.into_iter().map(f).collect(),
            next: self.next,
        }
    }
}

#[derive(Deserialize)]
struct CloudEnvelope<R> {
    values: Vec<R>,
    next: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DataCenterEnvelope<R> {
    values: Vec<R>,
    #[serde(default)]
    is_last_page: Option<bool>,
    next_page_start: Option<u64>,
}

/// Reads a Cloud page (`{values, next?, …}`).
pub fn read_cloud_page<R: DeserializeOwned>(response: &ApiResponse) -> Option<Page<R>> {
    let envelope: CloudEnvelope<R> = serde_json::from_slice(&response.body).ok()?;
    Some(Page {
        values: envelope.values,
        next: envelope.next.map_or(NextPage::Last, NextPage::Link),
    })
}

/// Reads a Data Center page (`{values, isLastPage, nextPageStart?, …}`). A page that is not marked last
/// but gives no `nextPageStart` is treated as the last one.
pub fn read_data_center_page<R: DeserializeOwned>(response: &ApiResponse) -> Option<Page<R>> {
    let envelope: DataCenterEnvelope<R> = serde_json::from_slice(&response.body).ok()?;
    let next = match (envelope.is_last_page, envelope.next_page_start) {
        (Some(false), Some(start)) => NextPage::Start(start),
        _ => NextPage::Last,
    };
    Some(Page {
        values: envelope.values,
        next,
    })
}
