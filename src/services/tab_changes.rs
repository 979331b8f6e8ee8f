//! How the tabs of this origin tell each other that a record they may show was saved: a message on a
//! `BroadcastChannel` named after what the records are, with the record's id and new revision. The
//! project store and the connection store both announce their saves this way.

use serde::{Deserialize, Serialize};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

/// A record another tab saved: its id and new revision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TabChange {
    /// The record's id (a project's id).
    pub id: String,
    /// The revision now stored (0: the record was removed).
    pub revision: u64,
    /// The tab that saved it ([`this_tab`]), so that a tab ignores its own announcements.
    pub tab: String,
}

thread_local! {
    static THIS_TAB: String = format!("{:016x}", (js_sys::Math::random() * 1e16) as u64);
}

/// A random name of this tab, the same for its whole life.
pub fn this_tab() -> String {
    THIS_TAB.with(String::clone)
}

/// Tells the other tabs listening on `channel` that `id` is now at `revision` (best effort: without
/// `BroadcastChannel` the other tabs learn it when their next save is refused as stale).
pub fn announce(channel: &str, id: &str, revision: u64) {
    let message = TabChange {
        id: id.to_owned(),
        revision,
        tab: this_tab(),
    };
    if let (Ok(channel), Ok(json)) = (
        web_sys::BroadcastChannel::new(channel),
        serde_json::to_string(&message),
    ) {
        let _ = channel.post_message(&JsValue::from_str(&json));
        channel.close();
    }
}

/// Listens to what the other tabs announce on a channel, while it lives.
pub struct ChangeListener {
    channel: Option<web_sys::BroadcastChannel>,
    _callback: Option<Closure<dyn FnMut(web_sys::MessageEvent)>>,
}

impl Drop for ChangeListener {
    fn drop(&mut self) {
        if let Some(channel) = &self.channel {
            channel.set_onmessage(None);
            channel.close();
        }
    }
}

/// Calls `on_change` for each record another tab announces on `channel` (none without
/// `BroadcastChannel`: a save over another tab's is then refused as stale instead).
pub fn listen(channel: &str, mut on_change: impl FnMut(TabChange) + 'static) -> ChangeListener {
    let Ok(channel) = web_sys::BroadcastChannel::new(channel) else {
        return ChangeListener {
            channel: None,
            _callback: None,
        };
    };
    let me = this_tab();
    let callback =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            let text = event.data().as_string().unwrap_or_default();
            if let Ok(changed) = serde_json::from_str::<TabChange>(&text) {
                if changed.tab != me {
                    on_change(changed);
                }
            }
        });
    channel.set_onmessage(Some(callback.as_ref().unchecked_ref()));
    ChangeListener {
        channel: Some(channel),
        _callback: Some(callback),
    }
}
