//! Remote templates through the mirror cache: `file://` URLs for most
//! cases, and a real `git daemon` on 127.0.0.1 for the `git://` transport.

use std::fs;
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::*;

fn file_url(path: &Path) -> String {
    format!("file://{}", path.display())
}

fn remote_spec(url: &str) -> SourceSpec {
    SourceSpec::parse(url, Path::new("/")).unwrap()
}

/// The mirror directories of a cache (ignoring lock files).
fn mirrors(cache: &Path) -> Vec<String> {
    let Ok(entries) = fs::read_dir(cache.join("mirrors")) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".lock"))
        .collect();
    names.sort();
    names
}

fn template_with_tags() -> (TestRepo, String, String) {
    let repo = TestRepo::new();
    let c1 = repo.commit_file("graft.yml", "v: 1");
    repo.git(&["tag", "v1.0.0"]);
    let c2 = repo.commit_file("graft.yml", "v: 2");
    repo.git(&["tag", "-a", "v1.1.0", "-m", "annotated"]);
    repo.commit_file("graft.yml", "v: head");
    (repo, c1, c2)
}

#[test]
fn file_url_is_mirrored_and_usable_offline() {
    let (repo, _, c2) = template_with_tags();
    let cache = tempfile::tempdir().unwrap();
    let url = file_url(&repo.path);
    let spec = remote_spec(&url);

    let err = TemplateRepo::open(&spec, &offline_opts(cache.path())).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("no cached copy of `{url}`; run once without --offline")
    );

    let t = TemplateRepo::open(&spec, &online_opts(cache.path())).unwrap();
    assert!(t.is_git());
    let rev = t.resolve(None, false).unwrap();
    assert_eq!(rev.sha.as_deref(), Some(c2.as_str()));
    assert_eq!(rev.describe.as_deref(), Some("v1.1.0"));
    assert_eq!(text(&t.read_tree(&rev).unwrap(), "graft.yml"), "v: 2");
    // The mirror's HEAD follows the remote's default branch.
    let head = t.resolve(Some("HEAD"), false).unwrap();
    assert!(!head.worktree);
    assert_eq!(head.sha, Some(repo.git(&["rev-parse", "HEAD"])));
    assert_eq!(head.describe, Some(repo.git_describe("HEAD")));
    assert_eq!(
        mirrors(cache.path()),
        [format!("{}.git", spec.cache_name().unwrap())]
    );
    let mirror = cache
        .path()
        .join("mirrors")
        .join(format!("{}.git", spec.cache_name().unwrap()));
    assert!(git2::Repository::open_bare(&mirror).unwrap().is_bare());
    drop(t);

    // Offline: the source may even be gone.
    let moved = repo.path.with_file_name("moved");
    fs::rename(&repo.path, &moved).unwrap();
    let t = TemplateRepo::open(&spec, &offline_opts(cache.path())).unwrap();
    let rev = t.resolve(Some("v1.0.0"), false).unwrap();
    assert_eq!(text(&t.read_tree(&rev).unwrap(), "graft.yml"), "v: 1");

    // Online with the source gone: a clear error that suggests --offline,
    // and the mirror is kept.
    let err = TemplateRepo::open(&spec, &online_opts(cache.path())).unwrap_err();
    assert!(
        matches!(err, SourceError::Unreachable { cached: true, .. }),
        "{err:?}"
    );
    assert_eq!(err.to_string(), format!("cannot reach `{url}`"));
    assert!(err.hint().unwrap().contains("--offline"));
    assert_eq!(mirrors(cache.path()).len(), 1);
    assert!(TemplateRepo::open(&spec, &offline_opts(cache.path())).is_ok());
}

