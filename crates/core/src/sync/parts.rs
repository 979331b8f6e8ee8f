//! Splitting a bulk read of many files into parts of bounded size, each named by a few path filters
//! (folders, or single files), so that no one answer is too large for the server to produce in time.

/// Path filters for reading `paths` (sorted, each below `folder`) in parts of at most `max_files` files
/// and `max_filters` filters each: `folder` itself when it holds few enough files, otherwise its
/// subfolders (split in turn) and files, packed in path order. A part may hold more than `max_files`
/// only when a single file is that part. Filters name what the paths need: a folder's other files come
/// along in its part.
///
/// ```
/// # use versioning_core::sync::folder_parts;
/// let paths = ["t/a/1", "t/a/2", "t/b/1", "t/c"];
/// assert_eq!(folder_parts(&paths, "t", 4, 20), [vec!["t"]]);
/// assert_eq!(folder_parts(&paths, "t", 2, 20), [vec!["t/a"], vec!["t/b", "t/c"]]);
/// assert_eq!(folder_parts(&paths, "t", 3, 1), [vec!["t/a"], vec!["t/b"], vec!["t/c"]]);
/// ```
pub fn folder_parts(
    paths: &[&str],
    folder: &str,
    max_files: usize,
    max_filters: usize,
) -> Vec<Vec<String>> {
    let mut groups = Vec::new();
    split(
        folder.trim_matches('/'),
        paths,
        max_files.max(1),
        &mut groups,
    );
    let mut parts = Vec::new();
    let mut current: Vec<String> = Vec::new();
    let mut files = 0;
    for (filter, count) in groups {
        let full = files + count > max_files || current.len() >= max_filters.max(1);
        if full && !current.is_empty() {
            parts.push(std::mem::take(&mut current));
            files = 0;
        }
        current.push(filter);
        files += count;
    }
    if !current.is_empty() {
        parts.push(current);
    }
    parts
}

/// The filters of `folder`'s `paths`, with their number of files: the folder when it holds at most
/// `max` of them, else its files and (split in turn) its subfolders.
fn split(folder: &str, paths: &[&str], max: usize, out: &mut Vec<(String, usize)>) {
    if paths.len() <= max {
        if !paths.is_empty() {
            out.push((folder.to_owned(), paths.len()));
        }
        return;
    }
    let prefix = match folder {
        "" => String::new(),
        folder => format!("{folder}/"),
    };
    let mut rest = paths;
    while let Some(first) = rest.first() {
        let child = first
            .strip_prefix(prefix.as_str())
            .and_then(|below| below.split_once('/'))
            .map(|(name, _)| format!("{prefix}{name}"));
        let Some(child) = child else {
            // A file of this folder (or, against the precondition, one outside it): a filter of its own.
            out.push((first.to_string(), 1));
            rest = &rest[1..];
            continue;
        };
        // Sorted paths below one folder are contiguous.
        let inside = rest
            .iter()
            .take_while(|p| {
                p.strip_prefix(child.as_str())
                    .is_some_and(|r| r.starts_with('/'))
            })
            .count();
        split(&child, &rest[..inside], max, out);
        rest = &rest[inside..];
    }
}
