package k8sc.rules.min_replicas

import data.k8sc.lib.workloads as w
import rego.v1

# Decisions:
# - A missing spec.replicas is 1 (the Kubernetes default), so it is a finding. Charts that
#   leave replicas to a HorizontalPodAutoscaler should still render spec.replicas as the
#   HPA's minReplicas (it is only the initial size; the HPA takes over), or exempt the object.
# - replicas: 0 (scaled to zero in Git) is a finding too.
# - A single-replica StatefulSet database (constitution IV: "Database: 1 replica") gets the
#   warning on purpose: it is a real single point of failure, accepted by exempting it with
#   its justification (constitution Governance: deviations require explicit justification).
# - A templated string ("2") is not a Kubernetes int32; the API server rejects it, not this rule.
metadata := {
	"id": "min-replicas",
	"title": "Deployments and StatefulSets must run at least 2 replicas",
	"severity": "warning",
	"section": "IV. High Availability & Resilience (Replica Strategy: frontend/backend 2+ replicas); Non-Negotiable Technical Constraints 5 (High Availability)",
	"rationale": "A single replica is a single point of failure: every node drain, eviction, crash or rolling update takes the service down.",
	"remediation": "Set spec.replicas to at least 2 (the chart's replicaCount), with a PodDisruptionBudget and anti-affinity; with an HPA set spec.replicas to its minReplicas (>= 2). Justified singletons (a single-primary database) are exempted.",
	"kinds": ["Deployment", "StatefulSet"],
	"params": {"min_replicas": 2},
}

violation contains {"msg": msg, "path": ["spec", "replicas"]} if {
	input.kind in {"Deployment", "StatefulSet"}
	minimum := w.params(metadata).min_replicas
	raw := object.get(input, ["spec", "replicas"], null)
	replicas := effective(raw)
	replicas < minimum
	msg := message(raw, replicas, minimum)
}

effective(raw) := 1 if raw == null

effective(raw) := raw if is_number(raw)

message(raw, _, minimum) := sprintf("%s %q does not set spec.replicas, so it runs 1 replica (at least %d are required)", [input.kind, name, minimum]) if raw == null

message(raw, replicas, minimum) := sprintf("%s %q runs %v replica(s) (at least %d are required)", [input.kind, name, replicas, minimum]) if raw != null

name := object.get(input, ["metadata", "name"], "")
