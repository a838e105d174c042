//! YAML stream → the engine's values plus a position tree, in one pass over saphyr's event
//! stream.
//!
//! We drive the event parser ourselves (rather than deserialising with serde) because the
//! linter needs three things a serde model does not give: the position of every key and
//! value, hard limits that hold against hostile input (alias bombs, deep nesting) before any
//! memory is spent, and the documents that parsed cleanly before an error in the same stream.
//!
//! Scalars resolve the way Kubernetes' own YAML reader does (sigs.k8s.io/yaml, YAML 1.1
//! flavoured): `yes`/`no`/`on`/`off` are booleans, `~` and empty are null, and merge keys (`<<`)
//! are honoured, so a rule sees the same object the API server would.
//!
//! Values are built straight in the engine's type ([`regorus::Value`]), each mapping frozen as
//! it closes: no JSON tree is built and converted afterwards (that conversion, and the JSON
//! tree's hashed maps, cost about as much as the parse itself).

use std::collections::HashMap;

use regorus::Value;
use regorus::value::Object;
use saphyr_parser::{Event, Parser, ScalarStyle, Span};
use serde_json::{Map as JsonMap, Value as Json};

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
    /// The document's root value (`None` for an empty document), without null object
    /// members (unset fields).
    pub value: Option<Value>,
    /// The document as JSON, with its null members, member order and floats (`2.0`) as
    /// written: built only by [`parse_stream_json`], for the config file, which serde reads.
    pub json: Option<Json>,
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
    /// Every character is one byte (nearly every manifest), so a column is a byte count and
    /// `loc` needs no scan of the line (it runs twice per parser event).
    all_ascii: bool,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        // (`match_indices` with a char searches with memchr, not byte by byte.)
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self {
            text,
            starts,
            all_ascii: text.is_ascii(),
        }
    }

    /// Where a byte offset (on a character boundary) stands.
    pub fn loc_of_offset(&self, offset: usize) -> Loc {
        let line = self.starts.partition_point(|start| *start <= offset);
        let start = self
            .starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(0);
        let col = self
            .text
            .get(start..offset)
            .map_or(0, |prefix| prefix.chars().count());
        Loc {
            line: line as u32,
            col: col as u32 + 1,
            offset,
        }
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
            _ if self.all_ascii => start + col.min(rest.len()),
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
        /// Members in the order read, duplicates and null members included: both are settled
        /// when the mapping is frozen, because a later `a: ~` must still undo an earlier `a: 1`
        /// and an explicit `a: ~` must still keep a merge from filling `a` in.
        entries: Vec<(Value, Value)>,
        positions: Vec<(String, PosNode)>,
        /// The key read and waiting for its value, with where it stands and whether it is a
        /// plain `<<` (a merge key).
        pending_key: Option<(String, Loc, bool)>,
        nodes: usize,
        /// The mapping as JSON, built only where it can become a key's text (see
        /// [`Node::json`]).
        json: Option<Box<JsonMap<String, Json>>>,
        /// Where each key stands in `positions`, once the mapping is too large to scan.
        key_index: KeyIndex,
    },
    Seq {
        anchor: usize,
        start: Loc,
        items: Vec<Value>,
        positions: Vec<PosNode>,
        nodes: usize,
        json: Option<Vec<Json>>,
    },
}

struct Node {
    value: Value,
    pos: PosNode,
    /// Nodes in this subtree, to charge alias expansions against the budget.
    nodes: usize,
    merge_key: bool,
    /// A scalar's text as written, kept only where a mapping key is due: keys keep it (a key
    /// `y` or `on` stays a string key rather than becoming "true").
    text: Option<String>,
    /// The node as JSON, for a node that can end up in the key of a mapping (a key, inside
    /// one, or anchored, since an alias can bring it into one). A non-scalar key is named by
    /// its compact JSON text, with its null members, its members in the order written and its
    /// floats as written (`2.0`): unrendered Helm templates (`{{ .Values.x }}`) are mappings
    /// keyed by `{".Values.x":null}`. The engine's value keeps none of the three.
    json: Option<Box<Json>>,
}

impl Node {
    /// A closed mapping or sequence.
    fn collection(value: Value, pos: PosNode, nodes: usize, json: Option<Json>) -> Self {
        Self {
            value,
            pos,
            nodes,
            merge_key: false,
            text: None,
            json: json.map(Box::new),
        }
    }
}

