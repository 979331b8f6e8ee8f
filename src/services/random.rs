//! Random bytes from the browser's cryptographic random numbers, for what must not be guessed (the file
//! multipart boundaries).

/// `N` random bytes: from `crypto.getRandomValues`, or `Math.random` where the browser offers no crypto.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0; N];
    let filled = web_sys::window()
        .and_then(|window| window.crypto().ok())
        .is_some_and(|crypto| crypto.get_random_values_with_u8_array(&mut bytes).is_ok());
    if !filled {
        for byte in &mut bytes {
            *byte = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    bytes
}

/// 64 random bits ([`random_bytes`]).
pub fn random_u64() -> u64 {
    u64::from_le_bytes(random_bytes())
}
