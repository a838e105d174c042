package k8sc.rules.spread_replicas

import data.k8sc.lib.help as hl
import data.k8sc.lib.selectors as sel
import data.k8sc.lib.workloads as w
import rego.v1

# Decisions:
# - Only multi-replica workloads are checked: spec.replicas >= 2 or, when a
#   HorizontalPodAutoscaler in the workload's namespace scales it (scaleTargetRef), the HPA's
#   minReplicas >= 2: the HPA's floor replaces spec.replicas, as in pdb-coverage and
#   unset-replicas (same library function). One replica has nothing to spread (min-replicas and
#   unset-replicas report that); a missing spec.replicas without an HPA is 1. Seeing the HPA
#   takes the whole set of objects, so this is a cross-resource rule (lint and audit, not
#   admission).
# - Either pod anti-affinity (required or preferred; preferred is what a one-node Minikube
#   can satisfy, FR-017 "if multiple nodes available") or a topologySpreadConstraint
#   (whenUnsatisfiable DoNotSchedule or ScheduleAnyway) passes, if it spreads this workload's
#   own pods:
#   - its labelSelector matches the pod template's labels (sel.matches_selector semantics);
#     keys listed in matchLabelKeys count as matching, since the scheduler compares them with
#     the pod's own values; a missing labelSelector selects no pods, an empty one ({}) all;
#   - (anti-affinity) in the workload's namespace: `namespaces` empty or naming it, or a
#     namespaceSelector of {} (every namespace); a non-empty namespaceSelector selects other
#     namespaces by their labels and does not count unless `namespaces` also names this one.
#     When the workload's namespace is not known (sel.namespace is "" for an object without
#     metadata.namespace whose namespace the set does not tell), a `namespaces` list gets the
#     benefit of the doubt;
#   - on a topologyKey that spreads: kubernetes.io/hostname, topology.kubernetes.io/zone, or
#     another listed in the topology_keys parameter.
#   A workload whose every constraint is rejected gets one finding listing each rejected
#   constraint and why, at the first of them.
metadata := {
	"id": "spread-replicas",
	"title": "Replicas must be spread across nodes",
	"severity": "warning",
	"section": "III. Kubernetes Design Patterns (Deployment Patterns: Anti-affinity, spread replicas across nodes for HA); FR-017",
	"rationale": "Without anti-affinity or topology spread the scheduler may put every replica on the same node, so one node failure or drain takes all of them down and the extra replicas buy no availability. A constraint only spreads the workload if it selects the workload's own pods, in its namespace, on a node or zone topology key; the replica count is spec.replicas, or the minReplicas of a HorizontalPodAutoscaler that scales the workload.",
	"remediation": "Add spec.template.spec.affinity.podAntiAffinity (preferredDuringSchedulingIgnoredDuringExecution on kubernetes.io/hostname, selecting the workload's own pod labels) or topologySpreadConstraints (topologyKey kubernetes.io/hostname or topology.kubernetes.io/zone, labelSelector matching the pod template labels).",
	"compared": "Single-replica workloads are exempt (spec.replicas below 2, or an HPA minReplicas below 2; an unset spec.replicas without an HPA counts as 1), and preferred anti-affinity or a ScheduleAnyway topology spread constraint is enough, on kubernetes.io/hostname or topology.kubernetes.io/zone, if it selects the workload's own pods. kube-score and kube-linter accept only pod anti-affinity on kubernetes.io/hostname (topologySpreadConstraints do not count there) and kube-score also warns when spec.replicas is unset; Polaris's topologySpreadConstraint check wants a constraint on every pod template whatever the replica count, without looking at its selector.",
	"kinds": ["Deployment", "StatefulSet"],
	"needs_all_resources": true,
	"reads": ["HorizontalPodAutoscaler"],
	"params": {"topology_keys": ["kubernetes.io/hostname", "topology.kubernetes.io/zone"]},
	"param_types": {"topology_keys": {"type": "string_list", "description": "Topology keys that spread replicas (nodes, zones); an anti-affinity term or spread constraint on another key does not count."}},
}

params := w.params(metadata)

pod_spec_path := ["spec", "template", "spec"]

anti_affinity_path := ["spec", "template", "spec", "affinity", "podAntiAffinity"]

