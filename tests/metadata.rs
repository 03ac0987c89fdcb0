//! The phone metadata compiled into `contactclean::validity` is a copy of the file inside the
//! pinned `rlibphonenumber` crate (`data/libphonenumber-metadata.bin`). This fails the build
//! the day the crate is bumped without refreshing the copy (see `data/README.md`).

use std::path::PathBuf;
use std::process::Command;

/// The host's target triple: `cargo metadata --offline` resolves only the packages of one
/// platform (the ones a build has downloaded) when given it.
fn host_triple() -> String {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let out = Command::new(rustc).arg("-vV").output().expect("rustc runs");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: ").map(str::to_owned))
        .expect("rustc -vV names the host")
}

#[test]
fn vendored_metadata_is_the_crates_own() {
    let out = Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--offline",
            "--filter-platform",
        ])
        .arg(host_triple())
        .arg("--manifest-path")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"))
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let manifest = meta["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .find(|p| p["name"] == "rlibphonenumber")
        .and_then(|p| p["manifest_path"].as_str())
        .expect("rlibphonenumber is a dependency");
    let crate_copy = PathBuf::from(manifest)
        .with_file_name("src")
        .join("generated/metadata/metadata.bin");
    let theirs = std::fs::read(&crate_copy).expect("the crate ships its metadata file");
    let ours: &[u8] = include_bytes!("../data/libphonenumber-metadata.bin");
    assert!(
        theirs == ours,
        "data/libphonenumber-metadata.bin differs from {}: copy it over",
        crate_copy.display()
    );
}
