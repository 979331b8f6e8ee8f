//! Packs as a push sends them (`gitformat-pack`, version 2): `PACK`, the version and the number of
//! objects, each object whole (no deltas: a header of type and size, then its zlib-deflated
//! content), and the SHA-1 of all that before it.

use std::collections::BTreeSet;

use sha1::{Digest, Sha1};

use super::objects::{Object, ObjectId};

/// The zlib level of the objects: git's default.
const LEVEL: u8 = 6;

/// A pack that cannot be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PackError {
    /// More objects than a pack's 32-bit count holds.
    #[error("{0} objects do not fit in one pack")]
    TooManyObjects(usize),
}

/// The pack of `objects`, each once (a repeated id is written once), in the order given.
pub fn write_pack<'a>(objects: impl IntoIterator<Item = &'a Object>) -> Result<Vec<u8>, PackError> {
    let mut seen = BTreeSet::<ObjectId>::new();
    let unique: Vec<&Object> = objects
        .into_iter()
        .filter(|object| seen.insert(object.id()))
        .collect();
    let count = u32::try_from(unique.len()).map_err(|_| PackError::TooManyObjects(unique.len()))?;
    let mut pack = Vec::new();
    pack.extend_from_slice(b"PACK");
    pack.extend_from_slice(&2u32.to_be_bytes());
    pack.extend_from_slice(&count.to_be_bytes());
    for object in unique {
        write_header(&mut pack, object.kind().pack_type(), object.content().len());
        pack.extend_from_slice(&miniz_oxide::deflate::compress_to_vec_zlib(
            object.content(),
            LEVEL,
        ));
    }
    let checksum: [u8; 20] = Sha1::digest(&pack).into();
    pack.extend_from_slice(&checksum);
    Ok(pack)
}

/// An entry's header: the type in bits 4–6 of the first byte, the size 4 bits there and 7 bits in
/// each following byte, the high bit of a byte saying that another follows.
fn write_header(pack: &mut Vec<u8>, pack_type: u8, size: usize) {
    // The low four bits of the size fit the first byte whatever the size.
    let mut byte = (pack_type << 4) | (size & 0x0f) as u8;
    let mut rest = size >> 4;
    while rest != 0 {
        pack.push(byte | 0x80);
        byte = (rest & 0x7f) as u8;
        rest >>= 7;
    }
    pack.push(byte);
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::git::objects::{Commit, FileMode, Signature, Tree, TreeEntry};

    /// Indexes `pack` into a fresh repository with libgit2; the repository (and its directory).
    fn index(pack: &[u8]) -> (git2::Repository, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let repo = git2::Repository::init_bare(dir.path()).unwrap();
        {
            let odb = repo.odb().unwrap();
            let mut writer = odb.packwriter().unwrap();
            std::io::Write::write_all(&mut writer, pack).unwrap();
            writer.commit().unwrap();
        }
        (repo, dir)
    }

    fn git_id(id: ObjectId) -> git2::Oid {
        git2::Oid::from_bytes(id.as_bytes()).unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        #[test]
        fn blobs_read_back_from_the_pack(
            blobs in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..3000), 1..12)
        ) {
            let objects: Vec<Object> = blobs.iter().cloned().map(Object::blob).collect();
            let (repo, _dir) = index(&write_pack(&objects).unwrap());
            let odb = repo.odb().unwrap();
            for object in &objects {
                let read = odb.read(git_id(object.id())).unwrap();
                prop_assert_eq!(read.kind(), git2::ObjectType::Blob);
                prop_assert_eq!(read.data(), object.content());
            }
        }
    }

    #[test]
    fn a_commit_with_its_trees_and_blobs_reads_back() {
        let readme = Object::blob(b"# readme\n".to_vec());
        let big = Object::blob((0..200_000u32).flat_map(|i| i.to_le_bytes()).collect());
        let mut folder = Tree::new();
        let file = |id| TreeEntry {
            mode: FileMode::Regular,
            id,
        };
        folder.insert("big.bin", file(big.id())).unwrap();
        let folder = folder.to_object();
        let mut root = Tree::new();
        root.insert("README.md", file(readme.id())).unwrap();
        let folder_entry = TreeEntry {
            mode: FileMode::Tree,
            id: folder.id(),
        };
        root.insert("data", folder_entry).unwrap();
        let root = root.to_object();
        let lee = Signature::new("Lee Lead", "lee@example.com", 1_700_000_000, 60).unwrap();
        let commit = Commit {
            tree: root.id(),
            parents: Vec::new(),
            author: lee.clone(),
            committer: lee,
            message: "Add data".to_owned(),
        }
        .to_object()
        .unwrap();
        let objects = [&commit, &root, &folder, &readme, &big, &readme];
        let pack = write_pack(objects).unwrap();
        assert_eq!(
            &pack[8..12],
            &5u32.to_be_bytes(),
            "the repeated blob is written once"
        );
        let (repo, _dir) = index(&pack);
        let read = repo.find_commit(git_id(commit.id())).unwrap();
        assert_eq!(read.message(), Some("Add data\n"));
        let blob = read
            .tree()
            .unwrap()
            .get_path(std::path::Path::new("data/big.bin"))
            .unwrap()
            .to_object(&repo)
            .unwrap();
        assert_eq!(blob.as_blob().unwrap().content(), big.content());
    }

    #[test]
    fn sizes_take_as_many_header_bytes_as_they_need() {
        for (size, expected) in [
            (0usize, vec![0x30u8]),
            (15, vec![0x3f]),
            (16, vec![0xb0, 0x01]),
            (2047, vec![0xbf, 0x7f]),
            (2048, vec![0xb0, 0x80, 0x01]),
        ] {
            let mut header = Vec::new();
            write_header(&mut header, 3, size);
            assert_eq!(header, expected, "{size}");
        }
    }
}
