//! `audit`: the live objects of a cluster, through the same evaluation as `lint`.
//!
//! Objects are listed through kube's client (kubeconfig or in-cluster), page by page
//! (`limit` + `continue`). Each object, without `metadata.managedFields`, `status` and the
//! `kubectl.kubernetes.io/last-applied-configuration` copy of itself, becomes a JSON document
//! named `cluster/<namespace>/<Kind>/<name>` and goes through the loader and
//! [`lint::lint_loaded`] exactly like a file, so paths, positions, severities, exemptions,
//! reporters and exit codes are those of `lint`. Only per-object rules run on the pages; the
//! cross-resource rules then run once per namespace over that namespace's objects (the pack's
//! cross-resource rules relate objects of one namespace: selectors, PodDisruptionBudgets,
//! NetworkPolicies), through the same [`Core::check_set`] and [`Finding::locate`] lint uses.
//!
//! Memory: one page of full objects at a time; for the cross-resource rules the JSON text of
//! every audited namespaced object is kept (compact once stripped), parsed one namespace at a
//! time; findings keep their object's text for the reporters.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::Arc;
use std::time::Duration;

use kube::api::{Api, ApiResource, DynamicObject, ListParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::discovery::{ApiCapabilities, Discovery, Scope, verbs};
use kube::{Client, Config};
use serde_json::{Map, Value};

use crate::cli::AuditArgs;
use crate::core::Core;
use crate::findings::{Finding, LintReport};
use crate::lint;
use crate::load::{self, InputError, LoadOptions, Loaded, SourceFile};
use crate::policy::RuleMeta;

/// Kinds whose pod spec the workloads library reads: what rules with kinds `["*"]` judge
/// (the same list as `deploy/base/webhook.yaml`).
pub const POD_SPEC_KINDS: &[&str] = &[
    "Pod",
    "PodTemplate",
    "ReplicationController",
    "Deployment",
    "ReplicaSet",
    "StatefulSet",
    "DaemonSet",
    "Job",
    "CronJob",
];

const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// A fatal audit error (no report possible): no kubeconfig, API server unreachable, discovery
/// refused. Lists that fail are not fatal: they are input errors in the report (exit 2).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum AuditError {
    #[error("cannot read the kubeconfig {path}: {reason}")]
    #[diagnostic(
        code(k8sc::audit::kubeconfig),
        help("pass --kubeconfig FILE, set KUBECONFIG, or run in a pod with a service account")
    )]
    Kubeconfig { path: String, reason: String },
    #[error("no usable cluster configuration: {0}")]
    #[diagnostic(
        code(k8sc::audit::config),
        help(
            "pass --kubeconfig FILE (and --context NAME), set KUBECONFIG, or run in a pod with a service account"
        )
    )]
    Config(String),
    #[error("cannot talk to the API server at {server}: {reason}")]
    #[diagnostic(
        code(k8sc::audit::unreachable),
        help("check the server address and credentials of the kubeconfig context")
    )]
    Api { server: String, reason: String },
    #[error("namespace {0} does not exist on the API server")]
    #[diagnostic(
        code(k8sc::audit::no_namespace),
        help(
            "`kubectl get namespaces` lists them; auditing a namespace that is not there would judge nothing"
        )
    )]
    NoNamespace(String),
    #[error("cannot start the audit's runtime: {0}")]
    Runtime(String),
}

/// What to audit.
pub struct AuditOptions<'a> {
    pub namespace: Option<&'a str>,
    pub kubeconfig: Option<&'a std::path::Path>,
    pub context: Option<&'a str>,
    pub page_size: u32,
    pub include_owned: bool,
}

impl<'a> AuditOptions<'a> {
    pub fn from_args(args: &'a AuditArgs) -> Self {
        Self {
            namespace: args.namespace.as_deref(),
            kubeconfig: args.kubeconfig.as_deref(),
            context: args.context.as_deref(),
            page_size: args.page_size,
            include_owned: args.include_owned,
        }
    }
}

/// The kinds to list for these rules: the kinds they name, the pod-spec kinds when one looks
/// at any object, and what cross-resource rules declare they read (`reads`).
pub fn kinds_to_list<'a>(rules: impl IntoIterator<Item = &'a RuleMeta>) -> BTreeSet<String> {
    let mut kinds = BTreeSet::new();
    for rule in rules {
        for kind in rule.kinds.iter().chain(&rule.reads) {
            if kind == "*" {
                kinds.extend(POD_SPEC_KINDS.iter().map(|k| k.to_string()));
            } else {
                kinds.insert(kind.clone());
            }
        }
    }
    kinds
}

