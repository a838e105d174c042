//! `lint`: load → evaluate → locate. Objects are evaluated in parallel (one evaluator per
//! worker, cloned from the prepared pack); cross-resource rules run once over all of them, as one
//! more parallel task.

use std::collections::{BTreeMap, HashSet};
use std::sync::Mutex;

use rayon::prelude::*;

use crate::core::{Core, Redaction};
use crate::findings::{Finding, LintReport, ResourceRef, Summary};
use crate::load::{self, InputError, LoadOptions, Loaded, Resource};
use crate::path::FieldPath;
use crate::policy::Evaluator;

/// Lints already-loaded resources.
pub fn lint_loaded(core: &Core, loaded: Loaded) -> LintReport {
    lint_in_context(core, loaded, Vec::new())
}

/// Lints `loaded`, with `context` (objects judged elsewhere, e.g. the rest of a repository
/// when a pre-commit hook passes only the staged files) taking part in the cross-resource
/// rules only: a PodDisruptionBudget, NetworkPolicy, Service or HorizontalPodAutoscaler in the
/// context counts, but findings are reported only for the objects of `loaded`.
pub fn lint_in_context(core: &Core, loaded: Loaded, context: Vec<Resource>) -> LintReport {
    let Loaded {
        files,
        documents,
        mut resources,
        mut errors,
        sources,
    } = loaded;
    let judged = resources.len();
    let has_context = !context.is_empty();
    resources.extend(context);

    let spare = SpareEvaluators::default();
    // The cross-resource rules run as one task alongside the per-object ones: on 2 cores the
    // set evaluation (single-threaded) would otherwise leave a core idle while it runs.
    let (per_object, set_result) = rayon::join(
        || {
            resources[..judged]
                .par_iter()
                .map_init(
                    || spare.take(core),
                    |evaluator, resource| match core.check_object(
                        evaluator.get(),
                        &resource.object,
                        None,
                    ) {
                        Ok(violations) => (
                            violations
                                .into_iter()
                                .map(|v| Finding::locate(resource, v))
                                .collect(),
                            None,
                        ),
                        Err(e) => (Vec::new(), Some(evaluation_error(resource, &e.to_string()))),
                    },
                )
                .collect::<Vec<(Vec<Finding>, Option<InputError>)>>()
        },
        || {
            (core.has_set_rules() && judged > 0).then(|| {
                let objects: Vec<&regorus::Value> = resources.iter().map(|r| &r.object).collect();
                // Located here, in parallel with the per-object work, not after it.
                core.check_set(&mut core.evaluator(), &objects, judged)
                    .map(|violations| {
                        violations
                            .into_iter()
                            .map(|(i, v)| Finding::locate(&resources[i], v))
                            .collect::<Vec<_>>()
                    })
            })
        },
    );
    // Sized once: grown by doubling, the vector of ~20k findings was copied and faulted in
    // page by page on one thread.
    let total = per_object.iter().map(|(f, _)| f.len()).sum::<usize>()
        + set_result
            .as_ref()
            .and_then(|r| r.as_ref().ok())
            .map_or(0, Vec::len);
    let mut findings = Vec::with_capacity(total);
    for (f, e) in per_object {
        findings.extend(f);
        errors.extend(e);
    }
    match set_result {
        Some(Ok(set_findings)) => findings.extend(set_findings),
        Some(Err(e)) => errors.push(InputError {
            file: "<all resources>".into(),
            line: 0,
            column: 0,
            message: format!("cross-resource rules failed: {e}"),
        }),
        None => {}
    }

    // On all cores, like the rest of this function's work on 10,000s of items: what runs on
    // one thread after the evaluation is what the second core idles through.
    findings.par_sort_by(|a, b| {
        (a.file.name.as_str(), a.line, a.column, &a.rule).cmp(&(
            b.file.name.as_str(),
            b.line,
            b.column,
            &b.rule,
        ))
    });
    if has_context {
        // Only the judged objects are reported on; the context's were needed for the set.
        resources.truncate(judged);
    }
    let redactions = redactions(core, &resources, &findings);
    let mut report = LintReport {
        findings,
        errors,
        summary: Summary {
            files,
            documents,
            resources: resources.len(),
            ..Summary::default()
        },
        sources,
        resources: resources
            .par_iter()
            .map(|r| (r.file.name.clone(), ResourceRef::of(r)))
            .collect(),
        redactions,
        linted: resources,
    };
    report.count();
    report
}

