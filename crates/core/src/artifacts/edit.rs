//! Edits the explorer UI makes: pure functions on a [`Project`], each checked, none doing I/O.
//! New artifacts get ids derived from the project id and the name ([`Project::new_id`]), so the same
//! edits on the same project always give the same ids.

use super::id::{ArtifactId, ArtifactKind};
use super::model::{Artifact, HeaderMut, Project, ReviewState, Scenario, TestCase, TestSuite};
use super::rng::fnv1a;
use super::step::Step;

/// Why an edit cannot be made. The project is unchanged when an edit fails.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    /// No artifact of the expected kind has this id.
    #[error("no {kind} with id {id} in this project; it may have been deleted meanwhile, so reload the project")]
    NotFound {
        /// What was looked for ("artifact" when any kind would do).
        kind: &'static str,
        /// The id looked for.
        id: ArtifactId,
    },
    /// The new name has no visible character.
    #[error("the name is empty; type a name with at least one visible character")]
    EmptyName,
    /// A step position is past the end of the test case.
    #[error("there is no step at position {index} in test case {case}, which has {len} step(s); pick a position below {len}")]
    StepOutOfRange {
        /// The test case.
        case: ArtifactId,
        /// The position asked for (0-based).
        index: usize,
        /// How many steps the test case has.
        len: usize,
    },
}

fn not_found(kind: ArtifactKind, id: &ArtifactId) -> EditError {
    EditError::NotFound {
        kind: kind.label(),
        id: id.clone(),
    }
}

fn checked_name(name: &str) -> Result<String, EditError> {
    if name.trim().is_empty() {
        Err(EditError::EmptyName)
    } else {
        Ok(name.to_owned())
    }
}

/// Finds an artifact by id in a list.
fn find_mut<'a, T: Artifact>(items: &'a mut [T], id: &ArtifactId) -> Option<&'a mut T> {
    items.iter_mut().find(|item| item.id() == id)
}

/// Removes an artifact by id from a list.
fn remove<T: Artifact>(items: &mut Vec<T>, id: &ArtifactId) -> bool {
    let before = items.len();
    items.retain(|item| item.id() != id);
    items.len() != before
}

impl Project {
    /// A new id for an artifact of `kind` named `name`: derived from the project id, the kind, the name
    /// and the lowest counter that gives an id not used yet. Deterministic, without randomness or clocks.
    pub fn new_id(&self, kind: ArtifactKind, name: &str) -> ArtifactId {
        let seed = fnv1a(&[
            self.id.as_str().as_bytes(),
            &[kind.id_prefix() as u8],
            name.as_bytes(),
        ]);
        (0..)
            .map(|counter| ArtifactId::derive(kind, seed, counter))
            .find(|candidate| {
                *candidate != self.id && self.artifact_ids().all(|used| used != candidate)
            })
            .unwrap_or_else(|| ArtifactId::derive(kind, seed, u64::MAX))
    }

    /// Appends a new suite; returns its id.
    ///
    /// ```
    /// use versioning_core::artifacts::{ArtifactId, Project, Step};
    /// let mut project = Project::new(ArtifactId::new("shop").unwrap(), "Shop");
    /// let suite = project.add_suite("Cart").unwrap();
    /// let scenario = project.add_scenario(&suite, "Add items").unwrap();
    /// let case = project.add_test_case(&scenario, "Add one item").unwrap();
    /// let step = Step::new("Click", "AddToCart", "", "", "");
    /// project.insert_step(&case, 0, step).unwrap();
    /// assert_eq!(project.find_test_case(&case).unwrap().steps.len(), 1);
    /// assert!(project.rename(&ArtifactId::new("nope").unwrap(), "X").is_err());
    /// ```
    pub fn add_suite(&mut self, name: &str) -> Result<ArtifactId, EditError> {
        let name = checked_name(name)?;
        let id = self.new_id(ArtifactKind::Suite, &name);
        self.suites.push(TestSuite::new(id.clone(), name));
        Ok(id)
    }

    /// Appends a new scenario to a suite; returns its id.
    pub fn add_scenario(
        &mut self,
        suite: &ArtifactId,
        name: &str,
    ) -> Result<ArtifactId, EditError> {
        let name = checked_name(name)?;
        let id = self.new_id(ArtifactKind::Scenario, &name);
        let parent = find_mut(&mut self.suites, suite)
            .ok_or_else(|| not_found(ArtifactKind::Suite, suite))?;
        parent.scenarios.push(Scenario::new(id.clone(), name));
        Ok(id)
    }

    /// Appends a new test case to a scenario; returns its id.
    pub fn add_test_case(
        &mut self,
        scenario: &ArtifactId,
        name: &str,
    ) -> Result<ArtifactId, EditError> {
        let name = checked_name(name)?;
        let id = self.new_id(ArtifactKind::TestCase, &name);
        let parent = self.scenario_mut(scenario)?;
        parent
            .test_cases
            .push(TestCase::new(id.clone(), name).into());
        Ok(id)
    }

    /// Renames any artifact (its id, and so its identity, stays).
    pub fn rename(&mut self, id: &ArtifactId, name: &str) -> Result<(), EditError> {
        let name = checked_name(name)?;
        *self.header_mut(id)?.name = name;
        Ok(())
    }

