//! YAML stream → JSON values plus a position tree, in one pass over saphyr's event stream.
//!
//! We drive the event parser ourselves (rather than deserialising with serde) because the
//! linter needs three things a serde model does not give: the position of every key and
//! value, hard limits that hold against hostile input (alias bombs, deep nesting) before any
//! memory is spent, and the documents that parsed cleanly before an error in the same stream.
//!
//! Scalars resolve the way Kubernetes' own YAML reader does (sigs.k8s.io/yaml, YAML 1.1
//! flavoured): `yes`/`no`/`on`/`off` are booleans, `~` and empty are null, and merge keys (`<<`)
//! are honoured, so a rule sees the same object the API server would.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span};
use serde_json::{Map, Value};

use super::positions::{Children, Loc, PosNode};

/// Limits that keep hostile input from exhausting memory or stack.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Deepest nesting of mappings/sequences accepted in one document.
    pub max_depth: usize,
    /// Most nodes one document may expand to, alias expansions included.
    pub max_nodes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_depth: 200,
            max_nodes: 2_000_000,
        }
    }
}

/// One YAML document of a stream.
#[derive(Debug)]
pub struct ParsedDocument {
    /// 0-based index of the document in its stream.
    pub index: usize,
    /// The document's root value (`None` for an empty document).
    pub value: Option<Value>,
    pub positions: PosNode,
    /// Helm's `# Source: chart/templates/file.yaml` comment, when it precedes the document.
    pub helm_source: Option<String>,
}

/// A syntax or limit error, with where it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub message: String,
    pub loc: Loc,
}

/// Everything a stream yielded: the documents parsed before the first error, and that error.
#[derive(Debug)]
pub struct ParsedStream {
    pub documents: Vec<ParsedDocument>,
    pub error: Option<YamlError>,
}

/// Maps saphyr's character-based markers onto byte offsets of the source.
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        Self { text, starts }
    }

    /// `line` is 1-based, `col` 0-based in characters (saphyr's convention).
    pub fn loc(&self, line: usize, col: usize) -> Loc {
        let start = self
            .starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(self.text.len());
        let rest = &self.text[start..];
        let prefix = rest.as_bytes().get(..col);
        let offset = match prefix {
            Some(bytes) if bytes.is_ascii() => start + col,
            _ => {
                start
                    + rest
                        .char_indices()
                        .nth(col)
                        .map(|(i, _)| i)
                        .unwrap_or(rest.len())
            }
        };
        Loc {
            line: line as u32,
            col: col as u32 + 1,
            offset,
        }
    }

    fn span(&self, span: &Span) -> (Loc, Loc) {
        (
            self.loc(span.start.line(), span.start.col()),
            self.loc(span.end.line(), span.end.col()),
        )
    }
}

enum Frame {
    Map {
        anchor: usize,
        start: Loc,
        entries: Map<String, Value>,
        positions: Vec<(String, PosNode)>,
        /// The key read and waiting for its value, with where it stands and whether it is a
        /// plain `<<` (a merge key).
        pending_key: Option<(String, Loc, bool)>,
        nodes: usize,
    },
    Seq {
        anchor: usize,
        start: Loc,
        items: Vec<Value>,
        positions: Vec<PosNode>,
        nodes: usize,
    },
}

struct Node {
    value: Value,
    pos: PosNode,
    /// Nodes in this subtree, to charge alias expansions against the budget.
    nodes: usize,
    merge_key: bool,
    /// A scalar's text as written: mapping keys keep it (a key `y` or `on` stays a string
    /// key rather than becoming "true").
    text: Option<String>,
}

struct Builder<'a> {
    lines: &'a LineIndex<'a>,
    limits: Limits,
    stack: Vec<Frame>,
    anchors: HashMap<usize, (Value, PosNode, usize)>,
    nodes_in_document: usize,
    root: Option<Node>,
}

impl<'a> Builder<'a> {
    fn new(lines: &'a LineIndex<'a>, limits: Limits) -> Self {
        Self {
            lines,
            limits,
            stack: Vec::new(),
            anchors: HashMap::new(),
            nodes_in_document: 0,
            root: None,
        }
    }

    fn reset(&mut self) {
        self.stack.clear();
        self.anchors.clear();
        self.nodes_in_document = 0;
        self.root = None;
    }

    fn charge(&mut self, nodes: usize, at: Loc) -> Result<(), YamlError> {
        self.nodes_in_document = self.nodes_in_document.saturating_add(nodes);
        if self.nodes_in_document > self.limits.max_nodes {
            return Err(YamlError {
                message: format!(
                    "document expands to more than {} nodes (alias bomb or oversized document); refusing to load it",
                    self.limits.max_nodes
                ),
                loc: at,
            });
        }
        Ok(())
    }

