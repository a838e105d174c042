//! `k8s-constitution serve` end to end: the real binary, certificates from `k8s-constitution
//! certs`, AdmissionReviews over TLS with a client that trusts only the generated CA.

use std::io::{BufRead as _, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject as _;
use serde_json::{Value, json};

#[path = "common/secret_corpus.rs"]
mod secret_corpus;

const BIN: &str = env!("CARGO_BIN_EXE_k8s-constitution");
/// Never printed by the server, whatever it does with the object holding it.
const SECRET: &str = "s3cr3t-value-0f-a-password";

// ---------------------------------------------------------------- harness

fn certs(dir: &Path) {
    let status = Command::new(BIN)
        .args([
            "certs",
            "--force",
            "--host",
            "127.0.0.1",
            "--host",
            "localhost",
            "--days",
            "2",
            "--out",
        ])
        .arg(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("run certs");
    assert!(status.success(), "certs failed");
}

/// A running server, killed when dropped (also when a test fails).
struct Server {
    child: Child,
    addr: SocketAddr,
    metrics: SocketAddr,
    logs: Arc<Mutex<Vec<String>>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(cert_dir: &Path, extra: &[&str]) -> Server {
        let mut child = Command::new(BIN)
            .arg("serve")
            .arg("--cert")
            .arg(cert_dir.join("tls.crt"))
            .arg("--key")
            .arg(cert_dir.join("tls.key"))
            .args([
                "--addr",
                "127.0.0.1:0",
                "--metrics-addr",
                "127.0.0.1:0",
                "--cert-poll-ms",
                "100",
            ])
            .args(extra)
            .env_remove("K8S_CONSTITUTION_CONFIG")
            .current_dir(cert_dir)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn serve");
        let stderr = child.stderr.take().expect("stderr");
        let logs = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let sink = logs.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Ok(v) = serde_json::from_str::<Value>(&line)
                    && v["message"] == "listening"
                {
                    let _ = tx.send((
                        v["addr"].as_str().unwrap_or_default().to_string(),
                        v["metrics_addr"].as_str().unwrap_or_default().to_string(),
                    ));
                }
                sink.lock().expect("logs").push(line);
            }
        });
        let (addr, metrics) = match rx.recv_timeout(Duration::from_secs(20)) {
            Ok(a) => a,
            Err(_) => {
                let _ = child.kill();
                panic!("server did not start: {:?}", logs.lock().expect("logs"));
            }
        };
        Server {
            child,
            addr: addr.parse().expect("addr"),
            metrics: metrics.parse().expect("metrics addr"),
            logs,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("https://127.0.0.1:{}{path}", self.addr.port())
    }

    fn logs(&self) -> Vec<String> {
        self.logs.lock().expect("logs").clone()
    }

    async fn wait_ready(&self, client: &reqwest::Client) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(r) = client.get(self.url("/readyz")).send().await
                && r.status() == 200
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "not ready in time: {:?}",
                self.logs()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

fn client_config(cas: &[&Path]) -> rustls::ClientConfig {
    // For plain-HTTP clients (metrics) too, which reqwest builds with the process default.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut roots = rustls::RootCertStore::empty();
    for ca in cas {
        for cert in CertificateDer::pem_file_iter(ca).expect("ca pem") {
            roots.add(cert.expect("ca cert")).expect("add root");
        }
    }
    rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_root_certificates(roots)
        .with_no_client_auth()
}

/// `fresh`: a new TLS connection per request (sees certificate changes at once).
fn client(cas: &[&Path], fresh: bool) -> reqwest::Client {
    let mut builder = reqwest::Client::builder()
        .tls_backend_preconfigured(client_config(cas))
        .tls_info(true)
        .timeout(Duration::from_secs(10));
    if fresh {
        builder = builder.pool_max_idle_per_host(0);
    }
    builder.build().expect("client")
}

fn review(uid: &str, operation: &str, namespace: &str, object: Value, dry_run: bool) -> Value {
    let kind = object["kind"].as_str().unwrap_or("Deployment").to_string();
    let (group, resource) = match kind.as_str() {
        "Pod" => ("", "pods"),
        _ => ("apps", "deployments"),
    };
    let (object, old) = match operation {
        "DELETE" => (Value::Null, object),
        "UPDATE" => (object.clone(), object),
        _ => (object, Value::Null),
    };
    json!({
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": uid,
            "kind": {"group": group, "version": "v1", "kind": kind},
            "resource": {"group": group, "version": "v1", "resource": resource},
            "name": "web",
            "namespace": namespace,
            "operation": operation,
            "userInfo": {"username": "dev@example.com", "groups": ["system:authenticated"]},
            "object": object,
            "oldObject": old,
            "dryRun": dry_run
        }
    })
}

