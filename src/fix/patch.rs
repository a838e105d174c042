//! Applies the fixes of one object's findings to its value. Each rule computed its fix against
//! the original object, so two of them may add the same missing map (`securityContext` with
//! `runAsNonRoot`, `securityContext` with `readOnlyRootFilesystem`): an `add` of a map where a
//! map now stands merges into it instead of replacing it, and adding a list item already there
//! adds nothing. Everything else is RFC 6902.

use serde_json::Value as Json;

use super::{Op, PatchOp};
use crate::path::Segment;

/// Why one operation could not be applied (its target moved: another fix removed its parent).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot {op} {pointer}: {reason}")]
pub struct PatchError {
    pub op: &'static str,
    pub pointer: String,
    pub reason: &'static str,
}

/// Applies `ops` in order to `value`.
pub fn apply(value: &mut Json, ops: &[PatchOp]) -> Result<(), PatchError> {
    ops.iter().try_for_each(|op| apply_one(value, op))
}

fn apply_one(value: &mut Json, op: &PatchOp) -> Result<(), PatchError> {
    let error = |reason| PatchError {
        op: op.op.as_str(),
        pointer: super::pointer(&op.path),
        reason,
    };
    let Some((last, parents)) = op.path.segments().split_last() else {
        return Err(error("the path is empty"));
    };
    let mut parent = &mut *value;
    for segment in parents {
        parent = match (segment, parent) {
            (Segment::Key(k), Json::Object(map)) => map.get_mut(k),
            (Segment::Index(i), Json::Array(items)) => items.get_mut(*i),
            _ => None,
        }
        .ok_or_else(|| error("its parent does not exist"))?;
    }
    match (op.op, last, parent) {
        (Op::Remove, Segment::Key(k), Json::Object(map)) => map
            .remove(k)
            .map(drop)
            .ok_or_else(|| error("nothing is there")),
        (Op::Remove, Segment::Index(i), Json::Array(items)) if *i < items.len() => {
            items.remove(*i);
            Ok(())
        }
        (Op::Replace, Segment::Key(k), Json::Object(map)) => match map.get_mut(k) {
            Some(slot) => {
                *slot = op.value.clone().unwrap_or(Json::Null);
                Ok(())
            }
            None => Err(error("nothing is there")),
        },
        (Op::Replace, Segment::Index(i), Json::Array(items)) => match items.get_mut(*i) {
            Some(slot) => {
                *slot = op.value.clone().unwrap_or(Json::Null);
                Ok(())
            }
            None => Err(error("nothing is there")),
        },
        (Op::Add, Segment::Key(k), Json::Object(map)) => {
            let new = op.value.clone().unwrap_or(Json::Null);
            match map.get_mut(k) {
                Some(existing) => merge(existing, new),
                None => {
                    map.insert(k.clone(), new);
                }
            }
            Ok(())
        }
        (Op::Add, Segment::Key(k), Json::Array(items)) if k == "-" => {
            let new = op.value.clone().unwrap_or(Json::Null);
            if !items.contains(&new) {
                items.push(new);
            }
            Ok(())
        }
        (Op::Add, Segment::Index(i), Json::Array(items)) if *i <= items.len() => {
            items.insert(*i, op.value.clone().unwrap_or(Json::Null));
            Ok(())
        }
        _ => Err(error("its parent is not a map or list of that shape")),
    }
}

/// `new` over `existing`: maps merge key by key, anything else replaces.
fn merge(existing: &mut Json, new: Json) {
    match (existing, new) {
        (Json::Object(old), Json::Object(new)) => {
            for (k, v) in new {
                match old.get_mut(&k) {
                    Some(slot) => merge(slot, v),
                    None => {
                        old.insert(k, v);
                    }
                }
            }
        }
        (slot, new) => *slot = new,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ops(fix: Json) -> Vec<PatchOp> {
        super::super::parse("r", &fix).expect("valid fix")
    }

    #[test]
    fn two_rules_adding_the_same_missing_map_both_take_effect() {
        let mut pod = json!({"spec": {"containers": [{"name": "c"}]}});
        let fixes = ops(json!([
            {"op": "add", "path": ["spec", "containers", 0, "securityContext"], "value": {"runAsNonRoot": true}},
            {"op": "add", "path": ["spec", "containers", 0, "securityContext"], "value": {"capabilities": {"drop": ["ALL"]}}},
            {"op": "add", "path": ["spec", "containers", 0, "securityContext", "capabilities", "drop", "-"], "value": "ALL"},
            {"op": "replace", "path": ["spec", "containers", 0, "name"], "value": "d"},
        ]));
        apply(&mut pod, &fixes).expect("applies");
        assert_eq!(
            pod,
            json!({"spec": {"containers": [{"name": "d", "securityContext": {"runAsNonRoot": true, "capabilities": {"drop": ["ALL"]}}}]}})
        );
    }

    #[test]
    fn remove_and_insert_follow_rfc_6902() {
        let mut v = json!({"a": [1, 2, 3], "b": true});
        let fixes = ops(json!([
            {"op": "remove", "path": ["b"]},
            {"op": "remove", "path": ["a", 0]},
            {"op": "add", "path": ["a", 2], "value": 9},
            {"op": "replace", "path": ["a", 0], "value": 7},
        ]));
        apply(&mut v, &fixes).expect("applies");
        assert_eq!(v, json!({"a": [7, 3, 9]}));
    }

    #[test]
    fn an_operation_whose_target_is_gone_is_an_error() {
        for fix in [
            json!([{"op": "add", "path": ["missing", "x"], "value": 1}]),
            json!([{"op": "replace", "path": ["absent"], "value": 1}]),
            json!([{"op": "remove", "path": ["absent"]}]),
            json!([{"op": "remove", "path": ["a", 5]}]),
            json!([{"op": "add", "path": ["a", 7], "value": 1}]),
            json!([{"op": "add", "path": ["s", "x"], "value": 1}]),
        ] {
            let mut v = json!({"a": [1], "s": "text"});
            let before = v.clone();
            assert!(apply(&mut v, &ops(fix.clone())).is_err(), "{fix}");
            assert_eq!(v, before, "a failed operation changed the value: {fix}");
        }
    }
}