struct Builder<'a> {
    lines: &'a LineIndex<'a>,
    limits: Limits,
    /// Whether every node builds its JSON (see [`parse_stream_json`]).
    json_everywhere: bool,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Anchor>,
    nodes_in_document: usize,
    root: Option<Node>,
    spare: SpareBuffers,
}

/// Emptied member buffers of closed collections, for the next ones to fill. A collection's
/// members are gathered in a reused buffer and moved out at its close into one allocation of
/// the exact size; a new vector per collection grew by reallocation (three for ten members)
/// and was then shrunk to size, one more.
#[derive(Default)]
struct SpareBuffers {
    entries: Vec<Vec<(Value, Value)>>,
    map_positions: Vec<Vec<(String, PosNode)>>,
    items: Vec<Vec<Value>>,
    seq_positions: Vec<Vec<PosNode>>,
}

/// An anchored node: what an alias to it expands to.
struct Anchor {
    value: Value,
    pos: PosNode,
    nodes: usize,
    json: Option<Box<Json>>,
}

impl<'a> Builder<'a> {
    fn new(lines: &'a LineIndex<'a>, limits: Limits, json_everywhere: bool) -> Self {
        Self {
            lines,
            limits,
            json_everywhere,
            stack: Vec::new(),
            anchors: HashMap::new(),
            nodes_in_document: 0,
            root: None,
            spare: SpareBuffers::default(),
        }
    }

    fn reset(&mut self) {
        self.stack.clear();
        self.anchors.clear();
        self.nodes_in_document = 0;
        self.root = None;
    }

