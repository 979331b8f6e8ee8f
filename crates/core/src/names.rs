//! Branch and version (tag) names, in the one canonical form that every comparison and every request
//! uses.
//!
//! A name is canonicalised once, before anything is sent ([`RefKind::canonical`]): one `refs/heads/`
//! (branch) or `refs/tags/` (version) is stripped, and what remains must be a name git accepts
//! (`git check-ref-format`) that reads as what it is. Git allows any Unicode in a name; this product
//! takes only ASCII, so that no control character, no invisible character (a zero-width space, a byte
//! order mark, a bidirectional mark) and no look-alike letter (a Cyrillic `а` in `mаin`) can make a name
//! that looks like another one, such as the main branch, be a different branch.
//!
//! ```
//! use versioning_core::names::RefKind;
//! assert_eq!(RefKind::Branch.canonical("refs/heads/feature/login").unwrap(), "feature/login");
//! let refused = RefKind::Branch.canonical("m\u{0430}in").unwrap_err();
//! assert!(refused.to_string().contains("character 2"));
//! ```

use std::fmt;

/// The longest name accepted, in bytes (ASCII characters).
pub const MAX_NAME_BYTES: usize = 200;

/// How much of a refused name its message shows, in characters.
const SHOWN_CHARS: usize = 80;

/// What a name names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefKind {
    /// A branch (`refs/heads/…`).
    Branch,
    /// A version: a tag on a pushed commit (`refs/tags/…`).
    Version,
}

impl RefKind {
    /// The prefix of this kind's full reference names, stripped once from a name.
    fn prefix(self) -> &'static str {
        match self {
            RefKind::Branch => "refs/heads/",
            RefKind::Version => "refs/tags/",
        }
    }

    /// An example of a good name of this kind, for messages.
    fn example(self) -> &'static str {
        match self {
            RefKind::Branch => "feature/login",
            RefKind::Version => "v1.2",
        }
    }

    /// `name` without one prefix of this kind (`refs/heads/main` is `main`), unchecked: the form in
    /// which Bitbucket shows and compares names.
    pub fn short(self, name: &str) -> &str {
        name.strip_prefix(self.prefix()).unwrap_or(name)
    }

    /// The canonical form of `name`, or why it cannot be a name of this kind.
    pub fn canonical(self, name: &str) -> Result<String, NameError> {
        match self.problem(name) {
            Some(problem) => Err(NameError::new(self, name, problem)),
            None => Ok(self.short(name).to_owned()),
        }
    }

    fn problem(self, name: &str) -> Option<NameProblem> {
        if let Some((index, character)) = name.chars().enumerate().find(|(_, c)| !allowed(*c)) {
            return Some(NameProblem::Character {
                character,
                position: index + 1,
                class: CharacterClass::of(character),
            });
        }
        let short = self.short(name);
        if short.is_empty() {
            Some(NameProblem::Empty)
        } else if short.starts_with("refs/") {
            Some(NameProblem::OtherReference)
        } else if short.eq_ignore_ascii_case("HEAD") {
            Some(NameProblem::Head)
        } else if short.len() > MAX_NAME_BYTES {
            Some(NameProblem::TooLong)
        } else if !follows_git_rules(short) {
            Some(NameProblem::Syntax)
        } else {
            None
        }
    }
}

impl fmt::Display for RefKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RefKind::Branch => "branch",
            RefKind::Version => "version",
        })
    }
}

/// Whether `c` may appear in a name: visible ASCII but for the characters git reserves.
fn allowed(c: char) -> bool {
    c.is_ascii_graphic() && !"~^:?*[\\".contains(c)
}

/// The rules of `git check-ref-format` (and `git branch`) that remain once every character is allowed.
fn follows_git_rules(name: &str) -> bool {
    !(name.starts_with('-')
        || name.ends_with('.')
        || name == "@"
        || name.contains("..")
        || name.contains("@{")
        || name
            .split('/')
            .any(|part| part.is_empty() || part.starts_with('.') || part.ends_with(".lock")))
}

/// What kind of character a name may not hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CharacterClass {
    /// A space, or a character git reserves (`~ ^ : ? * [ \`).
    Reserved,
    /// A control character (a tab, a line break, …).
    Control,
    /// An invisible character: a zero-width space or joiner, a byte order mark, a bidirectional mark, a
    /// soft hyphen, or a non-ASCII space.
    Invisible,
    /// Any other character outside ASCII, such as a letter of another alphabet that looks like a Latin
    /// one.
    NonAscii,
}

