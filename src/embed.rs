//! The embedding API for a portal (`mount`, `Mounted.update`, `Mounted.unmount`) and the standalone
//! start (`start`). A portal may give its own storage (see `services::portal_storage`) and its own test
//! artifacts (see `services::artifact_provider`). The ES module `bitbucket-versioning.js` (src/embed.js) wraps these in a shadow
//! root and in the `<bitbucket-versioning>` element; `bitbucket-versioning.d.ts` types them.

use std::rc::Rc;

use js_sys::{Object, Reflect};
use serde::Deserialize;
use versioning_core::roles::Role;
use wasm_bindgen::prelude::*;
use web_sys::{CustomEvent, CustomEventInit, Element};
use yew::{AppHandle, AttrValue, Callback};

use crate::app::{App, AppProps};
use crate::services::artifact_provider::{ArtifactProvider, ProvidedProjects};
use crate::services::explorer_build::ExplorerBuild;
use crate::services::indexed_db_store::{Holds, IndexedDbProjectStore};
use crate::services::portal_events::{Events, PortalEvent};
use crate::services::portal_project_store::{PortalProjectStore, ProjectRecords};
use crate::services::portal_storage::{PortalConnectionStore, PortalStorage};
use crate::services::project_store::{ProjectStore, SharedStore, Showing};
use crate::state::connections::Connections;
use crate::state::session::Session;

/// The view an embedded app starts on when the portal names none.
const DEFAULT_START: &str = "/";

/// The name shown for the user of a portal that names none (who has the lowest role).
const UNNAMED_USER: &str = "Portal user";

/// What a portal passes to `mount` and `update` (camelCase keys; unknown keys are refused).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct MountOptions {
    /// The portal's signed-in user; without it, an unnamed user with the lowest role.
    user: Option<PortalUser>,
    /// The view to start on, e.g. `/projects/p1/integrations/versioning/bitbucket`.
    start: Option<String>,
    /// The ids of the projects to show (all when not given; required with `storage` or `artifacts`).
    projects: Option<Vec<String>>,
    /// The API base URL new connections start with (e.g. the portal's same-origin relay to Bitbucket).
    api_base_url: Option<String>,
    /// The portal's storage, read apart (its functions do not survive JSON), at mount only.
    #[serde(rename = "storage")]
    _storage: Option<serde::de::IgnoredAny>,
    /// The portal's artifact provider, read apart as the storage is.
    #[serde(rename = "artifacts")]
    _artifacts: Option<serde::de::IgnoredAny>,
}

/// The stores of a mounted app: the portal's, or (`None`) the browser's.
#[derive(Clone, Default)]
struct Stores {
    projects: Option<SharedStore>,
    connections: Option<Connections>,
}

impl Stores {
    /// The stores of `options`: the portal's storage and artifact provider where it gives them, for the
    /// projects it names.
    async fn of(
        options: &JsValue,
        read: &MountOptions,
        events: &Events,
    ) -> Result<Stores, JsError> {
        // Own properties only: one inherited from `Object.prototype` is not the portal's option.
        let given = |name: &str| {
            let key = JsValue::from_str(name);
            let object = options.dyn_ref::<Object>()?;
            let value = Object::has_own(object, &key)
                .then(|| Reflect::get(object, &key).unwrap_or_default())?;
            (!value.is_null_or_undefined()).then_some(value)
        };
        let (storage, artifacts) = (given("storage"), given("artifacts"));
        let ids = match (&read.projects, &storage, &artifacts) {
            (Some(ids), _, _) => ids.clone(),
            // Nothing named, nothing given: the browser's stores, every project.
            (None, None, None) => return Ok(Stores::default()),
            (None, _, _) => {
                return Err(JsError::new(
                    "`projects` (the ids to show) is required with `storage` or `artifacts`",
                ))
            }
        };
        // Beside a portal's artifacts, the browser keeps only sync records, apart from whole projects.
        let holds = match artifacts {
            Some(_) => Holds::SyncRecords,
            None => Holds::Projects,
        };
        let (records, connections): (Rc<dyn ProjectStore>, _) = match storage {
            Some(adapter) => {
                let storage = Rc::new(
                    PortalStorage::new(adapter.clone())
                        .map_err(|e| JsError::new(&e.to_string()))?,
                );
                let form = ProjectRecords::declared_by(&adapter).map_err(|e| JsError::new(&e))?;
                let connections =
                    PortalConnectionStore::of(&adapter, storage.clone(), &ids, events.clone())
                        .await
                        .map_err(|e| JsError::new(&format!("the portal's storage failed: {e}")))?;
                let records = Rc::new(PortalProjectStore::new(storage, ids.clone(), form));
                (records, Some(Connections(connections)))
            }
            None => (Rc::new(IndexedDbProjectStore::holding(holds)), None),
        };
        let projects: Rc<dyn ProjectStore> = match artifacts {
            Some(provider) => {
                let provider =
                    ArtifactProvider::new(provider).map_err(|e| JsError::new(&e.to_string()))?;
                Rc::new(ProvidedProjects::new(provider, records, ids))
            }
            // The portal's storage lists the projects it names.
            None if connections.is_some() => records,
            // The browser's store; the list shows only the projects named.
            None => Rc::new(Showing::new(records, ids)),
        };
        Ok(Stores {
            projects: Some(SharedStore(projects)),
            connections,
        })
    }
}

/// A portal's user: a display name and a product role.
#[derive(Debug, Deserialize)]
struct PortalUser {
    name: String,
    /// The role as the portal names it; read by [`Role::named_or_lowest`], so that a role this product does
    /// not know (or none, or not text) is the lowest.
    #[serde(default)]
    role: serde_json::Value,
}

