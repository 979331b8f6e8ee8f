//! Asks the browser to warn before the page is left while a push or a pull writes: leaving then would stop
//! it half way.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::BeforeUnloadEvent;

/// While held, leaving or reloading the page asks the user first (the browser words the question).
pub struct UnloadGuard {
    listener: Option<Closure<dyn FnMut(BeforeUnloadEvent)>>,
}

impl UnloadGuard {
    /// Starts warning until the guard is dropped.
    pub fn hold() -> Self {
        let listener = Closure::<dyn FnMut(BeforeUnloadEvent)>::new(|event: BeforeUnloadEvent| {
            event.prevent_default();
            // Older browsers ask only when a return value is set.
            event.set_return_value("Bitbucket is being written to.");
        });
        let added = web_sys::window().and_then(|window| {
            window
                .add_event_listener_with_callback("beforeunload", listener.as_ref().unchecked_ref())
                .ok()
        });
        UnloadGuard {
            listener: added.map(|()| listener),
        }
    }
}

impl Drop for UnloadGuard {
    fn drop(&mut self) {
        // The listener is removed before its closure is dropped, so the browser never calls a dropped one.
        if let (Some(listener), Some(window)) = (self.listener.take(), web_sys::window()) {
            let _ = window.remove_event_listener_with_callback(
                "beforeunload",
                listener.as_ref().unchecked_ref(),
            );
        }
    }
}
