//! A page's `<h1>`: it names the document and takes focus when the page opens, so that screen readers
//! announce each step of the navigation in a single-page app.

use web_sys::HtmlElement;
use yew::prelude::*;

/// Props of [`PageHeading`].
#[derive(Properties, PartialEq)]
pub struct PageHeadingProps {
    /// The heading text.
    pub title: AttrValue,
    /// What the page belongs to (a project name), added to the document title.
    #[prop_or_default]
    pub context: Option<AttrValue>,
}

/// The page heading; sets `document.title` to "Title · Context · Bitbucket Versioning".
#[component]
pub fn PageHeading(props: &PageHeadingProps) -> Html {
    let heading = use_node_ref();
    {
        let heading = heading.clone();
        let document_title = [
            Some(props.title.as_str()),
            props.context.as_deref(),
            Some("Bitbucket Versioning"),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · ");
        use_effect_with(document_title, move |document_title| {
            if let Some(document) = web_sys::window().and_then(|w| w.document()) {
                document.set_title(document_title);
            }
            if let Some(element) = heading.cast::<HtmlElement>() {
                let _ = element.focus();
            }
        });
    }
    html! { <h1 tabindex="-1" ref={heading}>{ &props.title }</h1> }
}
