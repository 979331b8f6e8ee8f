//! Reading a pack a fetch receives (`gitformat-pack`, version 2): each entry whole or as a delta
//! against another entry of the pack (`OFS_DELTA` by its offset, `REF_DELTA` by its id), resolved
//! here into whole objects. A pack that refers to an object it does not carry (a thin pack, which
//! the fetch never asks for) cannot be read.

use std::collections::BTreeMap;

use flate2::{Decompress, FlushDecompress, Status};
use sha1::{Digest, Sha1};

use super::objects::{Object, ObjectId, ObjectKind};

/// The longest chain of deltas followed (git writes chains of at most 50 by default).
const MAX_CHAIN: usize = 1_000;

/// A pack that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PackReadError {
    /// Not `PACK` version 2 or 3.
    #[error("the answer is not a pack")]
    NotAPack,
    /// The bytes end inside an entry, or a deflated entry does not inflate to its size.
    #[error("the pack is cut short or damaged at byte {0}")]
    Damaged(usize),
    /// The trailing checksum does not match.
    #[error("the pack's checksum does not match its content")]
    Checksum,
    /// An entry of a type a fetch of commits and trees does not carry (a tag).
    #[error("the pack holds an entry of type {0}")]
    EntryType(u8),
    /// A delta whose base the pack does not carry, or that does not apply to it.
    #[error("a delta of the pack cannot be applied")]
    Delta,
}

enum Entry {
    Whole(ObjectKind, Vec<u8>),
    AtOffset(usize, Vec<u8>),
    ById(ObjectId, Vec<u8>),
}

/// The objects of `pack`, deltas resolved, in the pack's order.
pub fn read_pack(pack: &[u8]) -> Result<Vec<Object>, PackReadError> {
    let body_len = pack.len().checked_sub(20).ok_or(PackReadError::NotAPack)?;
    let (body, checksum) = pack.split_at(body_len);
    if body.len() < 12 || &body[..4] != b"PACK" || !matches!(be32(&body[4..8]), 2 | 3) {
        return Err(PackReadError::NotAPack);
    }
    if Sha1::digest(body).as_slice() != checksum {
        return Err(PackReadError::Checksum);
    }
    let count = be32(&body[8..12]) as usize;
    let mut at = 12;
    let mut entries: Vec<(usize, Entry)> = Vec::with_capacity(count.min(1 << 20));
    for _ in 0..count {
        let start = at;
        let (kind, size) = read_header(body, &mut at)?;
        let entry = match kind {
            1..=3 => {
                let content = inflate(body, &mut at, size)?;
                Entry::Whole(kind_of(kind), content)
            }
            6 => {
                let distance = read_offset(body, &mut at)?;
                let base = start.checked_sub(distance).ok_or(PackReadError::Delta)?;
                Entry::AtOffset(base, inflate(body, &mut at, size)?)
            }
            7 => {
                let id: [u8; 20] = body
                    .get(at..at + 20)
                    .and_then(|b| b.try_into().ok())
                    .ok_or(PackReadError::Damaged(at))?;
                at += 20;
                Entry::ById(ObjectId::from_bytes(id), inflate(body, &mut at, size)?)
            }
            other => return Err(PackReadError::EntryType(other)),
        };
        entries.push((start, entry));
    }
    if at != body.len() {
        return Err(PackReadError::Damaged(at));
    }
    resolve(entries)
}

/// Resolves the deltas, each once its base is known (a base may come after its delta).
fn resolve(entries: Vec<(usize, Entry)>) -> Result<Vec<Object>, PackReadError> {
    let mut by_offset: BTreeMap<usize, usize> = BTreeMap::new();
    let mut objects: Vec<Option<Object>> = Vec::with_capacity(entries.len());
    let mut by_id: BTreeMap<ObjectId, usize> = BTreeMap::new();
    let mut pending = Vec::new();
    for (index, (offset, entry)) in entries.into_iter().enumerate() {
        by_offset.insert(offset, index);
        match entry {
            Entry::Whole(kind, content) => {
                let object = Object::new(kind, content);
                by_id.insert(object.id(), index);
                objects.push(Some(object));
            }
            delta => {
                objects.push(None);
                pending.push((index, delta));
            }
        }
    }
    for _ in 0..MAX_CHAIN {
        if pending.is_empty() {
            break;
        }
        let before = pending.len();
        let mut waiting = Vec::new();
        for (index, entry) in pending {
            let base = match &entry {
                Entry::AtOffset(offset, _) => by_offset.get(offset).copied(),
                Entry::ById(id, _) => by_id.get(id).copied(),
                Entry::Whole(..) => None,
            };
            let base = base.and_then(|b| objects[b].as_ref());
            let (Some(base), Entry::AtOffset(_, delta) | Entry::ById(_, delta)) = (base, &entry)
            else {
                waiting.push((index, entry));
                continue;
            };
            let content = apply_delta(base.content(), delta).ok_or(PackReadError::Delta)?;
            let object = Object::new(base.kind(), content);
            by_id.insert(object.id(), index);
            objects[index] = Some(object);
        }
        if waiting.len() == before {
            return Err(PackReadError::Delta);
        }
        pending = waiting;
    }
    objects
        .into_iter()
        .map(|o| o.ok_or(PackReadError::Delta))
        .collect()
}

fn be32(bytes: &[u8]) -> u32 {
    u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])
}

fn kind_of(pack_type: u8) -> ObjectKind {
    match pack_type {
        1 => ObjectKind::Commit,
        2 => ObjectKind::Tree,
        _ => ObjectKind::Blob,
    }
}

