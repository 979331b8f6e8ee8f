//! The project's artifacts as nested lists: suites → scenarios → test cases, then the element
//! repositories, data tables and execution lists. Every node is a button that opens the artifact;
//! suites and scenarios have a disclosure button for their children.

use versioning_core::artifacts::{ArtifactId, Project};
use yew::prelude::*;

use crate::state::explorer::{ExplorerAction, ExplorerState};

/// Props of [`ArtifactTree`].
#[derive(Properties, PartialEq)]
pub struct ArtifactTreeProps {
    /// The explorer's state.
    pub state: UseReducerHandle<ExplorerState>,
}

/// One node: its disclosure button (when it has children), its name, its changed mark, its children.
fn node(
    state: &UseReducerHandle<ExplorerState>,
    id: &ArtifactId,
    name: &str,
    children: Option<Html>,
) -> Html {
    let select = {
        let id = id.clone();
        Callback::from(state.dispatcher())
            .reform(move |_: MouseEvent| ExplorerAction::Select(id.clone()))
    };
    let expanded = state.expanded.contains(id);
    let disclosure = children.as_ref().map(|_| {
        let id = id.clone();
        let toggle = Callback::from(state.dispatcher())
            .reform(move |_: MouseEvent| ExplorerAction::Toggle(id.clone()));
        html! {
            <button type="button" class="disclosure" aria-expanded={expanded.to_string()}
                    aria-label={format!("Contents of {name}")} onclick={toggle}>
                <span aria-hidden="true">{ if expanded { "▾" } else { "▸" } }</span>
            </button>
        }
    });
    let selected = state.selected.as_ref() == Some(id);
    html! {
        <li>
            <div class={classes!("tree-row", selected.then_some("selected"))}>
                { disclosure.unwrap_or_else(|| html! { <span class="disclosure-space"></span> }) }
                <button type="button" class="node" aria-current={selected.then_some("true")}
                        onclick={select}>{ name }</button>
                if state.is_changed(id) {
                    <span class="badge changed">{ "Changed" }</span>
                }
            </div>
            if expanded {
                { children.unwrap_or_default() }
            }
        </li>
    }
}

/// A titled list of nodes.
fn group(id: &str, title: &str, nodes: Vec<Html>) -> Html {
    let title_id = format!("{id}-title");
    html! {
        <section class="tree-group" aria-labelledby={title_id.clone()}>
            <h3 id={title_id.clone()}>{ title }</h3>
            if nodes.is_empty() {
                <p class="note">{ "None yet." }</p>
            } else {
                <ul class="tree" role="list" aria-labelledby={title_id}>{ for nodes }</ul>
            }
        </section>
    }
}

fn suites(state: &UseReducerHandle<ExplorerState>, project: &Project) -> Vec<Html> {
    project
        .suites
        .iter()
        .map(|suite| {
            let scenarios = suite.scenarios.iter().map(|scenario| {
                let cases = scenario
                    .test_cases
                    .iter()
                    .map(|case| node(state, &case.id, &case.name, None));
                let cases = html! { <ul role="list">{ for cases }</ul> };
                node(state, &scenario.id, &scenario.name, Some(cases))
            });
            let scenarios = html! { <ul role="list">{ for scenarios }</ul> };
            node(state, &suite.id, &suite.name, Some(scenarios))
        })
        .collect()
}

/// Nodes without children, from (id, name) pairs.
fn leaves<'a>(
    state: &UseReducerHandle<ExplorerState>,
    items: impl Iterator<Item = (&'a ArtifactId, &'a String)>,
) -> Vec<Html> {
    items
        .map(|(id, name)| node(state, id, name, None))
        .collect()
}

/// The tree of one project.
#[component]
pub fn ArtifactTree(props: &ArtifactTreeProps) -> Html {
    let state = &props.state;
    let Some(project) = state.project() else {
        return html! {};
    };
    let repositories = project
        .element_repositories
        .iter()
        .map(|a| (&a.id, &a.name));
    let tables = project.data_tables.iter().map(|a| (&a.id, &a.name));
    let lists = project.execution_lists.iter().map(|a| (&a.id, &a.name));
    html! {
        <nav class="artifact-tree" aria-label="Artifacts">
            { group("suites", "Test suites", suites(state, project)) }
            { group("repositories", "Element repositories", leaves(state, repositories)) }
            { group("tables", "Data tables", leaves(state, tables)) }
            { group("lists", "Execution lists", leaves(state, lists)) }
        </nav>
    }
}