#[test]
fn fetch_updates_and_prunes_but_keeps_objects() {
    let (repo, _, _) = template_with_tags();
    repo.git(&["checkout", "-q", "-b", "topic"]);
    let topic = repo.commit_file("topic.txt", "topic");
    repo.git(&["checkout", "-q", "main"]);
    let cache = tempfile::tempdir().unwrap();
    let spec = remote_spec(&file_url(&repo.path));

    let t = TemplateRepo::open(&spec, &online_opts(cache.path())).unwrap();
    assert_eq!(
        t.resolve(Some("topic"), false).unwrap().sha,
        Some(topic.clone())
    );
    drop(t);

    // Upstream: new version, deleted branch and tag.
    let c3 = repo.commit_file("graft.yml", "v: 3");
    repo.git(&["tag", "v2.0.0"]);
    repo.git(&["branch", "-q", "-D", "topic"]);
    repo.git(&["tag", "-d", "v1.0.0"]);

    let t = TemplateRepo::open(&spec, &online_opts(cache.path())).unwrap();
    let rev = t.resolve(None, false).unwrap();
    assert_eq!(rev.sha, Some(c3));
    assert_eq!(rev.version, Some(semver::Version::new(2, 0, 0)));
    assert!(matches!(
        t.resolve(Some("topic"), false),
        Err(SourceError::UnknownRef { .. })
    ));
    assert!(t.resolve(Some("v1.0.0"), false).is_err());
    // A full sha no ref reaches any more is still in the mirror.
    let rev = t.resolve(Some(&topic), false).unwrap();
    assert_eq!(rev.sha.as_deref(), Some(topic.as_str()));
    assert_eq!(text(&t.read_tree(&rev).unwrap(), "topic.txt"), "topic");
}

#[test]
fn failed_first_clone_leaves_nothing() {
    let cache = tempfile::tempdir().unwrap();
    let missing = cache.path().join("does-not-exist");
    let url = file_url(&missing);
    let err = TemplateRepo::open(&remote_spec(&url), &online_opts(cache.path())).unwrap_err();
    assert!(
        matches!(err, SourceError::Unreachable { cached: false, .. }),
        "{err:?}"
    );
    assert!(std::error::Error::source(&err).is_some());
    assert_eq!(mirrors(cache.path()), Vec::<String>::new());
}

#[test]
fn empty_remote_is_an_error() {
    let repo = TestRepo::new();
    let cache = tempfile::tempdir().unwrap();
    let url = file_url(&repo.path);
    let err = TemplateRepo::open(&remote_spec(&url), &online_opts(cache.path())).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("`{url}` is an empty repository (no commits)")
    );
}

#[test]
fn corrupt_mirror_is_recreated() {
    let (repo, _, c2) = template_with_tags();
    let cache = tempfile::tempdir().unwrap();
    let spec = remote_spec(&file_url(&repo.path));
    drop(TemplateRepo::open(&spec, &online_opts(cache.path())).unwrap());
    let mirror = cache
        .path()
        .join("mirrors")
        .join(format!("{}.git", spec.cache_name().unwrap()));

    // Unopenable: no object database.
    fs::remove_dir_all(mirror.join("objects")).unwrap();
    let err = TemplateRepo::open(&spec, &offline_opts(cache.path())).unwrap_err();
    assert!(matches!(err, SourceError::CacheCorrupt { .. }), "{err:?}");
    let t = TemplateRepo::open(&spec, &online_opts(cache.path())).unwrap();
    assert_eq!(t.resolve(None, false).unwrap().sha, Some(c2.clone()));
    drop(t);

    // Opens, but refs point at objects that are gone.
    for pack in fs::read_dir(mirror.join("objects/pack")).unwrap() {
        fs::remove_file(pack.unwrap().path()).unwrap();
    }
    let t = TemplateRepo::open(&spec, &online_opts(cache.path())).unwrap();
    assert_eq!(t.resolve(None, false).unwrap().sha, Some(c2.clone()));
    drop(t);

    // Not even a directory.
    fs::remove_dir_all(&mirror).unwrap();
    fs::write(&mirror, "garbage").unwrap();
    let t = TemplateRepo::open(&spec, &online_opts(cache.path())).unwrap();
    assert_eq!(t.resolve(None, false).unwrap().sha, Some(c2));

    // Leftovers of an interrupted clone are cleaned up.
    let stale = cache
        .path()
        .join("mirrors")
        .join(format!("{}.tmp-abc", spec.cache_name().unwrap()));
    fs::create_dir_all(&stale).unwrap();
    drop(TemplateRepo::open(&spec, &online_opts(cache.path())).unwrap());
    assert!(!stale.exists());
}

