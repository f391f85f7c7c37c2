//! Benchmarks of verification on the shared perf fixtures (real public-good bundles):
//! parse, verify per bundle shape, batch throughput, trust-root load, streamed artifact
//! hashing and cold process. Fixtures are read at run time from `../shared/perf-fixtures`
//! (override the shared folder with `SIGSTORE_SHARED_DIR`).
//!
//! ```text
//! cargo bench -p sigstore-verify --bench verify                    # pure-Rust backend
//! cargo bench -p sigstore-verify --bench verify --features ring    # ring backend
//! SIGSTORE_BENCH_HASH_MIB=1024 cargo bench -p sigstore-verify --bench verify -- hash
//! ```
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use serde_json::Value;
use sigstore_verify::{Artifact, Bundle, Issuer, Policy, San, TrustedRoot, Verifier};

fn fixtures() -> Option<PathBuf> {
    sigstore_test_support::shared_dir("perf-fixtures/cases.json").map(|d| d.join("perf-fixtures"))
}

struct Case {
    short: String,
    bundle_json: Vec<u8>,
    artifact: Artifact,
    policy: Policy,
}

fn cases(dir: &Path) -> Vec<Case> {
    let list: Vec<Value> =
        serde_json::from_slice(&std::fs::read(dir.join("cases.json")).unwrap()).unwrap();
    list.iter()
        .map(|c| {
            let s = |k: &str| c[k].as_str().unwrap().to_owned();
            let id = s("id");
            Case {
                short: id.split('_').next().unwrap().to_owned(),
                bundle_json: std::fs::read(dir.join(s("bundle"))).unwrap(),
                artifact: match c["artifact"].as_str() {
                    Some(f) => Artifact::bytes(std::fs::read(dir.join(f)).unwrap()),
                    None => Artifact::from_digest_str(&s("digest")).unwrap(),
                },
                policy: Policy::identity(San::exact(s("identity")), Issuer::exact(s("issuer"))),
            }
        })
        .collect()
}

fn root_json(dir: &Path) -> Vec<u8> {
    std::fs::read(dir.join("trusted_root.public-good.json")).unwrap()
}

fn verifier(dir: &Path) -> Verifier {
    Verifier::builder(TrustedRoot::from_json(&root_json(dir)).unwrap())
        .build()
        .unwrap()
}

fn parse_and_verify(c: &mut Criterion) {
    let Some(dir) = fixtures() else { return };
    let v = verifier(&dir);
    let cases = cases(&dir);
    let mut g = c.benchmark_group("parse");
    for case in &cases {
        g.bench_with_input(BenchmarkId::from_parameter(&case.short), case, |b, case| {
            b.iter(|| Bundle::from_json(black_box(&case.bundle_json)).unwrap())
        });
    }
    g.finish();
    let mut g = c.benchmark_group("verify");
    for case in &cases {
        let bundle = Bundle::from_json(&case.bundle_json).unwrap();
        v.verify(&bundle, &case.artifact, &case.policy).unwrap();
        g.bench_with_input(BenchmarkId::new("parsed", &case.short), case, |b, case| {
            b.iter(|| {
                v.verify(black_box(&bundle), &case.artifact, &case.policy)
                    .unwrap()
            })
        });
        g.bench_with_input(BenchmarkId::new("json", &case.short), case, |b, case| {
            b.iter(|| {
                v.verify_json(black_box(&case.bundle_json), &case.artifact, &case.policy)
                    .unwrap()
            })
        });
    }
    g.finish();
}

fn batch(c: &mut Criterion) {
    let Some(dir) = fixtures() else { return };
    let v = verifier(&dir);
    let cases = cases(&dir);
    const N: usize = 64;
    let mut g = c.benchmark_group("batch");
    g.throughput(Throughput::Elements(N as u64));
    g.sample_size(10);
    for case in cases.iter().filter(|c| c.short == "a" || c.short == "d") {
        let items: Vec<_> = (0..N)
            .map(|_| (case.bundle_json.as_slice(), &case.artifact, &case.policy))
            .collect();
        for threads in [1, sigstore_verify::default_batch_threads()] {
            g.bench_function(
                BenchmarkId::new(format!("{}-threads", threads), &case.short),
                |b| {
                    b.iter(|| {
                        let r = v.verify_json_batch_with_threads(black_box(&items), threads);
                        assert!(r.iter().all(Result::is_ok));
                    })
                },
            );
        }
    }
    g.finish();
}

