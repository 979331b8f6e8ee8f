//! The answer of `GET …/info/refs?service=git-receive-pack` (`gitprotocol-http`,
//! `gitprotocol-pack`): `# service=git-receive-pack` and a flush, then one pkt-line per ref
//! (`<id> <name>`), the first carrying the server's capabilities after a NUL, then a flush. An
//! empty repository advertises `capabilities^{}` with the zero id instead of refs.

use std::collections::{BTreeMap, BTreeSet};

use super::objects::{ObjectId, ObjectIdError};
use super::pkt_line::{Packet, PktLineError, PktReader};

/// The service whose advertisement a push reads.
pub const RECEIVE_PACK: &str = "git-receive-pack";

/// The capabilities of receive-pack a push uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capability {
    /// The server reports the outcome of the unpack and of every ref.
    ReportStatus,
    /// The report (and the server's messages) come multiplexed in bands of up to 65520 bytes.
    SideBand64k,
    /// All the ref updates of a push succeed together or none does.
    Atomic,
}

impl Capability {
    /// The capability's name on the wire.
    pub fn name(self) -> &'static str {
        match self {
            Capability::ReportStatus => "report-status",
            Capability::SideBand64k => "side-band-64k",
            Capability::Atomic => "atomic",
        }
    }
}

/// What receive-pack advertised: its refs and its capabilities.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Advertisement {
    refs: BTreeMap<String, ObjectId>,
    capabilities: BTreeSet<String>,
}

/// An advertisement that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdvertisementError {
    /// The answer does not start with `# service=git-receive-pack`: not git's smart HTTP (a login
    /// page, a proxy's answer, or a server that only speaks the dumb protocol).
    #[error("the server did not answer with git's smart HTTP protocol for pushes")]
    NotSmartHttp,
    /// The service line names another service.
    #[error("the server advertised {0:?} instead of git-receive-pack")]
    Service(String),
    /// The repository uses another hash than SHA-1.
    #[error("the repository's object format is {0}, and pushes are written in sha1")]
    ObjectFormat(String),
    /// A ref line that is not `<id> <name>`.
    #[error("not a ref line of git's advertisement: {0:?}")]
    RefLine(String),
    /// A ref with an id that is not one.
    #[error(transparent)]
    ObjectId(#[from] ObjectIdError),
    /// The pkt-lines themselves are broken.
    #[error(transparent)]
    PktLine(#[from] PktLineError),
    /// The answer ends before the flush that closes the refs.
    #[error("the advertisement ends before its last line")]
    Unterminated,
}

impl Advertisement {
    /// Reads the body of a receive-pack advertisement over smart HTTP.
    pub fn parse(body: &[u8]) -> Result<Advertisement, AdvertisementError> {
        let mut reader = PktReader::new(body);
        let service = reader
            .next_packet()
            .ok()
            .flatten()
            .and_then(Packet::text)
            .and_then(|line| line.strip_prefix(b"# service="))
            .ok_or(AdvertisementError::NotSmartHttp)?;
        if service != RECEIVE_PACK.as_bytes() {
            return Err(AdvertisementError::Service(lossy(service)));
        }
        if reader.next_packet()? != Some(Packet::Flush) {
            return Err(AdvertisementError::NotSmartHttp);
        }
        let mut advertisement = Advertisement::default();
        let mut first = true;
        loop {
            let line = match reader.next_packet()? {
                None => return Err(AdvertisementError::Unterminated),
                Some(Packet::Flush) => break,
                Some(packet) => packet.text().unwrap_or_default(),
            };
            if first && line == b"version 1" {
                continue;
            }
            let (line, capabilities) = match line.iter().position(|&b| b == 0) {
                Some(nul) if first => (&line[..nul], Some(&line[nul + 1..])),
                _ => (line, None),
            };
            first = false;
            if let Some(capabilities) = capabilities {
                advertisement.read_capabilities(capabilities)?;
            }
            let text = std::str::from_utf8(line).map_err(|_| refused(line))?;
            let (id, name) = text.split_once(' ').ok_or_else(|| refused(line))?;
            let id: ObjectId = id.parse()?;
            // `capabilities^{}` stands for "no refs"; `.have` names objects of alternates; a
            // name ending `^{}` is a peeled tag. None of them is a ref to update.
            let listed = name != "capabilities^{}" && name != ".have" && !name.ends_with("^{}");
            if listed {
                advertisement.refs.insert(name.to_owned(), id);
            }
        }
        Ok(advertisement)
    }

    fn read_capabilities(&mut self, list: &[u8]) -> Result<(), AdvertisementError> {
        for capability in lossy(list).split(' ').filter(|c| !c.is_empty()) {
            if let Some(format) = capability.strip_prefix("object-format=") {
                if format != "sha1" {
                    return Err(AdvertisementError::ObjectFormat(format.to_owned()));
                }
            }
            self.capabilities.insert(capability.to_owned());
        }
        Ok(())
    }

    /// The refs, by full name (`refs/heads/main`, `refs/tags/v1`).
    pub fn refs(&self) -> &BTreeMap<String, ObjectId> {
        &self.refs
    }

    /// Whether the server offers `capability`.
    pub fn offers(&self, capability: Capability) -> bool {
        self.capabilities.contains(capability.name())
    }
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).chars().take(200).collect()
}