#[test]
fn concurrent_opens_of_one_remote_both_succeed() {
    let (repo, _, c2) = template_with_tags();
    let cache = tempfile::tempdir().unwrap();
    let spec = remote_spec(&file_url(&repo.path));
    let results: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                s.spawn(|| {
                    let t = TemplateRepo::open(&spec, &online_opts(cache.path()))?;
                    let rev = t.resolve(None, false)?;
                    let tree = t.read_tree(&rev)?;
                    Ok::<_, SourceError>((rev.sha, text(&tree, "graft.yml")))
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for r in results {
        let (sha, content) = r.unwrap();
        assert_eq!(sha, Some(c2.clone()));
        assert_eq!(content, "v: 2");
    }
    assert_eq!(mirrors(cache.path()).len(), 1);
}

#[test]
fn same_remote_spelled_differently_shares_a_mirror() {
    let (repo, _, _) = template_with_tags();
    let cache = tempfile::tempdir().unwrap();
    let a = remote_spec(&file_url(&repo.path));
    let b = remote_spec(&format!("{}/", file_url(&repo.path)));
    drop(TemplateRepo::open(&a, &online_opts(cache.path())).unwrap());
    drop(TemplateRepo::open(&b, &online_opts(cache.path())).unwrap());
    assert_eq!(mirrors(cache.path()).len(), 1);
}

/// A `git daemon` serving one directory on a free loopback port, killed on
/// drop.
struct Daemon {
    child: Child,
    port: u16,
}

impl Daemon {
    fn start(base: &Path) -> Daemon {
        let exec_path = git(base, &["--exec-path"]);
        let daemon = Path::new(&exec_path).join("git-daemon");
        assert!(
            daemon.exists(),
            "git-daemon not found at {}",
            daemon.display()
        );
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(daemon)
            .args([
                "--reuseaddr",
                &format!("--base-path={}", base.display()),
                "--export-all",
                "--listen=127.0.0.1",
                &format!("--port={port}"),
                &base.display().to_string(),
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let daemon = Daemon { child, port };
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "git daemon did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        daemon
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn git_daemon_remote_then_offline() {
    let (repo, c1, c2) = template_with_tags();
    let served = tempfile::tempdir().unwrap();
    git(
        served.path(),
        &[
            "clone",
            "-q",
            "--bare",
            repo.path.to_str().unwrap(),
            "repo.git",
        ],
    );
    let cache = tempfile::tempdir().unwrap();
    let daemon = Daemon::start(served.path());
    let url = format!("git://127.0.0.1:{}/repo.git", daemon.port);
    let spec = remote_spec(&url);
    assert_eq!(spec.display(), url);

    // Several openers at once on an empty cache, all must succeed.
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..3)
            .map(|_| s.spawn(|| TemplateRepo::open(&spec, &online_opts(cache.path())).map(drop)))
            .collect();
        for h in handles {
            h.join().unwrap().unwrap();
        }
    });

    let t = TemplateRepo::open(&spec, &online_opts(cache.path())).unwrap();
    let rev = t.resolve(None, false).unwrap();
    assert_eq!(rev.sha, Some(c2));
    assert_eq!(rev.describe.as_deref(), Some("v1.1.0"));
    let tree = t.read_tree(&rev).unwrap();
    assert!(has_file(&tree, "graft.yml"));
    assert_eq!(text(&tree, "graft.yml"), "v: 2");
    assert_eq!(
        t.resolve(Some("HEAD"), false).unwrap().sha,
        Some(repo.git(&["rev-parse", "HEAD"]))
    );
    drop(t);
    drop(daemon);

    let err = TemplateRepo::open(&spec, &online_opts(cache.path())).unwrap_err();
    assert!(
        matches!(err, SourceError::Unreachable { cached: true, .. }),
        "{err:?}"
    );

    let t = TemplateRepo::open(&spec, &offline_opts(cache.path())).unwrap();
    let rev = t.resolve(Some("v1.0.0"), false).unwrap();
    assert_eq!(rev.sha, Some(c1));
    assert_eq!(text(&t.read_tree(&rev).unwrap(), "graft.yml"), "v: 1");
    assert_eq!(
        t.latest_version(false),
        Some((semver::Version::new(1, 1, 0), "v1.1.0".to_string()))
    );
}

/// An HTTP server on loopback that refuses every request with 401, counting
/// them; stops when dropped.
struct Always401 {
    port: u16,
    requests: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Always401 {
    fn start() -> Always401 {
        use std::io::{Read, Write};
        use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
        use std::sync::Arc;
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (req, st) = (requests.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(60);
            while !st.load(Ordering::SeqCst) && Instant::now() < deadline {
                match listener.accept() {
                    Ok((mut conn, _)) => {
                        req.fetch_add(1, Ordering::SeqCst);
                        conn.set_nonblocking(false).unwrap();
                        conn.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
                        let mut buf = [0u8; 4096];
                        let mut seen = Vec::new();
                        while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                            match conn.read(&mut buf) {
                                Ok(0) | Err(_) => break,
                                Ok(n) => seen.extend_from_slice(&buf[..n]),
                            }
                        }
                        let _ = conn.write_all(
                            b"HTTP/1.1 401 Unauthorized\r\n\
                              WWW-Authenticate: Basic realm=\"graft\"\r\n\
                              Content-Length: 0\r\nConnection: close\r\n\r\n",
                        );
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        Always401 {
            port,
            requests,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for Always401 {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[test]
fn refused_credentials_end_with_an_auth_error_not_a_loop() {
    let server = Always401::start();
    let cache = tempfile::tempdir().unwrap();
    let url = format!("http://user:secret@127.0.0.1:{}/o/r.git", server.port);
    let spec = remote_spec(&url);
    let started = Instant::now();
    let err = TemplateRepo::open(&spec, &online_opts(cache.path())).unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(30));
    assert!(matches!(err, SourceError::Auth { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "authentication failed for `http://127.0.0.1:{}/o/r.git`",
            server.port
        )
    );
    let chain = format!("{:?}", std::error::Error::source(&err));
    assert!(!chain.contains("secret"), "{chain}");
    let requests = server.requests.load(std::sync::atomic::Ordering::SeqCst);
    assert!((1..=12).contains(&requests), "{requests} requests");
    assert_eq!(mirrors(cache.path()), Vec::<String>::new());
}

#[test]
fn ssh_urls_fail_cleanly() {
    let cache = tempfile::tempdir().unwrap();
    // Port 1 on loopback: nothing listens, nothing leaves the machine.
    let spec = remote_spec("ssh://git@127.0.0.1:1/o/r.git");
    let err = TemplateRepo::open(&spec, &online_opts(cache.path())).unwrap_err();
    assert!(
        matches!(
            err,
            SourceError::UnsupportedProtocol { .. } | SourceError::Unreachable { .. }
        ),
        "{err:?}"
    );
    assert!(err.hint().is_some());
    assert_eq!(mirrors(cache.path()), Vec::<String>::new());
}

#[test]
fn progress_bar_option_does_not_break_fetching() {
    let (repo, _, c2) = template_with_tags();
    let cache = tempfile::tempdir().unwrap();
    let spec = remote_spec(&file_url(&repo.path));
    let opts = SourceOptions {
        show_progress: true,
        ..online_opts(cache.path())
    };
    let t = TemplateRepo::open(&spec, &opts).unwrap();
    assert_eq!(t.resolve(None, false).unwrap().sha, Some(c2));
}
