//! Slugs: the readable part of artifact file names, made from artifact names.
//!
//! A slug is lowercase ASCII `[a-z0-9-]`, at most [`MAX_SLUG_LEN`] characters, without leading, trailing
//! or doubled dashes (so it can never start with a dot or dash, be `..`, or hold `--`, the separator
//! before the id), and never a Windows reserved device name. Common Latin letters with accents are
//! transliterated (`é` → `e`, `ß` → `ss`); other characters separate words; an empty result becomes
//! [`FALLBACK_SLUG`].

/// The longest slug, in characters (all ASCII, so also in bytes).
pub const MAX_SLUG_LEN: usize = 40;

/// The slug of a name that has no usable character (empty, only punctuation, only non-Latin script).
pub const FALLBACK_SLUG: &str = "untitled";

/// Appended to a slug that would be a Windows reserved device name (`con` → `con-x`).
const RESERVED_SUFFIX: &str = "-x";

/// The file-name slug of an artifact name.
///
/// ```
/// use versioning_core::artifacts::slugify;
/// assert_eq!(slugify("Pay by card (Visa)"), "pay-by-card-visa");
/// assert_eq!(slugify("Crème brûlée: Größe"), "creme-brulee-grosse");
/// assert_eq!(slugify("../.."), "untitled");
/// assert_eq!(slugify("CON"), "con-x");
/// ```
pub fn slugify(name: &str) -> String {
    let mut slug = String::new();
    let mut separate = false;
    for c in name.chars().flat_map(char::to_lowercase) {
        if slug.len() > MAX_SLUG_LEN {
            break;
        }
        if c.is_ascii_alphanumeric() {
            push_word(&mut slug, &mut separate, c.encode_utf8(&mut [0; 4]));
        } else if let Some(latin) = transliterate(c) {
            push_word(&mut slug, &mut separate, latin);
        } else if !matches!(c, '\'' | '\u{2019}') {
            // Apostrophes join ("don't" → "dont"); everything else separates words.
            separate = true;
        }
    }
    slug.truncate(MAX_SLUG_LEN);
    let trimmed = slug.trim_end_matches('-');
    if trimmed.is_empty() {
        FALLBACK_SLUG.to_owned()
    } else if is_windows_reserved(trimmed) {
        format!("{trimmed}{RESERVED_SUFFIX}")
    } else {
        trimmed.to_owned()
    }
}

/// Appends a piece of a word, with one dash before it when a separator came since the last piece.
fn push_word(slug: &mut String, separate: &mut bool, piece: &str) {
    if *separate && !slug.is_empty() {
        slug.push('-');
    }
    *separate = false;
    slug.push_str(piece);
}

/// ASCII spellings of common lowercase Latin letters with diacritics and ligatures.
fn transliterate(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'ç' | 'ć' | 'ĉ' | 'č' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => "g",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => "i",
        'ķ' => "k",
        'ĺ' | 'ļ' | 'ľ' | 'ł' => "l",
        'ñ' | 'ń' | 'ņ' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
        'ŕ' | 'ř' => "r",
        'ś' | 'ŝ' | 'ş' | 'š' | 'ș' => "s",
        'ţ' | 'ť' | 'ț' => "t",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'ų' => "u",
        'ý' | 'ÿ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        'ß' => "ss",
        'æ' => "ae",
        'œ' => "oe",
        'þ' => "th",
        '&' => "and",
        _ => return None,
    })
}

/// Whether `name` (lowercase, without extension) is a device name Windows reserves in every folder:
/// `con`, `prn`, `aux`, `nul`, `com0`–`com9`, `lpt0`–`lpt9`.
pub fn is_windows_reserved(name: &str) -> bool {
    match name.as_bytes() {
        b"con" | b"prn" | b"aux" | b"nul" => true,
        [b'c', b'o', b'm', digit] | [b'l', b'p', b't', digit] => digit.is_ascii_digit(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples() {
        let cases = [
            ("Guest checkout", "guest-checkout"),
            ("  --Leading and trailing--  ", "leading-and-trailing"),
            ("a/b\\c:d*e?f\"g<h>i|j", "a-b-c-d-e-f-g-h-i-j"),
            ("Don't stop", "dont-stop"),
            ("", "untitled"),
            (".", "untitled"),
            ("..", "untitled"),
            (".hidden", "hidden"),
            ("日本語", "untitled"),
            ("Ærø & Œuvre", "aero-and-oeuvre"),
            ("lpt9", "lpt9-x"),
            ("com10", "com10"),
            ("Çà et là", "ca-et-la"),
        ];
        for (name, slug) in cases {
            assert_eq!(slugify(name), slug, "{name:?}");
        }
    }

    #[test]
    fn long_names_are_bounded_without_trailing_dash() {
        let slug = slugify(&"word ".repeat(200));
        assert!(slug.len() <= MAX_SLUG_LEN);
        assert!(!slug.ends_with('-'));
        assert_eq!(slugify(&"x".repeat(1000)).len(), MAX_SLUG_LEN);
        assert_eq!(slugify(&format!("{}-b", "a".repeat(39))), "a".repeat(39));
    }
}
