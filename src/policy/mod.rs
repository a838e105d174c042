//! The rule pack: Rego modules (embedded at build time, plus `--policy` directories), the
//! metadata each rule declares about itself, and the pack compiled to regorus' VM (at build
//! time for the shipped pack, see `compile`), with evaluators over it.
//!
//! A rule is a package `k8sc.rules.<name>` with a `metadata` object and a `violation` set of
//! `{msg, path}` (plus `resource` for rules over the whole set). Nothing about what a rule
//! checks lives in Rust: Rust reads the metadata, generates one aggregating query from it and
//! maps the violations back onto the source.

mod compile;
mod error;
pub mod meta;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use regorus::rvm::program::Program;
use serde_json::Value as Json;

use crate::object::{as_str, member};
use compile::{OBJECT_QUERY, REDACT_QUERY, REDACT_SCALARS_QUERY, SET_QUERY};
pub use compile::{PolicyFile, RULES_PACKAGE, engine_with};
pub use error::PackError;
pub use meta::{RuleMeta, Severity};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_policies.rs"));
    /// The embedded pack compiled by build.rs: the VM program, and each rule's metadata as
    /// JSON (`[[package, metadata], ...]`).
    pub static PROGRAM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/pack.rvm"));
    pub static METADATA: &str = include_str!(concat!(env!("OUT_DIR"), "/pack-metadata.json"));
}

/// The shipped rule pack's files.
pub fn embedded_files() -> Vec<PolicyFile> {
    embedded::EMBEDDED_POLICIES
        .iter()
        .map(|(path, text)| PolicyFile {
            path: format!("policies/{path}"),
            text: (*text).to_string(),
        })
        .collect()
}

/// The shipped fixtures of a rule: `(pass|fail, file name, text)`, used as examples.
pub fn examples(rule_id: &str) -> Vec<(&'static str, &'static str, &'static str)> {
    embedded::EMBEDDED_EXAMPLES
        .iter()
        .filter_map(|(path, text)| {
            let mut parts = path.splitn(3, '/');
            let (id, outcome, file) = (parts.next()?, parts.next()?, parts.next()?);
            (id == rule_id).then_some((outcome, file, *text))
        })
        .collect()
}

/// Every `.rego` (and data) file below `dir`, sorted.
pub fn files_in_dir(dir: &Path) -> Result<Vec<PolicyFile>, PackError> {
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
    {
        let entry = entry.map_err(|e| PackError::Io {
            path: dir.display().to_string(),
            source: e.into(),
        })?;
        let path = entry.path();
        if entry.file_type().is_file() && path.extension().is_some_and(|e| e == "rego") {
            let text = std::fs::read_to_string(path).map_err(|source| PackError::Io {
                path: path.display().to_string(),
                source,
            })?;
            files.push(PolicyFile {
                path: path.display().to_string(),
                text,
            });
        }
    }
    Ok(files)
}

/// A compiled rule pack, ready to hand out evaluators.
#[derive(Clone)]
pub struct PolicyPack {
    rules: Vec<RuleMeta>,
    compiled: CompiledQueries,
    source: PackSource,
}

/// Both queries (per object, over the set) compiled to regorus' VM (RVM), several times
/// faster than its tree-walking interpreter on this pack. The interpreter stays for the test
/// runner and as the reference the VM is checked against (see `compiled_matches_interpreter`).
#[derive(Clone)]
struct CompiledQueries {
    program: Arc<Program>,
    data: regorus::Value,
}

impl CompiledQueries {
    /// A VM that owns deep copies of the program's values and of the data: workers that
    /// shared them kept bumping the same reference counts, and on 2 cores two workers were
    /// barely faster than one (each count update evicts the other core's copy of the line
    /// the string bytes share with it).
    fn vm(
        &self,
        time_limit: Option<regorus::utils::limits::ExecutionTimerConfig>,
    ) -> Result<regorus::rvm::RegoVM, PackError> {
        let mut vm = regorus::rvm::RegoVM::new();
        vm.set_execution_timer_config(time_limit);
        vm.load_program(Arc::new(self.program.deep_clone()));
        // The VM's default budget of 25,000 instructions stopped a ConfigMap of a few thousand
        // keys (and any sizeable set). Rego has no unbounded loops; the webhook bounds an
        // evaluation by time instead (`set_time_limit`).
        vm.set_max_instructions(usize::MAX);
        vm.set_data(self.data.deep_clone())
            .map_err(|e| PackError::Eval(e.to_string()))?;
        Ok(vm)
    }
}

