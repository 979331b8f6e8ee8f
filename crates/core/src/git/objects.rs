//! Git objects as a push writes them: blobs, trees and commits, with their SHA-1 ids
//! (`gitformat-pack`: an object's id is the SHA-1 of `"<kind> <length>\0"` followed by its content).

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use sha1::{Digest, Sha1};

/// A git object id: the SHA-1 of the object's header and content.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectId([u8; 20]);

impl ObjectId {
    /// The id git writes for "no object": the old side of a ref being created.
    pub const ZERO: ObjectId = ObjectId([0; 20]);

    /// The id of these 20 bytes.
    pub fn from_bytes(bytes: [u8; 20]) -> ObjectId {
        ObjectId(bytes)
    }

    /// The 20 bytes (as a tree entry and a pack trailer carry them).
    pub fn as_bytes(&self) -> &[u8; 20] {
        &self.0
    }

    /// Whether this is [`ObjectId::ZERO`].
    pub fn is_zero(&self) -> bool {
        *self == ObjectId::ZERO
    }

    /// The SHA-1 of everything `write` hands to the hasher.
    fn digest(write: impl FnOnce(&mut Sha1)) -> ObjectId {
        let mut hasher = Sha1::new();
        write(&mut hasher);
        ObjectId(hasher.finalize().into())
    }
}

/// Text that is not an object id (40 hexadecimal digits).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a git object id (40 hexadecimal digits): {0:?}")]
pub struct ObjectIdError(String);

impl FromStr for ObjectId {
    type Err = ObjectIdError;

    fn from_str(hex: &str) -> Result<ObjectId, ObjectIdError> {
        let refused = || ObjectIdError(hex.chars().take(48).collect());
        let digits = hex.as_bytes();
        if digits.len() != 40 {
            return Err(refused());
        }
        let mut bytes = [0u8; 20];
        for (byte, pair) in bytes.iter_mut().zip(digits.chunks_exact(2)) {
            let pair = std::str::from_utf8(pair).map_err(|_| refused())?;
            *byte = u8::from_str_radix(pair, 16).map_err(|_| refused())?;
        }
        Ok(ObjectId(bytes))
    }
}

impl fmt::Display for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

impl fmt::Debug for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ObjectId({self})")
    }
}

/// The kinds of object a push writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectKind {
    /// A commit: tree, parents, author, committer, message.
    Commit,
    /// A folder: named entries with modes and ids.
    Tree,
    /// A file's bytes.
    Blob,
}

impl ObjectKind {
    /// The name in the object's header (`commit`, `tree`, `blob`).
    pub fn name(self) -> &'static str {
        match self {
            ObjectKind::Commit => "commit",
            ObjectKind::Tree => "tree",
            ObjectKind::Blob => "blob",
        }
    }

    /// The type number of a pack entry (`gitformat-pack`: commit 1, tree 2, blob 3).
    pub fn pack_type(self) -> u8 {
        match self {
            ObjectKind::Commit => 1,
            ObjectKind::Tree => 2,
            ObjectKind::Blob => 3,
        }
    }
}

/// A git object: its kind, its content (without git's header) and its id.
#[derive(Clone, PartialEq, Eq)]
pub struct Object {
    kind: ObjectKind,
    content: Vec<u8>,
    id: ObjectId,
}

impl Object {
    /// The object of this kind and content, with its id computed.
    pub fn new(kind: ObjectKind, content: Vec<u8>) -> Object {
        let id = ObjectId::digest(|hasher| {
            hasher.update(format!("{} {}\0", kind.name(), content.len()));
            hasher.update(&content);
        });
        Object { kind, content, id }
    }

    /// A blob holding these bytes.
    pub fn blob(content: Vec<u8>) -> Object {
        Object::new(ObjectKind::Blob, content)
    }

    /// Its kind.
    pub fn kind(&self) -> ObjectKind {
        self.kind
    }

    /// Its content, without git's header.
    pub fn content(&self) -> &[u8] {
        &self.content
    }

