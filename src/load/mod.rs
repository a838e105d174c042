//! Loading: turning command-line inputs (files, directories, `-`) into parsed documents and
//! then into resources, the unit rules evaluate. Bad input never stops the run: every problem
//! becomes an [`InputError`] with a location, and every other file is still loaded.

pub mod positions;
pub mod yaml;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use regorus::Value;

use crate::path::{FieldPath, Segment};
use positions::{Loc, PosNode};
pub use yaml::Limits;

/// Name under which standard input is reported.
pub const STDIN_NAME: &str = "<stdin>";

/// Upper bound on one input's size; larger inputs are refused rather than read.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// A loaded source file (or stdin), shared by every resource and finding that came from it.
#[derive(Debug)]
pub struct SourceFile {
    pub name: String,
    pub text: String,
}

/// An input problem: unreadable, not text, not YAML, over a limit. Serialized as is in the
/// JSON report's `errors`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct InputError {
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub message: String,
}

/// `file:line:column: message`, or `file: message` when no line is known.
impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line > 0 {
            write!(
                f,
                "{}:{}:{}: {}",
                self.file, self.line, self.column, self.message
            )
        } else {
            write!(f, "{}: {}", self.file, self.message)
        }
    }
}

/// A Kubernetes object found in a document (a document, or an item of a `*List`).
#[derive(Debug)]
pub struct Resource {
    pub file: Arc<SourceFile>,
    pub document_index: usize,
    /// Path of the object inside its document (`items[3]` for List items, else empty).
    pub prefix: FieldPath,
    /// The object in the engine's value type (see [`crate::object`]).
    pub object: regorus::Value,
    /// Position tree of the whole document (paths are resolved with `prefix` prepended).
    pub positions: Arc<PosNode>,
    pub helm_source: Option<String>,
}

impl Resource {
    /// The string at a path of object members (`["metadata", "name"]`).
    pub fn str_field(&self, keys: &[&str]) -> Option<&str> {
        crate::object::str_at(&self.object, keys)
    }
    pub fn api_version(&self) -> &str {
        self.str_field(&["apiVersion"]).unwrap_or_default()
    }
    pub fn kind(&self) -> &str {
        self.str_field(&["kind"]).unwrap_or_default()
    }
    pub fn name(&self) -> &str {
        self.str_field(&["metadata", "name"])
            .or_else(|| self.str_field(&["metadata", "generateName"]))
            .unwrap_or_default()
    }
    pub fn namespace(&self) -> Option<&str> {
        self.str_field(&["metadata", "namespace"])
    }

    /// The full path (from the document root) of a field path relative to the object.
    pub fn absolute(&self, path: &FieldPath) -> FieldPath {
        let mut segments = self.prefix.0.clone();
        segments.extend(path.0.iter().cloned());
        FieldPath(segments)
    }

    /// Where `path` (relative to the object) stands, or its nearest present ancestor.
    pub fn locate(&self, path: &FieldPath) -> Loc {
        self.positions.resolve(&self.absolute(path)).loc()
    }
}

/// What loading everything produced.
#[derive(Debug, Default)]
pub struct Loaded {
    pub files: usize,
    pub documents: usize,
    pub resources: Vec<Resource>,
    pub errors: Vec<InputError>,
    /// Every file read, for reporters that show source snippets.
    pub sources: Vec<Arc<SourceFile>>,
}

/// Options for loading.
#[derive(Debug, Clone, Copy)]
pub struct LoadOptions {
    pub max_file_bytes: u64,
    pub limits: Limits,
}

impl Default for LoadOptions {
    fn default() -> Self {
        Self {
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
            limits: Limits::default(),
        }
    }
}

/// One input to read: a file path or standard input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    File(PathBuf),
    Stdin,
}

impl Input {
    pub fn display_name(&self) -> String {
        match self {
            Input::File(p) => p.display().to_string(),
            Input::Stdin => STDIN_NAME.to_string(),
        }
    }
}

/// The files a directory is searched for: YAML and JSON manifests (`kubectl get -o json`).
fn is_manifest_name(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml" | "json")
    )
}

/// Expands command-line arguments into inputs: directories recursively (YAML and JSON files,
/// sorted, symlinks followed with loops detected), `-` as stdin, files as given.
pub fn discover(args: &[String]) -> (Vec<Input>, Vec<InputError>) {
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    for arg in args {
        if arg == "-" {
            inputs.push(Input::Stdin);
            continue;
        }
        let path = PathBuf::from(arg);
        if !path.is_dir() {
            inputs.push(Input::File(path));
            continue;
        }
        let walker = walkdir::WalkDir::new(&path)
            .follow_links(true)
            .sort_by_file_name();
        for entry in walker {
            match entry {
                Ok(e) if e.file_type().is_file() && is_manifest_name(e.path()) => {
                    inputs.push(Input::File(e.into_path()))
                }
                Ok(_) => {}
                // A symlink loop is survivable: the directory was already visited.
                Err(e) if e.loop_ancestor().is_some() => {}
                Err(e) => errors.push(InputError {
                    file: e
                        .path()
                        .map(|p| p.display().to_string())
                        .unwrap_or_else(|| arg.clone()),
                    line: 0,
                    column: 0,
                    message: format!("cannot read directory entry: {e}"),
                }),
            }
        }
    }
    (inputs, errors)
}

