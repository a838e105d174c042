//! `serve`: the rule pack as a TLS validating admission webhook.
//!
//! The webhook has no rule logic of its own: every object goes through the same
//! [`Core::check_object`] as `lint`, with the same configuration file and exemptions.
//! Error-severity findings deny (one message: rule, field path, fix), warning-severity ones come
//! back as AdmissionResponse warnings, exempted ones are only logged.
//!
//! Cross-resource rules (`needs_all_resources`) are lint-only: an admission request carries one
//! object, and `check_object` runs the generated per-object query, which does not include them.
//!
//! Failure semantics: a review that cannot be evaluated in time (`--timeout-ms`, below the
//! webhook's `timeoutSeconds`) or whose evaluation fails is answered with HTTP 500, so the
//! webhook configuration's `failurePolicy` decides (Fail in `deploy/`: the object is refused
//! with the reason). Malformed bodies get 400, oversized ones 413.

mod admission;
mod metrics;
mod tls;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum_server::Handle;
use axum_server::tls_rustls::RustlsConfig;
use miette::{Context as _, IntoDiagnostic as _};
use serde_json::Value;
use tokio::sync::Semaphore;

use crate::cli::CommonPolicyArgs;
use crate::config::Config;
use crate::core::{Core, Selection, SetupError, Violation};
use crate::policy::{Evaluator, PackError, PackSource};
use metrics::Metrics;
pub use metrics::Verdict;

/// The API server refuses request bodies over 3 MiB, so no genuine review is larger.
pub const DEFAULT_MAX_BODY_BYTES: usize = 3 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Json,
    Text,
}

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Serving certificate (PEM; e.g. tls.crt of a kubernetes.io/tls Secret). Re-read when it changes.
    #[arg(long, value_name = "FILE", env = "K8SC_TLS_CERT")]
    pub cert: PathBuf,
    /// Private key of the certificate (PEM; tls.key).
    #[arg(long, value_name = "FILE", env = "K8SC_TLS_KEY")]
    pub key: PathBuf,
    /// HTTPS address for /validate, /healthz and /readyz (port 0 picks a free port; the
    /// bound address is logged).
    #[arg(long, value_name = "ADDR", default_value = "0.0.0.0:8443")]
    pub addr: SocketAddr,
    /// Plain-HTTP address for Prometheus /metrics.
    #[arg(long, value_name = "ADDR", default_value = "0.0.0.0:9090")]
    pub metrics_addr: SocketAddr,
    #[command(flatten)]
    pub policy: CommonPolicyArgs,
    /// Time budget of one review's evaluation, in milliseconds (keep it below the webhook's
    /// timeoutSeconds). Past it the review is answered with HTTP 500 and failurePolicy applies.
    #[arg(long, value_name = "MS", default_value_t = 3000, value_parser = clap::value_parser!(u64).range(10..=30_000))]
    pub timeout_ms: u64,
    /// Evaluations running at once (default: the number of CPUs). Reviews beyond it queue,
    /// within their time budget.
    #[arg(long, value_name = "N")]
    pub concurrency: Option<usize>,
    /// Largest request body accepted, in bytes (413 above).
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_BODY_BYTES)]
    pub max_body_bytes: usize,
    /// Reviews accepted at once (queued or evaluating); more are answered 503 at once, so an
    /// overload costs a fast failure (failurePolicy) instead of memory and timeouts.
    #[arg(long, value_name = "N", default_value_t = 256)]
    pub max_in_flight: usize,
    /// How often the certificate files are checked for changes, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 5000, value_parser = clap::value_parser!(u64).range(50..))]
    pub cert_poll_ms: u64,
    /// After SIGTERM, keep serving (while /readyz fails) for this many seconds, so that the
    /// API server stops sending reviews here before the listener closes.
    #[arg(long, value_name = "SECS", default_value_t = 0)]
    pub shutdown_delay_secs: u64,
    /// Longest wait for in-flight reviews at shutdown, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 20)]
    pub shutdown_grace_secs: u64,
    /// Log format on stderr.
    #[arg(long, value_enum, default_value_t = LogFormat::Json)]
    pub log_format: LogFormat,
}

