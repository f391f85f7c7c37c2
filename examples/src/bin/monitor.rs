//! `monitor`: follow a Rekor transparency log, verify that every new checkpoint is signed and
//! consistent with the last verified one (kept in a state file, written atomically), alert on a
//! fork or a rollback, and report new entries whose certificate identity matches a watch list.
//!
//! Exit codes: 0 no alert, 1 ALERT (fork, rollback, bad checkpoint signature or proof),
//! 2 usage, I/O or network error.
#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use sigstore_examples::monitor::{
    load_state, save_state, Api, LogTarget, Monitor, PollReport, DEFAULT_MAX_ENTRIES_PER_POLL,
};
use sigstore_examples::{finish, Error, TrustArgs, EXIT_OK};

/// Shortest and longest poll interval, seconds.
const INTERVAL_BOUNDS: (u64, u64) = (1, 86_400);

/// Follow a Rekor log: verify consistency between successive checkpoints (state on disk),
/// alert on a fork or rollback, and report new entries whose certificate identity matches a
/// watch list. Exit codes: 0 no alert, 1 ALERT, 2 usage, I/O or network error.
#[derive(Debug, Parser)]
#[command(name = "monitor", version)]
struct Cli {
    /// The log's base URL as the trusted root lists it (e.g. `https://rekor.sigstore.dev`).
    #[arg(long, value_name = "URL")]
    rekor_url: String,
    /// The log's API (default: v2 for an Ed25519 log key, v1 otherwise).
    #[arg(long, value_enum)]
    api: Option<Api>,
    /// The state file (last verified checkpoint, next entry to scan).
    #[arg(long, value_name = "FILE")]
    state: PathBuf,
    /// A regular expression (fully anchored) over certificate identities to report.
    /// Repeatable.
    #[arg(long, value_name = "REGEX")]
    watch: Vec<String>,
    /// On the first run, scan entries from this index (default: only entries appended later).
    #[arg(long, value_name = "INDEX")]
    from_index: Option<u64>,
    /// Most entries scanned per poll (the rest wait for the next poll).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_ENTRIES_PER_POLL)]
    max_entries: u64,
    /// Poll once and exit.
    #[arg(long)]
    once: bool,
    /// Seconds between polls (1..=86400).
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    interval: u64,
    /// Stop after this many polls (default: run until an alert or an interrupt).
    #[arg(long, value_name = "N")]
    max_polls: Option<u64>,
    #[command(flatten)]
    trust: TrustArgs,
    /// One JSON object per poll on stdout.
    #[arg(long)]
    json: bool,
}

fn print_report(r: &PollReport, json: bool) -> Result<(), Error> {
    if json {
        let s = serde_json::to_string(r).map_err(|source| Error::Json {
            what: "report".to_owned(),
            source,
        })?;
        println!("{s}");
        return Ok(());
    }
    match r.previous_size {
        Some(p) if p != r.tree_size => println!(
            "checkpoint: size {} (was {p}), root {}{}",
            r.tree_size,
            r.root_hash,
            if r.consistency_verified {
                ", consistency proof verified"
            } else {
                ""
            }
        ),
        Some(_) => println!(
            "checkpoint: size {} unchanged, root {}",
            r.tree_size, r.root_hash
        ),
        None => println!(
            "checkpoint: size {}, root {} (first verified checkpoint, saved)",
            r.tree_size, r.root_hash
        ),
    }
    for m in &r.matches {
        println!(
            "MATCH entry {}: {} ({}) [{}] matches {}",
            m.index,
            m.identity,
            m.issuer.as_deref().unwrap_or("no issuer"),
            m.kind,
            m.pattern
        );
    }
    for (i, why) in &r.unparsed {
        println!("note: entry {i} not parsed: {why}");
    }
    if r.backlog > 0 {
        println!("note: {} entries left to scan", r.backlog);
    }
    Ok(())
}

fn run(cli: &Cli) -> Result<i32, Error> {
    if !(INTERVAL_BOUNDS.0..=INTERVAL_BOUNDS.1).contains(&cli.interval) {
        return Err(Error::Usage(
            "--interval must be between 1 and 86400 seconds",
        ));
    }
    let root = cli.trust.load()?;
    let target = LogTarget::from_trusted_root(&root, &cli.rekor_url, cli.api)?;
    let monitor = Monitor::new(target, &cli.watch, cli.max_entries)?;
    let mut polls = 0u64;
    loop {
        polls += 1;
        let state = load_state(&cli.state)?;
        match monitor.poll(state.as_ref(), cli.from_index) {
            Ok((new_state, report)) => {
                save_state(&cli.state, &new_state)?;
                print_report(&report, cli.json)?;
            }
            Err(e @ Error::Alert { .. }) => {
                if cli.json {
                    println!(
                        "{}",
                        serde_json::json!({"alert": e.to_string(), "log_url": cli.rekor_url})
                    );
                }
                return Err(e);
            }
            Err(e) if cli.once => return Err(e),
            Err(e @ (Error::Tlog(_) | Error::Fetch { .. })) => {
                eprintln!("monitor: poll {polls} failed, will retry: {e}");
            }
            Err(e) => return Err(e),
        }
        if cli.once || cli.max_polls.is_some_and(|m| polls >= m) {
            return Ok(EXIT_OK);
        }
        std::thread::sleep(Duration::from_secs(cli.interval));
    }
}

fn main() {
    let cli = Cli::parse();
    sigstore_examples::remove_temp_files_on_interrupt();
    let code = finish(run(&cli), "monitor", false);
    std::process::exit(code);
}
