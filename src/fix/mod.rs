//! Fixes (issue #13): the edits a rule attaches to a violation, as JSON Patch (RFC 6902)
//! operations on the object. The rules write them in Rego (`policies/lib/fix.rego`); this module
//! only reads them, places them in the document and writes them out. Which edit fixes what is
//! never decided here.

pub mod edit;
pub mod files;
pub mod patch;

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use serde_json::Value as Json;

use crate::path::{FieldPath, Segment};

/// One JSON Patch operation. `add` and `replace` carry a value, `remove` none.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchOp {
    pub op: Op,
    /// Where, from the root of the document (a List's item path included). A last segment
    /// `-` on a list means "append".
    pub path: FieldPath,
    pub value: Option<Json>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Add,
    Replace,
    Remove,
}

impl Op {
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Add => "add",
            Op::Replace => "replace",
            Op::Remove => "remove",
        }
    }
}

/// Why a rule's `fix` was not taken: a malformed fix is the pack's bug, reported rather than
/// applied half-understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("rule {rule}: malformed fix: {reason}")]
pub struct MalformedFix {
    pub rule: String,
    pub reason: String,
}

/// Reads a violation's `fix` member: an array of `{"op", "path": [segments], "value"}`.
pub fn parse(rule: &str, fix: &Json) -> Result<Vec<PatchOp>, MalformedFix> {
    let malformed = |reason: String| MalformedFix {
        rule: rule.to_string(),
        reason,
    };
    let Json::Array(ops) = fix else {
        return Err(malformed(format!("not a list of operations: {fix}")));
    };
    ops.iter()
        .map(|op| {
            let kind = match op.get("op").and_then(Json::as_str) {
                Some("add") => Op::Add,
                Some("replace") => Op::Replace,
                Some("remove") => Op::Remove,
                other => return Err(malformed(format!("unknown op {other:?} in {op}"))),
            };
            let path = match op.get("path") {
                Some(path @ Json::Array(segments))
                    if !segments.is_empty()
                        && segments
                            .iter()
                            .all(|s| s.is_string() || s.as_u64().is_some()) =>
                {
                    FieldPath::from_json(path)
                }
                _ => {
                    return Err(malformed(format!(
                        "path is not a non-empty list of keys and indexes in {op}"
                    )));
                }
            };
            let value = op.get("value").cloned();
            if (kind == Op::Remove) != value.is_none() {
                return Err(malformed(format!(
                    "{} {} a value in {op}",
                    kind.as_str(),
                    if kind == Op::Remove {
                        "takes no"
                    } else {
                        "needs"
                    }
                )));
            }
            Ok(PatchOp {
                op: kind,
                path,
                value,
            })
        })
        .collect()
}

/// A path as a JSON Pointer (RFC 6901): `/spec/containers/0/securityContext`, with `~` and `/`
/// in keys escaped as `~0` and `~1`.
pub fn pointer(path: &FieldPath) -> String {
    let mut out = String::new();
    for segment in path.segments() {
        out.push('/');
        match segment {
            Segment::Key(key) => out.push_str(&key.replace('~', "~0").replace('/', "~1")),
            Segment::Index(i) => out.push_str(&i.to_string()),
        }
    }
    out
}

/// The operations in words, for people: `set spec.securityContext.runAsNonRoot: true`,
/// `add ALL to ...capabilities.drop`, `remove spec.hostPID`.
pub fn describe(ops: &[PatchOp]) -> String {
    ops.iter()
        .map(|op| {
            let segments = op.path.segments();
            let value = op.value.as_ref().map(edit::flow).unwrap_or_default();
            match (op.op, segments.split_last()) {
                (Op::Add, Some((Segment::Key(dash), list))) if dash == "-" => {
                    format!("add {value} to {}", FieldPath(list.to_vec()))
                }
                (Op::Remove, _) => format!("remove {}", op.path),
                _ => format!("set {}: {value}", op.path),
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

impl Serialize for PatchOp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(if self.value.is_some() { 3 } else { 2 }))?;
        map.serialize_entry("op", self.op.as_str())?;
        map.serialize_entry("path", &pointer(&self.path))?;
        if let Some(value) = &self.value {
            map.serialize_entry("value", value)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_each_kind_of_operation() {
        let fix = json!([
            {"op": "add", "path": ["spec", "securityContext"], "value": {"runAsNonRoot": true}},
            {"op": "replace", "path": ["spec", "containers", 0, "securityContext", "privileged"], "value": false},
            {"op": "remove", "path": ["spec", "hostPID"]},
            {"op": "add", "path": ["spec", "containers", 1, "securityContext", "capabilities", "drop", "-"], "value": "ALL"},
        ]);
        let ops = parse("r", &fix).expect("valid");
        assert_eq!(ops.len(), 4);
        assert_eq!(ops[0].op, Op::Add);
        assert_eq!(ops[1].op, Op::Replace);
        assert_eq!(ops[2].op, Op::Remove);
        assert_eq!(ops[2].value, None);
        assert_eq!(
            describe(&ops),
            "set spec.securityContext: {runAsNonRoot: true}; set spec.containers[0].securityContext.privileged: false; remove spec.hostPID; add ALL to spec.containers[1].securityContext.capabilities.drop"
        );
        assert_eq!(
            serde_json::to_value(&ops).expect("serializes"),
            json!([
                {"op": "add", "path": "/spec/securityContext", "value": {"runAsNonRoot": true}},
                {"op": "replace", "path": "/spec/containers/0/securityContext/privileged", "value": false},
                {"op": "remove", "path": "/spec/hostPID"},
                {"op": "add", "path": "/spec/containers/1/securityContext/capabilities/drop/-", "value": "ALL"},
            ])
        );
    }

    #[test]
    fn refuses_malformed_fixes() {
        for bad in [
            json!({"op": "add"}),
            json!([{"op": "move", "path": ["a"], "value": 1}]),
            json!([{"op": "add", "path": "/a", "value": 1}]),
            json!([{"op": "add", "path": [], "value": 1}]),
            json!([{"op": "add", "path": ["a", true], "value": 1}]),
            json!([{"op": "add", "path": ["a"]}]),
            json!([{"op": "remove", "path": ["a"], "value": 1}]),
        ] {
            let err = parse("some-rule", &bad).expect_err(&bad.to_string());
            assert_eq!(err.rule, "some-rule");
        }
    }

    #[test]
    fn pointer_escapes_tilde_and_slash() {
        let mut path = FieldPath::root();
        path.push_key("metadata");
        path.push_key("annotations");
        path.push_key("example.com/a~b");
        path.push_index(3);
        assert_eq!(pointer(&path), "/metadata/annotations/example.com~1a~0b/3");
        assert_eq!(pointer(&FieldPath::root()), "");
    }
}
