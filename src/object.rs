//! Kubernetes objects as every front end holds them: in the engine's own value type, built
//! once when they are loaded (straight from YAML, by `load::yaml`) or received (converted from
//! JSON here). The same value is the rules' `input` (an `Arc` clone, no copy) and what Rust
//! reads names, namespaces and annotations from, so lint keeps one tree per object instead of
//! a JSON tree plus one engine copy per query.

use regorus::Value;
use serde_json::Value as Json;

/// The member `key` of an object; `None` for a missing member or a value that is no object.
///
/// A scan rather than `Object::get`, which takes the key as an engine value: building one is
/// an allocation per lookup, and lint looks up kind, name, namespace and annotations several
/// times per resource and per finding (2 % of a lint run). Objects have few members.
pub fn member<'a>(value: &'a Value, key: &str) -> Option<&'a Value> {
    value
        .as_object()
        .ok()?
        .iter()
        .find(|(k, _)| k.as_string().is_ok_and(|k| **k == *key))
        .map(|(_, v)| v)
}

/// The item at `index` of an array.
pub fn item(value: &Value, index: usize) -> Option<&Value> {
    value.as_array().ok()?.get(index)
}

/// The string a value holds.
pub fn as_str(value: &Value) -> Option<&str> {
    value.as_string().ok().map(|s| &**s)
}

/// The string at a path of object members (`["metadata", "name"]`).
pub fn str_at<'a>(value: &'a Value, keys: &[&str]) -> Option<&'a str> {
    as_str(keys.iter().try_fold(value, |node, key| member(node, key))?)
}

/// Converts a JSON value into the engine's value type, leaving out null object members (unset
/// fields).
pub fn from_json(value: &Json) -> Value {
    match value {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::from(*b),
        Json::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                Value::from(n.as_f64().unwrap_or(0.0))
            }
        }
        Json::String(s) => Value::from(s.as_str()),
        Json::Array(items) => Value::from(items.iter().map(from_json).collect::<Vec<_>>()),
        // Collected into an `Object`, which `Value::from` freezes into an exact-size sorted
        // slice: a `BTreeMap` node is ~370 bytes however few members it has, and made the
        // engine's copy of a 7 MB corpus take 100 MB.
        // A null member is an unset field, as the API server decodes it (`env:` with nothing
        // after it in YAML). Dropping it here (and in the YAML loader, which builds objects the
        // same way) gives lint, audit and admission the same shape, and keeps
        // `some x in obj.field` from failing on null.
        Json::Object(map) => Value::from(
            map.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (Value::from(k.as_str()), from_json(v)))
                .collect::<regorus::value::Object>(),
        ),
    }
}

/// One string of an object, for the redactor: where it is and what the redactor is asked.
pub struct StringScalar<'a> {
    pub path: crate::path::FieldPath,
    pub string: StringKey<'a>,
}

/// What the redactor decides a string on: the key it is stored under (none for a list item),
/// the `name` member of the same mapping (env-style entries) and the string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StringKey<'a> {
    pub key: Option<&'a str>,
    pub name_beside: Option<&'a str>,
    pub value: &'a str,
}

/// Every string of `value`, depth first. (The redactor's Rego cannot traverse an object
/// itself: regorus' VM does not compile `walk`.) Objects are at most a few hundred levels deep
/// (the loader refuses deeper ones).
pub fn string_scalars(value: &Value) -> Vec<StringScalar<'_>> {
    fn visit<'a>(
        value: &'a Value,
        path: &mut crate::path::FieldPath,
        key: Option<&'a str>,
        name_beside: Option<&'a str>,
        out: &mut Vec<StringScalar<'a>>,
    ) {
        if let Some(s) = as_str(value) {
            out.push(StringScalar {
                path: path.clone(),
                string: StringKey {
                    key,
                    name_beside,
                    value: s,
                },
            });
        } else if let Ok(map) = value.as_object() {
            let name = member(value, "name").and_then(as_str);
            for (k, v) in map.iter() {
                if let Some(k) = as_str(k) {
                    path.push_key(k);
                    visit(v, path, Some(k), name, out);
                    path.pop();
                }
            }
        } else if let Ok(items) = value.as_array() {
            for (i, v) in items.iter().enumerate() {
                path.push_index(i);
                visit(v, path, None, None, out);
                path.pop();
            }
        }
    }
    let mut out = Vec::new();
    visit(
        value,
        &mut crate::path::FieldPath::root(),
        None,
        None,
        &mut out,
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_members_items_and_strings() {
        let object = from_json(&json!({
            "metadata": {"name": "web", "labels": null},
            "spec": {"containers": [{"name": "app"}]}
        }));
        assert_eq!(str_at(&object, &["metadata", "name"]), Some("web"));
        // Null members are unset fields: dropped.
        assert!(
            member(&object, "metadata")
                .and_then(|m| member(m, "labels"))
                .is_none()
        );
        let containers = member(&object, "spec").and_then(|s| member(s, "containers"));
        let first = containers.and_then(|c| item(c, 0));
        assert_eq!(
            first.and_then(|c| member(c, "name")).and_then(as_str),
            Some("app")
        );
        assert!(containers.and_then(|c| item(c, 1)).is_none());
        assert!(str_at(&object, &["spec", "containers"]).is_none());
    }
}
