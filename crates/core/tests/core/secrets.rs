//! Scrubbing secrets from texts: a scrubbed text holds neither a token nor any of its base64 forms,
//! wherever and however often they occurred, and a text without secrets is left as it is.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use proptest::prelude::*;
use versioning_core::secrets::{forms, scrub};

/// User names and tokens as a connection holds them (tokens often carry `-`, `_`, `+` or `/`).
fn username() -> impl Strategy<Value = String> {
    "[a-z0-9.@-]{0,20}"
}

fn token() -> impl Strategy<Value = String> {
    "[A-Za-z0-9_+/=-]{1,40}"
}

/// Any text, the mask's character included.
fn text() -> impl Strategy<Value = String> {
    "(\\PC|•){0,60}"
}

proptest! {
    #[test]
    fn a_scrubbed_text_holds_no_form_of_the_token(
        username in username(),
        token in token(),
        parts in prop::collection::vec(text(), 1..5),
        picks in prop::collection::vec(any::<prop::sample::Index>(), 0..4),
    ) {
        let secrets = forms(&username, &token);
        // The portal's message: its text with forms of the token between the parts.
        let mut message = String::new();
        for (i, part) in parts.iter().enumerate() {
            message.push_str(part);
            if let Some(pick) = picks.get(i) {
                let form: &String = pick.get(&secrets);
                message.push_str(form);
            }
        }
        let clean = scrub(&message, &secrets);
        let pair = format!("{username}:{token}");
        for form in [token.clone(), STANDARD.encode(&pair), URL_SAFE_NO_PAD.encode(&pair),
            STANDARD.encode(&token), URL_SAFE_NO_PAD.encode(&token)] {
            prop_assert!(!clean.contains(&form), "{form:?} in {clean:?}");
        }
    }

    #[test]
    fn any_secrets_are_scrubbed_whatever_they_are_made_of(
        secrets in prop::collection::vec(text(), 0..4),
        message in text(),
    ) {
        let clean = scrub(&message, &secrets);
        for secret in secrets.iter().filter(|s| !s.is_empty()) {
            prop_assert!(!clean.contains(secret.as_str()), "{secret:?} in {clean:?}");
        }
    }

    #[test]
    fn a_text_without_secrets_is_unchanged(
        username in username(),
        token in token(),
        message in text(),
    ) {
        let secrets = forms(&username, &token);
        prop_assume!(secrets.iter().all(|s| !message.contains(s.as_str())));
        prop_assert_eq!(scrub(&message, &secrets), message);
    }
}

#[test]
fn the_forms_are_the_token_and_its_base64_encodings() {
    let forms = forms("eve@example.com", "ATATT-x_y+z");
    for form in [
        "ATATT-x_y+z",
        "ZXZlQGV4YW1wbGUuY29tOkFUQVRULXhfeSt6",
        "QVRBVFQteF95K3o=",
        "QVRBVFQteF95K3o",
    ] {
        assert!(forms.iter().any(|f| f == form), "{form} in {forms:?}");
    }
    assert!(versioning_core::secrets::forms("eve", "").is_empty());
    assert_eq!(
        scrub(
            "refused Basic ZXZlQGV4YW1wbGUuY29tOkFUQVRULXhfeSt6 and ATATT-x_y+z",
            &forms
        ),
        "refused Basic ••• and •••"
    );
}