/// Where the pack comes from and which parameters it runs with.
#[derive(Debug, Clone, Default)]
pub struct PackSource {
    /// Skip the embedded pack (for `test DIR` on a standalone directory).
    pub without_embedded: bool,
    pub extra_dirs: Vec<PathBuf>,
    /// Per-rule parameter overrides: `{rule-id: {param: value}}`.
    pub params: serde_json::Map<String, Json>,
    /// The namespace objects without `metadata.namespace` will be applied to (`lint
    /// --namespace`); unset, they form a group of their own.
    pub namespace: Option<String>,
}

impl PackSource {
    /// Exactly the shipped rules, which build.rs compiled already.
    fn is_shipped_pack(&self) -> bool {
        !self.without_embedded && self.extra_dirs.is_empty()
    }

    pub fn files(&self) -> Result<Vec<PolicyFile>, PackError> {
        let mut files = if self.without_embedded {
            Vec::new()
        } else {
            embedded_files()
        };
        for dir in &self.extra_dirs {
            files.extend(files_in_dir(dir)?);
        }
        Ok(files)
    }
}

impl PolicyPack {
    /// The shipped pack as build.rs compiled it, or (with `--policy` directories) the pack
    /// compiled now: test files left out, every rule's metadata read, the aggregating query
    /// generated and compiled.
    pub fn load(source: &PackSource) -> Result<Self, PackError> {
        let (declared, program) = if source.is_shipped_pack() {
            let declared: Vec<(String, Json)> = serde_json::from_str(embedded::METADATA)
                .map_err(|e| PackError::Eval(format!("embedded rule metadata: {e}")))?;
            let program = match Program::deserialize_binary(embedded::PROGRAM) {
                Ok(regorus::rvm::program::DeserializationResult::Complete(program)) => program,
                Ok(_) => return Err(PackError::Eval("the embedded program is incomplete".into())),
                Err(e) => return Err(PackError::Eval(format!("the embedded program: {e}"))),
            };
            (declared, Arc::new(program))
        } else {
            let compiled = compile::compile_pack(&source.files()?, source.params.clone())?;
            (compiled.declared, compiled.program)
        };
        Ok(Self {
            rules: compile::rules_of(&declared)?,
            compiled: CompiledQueries {
                program,
                data: compile::pack_data(source.params.clone(), source.namespace.as_deref()),
            },
            source: source.clone(),
        })
    }

    /// regorus' interpreter over the same pack and queries (the reference the VM is checked
    /// against; built on demand, a run never needs it).
    pub fn interpreter(&self) -> Result<Interpreter, PackError> {
        let mut engine = compile::interpreter(
            &self.source.files()?,
            self.source.params.clone(),
            self.source.namespace.as_deref(),
        )?;
        compile::add_generated_module(&mut engine, &self.rules)?;
        Ok(Interpreter { engine })
    }

    pub fn rules(&self) -> &[RuleMeta] {
        &self.rules
    }

    pub fn rule(&self, id: &str) -> Option<&RuleMeta> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// An evaluator of its own (cheap: the compiled modules are shared).
    pub fn evaluator(&self) -> Evaluator {
        Evaluator {
            compiled: self.compiled.clone(),
            vm: None,
            time_limit: None,
        }
    }