impl PortalUser {
    /// The session of an embedded app: this user, or (`None`) an unnamed one, with the lowest role unless the
    /// portal names a role the product knows. Never a demo user.
    fn session(user: Option<PortalUser>) -> Session {
        match user {
            Some(user) => {
                let role = user
                    .role
                    .as_str()
                    .map_or(Role::LOWEST, Role::named_or_lowest);
                Session::portal(user.name, role)
            }
            None => Session::portal(UNNAMED_USER, Role::LOWEST),
        }
    }
}

impl MountOptions {
    fn read(options: &JsValue) -> Result<MountOptions, JsError> {
        if options.is_null_or_undefined() {
            return Ok(MountOptions::default());
        }
        let json = js_sys::JSON::stringify(options)
            .map_err(|_| JsError::new("mount options must be a plain object"))?;
        serde_json::from_str(&String::from(json))
            .map_err(|error| JsError::new(&format!("invalid mount options: {error}")))
    }

    fn props(self, given: &Given) -> AppProps {
        let Given {
            events,
            stores,
            explorer,
        } = given.clone();
        AppProps {
            user: Some(PortalUser::session(self.user)),
            start: Some(
                self.start
                    .unwrap_or_else(|| DEFAULT_START.to_owned())
                    .into(),
            ),
            events,
            projects: stores.projects,
            connections: stores.connections,
            api_base_url: self.api_base_url.map(AttrValue::from),
            explorer,
        }
    }
}

/// Events as DOM `CustomEvent`s on `element`: they bubble and leave a shadow root, `detail` is the
/// event's data.
fn dom_events(element: Element) -> Events {
    Events(Callback::from(move |event: PortalEvent| {
        let detail = serde_json::to_string(&event)
            .ok()
            .and_then(|json| js_sys::JSON::parse(&json).ok())
            .unwrap_or(JsValue::NULL);
        let init = CustomEventInit::new();
        init.set_bubbles(true);
        init.set_composed(true);
        init.set_detail(&detail);
        if let Ok(event) = CustomEvent::new_with_event_init_dict(event.dom_type(), &init) {
            let _ = element.dispatch_event(&event);
        }
    }))
}

/// What a mounted app keeps from `mount` for its updates: where its events go, its stores and the loader of
/// the build with the explorer.
#[derive(Clone)]
struct Given {
    events: Events,
    stores: Stores,
    explorer: Option<ExplorerBuild>,
}

impl Given {
    /// `Given` with the loader `explorer` (`undefined` in the build with the explorer).
    fn new(events: Events, stores: Stores, explorer: JsValue) -> Result<Given, JsError> {
        let explorer = if explorer.is_null_or_undefined() {
            None
        } else {
            Some(ExplorerBuild::new(explorer).map_err(|e| JsError::new(&e.to_string()))?)
        };
        Ok(Given {
            events,
            stores,
            explorer,
        })
    }
}

/// The app mounted in a portal's element, or started on the standalone page.
#[wasm_bindgen]
pub struct Mounted {
    given: Given,
    app: Option<AppHandle<App>>,
}

#[wasm_bindgen]
impl Mounted {
    /// Applies options (the user, the view to start on); the storage stays the one given to `mount`.
    /// `bitbucket-versioning.js` gives the options of `mount` with every update merged into them, so that
    /// what an update does not name (the user above all) stays as it was.
    pub fn update(&mut self, options: JsValue) -> Result<(), JsError> {
        let props = MountOptions::read(&options)?.props(&self.given);
        match &mut self.app {
            Some(app) => {
                app.update(props);
                Ok(())
            }
            None => Err(JsError::new("the app was unmounted")),
        }
    }

    /// Removes the app from its element, with its listeners and timers; a second call does nothing.
    pub fn unmount(&mut self) {
        if let Some(app) = self.app.take() {
            app.destroy();
        }
    }
}

/// Mounts the app in `element`, which it then owns; it never changes the page's URL. With a `storage`,
/// the connections of the named projects are read from it first. `explorer` is the loader of the build with
/// the explorer, which the first module runs in its place when the explorer is first opened.
#[wasm_bindgen]
pub async fn mount(
    element: Element,
    options: JsValue,
    explorer: JsValue,
) -> Result<Mounted, JsError> {
    let read = MountOptions::read(&options)?;
    let events = dom_events(element.clone());
    let stores = Stores::of(&options, &read, &events).await?;
    let given = Given::new(events, stores, explorer)?;
    let props = read.props(&given);
    let app = yew::Renderer::<App>::with_root_and_props(element, props).render();
    Ok(Mounted {
        given,
        app: Some(app),
    })
}

/// Tells the app where its files are (the URL of the folder of `bitbucket-versioning.js`), for those it
/// loads later (the archive worker) when the page's base URL is not that folder.
#[wasm_bindgen(js_name = setAssets)]
pub fn set_assets(folder: String) {
    crate::services::archive_worker::set_assets(folder);
}

/// Starts the standalone app in `element`: the page's URL is its location, with demo users. `explorer` is
/// as for `mount`; the answer is only ever unmounted (an update would move the app off the page's URL).
#[wasm_bindgen]
pub fn start(element: Element, explorer: JsValue) -> Result<Mounted, JsError> {
    let given = Given::new(Events::default(), Stores::default(), explorer)?;
    let props = AppProps {
        explorer: given.explorer.clone(),
        ..AppProps::default()
    };
    let app = yew::Renderer::<App>::with_root_and_props(element, props).render();
    Ok(Mounted {
        given,
        app: Some(app),
    })
}
