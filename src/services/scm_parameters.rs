//! Reading and saving a project's SCM parameters.

use versioning_core::sync::ScmParameters;

use crate::services::project_store::{ProjectStore, StoreError};
use crate::services::projects::load_existing;

/// The SCM parameters of project `id`; `None` when the store cannot give them.
pub async fn stored_scm_parameters(store: &dyn ProjectStore, id: &str) -> Option<ScmParameters> {
    match store.load(id).await {
        Ok(Some(stored)) => Some(stored.scm),
        _ => None,
    }
}

/// Saves `parameters` as those of project `id`.
pub async fn save_scm_parameters(
    store: &dyn ProjectStore,
    id: &str,
    parameters: ScmParameters,
) -> Result<(), StoreError> {
    let mut stored = load_existing(store, id).await?;
    stored.scm = parameters;
    store.save(&stored).await
}
