//! `lint --fix`: the fixes of a report, file by file. Each file's objects are patched (see
//! [`super::patch`]), turned back into edits of the text ([`super::edit`]), and the edited text
//! is parsed again: it is kept only if every object of the file reads back exactly as fixed (the
//! untouched ones as they were). A file that cannot be fixed that way is refused whole, with
//! the reason; it is never written half-fixed.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;
use serde_json::Value as Json;

use super::edit::{self, Edit};
use super::patch;
use crate::findings::{Finding, LintReport};
use crate::load::{self, LoadOptions, Resource, SourceFile};

/// One file's fixed text.
#[derive(Debug)]
pub struct FileFix {
    pub file: Arc<SourceFile>,
    pub fixed: String,
    /// How many findings the edit fixes.
    pub findings: usize,
}

/// A file left as it was, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub file: String,
    pub reason: String,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: not fixed: {}", self.file, self.reason)
    }
}

/// The fixes of every file with a fixable finding (not exempted), and the files refused.
pub fn plan(report: &LintReport) -> (Vec<FileFix>, Vec<Refusal>) {
    let mut by_file: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in &report.findings {
        if !f.fix.is_empty() && !f.exempted() {
            by_file.entry(f.file.name.as_str()).or_default().push(f);
        }
    }
    let mut resources_of: HashMap<&str, Vec<&Resource>> = HashMap::new();
    for r in &report.linted {
        if by_file.contains_key(r.file.name.as_str()) {
            resources_of
                .entry(r.file.name.as_str())
                .or_default()
                .push(r);
        }
    }
    let outcomes: Vec<Result<Option<FileFix>, Refusal>> = by_file
        .into_par_iter()
        .map(|(name, findings)| {
            let refuse = |reason: String| Refusal {
                file: name.to_string(),
                reason,
            };
            // Part of the file was not read: an edit could not be checked against it.
            if let Some(error) = report.errors.iter().find(|e| e.file == name) {
                return Err(refuse(format!(
                    "it has an input error; fix that first ({error})"
                )));
            }
            let resources = resources_of.get(name).map_or(&[][..], Vec::as_slice);
            fix_file(resources, &findings).map_err(refuse)
        })
        .collect();
    let mut fixes = Vec::new();
    let mut refusals = Vec::new();
    for outcome in outcomes {
        match outcome {
            Ok(Some(fix)) => fixes.push(fix),
            Ok(None) => {}
            Err(refusal) => refusals.push(refusal),
        }
    }
    (fixes, refusals)
}

fn fix_file(resources: &[&Resource], findings: &[&Finding]) -> Result<Option<FileFix>, String> {
    let Some(file) = resources.first().map(|r| r.file.clone()) else {
        return Err("its objects are not in the report".into());
    };
    if let Some(template) = resources.iter().find_map(|r| r.helm_source.as_deref()) {
        return Err(format!(
            "rendered by Helm (from {template}); fix the chart, the fixes are in --format json"
        ));
    }
    let mut edits: Vec<Edit> = Vec::new();
    // What each object of the file must read back as.
    let mut expected: Vec<Json> = Vec::new();
    let mut fixed_findings = 0;
    for resource in resources {
        let old = serde_json::to_value(&resource.object).map_err(|e| e.to_string())?;
        let mine: Vec<&Finding> = findings
            .iter()
            .copied()
            .filter(|f| {
                f.document == resource.document_index && f.path.starts_with(&resource.prefix)
            })
            .collect();
        if mine.is_empty() {
            expected.push(old);
            continue;
        }
        let (new, object_edits) = fixed_object(resource, &old, mine.iter().flat_map(|f| &f.fix))?;
        edits.extend(object_edits);
        fixed_findings += mine.len();
        expected.push(new);
    }
    if edits.is_empty() {
        return Ok(None);
    }
    let fixed = apply_edits(&file.text, edits)?;
    verify(&file.name, &fixed, &expected)?;
    Ok(Some(FileFix {
        file,
        fixed,
        findings: fixed_findings,
    }))
}

/// `old` (the value of `resource`) with `fixes` applied (their paths from the document's root),
/// and the edits of the file's text that make it so.
fn fixed_object<'a>(
    resource: &Resource,
    old: &Json,
    fixes: impl IntoIterator<Item = &'a super::PatchOp>,
) -> Result<(Json, Vec<Edit>), String> {
    let ops: Vec<super::PatchOp> = fixes
        .into_iter()
        .map(|op| super::PatchOp {
            path: op.path.strip_prefix(&resource.prefix),
            ..op.clone()
        })
        .collect();
    let mut new = old.clone();
    patch::apply(&mut new, &ops).map_err(|e| e.to_string())?;
    let node = resource.positions.resolve(&resource.prefix);
    if !node.exact {
        return Err("an object without its position".into());
    }
    let edits =
        edit::edits(&resource.file.text, node.node, old, &new).map_err(|e| e.to_string())?;
    Ok((new, edits))
}

