//! A fetch of one commit's trees over git's smart HTTP (`git-upload-pack`, protocol version 0,
//! stateless): the commit, `deepen 1` (no history) and `filter blob:none` (no file content), in one
//! request ending in `done`. The answer is the shallow list, `NAK`, then the pack on side band 1.
//! A server that does not allow filters (Data Center's `plugin.bitbucket-git.hosting.allow-filter=false`,
//! or a git older than 2.18 on the server) stops at the `filter` line, and its answer holds no pack.

use super::objects::ObjectId;
use super::pack_read::{read_pack, PackReadError};
use super::pkt_line::{write_data, write_flush, Packet, PktReader};
use super::side_band::{demultiplex, SideBandError};
use super::snapshot::{SnapshotError, TreeSnapshot};

/// The service of a fetch.
pub const UPLOAD_PACK: &str = "git-upload-pack";
/// The `Content-Type` of a fetch's request.
pub const FETCH_CONTENT_TYPE: &str = "application/x-git-upload-pack-request";
/// The `Content-Type` of its answer.
pub const FETCH_RESULT_CONTENT_TYPE: &str = "application/x-git-upload-pack-result";

/// Why the trees of a commit could not be read from a fetch's answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    /// The server answered `ERR`, or nothing (a filter it does not allow).
    #[error("the server sent no pack: {0}")]
    NoPack(String),
    /// The side band is broken or carries the server's fatal error.
    #[error(transparent)]
    SideBand(#[from] SideBandError),
    /// The pack cannot be read.
    #[error(transparent)]
    Pack(#[from] PackReadError),
    /// The pack lacks the commit or one of its trees.
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
}

/// The body of a fetch of `commit` and its trees, without history or file content.
pub fn trees_request(commit: ObjectId) -> Vec<u8> {
    let mut body = Vec::new();
    let lines = [
        format!("want {commit} side-band-64k ofs-delta shallow no-progress filter agent=bitbucket-versioning\n"),
        "deepen 1\n".to_owned(),
        "filter blob:none\n".to_owned(),
    ];
    for line in lines {
        // Each line is far below a pkt-line's limit.
        let _ = write_data(&mut body, line.as_bytes());
    }
    write_flush(&mut body);
    let _ = write_data(&mut body, b"done\n");
    body
}

/// The trees of `commit` read from a fetch's answer ([`trees_request`]).
pub fn read_trees(body: &[u8], commit: ObjectId) -> Result<TreeSnapshot, FetchError> {
    let mut reader = PktReader::new(body);
    loop {
        let packet = reader
            .next_packet()
            .map_err(|e| FetchError::NoPack(e.to_string()))?;
        match packet.and_then(Packet::text) {
            None if packet.is_none() => return Err(FetchError::NoPack("an empty answer".into())),
            None => continue,
            Some(line) => {
                let line = String::from_utf8_lossy(line);
                let line = line.trim_end();
                if let Some(message) = line.strip_prefix("ERR ") {
                    return Err(FetchError::NoPack(message.to_owned()));
                }
                if line == "NAK" || line.starts_with("ACK ") {
                    break;
                }
            }
        }
    }
    let pack = demultiplex(reader.rest())?.data;
    let objects = read_pack(&pack)?;
    Ok(TreeSnapshot::of(commit, objects)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_answer_or_an_error_line_holds_no_pack() {
        let commit = ObjectId::ZERO;
        assert!(matches!(
            read_trees(b"", commit),
            Err(FetchError::NoPack(_))
        ));
        let mut err = Vec::new();
        write_data(&mut err, b"ERR upload-pack: not our ref\n").unwrap();
        assert_eq!(
            read_trees(&err, commit),
            Err(FetchError::NoPack("upload-pack: not our ref".into()))
        );
    }

    #[test]
    fn the_request_asks_for_one_commit_without_history_or_content() {
        let text = String::from_utf8(trees_request(ObjectId::ZERO)).unwrap();
        assert!(text.contains(&format!("want {} ", ObjectId::ZERO)));
        assert!(text.contains("deepen 1\n") && text.contains("filter blob:none\n"));
        assert!(text.ends_with("00000009done\n"));
    }
}
