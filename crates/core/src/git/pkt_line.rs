//! pkt-lines (`gitprotocol-common`): four hexadecimal digits giving the line's length, the four
//! included, then the data; `0000` is a flush, `0001` a delimiter and `0002` a response end.

/// The most data one pkt-line carries (65520 bytes in all, less the four of the length).
pub const MAX_DATA: usize = 65516;

/// One pkt-line read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Packet<'a> {
    /// `0000`: the end of a message.
    Flush,
    /// `0001`: the end of a section (protocol v2).
    Delim,
    /// `0002`: the end of a response (protocol v2).
    ResponseEnd,
    /// A line's data, as sent (a text line usually ends with `\n`).
    Data(&'a [u8]),
}

impl<'a> Packet<'a> {
    /// The data of a text line without its final `\n`; `None` for the special packets.
    pub fn text(self) -> Option<&'a [u8]> {
        match self {
            Packet::Data(data) => Some(data.strip_suffix(b"\n").unwrap_or(data)),
            Packet::Flush | Packet::Delim | Packet::ResponseEnd => None,
        }
    }
}

/// A pkt-line that cannot be written or read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PktLineError {
    /// Data longer than [`MAX_DATA`].
    #[error("{0} bytes do not fit in one pkt-line (at most 65516)")]
    TooLong(usize),
    /// Empty data, which git never sends (it would read as `0004`).
    #[error("a pkt-line needs data")]
    Empty,
    /// A length that is not four hexadecimal digits, or is `0003`.
    #[error("not a pkt-line length: {0:?}")]
    Length(String),
    /// The input ends inside a pkt-line.
    #[error("the answer ends inside a pkt-line ({missing} bytes missing)")]
    Truncated {
        /// How many bytes the line still needs.
        missing: usize,
    },
}

/// Appends `data` as one pkt-line.
pub fn write_data(out: &mut Vec<u8>, data: &[u8]) -> Result<(), PktLineError> {
    if data.is_empty() {
        return Err(PktLineError::Empty);
    }
    if data.len() > MAX_DATA {
        return Err(PktLineError::TooLong(data.len()));
    }
    out.extend_from_slice(format!("{:04x}", data.len() + 4).as_bytes());
    out.extend_from_slice(data);
    Ok(())
}

/// Appends a flush packet (`0000`).
pub fn write_flush(out: &mut Vec<u8>) {
    out.extend_from_slice(b"0000");
}

/// Reads pkt-lines one after another from bytes received whole.
#[derive(Debug, Clone)]
pub struct PktReader<'a> {
    rest: &'a [u8],
}

impl<'a> PktReader<'a> {
    /// A reader of `bytes`.
    pub fn new(bytes: &'a [u8]) -> PktReader<'a> {
        PktReader { rest: bytes }
    }

    /// The next pkt-line; `None` at the end of the input.
    pub fn next_packet(&mut self) -> Result<Option<Packet<'a>>, PktLineError> {
        if self.rest.is_empty() {
            return Ok(None);
        }
        let Some((head, tail)) = self.rest.split_first_chunk::<4>() else {
            return Err(PktLineError::Truncated {
                missing: 4 - self.rest.len(),
            });
        };
        let length = std::str::from_utf8(head)
            .ok()
            .filter(|digits| digits.bytes().all(|b| b.is_ascii_hexdigit()))
            .and_then(|digits| usize::from_str_radix(digits, 16).ok())
            .filter(|&length| length != 3)
            .ok_or_else(|| PktLineError::Length(String::from_utf8_lossy(head).into_owned()))?;
        let (packet, rest) = match length {
            0 => (Packet::Flush, tail),
            1 => (Packet::Delim, tail),
            2 => (Packet::ResponseEnd, tail),
            _ => {
                let size = length - 4;
                if tail.len() < size {
                    return Err(PktLineError::Truncated {
                        missing: size - tail.len(),
                    });
                }
                let (data, rest) = tail.split_at(size);
                (Packet::Data(data), rest)
            }
        };
        self.rest = rest;
        Ok(Some(packet))
    }

    /// What follows the pkt-lines read so far (a pack after the commands, say).
    pub fn rest(&self) -> &'a [u8] {
        self.rest
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// An owned packet, for generated sequences.
    #[derive(Debug, Clone, PartialEq, Eq)]
    enum Owned {
        Flush,
        Data(Vec<u8>),
    }

    fn packets() -> impl Strategy<Value = Vec<Owned>> {
        let data = prop::collection::vec(any::<u8>(), 1..300).prop_map(Owned::Data);
        prop::collection::vec(prop_oneof![Just(Owned::Flush), data], 0..20)
    }

    proptest! {
        #[test]
        fn packets_read_back_as_written(packets in packets()) {
            let mut bytes = Vec::new();
            for packet in &packets {
                match packet {
                    Owned::Flush => write_flush(&mut bytes),
                    Owned::Data(data) => write_data(&mut bytes, data).unwrap(),
                }
            }
            let mut reader = PktReader::new(&bytes);
            let mut read = Vec::new();
            while let Some(packet) = reader.next_packet().unwrap() {
                read.push(match packet {
                    Packet::Flush => Owned::Flush,
                    Packet::Data(data) => Owned::Data(data.to_vec()),
                    other => panic!("{other:?} was not written"),
                });
            }
            prop_assert_eq!(read, packets);
        }

        #[test]
        fn any_bytes_read_without_panic(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
            let mut reader = PktReader::new(&bytes);
            while let Ok(Some(_)) = reader.next_packet() {}
        }
    }

    #[test]
    fn special_packets_and_lengths() {
        let mut reader = PktReader::new(b"000000010002000ahello\n0004");
        assert_eq!(reader.next_packet(), Ok(Some(Packet::Flush)));
        assert_eq!(reader.next_packet(), Ok(Some(Packet::Delim)));
        assert_eq!(reader.next_packet(), Ok(Some(Packet::ResponseEnd)));
        let line = reader.next_packet().unwrap().unwrap();
        assert_eq!(line, Packet::Data(b"hello\n"));
        assert_eq!(line.text(), Some(&b"hello"[..]));
        assert_eq!(reader.next_packet(), Ok(Some(Packet::Data(b""))));
        assert_eq!(reader.next_packet(), Ok(None));

        for (bad, error) in [
            (&b"0003"[..], PktLineError::Length("0003".into())),
            (b"00zz", PktLineError::Length("00zz".into())),
            (b"+0a0", PktLineError::Length("+0a0".into())),
            (b"00", PktLineError::Truncated { missing: 2 }),
            (b"0009abc", PktLineError::Truncated { missing: 2 }),
        ] {
            assert_eq!(PktReader::new(bad).next_packet(), Err(error));
        }
    }

    #[test]
    fn writing_refuses_what_git_could_not_read() {
        let mut out = Vec::new();
        assert_eq!(write_data(&mut out, b""), Err(PktLineError::Empty));
        let long = vec![b'x'; MAX_DATA + 1];
        assert_eq!(
            write_data(&mut out, &long),
            Err(PktLineError::TooLong(MAX_DATA + 1))
        );
        write_data(&mut out, &long[1..]).unwrap();
        assert!(out.starts_with(b"fff0"));
        assert!(out.len() == 65520);
    }
}
