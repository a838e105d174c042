//! Turns a fixed object back into text: the smallest edits of the source that make it parse to
//! the fixed value. The old and new values are compared node by node over the position tree;
//! a changed scalar is rewritten where it stands, new map keys and list items are inserted
//! after the last line of their map or list in its own style (block or flow) and indentation,
//! a removed block entry loses its lines. Every other byte stays as it was: comments, key
//! order, quoting, blank lines, the other documents. What this cannot do as a small edit (a
//! block map replaced by a scalar, a list reordered) is refused, never approximated; the
//! caller also re-parses the result and refuses it unless it gives exactly the fixed value.

use serde_json::Value as Json;

use crate::load::positions::{Children, PosNode};

/// Replace `len` bytes at `offset` with `text` (an insertion when `len` is 0).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub offset: usize,
    pub len: usize,
    pub text: String,
}

/// Why the fix cannot be written as an edit of the text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Unsupported(pub String);

/// The edits that turn the text of `node` (holding `old`) into text holding `new`.
pub fn edits(text: &str, node: &PosNode, old: &Json, new: &Json) -> Result<Vec<Edit>, Unsupported> {
    let mut out = Vec::new();
    Differ { text }.diff(node, old, new, &mut out)?;
    Ok(out)
}

struct Differ<'a> {
    text: &'a str,
}