    fn charge(&mut self, nodes: usize, at: Loc) -> Result<(), YamlError> {
        charge(&mut self.nodes_in_document, &self.limits, nodes, at)
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

    /// Whether the next node is a mapping key.
    fn key_due(&self) -> bool {
        matches!(
            self.stack.last(),
            Some(Frame::Map {
                pending_key: None,
                ..
            })
        )
    }

    /// Whether the next node (with this anchor) builds its JSON: as a key, inside a
    /// collection that builds it, anchored (an alias can bring it into a key), or everywhere.
    fn wants_json(&self, anchor: usize) -> bool {
        anchor > 0
            || self.json_everywhere
            || match self.stack.last() {
                Some(Frame::Map {
                    json, pending_key, ..
                }) => json.is_some() || pending_key.is_none(),
                Some(Frame::Seq { json, .. }) => json.is_some(),
                None => false,
            }
    }

    fn event(&mut self, event: Event<'_>, span: &Span) -> Result<(), YamlError> {
        let (start, end) = self.lines.span(span);
        match event {
            Event::MappingStart(anchor, _) => {
                let json = self.wants_json(anchor).then(Box::default);
                let entries = self.spare.entries.pop().unwrap_or_default();
                let positions = self.spare.map_positions.pop().unwrap_or_default();
                self.open(
                    Frame::Map {
                        anchor,
                        start,
                        entries,
                        positions,
                        pending_key: None,
                        nodes: 1,
                        json,
                        key_index: KeyIndex::default(),
                    },
                    start,
                )
            }
            Event::SequenceStart(anchor, _) => {
                let json = self.wants_json(anchor).then(Vec::new);
                let items = self.spare.items.pop().unwrap_or_default();
                let positions = self.spare.seq_positions.pop().unwrap_or_default();
                self.open(
                    Frame::Seq {
                        anchor,
                        start,
                        items,
                        positions,
                        nodes: 1,
                        json,
                    },
                    start,
                )
            }
            Event::MappingEnd | Event::SequenceEnd => {
                let Some(frame) = self.stack.pop() else {
                    return Ok(());
                };
                let (anchor, node) = match frame {
                    Frame::Map {
                        anchor,
                        start,
                        mut entries,
                        mut positions,
                        nodes,
                        json,
                        ..
                    } => {
                        // Every object stays in memory until the cross-resource rules have
                        // run: its members move into allocations of their exact size.
                        let value = freeze_mapping(&mut entries);
                        let children = Children::Map(take_exact(&mut positions));
                        self.spare.entries.push(entries);
                        self.spare.map_positions.push(positions);
                        let json = json.map(|map| Json::Object(*map));
                        let pos = PosNode::new(start, end.offset, children);
                        (anchor, Node::collection(value, pos, nodes, json))
                    }
                    Frame::Seq {
                        anchor,
                        start,
                        mut items,
                        mut positions,
                        nodes,
                        json,
                    } => {
                        // Null items stay: only object members are fields to unset.
                        let value = Value::from(take_exact(&mut items));
                        let children = Children::Seq(take_exact(&mut positions));
                        self.spare.items.push(items);
                        self.spare.seq_positions.push(positions);
                        let json = json.map(Json::Array);
                        let pos = PosNode::new(start, end.offset, children);
                        (anchor, Node::collection(value, pos, nodes, json))
                    }
                };
                self.remember_anchor(anchor, &node);
                self.complete(node)
            }
            Event::Scalar(text, style, anchor, tag) => {
                self.charge(1, start)?;
                let merge_key = style == ScalarStyle::Plain && text == "<<";
                let is_key = self.key_due();
                // A mapping key is used by its text alone; it is resolved only when an anchor
                // can bring it back elsewhere (as a value, or an alias key).
                let (value, json) = if is_key && anchor == 0 {
                    (Value::Null, None)
                } else {
                    let tag_suffix = tag.as_ref().map(|t| t.suffix.as_str());
                    let scalar = resolve_scalar(&text, style, tag_suffix);
                    let json = self.wants_json(anchor).then(|| Box::new(scalar.json()));
                    (scalar.value(), json)
                };
                let node = Node {
                    value,
                    pos: PosNode::new(start, end.offset, Children::None),
                    nodes: 1,
                    merge_key,
                    text: is_key.then(|| text.into_owned()),
                    json,
                };
                self.remember_anchor(anchor, &node);
                self.complete(node)
            }
            Event::Alias(id) => {
                let wants_json = self.wants_json(0);
                let Some(anchored) = self.anchors.get(&id) else {
                    return Err(YamlError {
                        message: "alias refers to an unknown anchor".into(),
                        loc: start,
                    });
                };
                // Charged before anything is copied, so a "billion laughs" stream fails at the
                // first expansion that would cross the budget. (The value is a shared reference,
                // but the positions, and any JSON, are copies.)
                charge(
                    &mut self.nodes_in_document,
                    &self.limits,
                    anchored.nodes,
                    start,
                )?;
                let mut pos = anchored.pos.clone();
                pos.start = start;
                let node = Node {
                    value: anchored.value.clone(),
                    pos,
                    nodes: anchored.nodes,
                    merge_key: false,
                    text: None,
                    json: if wants_json {
                        anchored.json.clone()
                    } else {
                        None
                    },
                };
                self.complete(node)
            }
            _ => Ok(()),
        }
    }

    fn remember_anchor(&mut self, anchor: usize, node: &Node) {
        if anchor > 0 {
            self.anchors.insert(
                anchor,
                Anchor {
                    value: node.value.clone(),
                    pos: node.pos.clone(),
                    nodes: node.nodes,
                    json: node.json.clone(),
                },
            );
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
                json,
                ..
            }) => {
                *nodes += node.nodes;
                if let Some(json) = json {
                    json.push(json_of(node.json, &node.value));
                }
                items.push(node.value);
                positions.push(node.pos);
                Ok(())
            }
            Some(Frame::Map {
                entries,
                positions,
                pending_key,
                nodes,
                json,
                key_index,
                ..
            }) => {
                *nodes += node.nodes;
                match pending_key.take() {
                    None => {
                        let key = match node.text {
                            // saphyr's scalar buffer keeps its growth slack; keys live as
                            // long as the object does.
                            Some(mut text) => {
                                text.shrink_to_fit();
                                text
                            }
                            None => json_of(node.json, &node.value).to_string(),
                        };
                        *pending_key = Some((key, node.pos.start, node.merge_key));
                    }
                    Some((key, key_loc, true)) => {
                        if let Some(json) = json {
                            merge_json(json, json_of(node.json, &node.value), &key);
                        }
                        merge_into(entries, positions, node.value, node.pos, &key, key_loc);
                        // The merge added keys without it; rebuilt on the next key.
                        *key_index = KeyIndex::default();
                    }
                    Some((key, key_loc, false)) => {
                        if let Some(json) = json {
                            json.insert(key.clone(), json_of(node.json, &node.value));
                        }
                        let mut pos = node.pos;
                        pos.key = Some(key_loc);
                        // Last one wins on a duplicated key, as in the API server's decoder
                        // (for the value, when the mapping is frozen).
                        entries.push((Value::from(key.as_str()), node.value));
                        key_index.record(positions, key, pos);
                    }
                }
                Ok(())
            }
        }
    }
}

