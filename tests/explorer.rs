//! The explorer in a real browser: the tree of a demo project, and a step edit marked as changed and
//! saved to the store, and when the sync dialogs may work on the page's copy of the project.
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use bitbucket_versioning::components::explorer::Explorer;
use bitbucket_versioning::services::project_store::{
    ProjectStore, SharedStore, StoreError, StoreFuture,
};
use bitbucket_versioning::services::projects::{ProjectSummary, StoredProject};
use bitbucket_versioning::state::explorer::{Edit, ExplorerAction, ExplorerState};
use bitbucket_versioning::state::projects::ProjectsProvider;
use versioning_core::artifacts::{demo, Outline};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlInputElement};
use yew::prelude::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A store in memory, holding the demo projects at their baseline.
#[derive(Default)]
struct MemoryStore {
    projects: RefCell<BTreeMap<String, StoredProject>>,
    saves: RefCell<usize>,
}

impl MemoryStore {
    fn with_demos() -> Rc<Self> {
        let store = MemoryStore::default();
        for project in demo::demo_projects() {
            let stored = StoredProject::at_baseline(project);
            store
                .projects
                .borrow_mut()
                .insert(stored.project.id.to_string(), stored);
        }
        Rc::new(store)
    }
}

impl ProjectStore for MemoryStore {
    fn list(&self) -> StoreFuture<'_, Vec<ProjectSummary>> {
        let list = self
            .projects
            .borrow()
            .values()
            .map(StoredProject::summary)
            .collect();
        Box::pin(async move { Ok(list) })
    }

    fn load<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<StoredProject>> {
        let found = self.projects.borrow().get(id).cloned();
        Box::pin(async move { Ok(found) })
    }

    fn save<'a>(&'a self, stored: &'a StoredProject) -> StoreFuture<'a, ()> {
        let id = stored.project.id.to_string();
        let now = self.projects.borrow().get(&id).map_or(0, |p| p.revision);
        if now != stored.revision {
            return Box::pin(async move { Err(StoreError::Conflict(id)) });
        }
        *self.saves.borrow_mut() += 1;
        let mut record = stored.clone();
        record.revision += 1;
        self.projects.borrow_mut().insert(id, record);
        Box::pin(async { Ok(()) })
    }

    fn create<'a>(&'a self, stored: &'a StoredProject) -> StoreFuture<'a, ()> {
        let id = stored.project.id.to_string();
        if self.projects.borrow().contains_key(&id) {
            return Box::pin(async move { Err(StoreError::AlreadyExists(id)) });
        }
        let mut record = stored.clone();
        record.revision = 1;
        self.projects.borrow_mut().insert(id, record);
        Box::pin(async { Ok(()) })
    }

    fn delete<'a>(&'a self, id: &'a str) -> StoreFuture<'a, ()> {
        self.projects.borrow_mut().remove(id);
        Box::pin(async { Ok(()) })
    }
}

/// A store that keeps each project's outline apart, and answers a load only once let go.
struct SlowStore {
    inner: Rc<MemoryStore>,
    release: RefCell<Option<futures::channel::oneshot::Receiver<()>>>,
}

impl ProjectStore for SlowStore {
    fn list(&self) -> StoreFuture<'_, Vec<ProjectSummary>> {
        self.inner.list()
    }

    fn outline<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<Outline>> {
        let outline = self
            .inner
            .projects
            .borrow()
            .get(id)
            .map(|p| p.project.outline());
        Box::pin(async move { Ok(outline) })
    }

    fn load<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<StoredProject>> {
        let release = self.release.borrow_mut().take();
        Box::pin(async move {
            if let Some(release) = release {
                let _ = release.await;
            }
            self.inner.load(id).await
        })
    }

    fn save<'a>(&'a self, stored: &'a StoredProject) -> StoreFuture<'a, ()> {
        self.inner.save(stored)
    }

    fn create<'a>(&'a self, stored: &'a StoredProject) -> StoreFuture<'a, ()> {
        self.inner.create(stored)
    }

    fn delete<'a>(&'a self, id: &'a str) -> StoreFuture<'a, ()> {
        self.inner.delete(id)
    }
}

