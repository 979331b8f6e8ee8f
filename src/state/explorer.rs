//! State of a project's explorer: the project being edited, what changed since the last push or pull,
//! the open artifact, the tree's expanded nodes and the tree item the keyboard is on.

use std::collections::BTreeSet;
use std::rc::Rc;

use versioning_core::artifacts::{ArtifactId, EditError, Outline, OutlineItem, Project, Step};
use yew::prelude::*;

use crate::services::project_store::StoreError;
use crate::services::projects::{LocalChanges, StoredProject};

/// An edit of the project, made with core's edit functions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    /// A new test suite with this name.
    AddSuite(String),
    /// A new scenario in a suite.
    AddScenario {
        /// The suite.
        suite: ArtifactId,
        /// The scenario's name.
        name: String,
    },
    /// A new test case in a scenario.
    AddTestCase {
        /// The scenario.
        scenario: ArtifactId,
        /// The test case's name.
        name: String,
    },
    /// A new name for any artifact.
    Rename {
        /// The artifact.
        id: ArtifactId,
        /// The new name.
        name: String,
    },
    /// Deletes an artifact and everything in it.
    Delete(ArtifactId),
    /// Appends an empty step to a test case.
    AddStep(ArtifactId),
    /// Replaces a step.
    UpdateStep {
        /// The test case.
        case: ArtifactId,
        /// The step's position.
        index: usize,
        /// The new step.
        step: Step,
    },
    /// Removes a step.
    RemoveStep {
        /// The test case.
        case: ArtifactId,
        /// The step's position.
        index: usize,
    },
    /// Moves a step to another position.
    MoveStep {
        /// The test case.
        case: ArtifactId,
        /// The step's position.
        from: usize,
        /// Its new position.
        to: usize,
    },
}

impl Edit {
    /// Applies the edit; returns the artifact to open afterwards, if it changes.
    fn apply(self, project: &mut Project) -> Result<Option<ArtifactId>, EditError> {
        match self {
            Edit::AddSuite(name) => project.add_suite(&name).map(Some),
            Edit::AddScenario { suite, name } => project.add_scenario(&suite, &name).map(Some),
            Edit::AddTestCase { scenario, name } => {
                project.add_test_case(&scenario, &name).map(Some)
            }
            Edit::Rename { id, name } => project.rename(&id, &name).map(|()| None),
            Edit::Delete(id) => project.delete(&id).map(|()| None),
            Edit::AddStep(case) => {
                let len = project.find_test_case(&case).map_or(0, |c| c.steps.len());
                project
                    .insert_step(&case, len, Step::default())
                    .map(|()| None)
            }
            Edit::UpdateStep { case, index, step } => {
                project.update_step(&case, index, step).map(|_| None)
            }
            Edit::RemoveStep { case, index } => project.remove_step(&case, index).map(|_| None),
            Edit::MoveStep { case, from, to } => project.move_step(&case, from, to).map(|()| None),
        }
    }
}

/// Whether the edits are in the store.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum SaveStatus {
    /// Nothing to save.
    #[default]
    Saved,
    /// A save is under way.
    Saving,
    /// The last save failed; the message says what to do.
    Failed(String),
}

/// How far loading the project got.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Loading {
    /// Being read from the store.
    #[default]
    Pending,
    /// No project has this id.
    Missing,
    /// The store failed.
    Failed(StoreError),
    /// Loaded: see [`ExplorerState::stored`].
    Done,
}

/// The explorer's trees, one per kind of top-level artifact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TreeGroup {
    /// Test suites, with their scenarios and test cases.
    Suites,
    /// Element repositories.
    Repositories,
    /// Data tables.
    Tables,
    /// Execution lists.
    Lists,
}

/// A key of a tree, as a tree view answers it: Up and Down go to the previous and next item shown, Right
/// expands an item or goes to its first child, Left collapses it or goes to its parent, Home and End go to
/// the first and last item, Enter and Space open the artifact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TreeKey {
    /// Arrow Up.
    Up,
    /// Arrow Down.
    Down,
    /// Arrow Right.
    Right,
    /// Arrow Left.
    Left,
    /// Home.
    Home,
    /// End.
    End,
    /// Enter or Space.
    Open,
}

impl TreeKey {
    /// The tree key a keyboard event's `key` is, if any.
    pub fn from_key(key: &str) -> Option<Self> {
        Some(match key {
            "ArrowUp" => TreeKey::Up,
            "ArrowDown" => TreeKey::Down,
            "ArrowRight" => TreeKey::Right,
            "ArrowLeft" => TreeKey::Left,
            "Home" => TreeKey::Home,
            "End" => TreeKey::End,
            "Enter" | " " => TreeKey::Open,
            _ => return None,
        })
    }
}