/// Evaluators handed back by finished rayon jobs, for the next job to reuse. `map_init` makes
/// one per job, and rayon splits 10,000 resources into dozens of jobs; a new evaluator copies
/// the whole compiled program (~0.3 ms), a reused one does not.
#[derive(Default)]
struct SpareEvaluators(Mutex<Vec<Evaluator>>);

impl SpareEvaluators {
    fn take<'a>(&'a self, core: &'a Core) -> PooledEvaluator<'a> {
        PooledEvaluator {
            evaluator: self.0.lock().ok().and_then(|mut pool| pool.pop()),
            home: self,
            core,
        }
    }
}

/// An evaluator that goes back to its pool when the job using it ends.
struct PooledEvaluator<'a> {
    evaluator: Option<Evaluator>,
    home: &'a SpareEvaluators,
    core: &'a Core,
}

impl PooledEvaluator<'_> {
    fn get(&mut self) -> &mut Evaluator {
        self.evaluator.get_or_insert_with(|| self.core.evaluator())
    }
}

impl Drop for PooledEvaluator<'_> {
    fn drop(&mut self) {
        if let (Some(evaluator), Ok(mut pool)) = (self.evaluator.take(), self.home.0.lock()) {
            pool.push(evaluator);
        }
    }
}

/// Loads and lints command-line paths.
pub fn lint_paths(core: &Core, paths: &[String], options: LoadOptions) -> LintReport {
    lint_paths_in_context(core, paths, &[], options)
}

/// Loads and lints command-line paths, with `context_paths` for the cross-resource rules
/// (see [`lint_in_context`]). A context file that is also a judged input is read once, as an
/// input; a context file that cannot be loaded only takes its objects out of the context (it
/// can add findings, never hide one), so its errors are not input errors.
pub fn lint_paths_in_context(
    core: &Core,
    paths: &[String],
    context_paths: &[String],
    options: LoadOptions,
) -> LintReport {
    let (inputs, discovery_errors) = load::discover(paths);
    let mut loaded = load::load_all(&inputs, options);
    loaded.errors.splice(0..0, discovery_errors);
    let context = if context_paths.is_empty() {
        Vec::new()
    } else {
        let judged: std::collections::HashSet<std::path::PathBuf> = inputs
            .iter()
            .filter_map(|i| match i {
                load::Input::File(p) => p.canonicalize().ok(),
                load::Input::Stdin => None,
            })
            .collect();
        let (mut context_inputs, _) = load::discover(context_paths);
        context_inputs.retain(|i| match i {
            load::Input::File(p) => p.canonicalize().is_ok_and(|p| !judged.contains(&p)),
            load::Input::Stdin => false,
        });
        load::load_all(&context_inputs, options).resources
    };
    lint_in_context(core, loaded, context)
}

/// No input judged is not a pass: when nothing was read (no file matched, an empty stream,
/// only documents that are not Kubernetes objects) and nothing else went wrong, the report
/// gets an input error saying so (exit 2). `--allow-empty` skips this.
pub fn require_objects(report: &mut LintReport) {
    if report.summary.resources > 0 || !report.errors.is_empty() {
        return;
    }
    let s = &report.summary;
    let read = if s.files == 0 {
        "no file matched (directories are searched for *.yaml, *.yml and *.json)".to_string()
    } else {
        format!(
            "{} file(s) and {} document(s) read, none of them a Kubernetes object (documents without apiVersion and kind are skipped)",
            s.files, s.documents
        )
    };
    report.errors.push(InputError {
        file: "<input>".into(),
        line: 0,
        column: 0,
        message: format!(
            "nothing to judge: {read}; pass --allow-empty when an empty input is expected"
        ),
    });
}

fn evaluation_error(resource: &Resource, message: &str) -> InputError {
    let loc = resource.locate(&FieldPath::root());
    InputError {
        file: resource.file.name.clone(),
        line: loc.line,
        column: loc.col,
        message: format!(
            "could not evaluate {} {}: {message}",
            resource.kind(),
            resource.name()
        ),
    }
}

