//! The page header: product name and the signed-in user, who can be switched in standalone mode (a
//! portal's user cannot).

use web_sys::HtmlSelectElement;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::route::Route;
use crate::state::session::{use_session, SessionAction, DEMO_USERS};

/// The top bar of every page.
#[component]
pub fn Header() -> Html {
    let session = use_session();
    let onchange = Callback::from(session.dispatcher()).reform(|event: Event| {
        let index = event
            .target_unchecked_into::<HtmlSelectElement>()
            .selected_index();
        SessionAction::SignInAs(usize::try_from(index).unwrap_or(0))
    });
    let options = DEMO_USERS.iter().map(|(name, role)| {
        html! { <option selected={*name == session.user_name}>{ format!("{name} ({role})") }</option> }
    });
    html! {
        <header class="topbar">
            <Link<Route> to={Route::Home} classes="brand">
                <span class="brand-mark" aria-hidden="true">{ "⎇" }</span>
                { "Bitbucket Versioning" }
            </Link<Route>>
            <div class="current-user">
                <p>
                    <span class="visually-hidden">{ "Signed in as " }</span>
                    <span class="user-name">{ &session.user_name }</span>
                    <span class="role-badge">{ session.role.label() }</span>
                </p>
                if session.demo {
                    <label for="demo-user" class="visually-hidden">{ "Demo user" }</label>
                    <select id="demo-user" class="demo-user" title="Demo user" {onchange}>{ for options }</select>
                }
            </div>
        </header>
    }
}
