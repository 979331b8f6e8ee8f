//! The push itself: the body of `POST …/git-receive-pack` (the ref updates as pkt-lines, the first
//! with the capabilities the push uses, a flush, then the pack) and the server's `report-status`
//! answer, read into typed outcomes (`gitprotocol-pack`, "Reference Update Request and Packfile
//! Transfer" and "Report Status").

use std::fmt;

use super::advertisement::{Advertisement, Capability};
use super::objects::ObjectId;
use super::pkt_line::{write_data, write_flush, Packet, PktLineError, PktReader};
use super::side_band::{demultiplex, SideBandError};

/// The `Content-Type` of the request body.
pub const REQUEST_CONTENT_TYPE: &str = "application/x-git-receive-pack-request";
/// The `Content-Type` of the server's answer.
pub const RESULT_CONTENT_TYPE: &str = "application/x-git-receive-pack-result";

/// One ref a push moves: from `old` (the zero id for a ref it creates) to `new`. The server
/// refuses the update when the ref is not at `old` any more (compare and swap).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefUpdate {
    /// The full name (`refs/heads/main`, `refs/tags/v1.0`).
    pub name: String,
    /// Where the push expects the ref to be; [`ObjectId::ZERO`]: nowhere (it is created).
    pub old: ObjectId,
    /// Where the push moves it.
    pub new: ObjectId,
}

/// A push request that cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PushRequestError {
    /// Nothing to update.
    #[error("a push needs at least one ref to update")]
    NoUpdates,
    /// The server lacks a capability this push needs: `report-status` (to know the outcome), or
    /// `atomic` for several refs, which must move together.
    #[error("the server does not offer git's {} capability", .0.name())]
    Missing(Capability),
    /// A ref name that git's protocol cannot carry (not under `refs/`, or with a space or a
    /// control character), or an update to the zero id (a deletion, which a push never makes).
    #[error("{0:?} cannot be updated by this push")]
    Ref(String),
    /// A command line too long for a pkt-line.
    #[error(transparent)]
    PktLine(#[from] PktLineError),
}

/// The body of `POST …/git-receive-pack`, and how its answer comes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushBody {
    /// The bytes to send, as [`REQUEST_CONTENT_TYPE`].
    pub bytes: Vec<u8>,
    /// Whether the answer is multiplexed (`side-band-64k` was asked for), for [`read_report`].
    pub side_band: bool,
}

/// The request of a push of `updates` with `pack` (the objects the server lacks) to a server that
/// advertised `advertisement`: `report-status` always, `side-band-64k` and `atomic` when offered
/// (`atomic` is required for more than one ref).
pub fn push_body(
    advertisement: &Advertisement,
    updates: &[RefUpdate],
    pack: &[u8],
) -> Result<PushBody, PushRequestError> {
    if updates.is_empty() {
        return Err(PushRequestError::NoUpdates);
    }
    if let Some(update) = updates
        .iter()
        .find(|u| !carried(&u.name) || u.new.is_zero())
    {
        return Err(PushRequestError::Ref(update.name.clone()));
    }
    if !advertisement.offers(Capability::ReportStatus) {
        return Err(PushRequestError::Missing(Capability::ReportStatus));
    }
    let atomic = advertisement.offers(Capability::Atomic);
    if updates.len() > 1 && !atomic {
        return Err(PushRequestError::Missing(Capability::Atomic));
    }
    let side_band = advertisement.offers(Capability::SideBand64k);
    let capabilities: Vec<&str> = [
        Some(Capability::ReportStatus),
        side_band.then_some(Capability::SideBand64k),
        atomic.then_some(Capability::Atomic),
    ]
    .into_iter()
    .flatten()
    .map(Capability::name)
    .collect();
    let mut bytes = Vec::with_capacity(pack.len() + 100 * updates.len());
    for (i, update) in updates.iter().enumerate() {
        let mut line = format!("{} {} {}", update.old, update.new, update.name);
        if i == 0 {
            line.push('\0');
            line.push_str(&capabilities.join(" "));
        }
        line.push('\n');
        write_data(&mut bytes, line.as_bytes())?;
    }
    write_flush(&mut bytes);
    bytes.extend_from_slice(pack);
    Ok(PushBody { bytes, side_band })
}

