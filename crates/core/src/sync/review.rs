//! What a pull request opened after a push says: its description lists the artifacts the push added,
//! modified, renamed and deleted, by kind, with their names.

use std::collections::BTreeMap;

use super::change_set::{Action, Change};
use crate::artifacts::{ArtifactId, ArtifactKind};

/// How a change counts in the description.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Heading {
    Added,
    Modified,
    Renamed,
    Deleted,
}

impl Heading {
    fn of(action: &Action) -> Heading {
        match action {
            Action::Add => Heading::Added,
            Action::Modify | Action::Overwrite => Heading::Modified,
            Action::Rename { .. } => Heading::Renamed,
            Action::Delete => Heading::Deleted,
        }
    }

    fn title(self) -> &'static str {
        match self {
            Heading::Added => "Added",
            Heading::Modified => "Modified",
            Heading::Renamed => "Renamed",
            Heading::Deleted => "Deleted",
        }
    }
}

/// The description of a pull request for the pushed `changes`, in Markdown: one section per kind of
/// change (added, modified, renamed, deleted), one line per kind of artifact with the artifacts' names
/// (`name_of`; the file's path when the artifact has no name here any more, as after a deletion), and a
/// renamed file's old path.
///
/// ```
/// use versioning_core::artifacts::{ArtifactId, ArtifactKind};
/// use versioning_core::sync::{pull_request_description, Action, Change};
///
/// let login = Change {
///     path: "test-artifacts/t1.json".into(),
///     artifact: ArtifactId::new("t1").unwrap(),
///     kind: ArtifactKind::TestCase,
///     action: Action::Add,
///     bytes: 10,
/// };
/// let text = pull_request_description(&[login], |_| Some("Login".into()));
/// assert!(text.contains("**Added**\n- test case: Login"));
/// ```
pub fn pull_request_description(
    changes: &[Change],
    name_of: impl Fn(&ArtifactId) -> Option<String>,
) -> String {
    let mut sections: BTreeMap<Heading, BTreeMap<ArtifactKind, Vec<String>>> = BTreeMap::new();
    for change in changes {
        let name = name_of(&change.artifact).unwrap_or_else(|| format!("`{}`", change.path));
        let entry = match &change.action {
            Action::Rename { from } => format!("{name} (was `{from}`)"),
            _ => name,
        };
        sections
            .entry(Heading::of(&change.action))
            .or_default()
            .entry(change.kind)
            .or_default()
            .push(entry);
    }
    let mut text = String::from("Test artifacts pushed with Bitbucket Versioning.\n");
    if sections.is_empty() {
        text.push_str("\nNo artifact changed.\n");
    }
    for (heading, kinds) in sections {
        text.push_str(&format!("\n**{}**\n", heading.title()));
        for (kind, names) in kinds {
            text.push_str(&format!("- {}: {}\n", kind.label(), names.join(", ")));
        }
    }
    text
}