/// Evaluators are not shareable between threads, so each blocking evaluation checks one out
/// (with the core it belongs to) and puts it back.
struct Worker {
    core: Core,
    evaluator: Evaluator,
}

struct Pool {
    template: Mutex<Core>,
    idle: Mutex<Vec<Worker>>,
    limit: Duration,
}

impl Pool {
    fn worker(&self) -> Worker {
        if let Some(worker) = self.idle.lock().ok().and_then(|mut idle| idle.pop()) {
            return worker;
        }
        let core = match self.template.lock() {
            Ok(core) => core.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        };
        let mut evaluator = core.evaluator();
        // The engine stops itself at the budget; the async side also stops waiting then.
        evaluator.set_time_limit(self.limit);
        Worker { core, evaluator }
    }

    fn check(&self, object: &Value, namespace: Option<&str>) -> Result<Vec<Violation>, PackError> {
        let mut worker = self.worker();
        let object = crate::object::from_json(object);
        let result = worker
            .core
            .check_object(&mut worker.evaluator, &object, namespace);
        // An engine whose evaluation failed (time limit) may hold a half-run state: drop it.
        if result.is_ok()
            && let Ok(mut idle) = self.idle.lock()
        {
            idle.push(worker);
        }
        result
    }
}

/// What the evaluation side needs once the pack is compiled.
struct Engine {
    pool: Pool,
    /// Rule id → remediation, for denial messages.
    remediation: HashMap<String, String>,
}

struct AppState {
    engine: OnceLock<Engine>,
    shutting_down: AtomicBool,
    permits: Arc<Semaphore>,
    budget: Duration,
    metrics: Arc<Metrics>,
    max_body_bytes: usize,
    in_flight: AtomicUsize,
    max_in_flight: usize,
}