    /// Its id.
    pub fn id(&self) -> ObjectId {
        self.id
    }
}

impl fmt::Debug for Object {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Object")
            .field("kind", &self.kind)
            .field("len", &self.content.len())
            .field("id", &self.id)
            .finish()
    }
}

/// The mode of a tree entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileMode {
    /// A file (`100644`).
    Regular,
    /// An executable file (`100755`).
    Executable,
    /// A symbolic link, its target as the blob (`120000`).
    Symlink,
    /// A folder (`40000`).
    Tree,
    /// A submodule: a commit of another repository (`160000`).
    Submodule,
}

impl FileMode {
    /// The mode as a tree object writes it (octal, no leading zero).
    pub fn octal(self) -> &'static str {
        match self {
            FileMode::Regular => "100644",
            FileMode::Executable => "100755",
            FileMode::Symlink => "120000",
            FileMode::Tree => "40000",
            FileMode::Submodule => "160000",
        }
    }
}

/// One entry of a tree: its mode and the id of what it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TreeEntry {
    /// File, executable, link, folder or submodule.
    pub mode: FileMode,
    /// The blob, tree or (for a submodule) commit.
    pub id: ObjectId,
}

/// Why an object cannot be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ObjectError {
    /// A tree entry's name is empty, `.`, `..`, `.git` in any case, or holds a slash or a NUL:
    /// git refuses such trees.
    #[error("{0:?} cannot name a tree entry (empty, ., .., .git, or with a slash or a NUL)")]
    EntryName(String),
    /// An author's or committer's name or email holds `<`, `>`, a newline or a NUL.
    #[error("{0:?} cannot stand in a commit's author or committer (no <, >, newline or NUL)")]
    Identity(String),
    /// A commit message holding a NUL character.
    #[error("a commit message cannot hold a NUL character")]
    MessageNul,
}

/// Checks a tree entry's name as git does: not empty, `.`, `..` or `.git` (in any case), without
/// a slash or a NUL.
pub fn check_entry_name(name: &str) -> Result<(), ObjectError> {
    let reserved = name.is_empty()
        || name == "."
        || name == ".."
        || name.eq_ignore_ascii_case(".git")
        || name.contains(['/', '\0']);
    match reserved {
        true => Err(ObjectError::EntryName(name.to_owned())),
        false => Ok(()),
    }
}

/// A tree being built: entries by name, written in git's order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tree {
    entries: BTreeMap<String, TreeEntry>,
}

impl Tree {
    /// An empty tree.
    pub fn new() -> Tree {
        Tree::default()
    }

    /// Sets the entry `name` (replacing one of that name), the name checked as git checks it
    /// ([`check_entry_name`]).
    pub fn insert(&mut self, name: &str, entry: TreeEntry) -> Result<(), ObjectError> {
        check_entry_name(name)?;
        self.entries.insert(name.to_owned(), entry);
        Ok(())
    }

    /// Removes the entry `name`; what it was.
    pub fn remove(&mut self, name: &str) -> Option<TreeEntry> {
        self.entries.remove(name)
    }

    /// The entry `name`.
    pub fn get(&self, name: &str) -> Option<&TreeEntry> {
        self.entries.get(name)
    }

    /// Whether it has no entry (git writes no empty folder: its parent drops it).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The tree object: entries sorted as git sorts them (by name bytes, a folder's name as if it
    /// ended with `/`), each `<mode> <name>\0<20-byte id>`.
    pub fn to_object(&self) -> Object {
        let mut entries: Vec<(&String, &TreeEntry)> = self.entries.iter().collect();
        let key = |name: &String, entry: &TreeEntry| {
            let slash: &[u8] = if entry.mode == FileMode::Tree {
                b"/"
            } else {
                b""
            };
            [name.as_bytes(), slash].concat()
        };
        entries.sort_by_cached_key(|(name, entry)| key(name, entry));
        let mut content = Vec::new();
        for (name, entry) in entries {
            content.extend_from_slice(entry.mode.octal().as_bytes());
            content.push(b' ');
            content.extend_from_slice(name.as_bytes());
            content.push(0);
            content.extend_from_slice(entry.id.as_bytes());
        }
        Object::new(ObjectKind::Tree, content)
    }
}

