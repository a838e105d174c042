//! Load benchmark of `k8s-constitution serve` over TLS on loopback (not a timed test).
//!
//!     cargo bench --bench webhook_load                 # defaults below
//!     cargo bench --bench webhook_load -- --rate 1000 --seconds 20
//!
//! It generates certificates with `certs`, starts the release binary with the full rule pack,
//! then:
//! 1. open loop at `--rate` reviews/s for `--seconds` (requests are sent on schedule whether
//!    or not earlier ones answered; latency counts from the scheduled time, so a stall shows
//!    up in the percentiles instead of silently slowing the generator down);
//! 2. closed loop with `--connections` clients back to back, for the maximum throughput;
//! 3. open loop at rising rates to find the highest rate sustained with no errors, at least
//!    97 % of the rate achieved and p99 under `--max-p99-ms` (from `--start-rate`, `--step`;
//!    a rate fails when two 5 s runs in a row miss).
//!
//! It reports p50/p99/max, errors and the server's peak RSS (VmHWM).
//!
//! The bodies are AdmissionReviews of Deployments: the webhook's own (admitted) and the same
//! with a privileged container (denied), alternating. Client and server share the machine.

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_k8s-constitution");

struct Args {
    rate: u64,
    seconds: u64,
    connections: usize,
    max_p99_ms: f64,
    start_rate: u64,
    step: u64,
}

fn parse_args() -> Args {
    let mut args = Args {
        rate: 1000,
        seconds: 15,
        connections: 8,
        max_p99_ms: 5.0,
        start_rate: 250,
        step: 250,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = || it.next().unwrap_or_default();
        match a.as_str() {
            "--rate" => args.rate = value().parse().unwrap_or(args.rate),
            "--seconds" => args.seconds = value().parse().unwrap_or(args.seconds),
            "--connections" => args.connections = value().parse().unwrap_or(args.connections),
            "--max-p99-ms" => args.max_p99_ms = value().parse().unwrap_or(args.max_p99_ms),
            "--start-rate" => args.start_rate = value().parse().unwrap_or(args.start_rate),
            "--step" => args.step = value().parse().unwrap_or(args.step),
            _ => {} // `cargo bench` passes `--bench`
        }
    }
    args
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn deployment() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/base/deployment.yaml");
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let loaded = k8s_constitution::load::load_str(
        "deployment.yaml",
        &text,
        k8s_constitution::load::LoadOptions::default(),
    );
    loaded
        .resources
        .into_iter()
        .next()
        .and_then(|r| serde_json::to_value(&r.object).ok())
        .unwrap_or(Value::Null)
}

fn review(object: &Value, uid: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": uid,
            "kind": {"group": "apps", "version": "v1", "kind": "Deployment"},
            "resource": {"group": "apps", "version": "v1", "resource": "deployments"},
            "name": "web", "namespace": "team", "operation": "CREATE",
            "userInfo": {"username": "bench"},
            "object": object
        }
    }))
    .unwrap_or_default()
}

#[derive(Default)]
struct Stats {
    latencies: Vec<f64>,
    errors: usize,
    elapsed: f64,
}

impl Stats {
    fn percentile(&self, p: f64) -> f64 {
        if self.latencies.is_empty() {
            return f64::NAN;
        }
        let i = ((self.latencies.len() as f64 - 1.0) * p).round() as usize;
        self.latencies[i.min(self.latencies.len() - 1)]
    }
    fn throughput(&self) -> f64 {
        self.latencies.len() as f64 / self.elapsed
    }
    fn line(&self, label: &str) -> String {
        format!(
            "{label}: {} ok, {} errors, {:.0} reviews/s, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            self.latencies.len(),
            self.errors,
            self.throughput(),
            self.percentile(0.5),
            self.percentile(0.99),
            self.latencies.last().copied().unwrap_or(f64::NAN)
        )
    }
}

async fn post(client: &reqwest::Client, url: &str, body: Vec<u8>) -> bool {
    match client
        .post(url)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
    {
        Ok(r) if r.status() == 200 => r.bytes().await.is_ok(),
        _ => false,
    }
}