    fn open(&mut self, frame: Frame, at: Loc) -> Result<(), YamlError> {
        if self.stack.len() >= self.limits.max_depth {
            return Err(YamlError {
                message: format!(
                    "nesting deeper than {} levels; refusing to load the document",
                    self.limits.max_depth
                ),
                loc: at,
            });
        }
        self.charge(1, at)?;
        self.stack.push(frame);
        Ok(())
    }

    fn event(&mut self, event: Event<'_>, span: &Span) -> Result<(), YamlError> {
        let (start, end) = self.lines.span(span);
        match event {
            Event::MappingStart(anchor, _) => self.open(
                Frame::Map {
                    anchor,
                    start,
                    entries: Map::new(),
                    positions: Vec::new(),
                    pending_key: None,
                    nodes: 1,
                },
                start,
            ),
            Event::SequenceStart(anchor, _) => self.open(
                Frame::Seq {
                    anchor,
                    start,
                    items: Vec::new(),
                    positions: Vec::new(),
                    nodes: 1,
                },
                start,
            ),
            Event::MappingEnd | Event::SequenceEnd => {
                let Some(frame) = self.stack.pop() else {
                    return Ok(());
                };
                let (anchor, node) = match frame {
                    Frame::Map {
                        anchor,
                        start,
                        entries,
                        mut positions,
                        nodes,
                        ..
                    } => (
                        anchor,
                        // Every object stays in memory until the cross-resource rules have run:
                        // give back the growth slack of its (mostly small) maps and vectors.
                        {
                            positions.shrink_to_fit();
                            Node {
                                // (serde_json's Map has no shrink_to_fit; collecting sizes it exactly.)
                                value: Value::Object(entries.into_iter().collect()),
                                pos: PosNode::new(start, end.offset, Children::Map(positions)),
                                nodes,
                                merge_key: false,
                                text: None,
                            }
                        },
                    ),
                    Frame::Seq {
                        anchor,
                        start,
                        mut items,
                        mut positions,
                        nodes,
                    } => (anchor, {
                        items.shrink_to_fit();
                        positions.shrink_to_fit();
                        Node {
                            value: Value::Array(items),
                            pos: PosNode::new(start, end.offset, Children::Seq(positions)),
                            nodes,
                            merge_key: false,
                            text: None,
                        }
                    }),
                };
                self.remember_anchor(anchor, &node);
                self.complete(node)
            }
            Event::Scalar(text, style, anchor, tag) => {
                self.charge(1, start)?;
                let tag_suffix = tag.as_ref().map(|t| t.suffix.as_str());
                let merge_key = style == ScalarStyle::Plain && text == "<<";
                let node = Node {
                    value: resolve_scalar(&text, style, tag_suffix),
                    pos: PosNode::new(start, end.offset, Children::None),
                    nodes: 1,
                    merge_key,
                    text: Some(text.into_owned()),
                };
                self.remember_anchor(anchor, &node);
                self.complete(node)
            }
            Event::Alias(id) => {
                let Some((value, pos, nodes)) = self.anchors.get(&id) else {
                    return Err(YamlError {
                        message: "alias refers to an unknown anchor".into(),
                        loc: start,
                    });
                };
                let (value, mut pos, nodes) = (value.clone(), pos.clone(), *nodes);
                // Charged before the clone lands anywhere, so a "billion laughs" stream fails
                // at the first expansion that would cross the budget.
                self.charge(nodes, start)?;
                pos.start = start;
                self.complete(Node {
                    value,
                    pos,
                    nodes,
                    merge_key: false,
                    text: None,
                })
            }
            _ => Ok(()),
        }
    }

    fn remember_anchor(&mut self, anchor: usize, node: &Node) {
        if anchor > 0 {
            self.anchors
                .insert(anchor, (node.value.clone(), node.pos.clone(), node.nodes));
        }
    }