/// The webhook's own Deployment (deploy/base): it must pass its own rules.
fn compliant() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/base/deployment.yaml");
    let text = std::fs::read_to_string(&path).expect("deploy/base/deployment.yaml");
    let loaded = k8s_constitution::load::load_str(
        "deployment.yaml",
        &text,
        k8s_constitution::load::LoadOptions::default(),
    );
    let mut object: Value = serde_json::to_value(
        &loaded
            .resources
            .into_iter()
            .next()
            .expect("a Deployment")
            .object,
    )
    .expect("serializable");
    object["metadata"]["name"] = json!("web");
    if let Some(meta) = object["metadata"].as_object_mut() {
        meta.remove("namespace");
    }
    // A value the rules do not judge (the name is not secret-like), to check it is never echoed.
    object["spec"]["template"]["spec"]["containers"][0]["env"] =
        json!([{"name": "GREETING", "value": SECRET}]);
    object
}

fn privileged() -> Value {
    let mut object = compliant();
    object["spec"]["template"]["spec"]["containers"][0]["securityContext"]["privileged"] =
        json!(true);
    object
}

const PRIVILEGED_PATH: &str = "spec.template.spec.containers[0].securityContext.privileged";

async fn send(client: &reqwest::Client, server: &Server, body: &Value) -> (u16, Value) {
    let r = client
        .post(server.url("/validate"))
        .json(body)
        .send()
        .await
        .expect("send");
    let status = r.status().as_u16();
    let text = r.text().await.expect("body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

fn temp() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

const CONFIG: &str = "rules:\n  no-host-ports:\n    severity: warning\nexemptions:\n  - rules: [\"*\"]\n    namespace: legacy\n    reason: legacy namespace, migrating by Q3\n";

// ---------------------------------------------------------------- tests

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admission_verdicts_logs_and_metrics() {
    let dir = temp();
    certs(dir.path());
    std::fs::write(dir.path().join("config.yaml"), CONFIG).expect("config");
    let server = Server::start(dir.path(), &["--config", "config.yaml"]);
    let ca = dir.path().join("ca.crt");
    let c = client(&[&ca], false);

    // healthz/readyz on the TLS port
    let h = c.get(server.url("/healthz")).send().await.expect("healthz");
    assert_eq!(h.status(), 200);
    server.wait_ready(&c).await;

    // allowed: the webhook's own Deployment, in a namespace with no exemption
    let (status, body) = send(
        &c,
        &server,
        &review("u-allowed", "CREATE", "team", compliant(), false),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["apiVersion"], "admission.k8s.io/v1");
    assert_eq!(body["kind"], "AdmissionReview");
    assert_eq!(body["response"]["uid"], "u-allowed");
    assert_eq!(body["response"]["allowed"], true, "{body}");

    // denied: one message with rule id, field path and fix
    let (status, body) = send(
        &c,
        &server,
        &review("u-denied", "CREATE", "team", privileged(), false),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["response"]["uid"], "u-denied");
    assert_eq!(body["response"]["allowed"], false, "{body}");
    assert_eq!(body["response"]["status"]["code"], 403);
    let message = body["response"]["status"]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(
        message.contains(&format!("[no-privileged] {PRIVILEGED_PATH}")),
        "{message}"
    );
    assert!(message.contains("How to fix:"), "{message}");
    assert!(!body.to_string().contains(SECRET));

    // a sensitive rule: the message names the key, never the value
    let mut literal = compliant();
    literal["spec"]["template"]["spec"]["containers"][0]["env"] =
        json!([{"name": "DB_PASSWORD", "value": SECRET}]);
    let (_, body) = send(
        &c,
        &server,
        &review("u-secret", "CREATE", "team", literal, false),
    )
    .await;
    assert_eq!(body["response"]["allowed"], false, "{body}");
    let message = body["response"]["status"]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(
        message.contains("[env-literal-secrets] spec.template.spec.containers[0].env[0].value"),
        "{message}"
    );
    assert!(
        message.contains("DB_PASSWORD") && !message.contains(SECRET),
        "{message}"
    );

    // allowed with warnings (no-host-ports is a warning by config here)
    let mut host_port = compliant();
    host_port["spec"]["template"]["spec"]["containers"][0]["ports"][0]["hostPort"] = json!(8443);
    let (_, body) = send(
        &c,
        &server,
        &review("u-warned", "CREATE", "team", host_port, false),
    )
    .await;
    assert_eq!(body["response"]["allowed"], true, "{body}");
    let warnings: Vec<&str> = body["response"]["warnings"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    assert!(
        warnings
            .iter()
            .any(|w| w
                .starts_with("[no-host-ports] spec.template.spec.containers[0].ports[0].hostPort")),
        "{warnings:?}"
    );
    assert!(
        warnings.iter().all(|w| w.chars().count() <= 120),
        "{warnings:?}"
    );

    // UPDATE judges request.object; DELETE is not evaluated; dryRun is judged like real
    let (_, body) = send(
        &c,
        &server,
        &review("u-update", "UPDATE", "team", privileged(), false),
    )
    .await;
    assert_eq!(body["response"]["allowed"], false, "{body}");
    let (_, body) = send(
        &c,
        &server,
        &review("u-update-ok", "UPDATE", "team", compliant(), false),
    )
    .await;
    assert_eq!(body["response"]["allowed"], true, "{body}");
    let (_, body) = send(
        &c,
        &server,
        &review("u-delete", "DELETE", "team", privileged(), false),
    )
    .await;
    assert_eq!(body["response"]["allowed"], true, "{body}");
    assert_eq!(body["response"]["uid"], "u-delete");
    let (_, body) = send(
        &c,
        &server,
        &review("u-dry", "CREATE", "team", privileged(), true),
    )
    .await;
    assert_eq!(body["response"]["allowed"], false, "{body}");

    // namespace-level exemption from the config file (the request's namespace)
    let (_, body) = send(
        &c,
        &server,
        &review("u-legacy", "CREATE", "legacy", privileged(), false),
    )
    .await;
    assert_eq!(body["response"]["allowed"], true, "{body}");

    // annotation exemption on the pod template, with a reason
    let mut annotated = privileged();
    annotated["spec"]["template"]["metadata"]["annotations"] = json!({
        "k8s-constitution.dev/exempt": "no-privileged",
        "k8s-constitution.dev/exempt-reason": "node agent, reviewed by security"
    });
    let (_, body) = send(
        &c,
        &server,
        &review("u-annotated", "CREATE", "team", annotated, false),
    )
    .await;
    assert_eq!(body["response"]["allowed"], true, "{body}");

    // malformed JSON, a review without request: 400 with a message that quotes nothing
    let r = c
        .post(server.url("/validate"))
        .header("content-type", "application/json")
        .body(format!("{{\"password\": \"{SECRET}\""))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 400);
    let text = r.text().await.expect("text");
    assert!(
        text.contains("not JSON") && !text.contains(SECRET),
        "{text}"
    );
    let r = c
        .post(server.url("/validate"))
        .json(&json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview"}))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 400);
    assert!(r.text().await.expect("text").contains("no `request`"));

    // oversize body: 413
    let mut huge = review("u-huge", "CREATE", "team", compliant(), false);
    huge["request"]["object"]["metadata"]["annotations"] =
        json!({"padding": "x".repeat(3 * 1024 * 1024 + 10)});
    let r = c
        .post(server.url("/validate"))
        .json(&huge)
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 413);

    // metrics on the plain port
    let metrics = reqwest::get(format!("http://{}/metrics", server.metrics))
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(metrics.contains("k8sc_admission_reviews_total{operation=\"CREATE\",kind=\"Deployment\",verdict=\"denied\"} 3"), "{metrics}");
    assert!(metrics.contains("k8sc_admission_reviews_total{operation=\"DELETE\",kind=\"Deployment\",verdict=\"skipped\"} 1"), "{metrics}");
    assert!(
        metrics.contains("k8sc_admission_denials_total{rule=\"no-privileged\"} 3"),
        "{metrics}"
    );
    assert!(
        metrics.contains("k8sc_admission_review_duration_seconds_count"),
        "{metrics}"
    );
    let expiry: i64 = metrics
        .lines()
        .find_map(|l| l.strip_prefix("k8sc_certificate_expiry_timestamp_seconds "))
        .and_then(|v| v.trim().parse().ok())
        .expect("expiry gauge");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    assert!(expiry > now && expiry < now + 3 * 86_400, "{expiry}");

    // structured logs: one JSON line per review with uid and verdict; never the secret
    let logs = server.logs();
    let review_line = logs
        .iter()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|v| v["uid"] == "u-denied" && v["message"] == "review")
        .expect("a review log line");
    assert_eq!(review_line["verdict"], "denied");
    assert_eq!(review_line["kind"], "Deployment");
    assert_eq!(review_line["namespace"], "team");
    assert_eq!(review_line["operation"], "CREATE");
    assert!(review_line["latency_ms"].as_f64().is_some());
    assert!(
        logs.iter()
            .any(|l| l.contains("finding exempted") && l.contains("u-annotated"))
    );
    assert!(logs.iter().all(|l| !l.contains(SECRET)), "secret in logs");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certificate_rotation_under_load() {
    // The Kubernetes Secret-volume layout: files are symlinks through `..data`, which is
    // swapped atomically to a new timestamped directory.
    let dir = temp();
    let root = dir.path();
    for version in ["v1", "v2"] {
        certs(&root.join(format!("..{version}")));
    }
    std::fs::create_dir_all(root.join("..v3")).expect("v3");
    std::fs::write(
        root.join("..v3/tls.crt"),
        "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n",
    )
    .expect("bad cert");
    std::fs::copy(root.join("..v2/tls.key"), root.join("..v3/tls.key")).expect("key");
    let swap = |to: &str| {
        let tmp = root.join("..data_tmp");
        let _ = std::fs::remove_file(&tmp);
        std::os::unix::fs::symlink(to, &tmp).expect("symlink");
        std::fs::rename(&tmp, root.join("..data")).expect("swap ..data");
    };
    swap("..v1");
    for file in ["tls.crt", "tls.key"] {
        std::os::unix::fs::symlink(format!("..data/{file}"), root.join(file)).expect("link");
    }
    let server = Server::start(root, &[]);
    let cas = [root.join("..v1/ca.crt"), root.join("..v2/ca.crt")];
    let ca_refs: Vec<&Path> = cas.iter().map(PathBuf::as_path).collect();
    let keepalive = client(&ca_refs, false);
    let fresh = client(&ca_refs, true);
    server.wait_ready(&keepalive).await;

    let der = |v: &str| {
        CertificateDer::from_pem_file(root.join(format!("..{v}/tls.crt")))
            .expect("pem")
            .to_vec()
    };
    let served = |client: reqwest::Client, url: String| async move {
        let r = client.get(url).send().await.ok()?;
        r.extensions()
            .get::<reqwest::tls::TlsInfo>()?
            .peer_certificate()
            .map(<[u8]>::to_vec)
    };
    assert_eq!(
        served(fresh.clone(), server.url("/healthz")).await,
        Some(der("v1"))
    );

    // Clients keep calling, on a kept-alive connection and on new ones, through the swaps.
    let stop = Arc::new(AtomicBool::new(false));
    let ok = Arc::new(AtomicUsize::new(0));
    let failed = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut tasks = Vec::new();
    for c in [keepalive.clone(), fresh.clone()] {
        let (stop, ok, failed, url) = (
            stop.clone(),
            ok.clone(),
            failed.clone(),
            server.url("/validate"),
        );
        tasks.push(tokio::spawn(async move {
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                i += 1;
                let body = review(&format!("rot-{i}"), "CREATE", "team", compliant(), false);
                match c.post(&url).json(&body).send().await {
                    Ok(r) if r.status() == 200 => {
                        ok.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(r) => failed
                        .lock()
                        .expect("failed")
                        .push(format!("status {}", r.status())),
                    Err(e) => failed.lock().expect("failed").push(e.to_string()),
                }
            }
        }));
    }

    tokio::time::sleep(Duration::from_millis(300)).await;
    swap("..v2");
    let deadline = Instant::now() + Duration::from_secs(10);
    while served(fresh.clone(), server.url("/healthz")).await != Some(der("v2")) {
        assert!(
            Instant::now() < deadline,
            "new certificate not served: {:?}",
            server.logs()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // A broken certificate is rejected and the good one stays in use.
    swap("..v3");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !server.logs().iter().any(|l| l.contains("rejected")) {
        assert!(
            Instant::now() < deadline,
            "bad certificate not reported: {:?}",
            server.logs()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        served(fresh.clone(), server.url("/healthz")).await,
        Some(der("v2"))
    );
    tokio::time::sleep(Duration::from_millis(300)).await;

    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.await.expect("load task");
    }
    let failed = failed.lock().expect("failed").clone();
    assert!(
        failed.is_empty(),
        "requests failed during rotation: {failed:?}"
    );
    assert!(
        ok.load(Ordering::Relaxed) > 20,
        "too few requests: {}",
        ok.load(Ordering::Relaxed)
    );
    let metrics = reqwest::get(format!("http://{}/metrics", server.metrics))
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(
        metrics.contains("k8sc_certificate_reloads_total{result=\"loaded\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("k8sc_certificate_reloads_total{result=\"rejected\"} 1"),
        "{metrics}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_finishes_in_flight_reviews_and_exits_zero() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

    let dir = temp();
    certs(dir.path());
    let mut server = Server::start(dir.path(), &[]);
    let ca = dir.path().join("ca.crt");
    let c = client(&[&ca], false);
    server.wait_ready(&c).await;

    // One review whose body is only half sent when SIGTERM arrives.
    let connector = tokio_rustls::TlsConnector::from(Arc::new(client_config(&[&ca])));
    let tcp = tokio::net::TcpStream::connect(server.addr)
        .await
        .expect("connect");
    let name = rustls_pki_types::ServerName::try_from("127.0.0.1").expect("name");
    let mut tls = connector.connect(name, tcp).await.expect("handshake");
    let body = serde_json::to_vec(&review("in-flight", "CREATE", "team", privileged(), false))
        .expect("json");
    let head = format!(
        "POST /validate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    tls.write_all(head.as_bytes()).await.expect("head");
    let (first, rest) = body.split_at(body.len() / 2);
    tls.write_all(first).await.expect("first half");
    tls.flush().await.expect("flush");

    // Load on other connections.
    let signalled = Arc::new(AtomicBool::new(false));
    let bad = Arc::new(Mutex::new(Vec::<String>::new()));
    let ok = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for n in 0..4 {
        let (c, url, signalled, bad, ok) = (
            c.clone(),
            server.url("/validate"),
            signalled.clone(),
            bad.clone(),
            ok.clone(),
        );
        tasks.push(tokio::spawn(async move {
            for i in 0..10_000 {
                let body = review(
                    &format!("load-{n}-{i}"),
                    "CREATE",
                    "team",
                    compliant(),
                    false,
                );
                match c.post(&url).json(&body).send().await {
                    Ok(r) if r.status() == 200 => {
                        ok.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(r) => bad
                        .lock()
                        .expect("bad")
                        .push(format!("HTTP {}", r.status())),
                    // Connections close once shutdown starts; before it, nothing may fail.
                    Err(e) if signalled.load(Ordering::Relaxed) => {
                        let _ = e;
                        return;
                    }
                    Err(e) => bad.lock().expect("bad").push(e.to_string()),
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;

    let pid = server.child.id().to_string();
    signalled.store(true, Ordering::Relaxed);
    let status = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(status.success());
    tokio::time::sleep(Duration::from_millis(300)).await;

    tls.write_all(rest)
        .await
        .expect("second half after SIGTERM");
    tls.flush().await.expect("flush");
    let mut response = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), tls.read_to_end(&mut response)).await;
    assert!(read.is_ok(), "in-flight review not answered");
    let response = String::from_utf8_lossy(&response);
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(
        response.contains("\"uid\":\"in-flight\"") && response.contains("\"allowed\":false"),
        "{response}"
    );

    for t in tasks {
        t.await.expect("load task");
    }
    let deadline = Instant::now() + Duration::from_secs(15);
    let exit = loop {
        if let Some(status) = server.child.try_wait().expect("wait") {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "server did not exit after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(exit.code(), Some(0), "{:?}", server.logs());
    let bad = bad.lock().expect("bad").clone();
    assert!(bad.is_empty(), "{bad:?}");
    assert!(ok.load(Ordering::Relaxed) > 0);
    assert!(server.logs().iter().any(|l| l.contains("SIGTERM")));
}

#[test]
fn refuses_a_missing_certificate_clearly() {
    let dir = temp();
    let out = Command::new(BIN)
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--metrics-addr",
            "127.0.0.1:0",
            "--cert",
        ])
        .arg(dir.path().join("missing.crt"))
        .arg("--key")
        .arg(dir.path().join("missing.key"))
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.crt"));
}

/// A Deployment with `n` containers, each breaking a dozen rules: enough work to outlast a
/// small evaluation budget.
fn heavy(n: usize) -> Value {
    let containers: Vec<Value> = (0..n)
        .map(|i| json!({"name": format!("c{i}"), "image": "nginx:latest", "securityContext": {"privileged": true}}))
        .collect();
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}},
                              "spec": {"containers": containers}}}
    })
}

/// Mutants killed: `--timeout-ms` ignored (an evaluation over its budget is answered with
/// HTTP 500, so the webhook's failurePolicy decides), and `--max-in-flight` ignored (a review
/// over the limit is refused with 503 at once instead of queueing).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn evaluation_budget_and_in_flight_limit_are_enforced() {
    let dir = temp();
    certs(dir.path());
    let ca = dir.path().join("ca.crt");
    let client = client(&[ca.as_path()], false);

    let tight = Server::start(dir.path(), &["--timeout-ms", "10", "--concurrency", "1"]);
    tight.wait_ready(&client).await;

    let (status, body) = send(
        &client,
        &tight,
        &review("big", "CREATE", "default", heavy(3000), false),
    )
    .await;
    assert_eq!(status, 500, "over the budget: {body}");
    assert!(
        body.as_str().is_some_and(|b| b.contains("evaluation")),
        "the refusal says why: {body}"
    );

    let one = Server::start(
        dir.path(),
        &[
            "--timeout-ms",
            "2000",
            "--max-in-flight",
            "1",
            "--concurrency",
            "1",
        ],
    );
    one.wait_ready(&client).await;
    let body = review("burst", "CREATE", "default", heavy(1500), false);
    let burst: Vec<_> = (0..8)
        .map(|_| {
            let (client, body, url) = (client.clone(), body.clone(), one.url("/validate"));
            tokio::spawn(async move {
                client
                    .post(url)
                    .json(&body)
                    .send()
                    .await
                    .map(|r| r.status().as_u16())
                    .unwrap_or(0)
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for task in burst {
        statuses.push(task.await.unwrap_or(0));
    }
    assert!(
        statuses.contains(&503),
        "over the in-flight limit: {statuses:?}"
    );
    assert!(
        statuses.contains(&200),
        "the one in flight is answered: {statuses:?}"
    );
}

/// Issue #17: the webhook's answers (denial messages, warnings), its logs and its metrics show
/// no credential of the corpus, for objects denied outright and for exempted ones (warnings).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_never_appear_in_admission_responses_or_logs() {
    let dir = temp();
    certs(dir.path());
    std::fs::write(
        dir.path().join("config.yaml"),
        "exemptions:\n  - rules: [env-literal-secrets, annotation-secrets]\n    namespace: exempted\n    reason: fake credentials\n",
    )
    .expect("config");
    let server = Server::start(dir.path(), &["--config", "config.yaml"]);
    let client = client(&[&dir.path().join("ca.crt")], false);
    server.wait_ready(&client).await;
    let mut shown = String::new();
    let mut reviews = 0;
    let mut denied = 0;
    for file in ["workloads.yaml", "config.yaml", "more-workloads.yaml"] {
        let text = std::fs::read_to_string(secret_corpus::corpus_dir().join(file)).expect("corpus");
        let loaded = k8s_constitution::load::load_str(
            file,
            &text,
            k8s_constitution::load::LoadOptions::default(),
        );
        for resource in loaded.resources {
            let object: Value = serde_json::to_value(&resource.object).expect("serializable");
            for namespace in ["secrets-corpus", "exempted"] {
                let mut object = object.clone();
                object["metadata"]["namespace"] = json!(namespace);
                for operation in ["CREATE", "UPDATE"] {
                    let body = review(
                        &format!("uid-{reviews}"),
                        operation,
                        namespace,
                        object.clone(),
                        false,
                    );
                    let (status, answer) = send(&client, &server, &body).await;
                    assert_eq!(status, 200, "{answer}");
                    if answer["response"]["allowed"] == json!(false) {
                        denied += 1;
                    }
                    shown.push_str(&answer.to_string());
                    reviews += 1;
                }
            }
        }
    }
    let metrics = reqwest::get(format!("http://{}/metrics", server.metrics))
        .await
        .expect("metrics")
        .text()
        .await
        .expect("metrics body");
    shown.push_str(&metrics);
    shown.push_str(&server.logs().join("\n"));
    assert!(
        denied >= 8,
        "only {denied} of {reviews} reviews denied: {shown}"
    );
    let leaks = secret_corpus::leaks(&shown);
    assert!(leaks.is_empty(), "the webhook shows {leaks:#?}");
}