    /// The pack as standard Rego for another engine (OPA, conftest): its Rego files (tests left
    /// out), the module generated from the rules' metadata (`data.k8sc.generated`, the same
    /// queries the VM runs) and the data document the rules read (`data.k8sc.params`).
    pub fn standard_rego(&self) -> Result<(Vec<PolicyFile>, Json), PackError> {
        let mut files: Vec<PolicyFile> = self
            .source
            .files()?
            .into_iter()
            .filter(|f| f.is_rego() && !f.is_test())
            .collect();
        files.push(PolicyFile {
            path: compile::GENERATED_FILE.to_string(),
            text: compile::generated_module(&self.rules),
        });
        let data = serde_json::to_value(compile::pack_data(
            self.source.params.clone(),
            self.source.namespace.as_deref(),
        ))
        .map_err(|e| PackError::Eval(format!("the pack's data document: {e}")))?;
        Ok((files, data))
    }
}

/// A violation as a rule reported it, before it is located and exempted.
#[derive(Debug, Clone, PartialEq)]
pub struct RawViolation {
    pub rule: String,
    pub msg: String,
    pub path: Json,
    /// For rules over the whole set: index of the offending resource.
    pub resource: Option<usize>,
    /// For rules over the whole set: every resource the finding is about (a namespace's
    /// workloads for its missing NetworkPolicy), whose exemptions apply to it too.
    pub related: Vec<usize>,
    /// Advice computed from the object (its own names, labels, hosts), shown instead of the
    /// rule's generic remediation.
    pub help: Option<String>,
    /// The rule's fix (JSON Patch operations on the object, see [`crate::fix`]), unparsed.
    pub fix: Option<Json>,
}

/// Evaluates objects against the pack; one per worker thread.
pub struct Evaluator {
    compiled: CompiledQueries,
    /// Made on first use (a VM is not `Clone`; each owns a copy of the program).
    vm: Option<regorus::rvm::RegoVM>,
    time_limit: Option<regorus::utils::limits::ExecutionTimerConfig>,
}

impl Clone for Evaluator {
    fn clone(&self) -> Self {
        Self {
            compiled: self.compiled.clone(),
            vm: None,
            time_limit: self.time_limit,
        }
    }
}

impl Evaluator {
    /// Caps one evaluation's wall-clock time (the webhook must answer within its timeout).
    pub fn set_time_limit(&mut self, limit: std::time::Duration) {
        let config = regorus::utils::limits::ExecutionTimerConfig {
            limit,
            // Reading the clock at every work unit costs about 20 % of an evaluation;
            // every 256 units keeps the overshoot far below a millisecond.
            check_interval: std::num::NonZeroU32::new(256).unwrap_or(std::num::NonZeroU32::MIN),
        };
        if let Some(vm) = self.vm.as_mut() {
            vm.set_execution_timer_config(Some(config));
        }
        self.time_limit = Some(config);
    }

    /// Every violation of the per-object rules for one Kubernetes object, and the path of
    /// its pod template's metadata (where exemption annotations may also stand).
    pub fn evaluate_object(&mut self, object: regorus::Value) -> Result<ObjectResult, PackError> {
        let result = self.run(OBJECT_QUERY, object)?;
        Ok(ObjectResult::of(&result))
    }

    /// The object query's result as the engine returns it (`{"violations": [...],
    /// "pod_metadata_path": ...}`), for comparing engines (`k8s-constitution eval`).
    pub fn evaluate_object_value(
        &mut self,
        object: regorus::Value,
    ) -> Result<regorus::Value, PackError> {
        self.run(OBJECT_QUERY, object)
    }

    /// The set query's result as the engine returns it (see [`Self::evaluate_object_value`]).
    pub fn evaluate_set_value(
        &mut self,
        resources: Vec<regorus::Value>,
    ) -> Result<regorus::Value, PackError> {
        self.run(SET_QUERY, set_input(resources))
    }

    /// Every violation of the rules that look at the whole set of resources.
    pub fn evaluate_set(
        &mut self,
        resources: Vec<regorus::Value>,
    ) -> Result<Vec<RawViolation>, PackError> {
        let result = self.run(SET_QUERY, set_input(resources))?;
        Ok(violations_of(Some(&result)))
    }