/// An item of a tree as it is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeRow {
    /// Its artifact.
    pub id: ArtifactId,
    /// The item it is in, if any.
    pub parent: Option<ArtifactId>,
    /// Whether it holds items (a suite or a scenario, even an empty one), shown or not.
    pub expandable: bool,
}

/// What the explorer shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExplorerState {
    /// How far loading got.
    pub loading: Loading,
    /// The project with its baseline, once loaded.
    pub stored: Option<Rc<StoredProject>>,
    /// The first level of the project's trees, shown while the project is read (when the store keeps it).
    pub outline: Option<Rc<Outline>>,
    /// What changed since the last push or pull.
    pub changes: Rc<LocalChanges>,
    /// The open artifact.
    pub selected: Option<ArtifactId>,
    /// Suites and scenarios whose children are shown.
    pub expanded: BTreeSet<ArtifactId>,
    /// The tree item the keyboard is on (or was last on), whether or not it is open.
    pub focused: Option<ArtifactId>,
    /// Counts the edits made; each one is saved.
    pub revision: u64,
    /// The edit count being saved, while a save is under way (one at a time, so that each save is made
    /// over the revision the previous one stored).
    pub saving: Option<u64>,
    /// The edit count last saved.
    pub saved: u64,
    /// The edit count whose save failed: it is not tried again until the next edit (a store that keeps
    /// refusing would otherwise be asked again at once, without end).
    pub failed: Option<u64>,
    /// Another tab saved this project since it was loaded here: nothing more is saved until a reload.
    pub changed_elsewhere: bool,
    /// Whether the edits are in the store.
    pub save: SaveStatus,
    /// Why the last edit was refused, if it was.
    pub edit_error: Option<String>,
    /// The artifact whose deletion waits for confirmation.
    pub confirming_delete: Option<ArtifactId>,
}

/// What can happen in the explorer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExplorerAction {
    /// The store gave the first level of the project's trees; the project is still being read.
    Outlined(Rc<Outline>),
    /// The store answered: the project, no such project, or a failure.
    Loaded(Result<Option<Rc<StoredProject>>, StoreError>),
    /// The project as a push or pull just stored it.
    Stored(Rc<StoredProject>),
    /// Opens an artifact.
    Select(ArtifactId),
    /// Shows or hides a node's children.
    Toggle(ArtifactId),
    /// A tree item got the focus.
    Focus(ArtifactId),
    /// A key was pressed in a tree.
    Key(TreeGroup, TreeKey),
    /// Changes the project.
    Edit(Edit),
    /// Asks before deleting an artifact.
    AskDelete(ArtifactId),
    /// Keeps the artifact.
    CancelDelete,
    /// A save of the edits up to this count started.
    SaveStarted(u64),
    /// The store holds the edits up to this count.
    Saved(u64),
    /// The store refused a save.
    SaveFailed(StoreError),
    /// Another tab saved this project at this revision.
    ChangedElsewhere(u64),
}

/// What the explorer says when another tab saved the project: the edits made here since are kept on
/// screen but not saved over the other tab's.
pub const CHANGED_ELSEWHERE: &str = "This project was changed in another tab: reload";

impl ExplorerState {
    /// The explorer of a project just read from the store (or just stored), nothing open.
    fn of(stored: Rc<StoredProject>) -> Self {
        ExplorerState {
            loading: Loading::Done,
            changes: Rc::new(stored.local_changes()),
            stored: Some(stored),
            ..ExplorerState::default()
        }
    }

    /// The explorer of `stored`, keeping what the user had open here (the expanded groups and the open
    /// artifact that still exist) when it is the same project read again, after a push or a pull, or
    /// the project whose outline was shown while it was read.
    fn reloaded(&self, stored: Rc<StoredProject>) -> Self {
        let after = &stored.project;
        let same = match self.project() {
            Some(before) => before.id == after.id,
            None => self.outline.is_some(),
        };
        let kept = same.then(|| {
            let exists = |id: &&ArtifactId| after.name_of(id).is_some();
            let expanded = self.expanded.iter().filter(exists).cloned().collect();
            let selected = self.selected.clone().filter(|id| exists(&id));
            (
                expanded,
                selected,
                self.focused.clone().filter(|id| exists(&id)),
            )
        });
        let mut next = ExplorerState::of(stored);
        if let Some((expanded, selected, focused)) = kept {
            next.expanded = expanded;
            next.selected = selected;
            next.focused = focused;
        }
        next
    }

    /// The loaded project.
    pub fn project(&self) -> Option<&Project> {
        self.stored.as_deref().map(|stored| &**stored.project)
    }

