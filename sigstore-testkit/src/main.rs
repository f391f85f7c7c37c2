//! `sigstore-testkit serve [--dir D] [--bind ADDR]`: run a virtual Sigstore, write its trust
//! material into D (when given), print its URLs as one JSON line, and serve until killed.
#![forbid(unsafe_code)]

use std::process::ExitCode;

use sigstore_testkit::{Config, VirtualSigstore};

fn usage() -> ExitCode {
    eprintln!("usage: sigstore-testkit serve [--dir DIR] [--bind ADDR]");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    if args.next().as_deref() != Some("serve") {
        return usage();
    }
    let mut config = Config::default();
    while let Some(a) = args.next() {
        match (a.as_str(), args.next()) {
            ("--dir", Some(d)) => config.dir = Some(d.into()),
            ("--bind", Some(b)) => config.bind = b,
            _ => return usage(),
        }
    }
    let vs = match VirtualSigstore::start(config) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("sigstore-testkit: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut out = serde_json::to_value(vs.urls()).unwrap_or_default();
    if let (Some(obj), Some(dir)) = (out.as_object_mut(), vs.dir()) {
        obj.insert("dir".into(), serde_json::json!(dir));
        for (k, f) in [
            ("trusted_root", "trusted_root.json"),
            ("signing_config", "signing_config.json"),
            ("client_trust_config", "client_trust_config.json"),
        ] {
            obj.insert(k.into(), serde_json::json!(dir.join(f)));
        }
    }
    println!("{out}");
    loop {
        std::thread::park();
    }
}