/// Whether a ref name fits a command line: under `refs/`, without spaces or control characters.
fn carried(name: &str) -> bool {
    name.starts_with("refs/") && !name.chars().any(|c| c == ' ' || c.is_control())
}

/// What the server reported of a push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// `unpack ok`, or why the pack could not be unpacked.
    pub unpack: Result<(), String>,
    /// Each ref's outcome, in the server's order.
    pub refs: Vec<RefReport>,
    /// The server's messages (band 2: hooks, branch permissions, progress).
    pub messages: Vec<String>,
}

/// The server's word on one ref.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefReport {
    /// The full ref name.
    pub name: String,
    /// `ok`, or `ng` with the reason.
    pub status: RefStatus,
}

/// Whether a ref was updated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefStatus {
    /// `ok <ref>`.
    Updated,
    /// `ng <ref> <reason>`: the server's reason (`pre-receive hook declined`, `failed to update
    /// ref`, `atomic push failure`…).
    Refused(String),
}

/// An answer that is not a report.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    /// The side band carried a fatal error, or is broken.
    #[error(transparent)]
    SideBand(#[from] SideBandError),
    /// The pkt-lines of the report are broken.
    #[error(transparent)]
    PktLine(#[from] PktLineError),
    /// A line that is neither `unpack …`, `ok …` nor `ng …` where it stands.
    #[error("not a line of git's push report: {0:?}")]
    Line(String),
    /// The report ends before its flush.
    #[error("the push report ends before its last line")]
    Unterminated,
}

/// Reads the body of a `git-receive-pack` answer; `side_band` as [`PushBody::side_band`].
pub fn read_report(body: &[u8], side_band: bool) -> Result<Report, ReportError> {
    let (report, messages) = if side_band {
        let parts = demultiplex(body)?;
        (parts.data, parts.messages)
    } else {
        (body.to_vec(), Vec::new())
    };
    let mut reader = PktReader::new(&report);
    let mut lines = Vec::new();
    loop {
        match reader.next_packet()? {
            None => return Err(ReportError::Unterminated),
            Some(Packet::Flush) => break,
            Some(packet) => lines.push(String::from_utf8_lossy(packet.text().unwrap_or_default())),
        }
    }
    let mut lines = lines.into_iter();
    let first = lines.next().unwrap_or_default();
    let unpack = match first.strip_prefix("unpack ") {
        Some("ok") => Ok(()),
        Some(reason) => Err(reason.to_owned()),
        None => return Err(ReportError::Line(first.into_owned())),
    };
    let refs = lines
        .map(|line| {
            let status = match line.split_once(' ') {
                Some(("ok", name)) => Some((name.to_owned(), RefStatus::Updated)),
                Some(("ng", rest)) => rest
                    .split_once(' ')
                    .map(|(name, reason)| (name.to_owned(), RefStatus::Refused(reason.to_owned()))),
                _ => None,
            };
            status
                .map(|(name, status)| RefReport { name, status })
                .ok_or_else(|| ReportError::Line(line.into_owned()))
        })
        .collect::<Result<_, _>>()?;
    Ok(Report {
        unpack,
        refs,
        messages,
    })
}

/// A push the server refused, in its words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct PushRefused {
    /// Why the pack was not unpacked, when it was not.
    pub unpack: Option<String>,
    /// The refs not updated, each with the server's reason (`no report` when it named none).
    pub refs: Vec<(String, String)>,
    /// The server's messages (a branch permission's text, a hook's output).
    pub messages: Vec<String>,
}