/// What no snippet may show, per file: the values of sensitive findings always; when the
/// report shows snippets, also what the redactor (`policies/lib/redact.rego`) marks in every
/// object a snippet can reach (see [`reachable_by_snippets`]), or every value with
/// `--redact-all-values`. An object the redactor fails on has all its values masked.
pub(crate) fn redactions(
    core: &Core,
    resources: &[Resource],
    findings: &[Finding],
) -> BTreeMap<String, Vec<(usize, usize)>> {
    let mut map: BTreeMap<String, Vec<(usize, usize)>> = BTreeMap::new();
    for f in findings {
        if !f.redact.is_empty() {
            map.entry(f.file.name.clone())
                .or_default()
                .extend(f.redact.iter().copied());
        }
    }
    let mode = core.redaction();
    if mode != Redaction::NoSnippets {
        let shown = reachable_by_snippets(resources, findings);
        let per_resource: Vec<(&str, Vec<(usize, usize)>)> = resources
            .par_iter()
            .enumerate()
            .filter(|(i, _)| shown.contains(i))
            .map(|(_, r)| r)
            .map_init(
                || core.evaluator(),
                |evaluator, r| {
                    (
                        r.file.name.as_str(),
                        masked_ranges(core, evaluator, r, mode),
                    )
                },
            )
            .collect();
        for (file, ranges) in per_resource {
            if !ranges.is_empty() {
                map.entry(file.to_string()).or_default().extend(ranges);
            }
        }
    }
    for ranges in map.values_mut() {
        ranges.sort_unstable();
        ranges.dedup();
    }
    map
}

/// The objects (indexes in `resources`) whose lines a snippet may show: each finding's snippet
/// reaches [`SNIPPET_REACH`] lines around it, which may be a neighbouring object's (a Secret's
/// last `data` lines before a Deployment's first). Running the redactor on these only, rather
/// than on every object of every file with a finding, is what keeps the human format close
/// to JSON on one big stream.
fn reachable_by_snippets(resources: &[Resource], findings: &[Finding]) -> HashSet<usize> {
    use crate::report::human::SNIPPET_REACH;
    // Per file: the first line of each object, in order, with its index.
    let mut starts: std::collections::HashMap<&str, Vec<(u32, usize)>> = Default::default();
    for (i, r) in resources.iter().enumerate() {
        let root = r.positions.resolve(&r.absolute(&FieldPath::root()));
        let first_line = root.node.key.map_or(root.node.start.line, |k| k.line);
        starts
            .entry(r.file.name.as_str())
            .or_default()
            .push((first_line, i));
    }
    for lines in starts.values_mut() {
        lines.sort_unstable();
    }
    let reach = u32::try_from(SNIPPET_REACH).unwrap_or(u32::MAX);
    let mut shown = HashSet::new();
    for f in findings {
        let Some(lines) = starts.get(f.file.name.as_str()) else {
            continue;
        };
        let (from, to) = (f.line.saturating_sub(reach), f.line.saturating_add(reach));
        // The object holding line `from` (the last to start at or before it), through the
        // last object starting at or before `to`.
        let first = lines
            .partition_point(|(start, _)| *start <= from)
            .saturating_sub(1);
        let last = lines.partition_point(|(start, _)| *start <= to);
        shown.extend(
            lines[first..last.max(first + 1).min(lines.len())]
                .iter()
                .map(|(_, i)| *i),
        );
    }
    shown
}

/// The byte ranges of one object's values that its snippets must mask.
fn masked_ranges(
    core: &Core,
    evaluator: &mut Evaluator,
    resource: &Resource,
    mode: Redaction,
) -> Vec<(usize, usize)> {
    let all_values = |ranges: &mut Vec<(usize, usize)>| {
        let root = resource
            .positions
            .resolve(&resource.absolute(&FieldPath::root()));
        root.node.scalar_ranges(ranges);
    };
    let mut ranges = Vec::new();
    match mode {
        Redaction::NoSnippets => {}
        Redaction::AllValues => all_values(&mut ranges),
        Redaction::Secrets => match core.redact_paths(evaluator, &resource.object) {
            Ok(paths) => {
                for path in paths {
                    let resolved = resource.positions.resolve(&resource.absolute(&path));
                    if resolved.exact {
                        resolved.node.scalar_ranges(&mut ranges);
                    }
                }
            }
            Err(_) => all_values(&mut ranges),
        },
    }
    ranges
}