fn whole_file_error(file: &str, message: String) -> InputError {
    InputError {
        file: file.to_string(),
        line: 0,
        column: 0,
        message,
    }
}

/// Reads an input as UTF-8 text within the size limit.
pub fn read_input(input: &Input, max_bytes: u64) -> Result<String, InputError> {
    let name = input.display_name();
    let mut bytes = Vec::new();
    let read = match input {
        Input::Stdin => std::io::stdin()
            .lock()
            .take(max_bytes + 1)
            .read_to_end(&mut bytes),
        Input::File(path) => std::fs::File::open(path).and_then(|f| {
            // Checked before reading so a huge file costs nothing.
            let len = f.metadata().map(|m| m.len()).unwrap_or(0);
            if len > max_bytes {
                return Err(std::io::Error::other(format!(
                    "file is {len} bytes, over the {max_bytes}-byte limit (--max-file-size)"
                )));
            }
            // `Take` hides the size from `read_to_end`, which would double its buffer up to
            // twice the file (13 MB held for a 7 MB corpus).
            bytes.reserve_exact(usize::try_from(len).unwrap_or(0));
            f.take(max_bytes + 1).read_to_end(&mut bytes)
        }),
    };
    if let Err(e) = read {
        return Err(whole_file_error(&name, format!("cannot read: {e}")));
    }
    if bytes.len() as u64 > max_bytes {
        return Err(whole_file_error(
            &name,
            format!("input is over the {max_bytes}-byte limit (--max-file-size)"),
        ));
    }
    text_from_bytes(&name, bytes)
}

fn line_col_of(bytes: &[u8], offset: usize) -> (u32, u32) {
    let before = &bytes[..offset.min(bytes.len())];
    let line = before.iter().filter(|b| **b == b'\n').count() as u32 + 1;
    let line_start = before
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |p| p + 1);
    (line, (offset - line_start) as u32 + 1)
}

/// Binary or non-UTF-8 content is an error pointing at the first offending byte.
fn text_from_bytes(name: &str, mut bytes: Vec<u8>) -> Result<String, InputError> {
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        bytes.drain(..3);
    }
    if let Some(nul) = bytes.iter().position(|b| *b == 0) {
        let (line, column) = line_col_of(&bytes, nul);
        return Err(InputError {
            file: name.to_string(),
            line,
            column,
            message: "binary file (NUL byte); not a YAML manifest".into(),
        });
    }
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let (line, column) = line_col_of(e.as_bytes(), offset);
        InputError {
            file: name.to_string(),
            line,
            column,
            message: "not valid UTF-8 text; YAML manifests must be UTF-8".into(),
        }
    })
}

/// The resources in a parsed document: the object itself, or the items of a `*List`.
/// Documents without `apiVersion` and `kind` (a values file, say) are not resources.
fn resources_of(
    file: &Arc<SourceFile>,
    document_index: usize,
    value: Value,
    positions: Arc<PosNode>,
    helm_source: Option<String>,
    out: &mut Vec<Resource>,
) {
    use crate::object::{member, str_at};
    let is_string = |v: Option<&Value>| matches!(v, Some(Value::String(_)));
    let is_object = |v: &Value| is_string(member(v, "apiVersion")) && is_string(member(v, "kind"));
    let is_list = str_at(&value, &["kind"]).is_some_and(|k| k.ends_with("List"));
    let list_items = match member(&value, "items") {
        Some(Value::Array(items)) if is_list => Some(items),
        _ => None,
    };
    if let Some(items) = list_items {
        for (i, item) in items.iter().enumerate() {
            if is_object(item) {
                out.push(Resource {
                    file: file.clone(),
                    document_index,
                    prefix: FieldPath(vec![Segment::Key("items".into()), Segment::Index(i)]),
                    // A shared reference: the list's own value is dropped on return.
                    object: item.clone(),
                    positions: positions.clone(),
                    helm_source: helm_source.clone(),
                });
            }
        }
    } else if is_object(&value) {
        out.push(Resource {
            file: file.clone(),
            document_index,
            prefix: FieldPath::root(),
            object: value,
            positions,
            helm_source,
        });
    }
}

/// Result of loading one input.
struct LoadedInput {
    source: Option<Arc<SourceFile>>,
    documents: usize,
    resources: Vec<Resource>,
    errors: Vec<InputError>,
}

