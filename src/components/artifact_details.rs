//! The open artifact: its facts, rename, delete, new children, and a test case's steps.

use versioning_core::artifacts::{ArtifactId, ArtifactKind, Project, TestCase};
use yew::prelude::*;

use crate::components::name_form::NameForm;
use crate::components::status::loading_status;
use crate::components::steps_editor::StepsEditor;
use crate::state::explorer::{Edit, ExplorerAction, ExplorerState};

/// What the panel shows of an artifact, whatever its kind.
struct Shown<'a> {
    kind: ArtifactKind,
    name: &'a str,
    facts: Vec<(&'static str, String)>,
    /// The kind of child that can be added: scenarios to suites, test cases to scenarios.
    new_child: Option<ArtifactKind>,
    /// The steps, for test cases.
    case: Option<&'a TestCase>,
}

impl<'a> Shown<'a> {
    fn leaf(kind: ArtifactKind, name: &'a str, facts: Vec<(&'static str, String)>) -> Self {
        Shown {
            kind,
            name,
            facts,
            new_child: None,
            case: None,
        }
    }

    fn find(project: &'a Project, id: &ArtifactId) -> Option<Self> {
        if let Some(suite) = project.find_suite(id) {
            let cases = suite
                .scenarios
                .iter()
                .map(|s| s.test_cases.len())
                .sum::<usize>();
            let mut shown = Shown::leaf(
                ArtifactKind::Suite,
                &suite.name,
                vec![
                    ("Scenarios", suite.scenarios.len().to_string()),
                    ("Test cases", cases.to_string()),
                ],
            );
            shown.new_child = Some(ArtifactKind::Scenario);
            return Some(shown);
        }
        if let Some(scenario) = project.find_scenario(id) {
            let mut shown = Shown::leaf(
                ArtifactKind::Scenario,
                &scenario.name,
                vec![("Test cases", scenario.test_cases.len().to_string())],
            );
            shown.new_child = Some(ArtifactKind::TestCase);
            return Some(shown);
        }
        if let Some(case) = project.find_test_case(id) {
            let mut shown = Shown::leaf(ArtifactKind::TestCase, &case.name, Vec::new());
            shown.case = Some(case);
            return Some(shown);
        }
        if let Some(repository) = project.find_element_repository(id) {
            let facts = vec![("Elements", repository.elements.len().to_string())];
            return Some(Shown::leaf(
                ArtifactKind::ElementRepository,
                &repository.name,
                facts,
            ));
        }
        if let Some(table) = project.find_data_table(id) {
            let facts = vec![
                ("Columns", table.columns.join(", ")),
                ("Rows", table.rows.len().to_string()),
            ];
            return Some(Shown::leaf(ArtifactKind::DataTable, &table.name, facts));
        }
        project.find_execution_list(id).map(|list| {
            let facts = vec![
                ("Browser", list.settings.browser.clone()),
                ("Environment", list.settings.environment.clone()),
                ("Suites to run", list.entries.len().to_string()),
            ];
            Shown::leaf(ArtifactKind::ExecutionList, &list.name, facts)
        })
    }
}

/// A kind's label with a capital first letter, for headings.
fn kind_title(kind: ArtifactKind) -> String {
    let label = kind.label();
    label[..1].to_uppercase() + &label[1..]
}

/// Props of [`ArtifactDetails`].
#[derive(Properties, PartialEq)]
pub struct ArtifactDetailsProps {
    /// The explorer's state.
    pub state: UseReducerHandle<ExplorerState>,
}

/// The panel of the open artifact, or a hint when none is open.
#[component]
pub fn ArtifactDetails(props: &ArtifactDetailsProps) -> Html {
    let state = &props.state;
    let found = state
        .project()
        .zip(state.selected.as_ref())
        .and_then(|(project, id)| Some((id, Shown::find(project, id)?)));
    let Some((id, shown)) = found else {
        if state.project().is_none() && state.selected.is_some() {
            // Opened while the project is read: shown once it is.
            return html! {
                <section class="card details" aria-labelledby="details-title">
                    <h2 id="details-title">{ "Opening the artifact" }</h2>
                    { loading_status("the artifact") }
                </section>
            };
        }
        return html! {
            <section class="card details" aria-labelledby="details-title">
                <h2 id="details-title">{ "No artifact open" }</h2>
                <p class="note">{ "Choose an artifact in the tree to see it and edit it." }</p>
            </section>
        };
    };
    let on_edit = Callback::from(state.dispatcher()).reform(ExplorerAction::Edit);
    let rename = {
        let id = id.clone();
        on_edit.reform(move |name| Edit::Rename {
            id: id.clone(),
            name,
        })
    };
    let ask_delete = {
        let id = id.clone();
        Callback::from(state.dispatcher())
            .reform(move |_: MouseEvent| ExplorerAction::AskDelete(id.clone()))
    };
    let new_child = shown.new_child.map(|kind| {
        let parent = id.clone();
        let add = on_edit.reform(move |name| match kind {
            ArtifactKind::Scenario => Edit::AddScenario {
                suite: parent.clone(),
                name,
            },
            _ => Edit::AddTestCase {
                scenario: parent.clone(),
                name,
            },
        });
        html! {
            <NameForm id="new-child-name" label={format!("Name of the new {}", kind.label())}
                      button={format!("Add {}", kind.label())} on_submit={add} />
        }
    });
    let facts = shown.facts.iter().map(|(term, value)| {
        html! { <><dt>{ *term }</dt><dd>{ value }</dd></> }
    });
    html! {
        <section class="card details" aria-labelledby="details-title">
            <p class="kind">{ kind_title(shown.kind) }</p>
            <h2 id="details-title">
                { shown.name }
                if state.is_changed(id) {
                    { " " }<span class="badge changed">{ "Changed" }</span>
                }
            </h2>
            if !shown.facts.is_empty() {
                <dl class="facts">{ for facts }</dl>
            }
            <div class="details-forms">
                <NameForm id="rename" label="Name" button="Rename" initial={shown.name.to_owned()} on_submit={rename} />
                { new_child.unwrap_or_default() }
            </div>
            if let Some(case) = shown.case {
                <StepsEditor case={case.clone()} {on_edit} />
            }
            <div class="actions">
                <button type="button" class="button danger" onclick={ask_delete}>
                    { format!("Delete {}", shown.kind.label()) }
                </button>
            </div>
        </section>
    }
}