    /// The save to make now, if any: the edit count and the project as it stands (carrying the store
    /// revision it was loaded or last saved at).
    pub fn pending_save(&self) -> Option<(u64, Rc<StoredProject>)> {
        let due = self.saving.is_none()
            && !self.changed_elsewhere
            && self.revision > self.saved
            && self.failed != Some(self.revision);
        due.then(|| self.stored.clone().map(|stored| (self.revision, stored)))
            .flatten()
    }

    /// The project as loaded, when the store holds exactly it: every edit saved, no save under way and no
    /// other tab's save since. A sync dialog then works on it without reading the store again (a save still
    /// checks the store's revision).
    pub fn in_store(&self) -> Option<Rc<StoredProject>> {
        let current =
            self.saving.is_none() && !self.changed_elsewhere && self.revision == self.saved;
        current.then(|| self.stored.clone()).flatten()
    }

    /// The items of a tree as shown, in order: those inside a collapsed item are not (nor, while the
    /// project is read, those below the outline's first level).
    pub fn rows(&self, group: TreeGroup) -> Vec<TreeRow> {
        let Some(project) = self.project() else {
            return self
                .outline
                .as_deref()
                .map(|outline| outline_rows(outline, group))
                .unwrap_or_default();
        };
        let row = |id: &ArtifactId, parent: Option<&ArtifactId>, expandable: bool| TreeRow {
            id: id.clone(),
            parent: parent.cloned(),
            expandable,
        };
        match group {
            TreeGroup::Suites => {
                let mut rows = Vec::new();
                for suite in &project.suites {
                    rows.push(row(&suite.id, None, true));
                    if !self.expanded.contains(&suite.id) {
                        continue;
                    }
                    for scenario in &suite.scenarios {
                        rows.push(row(&scenario.id, Some(&suite.id), true));
                        if self.expanded.contains(&scenario.id) {
                            let cases = scenario.test_cases.iter();
                            rows.extend(cases.map(|case| row(&case.id, Some(&scenario.id), false)));
                        }
                    }
                }
                rows
            }
            TreeGroup::Repositories => project
                .element_repositories
                .iter()
                .map(|a| row(&a.id, None, false))
                .collect(),
            TreeGroup::Tables => project
                .data_tables
                .iter()
                .map(|a| row(&a.id, None, false))
                .collect(),
            TreeGroup::Lists => project
                .execution_lists
                .iter()
                .map(|a| row(&a.id, None, false))
                .collect(),
        }
    }

    /// The item of `rows` that Tab reaches (the only one in the tab order): the one the keyboard was on,
    /// else the open artifact, else the first, as long as it is shown.
    pub fn tab_stop<'a>(&'a self, rows: &'a [TreeRow]) -> Option<&'a ArtifactId> {
        let shown = |id: &&ArtifactId| rows.iter().any(|row| &row.id == *id);
        self.focused
            .as_ref()
            .filter(shown)
            .or_else(|| self.selected.as_ref().filter(shown))
            .or_else(|| rows.first().map(|row| &row.id))
    }

    /// Answers a key pressed in a tree: moves the keyboard's item, expands or collapses it, or opens it.
    fn key(&mut self, group: TreeGroup, key: TreeKey) {
        let rows = self.rows(group);
        let Some(at) = self
            .tab_stop(&rows)
            .and_then(|id| rows.iter().position(|row| &row.id == id))
        else {
            return;
        };
        let row = &rows[at];
        let expanded = self.expanded.contains(&row.id);
        let next = |at: usize| (at < rows.len()).then_some(at);
        let target = match key {
            TreeKey::Up => at.checked_sub(1),
            TreeKey::Down => next(at + 1),
            TreeKey::Home => Some(0),
            TreeKey::End => Some(rows.len() - 1),
            TreeKey::Right if row.expandable && !expanded => {
                self.expanded.insert(row.id.clone());
                None
            }
            TreeKey::Right => {
                next(at + 1).filter(|&child| rows[child].parent.as_ref() == Some(&row.id))
            }
            TreeKey::Left if row.expandable && expanded => {
                self.expanded.remove(&row.id);
                None
            }
            TreeKey::Left => row
                .parent
                .as_ref()
                .and_then(|parent| rows.iter().position(|r| &r.id == parent)),
            TreeKey::Open => {
                self.reveal(row.id.clone());
                None
            }
        };
        self.focused = Some(rows[target.unwrap_or(at)].id.clone());
    }

    /// Whether an artifact changed since the last push or pull.
    pub fn is_changed(&self, id: &ArtifactId) -> bool {
        self.changes.changed.contains(id)
    }