    /// The paths (relative to the object) of the scalars no report may show: see
    /// `policies/lib/redact.rego`.
    pub fn redact_paths(
        &mut self,
        object: regorus::Value,
    ) -> Result<Vec<crate::path::FieldPath>, PackError> {
        let result = self.run(REDACT_QUERY, object)?;
        let paths = items(&result)
            .into_iter()
            .filter_map(|p| serde_json::to_value(p).ok())
            .map(|p| crate::path::FieldPath::from_json(&p))
            .collect();
        Ok(paths)
    }

    /// Which of the strings `[key, name beside it, value]` to mask (their indexes): see
    /// `policies/lib/redact.rego`.
    pub fn redact_scalars(
        &mut self,
        scalars: Vec<regorus::Value>,
    ) -> Result<Vec<usize>, PackError> {
        let mut input = regorus::Value::new_object();
        if let Ok(map) = input.as_object_mut() {
            map.insert(
                regorus::Value::from("scalars"),
                regorus::Value::from(scalars),
            );
        }
        let result = self.run(REDACT_SCALARS_QUERY, input)?;
        Ok(items(&result)
            .into_iter()
            .filter_map(|i| i.as_i64().ok().and_then(|i| usize::try_from(i).ok()))
            .collect())
    }

    fn run(&mut self, query: &str, input: regorus::Value) -> Result<regorus::Value, PackError> {
        let vm = match &mut self.vm {
            Some(vm) => vm,
            slot @ None => slot.insert(self.compiled.vm(self.time_limit)?),
        };
        vm.set_input(input);
        vm.execute_entry_point_by_name(query)
            .map_err(|e| PackError::Eval(e.to_string()))
    }
}

/// The same queries through regorus' tree-walking interpreter: the reference the compiled
/// VM is checked against.
pub struct Interpreter {
    engine: regorus::Engine,
}

impl Interpreter {
    /// As [`Evaluator::evaluate_object`].
    pub fn evaluate_object(&mut self, object: regorus::Value) -> Result<ObjectResult, PackError> {
        self.engine.set_input(object);
        let result = self.run(OBJECT_QUERY)?;
        Ok(ObjectResult::of(&result))
    }

    /// As [`Evaluator::evaluate_set`].
    pub fn evaluate_set(
        &mut self,
        resources: Vec<regorus::Value>,
    ) -> Result<Vec<RawViolation>, PackError> {
        self.engine.set_input(set_input(resources));
        let result = self.run(SET_QUERY)?;
        Ok(violations_of(Some(&result)))
    }

    fn run(&mut self, query: &str) -> Result<regorus::Value, PackError> {
        self.engine
            .eval_rule(query.to_string())
            .map_err(|e| PackError::Eval(e.to_string()))
    }
}

fn set_input(resources: Vec<regorus::Value>) -> regorus::Value {
    let mut input = regorus::Value::new_object();
    if let Ok(map) = input.as_object_mut() {
        map.insert(
            regorus::Value::from("resources"),
            regorus::Value::from(resources),
        );
    }
    input
}

/// What one object's evaluation yields.
#[derive(Debug, Clone, Default)]
pub struct ObjectResult {
    pub violations: Vec<RawViolation>,
    pub pod_metadata_path: Option<Vec<String>>,
}

/// Read straight from the engine's result (a JSON copy of it was 2 % of a lint run).
impl ObjectResult {
    fn of(result: &regorus::Value) -> Self {
        Self {
            violations: violations_of(member(result, "violations")),
            pod_metadata_path: member(result, "pod_metadata_path").and_then(string_items),
        }
    }
}

/// The items of a set (in its sorted order) or of an array.
fn items(value: &regorus::Value) -> Vec<&regorus::Value> {
    if let Ok(set) = value.as_set() {
        set.iter_sorted().collect()
    } else if let Ok(array) = value.as_array() {
        array.iter().collect()
    } else {
        Vec::new()
    }
}

/// The strings of an array (non-strings skipped); `None` when it is not an array.
fn string_items(value: &regorus::Value) -> Option<Vec<String>> {
    let array = value.as_array().ok()?;
    Some(
        array
            .iter()
            .filter_map(as_str)
            .map(str::to_string)
            .collect(),
    )
}

