# A Deployment or StatefulSet that omits spec.replicas runs the default of 1 unless a
# HorizontalPodAutoscaler scales it, which is why HPA-managed workloads omit it (so that
# `helm upgrade` does not reset the scale). Only the whole set of resources shows which case
# applies, so this is the cross-resource half of min-replicas (which checks an explicit value).
package k8sc.rules.unset_replicas

import data.k8sc.lib.help as hl
import data.k8sc.lib.selectors as sel
import data.k8sc.lib.workloads as w
import rego.v1

metadata := {
	"id": "unset-replicas",
	"title": "Deployments and StatefulSets without spec.replicas must be scaled by an HPA with minReplicas of at least 2",
	"severity": "warning",
	"section": "IV. High Availability & Resilience (Replica Strategy: frontend/backend 2+ replicas); Non-Negotiable Technical Constraints 5 (High Availability)",
	"rationale": "Without spec.replicas a workload runs one replica, a single point of failure, unless a HorizontalPodAutoscaler scales it; then the HPA's minReplicas is its floor.",
	"remediation": "Set spec.replicas to at least 2, or add a HorizontalPodAutoscaler in the same namespace whose scaleTargetRef names the workload, with minReplicas of at least 2.",
	"kinds": ["Deployment", "StatefulSet"],
	"needs_all_resources": true,
	"reads": ["HorizontalPodAutoscaler"],
	"params": {"min_replicas": 2},
	"param_types": {"min_replicas": {"type": "integer", "minimum": 1, "description": "Fewest replicas a workload without spec.replicas (or its HorizontalPodAutoscaler's minReplicas) must reach."}},
}

params := w.params(metadata)

violation contains {"msg": msg, "path": ["spec", "replicas"], "resource": i, "help": help} if {
	some i, r in input.resources
	r.kind in {"Deployment", "StatefulSet"}
	not is_number(object.get(r, ["spec", "replicas"], null))
	msg := problem(r)
	help := advice(r)
}

problem(r) := sprintf("%s %q does not set spec.replicas and no HorizontalPodAutoscaler in %s scales it, so it runs 1 replica (at least %d are required)", [r.kind, name(r), sel.describe_namespace(sel.namespace(r)), params.min_replicas]) if {
	not sel.hpa_min_replicas(r)
}

problem(r) := sprintf("%s %q is scaled by a HorizontalPodAutoscaler with minReplicas %d (at least %d are required)", [r.kind, name(r), n, params.min_replicas]) if {
	n := sel.hpa_min_replicas(r)
	n < params.min_replicas
}

name(r) := object.get(r, ["metadata", "name"], "")

advice(r) := sprintf("Set spec.replicas to at least %d on %s %q, or add a HorizontalPodAutoscaler in %s with scaleTargetRef: {apiVersion: %s, kind: %s, name: %s} and minReplicas: %d.", [params.min_replicas, r.kind, name(r), where(sel.namespace(r)), hl.scalar(api_version(r)), r.kind, hl.scalar(name(r)), params.min_replicas]) if {
	not sel.hpa_min_replicas(r)
}

advice(r) := sprintf("Raise minReplicas to at least %d on HorizontalPodAutoscaler %s, which scales %s %q.", [params.min_replicas, concat(", ", hpa_names(r)), r.kind, name(r)]) if {
	sel.hpa_min_replicas(r) < params.min_replicas
}

where(ns) := sprintf("namespace %q", [ns]) if ns != ""

where("") := "the same namespace"

api_version(r) := r.apiVersion if is_string(r.apiVersion)

api_version(r) := "apps/v1" if not is_string(r.apiVersion)

# The HorizontalPodAutoscalers that scale r (as sel.hpa_min_replicas finds them), quoted.
hpa_names(r) := {sprintf("%q", [object.get(hpa, ["metadata", "name"], "")]) |
	some j in sel.hpas_by_namespace[sel.namespace(r)]
	hpa := input.resources[j]
	hpa.spec.scaleTargetRef.kind == r.kind
	hpa.spec.scaleTargetRef.name == r.metadata.name
}
