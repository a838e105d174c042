# Label selectors, namespaces and pod templates of arbitrary objects, for the cross-resource
# rules (needs_all_resources: input is {"resources": [obj, ...]}). The workloads library works
# on `input` as one object; these helpers take the object as an argument, and the indexes below
# are computed once per evaluation of the set and shared by every cross-resource rule.
#
# Namespaces: rendered Helm output often omits metadata.namespace (everything lands in the
# namespace it is applied to: `helm install -n`, `kubectl apply -n`). An object without a
# namespace is therefore in "the namespace it will be applied to": data.k8sc.namespace when the
# user names it (`lint --namespace todo`, as `helm template --namespace todo`), else a group of
# its own (named "" here). It is never merged into another object's explicit namespace: a
# ConfigMap that says `namespace: shop` says nothing about where the others go.
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
	not has_label(labels, e)
}

# Spelled as two rules, never `not labels[e.key] in values` on a missing key: OPA and regorus
# disagreed on that form (an undefined operand of `in` under `not`), and a verdict must not
# depend on the engine.
expression_matches(e, labels) if {
	e.operator == "NotIn"
	value := labels[e.key]
	not value in object.get(e, "values", [])
}

expression_matches(e, labels) if {
	e.operator == "Exists"
	has_key(labels, e.key)
}

