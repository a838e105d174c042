# Label selectors, namespaces and pod templates of arbitrary objects, for the cross-resource
# rules (needs_all_resources: input is {"resources": [obj, ...]}). The workloads library works
# on `input` as one object; these helpers take the object as an argument, and the indexes below
# are computed once per evaluation of the set and shared by every cross-resource rule.
#
# Namespaces: rendered Helm output often omits metadata.namespace (everything lands in the
# release namespace at install time), and sub-charts often set it explicitly. An object without
# a namespace is therefore placed in the "release namespace": the one explicit namespace of the
# set if there is exactly one (helm template -n todo, sub-chart objects say `namespace: todo`),
# otherwise a bucket of its own (named "" here, reported as "the release namespace").
package k8sc.lib.selectors

import rego.v1

# ---------------------------------------------------------------------------------------------
# Label selectors

# metav1.LabelSelector (PodDisruptionBudget, NetworkPolicy, Deployment...): every matchLabels
# pair and every matchExpressions requirement must hold; an empty selector ({}) matches every
# pod. A null or absent selector is the caller's business (it selects nothing for a PDB).
matches_selector(sel, labels) if {
	is_object(sel)
	every k, v in object.get(sel, "matchLabels", {}) {
		labels[k] == v
	}
	every e in object.get(sel, "matchExpressions", []) {
		expression_matches(e, labels)
	}
}

expression_matches(e, labels) if {
	e.operator == "In"
	labels[e.key] in e.values
}

# NotIn and DoesNotExist also select objects that lack the key (as Kubernetes does).
expression_matches(e, labels) if {
	e.operator == "NotIn"
	not labels[e.key] in object.get(e, "values", [])
}

expression_matches(e, labels) if {
	e.operator == "Exists"
	has_key(labels, e.key)
}

expression_matches(e, labels) if {
	e.operator == "DoesNotExist"
	not has_key(labels, e.key)
}

# A Service's selector: a plain map, every pair must be among the labels.
matches_map(sel, labels) if {
	is_object(sel)
	every k, v in sel {
		labels[k] == v
	}
}

# A selector that selects every pod: {} (or empty matchLabels and matchExpressions).
empty_selector(sel) if {
	is_object(sel)
	count(object.get(sel, "matchLabels", {})) == 0
	count(object.get(sel, "matchExpressions", [])) == 0
}

has_key(obj, key) if {
	is_object(obj)
	_ = obj[key]
}

# ---------------------------------------------------------------------------------------------
# Pod templates of any object (same kinds as data.k8sc.lib.workloads.pod_spec_path)

pod_metadata_path(r) := ["metadata"] if r.kind == "Pod"

pod_metadata_path(r) := ["spec", "jobTemplate", "spec", "template", "metadata"] if r.kind == "CronJob"

pod_metadata_path(r) := ["spec", "template", "metadata"] if {
	not r.kind in {"Pod", "PodTemplate", "CronJob"}
	is_object(r.spec.template.spec)
}

# Labels of the pods an object runs ({} when it has none); undefined for objects that run no
# pods (a PodTemplate is only a template: it runs nothing).
pod_labels(r) := labels_or_empty(object.get(r, array.concat(pod_metadata_path(r), ["labels"]), {}))

labels_or_empty(l) := l if is_object(l)

labels_or_empty(l) := {} if not is_object(l)

# ---------------------------------------------------------------------------------------------
# Namespaces

explicit_namespace(r) := ns if {
	ns := r.metadata.namespace
	is_string(ns)
	ns != ""
}

explicit_namespaces contains ns if {
	some r in input.resources
	ns := explicit_namespace(r)
}

default release_namespace := ""

release_namespace := ns if {
	count(explicit_namespaces) == 1
	some ns in explicit_namespaces
}

namespace(r) := explicit_namespace(r)

namespace(r) := release_namespace if not explicit_namespace(r)

# For messages.
describe_namespace(ns) := sprintf("namespace %q", [ns]) if ns != ""

describe_namespace("") := "the release namespace (objects without metadata.namespace)"

# ---------------------------------------------------------------------------------------------
# Indexes over input.resources (built once per evaluation, O(number of resources))

# Index (in input.resources) -> {"namespace", "labels"} of every object that runs pods.
workloads[i] := {"namespace": namespace(r), "labels": labels} if {
	some i, r in input.resources
	labels := pod_labels(r)
}

# Namespace -> indexes of its workloads.
workloads_by_namespace[ns] contains i if {
	some i, wl in workloads
	ns := wl.namespace
}

# "namespace=key=value" -> indexes of the workloads whose pods carry that label (neither
# namespaces, label keys nor label values can contain "=").
workloads_by_label[key] contains i if {
	some i, wl in workloads
	some k, v in wl.labels
	key := label_key(wl.namespace, k, v)
}

label_key(ns, k, v) := concat("=", [ns, k, format_label_value(v)])

format_label_value(v) := v if is_string(v)

format_label_value(v) := json.marshal(v) if not is_string(v)

# Namespace -> indexes of the objects of a kind, e.g. by_kind_namespace["PodDisruptionBudget"]["todo"].
by_kind_namespace[kind][ns] contains i if {
	some i, r in input.resources
	kind := r.kind
	kind in indexed_kinds
	ns := namespace(r)
}

indexed_kinds := {"PodDisruptionBudget", "NetworkPolicy", "HorizontalPodAutoscaler"}

# Workloads of `ns` whose pods carry every label of a Service-style selector map.
selected_workloads(ns, sel) := {i |
	some k, v in sel
	some i in workloads_by_label[label_key(ns, k, v)]
	matches_map(sel, workloads[i].labels)
}
