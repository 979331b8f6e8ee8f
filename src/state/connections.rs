//! The connection store, shared with every page through a context, so that a portal can supply its own.

use std::rc::Rc;

use yew::prelude::*;

use versioning_core::ConnectionForm;

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

/// What a new connection's form starts with: empty, or with the API base URL an embedding portal gives
/// (e.g. its same-origin relay to Bitbucket).
#[derive(Clone, PartialEq, Default)]
pub struct NewConnection {
    api_base_url: Option<AttrValue>,
}

impl NewConnection {
    /// The form of a new connection.
    pub fn form(&self) -> ConnectionForm {
        ConnectionForm {
            api_base_url: self.api_base_url.as_deref().unwrap_or_default().to_owned(),
            ..ConnectionForm::default()
        }
    }
}

/// Props of [`ConnectionsProvider`].
#[derive(Properties, PartialEq)]
pub struct ConnectionsProviderProps {
    /// The store to use; the browser's storage when not given (standalone mode).
    #[prop_or_default]
    pub store: Option<Connections>,
    /// The API base URL new connections start with; none when not given.
    #[prop_or_default]
    pub api_base_url: Option<AttrValue>,
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
    let new_connection = NewConnection {
        api_base_url: props.api_base_url.clone(),
    };
    html! {
        <ContextProvider<Connections> context={(*store).clone()}>
            <ContextProvider<NewConnection> context={new_connection}>
                { props.children.clone() }
            </ContextProvider<NewConnection>>
        </ContextProvider<Connections>>
    }
}

/// The connection store; panics only if used outside [`ConnectionsProvider`], a programming error.
#[hook]
pub fn use_connections() -> Connections {
    use_context::<Connections>().expect("ConnectionsProvider wraps the app")
}

/// The form a new connection starts with.
#[hook]
pub fn use_new_connection() -> ConnectionForm {
    use_context::<NewConnection>().unwrap_or_default().form()
}
