//! The connection store, shared with every page through a context, so that a portal can supply its own.

use std::rc::Rc;

use yew::prelude::*;

use crate::services::connection_store::{BrowserConnectionStore, ConnectionStore};

/// A connection store shared by the pages; equal when it is the same store.
#[derive(Clone)]
pub struct Connections(pub Rc<dyn ConnectionStore>);

impl PartialEq for Connections {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl std::ops::Deref for Connections {
    type Target = dyn ConnectionStore;

    fn deref(&self) -> &Self::Target {
        &*self.0
    }
}

/// Props of [`ConnectionsProvider`].
#[derive(Properties, PartialEq)]
pub struct ConnectionsProviderProps {
    /// The store to use; the browser's storage when not given (standalone mode).
    #[prop_or_default]
    pub store: Option<Connections>,
    /// The part of the app that uses connections.
    pub children: Html,
}

/// Provides [`Connections`] to its children.
#[component]
pub fn ConnectionsProvider(props: &ConnectionsProviderProps) -> Html {
    let store = use_memo(props.store.clone(), |store| {
        store
            .clone()
            .unwrap_or_else(|| Connections(Rc::new(BrowserConnectionStore)))
    });
    html! {
        <ContextProvider<Connections> context={(*store).clone()}>
            { props.children.clone() }
        </ContextProvider<Connections>>
    }
}

/// The connection store; panics only if used outside [`ConnectionsProvider`], a programming error.
#[hook]
pub fn use_connections() -> Connections {
    use_context::<Connections>().expect("ConnectionsProvider wraps the app")
}