violation contains {"msg": msg, "path": path, "resource": i, "help": help} if {
	some i, r in input.resources
	r.kind in {"Deployment", "StatefulSet"}
	replicas := effective_replicas(r)
	is_number(replicas.count)
	replicas.count >= 2
	finding := unspread(r, candidates(r, sel.pod_labels(r), sel.namespace(r)))
	path := finding.path
	msg := sprintf("%s %q %s %s", [r.kind, object.get(r, ["metadata", "name"], ""), describe_replicas(replicas), finding.msg])
	help := spread_help(finding.constrained, hl.selector_labels(r))
}

# spec.replicas, unless an HPA scales the object: then its minReplicas (default 1) is the floor.
effective_replicas(r) := {"count": r.spec.replicas, "hpa": false} if {
	is_number(r.spec.replicas)
	not sel.hpa_min_replicas(r)
}

effective_replicas(r) := {"count": n, "hpa": true} if {
	n := sel.hpa_min_replicas(r)
}

describe_replicas(replicas) := sprintf("runs %v replicas", [replicas.count]) if not replicas.hpa

describe_replicas(replicas) := sprintf("is scaled by a HorizontalPodAutoscaler to at least %v replicas", [replicas.count]) if replicas.hpa

# No constraint at all.
unspread(_, cs) := {
	"path": anti_affinity_path,
	"msg": "with neither pod anti-affinity nor topologySpreadConstraints, so they may all land on one node",
	"constrained": false,
} if count(cs) == 0

# Constraints, none of which spreads this workload's pods.
unspread(_, cs) := {"path": cs[0].path, "msg": msg, "constrained": true} if {
	count(cs) > 0
	every c in cs {
		count(c.problems) > 0
	}
	reasons := [sprintf("%s %s", [c.name, concat(" and ", c.problems)]) | some c in cs]
	msg := sprintf("but no constraint spreads them, so they may all land on one node: %s", [concat("; ", reasons)])
}

# The help: a constraint to paste, selecting the workload's own pods (hl.selector_labels), on
# a spreading topology key.
spread_help(false, labels) := sprintf("Add topologySpreadConstraints: [{maxSkew: 1, topologyKey: %s, whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: %s}}] to spec.template.spec (or a podAntiAffinity term with the same labelSelector and topologyKey).", [suggested_key, hl.flow_map(labels)]) if {
	count(labels) > 0
}

spread_help(true, labels) := sprintf("Make one of them select the workload's own pods (labelSelector: {matchLabels: %s}) in its namespace, on a topologyKey among %s.", [hl.flow_map(labels), concat(", ", params.topology_keys)]) if {
	count(labels) > 0
}

spread_help(_, labels) := sprintf("Give the pod template labels (spec.template.metadata.labels), then add topologySpreadConstraints to spec.template.spec with topologyKey %s, whenUnsatisfiable: ScheduleAnyway and a labelSelector whose matchLabels are those labels.", [suggested_key]) if {
	count(labels) == 0
}

# kubernetes.io/hostname, unless the topology_keys parameter leaves it out.
suggested_key := "kubernetes.io/hostname" if "kubernetes.io/hostname" in params.topology_keys

suggested_key := params.topology_keys[0] if not "kubernetes.io/hostname" in params.topology_keys

# Every anti-affinity term (required, then preferred) and spread constraint, in order, with
# what keeps it from spreading this workload's pods ([] when it does).
candidates(r, labels, ns) := array.concat(array.concat(required_terms(r, labels, ns), preferred_terms(r, labels, ns)), spread_constraints(r, labels))

required_terms(r, labels, ns) := [c |
	terms := object.get(r, array.concat(anti_affinity_path, ["requiredDuringSchedulingIgnoredDuringExecution"]), [])
	is_array(terms)
	some j, t in terms
	term := sel.object_or_empty(t)
	c := {
		"name": sprintf("podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[%d]", [j]),
		"path": array.concat(anti_affinity_path, ["requiredDuringSchedulingIgnoredDuringExecution", j]),
		"problems": array.concat(array.concat(selector_problems(term, labels), namespace_problems(term, ns)), topology_problems(term)),
	}
]