async fn open_loop(
    client: &reqwest::Client,
    url: &str,
    bodies: &Arc<Vec<Vec<u8>>>,
    rate: u64,
    seconds: u64,
) -> Stats {
    let total = rate * seconds;
    let start = tokio::time::Instant::now() + Duration::from_millis(20);
    let mut tasks = Vec::with_capacity(total as usize);
    for i in 0..total {
        let scheduled = start + Duration::from_nanos(i * 1_000_000_000 / rate);
        let (client, url, bodies) = (client.clone(), url.to_string(), bodies.clone());
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep_until(scheduled).await;
            let ok = post(
                &client,
                &url,
                bodies[(i % bodies.len() as u64) as usize].clone(),
            )
            .await;
            (ok, scheduled.elapsed().as_secs_f64() * 1e3)
        }));
    }
    let mut stats = Stats::default();
    for t in tasks {
        match t.await {
            Ok((true, ms)) => stats.latencies.push(ms),
            _ => stats.errors += 1,
        }
    }
    stats.elapsed = start.elapsed().as_secs_f64();
    stats.latencies.sort_by(f64::total_cmp);
    stats
}

async fn closed_loop(
    client: &reqwest::Client,
    url: &str,
    bodies: &Arc<Vec<Vec<u8>>>,
    connections: usize,
    seconds: u64,
) -> Stats {
    let start = Instant::now();
    let end = start + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for n in 0..connections {
        let (client, url, bodies) = (client.clone(), url.to_string(), bodies.clone());
        tasks.push(tokio::spawn(async move {
            let mut out = Stats::default();
            let mut i = n;
            while Instant::now() < end {
                let t = Instant::now();
                if post(&client, &url, bodies[i % bodies.len()].clone()).await {
                    out.latencies.push(t.elapsed().as_secs_f64() * 1e3);
                } else {
                    out.errors += 1;
                }
                i += 1;
            }
            out
        }));
    }
    let mut stats = Stats::default();
    for t in tasks {
        if let Ok(s) = t.await {
            stats.latencies.extend(s.latencies);
            stats.errors += s.errors;
        }
    }
    stats.elapsed = start.elapsed().as_secs_f64();
    stats.latencies.sort_by(f64::total_cmp);
    stats
}

/// `(le, cumulative count)` of the server's review duration histogram.
async fn server_histogram(client: &reqwest::Client, url: &str) -> Vec<(String, u64)> {
    let Ok(r) = client.get(url).send().await else {
        return Vec::new();
    };
    let text = r.text().await.unwrap_or_default();
    text.lines()
        .filter_map(|l| l.strip_prefix("k8sc_admission_review_duration_seconds_bucket{le=\""))
        .filter_map(|rest| {
            let (le, count) = rest.split_once("\"} ")?;
            Some((le.to_string(), count.trim().parse().ok()?))
        })
        .collect()
}

/// Upper bound (in ms) of the bucket holding quantile `q` of the reviews between two scrapes.
fn bucket_quantile(before: &[(String, u64)], after: &[(String, u64)], q: f64) -> String {
    let delta: Vec<(String, u64)> = after
        .iter()
        .map(|(le, n)| {
            let old = before.iter().find(|(l, _)| l == le).map_or(0, |(_, o)| *o);
            (le.clone(), n.saturating_sub(old))
        })
        .collect();
    let total = delta.last().map_or(0, |(_, n)| *n);
    let target = (total as f64 * q).ceil() as u64;
    delta
        .iter()
        .find(|(_, n)| *n >= target && total > 0)
        .map(|(le, _)| {
            le.parse::<f64>()
                .map_or_else(|_| le.clone(), |s| format!("{}", s * 1e3))
        })
        .unwrap_or_else(|| "?".into())
}

fn vm_hwm_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

