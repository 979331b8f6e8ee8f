//! Writes the files of a synthetic project (the generator the measurements use) in the repository layout,
//! for the browser benchmarks to import: `synthetic_project <seed> <test cases> <folder>`.

use std::path::Path;
use std::process::ExitCode;

use versioning_core::artifacts::generate::synthetic_project;
use versioning_core::artifacts::{to_files, LayoutOptions};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let parsed = match args.as_slice() {
        [seed, cases, _] => seed.parse::<u64>().ok().zip(cases.parse::<usize>().ok()),
        _ => None,
    };
    let (Some((seed, cases)), Some(folder)) = (parsed, args.get(2)) else {
        eprintln!("usage: synthetic_project <seed> <test cases> <folder>");
        return ExitCode::from(2);
    };
    let project = synthetic_project(seed, cases);
    for (path, bytes) in to_files(&project, &LayoutOptions::default()) {
        let target = Path::new(folder).join(&path);
        let written = target
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&target, bytes));
        if let Err(error) = written {
            eprintln!("cannot write {}: {error}", target.display());
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}