/// The keys of a large mapping and where they stand in its positions. Checking each new key
/// against all earlier ones made a mapping quadratic to load: a 100,000-key ConfigMap (1.2 MB)
/// took 27 s. Small mappings, nearly all of them, keep the scan and build no index.
#[derive(Default)]
struct KeyIndex(Option<HashMap<String, usize>>);

impl KeyIndex {
    /// Past this many keys a mapping gets an index.
    const SCAN_UP_TO: usize = 32;

    /// Adds `key` at `pos`, replacing the position of an earlier `key`: one position per key,
    /// the last one's.
    fn record(&mut self, positions: &mut Vec<(String, PosNode)>, key: String, pos: PosNode) {
        if self.0.is_none() && positions.len() >= Self::SCAN_UP_TO {
            self.0 = Some(
                positions
                    .iter()
                    .enumerate()
                    .map(|(i, (k, _))| (k.clone(), i))
                    .collect(),
            );
        }
        match &mut self.0 {
            None => {
                positions.retain(|(k, _)| *k != key);
                positions.push((key, pos));
            }
            Some(index) => match index.get(&key) {
                Some(&i) if i < positions.len() => positions[i].1 = pos,
                _ => {
                    index.insert(key.clone(), positions.len());
                    positions.push((key, pos));
                }
            },
        }
    }
}

/// Counts `nodes` more nodes against the document's budget.
fn charge(count: &mut usize, limits: &Limits, nodes: usize, at: Loc) -> Result<(), YamlError> {
    *count = count.saturating_add(nodes);
    if *count > limits.max_nodes {
        return Err(YamlError {
            message: format!(
                "document expands to more than {} nodes (alias bomb or oversized document); refusing to load it",
                limits.max_nodes
            ),
            loc: at,
        });
    }
    Ok(())
}

/// Moves a buffer's members into a vector of exactly their number, leaving the buffer empty
/// with its capacity, for reuse (`mem::take` would hand over the buffer, growth slack included).
fn take_exact<T>(buffer: &mut Vec<T>) -> Vec<T> {
    let mut exact = Vec::with_capacity(buffer.len());
    exact.append(buffer);
    exact
}

/// A mapping's members as the engine's object, built the way [`crate::object::from_json`]
/// builds one (see there why it is collected into an `Object`): the last of duplicated keys
/// wins, then null members (unset fields) are left out. `entries` (duplicates and nulls
/// included) is left empty, for reuse.
fn freeze_mapping(entries: &mut Vec<(Value, Value)>) -> Value {
    let has_null = entries.iter().any(|(_, v)| matches!(v, Value::Null));
    let mut object: Object = entries.drain(..).collect();
    if has_null {
        // Only after the duplicates are settled: `a: 1` then `a: ~` leaves `a` unset.
        object.retain(|_, v| !matches!(v, Value::Null));
    }
    Value::from(object)
}

/// A node's JSON: as built, else (not expected: every node that can reach a key builds it) as
/// the engine's value serializes.
fn json_of(json: Option<Box<Json>>, value: &Value) -> Json {
    json.map_or_else(
        || serde_json::to_value(value).unwrap_or(Json::Null),
        |json| *json,
    )
}

/// Whether the members read so far set `key` (to anything, null included).
fn has_entry(entries: &[(Value, Value)], key: &str) -> bool {
    entries
        .iter()
        .any(|(k, _)| matches!(k, Value::String(s) if **s == *key))
}

