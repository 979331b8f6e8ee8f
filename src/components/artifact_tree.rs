//! The project's artifacts as tree views: suites → scenarios → test cases, then the element repositories,
//! data tables and execution lists, each kind a tree of its own. Clicking an item opens the artifact and
//! shows what it holds; its triangle shows or hides that. One item of each tree is in the tab order (the
//! one the keyboard was on, else the open artifact, else the first): Up and Down move, Right expands or goes
//! to the first child, Left collapses or goes to the parent, Home and End go to the ends, Enter and Space
//! open.

use versioning_core::artifacts::{ArtifactId, Project};
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};
use yew::prelude::*;

use crate::state::explorer::{ExplorerAction, ExplorerState, TreeGroup, TreeKey};

/// Props of [`ArtifactTree`].
#[derive(Properties, PartialEq)]
pub struct ArtifactTreeProps {
    /// The explorer's state.
    pub state: UseReducerHandle<ExplorerState>,
}

/// The attribute that names a tree item's artifact.
const ARTIFACT_ATTRIBUTE: &str = "data-artifact";

/// The tree item of `id` inside `root`, if it is shown.
pub fn tree_item(root: &Element, id: &ArtifactId) -> Option<HtmlElement> {
    let selector = format!("[role=treeitem][{ARTIFACT_ATTRIBUTE}='{id}']");
    root.query_selector(&selector)
        .ok()
        .flatten()?
        .dyn_into()
        .ok()
}

/// One item: its triangle (when it holds items), its name, its changed mark, and what it holds when
/// expanded. Its accessible name is its own name (browsers leave out a tree item's group); the changed
/// mark is its description. `tab_stop`: the item of its tree in the tab order.
fn node(
    state: &UseReducerHandle<ExplorerState>,
    tab_stop: Option<&ArtifactId>,
    id: &ArtifactId,
    name: &str,
    children: Option<Html>,
) -> Html {
    let dispatch = Callback::from(state.dispatcher());
    let select = {
        let id = id.clone();
        dispatch.reform(move |_: MouseEvent| ExplorerAction::Select(id.clone()))
    };
    let focus = {
        let id = id.clone();
        dispatch.reform(move |_: FocusEvent| ExplorerAction::Focus(id.clone()))
    };
    let expanded = state.expanded.contains(id);
    let disclosure = children.as_ref().map(|_| {
        let (id, dispatch) = (id.clone(), dispatch.clone());
        // Shows or hides the children without opening the artifact.
        let toggle = Callback::from(move |event: MouseEvent| {
            event.stop_propagation();
            dispatch.emit(ExplorerAction::Toggle(id.clone()));
        });
        html! {
            <span class="disclosure" aria-hidden="true" onclick={toggle}>{ if expanded { "▾" } else { "▸" } }</span>
        }
    });
    let selected = state.selected.as_ref() == Some(id);
    let changed = state.is_changed(id);
    let changed_id = format!("changed-{id}");
    html! {
        <li role="treeitem" data-artifact={id.to_string()} aria-selected={selected.to_string()}
            aria-expanded={children.is_some().then(|| expanded.to_string())}
            aria-describedby={changed.then(|| changed_id.clone())}
            tabindex={if tab_stop == Some(id) { "0" } else { "-1" }} onfocus={focus}>
            <div class={classes!("tree-row", selected.then_some("selected"))} onclick={select}>
                { disclosure.unwrap_or_else(|| html! { <span class="disclosure-space"></span> }) }
                <span class="node">{ name }</span>
                if changed {
                    // Told as the item's description, not as part of its name.
                    <span id={changed_id} class="badge changed" aria-hidden="true">{ "Changed" }</span>
                }
            </div>
            if expanded {
                <ul role="group">{ children.unwrap_or_default() }</ul>
            }
        </li>
    }
}

/// A titled tree of one kind of artifact; `nodes` renders its items given the tree's tab stop.
fn group(
    state: &UseReducerHandle<ExplorerState>,
    tree: TreeGroup,
    id: &str,
    title: &str,
    nodes: impl FnOnce(Option<&ArtifactId>) -> Vec<Html>,
) -> Html {
    let title_id = format!("{id}-title");
    let rows = state.rows(tree);
    let nodes = nodes(state.tab_stop(&rows));
    let dispatcher = state.dispatcher();
    let onkeydown = Callback::from(move |event: KeyboardEvent| {
        if event.alt_key() || event.ctrl_key() || event.meta_key() {
            return;
        }
        if let Some(key) = TreeKey::from_key(&event.key()) {
            event.prevent_default();
            dispatcher.dispatch(ExplorerAction::Key(tree, key));
        }
    });
    html! {
        <section class="tree-group" aria-labelledby={title_id.clone()}>
            <h3 id={title_id.clone()}>{ title }</h3>
            if nodes.is_empty() {
                <p class="note">{ "None yet." }</p>
            } else {
                <ul class="tree" role="tree" aria-labelledby={title_id} {onkeydown}>{ for nodes }</ul>
            }
        </section>
    }
}

