//! Stable artifact ids and artifact kinds.
//!
//! An id is chosen once, when an artifact is created, and never changes: file names end with it, so a
//! rename moves one file and two artifacts with the same name never collide. Ids are also path
//! components, so they are restricted to a set of characters that is safe on every file system and in URLs.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize, Serializer};

use super::rng::{mix48, mix64};
use super::slug::is_windows_reserved;

/// The longest id accepted, in characters.
pub const MAX_ID_LEN: usize = 40;

/// The stable identifier of a project or an artifact: 1 to 40 characters of `a-z`, `0-9` and single
/// inner dashes (`checkout-web`, `t3f9a0c1d2e4b`), never a Windows reserved device name.
///
/// ```
/// use versioning_core::artifacts::{ArtifactId, ArtifactKind};
/// let id = ArtifactId::new("checkout-web").unwrap();
/// assert_eq!(id.as_str(), "checkout-web");
/// assert!(ArtifactId::new("../etc").is_err());
/// // Deterministic ids for new artifacts: the same seed and counter give the same id.
/// assert_eq!(ArtifactId::derive(ArtifactKind::TestCase, 42, 7), ArtifactId::derive(ArtifactKind::TestCase, 42, 7));
/// ```
///
/// Copies share the text (an id is copied into every map and manifest that names its artifact).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(try_from = "String")]
pub struct ArtifactId(Arc<str>);

/// Why a text is not a valid [`ArtifactId`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// The id is empty.
    #[error(
        "the id is empty; an id needs 1 to {MAX_ID_LEN} characters of a-z, 0-9 and single dashes"
    )]
    Empty,
    /// The id is longer than [`MAX_ID_LEN`].
    #[error("the id {0:?} is longer than {MAX_ID_LEN} characters; use a shorter id")]
    TooLong(String),
    /// The id holds a character outside `a-z`, `0-9` and `-`.
    #[error("the id {id:?} contains {found:?}; use only lowercase letters a-z, digits 0-9 and single dashes")]
    InvalidCharacter {
        /// The id (cut to 60 characters).
        id: String,
        /// The first character that is not allowed.
        found: char,
    },
    /// The id starts or ends with a dash, or holds two dashes in a row.
    #[error("the id {0:?} starts or ends with a dash or holds \"--\"; use single dashes between letters or digits")]
    MisplacedDash(String),
    /// The id is a device name that Windows cannot use as a file or folder name.
    #[error("the id {0:?} is a reserved device name on Windows (con, prn, aux, nul, com0-9, lpt0-9); choose another id")]
    Reserved(String),
}

/// Cuts a text for an error message, so a megabyte-long id does not become a megabyte-long message.
fn preview(text: &str) -> String {
    text.chars().take(60).collect()
}

/// Why `text` is not an id, if it is not (what [`ArtifactId::new`] checks, without taking the text).
pub(crate) fn check_id(text: &str) -> Result<(), IdError> {
    if text.is_empty() {
        return Err(IdError::Empty);
    }
    if let Some(found) = text
        .chars()
        .find(|c| !matches!(c, 'a'..='z' | '0'..='9' | '-'))
    {
        return Err(IdError::InvalidCharacter {
            id: preview(text),
            found,
        });
    }
    if text.len() > MAX_ID_LEN {
        return Err(IdError::TooLong(preview(text)));
    }
    if text.starts_with('-') || text.ends_with('-') || text.contains("--") {
        return Err(IdError::MisplacedDash(text.to_owned()));
    }
    if is_windows_reserved(text) {
        return Err(IdError::Reserved(text.to_owned()));
    }
    Ok(())
}

impl ArtifactId {
    /// Validates `text` as an id.
    pub fn new(text: impl Into<String>) -> Result<Self, IdError> {
        let text = text.into();
        check_id(&text)?;
        Ok(Self(text.into()))
    }

