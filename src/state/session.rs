//! Who is signed in, shared with every page through a context.

use std::rc::Rc;

use yew::prelude::*;

/// The signed-in user as the portal knows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Display name.
    pub user_name: String,
    /// The user's product role, as shown in the header.
    pub role_label: String,
}

impl Session {
    /// The user of the standalone demo.
    pub fn standalone() -> Self {
        Session {
            user_name: "Ada Admin".into(),
            role_label: "Admin".into(),
        }
    }
}

/// Props of [`SessionProvider`].
#[derive(Properties, PartialEq)]
pub struct SessionProviderProps {
    /// The part of the app that can read the session.
    pub children: Html,
}

/// Provides the [`Session`] to its children.
#[component]
pub fn SessionProvider(props: &SessionProviderProps) -> Html {
    let session = use_memo((), |_| Session::standalone());
    html! {
        <ContextProvider<Rc<Session>> context={session}>
            { props.children.clone() }
        </ContextProvider<Rc<Session>>>
    }
}

/// The current session; panics only if used outside [`SessionProvider`], a programming error.
#[hook]
pub fn use_session() -> Rc<Session> {
    use_context::<Rc<Session>>().expect("SessionProvider wraps the app")
}