/// Counts a review as in flight until dropped.
struct InFlight<'a>(&'a AtomicUsize);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl AppState {
    fn ready(&self) -> bool {
        self.engine.get().is_some() && !self.shutting_down.load(Ordering::Relaxed)
    }
}

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("K8SC_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false);
    // A second call (tests running `run` twice in one process) keeps the first subscriber.
    let _ = match format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

pub fn run(args: ServeArgs) -> miette::Result<ExitCode> {
    init_logging(args.log_format);
    let concurrency = args.concurrency.filter(|n| *n > 0).unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(usize::from)
            .unwrap_or(2)
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        // Evaluations are bounded by the semaphore; a few more threads for file reads.
        .max_blocking_threads(concurrency + 4)
        .thread_name("k8sc-serve")
        .build()
        .into_diagnostic()
        .wrap_err("cannot start the async runtime")?;
    runtime.block_on(serve(args, concurrency))
}

async fn serve(args: ServeArgs, concurrency: usize) -> miette::Result<ExitCode> {
    let metrics = Arc::new(Metrics::new());

    // The certificate first: without it there is nothing to serve, so fail fast and loudly.
    let files = tls::CertFiles {
        cert: args.cert.clone(),
        key: args.key.clone(),
    };
    let loaded = files.read().and_then(|source| files.load(source))?;
    metrics.certificate_loaded(loaded.not_after);
    tracing::info!(serial = %loaded.serial, not_after = loaded.not_after, cert = %args.cert.display(), "serving certificate loaded");
    let rustls = RustlsConfig::from_config(loaded.config.clone());

    let (config, config_path) = Config::load(args.policy.config.as_deref())?;
    if let Some(path) = &config_path {
        tracing::info!(config = %path.display(), "configuration loaded");
    }
    let source = PackSource {
        extra_dirs: args.policy.policy_dirs.clone(),
        ..PackSource::default()
    };

    let budget = Duration::from_millis(args.timeout_ms);
    let state = Arc::new(AppState {
        engine: OnceLock::new(),
        shutting_down: AtomicBool::new(false),
        permits: Arc::new(Semaphore::new(concurrency)),
        budget,
        metrics: metrics.clone(),
        max_body_bytes: args.max_body_bytes,
        in_flight: AtomicUsize::new(0),
        max_in_flight: args.max_in_flight.max(1),
    });

    let listener = std::net::TcpListener::bind(args.addr)
        .into_diagnostic()
        .wrap_err_with(|| format!("cannot listen on {}", args.addr))?;
    listener.set_nonblocking(true).into_diagnostic()?;
    let addr = listener.local_addr().into_diagnostic()?;
    let metrics_listener = std::net::TcpListener::bind(args.metrics_addr)
        .into_diagnostic()
        .wrap_err_with(|| format!("cannot listen on {} (metrics)", args.metrics_addr))?;
    metrics_listener.set_nonblocking(true).into_diagnostic()?;
    let metrics_addr = metrics_listener.local_addr().into_diagnostic()?;

    // Compile the pack off the runtime while the listeners already answer /healthz (and
    // /readyz with 503), so a slow start is visible rather than a refused connection.
    let compile_state = state.clone();
    let compile = tokio::task::spawn_blocking(move || -> Result<(), SetupError> {
        let started = Instant::now();
        let core = Core::load(source, config, Selection::default())?;
        let remediation = core
            .pack()
            .rules()
            .iter()
            .map(|r| (r.id.clone(), r.remediation.clone()))
            .collect();
        let rules = core.pack().rules().len();
        let lint_only = core
            .pack()
            .rules()
            .iter()
            .filter(|r| r.needs_all_resources)
            .count();
        let pool = Pool {
            template: Mutex::new(core),
            idle: Mutex::new(Vec::new()),
            limit: budget,
        };
        // One warm evaluator per permit, each run once, so the first reviews pay nothing extra.
        let warm: Vec<Worker> = (0..concurrency)
            .map(|_| {
                let mut w = pool.worker();
                let pod = serde_json::json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "warm-up"}, "spec": {"containers": [{"name": "c", "image": "x"}]}});
                let _ = w.core.check_object(&mut w.evaluator, &crate::object::from_json(&pod), None);
                w
            })
            .collect();
        if let Ok(mut idle) = pool.idle.lock() {
            idle.extend(warm);
        }
        let _ = compile_state.engine.set(Engine { pool, remediation });
        tracing::info!(
            rules,
            lint_only_rules = lint_only,
            millis = started.elapsed().as_millis() as u64,
            "rule pack compiled; ready"
        );
        Ok(())
    });

    let app = Router::new()
        .route("/validate", post(validate))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .layer(DefaultBodyLimit::max(args.max_body_bytes))
        .with_state(state.clone());
    let metrics_app = Router::new()
        .route("/metrics", get(metrics_text))
        .with_state(metrics.clone());

    let handle: Handle<SocketAddr> = Handle::new();
    let metrics_handle: Handle<SocketAddr> = Handle::new();
    let server = axum_server::from_tcp_rustls(listener, rustls.clone())
        .into_diagnostic()?
        .handle(handle.clone())
        // A connection that never sends a request does not hold a slot for long.
        .first_request_timeout(Duration::from_secs(10));
    let server = tokio::spawn(server.serve(app.into_make_service()));
    let metrics_server = tokio::spawn(
        axum_server::from_tcp(metrics_listener)
            .into_diagnostic()?
            .handle(metrics_handle.clone())
            .serve(metrics_app.into_make_service()),
    );
    tracing::info!(%addr, %metrics_addr, "listening");

    let watcher = tokio::spawn(tls::watch(
        files,
        rustls,
        metrics.clone(),
        loaded.source,
        Duration::from_millis(args.cert_poll_ms),
    ));

    // A pack that does not compile is fatal: serving would mean admitting unchecked objects
    // (or refusing everything); exiting makes the Deployment's rollout stop visibly.
    let mut compile = compile;
    let shutdown = tokio::select! {
        compiled = &mut compile => {
            match compiled {
                Ok(Ok(())) => None,
                Ok(Err(e)) => Some(Err(miette::Report::new(e))),
                Err(e) => Some(Err(miette::miette!("compiling the rule pack panicked: {e}"))),
            }
        }
        signal = shutdown_signal() => Some(Ok(signal)),
    };
    let outcome = match shutdown {
        Some(Err(e)) => Err(e),
        Some(Ok(signal)) => Ok(signal),
        None => Ok(shutdown_signal().await),
    };
    let signal = match outcome {
        Ok(signal) => signal,
        Err(e) => {
            handle.shutdown();
            metrics_handle.shutdown();
            return Err(e);
        }
    };

    state.shutting_down.store(true, Ordering::Relaxed);
    tracing::info!(
        signal,
        delay_secs = args.shutdown_delay_secs,
        "shutting down: /readyz now fails"
    );
    if args.shutdown_delay_secs > 0 {
        tokio::time::sleep(Duration::from_secs(args.shutdown_delay_secs)).await;
    }
    let grace = Duration::from_secs(args.shutdown_grace_secs);
    handle.graceful_shutdown(Some(grace));
    metrics_handle.graceful_shutdown(Some(Duration::from_secs(1)));
    watcher.abort();
    let served = server.await;
    let _ = metrics_server.await;
    match served {
        Ok(Ok(())) => {
            tracing::info!("stopped");
            Ok(ExitCode::SUCCESS)
        }
        Ok(Err(e)) => Err(miette::miette!("the HTTPS server failed: {e}")),
        Err(e) => Err(miette::miette!("the HTTPS server task failed: {e}")),
    }
}