#[derive(Properties, PartialEq)]
struct HarnessProps {
    store: SharedStore,
}

#[component]
fn Harness(props: &HarnessProps) -> Html {
    html! {
        <ProjectsProvider store={props.store.clone()}>
            <Explorer id="checkout-web" />
        </ProjectsProvider>
    }
}

async fn mount(store: Rc<dyn ProjectStore>) -> Element {
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    let props = HarnessProps {
        store: SharedStore(store),
    };
    yew::Renderer::<Harness>::with_root_and_props(root.clone(), props).render();
    until(&root, |root| {
        root.query_selector(".artifact-tree").unwrap().is_some()
    })
    .await;
    root
}

/// Lets Yew and the store's futures run until `done` holds (a bounded number of rounds, each a render
/// and a turn of the browser's microtasks).
async fn until(root: &Element, done: impl Fn(&Element) -> bool) {
    for _ in 0..50 {
        yew::scheduler::flush().await;
        if done(root) {
            return;
        }
        let turn = js_sys::Promise::resolve(&wasm_bindgen::JsValue::NULL);
        let _ = wasm_bindgen_futures::JsFuture::from(turn).await;
    }
    panic!("the explorer did not reach the expected state");
}

fn texts(root: &Element, selector: &str) -> Vec<String> {
    let nodes = root.query_selector_all(selector).unwrap();
    (0..nodes.length())
        .filter_map(|i| nodes.item(i)?.text_content())
        .collect()
}

fn button(root: &Element, selector: &str, text: &str) -> HtmlElement {
    let nodes = root.query_selector_all(selector).unwrap();
    (0..nodes.length())
        .filter_map(|i| nodes.item(i))
        .find(|node| node.text_content().as_deref() == Some(text))
        .unwrap_or_else(|| panic!("no {selector} with text {text}"))
        .unchecked_into()
}

#[wasm_bindgen_test]
async fn renders_the_tree_of_a_demo_project() {
    let root = mount(MemoryStore::with_demos() as Rc<dyn ProjectStore>).await;
    let project = &demo::demo_projects()[0];
    let suites: Vec<String> = project.suites.iter().map(|s| s.name.clone()).collect();
    let groups = texts(&root, ".tree-group h3");
    assert_eq!(
        groups,
        [
            "Test suites",
            "Element repositories",
            "Data tables",
            "Execution lists"
        ]
    );
    let nodes = texts(&root, ".node");
    for suite in &suites {
        assert!(nodes.contains(suite), "suite {suite} in {nodes:?}");
    }
    assert!(nodes.contains(&project.element_repositories[0].name));
    assert!(nodes.contains(&project.execution_lists[0].name));
    assert!(texts(&root, ".badge.changed").is_empty());

    let suite = &project.suites[0];
    let item = button(&root, ".node", &suite.name)
        .closest("[role=treeitem]")
        .unwrap()
        .unwrap();
    assert_eq!(
        item.get_attribute("aria-expanded").as_deref(),
        Some("false")
    );
    let disclosure = item.query_selector(".disclosure").unwrap().unwrap();
    disclosure.unchecked_into::<HtmlElement>().click();
    until(&root, |root| {
        texts(root, ".node").contains(&suite.scenarios[0].name)
    })
    .await;
}

