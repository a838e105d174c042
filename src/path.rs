//! Logical field paths (`spec.template.spec.containers[0].image`), the unit every finding is
//! anchored to. Rego rules report paths as arrays of keys and indices; this module turns them
//! into the dotted form users read and the position index walks.

use std::fmt;

/// One step of a field path: a mapping key or a sequence index.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Segment {
    Key(String),
    Index(usize),
}

/// A path from the document root to a field, which may or may not exist.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FieldPath(pub Vec<Segment>);

impl FieldPath {
    pub fn root() -> Self {
        Self(Vec::new())
    }

    pub fn segments(&self) -> &[Segment] {
        &self.0
    }

    pub fn push_key(&mut self, key: impl Into<String>) {
        self.0.push(Segment::Key(key.into()));
    }

    pub fn push_index(&mut self, index: usize) {
        self.0.push(Segment::Index(index));
    }

    pub fn starts_with(&self, prefix: &FieldPath) -> bool {
        self.0.starts_with(&prefix.0)
    }

    /// This path without `prefix` (unchanged if it does not start with it).
    pub fn strip_prefix(&self, prefix: &FieldPath) -> FieldPath {
        match self.0.strip_prefix(prefix.0.as_slice()) {
            Some(rest) => FieldPath(rest.to_vec()),
            None => self.clone(),
        }
    }

    pub fn pop(&mut self) {
        self.0.pop();
    }

    /// Builds a path from the JSON array a rule reported. Integers are indices, strings keys;
    /// anything else is stringified so a sloppy rule still yields a readable path.
    pub fn from_json(value: &serde_json::Value) -> Self {
        let Some(items) = value.as_array() else {
            return Self::root();
        };
        Self(
            items
                .iter()
                .map(|item| match item {
                    serde_json::Value::Number(n) => match n.as_u64() {
                        Some(i) => Segment::Index(i as usize),
                        None => Segment::Key(n.to_string()),
                    },
                    serde_json::Value::String(s) => Segment::Key(s.clone()),
                    other => Segment::Key(other.to_string()),
                })
                .collect(),
        )
    }

    /// The prefix of this path up to and including the container index, if any.
    pub fn container_prefix(&self) -> Option<FieldPath> {
        let at = self.0.windows(2).position(|pair| {
            matches!(pair, [Segment::Key(list), Segment::Index(_)]
                if matches!(list.as_str(), "containers" | "initContainers" | "ephemeralContainers"))
        })?;
        Some(FieldPath(self.0[..at + 2].to_vec()))
    }
}

fn is_plain_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                Segment::Index(idx) => write!(f, "[{idx}]")?,
                Segment::Key(key) if is_plain_key(key) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    f.write_str(key)?;
                }
                // Keys with dots, slashes or spaces are bracket-quoted so the path stays
                // unambiguous: metadata.annotations["a.b/c"].
                Segment::Key(key) => write!(f, "[{}]", serde_json::Value::from(key.as_str()))?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn renders_dotted_and_indexed_paths() {
        let p = FieldPath::from_json(&json!(["spec", "containers", 0, "securityContext"]));
        assert_eq!(p.to_string(), "spec.containers[0].securityContext");
    }

    #[test]
    fn bracket_quotes_keys_with_dots_and_slashes() {
        let p = FieldPath::from_json(&json!(["metadata", "annotations", "a.b/c"]));
        assert_eq!(p.to_string(), r#"metadata.annotations["a.b/c"]"#);
    }

    #[test]
    fn finds_the_container_prefix() {
        let p = FieldPath::from_json(&json!(["spec", "initContainers", 2, "image"]));
        assert_eq!(
            p.container_prefix().map(|p| p.to_string()).as_deref(),
            Some("spec.initContainers[2]")
        );
    }
}
