//! The strategy pushes and pulls use. The app as it ships has one: the product's planned push and pull
//! ([`versioning_core::sync::Strategy::Planned`]), and nothing can switch it. Only the benchmarks' build
//! (feature `benchmark-strategies`, see `scripts/bench.sh`) reads a switch in the browser's storage,
//! `STRATEGY_KEY`, that selects the per-file strategies other tools use, to compare the product with them
//! through the same client code.

use versioning_core::sync::ScmParameters;

/// What sends a push: `PushJob`, the product's `PushSender` or, for a per-file strategy's plan,
/// `BaselineSender`.
#[cfg(feature = "benchmark-strategies")]
pub use versioning_core::sync::PushJob as Sender;
/// What sends a push: the product's `PushSender`, the only one this build has.
#[cfg(not(feature = "benchmark-strategies"))]
pub use versioning_core::sync::PushSender as Sender;

/// The storage key of the benchmarks' switch: `A`, `B` or `C`.
#[cfg(feature = "benchmark-strategies")]
pub const STRATEGY_KEY: &str = "bitbucket-versioning.strategy";

/// The project's SCM parameters as pushes and pulls use them: as stored, with the product's strategy.
#[cfg(not(feature = "benchmark-strategies"))]
pub fn with_strategy(parameters: ScmParameters) -> ScmParameters {
    parameters
}

/// The project's SCM parameters with the strategy the switch names (the product's when it names none).
#[cfg(feature = "benchmark-strategies")]
pub fn with_strategy(mut parameters: ScmParameters) -> ScmParameters {
    use gloo_storage::{LocalStorage, Storage};
    use versioning_core::sync::Strategy;

    let named = LocalStorage::raw().get_item(STRATEGY_KEY).ok().flatten();
    parameters.strategy = named
        .as_deref()
        .and_then(Strategy::from_key)
        .unwrap_or_default();
    parameters
}