/// Audits the cluster. `object_core` runs the per-object rules (the cross-resource ones
/// switched off), `set_core` the cross-resource ones; both are the same pack and config.
pub fn run(
    object_core: &Core,
    set_core: &Core,
    rules: &[&RuleMeta],
    options: &AuditOptions<'_>,
) -> Result<(LintReport, AuditNotes), AuditError> {
    // kube's TLS uses the process-wide rustls provider: ring, as the server does.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| AuditError::Runtime(e.to_string()))?;
    runtime.block_on(audit(object_core, set_core, rules, options))
}

/// What the audit did besides findings, for a line on stderr.
#[derive(Debug, Default)]
pub struct AuditNotes {
    /// `Kind (group/version)` listed.
    pub listed: Vec<String>,
    /// Kinds the rules name that the API server does not serve.
    pub not_served: Vec<String>,
    /// Objects skipped because a controller of an audited kind owns them.
    pub owned_skipped: usize,
}

/// The client and the server's URL (for messages).
async fn client(options: &AuditOptions<'_>) -> Result<(Client, String), AuditError> {
    let kube_options = KubeConfigOptions {
        context: options.context.map(str::to_string),
        ..KubeConfigOptions::default()
    };
    let mut config = match (options.kubeconfig, options.context) {
        (Some(path), _) => {
            let kubeconfig = Kubeconfig::read_from(path).map_err(|e| AuditError::Kubeconfig {
                path: path.display().to_string(),
                reason: error_chain(&e),
            })?;
            Config::from_custom_kubeconfig(kubeconfig, &kube_options)
                .await
                .map_err(|e| AuditError::Config(error_chain(&e)))?
        }
        (None, Some(_)) => Config::from_kubeconfig(&kube_options)
            .await
            .map_err(|e| AuditError::Config(error_chain(&e)))?,
        (None, None) => Config::infer()
            .await
            .map_err(|e| AuditError::Config(error_chain(&e)))?,
    };
    config.connect_timeout = Some(Duration::from_secs(10));
    config.read_timeout = Some(Duration::from_secs(60));
    let server = config.cluster_url.to_string();
    let client = Client::try_from(config).map_err(|e| AuditError::Api {
        server: server.clone(),
        reason: error_chain(&e),
    })?;
    Ok((client, server))
}

/// An error with its causes (`a: b: c`), as kube's errors keep the useful part in sources.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let s_text = s.to_string();
        if !text.contains(&s_text) {
            text.push_str(": ");
            text.push_str(&s_text);
        }
        source = s.source();
    }
    text
}

/// A namespace that does not exist is a usage error, not an empty (and so clean) audit. Where
/// the namespace cannot be read (no RBAC for it), the lists that follow say what is refused.
async fn require_namespace(client: &Client, namespace: &str) -> Result<(), AuditError> {
    let api: Api<k8s_openapi::api::core::v1::Namespace> = Api::all(client.clone());
    match api.get(namespace).await {
        Err(kube::Error::Api(status)) if status.code == 404 => {
            Err(AuditError::NoNamespace(namespace.to_string()))
        }
        _ => Ok(()),
    }
}

/// A list error in words: `forbidden: ...` for a 403 and so on.
fn list_error(e: &kube::Error) -> String {
    match e {
        kube::Error::Api(status) => {
            format!("{} ({}): {}", status.reason, status.code, status.message)
        }
        other => error_chain(other),
    }
}