    fn complete(&mut self, node: Node) -> Result<(), YamlError> {
        match self.stack.last_mut() {
            None => {
                self.root = Some(node);
                Ok(())
            }
            Some(Frame::Seq {
                items,
                positions,
                nodes,
                ..
            }) => {
                *nodes += node.nodes;
                items.push(node.value);
                positions.push(node.pos);
                Ok(())
            }
            Some(Frame::Map {
                entries,
                positions,
                pending_key,
                nodes,
                ..
            }) => {
                *nodes += node.nodes;
                match pending_key.take() {
                    None => {
                        let key = match (node.text, node.value) {
                            // saphyr's scalar buffer keeps its growth slack; keys live as
                            // long as the object does.
                            (Some(mut text), _) => {
                                text.shrink_to_fit();
                                text
                            }
                            (None, other) => other.to_string(),
                        };
                        *pending_key = Some((key, node.pos.start, node.merge_key));
                    }
                    Some((key, key_loc, true)) => {
                        merge_into(entries, positions, node.value, node.pos, &key, key_loc)
                    }
                    Some((key, key_loc, false)) => {
                        let mut pos = node.pos;
                        pos.key = Some(key_loc);
                        // Last one wins on a duplicated key, as in the API server's decoder.
                        positions.retain(|(k, _)| *k != key);
                        positions.push((key.clone(), pos));
                        entries.insert(key, node.value);
                    }
                }
                Ok(())
            }
        }
    }
}

/// YAML 1.1 merge key: entries of the merged mapping(s) fill in keys not set explicitly.
fn merge_into(
    entries: &mut Map<String, Value>,
    positions: &mut Vec<(String, PosNode)>,
    value: Value,
    pos: PosNode,
    key: &str,
    key_loc: Loc,
) {
    let sources: Vec<(Value, PosNode)> = match (value, pos.children) {
        (Value::Object(map), children @ Children::Map(_)) => vec![(
            Value::Object(map),
            PosNode {
                children,
                ..PosNode::new(pos.start, pos.end, Children::None)
            },
        )],
        (Value::Array(items), Children::Seq(item_positions)) => {
            items.into_iter().zip(item_positions).collect()
        }
        (other, children) => {
            // Not a mapping: keep it as an ordinary key so nothing silently disappears.
            let mut pos = PosNode::new(pos.start, pos.end, children);
            pos.key = Some(key_loc);
            positions.push((key.to_string(), pos));
            entries.insert(key.to_string(), other);
            return;
        }
    };
    for (source, source_pos) in sources {
        let (Value::Object(map), Children::Map(child_positions)) = (source, source_pos.children)
        else {
            continue;
        };
        let mut child_positions: HashMap<String, PosNode> = child_positions.into_iter().collect();
        for (k, v) in map {
            if entries.contains_key(&k) {
                continue;
            }
            if let Some(p) = child_positions.remove(&k) {
                positions.push((k.clone(), p));
            }
            entries.insert(k, v);
        }
    }
}

/// Resolves a scalar the way Kubernetes' YAML decoder does.
fn resolve_scalar(text: &str, style: ScalarStyle, tag: Option<&str>) -> Value {
    match tag {
        Some("str") => return Value::String(text.to_string()),
        Some("null") => return Value::Null,
        _ => {}
    }
    if style != ScalarStyle::Plain {
        return Value::String(text.to_string());
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "y" | "Y" => {
            return Value::Bool(true);
        }
        "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "n" | "N" => {
            return Value::Bool(false);
        }
        _ => {}
    }
    if let Some(n) = parse_int(text) {
        return Value::from(n);
    }
    if looks_like_float(text)
        && let Ok(f) = text.parse::<f64>()
        && let Some(n) = serde_json::Number::from_f64(f)
    {
        return Value::Number(n);
    }
    Value::String(text.to_string())
}

fn parse_int(text: &str) -> Option<i64> {
    let (negative, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let magnitude = if let Some(hex) = digits.strip_prefix("0x") {
        i64::from_str_radix(hex, 16).ok()?
    } else if let Some(oct) = digits.strip_prefix("0o") {
        i64::from_str_radix(oct, 8).ok()?
    } else if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        digits.parse::<i64>().ok()?
    } else {
        return None;
    };
    Some(if negative { -magnitude } else { magnitude })
}

fn looks_like_float(text: &str) -> bool {
    let body = text.trim_start_matches(['-', '+']);
    !body.is_empty()
        && body.bytes().any(|b| b.is_ascii_digit())
        && body
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'))
        && body
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_digit() || b == b'.')
}