#[tokio::main]
async fn main() {
    let args = parse_args();
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir().expect("tempdir");
    let status = Command::new(BIN)
        .args(["certs", "--host", "127.0.0.1", "--out"])
        .arg(dir.path())
        .stderr(Stdio::null())
        .status()
        .expect("certs");
    assert!(status.success());

    let mut child = Command::new(BIN)
        .arg("serve")
        .arg("--cert")
        .arg(dir.path().join("tls.crt"))
        .arg("--key")
        .arg(dir.path().join("tls.key"))
        .args(["--addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0"])
        .env_remove("K8S_CONSTITUTION_CONFIG")
        .current_dir(dir.path())
        .stderr(Stdio::piped())
        .spawn()
        .expect("serve");
    let pid = child.id();
    let stderr = child.stderr.take().expect("stderr");
    let server = Server(child);
    let (tx, rx) = std::sync::mpsc::channel();
    // Reads (and drops) the per-review log lines, as a log collector would.
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
        }
    });
    let (addr, metrics_addr) = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("server listening");
    let metrics_url = format!("http://{metrics_addr}/metrics");
    let port = addr.rsplit(':').next().unwrap_or_default().to_string();
    let base = format!("https://127.0.0.1:{port}");

    let mut roots = rustls::RootCertStore::empty();
    let ca = std::fs::read(dir.path().join("ca.crt")).expect("ca");
    use rustls_pki_types::pem::PemObject as _;
    for cert in rustls_pki_types::CertificateDer::pem_slice_iter(&ca).flatten() {
        let _ = roots.add(cert);
    }
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("tls versions")
    .with_root_certificates(roots)
    .with_no_client_auth();
    let client = reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .pool_max_idle_per_host(256)
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client");
    while !matches!(client.get(format!("{base}/readyz")).send().await, Ok(r) if r.status() == 200) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let allowed = deployment();
    let mut denied = allowed.clone();
    denied["spec"]["template"]["spec"]["containers"][0]["securityContext"]["privileged"] =
        json!(true);
    let bodies = Arc::new(vec![
        review(&allowed, "bench-allowed"),
        review(&denied, "bench-denied"),
    ]);
    let url = format!("{base}/validate");
    println!(
        "k8s-constitution serve benchmark: {} cores, {} rules, bodies {} and {} bytes",
        std::thread::available_parallelism()
            .map(usize::from)
            .unwrap_or(0),
        k8s_constitution::policy::embedded_files()
            .iter()
            .filter(|f| f.path.starts_with("policies/rules/") && f.is_rego() && !f.is_test())
            .count(),
        bodies[0].len(),
        bodies[1].len()
    );

    // Warm-up: connections, allocator, caches.
    let _ = open_loop(&client, &url, &bodies, 200, 2).await;

    // Let the server settle after the warm-up's connections.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = server_histogram(&client, &metrics_url).await;
    let at_rate = open_loop(&client, &url, &bodies, args.rate, args.seconds).await;
    println!(
        "{}",
        at_rate.line(&format!(
            "open loop at {} reviews/s for {} s",
            args.rate, args.seconds
        ))
    );
    let after = server_histogram(&client, &metrics_url).await;
    println!(
        "  server side (handler, from the duration histogram's buckets): p50 <= {} ms, p99 <= {} ms",
        bucket_quantile(&before, &after, 0.5),
        bucket_quantile(&before, &after, 0.99)
    );

    let saturated = closed_loop(&client, &url, &bodies, args.connections, 5).await;
    println!(
        "{}",
        saturated.line(&format!(
            "closed loop, {} connections, 5 s",
            args.connections
        ))
    );

    let mut best = None;
    let mut rate = args.start_rate.max(1);
    loop {
        // A 5 s run's p99 rests on its slowest 1 %, so one scheduling hiccup of the shared
        // 2 cores can sink it: a rate fails only when a second run fails too.
        let mut sustained = false;
        for attempt in 1..=2 {
            let s = open_loop(&client, &url, &bodies, rate, 5).await;
            sustained = s.errors == 0
                && s.throughput() >= 0.97 * rate as f64
                && s.percentile(0.99) < args.max_p99_ms;
            println!(
                "{}{}",
                s.line(&format!(
                    "open loop at {rate} reviews/s for 5 s (run {attempt})"
                )),
                if sustained { "" } else { "  <- not sustained" }
            );
            if sustained {
                break;
            }
        }
        if !sustained {
            break;
        }
        best = Some(rate);
        rate += args.step.max(1);
        if rate > 20_000 {
            break;
        }
    }
    match best {
        Some(r) => println!(
            "max sustained rate (0 errors, p99 < {} ms): {r} reviews/s",
            args.max_p99_ms
        ),
        None => println!("max sustained rate: below {} reviews/s", args.start_rate),
    }
    match vm_hwm_kib(pid) {
        Some(kib) => println!("server peak RSS (VmHWM): {:.1} MiB", kib as f64 / 1024.0),
        None => println!("server peak RSS: unavailable"),
    }
    drop(server);
}