async fn audit(
    object_core: &Core,
    set_core: &Core,
    rules: &[&RuleMeta],
    options: &AuditOptions<'_>,
) -> Result<(LintReport, AuditNotes), AuditError> {
    let (client, server) = client(options).await?;
    if let Some(namespace) = options.namespace {
        require_namespace(&client, namespace).await?;
    }
    let discovery = match Discovery::new(client.clone()).run_aggregated().await {
        Ok(d) => d,
        // Servers before aggregated discovery (Kubernetes < 1.26): one request per group.
        Err(_) => Discovery::new(client.clone())
            .run()
            .await
            .map_err(|e| AuditError::Api {
                server,
                reason: error_chain(&e),
            })?,
    };

    let wanted = kinds_to_list(rules.iter().copied());
    let mut notes = AuditNotes::default();
    let mut resources: Vec<(ApiResource, ApiCapabilities)> = Vec::new();
    for group in discovery.groups_alphabetical() {
        for (ar, caps) in group.recommended_resources() {
            if wanted.contains(&ar.kind)
                && caps.supports_operation(verbs::LIST)
                && !ar.plural.contains('/')
            {
                resources.push((ar, caps));
            }
        }
    }
    let served: HashSet<&str> = resources.iter().map(|(ar, _)| ar.kind.as_str()).collect();
    notes.not_served = wanted
        .iter()
        .filter(|k| !served.contains(k.as_str()))
        .cloned()
        .collect();
    let audited_kinds: HashSet<String> = served.iter().map(|k| k.to_string()).collect();

    let mut state = State::default();
    for (ar, caps) in &resources {
        let namespaced = matches!(caps.scope, Scope::Namespaced);
        let api: Api<DynamicObject> = match (namespaced, options.namespace) {
            (true, Some(ns)) => Api::namespaced_with(client.clone(), ns, ar),
            (false, Some(_)) => continue, // cluster-scoped kinds are not in a namespace
            _ => Api::all_with(client.clone(), ar),
        };
        notes
            .listed
            .push(format!("{} ({})", ar.kind, ar.api_version));
        let mut params = ListParams::default().limit(options.page_size);
        loop {
            let page = match api.list(&params).await {
                Ok(page) => page,
                Err(e) => {
                    let scope = match (namespaced, options.namespace) {
                        (true, Some(ns)) => format!(" in namespace {ns}"),
                        (true, None) => " in all namespaces".to_string(),
                        _ => String::new(),
                    };
                    state.list_errors.push(InputError {
                        file: format!("cluster/{}", ar.kind),
                        line: 0,
                        column: 0,
                        message: format!(
                            "cannot list {}{}{scope}: {}",
                            ar.plural,
                            if ar.group.is_empty() {
                                String::new()
                            } else {
                                format!(".{}", ar.group)
                            },
                            list_error(&e)
                        ),
                    });
                    break;
                }
            };
            let token = page.metadata.continue_.clone().filter(|t| !t.is_empty());
            let mut documents = Vec::with_capacity(page.items.len());
            for item in page.items {
                if !options.include_owned && owned_by_audited(&item, &audited_kinds) {
                    notes.owned_skipped += 1;
                    continue;
                }
                documents.push(document(ar, item));
            }
            state.evaluate_page(object_core, documents, set_core.has_set_rules());
            match token {
                Some(t) => params = params.continue_token(&t),
                None => break,
            }
        }
    }
    Ok((state.finish(set_core), notes))
}

/// Whether a controller of a kind being audited owns the object (a Deployment's ReplicaSet,
/// a ReplicaSet's Pods): then the owner's findings already cover it.
fn owned_by_audited(object: &DynamicObject, audited_kinds: &HashSet<String>) -> bool {
    object
        .metadata
        .owner_references
        .as_ref()
        .is_some_and(|refs| {
            refs.iter()
                .any(|r| r.controller == Some(true) && audited_kinds.contains(&r.kind))
        })
}

/// An object as a document: a name like a file's and pretty JSON text (which the YAML loader
/// reads, so findings get a line and a column).
struct Document {
    name: String,
    namespace: Option<String>,
    text: String,
}

fn document(ar: &ApiResource, object: DynamicObject) -> Document {
    let namespace = object.metadata.namespace.clone();
    let name = object.metadata.name.clone().unwrap_or_default();
    let file = match &namespace {
        Some(ns) => format!("cluster/{ns}/{}/{name}", ar.kind),
        None => format!("cluster/{}/{name}", ar.kind),
    };
    let mut value = serde_json::to_value(&object).unwrap_or(Value::Null);
    let mut out = Map::new();
    // List items carry no apiVersion/kind; the rules need them.
    out.insert("apiVersion".into(), Value::String(ar.api_version.clone()));
    out.insert("kind".into(), Value::String(ar.kind.clone()));
    if let Value::Object(map) = &mut value {
        if let Some(Value::Object(meta)) = map.get_mut("metadata") {
            meta.remove("managedFields");
            if let Some(Value::Object(annotations)) = meta.get_mut("annotations") {
                annotations.remove(LAST_APPLIED);
                if annotations.is_empty() {
                    meta.remove("annotations");
                }
            }
        }
        map.remove("status");
        drop_nulls(map);
        for (k, v) in std::mem::take(map) {
            if k != "apiVersion" && k != "kind" {
                out.insert(k, v);
            }
        }
    }
    let text = serde_json::to_string_pretty(&Value::Object(out)).unwrap_or_default() + "\n";
    Document {
        name: file,
        namespace,
        text,
    }
}

