//! The navigation path above a page's heading.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::route::Route;

/// One step of the path: a link, or the current page when `to` is `None`.
#[derive(Clone, PartialEq)]
pub struct Crumb {
    /// Visible text.
    pub label: String,
    /// Where it leads.
    pub to: Option<Route>,
}

impl Crumb {
    /// A step that links to `to`.
    pub fn link(label: impl Into<String>, to: Route) -> Self {
        Crumb {
            label: label.into(),
            to: Some(to),
        }
    }

    /// The current page.
    pub fn here(label: impl Into<String>) -> Self {
        Crumb {
            label: label.into(),
            to: None,
        }
    }
}

/// The path Home › a project › `rest`, for the pages inside a project.
pub fn project_path(name: &str, id: &str, rest: impl IntoIterator<Item = Crumb>) -> Vec<Crumb> {
    let mut crumbs = vec![
        Crumb::link("Home", Route::Home),
        Crumb::link(name, Route::Project { id: id.to_owned() }),
    ];
    crumbs.extend(rest);
    crumbs
}

/// Props of [`Breadcrumb`].
#[derive(Properties, PartialEq)]
pub struct BreadcrumbProps {
    /// The path, from Home to the current page.
    pub crumbs: Vec<Crumb>,
}

/// A breadcrumb trail with `aria-current` on the last step.
#[component]
pub fn Breadcrumb(props: &BreadcrumbProps) -> Html {
    let items = props.crumbs.iter().map(|crumb| match &crumb.to {
        Some(route) => html! {
            <li><Link<Route> to={route.clone()}>{ &crumb.label }</Link<Route>></li>
        },
        None => html! { <li aria-current="page">{ &crumb.label }</li> },
    });
    html! {
        <nav class="breadcrumb" aria-label="Breadcrumb">
            <ol>{ for items }</ol>
        </nav>
    }
}
