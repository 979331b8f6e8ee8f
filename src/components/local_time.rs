//! Times as the user reads them: `2026-12-04 14:14 EST`, in the browser's time zone, which is named.

use js_sys::{Array, Date, Intl, Object, Reflect};
use wasm_bindgen::JsValue;
use yew::prelude::*;

/// The short name of the browser's time zone at `date` (`EST`, `GMT+1`, `UTC`), as `Intl` names it.
fn zone_name(date: &Date) -> Option<String> {
    let options = Object::new();
    Reflect::set(&options, &"timeZoneName".into(), &"short".into()).ok()?;
    let parts = Intl::DateTimeFormat::new(&Array::new(), &options).format_to_parts(date);
    parts.iter().find_map(|part| {
        let kind = Reflect::get(&part, &"type".into()).ok()?;
        (kind.as_string()? == "timeZoneName")
            .then(|| Reflect::get(&part, &"value".into()).ok()?.as_string())
            .flatten()
    })
}

/// Formats an ISO 8601 timestamp as `2026-12-04 14:14 EST`: the date and the minute in the browser's time
/// zone, and the zone's short name. Text that is not a time is returned as it is.
pub fn local_time_text(iso: &str) -> String {
    let date = Date::new(&JsValue::from_str(iso));
    if date.get_time().is_nan() {
        return iso.to_owned();
    }
    let text = format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        date.get_full_year(),
        date.get_month() + 1,
        date.get_date(),
        date.get_hours(),
        date.get_minutes()
    );
    match zone_name(&date) {
        Some(zone) => format!("{text} {zone}"),
        None => text,
    }
}

/// A `<time>` element showing `iso` as [`local_time_text`] formats it, with the exact instant as its
/// `datetime`.
pub fn local_time(iso: &str) -> Html {
    html! { <time datetime={iso.to_owned()}>{ local_time_text(iso) }</time> }
}
