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
        .map(|e| format!("{}:{}:{}: {}", e.file, e.line, e.column, e.message))
        .collect();
    if loaded.resources.is_empty() && errors.is_empty() {
        errors.push("no Kubernetes object in the input".to_string());
    }
    let mut evaluator = core.evaluator();
    let mut objects = Vec::with_capacity(loaded.resources.len());
    for resource in &loaded.resources {
        let result = evaluator.evaluate_object_value(resource.object.clone())?;
        // YAML allows a mapping as a key (an unrendered `{{ .Values.x }}` is one); JSON, and
        // so every other Rego engine's input, does not: say so instead of writing a lossy input.
        let input = if has_non_string_key(&resource.object) {
            Json::Null
        } else {
            to_json(&resource.object)?
        };
        objects.push(json!({
            "file": resource.file.name,
            "document": resource.document_index,
            "prefix": resource.prefix.to_string(),
            "json_input": !input.is_null(),
            "input": input,
            "result": to_json(&result)?,
        }));
    }
    // Every cross-resource rule of the pack, enabled or not: this is the pack's raw answer.
    let pack_has_set_rules = core.pack().rules().iter().any(|r| r.needs_all_resources);
    let set = if pack_has_set_rules && !loaded.resources.is_empty() {
        let all = loaded.resources.iter().map(|r| r.object.clone()).collect();
        to_json(&evaluator.evaluate_set_value(all)?)?
    } else {
        json!([])
    };
    Ok((json!({"objects": objects, "set": {"result": set}}), errors))
}

fn to_json(value: &regorus::Value) -> Result<Json, PackError> {
    serde_json::to_value(value)
        .map_err(|e| PackError::Eval(format!("an engine value as JSON: {e}")))
}

fn has_non_string_key(value: &regorus::Value) -> bool {
    match value {
        regorus::Value::Object(map) => map
            .iter()
            .any(|(k, v)| !matches!(k, regorus::Value::String(_)) || has_non_string_key(v)),
        regorus::Value::Array(items) => items.iter().any(has_non_string_key),
        regorus::Value::Set(items) => items.iter().any(has_non_string_key),
        _ => false,
    }
}