impl fmt::Display for PushRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the server refused the push")?;
        if let Some(reason) = &self.unpack {
            write!(f, "; unpacking failed: {reason}")?;
        }
        for (name, reason) in &self.refs {
            write!(f, "; {name}: {reason}")?;
        }
        for message in &self.messages {
            write!(f, "; {message}")?;
        }
        Ok(())
    }
}

/// The reason given for a ref the report does not mention.
pub const NO_REPORT: &str = "no report";

impl Report {
    /// `Ok` when the pack was unpacked and every one of `updates` was updated; otherwise what was
    /// refused, with the server's messages.
    pub fn outcome(&self, updates: &[RefUpdate]) -> Result<(), PushRefused> {
        let refs: Vec<(String, String)> = updates
            .iter()
            .filter_map(|update| {
                let status = self.refs.iter().find(|r| r.name == update.name);
                match status.map(|r| &r.status) {
                    Some(RefStatus::Updated) => None,
                    Some(RefStatus::Refused(reason)) => Some(reason.clone()),
                    None => Some(NO_REPORT.to_owned()),
                }
                .map(|reason| (update.name.clone(), reason))
            })
            .collect();
        if self.unpack.is_ok() && refs.is_empty() {
            return Ok(());
        }
        Err(PushRefused {
            unpack: self.unpack.clone().err(),
            refs,
            messages: self.messages.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OLD: &str = "1111111111111111111111111111111111111111";
    const NEW: &str = "2222222222222222222222222222222222222222";

    fn advertised(capabilities: &str) -> Advertisement {
        let mut body = Vec::new();
        write_data(&mut body, b"# service=git-receive-pack\n").unwrap();
        write_flush(&mut body);
        let line = format!("{OLD} refs/heads/main\0{capabilities}\n");
        write_data(&mut body, line.as_bytes()).unwrap();
        write_flush(&mut body);
        Advertisement::parse(&body).unwrap()
    }

    fn updates() -> Vec<RefUpdate> {
        vec![
            RefUpdate {
                name: "refs/heads/main".into(),
                old: OLD.parse().unwrap(),
                new: NEW.parse().unwrap(),
            },
            RefUpdate {
                name: "refs/tags/v1.0".into(),
                old: ObjectId::ZERO,
                new: NEW.parse().unwrap(),
            },
        ]
    }

    #[test]
    fn commands_carry_the_offered_capabilities_then_the_pack() {
        let ad = advertised("report-status side-band-64k atomic delete-refs ofs-delta");
        let body = push_body(&ad, &updates(), b"PACK...").unwrap();
        assert!(body.side_band);
        let mut reader = PktReader::new(&body.bytes);
        let first = reader.next_packet().unwrap().unwrap().text().unwrap();
        assert_eq!(
            first,
            format!("{OLD} {NEW} refs/heads/main\0report-status side-band-64k atomic").as_bytes()
        );
        let second = reader.next_packet().unwrap().unwrap().text().unwrap();
        assert_eq!(
            second,
            format!("{} {NEW} refs/tags/v1.0", "0".repeat(40)).as_bytes()
        );
        assert_eq!(reader.next_packet(), Ok(Some(Packet::Flush)));
        assert_eq!(reader.rest(), b"PACK...");

        let plain = push_body(&advertised("report-status"), &updates()[..1], b"P").unwrap();
        assert!(!plain.side_band);
        let first = PktReader::new(&plain.bytes).next_packet().unwrap().unwrap();
        assert!(first.text().unwrap().ends_with(b"\0report-status"));
    }

    #[test]
    fn pushes_the_server_cannot_take_whole_are_refused() {
        let ad = advertised("report-status side-band-64k");
        assert_eq!(
            push_body(&ad, &updates(), b""),
            Err(PushRequestError::Missing(Capability::Atomic))
        );
        assert_eq!(
            push_body(&advertised("atomic"), &updates(), b""),
            Err(PushRequestError::Missing(Capability::ReportStatus))
        );
        assert_eq!(push_body(&ad, &[], b""), Err(PushRequestError::NoUpdates));
        for name in ["main", "refs/heads/a b", "refs/heads/a\nb"] {
            let update = RefUpdate {
                name: name.into(),
                ..updates()[0].clone()
            };
            assert_eq!(
                push_body(&ad, &[update], b""),
                Err(PushRequestError::Ref(name.into()))
            );
        }
        let deletion = RefUpdate {
            new: ObjectId::ZERO,
            ..updates()[0].clone()
        };
        assert!(push_body(&ad, &[deletion], b"").is_err());
    }

    fn report(lines: &[&str]) -> Vec<u8> {
        let mut out = Vec::new();
        for line in lines {
            write_data(&mut out, format!("{line}\n").as_bytes()).unwrap();
        }
        write_flush(&mut out);
        out
    }

    /// `inner` in band 1 (split in two packets), `messages` in band 2.
    fn side_banded(inner: &[u8], messages: &str) -> Vec<u8> {
        let mut out = Vec::new();
        write_data(&mut out, &[b"\x02", messages.as_bytes()].concat()).unwrap();
        let (a, b) = inner.split_at(inner.len() / 2);
        write_data(&mut out, &[b"\x01", a].concat()).unwrap();
        write_data(&mut out, &[b"\x01", b].concat()).unwrap();
        write_flush(&mut out);
        out
    }

    #[test]
    fn an_accepted_push_reports_ok_for_every_ref() {
        let body = report(&["unpack ok", "ok refs/heads/main", "ok refs/tags/v1.0"]);
        let read = read_report(&body, false).unwrap();
        assert_eq!(read.unpack, Ok(()));
        assert_eq!(read.outcome(&updates()), Ok(()));
        let banded = read_report(&side_banded(&body, "Resolving deltas: 100%\r"), true).unwrap();
        assert_eq!(banded.refs, read.refs);
        assert_eq!(banded.messages, ["Resolving deltas: 100%"]);
    }

    #[test]
    fn refusals_carry_the_servers_reasons_and_messages() {
        let body = report(&[
            "unpack ok",
            "ng refs/heads/main pre-receive hook declined",
            "ng refs/tags/v1.0 atomic push failure",
        ]);
        let text = "Branch refs/heads/main is read-only.\n";
        let read = read_report(&side_banded(&body, text), true).unwrap();
        let refused = read.outcome(&updates()).unwrap_err();
        assert_eq!(refused.unpack, None);
        assert_eq!(
            refused.refs,
            [
                ("refs/heads/main".into(), "pre-receive hook declined".into()),
                ("refs/tags/v1.0".into(), "atomic push failure".into())
            ]
        );
        assert_eq!(refused.messages, ["Branch refs/heads/main is read-only."]);
        assert_eq!(
            refused.to_string(),
            "the server refused the push; refs/heads/main: pre-receive hook declined; \
             refs/tags/v1.0: atomic push failure; Branch refs/heads/main is read-only."
        );

        let unpack = read_report(&report(&["unpack index-pack abnormal exit"]), false).unwrap();
        let refused = unpack.outcome(&updates()[..1]).unwrap_err();
        assert_eq!(refused.unpack.as_deref(), Some("index-pack abnormal exit"));
        assert_eq!(refused.refs, [("refs/heads/main".into(), NO_REPORT.into())]);
    }

    #[test]
    fn answers_that_are_not_reports_are_errors() {
        assert_eq!(
            read_report(&report(&["hello"]), false),
            Err(ReportError::Line("hello".into()))
        );
        assert_eq!(
            read_report(&report(&["unpack ok", "ng refs/heads/main"]), false),
            Err(ReportError::Line("ng refs/heads/main".into()))
        );
        assert_eq!(read_report(b"", false), Err(ReportError::Unterminated));
        let mut fatal = Vec::new();
        write_data(&mut fatal, b"\x03fatal: out of disk\n").unwrap();
        write_flush(&mut fatal);
        assert_eq!(
            read_report(&fatal, true),
            Err(ReportError::SideBand(SideBandError::Fatal(
                "fatal: out of disk".into()
            )))
        );
    }
}
