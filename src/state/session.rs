//! Who is signed in, shared with every page through a context.
//!
//! Standalone, the app offers one demo user per product role (the sandbox knows the same people); an
//! embedded app never does: it has the portal's user and role, or the lowest role when the portal names none.

use std::rc::Rc;

use gloo_storage::{LocalStorage, Storage};
use versioning_core::roles::Role;
use yew::prelude::*;

/// The demo users of standalone mode, one per role.
pub const DEMO_USERS: [(&str, Role); 4] = [
    ("Ada Admin", Role::Admin),
    ("Quinn Manager", Role::QualityManager),
    ("Lee Lead", Role::QualityLead),
    ("Eve Engineer", Role::QualityEngineer),
];

const DEMO_USER_KEY: &str = "bitbucket-versioning/demo-user";

/// The signed-in user as the portal knows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Display name.
    pub user_name: String,
    /// The user's product role.
    pub role: Role,
    /// Whether this is a demo user of standalone mode, who can be switched; a portal's user cannot.
    pub demo: bool,
}

impl Session {
    /// The demo user at `index` of [`DEMO_USERS`] (the first when out of range).
    pub fn demo(index: usize) -> Self {
        let (name, role) = DEMO_USERS.get(index).copied().unwrap_or(DEMO_USERS[0]);
        Session {
            user_name: name.into(),
            role,
            demo: true,
        }
    }

    /// The user an embedding portal signed in.
    pub fn portal(user_name: impl Into<String>, role: Role) -> Self {
        Session {
            user_name: user_name.into(),
            role,
            demo: false,
        }
    }
}

/// What can happen to the session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionAction {
    /// Continue as the demo user at this index of [`DEMO_USERS`].
    SignInAs(usize),
    /// The embedding portal's user (changed by the portal).
    Portal(Session),
}

impl Reducible for Session {
    type Action = SessionAction;

    fn reduce(self: Rc<Self>, action: SessionAction) -> Rc<Self> {
        match action {
            SessionAction::SignInAs(index) => {
                // Kept across reloads; losing it only means starting as the first demo user.
                let _ = LocalStorage::set(DEMO_USER_KEY, index);
                Rc::new(Session::demo(index))
            }
            SessionAction::Portal(session) => Rc::new(session),
        }
    }
}

/// The session handle pages read and the header changes.
pub type SessionContext = UseReducerHandle<Session>;

/// Props of [`SessionProvider`].
#[derive(Properties, PartialEq)]
pub struct SessionProviderProps {
    /// The portal's user; the demo users of standalone mode when not given.
    #[prop_or_default]
    pub user: Option<Session>,
    /// The part of the app that can read the session.
    pub children: Html,
}

/// Provides the [`Session`] to its children.
#[component]
pub fn SessionProvider(props: &SessionProviderProps) -> Html {
    let session = {
        let user = props.user.clone();
        use_reducer(move || {
            user.unwrap_or_else(|| Session::demo(LocalStorage::get(DEMO_USER_KEY).unwrap_or(0)))
        })
    };
    {
        let session = session.dispatcher();
        use_effect_with(props.user.clone(), move |user| {
            if let Some(user) = user {
                session.dispatch(SessionAction::Portal(user.clone()));
            }
        });
    }
    html! {
        <ContextProvider<SessionContext> context={session}>
            { props.children.clone() }
        </ContextProvider<SessionContext>>
    }
}

/// The current session; panics only if used outside [`SessionProvider`], a programming error.
#[hook]
pub fn use_session() -> SessionContext {
    use_context::<SessionContext>().expect("SessionProvider wraps the app")
}