    /// The id `text`, which [`check_id`] accepted.
    pub(crate) fn checked(text: &str) -> Self {
        Self(text.into())
    }

    /// A new id made deterministically from a seed and a counter: the kind's letter and 12 hex digits
    /// (`t3f9a0c1d2e4b`). For one kind and seed, distinct counters (below 2^48) give distinct ids.
    pub fn derive(kind: ArtifactKind, seed: u64, counter: u64) -> Self {
        let bits = mix48(mix64(seed).wrapping_add(counter));
        Self(format!("{}{bits:012x}", kind.id_prefix()).into())
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ArtifactId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for ArtifactId {
    type Error = IdError;

    fn try_from(text: String) -> Result<Self, IdError> {
        Self::new(text)
    }
}

impl From<ArtifactId> for String {
    fn from(id: ArtifactId) -> String {
        id.0.to_string()
    }
}

impl Serialize for ArtifactId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

/// The kinds of files in the layout: one per artifact kind, plus the rows of a data table, which live in
/// a CSV file beside the table's JSON file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArtifactKind {
    /// `project.json`: the project's metadata and the order of its top-level artifacts.
    Project,
    /// A test suite (module).
    Suite,
    /// A scenario inside a suite.
    Scenario,
    /// A test case inside a scenario, with its steps.
    TestCase,
    /// An element repository (a screen and its objects).
    ElementRepository,
    /// A data table's metadata (JSON).
    DataTable,
    /// A data table's columns and rows (CSV).
    DataTableRows,
    /// An execution list.
    ExecutionList,
}

impl ArtifactKind {
    /// The first letter of ids made by [`ArtifactId::derive`] for this kind.
    pub fn id_prefix(self) -> char {
        match self {
            Self::Project => 'p',
            Self::Suite => 's',
            Self::Scenario => 'c',
            Self::TestCase => 't',
            Self::ElementRepository => 'e',
            Self::DataTable | Self::DataTableRows => 'd',
            Self::ExecutionList => 'x',
        }
    }

    /// The kind as people call it, for messages.
    pub fn label(self) -> &'static str {
        match self {
            Self::Project => "project",
            Self::Suite => "test suite",
            Self::Scenario => "scenario",
            Self::TestCase => "test case",
            Self::ElementRepository => "element repository",
            Self::DataTable => "data table",
            Self::DataTableRows => "data table rows",
            Self::ExecutionList => "execution list",
        }
    }
}

impl fmt::Display for ArtifactKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_safe_ids_and_rejects_the_rest() {
        for ok in ["a", "checkout-web", "t3f9a0c1d2e4b", "com10", "a-b-c"] {
            assert!(ArtifactId::new(ok).is_ok(), "{ok}");
        }
        assert_eq!(ArtifactId::new(""), Err(IdError::Empty));
        for bad in [
            "-a", "a-", "a--b", "A", "a b", "..", "a/b", "é", "con", "lpt1", "nul",
        ] {
            assert!(ArtifactId::new(bad).is_err(), "{bad}");
        }
        assert!(matches!(
            ArtifactId::new("x".repeat(41)),
            Err(IdError::TooLong(_))
        ));
    }

    #[test]
    fn derived_ids_are_valid_and_distinct() {
        let ids: std::collections::BTreeSet<_> = (0..10_000)
            .map(|n| ArtifactId::derive(ArtifactKind::TestCase, 99, n))
            .collect();
        assert_eq!(ids.len(), 10_000);
        for id in ids.iter().take(100) {
            assert_eq!(ArtifactId::new(id.as_str()).as_ref(), Ok(id));
            assert!(id.as_str().starts_with('t'));
        }
    }

    #[test]
    fn deserialising_validates() {
        assert!(serde_json::from_str::<ArtifactId>("\"../x\"").is_err());
        let id: ArtifactId = serde_json::from_str("\"s1\"").unwrap();
        assert_eq!(id.as_str(), "s1");
    }
}