/// The text with `edits` made (they may not overlap; insertions at one offset keep their order).
fn apply_edits(text: &str, mut edits: Vec<Edit>) -> Result<String, String> {
    edits.sort_by_key(|e| e.offset);
    let mut out = String::with_capacity(text.len() + 256);
    let mut at = 0;
    for e in &edits {
        if e.offset < at {
            return Err("two fixes edit the same text".into());
        }
        out.push_str(text.get(at..e.offset).ok_or("an edit outside the text")?);
        out.push_str(&e.text);
        at = e.offset + e.len;
    }
    out.push_str(text.get(at..).ok_or("an edit outside the text")?);
    Ok(out)
}

/// The fixed text must parse to exactly the fixed objects, in order.
fn verify(name: &str, fixed: &str, expected: &[Json]) -> Result<(), String> {
    let loaded = load::load_str(name, fixed, LoadOptions::default());
    let refuse = |why: &str| {
        Err(format!(
            "the edited text would not read back as the fixed objects ({why}); please report this"
        ))
    };
    if let Some(e) = loaded.errors.first() {
        return refuse(&e.message);
    }
    let got: Vec<Json> = loaded
        .resources
        .iter()
        .filter_map(|r| serde_json::to_value(&r.object).ok())
        .collect();
    if got.len() != expected.len() {
        return refuse("another number of objects");
    }
    if got != expected {
        return refuse("another value");
    }
    Ok(())
}

/// Writes `fix` over its file: refused if the file is a symbolic link or changed since it was
/// read; written to a temporary file beside it and renamed over it (never half-written), with
/// the original's permissions.
pub fn write(fix: &FileFix) -> Result<(), Refusal> {
    let refuse = |reason: String| Refusal {
        file: fix.file.name.clone(),
        reason,
    };
    let path = Path::new(&fix.file.name);
    let meta = std::fs::symlink_metadata(path).map_err(|e| refuse(e.to_string()))?;
    if meta.file_type().is_symlink() {
        return Err(refuse("a symbolic link; fix the file it points to".into()));
    }
    let now = std::fs::read(path).map_err(|e| refuse(e.to_string()))?;
    // The loader reads a file without its byte order mark; the mark is kept.
    const BOM: &[u8] = b"\xEF\xBB\xBF";
    let bom = if now.starts_with(BOM) { BOM } else { &[][..] };
    if now[bom.len()..] != *fix.file.text.as_bytes() {
        return Err(refuse(
            "it changed since it was read; run lint --fix again".into(),
        ));
    }
    if meta.permissions().readonly() {
        return Err(refuse("the file is read-only".into()));
    }
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(".{file_name}.k8sc-fix-{}", std::process::id()));
    let result = (|| {
        let mut out = std::fs::File::create(&temp)?;
        out.write_all(bom)?;
        out.write_all(fix.fixed.as_bytes())?;
        out.sync_all()?;
        std::fs::set_permissions(&temp, meta.permissions())?;
        std::fs::rename(&temp, path)
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        refuse(e.to_string())
    })
}

/// A unified diff of the fix (`--fix --diff`).
pub fn diff(fix: &FileFix) -> String {
    similar::TextDiff::from_lines(fix.file.text.as_str(), fix.fixed.as_str())
        .unified_diff()
        .context_radius(3)
        .header(&fix.file.name, &fix.file.name)
        .to_string()
}

/// Each finding's own edit of its file (`None`: no fix, or one that cannot be written as an
/// edit): what SARIF's `fixes` carry. Computed on the original text, finding by finding, so
/// that each stands alone; `--fix` merges them per file instead. Each object is converted once
/// for all its findings.
pub fn finding_edits(report: &LintReport) -> Vec<Option<Vec<Edit>>> {
    let mut resources_of: HashMap<(&str, usize), Vec<&Resource>> = HashMap::new();
    for r in &report.linted {
        resources_of
            .entry((r.file.name.as_str(), r.document_index))
            .or_default()
            .push(r);
    }
    // The findings with a fix, by the object they are about (its address as the key).
    let mut by_object: HashMap<*const Resource, (&Resource, Vec<usize>)> = HashMap::new();
    for (i, f) in report.findings.iter().enumerate() {
        if f.fix.is_empty() {
            continue;
        }
        let Some(resource) = resources_of
            .get(&(f.file.name.as_str(), f.document))
            .and_then(|rs| {
                rs.iter()
                    .filter(|r| f.path.starts_with(&r.prefix))
                    .max_by_key(|r| r.prefix.0.len())
            })
        else {
            continue;
        };
        by_object
            .entry(std::ptr::from_ref(*resource))
            .or_insert_with(|| (resource, Vec::new()))
            .1
            .push(i);
    }
    let groups: Vec<(&Resource, Vec<usize>)> = by_object.into_values().collect();
    let computed: Vec<(usize, Vec<Edit>)> = groups
        .par_iter()
        .flat_map_iter(|(resource, findings)| {
            let old = serde_json::to_value(&resource.object).ok();
            findings
                .iter()
                .filter_map(|&i| {
                    let old = old.as_ref()?;
                    let (_, edits) = fixed_object(resource, old, &report.findings[i].fix).ok()?;
                    Some((i, edits))
                })
                .collect::<Vec<_>>()
        })
        .collect();
    let mut out = vec![None; report.findings.len()];
    for (i, edits) in computed {
        out[i] = Some(edits);
    }
    out
}
