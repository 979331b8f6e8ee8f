//! The strategy pushes and pulls use. Users never choose it: the product's planned push and pull run unless the
//! browser's storage names a per-file baseline under [`STRATEGY_KEY`], which the benchmarks
//! (`e2e/benchmark/`) set to compare the product with the strategies other tools use, through the same client
//! code.

use gloo_storage::{LocalStorage, Storage};
use versioning_core::sync::{ScmParameters, Strategy};

/// The storage key of the benchmarks' switch: `A`, `B` or `C`.
pub const STRATEGY_KEY: &str = "bitbucket-versioning.strategy";

/// The project's SCM parameters with the strategy the switch names (the product's when it names none).
pub fn with_strategy(mut parameters: ScmParameters) -> ScmParameters {
    let named = LocalStorage::raw().get_item(STRATEGY_KEY).ok().flatten();
    parameters.strategy = named
        .as_deref()
        .and_then(Strategy::from_key)
        .unwrap_or_default();
    parameters
}
