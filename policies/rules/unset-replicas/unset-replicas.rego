# A Deployment or StatefulSet that omits spec.replicas runs the default of 1 unless a
# HorizontalPodAutoscaler scales it, which is why HPA-managed workloads omit it (so that
# `helm upgrade` does not reset the scale). Only the whole set of resources shows which case
# applies, so this is the cross-resource half of min-replicas (which checks an explicit value).
package k8sc.rules.unset_replicas

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

violation contains {"msg": msg, "path": ["spec", "replicas"], "resource": i} if {
	some i, r in input.resources
	r.kind in {"Deployment", "StatefulSet"}
	not is_number(object.get(r, ["spec", "replicas"], null))
	msg := problem(r)
}

problem(r) := sprintf("%s %q does not set spec.replicas and no HorizontalPodAutoscaler in %s scales it, so it runs 1 replica (at least %d are required)", [r.kind, name(r), sel.describe_namespace(sel.namespace(r)), params.min_replicas]) if {
	not sel.hpa_min_replicas(r)
}

problem(r) := sprintf("%s %q is scaled by a HorizontalPodAutoscaler with minReplicas %d (at least %d are required)", [r.kind, name(r), n, params.min_replicas]) if {
	n := sel.hpa_min_replicas(r)
	n < params.min_replicas
}

name(r) := object.get(r, ["metadata", "name"], "")
