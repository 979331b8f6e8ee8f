//! Counts written as a person writes them: "1 file", "3 files", "0 files", "16 MiB".

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

/// A number of bytes as a person writes it: whole KiB and MiB as such, other sizes from 1 MiB up with
/// one decimal.
///
/// ```
/// use versioning_core::counts::byte_size;
/// assert_eq!(byte_size(16 * 1024 * 1024), "16 MiB");
/// assert_eq!(byte_size(200_000_000), "190.7 MiB");
/// assert_eq!(byte_size(512 * 1024), "512 KiB");
/// assert_eq!(byte_size(1), "1 byte");
/// ```
pub fn byte_size(bytes: u64) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * KIB;
    match bytes {
        b if b >= MIB && b % MIB == 0 => format!("{} MiB", b / MIB),
        b if b >= MIB => format!("{:.1} MiB", b as f64 / MIB as f64),
        b if b >= KIB && b % KIB == 0 => format!("{} KiB", b / KIB),
        b => counted(usize::try_from(b).unwrap_or(usize::MAX), "byte", "bytes"),
    }
}