/// Who wrote or committed a commit, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    name: String,
    email: String,
    seconds: i64,
    offset_minutes: i16,
}

impl Signature {
    /// A signature: `seconds` since the Unix epoch, in a time zone `offset_minutes` east of UTC.
    /// Refused when the name or email holds `<`, `>`, a newline or a NUL.
    pub fn new(
        name: &str,
        email: &str,
        seconds: i64,
        offset_minutes: i16,
    ) -> Result<Signature, ObjectError> {
        for text in [name, email] {
            if text.contains(['<', '>', '\n', '\0']) {
                return Err(ObjectError::Identity(text.to_owned()));
            }
        }
        Ok(Signature {
            name: name.trim().to_owned(),
            email: email.trim().to_owned(),
            seconds,
            offset_minutes,
        })
    }
}

impl fmt::Display for Signature {
    /// `Name <email> 1700000000 +0100`, as a commit header holds it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.offset_minutes < 0 { '-' } else { '+' };
        let offset = self.offset_minutes.unsigned_abs();
        write!(
            f,
            "{} <{}> {} {sign}{:02}{:02}",
            self.name,
            self.email,
            self.seconds,
            offset / 60,
            offset % 60
        )
    }
}

/// A commit to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    /// The root tree.
    pub tree: ObjectId,
    /// The parent commits (none for a repository's first commit).
    pub parents: Vec<ObjectId>,
    /// Who wrote the change.
    pub author: Signature,
    /// Who committed it.
    pub committer: Signature,
    /// The message; a final newline is added when it has none.
    pub message: String,
}

