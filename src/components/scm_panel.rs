//! The project's SCM parameters: requests in flight, commit sizes, timeout and retries. Admins and
//! Quality Managers change them; everyone else sees them.

use std::collections::BTreeMap;

use versioning_core::roles::{decide_any, Activity};
use versioning_core::sync::{ScmParameter, ScmParameters};
use web_sys::HtmlInputElement;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::components::code_text::code_text;
use crate::components::status::error_banner;
use crate::services::project_store::StoreError;
use crate::services::scm_parameters::{save_scm_parameters, stored_scm_parameters};
use crate::state::projects::use_projects;
use crate::state::session::use_session;

/// Props of [`ScmPanel`].
#[derive(Properties, PartialEq)]
pub struct ScmPanelProps {
    /// The project.
    pub project_id: AttrValue,
}

/// The panel: one validated field per parameter, and Save.
#[component]
pub fn ScmPanel(props: &ScmPanelProps) -> Html {
    let projects = use_projects();
    let session = use_session();
    let saved = use_state(|| None::<ScmParameters>);
    let texts = use_state(BTreeMap::<&'static str, String>::new);
    let status = use_state(|| None::<Result<(), StoreError>>);
    {
        let (store, saved, texts) = (projects.store.clone(), saved.clone(), texts.clone());
        use_effect_with(props.project_id.clone(), move |id| {
            let id = id.to_string();
            spawn_local(async move {
                if let Some(scm) = stored_scm_parameters(&*store, &id).await {
                    texts.set(
                        ScmParameter::ALL
                            .iter()
                            .map(|p| (p.key(), scm.get(*p).to_string()))
                            .collect(),
                    );
                    saved.set(Some(scm));
                }
            });
        });
    }
    let refusal = decide_any(&[session.role], &Activity::ConfigureScm)
        .denial()
        .map(ToString::to_string);
    let errors: BTreeMap<&'static str, String> = ScmParameter::ALL
        .iter()
        .filter_map(|p| {
            let text = texts.get(p.key())?;
            p.parse(text).err().map(|e| (p.key(), e.to_string()))
        })
        .collect();
    let on_save = {
        let (store, texts, status, saved) = (
            projects.store.clone(),
            texts.clone(),
            status.clone(),
            saved.clone(),
        );
        let id = props.project_id.to_string();
        let can_save = refusal.is_none() && errors.is_empty();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            if !can_save {
                return;
            }
            let mut parameters = ScmParameters::default();
            for p in ScmParameter::ALL {
                if let Some(Ok(value)) = texts.get(p.key()).map(|t| p.parse(t)) {
                    parameters.set(p, value);
                }
            }
            let (store, status, saved, id) =
                (store.clone(), status.clone(), saved.clone(), id.clone());
            spawn_local(async move {
                let result = save_scm_parameters(&*store, &id, parameters).await;
                if result.is_ok() {
                    saved.set(Some(parameters));
                }
                status.set(Some(result));
            });
        })
    };
    if saved.is_none() {
        return html! {};
    }
    html! {
        <form class="card form scm" novalidate=true aria-labelledby="scm-title" onsubmit={on_save}>
            <h2 id="scm-title">{ "SCM parameters" }</h2>
            if let Some(reason) = &refusal {
                <p class="banner info" role="status">{ code_text(reason) }</p>
            }
            <fieldset disabled={refusal.is_some()}>
                { for ScmParameter::ALL.iter().map(|&p| {
                    let id = p.key();
                    let (min, max) = p.range();
                    let error = errors.get(id).cloned();
                    let oninput = {
                        let texts = texts.clone();
                        Callback::from(move |event: InputEvent| {
                            let mut next = (*texts).clone();
                            next.insert(id, event.target_unchecked_into::<HtmlInputElement>().value());
                            texts.set(next);
                        })
                    };
                    html! {
                        <div class="field">
                            <label for={id}>{ p.label() }{ " " }<code>{ id }</code></label>
                            <input id={id} type="number" min={min.to_string()} max={max.to_string()} inputmode="numeric"
                                   value={texts.get(id).cloned().unwrap_or_default()} {oninput}
                                   aria-invalid={error.is_some().to_string()} aria-describedby={format!("{id}-helper {id}-message")} />
                            <div id={format!("{id}-helper")} class="helper">{ format!("{} Default {}, from {min} to {max}.", p.help(), p.default_value()) }</div>
                            <div id={format!("{id}-message")} class="error-text">{ code_text(&error.unwrap_or_default()) }</div>
                        </div>
                    }
                }) }
                <div class="actions">
                    <button type="submit" class="button primary">{ "Save parameters" }</button>
                </div>
            </fieldset>
            { match &*status {
                Some(Ok(())) => html! { <p role="status">{ "SCM parameters saved." }</p> },
                Some(Err(error)) => error_banner(&error.to_string()),
                None => html! {},
            } }
        </form>
    }
}
