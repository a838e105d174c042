//! Compiling a rule pack: each rule's metadata read from its package, one aggregating module
//! generated from that metadata, and both queries compiled to regorus' VM (RVM).
//!
//! build.rs includes this module too and compiles the embedded pack when the binary is built,
//! so a run with the shipped rules only deserializes a program (start-up); packs with
//! `--policy` directories go through the same functions at run time.

use std::sync::Arc;

use regorus::rvm::program::Program;
use serde_json::Value as Json;

use super::error::PackError;
use super::meta::RuleMeta;

/// Package under which rules live.
pub const RULES_PACKAGE: &str = "data.k8sc.rules";
/// Package of the query generated from the rules' metadata.
const GENERATED_PACKAGE: &str = "k8sc.generated";
pub const OBJECT_QUERY: &str = "data.k8sc.generated.object_result";
pub const SET_QUERY: &str = "data.k8sc.generated.set_violations";
/// The paths of an object's scalars that no report may show, decided on the object
/// (`data.k8sc.lib.redact.paths`)...
pub const REDACT_QUERY: &str = "data.k8sc.generated.redact_paths";
/// ...and the indexes of its strings to mask, decided on each string's key and value
/// (`data.k8sc.lib.redact.masked_scalars`, input `{"scalars": [[key, name, value], ...]}`).
pub const REDACT_SCALARS_QUERY: &str = "data.k8sc.generated.redact_scalars";

/// Where the generated module is said to come from (in errors; `rules export` writes it under
/// this name).
pub const GENERATED_FILE: &str = "k8sc_generated.rego";

/// A Rego (or data) file of the pack.
#[derive(Debug, Clone)]
pub struct PolicyFile {
    /// Path shown to users: `policies/...` for embedded files, the real path otherwise.
    pub path: String,
    pub text: String,
}

impl PolicyFile {
    pub fn is_test(&self) -> bool {
        self.path.ends_with("_test.rego")
    }
    pub fn is_rego(&self) -> bool {
        self.path.ends_with(".rego")
    }
}

/// A pack compiled for the VM (its rules are `rules_of(&declared)`).
pub struct CompiledPack {
    /// Every rule package's `metadata`, as declared: `(package, metadata)`.
    pub declared: Vec<(String, Json)>,
    pub program: Arc<Program>,
}

/// Compiles a pack: its Rego files (test files left out), every rule's metadata read, the
/// aggregating module generated, both queries compiled to one VM program.
pub fn compile_pack(
    files: &[PolicyFile],
    params: serde_json::Map<String, Json>,
) -> Result<CompiledPack, PackError> {
    let mut engine = interpreter(files, params, None)?;
    let declared = read_metadata(&mut engine)?;
    add_generated_module(&mut engine, &rules_of(&declared)?)?;
    let program = program(&mut engine)?;
    Ok(CompiledPack { declared, program })
}

/// An interpreter with the pack's Rego files (test files left out) and data, without the
/// generated module.
pub fn interpreter(
    files: &[PolicyFile],
    params: serde_json::Map<String, Json>,
    namespace: Option<&str>,
) -> Result<regorus::Engine, PackError> {
    let rego: Vec<&PolicyFile> = files
        .iter()
        .filter(|f| f.is_rego() && !f.is_test())
        .collect();
    let mut engine = engine_with(&rego)?;
    engine
        .add_data(pack_data(params, namespace))
        .map_err(|e| PackError::Eval(e.to_string()))?;
    Ok(engine)
}

/// A fresh engine with the given Rego files.
pub fn engine_with(files: &[&PolicyFile]) -> Result<regorus::Engine, PackError> {
    let mut engine = regorus::Engine::new();
    // As in OPA, a builtin error (an invalid regex, a bad argument type) leaves the expression
    // undefined at run time; `k8s-constitution test` turns strict mode on so such errors fail
    // the test loudly instead.
    engine.set_strict_builtin_errors(false);
    for file in files {
        engine
            .add_policy(file.path.clone(), file.text.clone())
            .map_err(|e| PackError::Compile {
                path: file.path.clone(),
                message: e.to_string(),
            })?;
    }
    Ok(engine)
}

/// The data document the pack runs with: per-rule parameter overrides under `k8sc.params`.
/// The data document the rules read: `data.k8sc.params` (the config's parameters) and
/// `data.k8sc.namespace` (where objects without `metadata.namespace` will be applied, when the
/// user says: `lint --namespace`, an admission request's namespace is on the object already).
pub fn pack_data(params: serde_json::Map<String, Json>, namespace: Option<&str>) -> regorus::Value {
    let mut k8sc = serde_json::Map::new();
    k8sc.insert("params".into(), Json::Object(params));
    if let Some(namespace) = namespace {
        k8sc.insert("namespace".into(), Json::String(namespace.to_string()));
    }
    regorus::Value::from(serde_json::json!({ "k8sc": k8sc }))
}

/// Every rule package's `metadata`, as declared: `(package, metadata)`.
fn read_metadata(engine: &mut regorus::Engine) -> Result<Vec<(String, Json)>, PackError> {
    let packages = engine
        .get_packages()
        .map_err(|e| PackError::Eval(e.to_string()))?;
    let mut declared = Vec::new();
    for package in packages {
        let Some(name) = package
            .strip_prefix(RULES_PACKAGE)
            .and_then(|r| r.strip_prefix('.'))
        else {
            continue;
        };
        if name.contains('.') {
            continue; // helper sub-packages of a rule
        }
        let metadata = engine
            .eval_rule(format!("{package}.metadata"))
            .map_err(|e| PackError::Metadata {
                package: package.clone(),
                message: format!("no `metadata` rule ({e})"),
            })?;
        let json = serde_json::to_value(&metadata).map_err(|e| PackError::Metadata {
            package: package.clone(),
            message: e.to_string(),
        })?;
        declared.push((package, json));
    }
    Ok(declared)
}