fn refused(line: &[u8]) -> AdvertisementError {
    AdvertisementError::RefLine(lossy(line))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::git::pkt_line::{write_data, write_flush};

    const MAIN: &str = "1111111111111111111111111111111111111111";
    const TAG: &str = "2222222222222222222222222222222222222222";

    fn body(lines: &[&str]) -> Vec<u8> {
        let mut out = Vec::new();
        write_data(&mut out, b"# service=git-receive-pack\n").unwrap();
        write_flush(&mut out);
        for line in lines {
            write_data(&mut out, line.as_bytes()).unwrap();
        }
        write_flush(&mut out);
        out
    }

    #[test]
    fn refs_and_capabilities_are_read() {
        let first = format!(
            "{MAIN} refs/heads/main\0report-status report-status-v2 delete-refs side-band-64k \
             quiet atomic ofs-delta object-format=sha1 agent=git/2.47.3\n"
        );
        let ad = Advertisement::parse(&body(&[
            &first,
            &format!("{TAG} refs/tags/v1\n"),
            &format!("{MAIN} refs/tags/v1^{{}}\n"),
            &format!("{TAG} .have\n"),
        ]))
        .unwrap();
        assert_eq!(ad.refs().len(), 2);
        assert_eq!(ad.refs()["refs/heads/main"].to_string(), MAIN);
        assert_eq!(ad.refs()["refs/tags/v1"].to_string(), TAG);
        for capability in [
            Capability::ReportStatus,
            Capability::SideBand64k,
            Capability::Atomic,
        ] {
            assert!(ad.offers(capability), "{capability:?}");
        }
    }

    #[test]
    fn an_empty_repository_has_capabilities_and_no_refs() {
        let zero = "0".repeat(40);
        let ad = Advertisement::parse(&body(&[&format!(
            "{zero} capabilities^{{}}\0report-status\n"
        )]))
        .unwrap();
        assert!(ad.refs().is_empty());
        assert!(ad.offers(Capability::ReportStatus));
        assert!(!ad.offers(Capability::Atomic));
    }

    #[test]
    fn a_version_line_may_come_first() {
        let ad = Advertisement::parse(&body(&[
            "version 1\n",
            &format!("{MAIN} refs/heads/main\0atomic\n"),
        ]))
        .unwrap();
        assert!(ad.offers(Capability::Atomic));
        assert_eq!(ad.refs().len(), 1);
    }

    #[test]
    fn answers_that_are_not_an_advertisement_are_refused() {
        use AdvertisementError as E;
        assert_eq!(
            Advertisement::parse(b"<html>Log in</html>"),
            Err(E::NotSmartHttp)
        );
        let mut upload = Vec::new();
        write_data(&mut upload, b"# service=git-upload-pack\n").unwrap();
        assert_eq!(
            Advertisement::parse(&upload),
            Err(E::Service("git-upload-pack".into()))
        );
        let sha256 = format!("{MAIN} refs/heads/main\0object-format=sha256\n");
        assert_eq!(
            Advertisement::parse(&body(&[&sha256])),
            Err(E::ObjectFormat("sha256".into()))
        );
        assert!(matches!(
            Advertisement::parse(&body(&["nonsense\n"])),
            Err(E::RefLine(_))
        ));
        assert!(matches!(
            Advertisement::parse(&body(&["abc refs/heads/x\n"])),
            Err(E::ObjectId(_))
        ));
        let mut cut = body(&[&format!("{MAIN} refs/heads/main\0atomic\n")]);
        cut.truncate(cut.len() - 4);
        assert_eq!(Advertisement::parse(&cut), Err(E::Unterminated));
    }
}
