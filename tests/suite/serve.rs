//! `dossier serve`, run as a process on a free port: every endpoint, its
//! JSON against the CLI's, every error status, hostile input, limits, live
//! refresh and shutdown.

use crate::util::{copy_tree, corpus_dir};
use proptest::prelude::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// A running server, killed on drop.
pub struct Server {
    child: Child,
    pub base: String,
    pub addr: String,
    _dirs: Vec<tempfile::TempDir>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("dossier")
}

/// Starts `dossier serve` on a free port and waits until it is ready.
pub fn start(corpus: &Path, index: &Path, extra: &[&str]) -> (Child, String, String) {
    let mut child = Command::new(bin())
        .env_remove("DOSSIER_CORPUS")
        .env_remove("DOSSIER_INDEX")
        .arg("--corpus")
        .arg(corpus)
        .arg("--index")
        .arg(index)
        .arg("serve")
        .args(if extra.is_empty() {
            &["--addr", "127.0.0.1:0"][..]
        } else {
            extra
        })
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut said = String::new();
    let mut line = String::new();
    while stderr.read_line(&mut line).unwrap() > 0 {
        said.push_str(&line);
        if line.contains(" at http://") {
            break;
        }
        line.clear();
    }
    let addr = said
        .split(" at http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("no address in {said:?}"))
        .to_owned();
    // Keep draining stderr so the server never blocks on it.
    std::thread::spawn(move || {
        let mut sink = String::new();
        let _ = stderr.read_to_string(&mut sink);
    });
    (child, format!("http://{addr}"), said)
}

/// The shared server's process and folder. A static is never dropped, so
/// an exit handler stops the server and removes its folder when the test
/// binary exits; without it every test run would leave a server behind.
static SHARED_PID: AtomicU32 = AtomicU32::new(0);
static SHARED_DIR: OnceLock<PathBuf> = OnceLock::new();

extern "C" fn stop_shared_server() {
    let pid = SHARED_PID.load(Ordering::SeqCst);
    if let Ok(pid @ 1..) = libc::pid_t::try_from(pid) {
        // SAFETY: kill(2) with a pid this process spawned and a constant signal.
        unsafe {
            libc::kill(pid, libc::SIGKILL);
        }
    }
    if let Some(dir) = SHARED_DIR.get() {
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// One server of the bundled corpus, shared by the read-only tests.
fn shared() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep();
        let _ = SHARED_DIR.set(dir.clone());
        let corpus = dir.join("corpus");
        copy_tree(&corpus_dir(), &corpus);
        let (child, base, _) = start(&corpus, &dir.join("index"), &[]);
        SHARED_PID.store(child.id(), Ordering::SeqCst);
        // SAFETY: registers a plain function with no captured state.
        unsafe {
            libc::atexit(stop_shared_server);
        }
        let addr = base.trim_start_matches("http://").to_owned();
        let server = Server {
            child,
            base,
            addr,
            _dirs: Vec::new(),
        };
        wait_ready(&server.base);
        server
    })
}

