//! Keeping secrets out of texts the user is shown or a host page is told: a token, and the forms it
//! travels in (HTTP Basic's base64 `user:token` pair, the token itself in base64), are replaced wherever
//! they occur.

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine;

/// What a secret is replaced with.
const MASK: &str = "•••";

/// The texts that give `token` away: the token, and the base64 encodings (standard and URL-safe
/// alphabets, with and without padding) of the token alone and of the Basic pair `username:token`.
/// Nothing for an empty token.
pub fn forms(username: &str, token: &str) -> Vec<String> {
    if token.is_empty() {
        return Vec::new();
    }
    let pair = format!("{username}:{token}");
    let mut forms = vec![token.to_owned()];
    for engine in [&STANDARD, &STANDARD_NO_PAD, &URL_SAFE, &URL_SAFE_NO_PAD] {
        forms.push(engine.encode(&pair));
        forms.push(engine.encode(token));
    }
    forms.sort();
    forms.dedup();
    forms
}

/// `text` with every occurrence of each of `secrets` replaced (empty secrets are ignored), until none
/// is left, also where a replacement brings parts of one together.
pub fn scrub(text: &str, secrets: &[String]) -> String {
    let mut secrets: Vec<&str> = secrets
        .iter()
        .map(String::as_str)
        .filter(|s| !s.is_empty())
        .collect();
    // Longest first, so that a secret holding another is replaced whole.
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    // A secret made with the mask's character could never be masked away: it is then removed instead.
    let mask = match secrets.iter().any(|s| s.contains('•')) {
        true => "",
        false => MASK,
    };
    let mut clean = text.to_owned();
    // Each round takes characters of a secret out of the text and adds none but the mask's, so it ends.
    while let Some(secret) = secrets.iter().find(|s| clean.contains(**s)) {
        clean = clean.replace(secret, mask);
    }
    clean
}