preferred_terms(r, labels, ns) := [c |
	items := object.get(r, array.concat(anti_affinity_path, ["preferredDuringSchedulingIgnoredDuringExecution"]), [])
	is_array(items)
	some j, item in items
	term := sel.object_or_empty(object.get(sel.object_or_empty(item), "podAffinityTerm", {}))
	c := {
		"name": sprintf("podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[%d].podAffinityTerm", [j]),
		"path": array.concat(anti_affinity_path, ["preferredDuringSchedulingIgnoredDuringExecution", j, "podAffinityTerm"]),
		"problems": array.concat(array.concat(selector_problems(term, labels), namespace_problems(term, ns)), topology_problems(term)),
	}
]

# Spread constraints have no namespace fields: they count pods of the pod's own namespace.
spread_constraints(r, labels) := [c |
	constraints := object.get(r, array.concat(pod_spec_path, ["topologySpreadConstraints"]), [])
	is_array(constraints)
	some j, t in constraints
	term := sel.object_or_empty(t)
	c := {
		"name": sprintf("topologySpreadConstraints[%d]", [j]),
		"path": array.concat(pod_spec_path, ["topologySpreadConstraints", j]),
		"problems": array.concat(selector_problems(term, labels), topology_problems(term)),
	}
]

# ---------------------------------------------------------------------------------------------
# Selector: the workload's own pods

selector_problems(t, labels) := [] if own_pods(t, labels)

selector_problems(t, _) := ["has no labelSelector, so it selects no pods"] if not is_object(object.get(t, "labelSelector", null))

selector_problems(t, labels) := ["selects other pods (its labelSelector does not match the pod template labels)"] if {
	is_object(object.get(t, "labelSelector", null))
	not own_pods(t, labels)
}

own_pods(t, labels) if sel.matches_selector_except(t.labelSelector, match_label_keys(t), labels)

match_label_keys(t) := {k |
	keys := object.get(t, "matchLabelKeys", [])
	is_array(keys)
	some k in keys
	is_string(k)
}

# ---------------------------------------------------------------------------------------------
# Namespace (pod anti-affinity terms): the union of `namespaces` and the namespaceSelector's;
# both unset (or an empty list) mean the pod's own namespace.

namespace_problems(t, ns) := [] if same_namespace(t, ns)

namespace_problems(t, ns) := [namespace_problem(t, ns)] if not same_namespace(t, ns)

same_namespace(t, _) if {
	count(listed_namespaces(t)) == 0
	object.get(t, "namespaceSelector", null) == null
}

same_namespace(t, ns) if ns in listed_namespaces(t)

# Unknown namespace of the workload (see the decisions above).
same_namespace(t, "") if count(listed_namespaces(t)) > 0

# {} selects every namespace.
same_namespace(t, _) if sel.empty_selector(t.namespaceSelector)

listed_namespaces(t) := {n |
	names := object.get(t, "namespaces", [])
	is_array(names)
	some n in names
	is_string(n)
}

namespace_problem(t, ns) := sprintf("applies to namespaces %s, not the workload's namespace %s", [shown_namespaces(t), shown_namespace(ns)]) if {
	count(listed_namespaces(t)) > 0
	object.get(t, "namespaceSelector", null) == null
}

namespace_problem(t, ns) := sprintf("applies to the namespaces its namespaceSelector selects, not the workload's namespace %s", [shown_namespace(ns)]) if {
	count(listed_namespaces(t)) == 0
	object.get(t, "namespaceSelector", null) != null
}

namespace_problem(t, ns) := sprintf("applies to namespaces %s and those its namespaceSelector selects, not the workload's namespace %s", [shown_namespaces(t), shown_namespace(ns)]) if {
	count(listed_namespaces(t)) > 0
	object.get(t, "namespaceSelector", null) != null
}

shown_namespaces(t) := sprintf("[%s]", [concat(", ", [sprintf("%q", [n]) | some n in t.namespaces; is_string(n)])])

shown_namespace(ns) := sprintf("%q", [ns]) if ns != ""

shown_namespace("") := "(not known: it has no metadata.namespace)"

# ---------------------------------------------------------------------------------------------
# Topology key

topology_problems(t) := ["has no topologyKey"] if not non_empty_string(object.get(t, "topologyKey", null))

topology_problems(t) := [] if t.topologyKey in params.topology_keys

topology_problems(t) := [sprintf("uses topologyKey %q (spreading keys: %s)", [t.topologyKey, concat(", ", params.topology_keys)])] if {
	non_empty_string(t.topologyKey)
	not t.topologyKey in params.topology_keys
}

non_empty_string(s) if {
	is_string(s)
	s != ""
}