fn violations_of(result: Option<&regorus::Value>) -> Vec<RawViolation> {
    result
        .map(|v| items(v).into_iter().filter_map(raw_violation).collect())
        .unwrap_or_default()
}

fn raw_violation(v: &regorus::Value) -> Option<RawViolation> {
    Some(RawViolation {
        rule: as_str(member(v, "rule")?)?.to_string(),
        msg: member(v, "msg")
            .and_then(as_str)
            .unwrap_or("violation")
            .to_string(),
        path: member(v, "path")
            .and_then(|p| serde_json::to_value(p).ok())
            .unwrap_or(Json::Array(Vec::new())),
        resource: member(v, "resource")
            .and_then(|r| r.as_i64().ok())
            .and_then(|i| usize::try_from(i).ok()),
        related: member(v, "related")
            .map(|r| {
                items(r)
                    .into_iter()
                    .filter_map(|i| i.as_i64().ok().and_then(|i| usize::try_from(i).ok()))
                    .collect()
            })
            .unwrap_or_default(),
        help: member(v, "help").and_then(as_str).map(str::to_string),
        fix: member(v, "fix")
            .filter(|f| **f != regorus::Value::Null)
            .and_then(|f| serde_json::to_value(f).ok()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{LoadOptions, load_str};

    fn sorted(result: &ObjectResult) -> (Vec<String>, Option<Vec<String>>) {
        let mut v: Vec<String> = result
            .violations
            .iter()
            .map(|v| format!("{} {} {} {:?}", v.rule, v.path, v.msg, v.help))
            .collect();
        v.sort();
        (v, result.pod_metadata_path.clone())
    }

    /// The compiled VM (the program build.rs embedded) must give exactly the interpreter's
    /// answer on every object of every fixture (rule fixtures, lint fixtures, the third-party sweep). It found two regorus VM
    /// bugs (function defaults ignored; undefined values kept in object comprehensions),
    /// patched in vendor/regorus.
    #[test]
    fn compiled_matches_interpreter() {
        let pack = PolicyPack::load(&PackSource::default()).expect("pack loads");
        let mut evaluator = pack.evaluator();
        let mut interpreter = pack.interpreter().expect("interpreter");
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let (mut objects, mut with_violations) = (0, 0);
        let (mut file_sets, mut set_violations, mut all_objects) = (0, 0, Vec::new());
        for entry in walkdir::WalkDir::new(&root).sort_by_file_name() {
            let Ok(entry) = entry else { continue };
            if entry.path().extension().and_then(|e| e.to_str()) != Some("yaml")
                || entry
                    .path()
                    .components()
                    .any(|c| c.as_os_str() == "templates")
            {
                continue;
            }
            let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
            let name = entry.path().display().to_string();
            let resources = load_str(&name, &text, LoadOptions::default()).resources;
            let set: Vec<regorus::Value> = resources.iter().map(|r| r.object.clone()).collect();
            file_sets += 1;
            set_violations += compare_set(&mut evaluator, &mut interpreter, set.clone(), &name);
            all_objects.extend(set);
            for resource in resources {
                let input = resource.object.clone();
                let compiled = evaluator
                    .evaluate_object(input.clone())
                    .expect("VM evaluates");
                let interpreted = interpreter
                    .evaluate_object(input)
                    .expect("interpreter evaluates");
                assert_eq!(
                    sorted(&compiled),
                    sorted(&interpreted),
                    "{name}: {}",
                    resource.name()
                );
                objects += 1;
                with_violations += usize::from(!compiled.violations.is_empty());
            }
        }
        // The cross-resource rules over every fixture object at once (many namespaces, objects
        // with and without one, every kind).
        set_violations += compare_set(
            &mut evaluator,
            &mut interpreter,
            all_objects,
            "all fixtures",
        );
        // The comparison means something only over many objects, many of them failing some
        // per-object rule (spread-replicas is a cross-resource rule since it reads HPAs, so its
        // fixtures count below, with the set violations).
        assert!(
            objects > 250 && with_violations > 120,
            "{objects} objects, {with_violations} with violations"
        );
        assert!(
            file_sets > 50 && set_violations > 50,
            "{file_sets} sets, {set_violations} cross-resource violations"
        );
    }

    /// The program build.rs embedded is the one a run-time compile of the same files gives
    /// (a stale or differently built program would otherwise go unnoticed until a rule
    /// misbehaved).
    #[test]
    fn embedded_program_is_the_shipped_pack_compiled() {
        let shipped = PolicyPack::load(&PackSource::default()).expect("shipped pack loads");
        let empty = tempfile::tempdir().expect("temp dir");
        let compiled_now = PolicyPack::load(&PackSource {
            extra_dirs: vec![empty.path().to_path_buf()],
            ..PackSource::default()
        })
        .expect("pack compiles");
        let ids = |pack: &PolicyPack| {
            pack.rules()
                .iter()
                .map(|r| r.id.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&shipped), ids(&compiled_now));
        assert!(shipped.rules().len() > 20);
        assert_eq!(
            shipped.compiled.program.serialize_binary(),
            compiled_now.compiled.program.serialize_binary()
        );
    }

    /// Regression (vendor/regorus PATCHES.md 14): a function whose first body left its value
    /// undefined (`v := sprintf(..., [missing])`) never tried its `else` in the VM, so a
    /// violation using it vanished while the interpreter and OPA reported it.
    #[test]
    fn vm_tries_else_after_an_undefined_body() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(
            dir.path().join("vm_else.rego"),
            r#"package k8sc.rules.vm_else

import rego.v1

metadata := {"id": "vm-else", "title": "t", "severity": "error", "section": "s", "rationale": "r", "remediation": "m", "kinds": ["Pod"]}

violation contains {"msg": "found", "path": ["spec"], "help": advice(input)} if input.kind == "Pod"

advice(obj) := v if {
	v := sprintf("port %v", [obj.spec.containers[0].ports[0].containerPort])
} else := "no port"
"#,
        )
        .expect("write");
        let pack = PolicyPack::load(&PackSource {
            extra_dirs: vec![dir.path().to_path_buf()],
            ..PackSource::default()
        })
        .expect("pack compiles");
        let mut evaluator = pack.evaluator();
        let mut interpreter = pack.interpreter().expect("interpreter");
        let helps = |result: ObjectResult| -> Vec<Option<String>> {
            result
                .violations
                .into_iter()
                .filter(|v| v.rule == "vm-else")
                .map(|v| v.help)
                .collect()
        };
        for (containers, help) in [
            (serde_json::json!([{"name": "c"}]), "no port"),
            (
                serde_json::json!([{"name": "c", "ports": [{"containerPort": 80}]}]),
                "port 80",
            ),
        ] {
            let pod = serde_json::json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": containers}});
            let object = crate::object::from_json(&pod);
            let expected = vec![Some(help.to_string())];
            let vm = evaluator
                .evaluate_object(object.clone())
                .expect("VM evaluates");
            assert_eq!(helps(vm), expected, "VM");
            let interpreted = interpreter
                .evaluate_object(object)
                .expect("interpreter evaluates");
            assert_eq!(helps(interpreted), expected, "interpreter");
        }
    }

    /// Compares the cross-resource query on the VM and the interpreter; returns how many
    /// violations they agreed on.
    fn compare_set(
        evaluator: &mut Evaluator,
        interpreter: &mut Interpreter,
        set: Vec<regorus::Value>,
        name: &str,
    ) -> usize {
        let key = |v: &RawViolation| {
            format!(
                "{} {:?} {} {} {:?}",
                v.rule, v.resource, v.path, v.msg, v.help
            )
        };
        let mut compiled: Vec<String> = evaluator
            .evaluate_set(set.clone())
            .expect("VM evaluates the set")
            .iter()
            .map(key)
            .collect();
        let mut interpreted: Vec<String> = interpreter
            .evaluate_set(set)
            .expect("interpreter evaluates the set")
            .iter()
            .map(key)
            .collect();
        compiled.sort();
        interpreted.sort();
        assert_eq!(compiled, interpreted, "{name}: cross-resource rules");
        compiled.len()
    }
}