#[wasm_bindgen_test]
async fn the_outline_is_shown_while_the_project_is_read_and_what_is_opened_then_stays_open() {
    let (release, held) = futures::channel::oneshot::channel();
    let store = Rc::new(SlowStore {
        inner: MemoryStore::with_demos(),
        release: RefCell::new(Some(held)),
    });
    let root = mount(store).await;
    let project = &demo::demo_projects()[0];
    // The first level of each tree, in order.
    let suites = project.suites.iter().map(|a| a.name.clone());
    let repositories = project.element_repositories.iter().map(|a| a.name.clone());
    let tables = project.data_tables.iter().map(|a| a.name.clone());
    let lists = project.execution_lists.iter().map(|a| a.name.clone());
    let first_level: Vec<String> = suites
        .chain(repositories)
        .chain(tables)
        .chain(lists)
        .collect();
    assert_eq!(texts(&root, ".node"), first_level);
    assert!(texts(&root, ".changes")
        .concat()
        .contains("Reading the test artifacts"));
    assert!(button(&root, "button", "Push…").has_attribute("disabled"));
    assert!(button(&root, "button", "Add test suite").has_attribute("disabled"));
    // The user opens the first suite while the project is read.
    let suite = &project.suites[0];
    button(&root, ".node", &suite.name).click();
    until(&root, |root| {
        texts(root, "#details-title").concat() == "Opening the artifact"
    })
    .await;
    assert!(!texts(&root, ".node").contains(&suite.scenarios[0].name));
    release.send(()).unwrap();
    until(&root, |root| {
        texts(root, ".node").contains(&suite.scenarios[0].name)
    })
    .await;
    assert!(texts(&root, ".changes")
        .concat()
        .contains("No changes since the last push or pull"));
    assert!(!button(&root, "button", "Push…").has_attribute("disabled"));
    let item = button(&root, ".node", &suite.name)
        .closest("[role=treeitem]")
        .unwrap()
        .unwrap();
    assert_eq!(item.get_attribute("aria-selected").as_deref(), Some("true"));
    assert_ne!(
        texts(&root, "#details-title").concat(),
        "Opening the artifact"
    );
}

#[wasm_bindgen_test]
async fn editing_a_step_marks_the_test_case_changed_and_saves_it() {
    let store = MemoryStore::with_demos();
    let root = mount(store.clone() as Rc<dyn ProjectStore>).await;
    let project = &demo::demo_projects()[0];
    let scenario = &project.suites[0].scenarios[0];
    let case = &scenario.test_cases[0];
    button(&root, ".node", &project.suites[0].name).click();
    until(&root, |root| texts(root, ".node").contains(&scenario.name)).await;
    button(&root, ".node", &scenario.name).click();
    until(&root, |root| texts(root, ".node").contains(&case.name)).await;
    button(&root, ".node", &case.name).click();
    until(&root, |root| {
        root.query_selector("#step-1-keyword").unwrap().is_some()
    })
    .await;

    let keyword: HtmlInputElement = root
        .query_selector("#step-1-keyword")
        .unwrap()
        .unwrap()
        .unchecked_into();
    keyword.set_value("Open");
    keyword
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    until(&root, |root| !texts(root, ".badge.changed").is_empty()).await;

    let changed_row = root
        .query_selector(".tree-row.selected")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap();
    assert!(changed_row.contains(&case.name) && changed_row.contains("Changed"));
    until(&root, |_| *store.saves.borrow() > 0).await;
    let saved = store.projects.borrow()["checkout-web"].clone();
    assert_eq!(
        saved.project.find_test_case(&case.id).unwrap().steps[0].keyword(),
        "Open"
    );
    assert!(saved.local_changes().changed.contains(&case.id));
    let status = texts(&root, ".changes").concat();
    assert!(
        status.contains("changed since the last push or pull"),
        "{status}"
    );
}

/// Edits `case`'s first step keyword to `keyword` (the test case must be open).
fn set_keyword(root: &Element, keyword: &str) {
    let input: HtmlInputElement = root
        .query_selector("#step-1-keyword")
        .unwrap()
        .unwrap()
        .unchecked_into();
    input.set_value(keyword);
    input
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
}

