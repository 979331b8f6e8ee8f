//! Counts written as a person writes them: "1 file", "3 files", "0 files".

/// `n` followed by the noun in the number `n` takes.
///
/// ```
/// use versioning_core::counts::counted;
/// assert_eq!(counted(1, "file", "files"), "1 file");
/// assert_eq!(counted(0, "conflict", "conflicts"), "0 conflicts");
/// assert_eq!(counted(3, "change", "changes"), "3 changes");
/// ```
pub fn counted(n: usize, one: &str, many: &str) -> String {
    match n {
        1 => format!("1 {one}"),
        n => format!("{n} {many}"),
    }
}
