//! A client for the tuf-conformance test suite
//! (github.com/theupdateframework/tuf-conformance, CLIENT-CLI.md protocol):
//!
//! ```text
//! conformance_client --metadata-dir DIR init TRUSTED_ROOT
//! conformance_client --metadata-dir DIR --metadata-url URL refresh
//! conformance_client --metadata-dir DIR --metadata-url URL --target-name PATH \
//!     [--target-name PATH ...] --target-base-url URL --target-dir DIR download
//! ```
//!
//! The sigstore-tuf cache lives in `DIR/.sigstore-tuf/cache`; after every
//! command the trusted top-level and delegated metadata are mirrored to
//! `DIR/<role>.json` as the suite expects. Exit code 0 on success, 1 on
//! any failure. Build with `--features client`.

use sigstore_tuf::{quote, TufClient};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Default)]
struct Args {
    metadata_dir: Option<PathBuf>,
    metadata_url: Option<String>,
    target_names: Vec<String>,
    target_base_url: Option<String>,
    target_dir: Option<PathBuf>,
    command: Vec<String>,
}

fn parse() -> Result<Args, String> {
    let mut a = Args::default();
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().ok_or(format!("missing value for {arg}"));
        match arg.as_str() {
            "--metadata-dir" => a.metadata_dir = Some(value()?.into()),
            "--metadata-url" => a.metadata_url = Some(value()?),
            "--target-name" => a.target_names.push(value()?),
            "--target-base-url" => a.target_base_url = Some(value()?),
            "--target-dir" => a.target_dir = Some(value()?.into()),
            _ => a.command.push(arg),
        }
    }
    Ok(a)
}

fn state_dir(metadata_dir: &Path) -> PathBuf {
    metadata_dir.join(".sigstore-tuf")
}

/// Mirrors the verified cache into the layout the suite inspects.
fn mirror(metadata_dir: &Path) -> std::io::Result<()> {
    let cache = state_dir(metadata_dir).join("cache");
    let mut wanted: Vec<(String, PathBuf)> = Vec::new();
    for name in [
        "root.json",
        "timestamp.json",
        "snapshot.json",
        "targets.json",
    ] {
        wanted.push((name.to_string(), cache.join(name)));
    }
    if let Ok(entries) = std::fs::read_dir(&cache) {
        for e in entries.flatten() {
            let n = e.file_name().to_string_lossy().to_string();
            if let Some(role) = n.strip_prefix("delegated-") {
                wanted.push((role.to_string(), e.path()));
            }
        }
    }
    let names: Vec<String> = wanted.iter().map(|(n, _)| n.clone()).collect();
    for (name, src) in &wanted {
        let dst = metadata_dir.join(name);
        if src.exists() {
            std::fs::copy(src, &dst)?;
        } else if name != "root.json" {
            let _ = std::fs::remove_file(&dst);
        }
    }
    // Drop mirrored delegated roles that are no longer cached.
    for e in std::fs::read_dir(metadata_dir)?.flatten() {
        let n = e.file_name().to_string_lossy().to_string();
        if n.ends_with(".json") && !names.contains(&n) && e.path().is_file() {
            let _ = std::fs::remove_file(e.path());
        }
    }
    Ok(())
}

fn run(a: &Args) -> Result<(), String> {
    let md = a
        .metadata_dir
        .as_ref()
        .ok_or("--metadata-dir is required")?;
    let st = state_dir(md);
    match a.command.first().map(String::as_str) {
        Some("init") => {
            let trusted = a.command.get(1).ok_or("init needs TRUSTED_ROOT")?;
            let bytes = std::fs::read(trusted).map_err(|e| e.to_string())?;
            std::fs::create_dir_all(&st).map_err(|e| e.to_string())?;
            std::fs::write(st.join("initial_root.json"), &bytes).map_err(|e| e.to_string())?;
            std::fs::write(md.join("root.json"), &bytes).map_err(|e| e.to_string())?;
            Ok(())
        }
        Some(cmd @ ("refresh" | "download")) => {
            let initial = std::fs::read(st.join("initial_root.json")).map_err(|e| e.to_string())?;
            let murl = a
                .metadata_url
                .as_deref()
                .ok_or("--metadata-url is required")?;
            let turl = a.target_base_url.as_deref().unwrap_or(murl);
            let mut client = TufClient::builder(&initial, murl, turl)
                .cache_dir(st.join("cache"))
                .build()
                .map_err(|e| e.to_string())?;
            let result = if cmd == "refresh" {
                client.refresh().map(|_| ()).map_err(|e| e.to_string())
            } else {
                let dir = a.target_dir.as_ref().ok_or("--target-dir is required")?;
                (|| {
                    for name in &a.target_names {
                        let bytes = client.get_target(name).map_err(|e| e.to_string())?;
                        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
                        let path = dir.join(quote(name));
                        // Leave an identical artifact untouched (no new mtime).
                        if std::fs::read(&path).ok().as_deref() != Some(bytes.as_slice()) {
                            std::fs::write(&path, bytes).map_err(|e| e.to_string())?;
                        }
                    }
                    Ok(())
                })()
            };
            mirror(md).map_err(|e| e.to_string())?;
            result
        }
        _ => Err("usage: --metadata-dir DIR (init ROOT | refresh | download)".into()),
    }
}

fn main() -> ExitCode {
    let result = parse().and_then(|a| run(&a));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
