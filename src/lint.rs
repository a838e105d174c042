//! `lint`: load → evaluate → locate. Objects are evaluated in parallel (one evaluator per
//! worker, cloned from the prepared pack); cross-resource rules run once over all of them, as one
//! more parallel task.

use std::collections::BTreeMap;
use std::sync::Mutex;

use rayon::prelude::*;

use crate::core::{Core, Redaction};
use crate::findings::{Finding, LintReport, ResourceRef, Summary};
use crate::load::{self, InputError, LoadOptions, Loaded, Resource};
use crate::path::FieldPath;
use crate::policy::Evaluator;
use crate::report::human;

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
/// report shows snippets, also what the redactor (`policies/lib/redact.rego`) marks among the
/// values a snippet can show (see [`human::shown_ranges`]), or every value with
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
        let shown = human::shown_ranges(findings);
        let reached: Vec<(&Resource, &[(usize, usize)])> = resources
            .iter()
            .filter_map(|r| {
                let shown = shown.get(r.file.name.as_str())?;
                let root = r.positions.resolve(&r.absolute(&FieldPath::root())).node;
                human::overlaps(shown, root.start.offset, root.end).then_some((r, &shown[..]))
            })
            .collect();
        let ranges = match mode {
            Redaction::AllValues => reached
                .iter()
                .map(|(r, _)| (r.file.name.as_str(), all_values(r)))
                .collect(),
            _ => redacted_ranges(core, &reached),
        };
        for (file, ranges) in ranges {
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

/// The byte ranges of every value of `resource`.
fn all_values(resource: &Resource) -> Vec<(usize, usize)> {
    let mut ranges = Vec::new();
    let root = resource
        .positions
        .resolve(&resource.absolute(&FieldPath::root()));
    root.node.scalar_ranges(&mut ranges);
    ranges
}

/// What the redactor decided on one object, and the strings of it a snippet shows (with their
/// byte ranges), still to be asked about.
struct ObjectRedaction<'a> {
    file: &'a str,
    ranges: Vec<(usize, usize)>,
    strings: Vec<(crate::object::StringKey<'a>, (usize, usize))>,
}

/// Per object (with the bytes its snippets show), the byte ranges the redactor masks: what it
/// picks on the object, and the strings among the shown bytes it picks by key and value (a
/// long object whose one finding is on its first line is not read to its end). Those strings
/// are asked once each however many objects hold them ([`Core::redact_strings`]). An object
/// the redactor fails on has all its values masked.
fn redacted_ranges<'a>(
    core: &Core,
    reached: &[(&'a Resource, &[(usize, usize)])],
) -> Vec<(&'a str, Vec<(usize, usize)>)> {
    let per_object: Vec<ObjectRedaction<'a>> = reached
        .par_iter()
        .map_init(
            || core.evaluator(),
            |evaluator, (resource, shown)| {
                let file = resource.file.name.as_str();
                let Ok(paths) = core.redact_object_paths(evaluator, &resource.object) else {
                    return ObjectRedaction {
                        file,
                        ranges: all_values(resource),
                        strings: Vec::new(),
                    };
                };
                let mut ranges = Vec::new();
                for path in paths {
                    let resolved = resource.positions.resolve(&resource.absolute(&path));
                    if resolved.exact {
                        resolved.node.scalar_ranges(&mut ranges);
                    }
                }
                let strings = crate::object::string_scalars(&resource.object)
                    .into_iter()
                    .filter_map(|s| {
                        let resolved = resource.positions.resolve(&resource.absolute(&s.path));
                        let node = resolved.node;
                        (resolved.exact && human::overlaps(shown, node.start.offset, node.end))
                            .then_some((s.string, (node.start.offset, node.end)))
                    })
                    .collect();
                ObjectRedaction {
                    file,
                    ranges,
                    strings,
                }
            },
        )
        .collect();
    // Each distinct string once.
    let mut index = std::collections::HashMap::new();
    let mut distinct = Vec::new();
    for object in &per_object {
        for (string, _) in &object.strings {
            index.entry(*string).or_insert_with(|| {
                distinct.push(*string);
                distinct.len() - 1
            });
        }
    }
    let masked = core.redact_strings(&distinct);
    per_object
        .into_iter()
        .map(|mut object| {
            for (string, range) in object.strings {
                if index
                    .get(&string)
                    .is_some_and(|&i| masked.get(i) != Some(&false))
                {
                    object.ranges.push(range);
                }
            }
            (object.file, object.ranges)
        })
        .collect()
}