fn wait_ready(base: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Ok((200, v)) = get(base, "/api/health") {
            if v["status"] == "ready" {
                return;
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("the server never became ready");
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

/// GET: (status, JSON body).
fn get(base: &str, path: &str) -> Result<(u16, serde_json::Value), String> {
    let mut response = agent()
        .get(&format!("{base}{path}"))
        .call()
        .map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    let body = response
        .body_mut()
        .read_to_string()
        .map_err(|e| e.to_string())?;
    let json = serde_json::from_str(&body).map_err(|e| format!("{path}: {status} {e}: {body}"))?;
    Ok((status, json))
}

fn json_of(mut response: ureq::http::Response<ureq::Body>) -> serde_json::Value {
    serde_json::from_str(&response.body_mut().read_to_string().unwrap()).unwrap()
}

fn get_ok(path: &str) -> serde_json::Value {
    let (status, v) = get(&shared().base, path).unwrap();
    assert_eq!(status, 200, "{path}: {v}");
    v
}

/// What the CLI prints with --format json for `args`, on the same corpus.
fn cli_json(args: &[&str]) -> serde_json::Value {
    let idx = tempfile::tempdir().unwrap();
    let out = crate::util::dossier(idx.path())
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.code() != Some(2),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn every_endpoint_answers_with_the_cli_json() {
    let cases: [(&str, &[&str]); 9] = [
        (
            "/api/search?q=security&limit=5",
            &["search", "security", "--limit", "5"],
        ),
        (
            "/api/search?actor=Khatib&actor=Mossad&sort=position",
            &[
                "search", "--actor", "Khatib", "--actor", "Mossad", "--sort", "position",
            ],
        ),
        (
            "/api/search?holder=Reformist%20Front&stance=calls-for-reckoning&q=security",
            &[
                "search",
                "security",
                "--holder",
                "Reformist Front",
                "--stance",
                "calls-for-reckoning",
            ],
        ),
        (
            "/api/facets?by=holder&by=stance",
            &["facets", "--by", "holder", "--by", "stance"],
        ),
        (
            "/api/timeline?since=2018&until=2021",
            &["timeline", "--since", "2018", "--until", "2021"],
        ),
        ("/api/passages/iran-intel-12", &["show", "iran-intel-12"]),
        ("/api/actors", &["actors"]),
        ("/api/actors/Haniya", &["actors", "Haniya"]),
        ("/api/stances", &["stances"]),
    ];
    for (path, args) in cases {
        assert_eq!(get_ok(path), cli_json(args), "{path}");
    }
    let post = agent()
        .post(&format!("{}/api/search", shared().base))
        .header("content-type", "application/json")
        .send(r#"{"q": "revenge", "actor": ["hardliners"], "limit": 3}"#)
        .unwrap();
    let post = json_of(post);
    assert_eq!(
        post,
        cli_json(&["search", "revenge", "--actor", "hardliners", "--limit", "3"])
    );
}

#[test]
fn health_and_openapi_describe_the_server() {
    let h = get_ok("/api/health");
    assert_eq!(h["status"], "ready");
    assert_eq!(
        (h["articles"].as_u64(), h["passages"].as_u64()),
        (Some(1), Some(20))
    );
    assert_eq!(h["fresh"], true);
    assert!(h["generation"].as_str().unwrap().starts_with("gen-"));
    let doc = get_ok("/api/openapi.json");
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/search",
        "/api/facets",
        "/api/timeline",
        "/api/passages/{id}",
        "/api/actors",
        "/api/actors/{name}",
        "/api/stances",
        "/api/health",
    ] {
        assert!(
            doc["paths"][path].is_object(),
            "{path} missing from the OpenAPI document"
        );
    }
    assert!(doc["components"]["schemas"]["Hit"].is_object());
}

#[test]
fn errors_are_json_with_the_status_that_fits() {
    let cases: [(&str, u16, &str); 14] = [
        ("/api/search?q=(security", 400, "bad_query"),
        ("/api/search?actor=Zarif", 400, "unknown_actor"),
        ("/api/search?stance=reckoning", 400, "unknown_stance"),
        ("/api/search?topic=sports", 400, "unknown_topic"),
        ("/api/search?camp=moderate", 400, "unknown_camp"),
        ("/api/search?polarity=maybe", 400, "unknown_polarity"),
        ("/api/search?article=nope", 400, "unknown_article"),
        ("/api/search?limit=ten", 400, "invalid_argument"),
        ("/api/search?limit=0", 400, "invalid_argument"),
        ("/api/search?sort=random", 400, "unknown_sort"),
        ("/api/search?nosuch=1", 400, "invalid_argument"),
        ("/api/facets?by=weather", 400, "unknown_by"),
        ("/api/passages/iran-intel-99", 404, "unknown_passage"),
        ("/api/nothing/here", 404, "not_found"),
    ];
    for (path, status, code) in cases {
        let (got, body) = get(&shared().base, path).unwrap();
        assert_eq!(
            (got, body["error"]["code"].as_str()),
            (status, Some(code)),
            "{path}: {body}"
        );
        assert!(!body["error"]["message"].as_str().unwrap().is_empty());
    }
    let (_, unknown) = get(&shared().base, "/api/search?actor=Zarif").unwrap();
    assert_eq!(unknown["error"]["suggestions"].as_array().unwrap().len(), 3);
    let (_, bad) = get(&shared().base, "/api/search?q=a%20AND").unwrap();
    assert_eq!(bad["error"]["position"], 2);
    // Too large a body.
    let big = format!(r#"{{"q": "{}"}}"#, "a".repeat(70_000));
    let response = agent()
        .post(&format!("{}/api/search", shared().base))
        .header("content-type", "application/json")
        .send(big.as_str())
        .unwrap();
    assert_eq!(response.status().as_u16(), 413);
    let v = json_of(response);
    assert_eq!(v["error"]["code"], "body_too_large");
    // A wrong method.
    let response = agent()
        .delete(&format!("{}/api/search", shared().base))
        .call()
        .unwrap();
    assert_eq!(response.status().as_u16(), 405);
    let v = json_of(response);
    assert_eq!(v["error"]["code"], "method_not_allowed");
}

/// Sends raw bytes and returns the status line.
fn raw_request(request: &[u8]) -> String {
    let mut stream = std::net::TcpStream::connect(&shared().addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    // The server may stop reading (and answer) before all is sent.
    let _ = stream.write_all(request);
    let mut reply = Vec::new();
    let _ = stream.read_to_end(&mut reply);
    String::from_utf8_lossy(&reply)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn no_path_reaches_the_file_system_and_headers_are_capped() {
    for path in [
        "/../Cargo.toml",
        "/%2e%2e/Cargo.toml",
        "/..%2fCargo.toml",
        "/app.js/../../etc/passwd",
        "/src/serve/ui/app.js",
    ] {
        let status = raw_request(
            format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes(),
        );
        assert!(status.contains(" 404 "), "{path}: {status}");
    }
    for (path, kind) in [
        ("/", "text/html"),
        ("/app.js", "text/javascript"),
        ("/style.css", "text/css"),
    ] {
        let response = agent()
            .get(&format!("{}{path}", shared().base))
            .call()
            .unwrap();
        assert_eq!(response.status().as_u16(), 200);
        let content_type = response
            .headers()
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap();
        assert!(content_type.starts_with(kind), "{path}: {content_type}");
        assert!(response.headers().get("content-security-policy").is_some());
    }
    let huge = format!(
        "GET /api/health HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\nConnection: close\r\n\r\n",
        "a".repeat(24 * 1024)
    );
    let status = raw_request(huge.as_bytes());
    assert!(status.contains(" 431 "), "{status}");
    // And the server goes on.
    assert_eq!(get_ok("/api/health")["status"], "ready");
}

#[test]
fn a_corpus_with_errors_gives_503_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    copy_tree(&corpus_dir(), &corpus);
    std::fs::write(corpus.join("topics.toml"), "[[topics]]\nid = \"Bad Id\"\n").unwrap();
    let (child, base, _) = start(&corpus, &dir.path().join("index"), &[]);
    let _server = Server {
        child,
        base: base.clone(),
        addr: String::new(),
        _dirs: vec![],
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    let health = loop {
        let (_, h) = get(&base, "/api/health").unwrap();
        if h["status"] == "error" || Instant::now() > deadline {
            break h;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(health["status"], "error", "{health}");
    assert!(
        health["error"].as_str().unwrap().contains("topics.toml"),
        "{health}"
    );
    let (status, v) = get(&base, "/api/search?q=security").unwrap();
    assert_eq!(
        (status, v["error"]["code"].as_str()),
        (503, Some("not_ready"))
    );
}

#[test]
fn an_edit_is_seen_within_seconds_and_no_request_fails_during_the_swap() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    copy_tree(&corpus_dir(), &corpus);
    let (child, base, _) = start(&corpus, &dir.path().join("index"), &[]);
    let _server = Server {
        child,
        base: base.clone(),
        addr: String::new(),
        _dirs: vec![],
    };
    wait_ready(&base);
    assert_eq!(
        get(&base, "/api/search?q=zeppelinxxxx").unwrap().1["total"],
        0
    );
    let stop = std::sync::atomic::AtomicBool::new(false);
    let failures = std::sync::Mutex::new(Vec::new());
    let requests = std::sync::atomic::AtomicUsize::new(0);
    let seen_after = std::thread::scope(|s| {
        for _ in 0..3 {
            s.spawn(|| {
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    match get(&base, "/api/search?actor=Khatib") {
                        Ok((200, v)) if v["total"] == 3 => {}
                        other => failures.lock().unwrap().push(format!("{other:?}")),
                    }
                    requests.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
            });
        }
        std::thread::sleep(Duration::from_millis(300));
        let text = corpus.join("articles/iran-intel/text.txt");
        let content = std::fs::read_to_string(&text).unwrap();
        let edited = Instant::now();
        std::fs::write(&text, content.replacen("achievements", "zeppelinxxxx", 1)).unwrap();
        let seen = loop {
            if get(&base, "/api/search?q=zeppelinxxxx").unwrap().1["total"] == 1 {
                break Some(edited.elapsed());
            }
            if edited.elapsed() > Duration::from_secs(20) {
                break None;
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        std::thread::sleep(Duration::from_millis(300));
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        seen
    });
    let seen = seen_after.expect("the edit was never seen");
    assert!(seen < Duration::from_secs(5), "seen after {seen:?}");
    let failures = failures.into_inner().unwrap();
    assert!(
        failures.is_empty(),
        "{} of {} requests failed: {:?}",
        failures.len(),
        requests.into_inner(),
        &failures[..failures.len().min(3)]
    );
    let (_, h) = get(&base, "/api/health").unwrap();
    assert!(
        h["last_refresh"]
            .as_str()
            .unwrap()
            .starts_with("updated 1 article (1 changed)"),
        "{h}"
    );
}

#[test]
fn beyond_loopback_it_warns_and_sigterm_stops_it() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, base, said) = start(
        &corpus_dir(),
        &dir.path().join("index"),
        &["--addr", "0.0.0.0:0"],
    );
    assert!(said.contains("warning: listening on 0.0.0.0:"), "{said}");
    assert!(said.contains("the API has no authentication"), "{said}");
    let base = base.replace("0.0.0.0", "127.0.0.1");
    wait_ready(&base);
    let pid = child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "{status:?}");
            break;
        }
        assert!(Instant::now() < deadline, "SIGTERM did not stop the server");
        std::thread::sleep(Duration::from_millis(50));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// Arbitrary parameter names and values: a JSON answer, never a 500.
    #[test]
    fn no_input_gives_a_500(
        name in prop::sample::select(vec!["q", "actor", "holder", "target", "stance", "topic", "camp", "article", "since", "until", "limit", "offset", "sort", "polarity", "by", "x"]),
        value in "\\PC{0,40}",
        endpoint in prop::sample::select(vec!["search", "facets", "timeline", "passages/", "actors/"]),
    ) {
        let encoded: String = value.bytes().map(|b| format!("%{b:02X}")).collect();
        let path = if endpoint.ends_with('/') {
            format!("/api/{endpoint}{encoded}")
        } else {
            format!("/api/{endpoint}?{name}={encoded}&by=actor")
        };
        let (status, body) = get(&shared().base, &path).map_err(TestCaseError::fail)?;
        prop_assert!(matches!(status, 200 | 400 | 404), "{} {}: {}", path, status, body);
        if status != 200 {
            prop_assert!(body["error"]["code"].is_string(), "{}: {}", path, body);
        }
    }
}
