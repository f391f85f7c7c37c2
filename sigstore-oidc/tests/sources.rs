//! Token sources without HTTP: explicit, env, file, GitLab, Buildkite and CircleCI (through
//! an injected command runner), the system command runner, and the resolution order.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::sync::{Arc, Mutex};

use common::{claims, jwt, now};
use sigstore_oidc::{
    resolve, Buildkite, CircleCi, CommandOutput, CommandRunner, Error, MapEnv, ResolveConfig,
    StaticToken, SystemCommandRunner, TokenFile, TokenSource, MAX_TOKEN_BYTES,
};

/// Records the command and answers with a fixed output.
struct FakeRunner {
    calls: Mutex<Vec<(String, Vec<String>)>>,
    output: CommandOutput,
}

impl FakeRunner {
    fn ok(stdout: &str) -> Arc<Self> {
        Arc::new(Self {
            calls: Mutex::new(Vec::new()),
            output: CommandOutput {
                success: true,
                status: Some(0),
                stdout: stdout.as_bytes().to_vec(),
            },
        })
    }
    fn failing(code: i32) -> Arc<Self> {
        Arc::new(Self {
            calls: Mutex::new(Vec::new()),
            output: CommandOutput {
                success: false,
                status: Some(code),
                stdout: Vec::new(),
            },
        })
    }
}

impl CommandRunner for FakeRunner {
    fn run(&self, program: &str, args: &[String]) -> sigstore_oidc::Result<CommandOutput> {
        self.calls
            .lock()
            .unwrap()
            .push((program.to_owned(), args.to_vec()));
        Ok(self.output.clone())
    }
}

fn token_for(aud: &str, sub: &str) -> String {
    let mut c = claims("https://issuer.example", aud);
    c["email"] = serde_json::Value::Null;
    c["sub"] = serde_json::json!(sub);
    jwt(&c)
}

fn config(env: MapEnv, runner: Arc<dyn CommandRunner>) -> ResolveConfig {
    let mut c = ResolveConfig::new();
    c.env = Arc::new(env);
    c.runner = runner;
    #[cfg(feature = "client")]
    {
        c.gcp = sigstore_oidc::GcpMode::Disabled;
    }
    c
}