async fn open_first_test_case(root: &Element) {
    let project = &demo::demo_projects()[0];
    let scenario = &project.suites[0].scenarios[0];
    button(root, ".node", &project.suites[0].name).click();
    until(root, |root| texts(root, ".node").contains(&scenario.name)).await;
    button(root, ".node", &scenario.name).click();
    until(root, |root| {
        texts(root, ".node").contains(&scenario.test_cases[0].name)
    })
    .await;
    button(root, ".node", &scenario.test_cases[0].name).click();
    until(root, |root| {
        root.query_selector("#step-1-keyword").unwrap().is_some()
    })
    .await;
}

#[wasm_bindgen_test]
async fn successive_edits_each_save_over_the_revision_the_last_one_stored() {
    let store = MemoryStore::with_demos();
    let root = mount(store.clone() as Rc<dyn ProjectStore>).await;
    open_first_test_case(&root).await;
    for (n, keyword) in ["Open", "Close", "Click"].iter().enumerate() {
        set_keyword(&root, keyword);
        until(&root, |_| *store.saves.borrow() > n).await;
    }
    until(&root, |root| {
        texts(root, ".changes")
            .concat()
            .contains("All changes saved")
    })
    .await;
    let saved = store.projects.borrow()["checkout-web"].clone();
    assert_eq!(saved.revision, 3);
    assert!(!texts(&root, ".changes").concat().contains("another tab"));
}

#[wasm_bindgen_test]
async fn an_edit_over_another_tabs_save_is_not_written_and_asks_to_reload() {
    let store = MemoryStore::with_demos();
    let root = mount(store.clone() as Rc<dyn ProjectStore>).await;
    open_first_test_case(&root).await;
    // Another tab saves the project in between.
    {
        let mut projects = store.projects.borrow_mut();
        let other = projects.get_mut("checkout-web").unwrap();
        Rc::make_mut(&mut other.project).name = "Renamed in another tab".to_owned();
        other.revision += 1;
    }
    set_keyword(&root, "Open");
    until(&root, |root| {
        texts(root, ".changes")
            .concat()
            .contains("This project was changed in another tab: reload")
    })
    .await;
    let kept = store.projects.borrow()["checkout-web"].clone();
    assert_eq!(kept.project.name, "Renamed in another tab");
    assert_eq!(*store.saves.borrow(), 0, "nothing written over it");
    button(&root, "button", "Reload").click();
    until(&root, |root| {
        !texts(root, ".changes").concat().contains("another tab")
    })
    .await;
}

#[wasm_bindgen_test]
fn the_sync_dialogs_get_the_loaded_project_only_while_the_store_holds_exactly_it() {
    let stored = StoredProject::at_baseline(demo::demo_projects().remove(0));
    let state =
        Rc::new(ExplorerState::default()).reduce(ExplorerAction::Loaded(Ok(Some(Rc::new(stored)))));
    let loaded = state.in_store().expect("just loaded: what the store holds");
    let edited = state.reduce(ExplorerAction::Edit(Edit::AddSuite("Billing".into())));
    assert!(edited.in_store().is_none(), "an edit not saved yet");
    let saving = edited.reduce(ExplorerAction::SaveStarted(1));
    assert!(saving.in_store().is_none(), "a save under way");
    let saved = saving.reduce(ExplorerAction::Saved(1));
    let current = saved.in_store().expect("every edit saved");
    assert_eq!(current.revision, loaded.revision + 1);
    assert!(current.project.suites.iter().any(|s| s.name == "Billing"));
    let elsewhere = saved.reduce(ExplorerAction::ChangedElsewhere(current.revision + 1));
    assert!(elsewhere.in_store().is_none(), "another tab saved since");
    // What a push or pull stored becomes the page's copy, as it is.
    let mut pulled = (*current).clone();
    pulled.revision += 1;
    let pulled = Rc::new(pulled);
    let taken = elsewhere.reduce(ExplorerAction::Stored(pulled.clone()));
    assert!(Rc::ptr_eq(&taken.in_store().expect("as stored"), &pulled));
}