/// The rules the declared metadata describes, sorted by id; ids must be unique.
pub fn rules_of(declared: &[(String, Json)]) -> Result<Vec<RuleMeta>, PackError> {
    let mut rules: Vec<RuleMeta> = Vec::new();
    for (package, json) in declared {
        let name = package
            .strip_prefix(RULES_PACKAGE)
            .and_then(|r| r.strip_prefix('.'))
            .unwrap_or(package);
        let meta = RuleMeta::from_json(name, json).map_err(|message| PackError::Metadata {
            package: package.clone(),
            message,
        })?;
        if let Some(first) = rules.iter().find(|r| r.id == meta.id) {
            return Err(PackError::Duplicate {
                id: meta.id.clone(),
                first: first.package.clone(),
                second: meta.package,
            });
        }
        rules.push(meta);
    }
    rules.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(rules)
}

/// Adds the aggregating module for `rules` to the engine.
pub fn add_generated_module(
    engine: &mut regorus::Engine,
    rules: &[RuleMeta],
) -> Result<(), PackError> {
    engine
        .add_policy(GENERATED_FILE.into(), generated_module(rules))
        .map(|_| ())
        .map_err(|e| PackError::Compile {
            path: "<generated aggregator>".into(),
            message: e.to_string(),
        })
}

/// The queries compiled to one VM program (the engine must hold the generated module).
fn program(engine: &mut regorus::Engine) -> Result<Arc<Program>, PackError> {
    let policy = engine
        .compile_with_entrypoint(&OBJECT_QUERY.into())
        .map_err(|e| PackError::Eval(format!("compiling the pack: {e}")))?;
    regorus::languages::rego::compiler::Compiler::compile_from_policy(
        &policy,
        &[OBJECT_QUERY, SET_QUERY, REDACT_QUERY, REDACT_SCALARS_QUERY],
    )
    .map_err(|e| PackError::Eval(format!("compiling the pack for the VM: {e}")))
}

/// One partial-set entry per rule, guarded by the kinds the rule declares, so that a single
/// evaluation per object runs exactly the rules that apply to its kind. Rules that look only at
/// pod specs sit behind one shared guard: most objects in a release (Services, ConfigMaps,
/// ServiceAccounts, ...) have none, and calling thirty rules each to learn that cost more than
/// the rules that do apply to them.
pub fn generated_module(rules: &[RuleMeta]) -> String {
    let mut module = format!("package {GENERATED_PACKAGE}\n\nimport rego.v1\n\n");
    if rules.iter().any(|r| r.pod_spec_only) {
        module.push_str(
            "object_violations contains v if {\n\tdata.k8sc.lib.workloads.pod_spec\n\tsome v in pod_spec_violations\n}\n\n",
        );
    }
    for rule in rules {
        let target = if rule.needs_all_resources {
            "set_violations"
        } else if rule.pod_spec_only {
            "pod_spec_violations"
        } else {
            "object_violations"
        };
        let guard = if rule.needs_all_resources || rule.applies_to_any_kind() {
            String::new()
        } else {
            let kinds: Vec<String> = rule.kinds.iter().map(|k| format!("{k:?}")).collect();
            format!("input.kind in {{{}}}\n\t", kinds.join(", "))
        };
        let resource = if rule.needs_all_resources {
            ", \"resource\": object.get(v, \"resource\", -1), \"related\": object.get(v, \"related\", [])"
        } else {
            ""
        };
        module.push_str(&format!(
            "{target} contains {{\"rule\": {id:?}, \"msg\": v.msg, \"path\": object.get(v, \"path\", []), \"help\": object.get(v, \"help\", null), \"fix\": object.get(v, \"fix\", null){resource}}} if {{\n\t{guard}some v in data.k8sc.rules.{pkg}.violation\n}}\n\n",
            id = rule.id,
            pkg = rule.package_name,
        ));
    }
    // Defined even with no rules, so the queries never fail as "not found".
    module.push_str("object_violations contains x if { x := 1; false }\n");
    module.push_str("set_violations contains x if { x := 1; false }\n\n");
    // The redactor lives in the library (a pack without it redacts nothing of its own; the
    // values of sensitive findings are still masked).
    module.push_str("redact_paths contains p if { some p in data.k8sc.lib.redact.paths }\n");
    module.push_str("redact_paths contains x if { x := 1; false }\n");
    module.push_str(
        "redact_scalars contains i if { some i in data.k8sc.lib.redact.masked_scalars }\n",
    );
    module.push_str("redact_scalars contains x if { x := 1; false }\n\n");
    // Where the pod template's metadata is, for exemption annotations on it: the workloads
    // library knows, so Rust does not need its own copy of that knowledge.
    module.push_str("default pod_metadata_path := null\n\n");
    module.push_str("pod_metadata_path := data.k8sc.lib.workloads.pod_metadata_path\n\n");
    module.push_str("object_result := {\"violations\": object_violations, \"pod_metadata_path\": pod_metadata_path}\n");
    module
}
