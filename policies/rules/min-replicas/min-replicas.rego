package k8sc.rules.min_replicas

import rego.v1

# Decisions:
# - A missing spec.replicas is 1 (the Kubernetes default, and what admission sees on create),
#   so it is a finding. That includes Deployments scaled by a HorizontalPodAutoscaler, which
#   correctly omit spec.replicas (otherwise every `helm upgrade` resets the HPA's scale): one
#   object cannot see the HPA, so those are exempted with the HPA's minReplicas as the reason
#   (k8s-constitution.dev/exempt: min-replicas).
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
	"remediation": "Set spec.replicas to at least min_replicas (2 by default), with a PodDisruptionBudget and anti-affinity; exempt justified singletons such as a single-primary database with the reason. (An object that omits spec.replicas is left to unset-replicas, which can see the HorizontalPodAutoscaler that scales it.)",
	"kinds": ["Deployment", "StatefulSet"],
	"params": {"min_replicas": 2},
	"param_types": {"min_replicas": {"type": "integer", "minimum": 1, "description": "Fewest replicas a Deployment or StatefulSet may declare."}},
}

# Only an explicit spec.replicas: an object that omits it is scaled by an HPA or runs the default
# of 1, and only the set of resources shows which (rule unset-replicas). At admission the API
# server has defaulted it, so the object always has one here.
violation contains {"msg": msg, "path": ["spec", "replicas"], "help": help} if {
	input.kind in {"Deployment", "StatefulSet"}
	replicas := input.spec.replicas
	is_number(replicas)
	replicas < minimum
	msg := sprintf("%s %q runs %v replica(s) (at least %d are required)", [input.kind, name, replicas, minimum])
	help := sprintf("Set spec.replicas to at least %d on %s %q, or exempt it with the reason if it cannot run more replicas (a single-primary database, for example).", [minimum, input.kind, name])
}

default minimum := 2

minimum := object.get(data.k8sc.params, ["min-replicas", "min_replicas"], metadata.params.min_replicas)

name := object.get(input, ["metadata", "name"], "")
