//! Which branches a branch restriction selects, matched as Bitbucket matches them.
//!
//! - **Cloud** (`branch_match_kind: glob`): the `pattern` is a glob on the branch name, where `*` matches any
//!   run of characters, slashes included, and `?` one character: `release/*` selects `release/1.2` and
//!   `release/1.2/hotfix`.
//! - **Data Center** `BRANCH` matchers name one branch by its ref (`refs/heads/main`). `PATTERN` matchers are
//!   Ant-style: `?` matches one character and `*` any run of characters, neither of them a `/`; `**` as a whole
//!   segment matches any number of segments; a pattern ending in `/` has `**` appended; and a pattern needs to
//!   match only a suffix of the ref, whole segments, so `PROJECT-*` selects `refs/heads/stable/PROJECT-1`.
//! - **Branching models** (Cloud `branching_model`, Data Center `MODEL_CATEGORY` and `MODEL_BRANCH`) select
//!   branches by the repository's branching model, which is not read: they select no branch here.
//!
//! ```
//! use versioning_core::branch_pattern::BranchMatcher;
//! assert!(BranchMatcher::Glob("release/*".into()).selects("release/1.2"));
//! assert!(!BranchMatcher::Pattern("release/*".into()).selects("release/1.2/hotfix"));
//! assert!(BranchMatcher::Pattern("release/**".into()).selects("release/1.2/hotfix"));
//! ```

use serde::{Deserialize, Serialize};

use crate::names::RefKind;

/// How a branch restriction (Cloud) or branch permission (Data Center) selects branches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "id", rename_all = "snake_case")]
pub enum BranchMatcher {
    /// A Cloud glob pattern on branch names ([`glob`]).
    Glob(String),
    /// A Data Center `BRANCH` matcher: one branch, by its ref (`refs/heads/main`) or its name.
    Branch(String),
    /// A Data Center `PATTERN` matcher: an Ant-style pattern on refs ([`ant`]).
    Pattern(String),
    /// A branching-model category or branch (Cloud `branching_model`, Data Center `MODEL_CATEGORY` and
    /// `MODEL_BRANCH`), by its id. It depends on the repository's branching model, which is not read.
    Model(String),
}

impl BranchMatcher {
    /// Whether the matcher selects the branch `branch` (with or without `refs/heads/`).
    pub fn selects(&self, branch: &str) -> bool {
        let short = RefKind::Branch.short(branch);
        match self {
            BranchMatcher::Glob(pattern) => glob(pattern, short),
            BranchMatcher::Branch(id) => RefKind::Branch.short(id) == short,
            BranchMatcher::Pattern(pattern) => ant(pattern, &format!("refs/heads/{short}")),
            BranchMatcher::Model(_) => false,
        }
    }
}

/// Bitbucket Cloud's glob: `*` matches any run of characters (slashes included), `?` one character, and
/// every other character itself.
pub fn glob(pattern: &str, name: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let name: Vec<char> = name.chars().collect();
    wildcard(&pattern, &name, |p| *p == '*', |p, c| *p == '?' || p == c)
}

/// Bitbucket Data Center's branch permission pattern (Ant-style) against a full ref name such as
/// `refs/heads/release/1.2`: see the [module](self) documentation.
pub fn ant(pattern: &str, reference: &str) -> bool {
    let mut pattern = format!("**/{pattern}");
    if pattern.ends_with('/') {
        pattern.push_str("**");
    }
    let pattern: Vec<&str> = pattern.split('/').collect();
    let segments: Vec<&str> = reference.split('/').collect();
    // Within a segment, which holds no slash, `*` and `?` are the glob's.
    wildcard(&pattern, &segments, |p| *p == "**", |p, s| glob(p, s))
}