fn suites(
    state: &UseReducerHandle<ExplorerState>,
    project: &Project,
    tab_stop: Option<&ArtifactId>,
) -> Vec<Html> {
    // Only what is expanded is rendered.
    let shown = |id: &ArtifactId| state.expanded.contains(id);
    project
        .suites
        .iter()
        .map(|suite| {
            let scenarios = shown(&suite.id).then(|| {
                let scenarios = suite.scenarios.iter().map(|scenario| {
                    let cases = shown(&scenario.id).then(|| {
                        let cases = scenario
                            .test_cases
                            .iter()
                            .map(|case| node(state, tab_stop, &case.id, &case.name, None));
                        html! { <>{ for cases }</> }
                    });
                    let cases = Some(cases.unwrap_or_default());
                    node(state, tab_stop, &scenario.id, &scenario.name, cases)
                });
                html! { <>{ for scenarios }</> }
            });
            let scenarios = Some(scenarios.unwrap_or_default());
            node(state, tab_stop, &suite.id, &suite.name, scenarios)
        })
        .collect()
}

/// Items without children, from (id, name) pairs.
fn leaves<'a>(
    state: &UseReducerHandle<ExplorerState>,
    tab_stop: Option<&ArtifactId>,
    items: impl Iterator<Item = (&'a ArtifactId, &'a String)>,
) -> Vec<Html> {
    items
        .map(|(id, name)| node(state, tab_stop, id, name, None))
        .collect()
}

/// Artifacts by id and name.
type Named<'a> = Vec<(&'a ArtifactId, &'a String)>;

/// The trees of one project. When the keyboard moves to another item, the focus follows it (only while
/// the focus is in the trees: a change from elsewhere, such as a reload, does not take it). While the
/// project is read, its outline's first level is shown (a suite expanded then shows its scenarios once
/// the project is read).
#[component]
pub fn ArtifactTree(props: &ArtifactTreeProps) -> Html {
    let state = &props.state;
    let root = use_node_ref();
    {
        let root = root.clone();
        use_effect_with(state.focused.clone(), move |focused| {
            let (Some(id), Some(root)) = (focused, root.cast::<Element>()) else {
                return;
            };
            if root.matches(":focus-within").unwrap_or(false) {
                if let Some(item) = tree_item(&root, id) {
                    let _ = item.focus();
                }
            }
        });
    }
    let (project, outline) = (state.project(), state.outline.as_deref());
    let [repositories, tables, lists]: [Named; 3] = match (project, outline) {
        (Some(project), _) => [
            project
                .element_repositories
                .iter()
                .map(|a| (&a.id, &a.name))
                .collect(),
            project
                .data_tables
                .iter()
                .map(|a| (&a.id, &a.name))
                .collect(),
            project
                .execution_lists
                .iter()
                .map(|a| (&a.id, &a.name))
                .collect(),
        ],
        (None, Some(outline)) => [
            &outline.element_repositories,
            &outline.data_tables,
            &outline.execution_lists,
        ]
        .map(|items| items.iter().map(|item| (&item.id, &item.name)).collect()),
        (None, None) => return html! {},
    };
    let suites = |stop: Option<&ArtifactId>| match (project, outline) {
        (Some(project), _) => suites(state, project, stop),
        // What a suite holds is shown once the project is read.
        (None, Some(outline)) => outline
            .suites
            .iter()
            .map(|s| node(state, stop, &s.id, &s.name, Some(Html::default())))
            .collect(),
        (None, None) => Vec::new(),
    };
    html! {
        <nav class="artifact-tree" aria-label="Artifacts" ref={root}>
            { group(state, TreeGroup::Suites, "suites", "Test suites", suites) }
            { group(state, TreeGroup::Repositories, "repositories", "Element repositories", |stop| leaves(state, stop, repositories.into_iter())) }
            { group(state, TreeGroup::Tables, "tables", "Data tables", |stop| leaves(state, stop, tables.into_iter())) }
            { group(state, TreeGroup::Lists, "lists", "Execution lists", |stop| leaves(state, stop, lists.into_iter())) }
        </nav>
    }
}