expression_matches(e, labels) if {
	e.operator == "DoesNotExist"
	not has_label(labels, e)
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

# `not has_label(labels, e)`, never `not has_key(labels, e.key)`: an expression without a key
# would make OPA fail the negation where regorus succeeds.
has_label(labels, e) if has_key(labels, e.key)

has_key(obj, key) if {
	is_object(obj)
	_ = obj[key]
}

# ---------------------------------------------------------------------------------------------
# Pod templates of any object (same kinds as data.k8sc.lib.workloads.pod_spec_path)

# Labels of the pods an object runs ({} when it has none); undefined for objects that run no
# pods (a PodTemplate is only a template: it runs nothing).
pod_labels(r) := object_or_empty(object.get(r.spec.template, ["metadata", "labels"], {})) if {
	is_object(r.spec.template.spec)
}

pod_labels(r) := special_pod_labels(r) if r.kind in {"Pod", "CronJob"}

special_pod_labels(r) := object_or_empty(object.get(r.metadata, "labels", {})) if {
	r.kind == "Pod"
	is_object(r.spec)
}

special_pod_labels(r) := object_or_empty(object.get(r.spec.jobTemplate.spec.template, ["metadata", "labels"], {})) if {
	r.kind == "CronJob"
	is_object(r.spec.jobTemplate.spec.template.spec)
}

object_or_empty(x) := x if is_object(x)

object_or_empty(x) := {} if not is_object(x)

# ---------------------------------------------------------------------------------------------
# Namespaces

# The namespace named for objects without one (`lint --namespace`), or "" (a group of its own).
default applied_namespace := ""

applied_namespace := ns if {
	ns := data.k8sc.namespace
	is_string(ns)
}

namespace(r) := ns if {
	ns := r.metadata.namespace
	is_string(ns)
	ns != ""
} else := applied_namespace

# For messages.
describe_namespace(ns) := sprintf("namespace %q", [ns]) if ns != ""

describe_namespace("") := "the namespace the objects without metadata.namespace are applied to (name it with --namespace)"

# ---------------------------------------------------------------------------------------------
# Indexes over input.resources, built once per evaluation in O(number of resources). regorus
# cost notes: comprehensions and multi-value (`contains`) rules are cheap, partial object rules
# (`x[k] := v`) and function calls per resource are not, so the hot loops avoid both.

# Index (in input.resources) -> {"namespace", "labels"} of every object that runs pods:
# objects with spec.template.spec (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job,
# ReplicationController, Argo Rollout...), Pods and CronJobs.
workloads := object.union(
	{i: {"namespace": namespace(r), "labels": object_or_empty(object.get(t, ["metadata", "labels"], {}))} |
		some i, r in input.resources
		t := r.spec.template
		is_object(t.spec)
	},
	{i: {"namespace": namespace(r), "labels": special_pod_labels(r)} |
		some i, r in input.resources
		r.kind in {"Pod", "CronJob"}
	},
)

# Namespace -> indexes of its workloads.
workloads_by_namespace[ns] contains i if {
	some i, wl in workloads
	ns := wl.namespace
}

# Service selectors are matched through an index on one "anchor" label per selector: its
# smallest key. Only the anchor keys actually used by the Services of the set are indexed, so
# the index has about one entry per workload (indexing every label costs regorus several times
# more), and each Service only compares its selector with the workloads sharing its anchor.
service_anchor_keys := {min(object.keys(s)) |
	some r in input.resources
	r.kind == "Service"
	s := r.spec.selector
	is_object(s)
	count(s) > 0
}

# "namespace=key=value" -> indexes of the workloads whose pods carry that anchor label (neither
# namespaces, label keys nor label values can contain "="; non-string values are invalid).
workloads_by_anchor[key] contains i if {
	some i, wl in workloads
	some k in service_anchor_keys
	v := wl.labels[k]
	is_string(v)
	key := concat("=", [wl.namespace, k, v])
}

# Namespace -> indexes of the PodDisruptionBudgets / NetworkPolicies / HorizontalPodAutoscalers.
# (One rule per kind: a nested `x[kind][ns] contains i` rule costs regorus far more.)
pdbs_by_namespace[ns] contains i if {
	some i, r in input.resources
	r.kind == "PodDisruptionBudget"
	ns := namespace(r)
}

network_policies_by_namespace[ns] contains i if {
	some i, r in input.resources
	r.kind == "NetworkPolicy"
	ns := namespace(r)
}

hpas_by_namespace[ns] contains i if {
	some i, r in input.resources
	r.kind == "HorizontalPodAutoscaler"
	ns := namespace(r)
}

# Workloads of `ns` whose pods carry every label of a Service-style selector map.
selected_workloads(ns, sel) := {i |
	k := min(object.keys(sel))
	v := sel[k]
	is_string(v)
	some i in workloads_by_anchor[concat("=", [ns, k, v])]
	matches_map(sel, workloads[i].labels)
}

# The minReplicas of the HorizontalPodAutoscaler(s) in r's namespace whose scaleTargetRef is r
# (the largest, if several); undefined when none scales it. minReplicas defaults to 1.
hpa_min_replicas(r) := max({n |
	some j in hpas_by_namespace[namespace(r)]
	hpa := input.resources[j]
	hpa.spec.scaleTargetRef.kind == r.kind
	hpa.spec.scaleTargetRef.name == r.metadata.name
	n := object.get(hpa.spec, "minReplicas", 1)
}) if {
	hpas_by_namespace
}

# ---------------------------------------------------------------------------------------------
# Selectors that also name keys by reference (matchLabelKeys)

# matches_selector, leaving out the requirements on `keys`: for pod (anti-)affinity terms and
# topologySpreadConstraints with matchLabelKeys, whose keys the scheduler matches against the
# incoming pod's own label values (`key in (its value)`), so the pods of one template always
# satisfy them, whatever the selector says about those keys and even when the template lacks
# them (pod-template-hash is added at run time).
matches_selector_except(s, keys, labels) if {
	is_object(s)
	every k, v in object.get(s, "matchLabels", {}) {
		label_requirement_holds(k, v, keys, labels)
	}
	every e in object.get(s, "matchExpressions", []) {
		expression_requirement_holds(e, keys, labels)
	}
}

label_requirement_holds(k, _, keys, _) if k in keys

label_requirement_holds(k, v, _, labels) if labels[k] == v

expression_requirement_holds(e, keys, _) if e.key in keys

expression_requirement_holds(e, _, labels) if expression_matches(e, labels)