/// Whether `pattern` matches the whole of `text`, where a token that `is_star` matches any run of items and
/// every other token one item that it `matches_one`.
///
/// Greedy matching that only ever returns to the latest star: O(pattern × text), never exponential, whatever
/// the number of stars.
fn wildcard<P, T>(
    pattern: &[P],
    text: &[T],
    is_star: impl Fn(&P) -> bool,
    matches_one: impl Fn(&P, &T) -> bool,
) -> bool {
    let (mut pi, mut ti) = (0, 0);
    // After the latest star: where the pattern resumes, and where in the text the star's run ends.
    let mut star: Option<(usize, usize)> = None;
    while ti < text.len() {
        match pattern.get(pi) {
            Some(p) if is_star(p) => {
                star = Some((pi + 1, ti));
                pi += 1;
            }
            Some(p) if matches_one(p, &text[ti]) => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((after, from)) => {
                    star = Some((after, from + 1));
                    pi = after;
                    ti = from + 1;
                }
                None => return false,
            },
        }
    }
    pattern[pi..].iter().all(is_star)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Exhaustive matching by the definition, exponential: the reference for the fast matchers.
    fn naive_glob(pattern: &[char], name: &[char], slash_stops: bool) -> bool {
        match pattern.split_first() {
            None => name.is_empty(),
            Some(('*', rest)) => (0..=name.len())
                .take_while(|&n| !slash_stops || !name[..n].contains(&'/'))
                .any(|n| naive_glob(rest, &name[n..], slash_stops)),
            Some((p, rest)) => name.split_first().is_some_and(|(c, tail)| {
                (*p == *c || (*p == '?' && !(slash_stops && *c == '/')))
                    && naive_glob(rest, tail, slash_stops)
            }),
        }
    }

    fn naive_ant(pattern: &[&str], segments: &[&str]) -> bool {
        match pattern.split_first() {
            None => segments.is_empty(),
            Some((&"**", rest)) => (0..=segments.len()).any(|n| naive_ant(rest, &segments[n..])),
            Some((p, rest)) => segments.split_first().is_some_and(|(s, tail)| {
                let (p, s): (Vec<char>, Vec<char>) = (p.chars().collect(), s.chars().collect());
                naive_glob(&p, &s, true) && naive_ant(rest, tail)
            }),
        }
    }

    #[test]
    fn cloud_globs_match_any_characters_slashes_included() {
        assert!(glob("main", "main"));
        assert!(!glob("main", "main2"));
        assert!(glob("release/*", "release/1.2"));
        assert!(glob("release/*", "release/1.2/hotfix"));
        assert!(!glob("release/*", "release"));
        assert!(glob("feat?re/*", "feature/a/b"));
        assert!(glob("*", ""));
        assert!(glob("a*b*c", "aXbYc"));
        assert!(!glob("a*b*c", "aXbY"));
        assert!(glob("*/*-fix", "team/bug-fix"));
        assert!(!glob("?", ""));
    }

    #[test]
    fn data_center_patterns_match_as_the_documentation_examples() {
        // Bitbucket Data Center's "Branch permission patterns" page, its examples.
        assert!(ant("*", "refs/heads/anything"));
        for reference in [
            "refs/heads/PROJECT-1234",
            "refs/heads/stable/PROJECT-new",
            "refs/tags/PROJECT-1.1",
        ] {
            assert!(ant("PROJECT-*", reference), "{reference}");
        }
        for reference in ["refs/heads/1.1", "refs/heads/stable/2.X", "refs/tags/3.1"] {
            assert!(ant("?.?", reference), "{reference}");
        }
        for pattern in ["tags/", "tags/**"] {
            assert!(ant(pattern, "refs/heads/stable/tags/some_branch"));
            assert!(ant(pattern, "refs/tags/project-1.1.0"));
            assert!(!ant(pattern, "refs/heads/stable/tagsmith"));
        }
        assert!(ant("heads/**/master", "refs/heads/master"));
        assert!(ant("heads/**/master", "refs/heads/stable/master"));
        assert!(!ant("heads/**/master", "refs/tags/master2"));
        // `*` and `?` stop at a slash; a suffix matches whole segments only.
        assert!(!ant("release/*", "refs/heads/release/1.2/hotfix"));
        assert!(!ant("a?b", "refs/heads/a/b"));
        assert!(!ant("a*", "refs/heads/a/b"));
        assert!(!ant("ECT-*", "refs/heads/PROJECT-1"));
        assert!(ant("refs/heads/main", "refs/heads/main"));
    }

    #[test]
    fn matchers_select_branches_by_their_kind() {
        let release = |m: fn(String) -> BranchMatcher| m("release/*".into()).selects("release/1.2");
        assert!(release(BranchMatcher::Glob));
        assert!(release(BranchMatcher::Pattern));
        assert!(BranchMatcher::Glob("release/*".into()).selects("refs/heads/release/1.2/a"));
        assert!(BranchMatcher::Branch("refs/heads/main".into()).selects("main"));
        assert!(BranchMatcher::Branch("main".into()).selects("refs/heads/main"));
        assert!(!BranchMatcher::Branch("refs/heads/main".into()).selects("team/main"));
        assert!(BranchMatcher::Pattern("main".into()).selects("team/main"));
        assert!(!BranchMatcher::Model("FEATURE".into()).selects("feature/x"));
    }

    #[test]
    fn matchers_are_stored_with_their_kind() {
        let stored = serde_json::to_value(BranchMatcher::Pattern("release/*".into())).unwrap();
        assert_eq!(
            stored,
            serde_json::json!({ "type": "pattern", "id": "release/*" })
        );
        let read: BranchMatcher = serde_json::from_value(stored).unwrap();
        assert_eq!(read, BranchMatcher::Pattern("release/*".into()));
    }

    #[test]
    fn many_stars_do_not_backtrack_exponentially() {
        let name = "a".repeat(2_000);
        let pattern = format!("{}b", "a*".repeat(200));
        assert!(!glob(&pattern, &name));
        assert!(glob(&pattern, &format!("{name}b")));
        let reference = format!("refs/heads/{}", ["a"; 500].join("/"));
        assert!(!ant(&format!("{}b", "a/**/".repeat(100)), &reference));
        assert!(ant(&format!("{}a", "a/**/".repeat(100)), &reference));
    }

    proptest! {
        #[test]
        fn glob_agrees_with_the_definition(pattern in "[ab*?/]{0,8}", name in "[ab/]{0,10}") {
            let (p, n): (Vec<char>, Vec<char>) = (pattern.chars().collect(), name.chars().collect());
            prop_assert_eq!(glob(&pattern, &name), naive_glob(&p, &n, false));
        }

        #[test]
        fn ant_agrees_with_the_definition(pattern in "[ab*?/]{0,8}", name in "[ab/]{0,10}") {
            let reference = format!("refs/heads/{name}");
            let mut full = format!("**/{pattern}");
            if full.ends_with('/') {
                full.push_str("**");
            }
            let p: Vec<&str> = full.split('/').collect();
            let s: Vec<&str> = reference.split('/').collect();
            prop_assert_eq!(ant(&pattern, &reference), naive_ant(&p, &s));
        }

        #[test]
        fn a_prefix_and_a_star_select_every_branch_below_it(prefix in "[a-z]{1,6}/", rest in "[a-z0-9./-]{0,12}") {
            let branch = format!("{prefix}{rest}");
            let star = format!("{prefix}*");
            prop_assert!(BranchMatcher::Glob(star).selects(&branch));
            prop_assert!(BranchMatcher::Pattern(prefix.clone()).selects(&branch));
            prop_assert!(BranchMatcher::Glob(branch.clone()).selects(&branch));
            let reference = format!("refs/heads/{branch}");
            prop_assert!(BranchMatcher::Branch(reference).selects(&branch));
        }
    }
}