/// YAML 1.1 merge key: entries of the merged mapping(s) fill in keys not set explicitly.
fn merge_into(
    entries: &mut Vec<(Value, Value)>,
    positions: &mut Vec<(String, PosNode)>,
    value: Value,
    pos: PosNode,
    key: &str,
    key_loc: Loc,
) {
    let sources: Vec<(Value, PosNode)> = match (value, pos.children) {
        (object @ Value::Object(_), children @ Children::Map(_)) => vec![(
            object,
            PosNode {
                children,
                ..PosNode::new(pos.start, pos.end, Children::None)
            },
        )],
        (Value::Array(items), Children::Seq(item_positions)) => {
            items.iter().cloned().zip(item_positions).collect()
        }
        (other, children) => {
            // Not a mapping: keep it as an ordinary key so nothing silently disappears.
            let mut pos = PosNode::new(pos.start, pos.end, children);
            pos.key = Some(key_loc);
            positions.push((key.to_string(), pos));
            entries.push((Value::from(key), other));
            return;
        }
    };
    for (source, source_pos) in sources {
        let (Value::Object(map), Children::Map(child_positions)) = (source, source_pos.children)
        else {
            continue;
        };
        // Walked by the positions, which name every key the source was written with: its
        // value has left its null members out, yet a merged `x: ~` still sets `x` (and keeps
        // its position), as it did before values were frozen.
        let mut rest = child_positions.into_iter();
        while let Some((k, p)) = rest.next() {
            // A key is named once, but for `<<` set to a non-mapping twice (see above): the
            // last one stands, as the value's does.
            if has_entry(entries, &k)
                || (k == "<<" && rest.as_slice().iter().any(|(later, _)| *later == k))
            {
                continue;
            }
            let k_value = Value::from(k.as_str());
            let v = map.get(&k_value).cloned().unwrap_or(Value::Null);
            entries.push((k_value, v));
            positions.push((k, p));
        }
    }
}

/// [`merge_into`] for the JSON of a mapping that can become a key's text.
fn merge_json(entries: &mut JsonMap<String, Json>, value: Json, key: &str) {
    let sources = match value {
        Json::Object(map) => vec![map],
        Json::Array(items) => items
            .into_iter()
            .filter_map(|item| match item {
                Json::Object(map) => Some(map),
                _ => None,
            })
            .collect(),
        other => {
            entries.insert(key.to_string(), other);
            return;
        }
    };
    for map in sources {
        for (k, v) in map {
            if !entries.contains_key(&k) {
                entries.insert(k, v);
            }
        }
    }
}

/// A resolved scalar, to build as the engine's value or as JSON.
enum Scalar<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(&'a str),
}

impl Scalar<'_> {
    fn value(&self) -> Value {
        match *self {
            Scalar::Null => Value::Null,
            Scalar::Bool(b) => Value::from(b),
            Scalar::Int(n) => Value::from(n),
            Scalar::Float(f) => Value::from(f),
            Scalar::Str(s) => Value::from(s),
        }
    }

    fn json(&self) -> Json {
        match *self {
            Scalar::Null => Json::Null,
            Scalar::Bool(b) => Json::Bool(b),
            Scalar::Int(n) => Json::from(n),
            // Finite by construction (see `resolve_scalar`).
            Scalar::Float(f) => serde_json::Number::from_f64(f).map_or(Json::Null, Json::Number),
            Scalar::Str(s) => Json::String(s.to_string()),
        }
    }
}

/// Resolves a scalar the way Kubernetes' YAML decoder does.
fn resolve_scalar<'a>(text: &'a str, style: ScalarStyle, tag: Option<&str>) -> Scalar<'a> {
    match tag {
        Some("str") => return Scalar::Str(text),
        Some("null") => return Scalar::Null,
        _ => {}
    }
    if style != ScalarStyle::Plain {
        return Scalar::Str(text);
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Scalar::Null,
        "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "y" | "Y" => {
            return Scalar::Bool(true);
        }
        "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "n" | "N" => {
            return Scalar::Bool(false);
        }
        _ => {}
    }
    if let Some(n) = parse_int(text) {
        return Scalar::Int(n);
    }
    // A number too large for a double (`1e999`) stays a string, as it did when values were
    // JSON first (JSON has no infinity).
    if looks_like_float(text)
        && let Ok(f) = text.parse::<f64>()
        && f.is_finite()
    {
        return Scalar::Float(f);
    }
    Scalar::Str(text)
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

/// Parses a whole YAML stream, leaving null object members (unset fields) out of the values,
/// as [`crate::object::from_json`] does: lint, audit and admission see the same shape.
pub fn parse_stream(text: &str, limits: Limits) -> ParsedStream {
    parse_stream_with(text, limits, false)
}

