//! The project store and the list of projects, shared with every page through a context.

use std::rc::Rc;

use yew::platform::spawn_local;
use yew::prelude::*;

use crate::services::indexed_db_store::IndexedDbProjectStore;
use crate::services::project_store::{SharedStore, StoreError};
use crate::services::projects::{list_or_seed, seed_demos, ProjectListing, ProjectSummary};

/// The list of projects, as far as it is known.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ProjectList {
    /// Being read from the store.
    #[default]
    Loading,
    /// Read.
    Ready(Vec<ProjectSummary>),
    /// The browser removed the stored projects (storage cleared or evicted); nothing was seeded.
    Removed,
    /// The store failed; its `Display` says what to do.
    Failed(StoreError),
}

/// What can happen to the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListAction {
    /// The list is being read (or written) again.
    Loading,
    /// The store answered.
    Loaded(Result<ProjectListing, StoreError>),
}

impl Reducible for ProjectList {
    type Action = ListAction;

    fn reduce(self: Rc<Self>, action: ListAction) -> Rc<Self> {
        let ListAction::Loaded(result) = action else {
            return Rc::new(ProjectList::Loading);
        };
        Rc::new(match result {
            Ok(ProjectListing::Projects(projects)) => ProjectList::Ready(projects),
            Ok(ProjectListing::Removed) => ProjectList::Removed,
            Err(message) => ProjectList::Failed(message),
        })
    }
}

/// The context: the store, and the list read from it.
#[derive(Clone, PartialEq)]
pub struct Projects {
    /// Where projects are kept.
    pub store: SharedStore,
    /// The projects as last read.
    pub list: UseReducerHandle<ProjectList>,
}

impl Projects {
    /// Reads the list again (after an import, for instance).
    pub fn refresh(&self) {
        reload(self.store.clone(), self.list.dispatcher());
    }

    /// Fills the store with the demo projects (after the browser removed the stored ones), then lists it.
    pub fn seed_demos(&self) {
        let (store, list) = (self.store.clone(), self.list.dispatcher());
        list.dispatch(ListAction::Loading);
        spawn_local(async move {
            let result = seed_demos(&*store).await.map(ProjectListing::Projects);
            list.dispatch(ListAction::Loaded(result));
        });
    }
}

fn reload(store: SharedStore, list: UseReducerDispatcher<ProjectList>) {
    spawn_local(async move {
        let result = list_or_seed(&*store).await;
        list.dispatch(ListAction::Loaded(result));
    });
}

/// Props of [`ProjectsProvider`].
#[derive(Properties, PartialEq)]
pub struct ProjectsProviderProps {
    /// The store to use; the browser's IndexedDB when not given (standalone mode).
    #[prop_or_default]
    pub store: Option<SharedStore>,
    /// The part of the app that uses projects.
    pub children: Html,
}

/// Provides [`Projects`] to its children and reads the list once mounted.
#[component]
pub fn ProjectsProvider(props: &ProjectsProviderProps) -> Html {
    let store = use_memo(props.store.clone(), |store| {
        store
            .clone()
            .unwrap_or_else(|| SharedStore(Rc::new(IndexedDbProjectStore::default())))
    });
    let list = use_reducer(ProjectList::default);
    {
        let list = list.dispatcher();
        use_effect_with((*store).clone(), move |store| reload(store.clone(), list));
    }
    let context = Projects {
        store: (*store).clone(),
        list,
    };
    html! {
        <ContextProvider<Projects> {context}>
            { props.children.clone() }
        </ContextProvider<Projects>>
    }
}

/// The projects context; panics only if used outside [`ProjectsProvider`], a programming error.
#[hook]
pub fn use_projects() -> Projects {
    use_context::<Projects>().expect("ProjectsProvider wraps the app")
}

/// Why a page does not have its project (yet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MissingProject {
    /// The list is being read.
    Loading,
    /// The store failed; its `Display` says what to do.
    Failed(StoreError),
    /// No project has this id (or the browser removed the stored projects).
    NotFound,
}

/// The summary of one project: `Ok` once found, or why it is not there (yet).
#[hook]
pub fn use_project(id: &str) -> Result<ProjectSummary, MissingProject> {
    let projects = use_projects();
    let found = match &*projects.list {
        ProjectList::Loading => Err(MissingProject::Loading),
        ProjectList::Failed(error) => Err(MissingProject::Failed(error.clone())),
        ProjectList::Removed => Err(MissingProject::NotFound),
        ProjectList::Ready(list) => list
            .iter()
            .find(|project| project.id == id)
            .cloned()
            .ok_or(MissingProject::NotFound),
    };
    found
}