impl CharacterClass {
    /// The class of a character [`allowed`] refuses.
    fn of(c: char) -> CharacterClass {
        if c.is_ascii() && !c.is_control() {
            CharacterClass::Reserved
        } else if c.is_control() {
            CharacterClass::Control
        } else if c.is_whitespace() || is_format(c) {
            CharacterClass::Invisible
        } else {
            CharacterClass::NonAscii
        }
    }
}

/// Unicode format characters (general category Cf) that can hide in a pasted name.
fn is_format(c: char) -> bool {
    matches!(
        c,
        '\u{AD}'
            | '\u{34F}'
            | '\u{61C}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{E0000}'..='\u{E0FFF}'
    )
}

/// Why a text cannot be a branch or version name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameProblem {
    /// Nothing is left (an empty text, or `refs/heads/` alone).
    Empty,
    /// A character that names may not hold.
    Character {
        /// The character.
        character: char,
        /// Its position in the text as given, counted in characters from 1.
        position: usize,
        /// Why it is refused.
        class: CharacterClass,
    },
    /// A full reference name of another kind (`refs/tags/v1` as a branch, `refs/remotes/…`).
    OtherReference,
    /// `HEAD`, in any case: git's name for the current commit.
    Head,
    /// Longer than [`MAX_NAME_BYTES`].
    TooLong,
    /// Another rule of git's: `..`, `@{`, an empty part, a part starting with `.` or ending with `.lock`,
    /// a leading `-` or a trailing `.`.
    Syntax,
}

/// A text refused as a branch or version name. `Display` is the message for the user, which says what
/// to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct NameError {
    /// What the text was meant to name.
    pub kind: RefKind,
    /// The text, shortened, with control and invisible characters written as `\u{…}`.
    pub name: String,
    /// Why it is refused.
    pub problem: NameProblem,
}

impl NameError {
    fn new(kind: RefKind, name: &str, problem: NameProblem) -> Self {
        let name = name
            .chars()
            .take(SHOWN_CHARS)
            .map(|c| match CharacterClass::of(c) {
                CharacterClass::Control | CharacterClass::Invisible => {
                    format!("\\u{{{:04X}}}", u32::from(c))
                }
                CharacterClass::Reserved | CharacterClass::NonAscii => c.to_string(),
            })
            .collect();
        NameError {
            kind,
            name,
            problem,
        }
    }
}

impl fmt::Display for NameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let NameError {
            kind,
            name,
            problem,
        } = self;
        let rules = "use ASCII letters, digits, `-`, `_`, `.` and `/`";
        match problem {
            NameProblem::Empty => write!(f, "Enter a {kind} name."),
            NameProblem::Character {
                character,
                position,
                class,
            } => {
                let code = format!("U+{:04X}", u32::from(*character));
                write!(f, "“{name}” cannot be a {kind} name: its character {position} ")?;
                match class {
                    CharacterClass::Reserved if *character == ' ' => {
                        write!(f, "is a space. Names have no spaces: {rules}.")
                    }
                    CharacterClass::Reserved => {
                        write!(f, "“{character}” is reserved by git: {rules}.")
                    }
                    CharacterClass::Control => write!(
                        f,
                        "is a control character ({code}). Type the name again without it: {rules}."
                    ),
                    CharacterClass::Invisible => write!(
                        f,
                        "is an invisible character ({code}), often picked up when copying. Type the name \
                         again rather than pasting it: {rules}."
                    ),
                    CharacterClass::NonAscii => write!(
                        f,
                        "“{character}” ({code}) is not ASCII, and may only look like an ASCII letter. \
                         Branch and version names take ASCII only: type the name again, and {rules}."
                    ),
                }
            }
            NameProblem::OtherReference => write!(
                f,
                "“{name}” is a full reference name, not a {kind} name: enter the {kind} name alone, \
                 without `refs/` (like `{}`).",
                kind.example()
            ),
            NameProblem::Head => write!(
                f,
                "“{name}” cannot be a {kind} name: git uses HEAD for the current commit. Choose another \
                 name."
            ),
            NameProblem::TooLong => write!(
                f,
                "“{name}…” cannot be a {kind} name: it is longer than {MAX_NAME_BYTES} characters. \
                 Choose a shorter name."
            ),
            NameProblem::Syntax => write!(
                f,
                "“{name}” cannot be a {kind} name: {rules}, without `..` or `@{{`, a leading `-`, `/` or \
                 `.`, a trailing `/` or `.`, `//`, or a part starting with `.` or ending with `.lock`."
            ),
        }
    }
}