impl Commit {
    /// The commit object; refused when the message holds a NUL.
    pub fn to_object(&self) -> Result<Object, ObjectError> {
        if self.message.contains('\0') {
            return Err(ObjectError::MessageNul);
        }
        let mut text = format!("tree {}\n", self.tree);
        for parent in &self.parents {
            text.push_str(&format!("parent {parent}\n"));
        }
        text.push_str(&format!(
            "author {}\ncommitter {}\n\n{}",
            self.author, self.committer, self.message
        ));
        if !text.ends_with('\n') {
            text.push('\n');
        }
        Ok(Object::new(ObjectKind::Commit, text.into_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn oid(git: git2::Oid) -> ObjectId {
        git.to_string().parse().unwrap()
    }

    #[test]
    fn object_ids_are_the_ids_git_computes() {
        let blob = Object::blob(b"hello\n".to_vec());
        assert_eq!(
            blob.id().to_string(),
            "ce013625030ba8dba906f756967f9e9ca394464a"
        );
        assert_eq!(
            Object::blob(Vec::new()).id(),
            oid(git2::Oid::hash_object(git2::ObjectType::Blob, b"").unwrap())
        );
    }

    #[test]
    fn object_ids_parse_and_print_as_hex() {
        let hex = "ce013625030ba8dba906f756967f9e9ca394464a";
        let id: ObjectId = hex.parse().unwrap();
        assert_eq!(id.to_string(), hex);
        assert_eq!(
            hex.to_uppercase().parse::<ObjectId>().unwrap(),
            id,
            "any case"
        );
        for bad in ["", "ce01", &format!("{hex}0"), &hex.replace('c', "g"), "é"] {
            assert!(bad.parse::<ObjectId>().is_err(), "{bad}");
        }
        assert!(ObjectId::ZERO.is_zero());
        assert_eq!(ObjectId::ZERO.to_string(), "0".repeat(40));
    }

    #[test]
    fn trees_sort_entries_as_git_does_and_match_its_ids() {
        let repo_dir = tempfile::tempdir().unwrap();
        let repo = git2::Repository::init_bare(repo_dir.path()).unwrap();
        let blob = repo.blob(b"x").unwrap();
        let sub = {
            let mut builder = repo.treebuilder(None).unwrap();
            builder.insert("inner.json", blob, 0o100644).unwrap();
            builder.write().unwrap()
        };
        let mut builder = repo.treebuilder(None).unwrap();
        let mut tree = Tree::new();
        let entries = [
            ("foo", sub, 0o040000, FileMode::Tree),
            ("foo.txt", blob, 0o100644, FileMode::Regular),
            ("foo-bar", blob, 0o100755, FileMode::Executable),
            ("foo0", blob, 0o120000, FileMode::Symlink),
            ("Zed", blob, 0o100644, FileMode::Regular),
            ("é", blob, 0o100644, FileMode::Regular),
        ];
        for (name, id, mode, file_mode) in entries {
            builder.insert(name, id, mode).unwrap();
            let entry = TreeEntry {
                mode: file_mode,
                id: oid(id),
            };
            tree.insert(name, entry).unwrap();
        }
        let written = tree.to_object();
        assert_eq!(written.id(), oid(builder.write().unwrap()));
        let names: Vec<_> = repo
            .find_tree(builder.write().unwrap())
            .unwrap()
            .iter()
            .map(|e| e.name().unwrap().to_owned())
            .collect();
        assert_eq!(names, ["Zed", "foo-bar", "foo.txt", "foo", "foo0", "é"]);
    }

    #[test]
    fn trees_refuse_names_git_refuses() {
        let entry = TreeEntry {
            mode: FileMode::Regular,
            id: ObjectId::ZERO,
        };
        for name in ["", ".", "..", ".git", ".GIT", "a/b", "nul\0"] {
            assert_eq!(
                Tree::new().insert(name, entry),
                Err(ObjectError::EntryName(name.to_owned()))
            );
        }
        let mut tree = Tree::new();
        tree.insert(".gitignore", entry).unwrap();
        assert_eq!(tree.remove(".gitignore"), Some(entry));
        assert!(tree.is_empty());
    }

    #[test]
    fn commits_match_the_ids_git_computes() {
        let repo_dir = tempfile::tempdir().unwrap();
        let repo = git2::Repository::init_bare(repo_dir.path()).unwrap();
        let tree_id = repo.treebuilder(None).unwrap().write().unwrap();
        let when = git2::Time::new(1_700_000_000, -150);
        let ada = git2::Signature::new("Ada Admin", "ada@example.com", &when).unwrap();
        let tree = repo.find_tree(tree_id).unwrap();
        let first = repo
            .commit(None, &ada, &ada, "First\n", &tree, &[])
            .unwrap();
        let parent = repo.find_commit(first).unwrap();
        let second = repo
            .commit(None, &ada, &ada, "Second\n\nBody\n", &tree, &[&parent])
            .unwrap();

        let signature =
            Signature::new("Ada Admin", "ada@example.com", 1_700_000_000, -150).unwrap();
        assert_eq!(
            signature.to_string(),
            "Ada Admin <ada@example.com> 1700000000 -0230"
        );
        let commit = Commit {
            tree: oid(tree_id),
            parents: vec![oid(first)],
            author: signature.clone(),
            committer: signature,
            message: "Second\n\nBody".to_owned(),
        };
        assert_eq!(commit.to_object().unwrap().id(), oid(second));
        let root = Commit {
            parents: Vec::new(),
            message: "First\n".to_owned(),
            ..commit.clone()
        };
        assert_eq!(root.to_object().unwrap().id(), oid(first));
        let nul = Commit {
            message: "a\0b".to_owned(),
            ..commit
        };
        assert_eq!(nul.to_object(), Err(ObjectError::MessageNul));
        assert_eq!(
            Signature::new("Eve <x>", "e@x", 0, 0),
            Err(ObjectError::Identity("Eve <x>".to_owned()))
        );
    }
}
