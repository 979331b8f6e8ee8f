//! The binary's start-up: the banner names the app's address, and a port in use is explained.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// The sandbox binary serving an empty app folder on `port`.
fn sandbox(port: &str, serve: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_bitbucket-sandbox"));
    command.args(["--port", port, "--serve"]).arg(serve);
    command
}

/// Stops the child when the test ends, whether it passes or not.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_second_sandbox_on_a_taken_port_says_so_and_how_to_pick_another() {
    let app = tempfile::tempdir().unwrap();
    let mut first = Running(
        sandbox("0", app.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut lines = BufReader::new(first.0.stdout.take().unwrap()).lines();
    let port = lines
        .by_ref()
        .map(Result::unwrap)
        .find_map(|line| {
            line.strip_prefix("Bitbucket sandbox listening on http://127.0.0.1:")
                .map(str::to_owned)
        })
        .expect("the address is printed");
    let url = format!("http://127.0.0.1:{port}/");
    let banner: Vec<String> = lines.take(3).map(Result::unwrap).collect();
    assert_eq!(banner, ["", "Open the app:", url.as_str()]);

    let second = sandbox(&port, app.path()).output().unwrap();
    assert!(!second.status.success());
    let said = String::from_utf8(second.stderr).unwrap();
    assert!(
        said.contains(&format!("port {port} of 127.0.0.1 is already in use")),
        "{said}"
    );
    assert!(said.contains("scripts/run.sh --port 8080"), "{said}");
    assert!(!said.contains("AddrInUse"), "{said}");
}