    /// Opens `id`, shows the nodes above it and its own children.
    fn reveal(&mut self, id: ArtifactId) {
        if let Some(project) = self.project() {
            let parents: Vec<ArtifactId> = project
                .suites
                .iter()
                .flat_map(|suite| {
                    suite.scenarios.iter().filter_map(|scenario| {
                        let holds = scenario.id == id
                            || scenario.test_cases.iter().any(|case| case.id == id);
                        holds.then(|| [suite.id.clone(), scenario.id.clone()])
                    })
                })
                .flatten()
                .collect();
            self.expanded.extend(parents);
        }
        self.expanded.insert(id.clone());
        self.selected = Some(id);
    }

    fn edit(&mut self, edit: Edit) {
        let Some(stored) = self.stored.as_mut() else {
            return;
        };
        let stored = Rc::make_mut(stored);
        match edit.apply(&mut *Rc::make_mut(&mut stored.project)) {
            Ok(opened) => {
                self.changes = Rc::new(stored.local_changes());
                self.edit_error = None;
                self.revision += 1;
                self.save = SaveStatus::Saving;
                let exists = |id: &ArtifactId| stored.project.artifact_ids().any(|a| a == id);
                if self.selected.as_ref().is_some_and(|id| !exists(id)) {
                    self.selected = None;
                }
                if let Some(id) = opened {
                    self.reveal(id);
                }
            }
            Err(error) => self.edit_error = Some(capitalised(&error.to_string())),
        }
    }
}

/// The rows of an outline's tree `group`: its first level (suites hold items, the others none).
fn outline_rows(outline: &Outline, group: TreeGroup) -> Vec<TreeRow> {
    let rows = |items: &[OutlineItem], expandable: bool| {
        let row = |item: &OutlineItem| TreeRow {
            id: item.id.clone(),
            parent: None,
            expandable,
        };
        items.iter().map(row).collect()
    };
    match group {
        TreeGroup::Suites => rows(&outline.suites, true),
        TreeGroup::Repositories => rows(&outline.element_repositories, false),
        TreeGroup::Tables => rows(&outline.data_tables, false),
        TreeGroup::Lists => rows(&outline.execution_lists, false),
    }
}

/// Core's messages start in lower case, to be embedded; shown alone they start with a capital.
fn capitalised(message: &str) -> String {
    let mut chars = message.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect::<String>() + "."
    })
}

impl Reducible for ExplorerState {
    type Action = ExplorerAction;

    fn reduce(self: Rc<Self>, action: ExplorerAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            // Only a first reading shows an outline: a reading again keeps the project on screen.
            ExplorerAction::Outlined(outline) => {
                if next.loading == Loading::Pending && next.stored.is_none() {
                    next.outline = Some(outline);
                }
            }
            ExplorerAction::Loaded(Ok(Some(stored))) => next = self.reloaded(stored),
            ExplorerAction::Stored(stored) => next = self.reloaded(stored),
            ExplorerAction::Loaded(Ok(None)) => next.loading = Loading::Missing,
            ExplorerAction::Loaded(Err(error)) => next.loading = Loading::Failed(error),
            ExplorerAction::Select(id) => {
                next.focused = Some(id.clone());
                next.reveal(id);
            }
            ExplorerAction::Focus(id) => next.focused = Some(id),
            ExplorerAction::Key(group, key) => next.key(group, key),
            ExplorerAction::Toggle(id) => {
                if !next.expanded.remove(&id) {
                    next.expanded.insert(id);
                }
            }
            ExplorerAction::Edit(edit) => {
                next.confirming_delete = None;
                next.edit(edit);
            }
            ExplorerAction::AskDelete(id) => next.confirming_delete = Some(id),
            ExplorerAction::CancelDelete => next.confirming_delete = None,
            ExplorerAction::SaveStarted(count) => next.saving = Some(count),
            ExplorerAction::Saved(count) => {
                next.saving = None;
                next.saved = count;
                if let Some(stored) = next.stored.as_mut() {
                    Rc::make_mut(stored).revision += 1;
                }
                if count == next.revision && !next.changed_elsewhere {
                    next.save = SaveStatus::Saved;
                }
            }
            ExplorerAction::SaveFailed(failure) => {
                next.failed = next.saving.take();
                if matches!(failure, StoreError::Conflict(_)) {
                    next.changed_elsewhere = true;
                    next.save = SaveStatus::Failed(CHANGED_ELSEWHERE.to_owned());
                } else {
                    next.save = SaveStatus::Failed(failure.to_string());
                }
            }
            ExplorerAction::ChangedElsewhere(revision) => {
                // While a save is under way, the revision it will store is ours.
                let known = next.stored.as_ref().map_or(0, |s| s.revision)
                    + u64::from(next.saving.is_some());
                if revision > known {
                    next.changed_elsewhere = true;
                    next.save = SaveStatus::Failed(CHANGED_ELSEWHERE.to_owned());
                }
            }
        }
        Rc::new(next)
    }
}
