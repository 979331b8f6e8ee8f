//! Checks of the names the store takes: repository paths and short ref names. Nothing here reads a
//! repository, so that the configuration can check its seeds with them.

/// Whether `name` is a valid short name for a branch or tag (`refs/tags/{name}` is a valid ref).
pub fn valid_ref_name(name: &str) -> bool {
    git2::Reference::is_valid_name(&format!("refs/tags/{name}"))
}

/// Normalises a repository path: no leading slash, no empty, `.` or `..` components, no `.git`
/// component in any case, no backslash and no control character.
pub fn clean_path(path: &str) -> Option<String> {
    if path.chars().any(|c| c == '\\' || c.is_control()) {
        return None;
    }
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    if parts.is_empty()
        || parts
            .iter()
            .any(|p| *p == "." || *p == ".." || p.eq_ignore_ascii_case(".git"))
    {
        return None;
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::clean_path;

    #[test]
    fn paths_refuse_git_dirs_backslashes_and_control_characters() {
        assert_eq!(clean_path("/a//b.txt").as_deref(), Some("a/b.txt"));
        for bad in [
            "",
            "/",
            "a/../b",
            "./a",
            ".git/config",
            "x/.GIT/hooks/h",
            ".Git",
            "a\\b.txt",
            "a\nb",
            "tab\there",
            "nul\0",
            "del\u{7f}",
        ] {
            assert_eq!(clean_path(bad), None, "{bad:?}");
        }
    }
}
