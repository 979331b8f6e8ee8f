//! Side-band demultiplexing (`gitprotocol-pack`, `side-band-64k`): each pkt-line's first byte names
//! its band: 1 the data (here the report), 2 progress and messages for the user (what git prints
//! as `remote: …`), 3 a fatal error; a flush ends the stream.

use super::pkt_line::{Packet, PktLineError, PktReader};

/// A side-band stream taken apart.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Demultiplexed {
    /// Band 1, joined.
    pub data: Vec<u8>,
    /// Band 2, as lines (a hook's messages, progress), without empty ones.
    pub messages: Vec<String>,
}

/// A side-band stream that cannot be read, or that carries the server's fatal error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SideBandError {
    /// Band 3: the server stopped with this message.
    #[error("the server stopped: {0}")]
    Fatal(String),
    /// A band other than 1, 2 or 3, or a packet without a band.
    #[error("a side-band packet on band {0:?}")]
    Band(Option<u8>),
    /// The stream ends before its flush.
    #[error("the server's answer ends before its last line")]
    Unterminated,
    /// The pkt-lines themselves are broken.
    #[error(transparent)]
    PktLine(#[from] PktLineError),
}

/// Takes a side-band stream apart.
pub fn demultiplex(body: &[u8]) -> Result<Demultiplexed, SideBandError> {
    let mut reader = PktReader::new(body);
    let mut out = Demultiplexed::default();
    let mut progress = Vec::new();
    loop {
        let data = match reader.next_packet()? {
            None => return Err(SideBandError::Unterminated),
            Some(Packet::Flush) => break,
            Some(Packet::Data(data)) => data,
            Some(Packet::Delim | Packet::ResponseEnd) => return Err(SideBandError::Band(None)),
        };
        match data.split_first() {
            Some((1, rest)) => out.data.extend_from_slice(rest),
            Some((2, rest)) => progress.extend_from_slice(rest),
            Some((3, rest)) => {
                let message = String::from_utf8_lossy(rest).trim().to_owned();
                return Err(SideBandError::Fatal(message));
            }
            other => return Err(SideBandError::Band(other.map(|(band, _)| *band))),
        }
    }
    out.messages = String::from_utf8_lossy(&progress)
        .split(['\n', '\r'])
        .map(str::trim_end)
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::git::pkt_line::{write_data, write_flush};

    fn stream(packets: &[&[u8]]) -> Vec<u8> {
        let mut out = Vec::new();
        for packet in packets {
            write_data(&mut out, packet).unwrap();
        }
        write_flush(&mut out);
        out
    }

    #[test]
    fn bands_are_separated_and_messages_split_into_lines() {
        let body = stream(&[
            b"\x01000eunpack ok\n",
            b"\x02Branch refs/heads/main can only be mod",
            b"\x02ified through pull requests.\r\nCheck your branch permissions.\n",
            b"\x010000",
        ]);
        let out = demultiplex(&body).unwrap();
        assert_eq!(out.data, b"000eunpack ok\n0000");
        assert_eq!(
            out.messages,
            [
                "Branch refs/heads/main can only be modified through pull requests.",
                "Check your branch permissions."
            ]
        );
    }

    #[test]
    fn band_three_and_broken_streams_are_errors() {
        assert_eq!(
            demultiplex(&stream(&[b"\x03index-pack failed\n"])),
            Err(SideBandError::Fatal("index-pack failed".into()))
        );
        assert_eq!(
            demultiplex(&stream(&[b"\x05x"])),
            Err(SideBandError::Band(Some(5)))
        );
        assert_eq!(demultiplex(b"0006\x01x"), Err(SideBandError::Unterminated));
    }
}