/// Resolves on SIGTERM (Kubernetes stopping the pod) or SIGINT (Ctrl-C); names it.
async fn shutdown_signal() -> &'static str {
    #[cfg(unix)]
    {
        let term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate());
        match term {
            Ok(mut term) => tokio::select! {
                _ = term.recv() => "SIGTERM",
                _ = tokio::signal::ctrl_c() => "SIGINT",
            },
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
                "SIGINT"
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
        "SIGINT"
    }
}

async fn readyz(State(state): State<Arc<AppState>>) -> Response {
    if state.ready() {
        (StatusCode::OK, "ready").into_response()
    } else if state.shutting_down.load(Ordering::Relaxed) {
        (StatusCode::SERVICE_UNAVAILABLE, "shutting down").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "rule pack still compiling").into_response()
    }
}

async fn metrics_text(State(metrics): State<Arc<Metrics>>) -> Response {
    (
        [(header::CONTENT_TYPE, metrics::CONTENT_TYPE)],
        metrics.encode(),
    )
        .into_response()
}

fn plain(status: StatusCode, message: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        message + "\n",
    )
        .into_response()
}

/// `POST /validate`. Content-Type is not checked: the API server always sends JSON and the
/// body is parsed as JSON whatever the header says, so a wrong header costs nothing and
/// rejecting it would only add a way to fail.
async fn validate(
    State(state): State<Arc<AppState>>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let started = Instant::now();
    let body = match body {
        Ok(body) => body,
        Err(rejection) => {
            let status = rejection.status();
            let message = if status == StatusCode::PAYLOAD_TOO_LARGE {
                format!("request body larger than {} bytes", state.max_body_bytes)
            } else {
                format!("cannot read the request body: {}", rejection.body_text())
            };
            tracing::warn!(status = status.as_u16(), error = %message, "review refused");
            return plain(status, message);
        }
    };
    let _in_flight = InFlight(&state.in_flight);
    if state.in_flight.fetch_add(1, Ordering::Relaxed) >= state.max_in_flight {
        tracing::warn!(
            max_in_flight = state.max_in_flight,
            "review refused: too many in flight"
        );
        return plain(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "overloaded: more than {} reviews in flight",
                state.max_in_flight
            ),
        );
    }
    let Some(engine) = state.engine.get() else {
        // Only reachable before readiness: the API server should not be sending yet.
        return plain(
            StatusCode::SERVICE_UNAVAILABLE,
            "the rule pack is still compiling".into(),
        );
    };
    let review = match admission::parse(&body) {
        Ok(review) => review,
        Err(e) => {
            tracing::warn!(status = 400, error = %e, "malformed review");
            return plain(StatusCode::BAD_REQUEST, e.to_string());
        }
    };
    let operation = review.operation();
    let kind = review.kind().to_string();
    let name = review.name();
    let namespace = review.namespace().map(str::to_string);
    let uid = review.request.uid.clone();
    let dry_run = review.request.dry_run;

    let Some(object) = review.object else {
        // DELETE and CONNECT: nothing to judge.
        let response = admission::respond(&review.request, None, Vec::new());
        let seconds = started.elapsed().as_secs_f64();
        state
            .metrics
            .review(operation, &kind, Verdict::Skipped, seconds);
        tracing::info!(
            uid,
            operation,
            kind,
            namespace,
            name,
            dry_run,
            verdict = "skipped",
            latency_ms = seconds * 1e3,
            "review"
        );
        return axum::Json(response).into_response();
    };

    let violations = evaluate(&state, object, namespace.clone(), started).await;
    let violations = match violations {
        Ok(v) => v,
        Err(message) => {
            let seconds = started.elapsed().as_secs_f64();
            state
                .metrics
                .review(operation, &kind, Verdict::Error, seconds);
            tracing::error!(uid, operation, kind, namespace, name, dry_run, verdict = "error", latency_ms = seconds * 1e3, error = %message, "review");
            return plain(StatusCode::INTERNAL_SERVER_ERROR, message);
        }
    };

    let outcome = admission::classify(&violations);
    let shown = match &namespace {
        Some(ns) => format!("{ns}/{name}"),
        None => name.clone(),
    };
    let denial = (!outcome.denying.is_empty())
        .then(|| admission::denial_message(&kind, &shown, &outcome.denying, &engine.remediation));
    let warnings = admission::warnings(&outcome.warning);
    let verdict = if denial.is_some() {
        Verdict::Denied
    } else if warnings.is_empty() {
        Verdict::Allowed
    } else {
        Verdict::Warned
    };
    let response = admission::respond(&review.request, denial, warnings);

    let seconds = started.elapsed().as_secs_f64();
    state.metrics.review(operation, &kind, verdict, seconds);
    let denied_rules = distinct_rules(&outcome.denying);
    for rule in &denied_rules {
        state.metrics.denied_by(rule);
    }
    let warned_rules = distinct_rules(&outcome.warning);
    // Rule ids and field paths only: messages may name Secret keys and objects may hold values.
    for v in &outcome.exempted {
        let reason = v.exemption.exempted_reason().unwrap_or_default();
        tracing::info!(uid, kind, namespace, name, rule = %v.rule, path = %v.path, reason, "finding exempted");
    }
    tracing::info!(
        uid,
        operation,
        kind,
        namespace,
        name,
        dry_run,
        verdict = verdict.as_str(),
        latency_ms = seconds * 1e3,
        denied_rules = denied_rules.join(","),
        warned_rules = warned_rules.join(","),
        exempted = outcome.exempted.len(),
        "review"
    );
    axum::Json(response).into_response()
}

