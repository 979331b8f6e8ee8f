//! The page header: product name and the signed-in user.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::route::Route;
use crate::state::session::use_session;

/// The top bar of every page.
#[component]
pub fn Header() -> Html {
    let session = use_session();
    html! {
        <header class="topbar">
            <Link<Route> to={Route::Home} classes="brand">
                <span class="brand-mark" aria-hidden="true">{ "⎇" }</span>
                { "Bitbucket Versioning" }
            </Link<Route>>
            <p class="current-user">
                <span class="visually-hidden">{ "Signed in as " }</span>
                <span class="user-name">{ &session.user_name }</span>
                <span class="role-badge">{ &session.role_label }</span>
            </p>
        </header>
    }
}