impl Differ<'_> {
    fn diff(
        &self,
        node: &PosNode,
        old: &Json,
        new: &Json,
        out: &mut Vec<Edit>,
    ) -> Result<(), Unsupported> {
        if old == new {
            return Ok(());
        }
        match (old, new, &node.children) {
            (Json::Object(old_map), Json::Object(new_map), Children::Map(entries)) => {
                let mut added = Vec::new();
                for (key, value) in new_map {
                    match (old_map.get(key), entries.iter().find(|(k, _)| k == key)) {
                        (Some(old_value), Some((_, child))) => {
                            self.diff(child, old_value, value, out)?
                        }
                        (None, _) => added.push((key.as_str(), value)),
                        (Some(_), None) => {
                            return Err(Unsupported(format!("no position for key {key:?}")));
                        }
                    }
                }
                for (key, child) in entries {
                    if !new_map.contains_key(key) {
                        out.push(self.remove_entry(child, key)?);
                    }
                }
                if !added.is_empty() {
                    out.push(self.insert_into_map(node, &added)?);
                }
                Ok(())
            }
            (Json::Array(old_items), Json::Array(new_items), Children::Seq(children))
                if old_items.len() == children.len() && new_items.len() >= old_items.len() =>
            {
                for ((child, old_item), new_item) in children.iter().zip(old_items).zip(new_items) {
                    self.diff(child, old_item, new_item, out)?;
                }
                let appended = &new_items[old_items.len()..];
                if !appended.is_empty() {
                    out.push(self.append_to_seq(node, appended)?);
                }
                Ok(())
            }
            // A scalar (`securityContext:` left empty, `privileged: true`) becomes the new
            // value in flow style where it stands.
            (_, _, Children::None) => {
                let offset = node.start.offset;
                let space = if self.text[..offset].ends_with(':') {
                    " "
                } else {
                    ""
                };
                out.push(Edit {
                    offset,
                    len: node.end.saturating_sub(offset),
                    text: format!("{space}{}", flow(new)),
                });
                Ok(())
            }
            _ => Err(Unsupported(format!(
                "cannot rewrite {} as {} in place",
                kind(old),
                kind(new)
            ))),
        }
    }

    fn is_flow(&self, node: &PosNode) -> bool {
        matches!(
            self.text.as_bytes().get(node.start.offset),
            Some(b'{' | b'[')
        )
    }

    /// Byte offset just past the whole value of `node` (its closing bracket for a flow
    /// collection; its last scalar for a block one).
    fn value_end(&self, node: &PosNode) -> Result<usize, Unsupported> {
        let last_child = match &node.children {
            Children::None => return Ok(node.end),
            Children::Map(entries) => entries.last().map(|(_, n)| n),
            Children::Seq(items) => items.last(),
        };
        let after_children = match last_child {
            Some(child) => self.value_end(child)?,
            None => node.start.offset + 1,
        };
        if !self.is_flow(node) {
            return match last_child {
                Some(_) => Ok(after_children),
                None => Err(Unsupported("an empty block collection".into())),
            };
        }
        // Flow: the closing bracket after the last child (spaces, line breaks, a trailing comma).
        let close = if node.children_is_map() { b'}' } else { b']' };
        let rest = self
            .text
            .as_bytes()
            .get(after_children..)
            .unwrap_or_default();
        let mut i = 0;
        let mut comma = false;
        while let Some(&b) = rest.get(i) {
            match b {
                b' ' | b'\t' | b'\r' | b'\n' => {}
                b',' if !comma => comma = true,
                b if b == close => return Ok(after_children + i + 1),
                _ => break,
            }
            i += 1;
        }
        Err(Unsupported(
            "a flow collection whose end is not where expected".into(),
        ))
    }

    /// The offset where a new line goes after the line holding byte `end - 1`, and whether the
    /// text there lacks a final line break.
    fn after_line(&self, end: usize) -> (usize, bool) {
        if end > 0 && self.text.as_bytes().get(end - 1) == Some(&b'\n') {
            return (end, false);
        }
        match self.text[end..].find('\n') {
            Some(i) => (end + i + 1, false),
            None => (self.text.len(), true),
        }
    }

    /// The line break of the line before `offset` (CRLF files stay CRLF). Looked up where the
    /// edit goes, not in the whole file: a stream of 10,000 objects is edited per finding.
    fn newline_before(&self, offset: usize) -> &'static str {
        match self.text[..offset].rfind('\n') {
            Some(i) if i > 0 && self.text.as_bytes()[i - 1] == b'\r' => "\r\n",
            _ => "\n",
        }
    }

    /// Column (in bytes from its line's start) of the byte at `offset`.
    fn column(&self, offset: usize) -> usize {
        offset - self.text[..offset].rfind('\n').map_or(0, |i| i + 1)
    }

    fn insert_into_map(
        &self,
        node: &PosNode,
        added: &[(&str, &Json)],
    ) -> Result<Edit, Unsupported> {
        let Children::Map(entries) = &node.children else {
            return Err(Unsupported("not a map".into()));
        };
        if self.is_flow(node) {
            let items: Vec<String> = added
                .iter()
                .map(|(k, v)| format!("{}: {}", key(k), flow(v)))
                .collect();
            return self.insert_into_flow(node, entries.last().map(|(_, n)| n), &items);
        }
        let (_, last) = entries
            .last()
            .ok_or_else(|| Unsupported("an empty block map".into()))?;
        let first_key = entries
            .first()
            .and_then(|(_, n)| n.key)
            .ok_or_else(|| Unsupported("a map entry without a key position".into()))?;
        let indent = self.column(first_key.offset);
        self.lines_after(last, |text, nl| {
            for (k, v) in added {
                block_entry(text, indent, k, v, nl);
            }
        })
    }

    /// Flow items inserted before the closing bracket of `node`: after its `last` child, or
    /// alone in an empty collection.
    fn insert_into_flow(
        &self,
        node: &PosNode,
        last: Option<&PosNode>,
        items: &[String],
    ) -> Result<Edit, Unsupported> {
        let (offset, text) = match last {
            Some(last) => (self.value_end(last)?, format!(", {}", items.join(", "))),
            None => (self.value_end(node)? - 1, items.join(", ")),
        };
        Ok(Edit {
            offset,
            len: 0,
            text,
        })
    }

    /// Whole lines written by `write` (given the file's line break) after the last line of the
    /// block collection whose last child is `last`.
    fn lines_after(
        &self,
        last: &PosNode,
        write: impl Fn(&mut String, &str),
    ) -> Result<Edit, Unsupported> {
        let (offset, missing_break) = self.after_line(self.value_end(last)?);
        let nl = self.newline_before(offset);
        let mut text = String::new();
        if missing_break {
            text.push_str(nl);
        }
        write(&mut text, nl);
        if missing_break {
            text.truncate(text.len() - nl.len());
        }
        Ok(Edit {
            offset,
            len: 0,
            text,
        })
    }

    fn append_to_seq(&self, node: &PosNode, appended: &[Json]) -> Result<Edit, Unsupported> {
        let Children::Seq(items) = &node.children else {
            return Err(Unsupported("not a list".into()));
        };
        if self.is_flow(node) {
            let rendered: Vec<String> = appended.iter().map(flow).collect();
            return self.insert_into_flow(node, items.last(), &rendered);
        }
        let first = items
            .first()
            .ok_or_else(|| Unsupported("an empty block list".into()))?;
        let last = items.last().unwrap_or(first);
        // The `- ` before the first item's value.
        let dash = self.text[..first.start.offset]
            .trim_end_matches([' ', '\t'])
            .len()
            .checked_sub(1)
            .filter(|&i| self.text.as_bytes().get(i) == Some(&b'-'))
            .ok_or_else(|| Unsupported("a list item without its dash".into()))?;
        let indent = self.column(dash);
        self.lines_after(last, |text, nl| {
            for item in appended {
                text.push_str(&" ".repeat(indent));
                text.push_str("- ");
                text.push_str(&flow(item));
                text.push_str(nl);
            }
        })
    }

    /// A block map entry's whole lines, when the entry has lines of its own.
    fn remove_entry(&self, child: &PosNode, key: &str) -> Result<Edit, Unsupported> {
        let refuse = || Unsupported(format!("cannot remove {key:?} on its own lines"));
        let key_at = child.key.ok_or_else(refuse)?.offset;
        let line_start = key_at - self.column(key_at);
        if !self.text[line_start..key_at].chars().all(|c| c == ' ') {
            return Err(refuse());
        }
        let (end, _) = self.after_line(self.value_end(child)?);
        Ok(Edit {
            offset: line_start,
            len: end - line_start,
            text: String::new(),
        })
    }
}

