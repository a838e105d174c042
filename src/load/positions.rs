//! The position tree: for every node of a parsed document, where its key and value stand in
//! the source. Findings resolve their field path against it; a path that runs past what exists
//! resolves to the nearest present ancestor.

use crate::path::{FieldPath, Segment};

/// A place in a source file: 1-based line and column (in characters) and the byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Loc {
    pub line: u32,
    pub col: u32,
    pub offset: usize,
}

#[derive(Debug, Clone, Default)]
pub enum Children {
    #[default]
    None,
    Map(Vec<(String, PosNode)>),
    Seq(Vec<PosNode>),
}

#[derive(Debug, Clone, Default)]
pub struct PosNode {
    /// Where the mapping key of this entry starts (none for sequence items and the root).
    pub key: Option<Loc>,
    /// Where the value starts.
    pub start: Loc,
    /// Byte offset just past the value.
    pub end: usize,
    pub children: Children,
}

/// Where a path resolved to.
#[derive(Debug, Clone, Copy)]
pub struct Resolved<'a> {
    pub node: &'a PosNode,
    /// True when the whole path exists; false when `node` is the nearest present ancestor.
    pub exact: bool,
}

impl Resolved<'_> {
    /// The location a finding should point at: the key of a mapping entry, else the value.
    pub fn loc(&self) -> Loc {
        self.node.key.unwrap_or(self.node.start)
    }
}

impl PosNode {
    pub fn new(start: Loc, end: usize, children: Children) -> Self {
        Self {
            key: None,
            start,
            end,
            children,
        }
    }

    pub fn child_key(&self, key: &str) -> Option<&PosNode> {
        match &self.children {
            Children::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, n)| n),
            _ => None,
        }
    }

    pub fn child_index(&self, index: usize) -> Option<&PosNode> {
        match &self.children {
            Children::Seq(items) => items.get(index),
            _ => None,
        }
    }

    pub fn child(&self, segment: &Segment) -> Option<&PosNode> {
        match segment {
            Segment::Key(k) => self.child_key(k),
            Segment::Index(i) => self.child_index(*i),
        }
    }

    /// Walks `path` as far as it exists.
    pub fn resolve(&self, path: &FieldPath) -> Resolved<'_> {
        let mut node = self;
        for segment in path.segments() {
            match node.child(segment) {
                Some(next) => node = next,
                None => return Resolved { node, exact: false },
            }
        }
        Resolved { node, exact: true }
    }

    /// Byte ranges of every scalar at or below this node (for redaction).
    pub fn scalar_ranges(&self, out: &mut Vec<(usize, usize)>) {
        match &self.children {
            Children::None => out.push((self.start.offset, self.end)),
            Children::Map(entries) => entries.iter().for_each(|(_, n)| n.scalar_ranges(out)),
            Children::Seq(items) => items.iter().for_each(|n| n.scalar_ranges(out)),
        }
    }
}