/// Finds Helm's `# Source:` comment in the text between two documents.
fn helm_source_in(between: &str) -> Option<String> {
    between
        .lines()
        .rev()
        .find_map(|line| line.trim().strip_prefix("# Source:"))
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// Parses a whole YAML stream.
pub fn parse_stream(text: &str, limits: Limits) -> ParsedStream {
    let lines = LineIndex::new(text);
    let mut builder = Builder::new(&lines, limits);
    let mut documents = Vec::new();
    let mut previous_end = 0usize;
    let mut root_start: Option<usize> = None;

    for item in Parser::new_from_str(text) {
        let (event, span) = match item {
            Ok(pair) => pair,
            Err(err) => {
                let marker = err.marker();
                let message = if err.info().contains("recursion limit") {
                    // saphyr's own guard against deep nesting fires before ours can.
                    "nesting too deep (parser recursion limit); refusing to load the document"
                        .to_string()
                } else {
                    err.info().to_string()
                };
                return ParsedStream {
                    documents,
                    error: Some(YamlError {
                        message,
                        loc: lines.loc(marker.line(), marker.col()),
                    }),
                };
            }
        };
        match event {
            Event::DocumentStart(_) => {
                builder.reset();
                root_start = None;
            }
            Event::DocumentEnd => {
                let end = lines.loc(span.end.line(), span.end.col()).offset;
                let (value, positions) = match builder.root.take() {
                    Some(root) => (Some(root.value), root.pos),
                    None => (
                        None,
                        PosNode::new(
                            lines.loc(span.start.line(), span.start.col()),
                            end,
                            Children::None,
                        ),
                    ),
                };
                let comment_region = &text[previous_end.min(text.len())
                    ..root_start
                        .unwrap_or(end)
                        .clamp(previous_end.min(text.len()), text.len())];
                documents.push(ParsedDocument {
                    index: documents.len(),
                    helm_source: helm_source_in(comment_region),
                    positions,
                    value,
                });
                previous_end = end.max(previous_end);
                builder.reset();
            }
            Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
            other => {
                if root_start.is_none() {
                    root_start = Some(lines.loc(span.start.line(), span.start.col()).offset);
                }
                if let Err(err) = builder.event(other, &span) {
                    return ParsedStream {
                        documents,
                        error: Some(err),
                    };
                }
            }
        }
    }
    ParsedStream {
        documents,
        error: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(text: &str) -> ParsedStream {
        parse_stream(text, Limits::default())
    }

    #[test]
    fn resolves_scalars_like_kubernetes() {
        let s = parse("a: yes\nb: '1'\nc: 1\nd: ~\ne: 1.5\nf: \"on\"\ng: 0x1F\nh: 1.2.3\n");
        assert_eq!(
            s.documents[0].value,
            Some(
                json!({"a": true, "b": "1", "c": 1, "d": null, "e": 1.5, "f": "on", "g": 31, "h": "1.2.3"})
            )
        );
    }

    #[test]
    fn records_key_positions() {
        let s = parse(
            "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: a\n      image: x\n",
        );
        let pos = &s.documents[0].positions;
        let image = pos
            .child_key("spec")
            .and_then(|p| p.child_key("containers"))
            .and_then(|p| p.child_index(0))
            .and_then(|p| p.child_key("image"))
            .and_then(|p| p.key);
        assert_eq!(image.map(|l| (l.line, l.col)), Some((6, 7)));
    }

    #[test]
    fn keeps_documents_before_an_error() {
        let s = parse("a: 1\n---\nb: [\n");
        assert_eq!(s.documents.len(), 1);
        let err = s.error.expect("error expected");
        assert!(err.loc.line >= 3, "{err:?}");
    }

    #[test]
    fn refuses_alias_bombs() {
        let mut doc = String::from(
            "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
        );
        let names = ["b", "c", "d", "e", "f", "g", "h", "i"];
        let mut prev = "a";
        for n in names {
            doc.push_str(&format!("{n}: &{n} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"));
            prev = n;
        }
        let s = parse(&doc);
        let err = s.error.expect("alias bomb must be refused");
        assert!(err.message.contains("alias bomb"), "{}", err.message);
    }

    #[test]
    fn refuses_deep_nesting() {
        let text = "[".repeat(10_000);
        let s = parse(&text);
        assert!(s.error.expect("error").message.contains("nesting"));
    }

    #[test]
    fn applies_merge_keys() {
        let s = parse("base: &b {x: 1, y: 2}\nobj:\n  <<: *b\n  y: 3\n");
        assert_eq!(
            s.documents[0].value.as_ref().map(|v| v["obj"].clone()),
            Some(json!({"x": 1, "y": 3}))
        );
    }

    #[test]
    fn finds_helm_source_comments() {
        let s = parse(
            "---\n# Source: todo/templates/a.yaml\nkind: A\n---\n# Source: todo/templates/b.yaml\nkind: B\n",
        );
        let sources: Vec<_> = s.documents.iter().map(|d| d.helm_source.clone()).collect();
        assert_eq!(
            sources,
            vec![
                Some("todo/templates/a.yaml".into()),
                Some("todo/templates/b.yaml".into())
            ]
        );
    }
}