impl PosNode {
    fn children_is_map(&self) -> bool {
        matches!(self.children, Children::Map(_))
    }
}

fn kind(v: &Json) -> &'static str {
    match v {
        Json::Object(_) => "a map",
        Json::Array(_) => "a list",
        _ => "a scalar",
    }
}

/// `key: value` lines at `indent` (maps as nested blocks, lists and scalars in flow style).
fn block_entry(out: &mut String, indent: usize, k: &str, v: &Json, nl: &str) {
    out.push_str(&" ".repeat(indent));
    out.push_str(&key(k));
    match v {
        Json::Object(map) if !map.is_empty() => {
            out.push(':');
            out.push_str(nl);
            for (k, v) in map {
                block_entry(out, indent + 2, k, v, nl);
            }
        }
        _ => {
            out.push_str(": ");
            out.push_str(&flow(v));
            out.push_str(nl);
        }
    }
}

/// A value in flow style: `{a: 1, b: [x]}`.
pub(crate) fn flow(v: &Json) -> String {
    match v {
        Json::Object(map) => {
            let items: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}: {}", key(k), flow(v)))
                .collect();
            format!("{{{}}}", items.join(", "))
        }
        Json::Array(items) => format!(
            "[{}]",
            items.iter().map(flow).collect::<Vec<_>>().join(", ")
        ),
        other => scalar(other),
    }
}

fn key(k: &str) -> String {
    scalar(&Json::String(k.to_string()))
}

