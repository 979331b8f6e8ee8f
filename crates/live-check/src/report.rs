//! The checks' outcomes: printed as they come (the assumption, what was expected, what was observed, and
//! the verdict), and at the end a summary, the sandbox flags that model the service, and optionally a
//! machine-readable file (`id STATUS reading`, one line per check).

use std::fmt;
use std::io::Write;

/// A check's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// The service does what the product and the sandbox's default assume.
    Pass,
    /// The service does not do what the product needs.
    Fail,
    /// An open point: the service follows another reading than the sandbox's default (strictest) one;
    /// the product works with either.
    Differs,
    /// Not run (not applicable, not seen, or the run stopped before it).
    Skip,
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Status::Pass => "PASS",
            Status::Fail => "FAIL",
            Status::Differs => "DIFFERS",
            Status::Skip => "SKIP",
        })
    }
}

/// One check: what is assumed, what was expected, what was observed, and the verdict.
#[derive(Debug, Clone)]
pub struct Check {
    /// Stable id, e.g. `cloud.pagelen-above-max`.
    pub id: String,
    /// The assumption, in a sentence.
    pub assumption: String,
    /// What the product (and the sandbox by default) expects.
    pub expected: String,
    /// What the service did.
    pub observed: String,
    /// The verdict.
    pub status: Status,
    /// For an open point: which reading the service follows.
    pub reading: Option<String>,
}

impl Check {
    /// A check not decided yet.
    pub fn new(id: &str, assumption: &str, expected: &str) -> Check {
        Check {
            id: id.to_owned(),
            assumption: assumption.to_owned(),
            expected: expected.to_owned(),
            observed: String::new(),
            status: Status::Skip,
            reading: None,
        }
    }

    /// Passed, with what was observed.
    pub fn pass(mut self, observed: impl Into<String>) -> Check {
        self.status = Status::Pass;
        self.observed = observed.into();
        self
    }

    /// Failed, with what was observed.
    pub fn fail(mut self, observed: impl Into<String>) -> Check {
        self.status = Status::Fail;
        self.observed = observed.into();
        self
    }

    /// An open point settled the other way: the service's reading, and what was observed.
    pub fn differs(mut self, reading: &str, observed: impl Into<String>) -> Check {
        self.status = Status::Differs;
        self.reading = Some(reading.to_owned());
        self.observed = observed.into();
        self
    }

    /// Not run, and why.
    pub fn skip(mut self, why: impl Into<String>) -> Check {
        self.status = Status::Skip;
        self.observed = why.into();
        self
    }

    /// The reading the service follows (for a check that passed on the expected reading).
    pub fn reading(mut self, reading: &str) -> Check {
        self.reading = Some(reading.to_owned());
        self
    }

    /// Passed when `ok`, failed otherwise.
    pub fn verdict(self, ok: bool, observed: impl Into<String>) -> Check {
        if ok {
            self.pass(observed)
        } else {
            self.fail(observed)
        }
    }
}

/// The checks of one run, printed as they are added.
pub struct Report {
    /// Every check, in order.
    pub checks: Vec<Check>,
    secrets: Vec<String>,
}

impl Report {
    /// A report whose printed texts never show any of `secrets`.
    pub fn new(secrets: Vec<String>) -> Report {
        Report {
            checks: Vec::new(),
            secrets,
        }
    }

    /// A text without the secrets.
    pub fn scrub(&self, text: &str) -> String {
        versioning_core::secrets::scrub(text, &self.secrets)
    }

    /// Records and prints a check.
    pub fn add(&mut self, check: Check) {
        let mut check = check;
        check.observed = self.scrub(&check.observed);
        let reading = check
            .reading
            .as_deref()
            .map(|r| format!("   [reading: {r}]"))
            .unwrap_or_default();
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{:<8} {}{reading}", check.status.to_string(), check.id);
        let _ = writeln!(out, "  assumption  {}", check.assumption);
        let _ = writeln!(out, "  expected    {}", check.expected);
        let _ = writeln!(out, "  observed    {}", check.observed);
        let _ = writeln!(out);
        self.checks.push(check);
    }

    /// Records a skipped check without printing it in full (one line says so).
    pub fn add_quietly(&mut self, check: Check) {
        println!(
            "{:<8} {} ({})",
            check.status.to_string(),
            check.id,
            check.observed
        );
        self.checks.push(check);
    }

    /// How many checks have this status.
    pub fn count(&self, status: Status) -> usize {
        self.checks.iter().filter(|c| c.status == status).count()
    }

    /// The reading a check reported, if it ran.
    pub fn reading_of(&self, id: &str) -> Option<&str> {
        self.checks
            .iter()
            .find(|c| c.id == id && c.status != Status::Skip)
            .and_then(|c| c.reading.as_deref())
    }

    /// One line per check: `id STATUS reading` (`-` without a reading).
    pub fn summary_lines(&self) -> String {
        self.checks
            .iter()
            .map(|c| {
                format!(
                    "{} {} {}\n",
                    c.id,
                    c.status,
                    c.reading.as_deref().unwrap_or("-")
                )
            })
            .collect()
    }
}

/// The start of a text, on one line, at most `max` characters.
pub fn snippet(text: &str, max: usize) -> String {
    let one_line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let one_line = one_line.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > max {
        format!("{}…", one_line.chars().take(max).collect::<String>())
    } else {
        one_line
    }
}

/// The first 12 characters of a hash.
pub fn short(hash: &str) -> String {
    hash.chars().take(12).collect()
}
