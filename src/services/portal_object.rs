//! An object an embedding portal passes to `mount` (its storage, its artifact provider): methods called
//! with plain arguments, answering with a promise or a value. Its error texts are scrubbed of the tokens
//! the module holds (a portal may echo what it was given) before they are shown or told to the portal.

use std::cell::RefCell;

use js_sys::{Array, Function, Promise, Reflect};
use versioning_core::secrets::{forms, scrub};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

thread_local! {
    /// The tokens the module holds on this page, in every form they travel in (see [`keep_secret`]).
    static SECRETS: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// Keeps `token`, and its encoded forms with `username` (HTTP Basic's pair), out of every error text a
/// portal's object answers from now on.
pub fn keep_secret(username: &str, token: &str) {
    SECRETS.with(|secrets| {
        let mut secrets = secrets.borrow_mut();
        for form in forms(username, token) {
            if !secrets.contains(&form) {
                secrets.push(form);
            }
        }
    });
}

/// The object lacks a method the module calls; it reads as the message naming it
/// (`storage.get must be a function`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct MissingMethod(String);

impl std::ops::Deref for MissingMethod {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

/// A method threw, or its promise was rejected: its message, without any secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Thrown(pub String);

/// A portal's object with the methods the module calls.
pub struct PortalObject {
    object: JsValue,
    /// What the object is, for messages (`"storage"`, `"artifacts"`).
    what: &'static str,
}

impl PortalObject {
    /// Wraps `object`, the option `what`; refused when one of `methods` is not a function of it.
    pub fn new(
        object: JsValue,
        what: &'static str,
        methods: &[&str],
    ) -> Result<Self, MissingMethod> {
        for name in methods {
            let member = Reflect::get(&object, &JsValue::from_str(name)).unwrap_or_default();
            if !member.is_function() {
                return Err(MissingMethod(format!("{what}.{name} must be a function")));
            }
        }
        Ok(PortalObject { object, what })
    }

    /// Calls method `name` with `args` and waits for its answer; a throw or a rejected promise is its
    /// message.
    pub async fn call(&self, name: &str, args: &[JsValue]) -> Result<JsValue, Thrown> {
        let answer = self.call_now(name, args)?;
        JsFuture::from(Promise::resolve(&answer))
            .await
            .map_err(|error| self.describe(error))
    }

    /// Calls method `name` with `args` and answers what it returns, without waiting for a promise; a throw
    /// is its message.
    pub fn call_now(&self, name: &str, args: &[JsValue]) -> Result<JsValue, Thrown> {
        let function: Function = Reflect::get(&self.object, &JsValue::from_str(name))
            .map_err(|error| self.describe(error))?
            .unchecked_into();
        let args: Array = args.iter().collect();
        function
            .apply(&self.object, &args)
            .map_err(|error| self.describe(error))
    }

    /// A rejected promise or a throw, as text (an `Error`'s message when it is one) without any secret.
    fn describe(&self, error: JsValue) -> Thrown {
        let text = error
            .dyn_ref::<js_sys::Error>()
            .map(|e| String::from(e.message()))
            .or_else(|| error.as_string())
            .unwrap_or_else(|| format!("the portal's {} failed", self.what));
        Thrown(SECRETS.with(|secrets| scrub(&text, &secrets.borrow())))
    }
}
