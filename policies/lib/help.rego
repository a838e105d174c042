# Building blocks of the per-violation `help` texts: advice computed from the object (its own
# names, labels, hosts), shown instead of the rule's generic remediation. Snippets are YAML flow
# style ({k: v, ...}), so a reader can paste them into a manifest.
package k8sc.lib.help

import data.k8sc.lib.selectors as sel
import rego.v1

# A YAML flow map of an object, keys sorted: {app: web, tier: "1.0"}.
flow_map(obj) := sprintf("{%s}", [concat(", ", [entry |
	some k in sort(object.keys(obj))
	entry := sprintf("%s: %s", [scalar(k), scalar(obj[k])])
])])

# A YAML flow sequence: [a.example.com, "*.example.com"].
flow_list(items) := sprintf("[%s]", [concat(", ", [scalar(x) | some x in items])])

# A value as YAML reads it back: plain when it is a string YAML would not read as something
# else (a number, a boolean, null, a date, an alias...), double-quoted otherwise.
scalar(v) := v if {
	is_string(v)
	plain(v)
}

scalar(v) := sprintf("%q", [v]) if {
	is_string(v)
	not plain(v)
}

scalar(v) := sprintf("%v", [v]) if not is_string(v)

plain(s) if {
	regex.match(`^[A-Za-z0-9_][A-Za-z0-9_./-]*$`, s)
	not regex.match(`^(?i:true|false|yes|no|y|n|on|off|null)$`, s)
	not regex.match(`^[-+]?[0-9._]+([eE][-+]?[0-9]+)?$`, s)
	not regex.match(`^0[xXoObB]|^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}`, s)
}

# A path from the object root in the linter's dotted form: spec.template.spec.containers[0].
dotted(path) := concat("", [segment(i, p) | some i, p in path])

segment(0, p) := p if is_string(p)

segment(i, p) := sprintf(".%s", [p]) if {
	i > 0
	is_string(p)
}

segment(_, p) := sprintf("[%v]", [p]) if is_number(p)

# A quoted object name for a sentence, `"web"`, or a placeholder when the object has none.
# (Complementary definitions rather than `else`, here and in the rules' help: regorus' VM lost
# the `else` value of a function whose first body only bound an undefined call's result.)
name_of(obj) := sprintf("%q", [obj.metadata.name]) if has_name(obj)

name_of(obj) := "(unnamed)" if not has_name(obj)

# The object's name as a value to reuse in a snippet (a Secret, a PodDisruptionBudget...
# named after it), or `fallback` when it has none.
name_or(obj, _) := obj.metadata.name if has_name(obj)

name_or(obj, fallback) := fallback if not has_name(obj)

has_name(obj) if {
	is_string(obj.metadata.name)
	obj.metadata.name != ""
}

# The labels a new selector (PodDisruptionBudget, topology spread, anti-affinity) should match
# to select the pods of workload `r`: its spec.selector.matchLabels when they are among its pod
# template labels (they stay the same across releases, while a template may also carry a
# version or chart label that changes with each one), else the pod template labels ({} when
# it has none).
selector_labels(r) := r.spec.selector.matchLabels if stable_selector(r)

selector_labels(r) := template_labels(r) if not stable_selector(r)

stable_selector(r) if {
	is_object(r.spec.selector.matchLabels)
	count(r.spec.selector.matchLabels) > 0
	sel.matches_map(r.spec.selector.matchLabels, template_labels(r))
}

template_labels(r) := sel.pod_labels(r) if runs_pods(r)

template_labels(r) := {} if not runs_pods(r)

runs_pods(r) if sel.pod_labels(r)
