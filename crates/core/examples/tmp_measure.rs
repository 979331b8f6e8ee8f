use std::time::Instant;
use versioning_core::artifacts::generate::synthetic_project;
use versioning_core::artifacts::*;
use versioning_core::sync::LocalFiles;

fn main() {
    if std::env::args().nth(2).as_deref() == Some("manifest") {
        let project = synthetic_project(7, 100_000);
        let options = LayoutOptions::default();
        manifest(&project, &options);
        for _ in 0..20 {
            std::hint::black_box(manifest(&project, &options));
        }
        return;
    }
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let project = synthetic_project(7, n);
    let options = LayoutOptions::default();
    let t = Instant::now();
    let local = LocalFiles::of(&project);
    println!("cold LocalFiles::of {:?}", t.elapsed());
    for _ in 0..3 {
        let t = Instant::now();
        let local = LocalFiles::of(&project);
        println!(
            "warm LocalFiles::of {:?} ({} files)",
            t.elapsed(),
            local.files.len()
        );
        let t = Instant::now();
        let m = manifest(&project, &options);
        println!("warm manifest {:?}", t.elapsed());
        let t = Instant::now();
        let tree = m.tree();
        println!("tree {:?} ({} parts)", t.elapsed(), tree.parts.len());
        let t = Instant::now();
        let parts = m.parts();
        println!("parts {:?} ({})", t.elapsed(), parts.names().count());
        let t = Instant::now();
        let c = m.changes_from(&local.manifest);
        println!(
            "changes_from {:?} {:?}",
            t.elapsed(),
            c.map(|c| c.set.len())
        );
        let t = Instant::now();
        let p2 = project.clone();
        println!("clone {:?}", t.elapsed());
        drop(p2);
    }
}