/// A scalar as YAML: plain when it reads back as the same string, else double-quoted (JSON's
/// escapes are YAML's).
fn scalar(v: &Json) -> String {
    match v {
        Json::String(s) if plain_safe(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Whether a string can be written plain and read back as that string (not a number, bool or
/// null, no character YAML gives a meaning to).
fn plain_safe(s: &str) -> bool {
    let reserved = [
        "true", "false", "yes", "no", "on", "off", "null", "~", "y", "n",
    ];
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./".contains(&b))
        && !s.starts_with(['-', '.'])
        && !reserved.contains(&s.to_ascii_lowercase().as_str())
        && !s.bytes().next().is_some_and(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{LoadOptions, load_str};

    /// The text after editing `text` so that its object becomes `new`.
    fn edited(text: &str, new: serde_json::Value) -> String {
        let loaded = load_str("t.yaml", text, LoadOptions::default());
        let resource = &loaded.resources[0];
        let old = serde_json::to_value(&resource.object).expect("json");
        let node = resource.positions.resolve(&resource.prefix).node;
        let mut edits = edits(text, node, &old, &new).expect("an edit");
        edits.sort_by_key(|e| std::cmp::Reverse(e.offset));
        let mut out = text.to_string();
        for e in edits {
            out.replace_range(e.offset..e.offset + e.len, &e.text);
        }
        out
    }

    #[test]
    fn block_lists_flow_collections_and_a_missing_final_line_break() {
        // A block list gets a new item at its dash's indentation.
        assert_eq!(
            edited(
                "apiVersion: v1\nkind: A\nl:\n  - a\n  - b\nz: 1\n",
                serde_json::json!({"apiVersion": "v1", "kind": "A", "l": ["a", "b", "ALL"], "z": 1})
            ),
            "apiVersion: v1\nkind: A\nl:\n  - a\n  - b\n  - ALL\nz: 1\n"
        );
        // An empty flow map and a flow list with a trailing comma.
        assert_eq!(
            edited(
                "apiVersion: v1\nkind: A\nm: {}\nl: [x, ]\n",
                serde_json::json!({"apiVersion": "v1", "kind": "A", "m": {"k": true}, "l": ["x", "w"]})
            ),
            "apiVersion: v1\nkind: A\nm: {k: true}\nl: [x, w, ]\n"
        );
        // No line break at the end of the file: the new line is added before, not after.
        assert_eq!(
            edited(
                "apiVersion: v1\nkind: A\nm:\n  a: 1",
                serde_json::json!({"apiVersion": "v1", "kind": "A", "m": {"a": 1, "b": 2}})
            ),
            "apiVersion: v1\nkind: A\nm:\n  a: 1\n  b: 2"
        );
        // A removed block entry loses its whole line.
        assert_eq!(
            edited(
                "apiVersion: v1\nkind: A\nx: 1 # c\ny: 2\n",
                serde_json::json!({"apiVersion": "v1", "kind": "A", "y": 2})
            ),
            "apiVersion: v1\nkind: A\ny: 2\n"
        );
    }

    #[test]
    fn plain_only_when_it_reads_back_as_the_same_string() {
        assert_eq!(scalar(&Json::from("RuntimeDefault")), "RuntimeDefault");
        assert_eq!(scalar(&Json::from("ALL")), "ALL");
        for quoted in [
            "true", "No", "1.5", "0x1", "", "a b", "a: b", "-x", "#c", "~",
        ] {
            assert_eq!(
                scalar(&Json::from(quoted)),
                format!("{quoted:?}"),
                "{quoted}"
            );
        }
        assert_eq!(scalar(&Json::from(false)), "false");
        assert_eq!(scalar(&Json::from(1000)), "1000");
        assert_eq!(
            flow(&serde_json::json!({"type": "RuntimeDefault", "l": ["ALL"]})),
            "{type: RuntimeDefault, l: [ALL]}"
        );
    }
}