fn trust_root(c: &mut Criterion) {
    let Some(dir) = fixtures() else { return };
    let json = root_json(&dir);
    let mut g = c.benchmark_group("trust_root");
    g.bench_function("parse", |b| {
        b.iter(|| TrustedRoot::from_json(black_box(&json)).unwrap())
    });
    g.bench_function("parse+build", |b| {
        b.iter(|| {
            Verifier::builder(TrustedRoot::from_json(black_box(&json)).unwrap())
                .build()
                .unwrap()
        })
    });
    g.bench_function("embedded production parse+build", |b| {
        b.iter(|| {
            Verifier::builder(TrustedRoot::production().unwrap())
                .build()
                .unwrap()
        })
    });
    g.finish();
}

/// A file of `SIGSTORE_BENCH_HASH_MIB` MiB (default 256) of pseudo-random bytes.
fn hash_file() -> (PathBuf, u64) {
    let mib: u64 = std::env::var("SIGSTORE_BENCH_HASH_MIB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256);
    let path = std::env::temp_dir().join(format!("sigstore-bench-hash-{mib}MiB.bin"));
    let len = mib << 20;
    if std::fs::metadata(&path).map(|m| m.len()).ok() != Some(len) {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut block = vec![0u8; 1 << 20];
        for _ in 0..mib {
            for chunk in block.chunks_mut(8) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                chunk.copy_from_slice(&x.to_le_bytes());
            }
            f.write_all(&block).unwrap();
        }
        f.flush().unwrap();
    }
    (path, len)
}

fn hashing(c: &mut Criterion) {
    use sha2::Digest as _;
    let (path, len) = hash_file();
    let mut g = c.benchmark_group("hash");
    g.throughput(Throughput::Bytes(len));
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(20));
    // The reference: raw sha2 over the same file, read in 1 MiB blocks.
    g.bench_function("raw sha2 (file, 1 MiB reads)", |b| {
        b.iter(|| {
            let mut f = std::fs::File::open(&path).unwrap();
            let mut h = sha2::Sha256::new();
            let mut buf = vec![0u8; 1 << 20];
            loop {
                let n = f.read(&mut buf).unwrap();
                if n == 0 {
                    break;
                }
                h.update(&buf[..n]);
            }
            h.finalize()
        })
    });
    g.bench_function("Artifact::file", |b| {
        b.iter(|| Artifact::file(black_box(&path)).unwrap())
    });
    g.finish();
}

/// Start a process that loads the embedded trust root and verifies one bundle (case a).
fn cold_process(c: &mut Criterion) {
    let Some(dir) = fixtures() else { return };
    // target/<profile>/deps/verify-<hash> -> target/<profile>/examples/cold_verify
    let exe = std::env::current_exe().unwrap();
    let bin = exe
        .parent()
        .and_then(Path::parent)
        .map(|p| p.join("examples").join("cold_verify"))
        .filter(|p| p.is_file());
    let Some(bin) = bin else {
        eprintln!(
            "notice: build the cold binary first: cargo build --release -p sigstore-verify \
             --example cold_verify (skipping the cold-process benchmark)"
        );
        return;
    };
    let list: Vec<Value> =
        serde_json::from_slice(&std::fs::read(dir.join("cases.json")).unwrap()).unwrap();
    let a = &list[0];
    let s = |k: &str| a[k].as_str().unwrap().to_owned();
    let args = [
        dir.join(s("bundle")).display().to_string(),
        dir.join(s("artifact")).display().to_string(),
        s("identity"),
        s("issuer"),
    ];
    let mut g = c.benchmark_group("cold_process");
    g.sample_size(20);
    g.bench_function("a (embedded root)", |b| {
        b.iter(|| {
            let st = std::process::Command::new(&bin)
                .args(&args)
                .status()
                .unwrap();
            assert!(st.success());
        })
    });
    g.finish();
}

criterion_group!(
    benches,
    parse_and_verify,
    batch,
    trust_root,
    hashing,
    cold_process
);
criterion_main!(benches);