#[test]
fn explicit_beats_env_beats_file() {
    let dir = std::env::temp_dir().join(format!("oidc-src-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("token");
    std::fs::write(&file, format!("{}\n", token_for("sigstore", "from-file"))).unwrap();

    let env = MapEnv::new().with("SIGSTORE_ID_TOKEN", &token_for("sigstore", "from-env"));
    let mut c = config(env.clone(), FakeRunner::ok(""));
    c.token = Some(token_for("sigstore", "explicit"));
    c.token_file = Some(file.clone());
    assert_eq!(resolve(&c).unwrap().identity(), "explicit");

    c.token = None;
    assert_eq!(resolve(&c).unwrap().identity(), "from-env");

    let mut c = config(MapEnv::new(), FakeRunner::ok(""));
    c.token_file = Some(file.clone());
    assert_eq!(resolve(&c).unwrap().identity(), "from-file");

    // A missing file is an error, not a fall-through.
    c.token_file = Some(dir.join("missing"));
    assert!(matches!(resolve(&c), Err(Error::TokenFile { .. })));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn oversized_token_file_is_rejected() {
    let dir = std::env::temp_dir().join(format!("oidc-big-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("token");
    std::fs::write(&file, "a".repeat(MAX_TOKEN_BYTES * 4)).unwrap();
    assert!(matches!(
        TokenFile(file).fetch(),
        Err(Error::TokenTooLarge { .. })
    ));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn nothing_configured_is_no_token() {
    let c = config(MapEnv::new(), FakeRunner::ok(""));
    assert!(matches!(resolve(&c), Err(Error::NoToken)));
}

#[test]
fn resolve_checks_audience_and_expiry() {
    let mut c = config(MapEnv::new(), FakeRunner::ok(""));
    c.token = Some(token_for("not-sigstore", "x"));
    assert!(matches!(resolve(&c), Err(Error::WrongAudience { .. })));
    c.token = Some(token_for("sigstore", "x"));
    c.now = Some(now() + 10_000);
    assert!(matches!(resolve(&c), Err(Error::Expired { .. })));
    c.token = Some("garbage".into());
    assert!(matches!(resolve(&c), Err(Error::Malformed { .. })));
}

#[test]
fn gitlab_reads_id_tokens_variable() {
    // SIGSTORE_ID_TOKEN set by `id_tokens:` is found (by the env source, first).
    let env = MapEnv::new()
        .with("GITLAB_CI", "true")
        .with("SIGSTORE_ID_TOKEN", &token_for("sigstore", "gitlab-job"));
    let c = config(env.clone(), FakeRunner::ok(""));
    assert_eq!(resolve(&c).unwrap().identity(), "gitlab-job");
    let gl = sigstore_oidc::GitLab::new(Arc::new(env));
    assert_eq!(gl.fetch().unwrap().unwrap().identity(), "gitlab-job");
    // On GitLab without `id_tokens:`: a clear configuration error.
    let c = config(MapEnv::new().with("GITLAB_CI", "true"), FakeRunner::ok(""));
    assert!(matches!(
        resolve(&c),
        Err(Error::AmbientMisconfigured {
            provider: "GitLab CI",
            ..
        })
    ));
}

#[test]
fn buildkite_runs_the_agent() {
    let runner = FakeRunner::ok(&format!("{}\n", token_for("sigstore", "bk")));
    let c = config(MapEnv::new().with("BUILDKITE", "true"), runner.clone());
    assert_eq!(resolve(&c).unwrap().identity(), "bk");
    let calls = runner.calls.lock().unwrap().clone();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].0, "buildkite-agent");
    assert_eq!(
        calls[0].1,
        ["oidc", "request-token", "--audience", "sigstore"]
    );
    // Not on Buildkite: not run.
    let runner = FakeRunner::ok("x");
    let b = Buildkite::new(Arc::new(MapEnv::new()), runner.clone(), "sigstore");
    assert!(b.fetch().unwrap().is_none());
    assert!(runner.calls.lock().unwrap().is_empty());
    // Agent failure is typed.
    let c = config(
        MapEnv::new().with("BUILDKITE", "true"),
        FakeRunner::failing(3),
    );
    assert!(matches!(
        resolve(&c),
        Err(Error::CommandFailed {
            status: Some(3),
            ..
        })
    ));
}

#[test]
fn circleci_runs_the_cli() {
    let runner = FakeRunner::ok(&token_for("sigstore", "circle"));
    let c = config(MapEnv::new().with("CIRCLECI", "true"), runner.clone());
    assert_eq!(resolve(&c).unwrap().identity(), "circle");
    let calls = runner.calls.lock().unwrap().clone();
    assert_eq!(calls[0].0, "circleci");
    assert_eq!(
        calls[0].1,
        ["run", "oidc", "get", "--claims", r#"{"aud":"sigstore"}"#]
    );
    // Garbage output is a typed parse error.
    let c = config(
        MapEnv::new().with("CIRCLECI", "true"),
        FakeRunner::ok("Error: not logged in"),
    );
    assert!(matches!(resolve(&c), Err(Error::Malformed { .. })));
    // Audience is JSON-encoded, not spliced.
    let cc = CircleCi::new(Arc::new(MapEnv::new()), FakeRunner::ok(""), "a\"b");
    assert_eq!(cc.args()[4], r#"{"aud":"a\"b"}"#);
}

#[test]
fn ambient_off_skips_ci_providers() {
    let runner = FakeRunner::ok(&token_for("sigstore", "bk"));
    let mut c = config(MapEnv::new().with("BUILDKITE", "true"), runner.clone());
    c.ambient = false;
    assert!(matches!(resolve(&c), Err(Error::NoToken)));
    assert!(runner.calls.lock().unwrap().is_empty());
}

#[test]
fn interactive_sources_come_last() {
    struct Fixed(String, Arc<Mutex<u32>>);
    impl TokenSource for Fixed {
        fn name(&self) -> &'static str {
            "fixed"
        }
        fn fetch(&self) -> sigstore_oidc::Result<Option<sigstore_oidc::IdentityToken>> {
            *self.1.lock().unwrap() += 1;
            StaticToken(self.0.clone()).fetch()
        }
    }
    let count = Arc::new(Mutex::new(0));
    let mut c = config(
        MapEnv::new().with("SIGSTORE_ID_TOKEN", &token_for("sigstore", "env")),
        FakeRunner::ok(""),
    );
    c.interactive.push(Box::new(Fixed(
        token_for("sigstore", "interactive"),
        count.clone(),
    )));
    assert_eq!(resolve(&c).unwrap().identity(), "env");
    assert_eq!(*count.lock().unwrap(), 0);
    c.env = Arc::new(MapEnv::new());
    assert_eq!(resolve(&c).unwrap().identity(), "interactive");
    assert_eq!(*count.lock().unwrap(), 1);
    let names: Vec<&str> = c.sources().iter().map(|s| s.name()).collect();
    let expected_ambient: &[&str] = if cfg!(feature = "client") {
        &["github-actions", "gitlab", "buildkite", "circleci"]
    } else {
        &["gitlab", "buildkite", "circleci"]
    };
    let mut expected = vec!["env"];
    expected.extend_from_slice(expected_ambient);
    expected.push("fixed");
    assert_eq!(names, expected);
}

#[test]
fn system_runner_reads_stdout_and_times_out() {
    let r = SystemCommandRunner::default();
    let out = r
        .run("sh", &["-c".into(), "printf 'hello'; exit 0".into()])
        .unwrap();
    assert!(out.success);
    assert_eq!(out.stdout, b"hello");
    let out = r.run("sh", &["-c".into(), "exit 4".into()]).unwrap();
    assert!(!out.success);
    assert_eq!(out.status, Some(4));
    let quick = SystemCommandRunner {
        timeout: std::time::Duration::from_millis(200),
    };
    let start = std::time::Instant::now();
    assert!(matches!(
        quick.run("sleep", &["5".into()]),
        Err(Error::CommandTimeout { .. })
    ));
    assert!(start.elapsed() < std::time::Duration::from_secs(3));
    assert!(matches!(
        r.run("/nonexistent/buildkite-agent", &[]),
        Err(Error::Io { .. })
    ));
    // Output is bounded.
    let out = r
        .run("sh", &["-c".into(), "head -c 100000 /dev/zero".into()])
        .unwrap();
    assert!(out.stdout.len() <= sigstore_oidc::MAX_COMMAND_OUTPUT_BYTES + 1);
}

#[test]
fn buildkite_with_a_real_subprocess() {
    // A stand-in agent script on disk, run by the real SystemCommandRunner.
    let dir = std::env::temp_dir().join(format!("oidc-bk-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join("agent.sh");
    let token = token_for("sigstore", "bk-real");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\n[ \"$1 $2 $3 $4\" = \"oidc request-token --audience sigstore\" ] || exit 9\necho '{token}'\n"
        ),
    )
    .unwrap();
    struct Via(std::path::PathBuf);
    impl CommandRunner for Via {
        fn run(&self, _program: &str, args: &[String]) -> sigstore_oidc::Result<CommandOutput> {
            let mut a = vec![self.0.to_string_lossy().into_owned()];
            a.extend_from_slice(args);
            SystemCommandRunner::default().run("sh", &a)
        }
    }
    let b = Buildkite::new(
        Arc::new(MapEnv::new().with("BUILDKITE", "true")),
        Arc::new(Via(script)),
        "sigstore",
    );
    assert_eq!(b.fetch().unwrap().unwrap().identity(), "bk-real");
    std::fs::remove_dir_all(&dir).unwrap();
}