    /// Replaces any artifact's description.
    pub fn set_description(&mut self, id: &ArtifactId, description: &str) -> Result<(), EditError> {
        *self.header_mut(id)?.description = description.to_owned();
        Ok(())
    }

    /// Sets any artifact's review state.
    pub fn set_review_state(
        &mut self,
        id: &ArtifactId,
        state: ReviewState,
    ) -> Result<(), EditError> {
        *self.header_mut(id)?.review_state = state;
        Ok(())
    }

    /// Deletes any artifact with everything it holds, and drops references to it from execution lists.
    pub fn delete(&mut self, id: &ArtifactId) -> Result<(), EditError> {
        let removed = remove(&mut self.suites, id)
            || self
                .suites
                .iter_mut()
                .any(|suite| remove(&mut suite.scenarios, id))
            || self
                .suites
                .iter_mut()
                .flat_map(|suite| &mut suite.scenarios)
                .any(|scenario| remove(&mut scenario.test_cases, id))
            || remove(&mut self.element_repositories, id)
            || remove(&mut self.data_tables, id)
            || remove(&mut self.execution_lists, id);
        if !removed {
            return Err(EditError::NotFound {
                kind: "artifact",
                id: id.clone(),
            });
        }
        for list in &mut self.execution_lists {
            list.entries.retain(|entry| entry.suite != *id);
            for entry in &mut list.entries {
                entry.data_table.take_if(|table| table == id);
            }
        }
        Ok(())
    }

    /// Inserts a step at a position (0 = first, the step count = last).
    pub fn insert_step(
        &mut self,
        case: &ArtifactId,
        index: usize,
        step: Step,
    ) -> Result<(), EditError> {
        let steps = self.steps_mut(case, index, 1)?;
        steps.insert(index, step);
        Ok(())
    }

    /// Removes the step at a position and returns it.
    pub fn remove_step(&mut self, case: &ArtifactId, index: usize) -> Result<Step, EditError> {
        Ok(self.steps_mut(case, index, 0)?.remove(index))
    }

    /// Replaces the step at a position and returns the old one.
    pub fn update_step(
        &mut self,
        case: &ArtifactId,
        index: usize,
        step: Step,
    ) -> Result<Step, EditError> {
        let steps = self.steps_mut(case, index, 0)?;
        Ok(std::mem::replace(&mut steps[index], step))
    }

    /// Moves a step from one position to another; the others keep their order.
    pub fn move_step(
        &mut self,
        case: &ArtifactId,
        from: usize,
        to: usize,
    ) -> Result<(), EditError> {
        self.steps_mut(case, to, 0)?;
        let steps = self.steps_mut(case, from, 0)?;
        let step = steps.remove(from);
        steps.insert(to, step);
        Ok(())
    }

    /// The steps of a test case, after checking that `index` is below the step count plus `slack`.
    fn steps_mut(
        &mut self,
        case: &ArtifactId,
        index: usize,
        slack: usize,
    ) -> Result<&mut Vec<Step>, EditError> {
        let steps = &mut self.test_case_mut(case)?.steps;
        if index < steps.len() + slack {
            Ok(steps)
        } else {
            Err(EditError::StepOutOfRange {
                case: case.clone(),
                index,
                len: steps.len(),
            })
        }
    }

    fn scenario_mut(&mut self, id: &ArtifactId) -> Result<&mut Scenario, EditError> {
        let mut scenarios = self
            .suites
            .iter_mut()
            .flat_map(|suite| &mut suite.scenarios);
        scenarios
            .find(|scenario| scenario.id == *id)
            .ok_or_else(|| not_found(ArtifactKind::Scenario, id))
    }

    fn test_case_mut(&mut self, id: &ArtifactId) -> Result<&mut TestCase, EditError> {
        let mut cases = self
            .suites
            .iter_mut()
            .flat_map(|suite| &mut suite.scenarios)
            .flat_map(|s| &mut s.test_cases);
        cases
            .find(|case| case.id == *id)
            .map(|case| &mut **case)
            .ok_or_else(|| not_found(ArtifactKind::TestCase, id))
    }

    /// Name, description and review state of any artifact.
    fn header_mut(&mut self, id: &ArtifactId) -> Result<HeaderMut<'_>, EditError> {
        let Project {
            suites,
            element_repositories,
            data_tables,
            execution_lists,
            ..
        } = self;
        for suite in suites {
            if suite.id == *id {
                return Ok(suite.header_mut());
            }
            for scenario in &mut suite.scenarios {
                if scenario.id == *id {
                    return Ok(scenario.header_mut());
                }
                if let Some(case) = find_mut(&mut scenario.test_cases, id) {
                    return Ok(case.header_mut());
                }
            }
        }
        find_mut(element_repositories, id)
            .map(Artifact::header_mut)
            .or_else(|| find_mut(data_tables, id).map(Artifact::header_mut))
            .or_else(|| find_mut(execution_lists, id).map(Artifact::header_mut))
            .ok_or_else(|| EditError::NotFound {
                kind: "artifact",
                id: id.clone(),
            })
    }
}
