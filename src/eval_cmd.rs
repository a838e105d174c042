//! `k8s-constitution eval`: each object as the rules see it and the pack's raw answer for it,
//! before the configuration, exemptions and positions are applied. For debugging a rule ("what
//! is `input` here?") and for checking another Rego engine against ours: OPA given the same
//! inputs and `rules export --format opa` must answer exactly this (tests/opa_parity.rs).

use serde_json::{Value as Json, json};

use crate::core::Core;
use crate::load::{self, LoadOptions};
use crate::policy::PackError;

/// The evaluation of `paths`: `{"objects": [{"file", "document", "input", "result"}], "set":
/// {"result"}}`, and the input errors (files that could not be read or parsed). `result` is
/// the value of `data.k8sc.generated.object_result` for that input; the set's is
/// `data.k8sc.generated.set_violations` for `{"resources": [every input, in order]}`, whose
/// `resource` indexes are positions in `objects`.
pub fn evaluate(
    core: &Core,
    paths: &[String],
    options: LoadOptions,
) -> Result<(Json, Vec<String>), PackError> {
    let (inputs, discovery_errors) = load::discover(paths);
    let loaded = load::load_all(&inputs, options);
    let mut errors: Vec<String> = discovery_errors
        .iter()
        .chain(&loaded.errors)
        .map(ToString::to_string)
        .collect();
    if loaded.resources.is_empty() && errors.is_empty() {
        errors.push("no Kubernetes object in the input".to_string());
    }
    let mut evaluator = core.evaluator();
    let mut objects = Vec::with_capacity(loaded.resources.len());
    for resource in &loaded.resources {
        let result = evaluator.evaluate_object_value(resource.object.clone())?;
        // The loader writes every mapping key as a string (as the API server's JSON does),
        // so the input is JSON as another engine would be given it.
        objects.push(json!({
            "file": resource.file.name,
            "document": resource.document_index,
            "prefix": resource.prefix.to_string(),
            "input": to_json(&resource.object)?,
            "result": to_json(&result)?,
        }));
    }
    // The set query over every input, whatever the config enables: this is the pack's raw
    // answer (the generated module defines it even for a pack without cross-resource rules).
    let all = loaded.resources.iter().map(|r| r.object.clone()).collect();
    let set = to_json(&evaluator.evaluate_set_value(all)?)?;
    Ok((json!({"objects": objects, "set": {"result": set}}), errors))
}

fn to_json(value: &regorus::Value) -> Result<Json, PackError> {
    serde_json::to_value(value)
        .map_err(|e| PackError::Eval(format!("an engine value as JSON: {e}")))
}