/// An entry's type and inflated size.
fn read_header(body: &[u8], at: &mut usize) -> Result<(u8, usize), PackReadError> {
    let byte = *body.get(*at).ok_or(PackReadError::Damaged(*at))?;
    *at += 1;
    let kind = (byte >> 4) & 7;
    let mut size = usize::from(byte & 0x0f);
    let mut shift = 4;
    let mut more = byte & 0x80 != 0;
    while more {
        let byte = *body.get(*at).ok_or(PackReadError::Damaged(*at))?;
        *at += 1;
        if shift > 56 {
            return Err(PackReadError::Damaged(*at));
        }
        size |= usize::from(byte & 0x7f) << shift;
        shift += 7;
        more = byte & 0x80 != 0;
    }
    Ok((kind, size))
}

/// An `OFS_DELTA`'s distance back to its base.
fn read_offset(body: &[u8], at: &mut usize) -> Result<usize, PackReadError> {
    let mut byte = *body.get(*at).ok_or(PackReadError::Damaged(*at))?;
    *at += 1;
    let mut offset = usize::from(byte & 0x7f);
    while byte & 0x80 != 0 {
        byte = *body.get(*at).ok_or(PackReadError::Damaged(*at))?;
        *at += 1;
        offset = offset
            .checked_add(1)
            .and_then(|o| o.checked_mul(128))
            .ok_or(PackReadError::Damaged(*at))?
            | usize::from(byte & 0x7f);
    }
    Ok(offset)
}

/// Inflates the zlib stream at `at` into its `size` bytes, moving `at` past it.
fn inflate(body: &[u8], at: &mut usize, size: usize) -> Result<Vec<u8>, PackReadError> {
    let damaged = PackReadError::Damaged(*at);
    let input = body.get(*at..).ok_or(damaged.clone())?;
    let mut out = Vec::with_capacity(size + 1);
    let mut inflater = Decompress::new(true);
    loop {
        let consumed = inflater.total_in() as usize;
        let status = inflater
            .decompress_vec(&input[consumed..], &mut out, FlushDecompress::Finish)
            .map_err(|_| damaged.clone())?;
        match status {
            Status::StreamEnd => break,
            _ if out.len() > size || inflater.total_in() as usize >= input.len() => {
                return Err(damaged)
            }
            _ => out.reserve(out.capacity().max(64)),
        }
    }
    if out.len() != size {
        return Err(damaged);
    }
    *at += inflater.total_in() as usize;
    Ok(out)
}

/// A size of a delta's header (7 bits a byte, low bits first).
fn delta_size(delta: &[u8], at: &mut usize) -> Option<usize> {
    let mut size = 0usize;
    let mut shift = 0;
    loop {
        let byte = *delta.get(*at)?;
        *at += 1;
        if shift > 56 {
            return None;
        }
        size |= usize::from(byte & 0x7f) << shift;
        shift += 7;
        if byte & 0x80 == 0 {
            return Some(size);
        }
    }
}

/// Applies a delta to `base`: copies from the base and inserts of literal bytes.
fn apply_delta(base: &[u8], delta: &[u8]) -> Option<Vec<u8>> {
    let mut at = 0;
    if delta_size(delta, &mut at)? != base.len() {
        return None;
    }
    let size = delta_size(delta, &mut at)?;
    let mut out = Vec::with_capacity(size);
    while at < delta.len() {
        let op = delta[at];
        at += 1;
        if op & 0x80 != 0 {
            let mut field = |bits: std::ops::Range<u8>| -> Option<usize> {
                let mut value = 0usize;
                for (i, bit) in bits.enumerate() {
                    if op & (1 << bit) != 0 {
                        value |= usize::from(*delta.get(at)?) << (8 * i);
                        at += 1;
                    }
                }
                Some(value)
            };
            let offset = field(0..4)?;
            let length = match field(4..7)? {
                0 => 0x10000,
                n => n,
            };
            out.extend_from_slice(base.get(offset..offset.checked_add(length)?)?);
        } else if op != 0 {
            let length = usize::from(op);
            out.extend_from_slice(delta.get(at..at + length)?);
            at += length;
        } else {
            return None;
        }
    }
    (out.len() == size).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::git::write_pack;

    #[test]
    fn a_pack_this_crate_writes_reads_back() {
        let objects = [Object::blob(b"one".to_vec()), Object::blob(Vec::new())];
        let pack = write_pack(&objects).unwrap();
        let read = read_pack(&pack).unwrap();
        assert_eq!(read, objects.to_vec());
    }

    #[test]
    fn a_damaged_pack_is_refused_and_never_panics() {
        let pack = write_pack(&[Object::blob(b"one".to_vec())]).unwrap();
        assert_eq!(read_pack(&pack[..10]), Err(PackReadError::NotAPack));
        let mut flipped = pack.clone();
        flipped[14] ^= 0xff;
        assert_eq!(read_pack(&flipped), Err(PackReadError::Checksum));
        for cut in 0..pack.len() {
            let _ = read_pack(&pack[..cut]);
        }
    }

    #[test]
    fn deltas_copy_and_insert() {
        let base = b"hello world";
        // base 11, result 16; copy 0..6 ("hello "), insert "there", copy 6..11 ("world").
        let delta = [11, 16, 0x90, 6, 5, b't', b'h', b'e', b'r', b'e', 0x91, 6, 5];
        assert_eq!(
            apply_delta(base, &delta).as_deref(),
            Some(&b"hello thereworld"[..])
        );
        assert_eq!(apply_delta(b"short", &delta), None);
        assert_eq!(apply_delta(base, &[11, 3, 0]), None);
    }
}