fn load_input(input: &Input, options: LoadOptions) -> LoadedInput {
    let name = input.display_name();
    let text = match read_input(input, options.max_file_bytes) {
        Ok(t) => t,
        Err(e) => {
            return LoadedInput {
                source: None,
                documents: 0,
                resources: Vec::new(),
                errors: vec![e],
            };
        }
    };
    load_text(name, text, options)
}

fn load_text(name: String, text: String, options: LoadOptions) -> LoadedInput {
    let stream = match json_stream_ranges(&text) {
        Some(ranges) => parse_json_stream(&text, &ranges, options.limits),
        None => yaml::parse_stream(&text, options.limits),
    };
    let file = Arc::new(SourceFile { name, text });
    let mut resources = Vec::new();
    let documents = stream.documents.len();
    for doc in stream.documents {
        if let Some(value) = doc.value {
            resources_of(
                &file,
                doc.index,
                value,
                Arc::new(doc.positions),
                doc.helm_source,
                &mut resources,
            );
        }
    }
    let errors = stream
        .error
        .map(|e| InputError {
            file: file.name.clone(),
            line: e.loc.line,
            column: e.loc.col,
            message: e.message,
        })
        .into_iter()
        .collect();
    LoadedInput {
        source: Some(file),
        documents,
        resources,
        errors,
    }
}

/// The byte ranges of the values of a JSON stream (`kubectl get -o json` of several objects,
/// one object per line), which YAML reads as one document followed by an error: `None` unless
/// the text is two or more JSON objects and nothing else.
fn json_stream_ranges(text: &str) -> Option<Vec<std::ops::Range<usize>>> {
    if !text.trim_start().starts_with('{') {
        return None;
    }
    let mut values = serde_json::Deserializer::from_str(text).into_iter::<serde::de::IgnoredAny>();
    let mut ranges = Vec::new();
    loop {
        let before = values.byte_offset();
        match values.next()? {
            Ok(_) => {
                let end = values.byte_offset();
                let start =
                    before + (text[before..end].len() - text[before..end].trim_start().len());
                ranges.push(start..end);
            }
            Err(_) => return None,
        }
        if values.byte_offset() >= text.trim_end().len() {
            break;
        }
    }
    (ranges.len() >= 2).then_some(ranges)
}

/// Parses each value of a JSON stream as a document of its own, with positions in the whole
/// text.
fn parse_json_stream(
    text: &str,
    ranges: &[std::ops::Range<usize>],
    limits: Limits,
) -> yaml::ParsedStream {
    let lines = yaml::LineIndex::new(text);
    let mut documents = Vec::new();
    for range in ranges {
        let base = lines.loc_of_offset(range.start);
        let part = yaml::parse_stream(&text[range.clone()], limits);
        if let Some(mut error) = part.error {
            error.loc = shifted(error.loc, base);
            return yaml::ParsedStream {
                documents,
                error: Some(error),
            };
        }
        for mut doc in part.documents {
            doc.index = documents.len();
            shift_positions(&mut doc.positions, base);
            documents.push(doc);
        }
    }
    yaml::ParsedStream {
        documents,
        error: None,
    }
}

/// `loc` (relative to a part of the text starting at `base`) in the whole text.
fn shifted(loc: Loc, base: Loc) -> Loc {
    Loc {
        line: loc.line + base.line - 1,
        col: if loc.line == 1 {
            loc.col + base.col - 1
        } else {
            loc.col
        },
        offset: loc.offset + base.offset,
    }
}

fn shift_positions(node: &mut PosNode, base: Loc) {
    node.key = node.key.map(|k| shifted(k, base));
    node.start = shifted(node.start, base);
    node.end += base.offset;
    match &mut node.children {
        positions::Children::None => {}
        positions::Children::Map(entries) => {
            for (_, child) in entries {
                shift_positions(child, base);
            }
        }
        positions::Children::Seq(items) => {
            for child in items {
                shift_positions(child, base);
            }
        }
    }
}

/// Loads every input, in parallel, keeping the inputs' order in the result.
pub fn load_all(inputs: &[Input], options: LoadOptions) -> Loaded {
    use rayon::prelude::*;
    let per_input: Vec<LoadedInput> = inputs
        .par_iter()
        .map(|input| load_input(input, options))
        .collect();
    let mut loaded = Loaded {
        files: inputs.len(),
        ..Loaded::default()
    };
    for li in per_input {
        loaded.documents += li.documents;
        loaded.resources.extend(li.resources);
        loaded.errors.extend(li.errors);
        loaded.sources.extend(li.source);
    }
    loaded
}

/// Loads a single in-memory text (used by tests and the admission path's diagnostics).
pub fn load_str(name: &str, text: &str, options: LoadOptions) -> Loaded {
    let li = load_text(name.to_string(), text.to_string(), options);
    Loaded {
        files: 1,
        documents: li.documents,
        resources: li.resources,
        errors: li.errors,
        sources: li.source.into_iter().collect(),
    }
}