/// Parses a whole YAML stream and builds each document's JSON too ([`ParsedDocument::json`]):
/// for the config file, which serde reads, where `rules: {x: }` is a null to reject rather
/// than a setting to ignore, and the first of several mistakes reported is the first written.
pub fn parse_stream_json(text: &str, limits: Limits) -> ParsedStream {
    parse_stream_with(text, limits, true)
}

fn parse_stream_with(text: &str, limits: Limits, json_everywhere: bool) -> ParsedStream {
    let lines = LineIndex::new(text);
    let mut builder = Builder::new(&lines, limits, json_everywhere);
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
                let (value, json, positions) = match builder.root.take() {
                    Some(root) => {
                        // (An anchored root has built its JSON too, for aliases only.)
                        let json = root.json.filter(|_| builder.json_everywhere);
                        (Some(root.value), json.map(|json| *json), root.pos)
                    }
                    None => (
                        None,
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
                    json,
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
    use crate::object::from_json;
    use serde_json::json;

    fn parse(text: &str) -> ParsedStream {
        parse_stream(text, Limits::default())
    }

    /// The first document's value, as JSON (the engine's objects serialize sorted by key).
    fn value_json(s: &ParsedStream) -> Option<serde_json::Value> {
        let value = s.documents[0].value.as_ref()?;
        Some(serde_json::to_value(value).expect("serializable"))
    }

    #[test]
    fn resolves_scalars_like_kubernetes() {
        let s = parse(
            "a: yes\nb: '1'\nc: 1\nd: ~\ne: 1.5\nf: \"on\"\ng: 0x1F\nh: 1.2.3\ni: -0o17\nj: 1e999\nk: !!str 5\nl: 9223372036854775808\nm: [~, null, '']\n",
        );
        // What the JSON tree this loader used to build converted into.
        let expected = from_json(&json!({
            "a": true, "b": "1", "c": 1, "d": null, "e": 1.5, "f": "on", "g": 31, "h": "1.2.3",
            "i": -15, "j": "1e999", "k": "5", "l": 9.223372036854776e18, "m": [null, null, ""]
        }));
        assert_eq!(s.documents[0].value, Some(expected));
    }

    /// The line of `key`'s key in a mapping's positions.
    fn key_line(pos: &PosNode, key: &str) -> Option<u32> {
        pos.child_key(key).and_then(|p| p.key).map(|l| l.line)
    }

    #[test]
    fn null_members_are_unset_but_keep_their_positions() {
        let s = parse("a: 1\nb: ~\nc:\nd: [~]\ne: {f: null}\n");
        assert_eq!(value_json(&s), Some(json!({"a": 1, "d": [null], "e": {}})));
        let pos = &s.documents[0].positions;
        assert_eq!(key_line(pos, "b"), Some(2));
        assert_eq!(key_line(pos, "c"), Some(3));
        let f = pos.child_key("e").and_then(|p| p.child_key("f"));
        assert!(f.is_some_and(|p| p.key.is_some()));
        // The config file's JSON keeps them, for serde to judge, in the order written.
        let config = parse_stream_json("z: 2.0\nb: ~\ne: {f: null}\n", Limits::default());
        assert_eq!(
            config.documents[0].json.as_ref().map(|j| j.to_string()),
            Some(r#"{"z":2.0,"b":null,"e":{"f":null}}"#.to_string())
        );
        assert_eq!(
            config.documents[0].value,
            Some(from_json(&json!({"z": 2.0, "e": {}})))
        );
    }

    #[test]
    fn large_mappings_keep_one_position_per_key_the_last() {
        // Past KeyIndex::SCAN_UP_TO keys the duplicate check goes through an index.
        let mut text: String = (0..100).map(|i| format!("k{i}: {i}\n")).collect();
        text.push_str("k3: again\nk80: ~\nbase: &b {m1: 1, k5: 5}\nlate: {<<: *b, z: 1}\n");
        text.push_str("k99: last\n<<: {mm: 1, k1: merged}\nmm: again\n");
        let s = parse(&text);
        let Some(value) = value_json(&s) else {
            panic!("a document");
        };
        assert_eq!(value["k3"], json!("again"));
        assert_eq!(value["k99"], json!("last"));
        assert!(value.get("k80").is_none(), "null after 80 leaves it unset");
        assert_eq!(value["late"], json!({"m1": 1, "k5": 5, "z": 1}));
        assert_eq!(
            value["k1"],
            json!(1),
            "a merge does not override a key set before it"
        );
        assert_eq!(value["mm"], json!("again"));
        let pos = &s.documents[0].positions;
        let Children::Map(entries) = &pos.children else {
            panic!("a mapping");
        };
        assert_eq!(entries.len(), 103, "100 keys, base, late and mm, each once");
        assert_eq!(key_line(pos, "mm"), Some(107));
        assert_eq!(key_line(pos, "k3"), Some(101));
        assert_eq!(key_line(pos, "k80"), Some(102));
        assert_eq!(key_line(pos, "k99"), Some(105));
        assert_eq!(key_line(pos, "k0"), Some(1));
    }

    #[test]
    fn last_duplicate_key_wins_even_when_null() {
        let s = parse("a: 1\na: ~\nb: ~\nb: 2\nc: 1\nc: 3\n");
        assert_eq!(value_json(&s), Some(json!({"b": 2, "c": 3})));
        let pos = &s.documents[0].positions;
        // One position per key, the last one's.
        assert_eq!(key_line(pos, "a"), Some(2));
        assert_eq!(key_line(pos, "c"), Some(6));
        let Children::Map(entries) = &pos.children else {
            panic!("a mapping");
        };
        assert_eq!(entries.len(), 3);
    }

    #[test]
    fn keys_keep_their_text_and_aliases_share_values() {
        let s = parse(
            "y: 1\n'on': 2\n1: 3\n? [a, 1]\n: 4\n? {b: c}\n: 5\nx: &x {p: [1, 2]}\nz: *x\n&k ka: 6\n*k : 7\n? {s: 2.0, r: ~, <<: {q: 1}}\n: 8\n",
        );
        assert_eq!(
            value_json(&s),
            Some(json!({
                "y": 1, "on": 2, "1": 3, "[\"a\",1]": 4, "{\"b\":\"c\"}": 5,
                "x": {"p": [1, 2]}, "z": {"p": [1, 2]}, "ka": 6, "\"ka\"": 7,
                // Written order, null members and floats as they were in the JSON tree.
                "{\"s\":2.0,\"r\":null,\"q\":1}": 8
            }))
        );
        // An unrendered Helm template: a mapping keyed by a mapping, both values null.
        let helm = parse("spec:\n  replicas: {{ .Values.replicas }}\n");
        let replicas = helm.documents[0]
            .positions
            .child_key("spec")
            .and_then(|p| p.child_key("replicas"));
        assert!(
            replicas
                .and_then(|p| p.child_key("{\".Values.replicas\":null}"))
                .is_some()
        );
        let pos = &s.documents[0].positions;
        let z = pos.child_key("z").and_then(|p| p.child_key("p"));
        assert!(z.and_then(|p| p.child_index(1)).is_some());
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
            value_json(&s).map(|v| v["obj"].clone()),
            Some(json!({"x": 1, "y": 3}))
        );
    }

    #[test]
    fn merges_fill_in_only_unset_keys_nulls_included() {
        let s = parse(
            "a: &a {x: 1, n: ~, m: 2}\nb: &b {y: 2}\nobj:\n  m: ~\n  <<: [*a, *b]\n  y: 3\nodd:\n  <<: 5\n",
        );
        let value = value_json(&s);
        // `m: ~` set explicitly stays unset; `n` merged as null is unset too.
        assert_eq!(
            value.as_ref().map(|v| v["obj"].clone()),
            Some(json!({"x": 1, "y": 3}))
        );
        assert_eq!(
            value.as_ref().map(|v| v["odd"].clone()),
            Some(json!({"<<": 5}))
        );
        let obj = s.documents[0].positions.child_key("obj");
        for key in ["m", "x", "n", "y"] {
            assert!(obj.and_then(|p| p.child_key(key)).is_some(), "{key}");
        }
        assert_eq!(
            obj.and_then(|p| p.child_key("x"))
                .and_then(|p| p.key)
                .map(|l| l.line),
            Some(1)
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