/// Runs the core on the blocking pool within the review's budget (queueing included).
async fn evaluate(
    state: &Arc<AppState>,
    object: Value,
    namespace: Option<String>,
    started: Instant,
) -> Result<Vec<Violation>, String> {
    let deadline = started + state.budget;
    let timed_out = || {
        format!(
            "evaluation did not finish within {} ms",
            state.budget.as_millis()
        )
    };
    let permit =
        match tokio::time::timeout_at(deadline.into(), state.permits.clone().acquire_owned()).await
        {
            Ok(Ok(permit)) => permit,
            Ok(Err(_)) => return Err("the evaluator pool is closed".into()),
            Err(_) => return Err(timed_out()),
        };
    let shared = state.clone();
    let run = tokio::task::spawn_blocking(move || {
        // The permit lives as long as the evaluation, even one the caller stopped waiting
        // for (it ends at the engine's own time limit), so concurrency stays bounded.
        let _permit = permit;
        match shared.engine.get() {
            Some(engine) => engine.pool.check(&object, namespace.as_deref()),
            None => Err(PackError::Eval("the rule pack is not compiled".into())),
        }
    });
    let result = tokio::time::timeout_at(deadline.into(), run).await;
    match result {
        Ok(Ok(Ok(violations))) => Ok(violations),
        Ok(Ok(Err(e))) => Err(format!("evaluation failed: {e}")),
        Ok(Err(e)) => Err(format!("evaluation aborted: {e}")),
        Err(_) => Err(timed_out()),
    }
}

/// The ids of the rules behind some violations, sorted, each once.
fn distinct_rules<V: std::borrow::Borrow<crate::core::Violation>>(violations: &[V]) -> Vec<&str> {
    let mut rules: Vec<&str> = violations
        .iter()
        .map(|v| v.borrow().rule.as_str())
        .collect();
    rules.sort_unstable();
    rules.dedup();
    rules
}