/// Removes `null` members, recursively. The API server writes `null` for Go fields left nil
/// without `omitempty` (an aggregated ClusterRole's `rules` before aggregation, say): encoding
/// noise that would only clutter the document shown in findings. (Evaluation does not depend
/// on it: the YAML loader and `object::from_json` leave null members out for lint, audit and
/// admission alike.)
fn drop_nulls(map: &mut Map<String, Value>) {
    map.retain(|_, v| !v.is_null());
    for v in map.values_mut() {
        drop_nulls_in(v);
    }
}

fn drop_nulls_in(value: &mut Value) {
    match value {
        Value::Object(map) => drop_nulls(map),
        Value::Array(items) => items.iter_mut().for_each(drop_nulls_in),
        _ => {}
    }
}

/// The report as it grows page by page.
#[derive(Default)]
struct State {
    report: LintReport,
    list_errors: Vec<InputError>,
    /// Per namespace: the documents the cross-resource rules will need (name, text).
    by_namespace: BTreeMap<String, Vec<(String, String)>>,
    /// Sources of the findings (the rest is dropped with its page).
    kept_sources: BTreeMap<String, Arc<SourceFile>>,
}

fn load_documents<'d>(documents: impl Iterator<Item = (&'d str, &'d str)>) -> Loaded {
    let mut loaded = Loaded::default();
    for (name, text) in documents {
        let one = load::load_str(name, text, LoadOptions::default());
        loaded.files += one.files;
        loaded.documents += one.documents;
        loaded.resources.extend(one.resources);
        loaded.errors.extend(one.errors);
        loaded.sources.extend(one.sources);
    }
    loaded
}

impl State {
    fn evaluate_page(&mut self, core: &Core, documents: Vec<Document>, keep_for_sets: bool) {
        if documents.is_empty() {
            return;
        }
        let loaded = load_documents(documents.iter().map(|d| (d.name.as_str(), d.text.as_str())));
        let page = lint::lint_loaded(core, loaded);
        self.merge(page, true);
        if keep_for_sets {
            for d in documents {
                if let Some(ns) = d.namespace {
                    self.by_namespace
                        .entry(ns)
                        .or_default()
                        .push((d.name, d.text));
                }
            }
        }
    }

    /// Adds a partial report: its findings, errors and redactions; its counts when `counted`.
    fn merge(&mut self, part: LintReport, counted: bool) {
        for f in &part.findings {
            self.kept_sources
                .entry(f.file.name.clone())
                .or_insert_with(|| f.file.clone());
        }
        if counted {
            self.report.summary.files += part.summary.files;
            self.report.summary.documents += part.summary.documents;
            self.report.summary.resources += part.summary.resources;
            self.report.resources.extend(part.resources);
        }
        self.report.findings.extend(part.findings);
        self.report.errors.extend(part.errors);
        for (file, ranges) in part.redactions {
            let entry = self.report.redactions.entry(file).or_default();
            entry.extend(ranges);
            entry.sort_unstable();
            entry.dedup();
        }
    }

    /// Runs the cross-resource rules namespace by namespace, then sorts like lint.
    fn finish(mut self, core: &Core) -> LintReport {
        if core.has_set_rules() {
            let groups = std::mem::take(&mut self.by_namespace);
            let mut evaluator = core.evaluator();
            for (namespace, documents) in groups {
                let loaded =
                    load_documents(documents.iter().map(|(n, t)| (n.as_str(), t.as_str())));
                drop(documents);
                let objects: Vec<&regorus::Value> =
                    loaded.resources.iter().map(|r| &r.object).collect();
                let mut part = LintReport::default();
                match core.check_set(&mut evaluator, &objects, objects.len()) {
                    Ok(violations) => {
                        for (i, v) in violations {
                            part.findings.push(Finding::locate(&loaded.resources[i], v));
                        }
                        part.redactions = lint::redactions(core, &loaded.resources, &part.findings);
                    }
                    Err(e) => part.errors.push(InputError {
                        file: format!("cluster/{namespace}"),
                        line: 0,
                        column: 0,
                        message: format!("cross-resource rules failed: {e}"),
                    }),
                }
                self.merge(part, false);
            }
        }
        let mut report = self.report;
        report.errors.splice(0..0, self.list_errors);
        report.sources = self.kept_sources.into_values().collect();
        report.findings.sort_by(|a, b| {
            (a.file.name.as_str(), a.line, a.column, &a.rule).cmp(&(
                b.file.name.as_str(),
                b.line,
                b.column,
                &b.rule,
            ))
        });
        report.resources.sort();
        report.count();
        report
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(kinds: &[&str], reads: Option<&[&str]>) -> RuleMeta {
        let mut json = serde_json::json!({
            "id": "r", "title": "t", "severity": "error", "section": "s", "rationale": "r",
            "remediation": "r", "kinds": kinds, "needs_all_resources": reads.is_some(),
        });
        if let Some(reads) = reads {
            json["reads"] = serde_json::json!(reads);
        }
        match RuleMeta::from_json("r", &json) {
            Ok(r) => r,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn kinds_cover_pod_specs_named_kinds_and_what_set_rules_read() {
        let any = rule(&["*"], None);
        let cm = rule(&["ConfigMap"], None);
        let kinds = kinds_to_list([&any, &cm]);
        assert!(kinds.contains("CronJob") && kinds.contains("ConfigMap"));
        assert!(!kinds.contains("Service"));
        // What a cross-resource rule declares it reads is listed, whatever kind it is (a kind
        // no built-in list names included), and nothing it does not declare.
        let set = rule(&["Deployment"], Some(&["PodDisruptionBudget", "Gateway"]));
        let kinds = kinds_to_list([&set]);
        assert_eq!(
            kinds.into_iter().collect::<Vec<_>>(),
            ["Deployment", "Gateway", "PodDisruptionBudget"]
        );
        let selects_pods = rule(&["Service"], Some(&["*"]));
        let kinds = kinds_to_list([&selects_pods]);
        assert!(kinds.contains("Service") && kinds.contains("Pod") && kinds.contains("CronJob"));
    }

    /// A cross-resource rule must say what it reads (else audit would judge it without those
    /// objects, a silent pass); a per-object rule must not.
    #[test]
    fn reads_is_required_exactly_for_cross_resource_rules() {
        let meta = |extra: serde_json::Value| {
            let mut json = serde_json::json!({
                "id": "r", "title": "t", "severity": "error", "section": "s", "rationale": "r",
                "remediation": "r", "kinds": ["Deployment"],
            });
            if let (Some(map), Some(extra)) = (json.as_object_mut(), extra.as_object()) {
                map.extend(extra.clone());
            }
            RuleMeta::from_json("r", &json)
        };
        let missing = meta(serde_json::json!({"needs_all_resources": true}));
        assert!(missing.is_err_and(|e| e.contains("must list the kinds it reads")));
        let empty = meta(serde_json::json!({"needs_all_resources": true, "reads": []}));
        assert!(empty.is_err_and(|e| e.contains("must be a list of kind names")));
        let per_object = meta(serde_json::json!({"reads": ["Service"]}));
        assert!(per_object.is_err_and(|e| e.contains("is for `needs_all_resources` rules")));
        let fine = meta(serde_json::json!({"needs_all_resources": true, "reads": ["Service"]}));
        assert!(fine.is_ok_and(|r| r.reads == ["Service"]));
    }

    #[test]
    fn documents_drop_server_noise_and_get_their_type() {
        let ar = ApiResource {
            group: String::new(),
            version: "v1".into(),
            api_version: "v1".into(),
            kind: "ConfigMap".into(),
            plural: "configmaps".into(),
        };
        let object: DynamicObject = match serde_json::from_value(serde_json::json!({
            "metadata": {
                "name": "c", "namespace": "ns",
                "managedFields": [{"manager": "kubectl"}],
                "annotations": {LAST_APPLIED: "{\"data\":{\"p\":\"secret\"}}"},
            },
            "data": {"a": "b", "n": null},
            "binaryData": null,
            "status": {"x": 1},
        })) {
            Ok(o) => o,
            Err(e) => panic!("{e}"),
        };
        let d = document(&ar, object);
        assert_eq!(d.name, "cluster/ns/ConfigMap/c");
        assert_eq!(d.namespace.as_deref(), Some("ns"));
        let v: Value = serde_json::from_str(&d.text).unwrap_or(Value::Null);
        assert_eq!(v["apiVersion"], "v1");
        assert_eq!(v["kind"], "ConfigMap");
        assert_eq!(v["data"]["a"], "b");
        assert!(v["data"].get("n").is_none() && v.get("binaryData").is_none());
        assert!(v["metadata"].get("managedFields").is_none());
        assert!(v["metadata"].get("annotations").is_none());
        assert!(v.get("status").is_none());
        assert!(d.text.starts_with("{\n  \"apiVersion\""));
    }
}
