package k8sc.rules.spread_replicas

import data.k8sc.lib.workloads as w
import rego.v1

# Decisions:
# - Only multi-replica workloads (spec.replicas >= 2) are checked; one replica has nothing to
#   spread (min-replicas reports that), and a missing spec.replicas is 1.
# - Either pod anti-affinity (required or preferred; preferred is what a one-node Minikube
#   can satisfy, FR-017 "if multiple nodes available") or topologySpreadConstraints passes.
# - The rule checks that a spreading constraint exists, not that its selector matches this
#   workload's own pods.
metadata := {
	"id": "spread-replicas",
	"title": "Replicas must be spread across nodes",
	"severity": "warning",
	"section": "III. Kubernetes Design Patterns (Deployment Patterns: Anti-affinity, spread replicas across nodes for HA); FR-017",
	"rationale": "Without anti-affinity or topology spread the scheduler may put every replica on the same node, so one node failure or drain takes all of them down and the extra replicas buy no availability.",
	"remediation": "Add spec.template.spec.affinity.podAntiAffinity (preferredDuringSchedulingIgnoredDuringExecution on kubernetes.io/hostname, selecting the workload's own pod labels) or topologySpreadConstraints.",
	"kinds": ["Deployment", "StatefulSet"],
}

violation contains {"msg": msg, "path": path} if {
	input.kind in {"Deployment", "StatefulSet"}
	replicas := input.spec.replicas
	is_number(replicas)
	replicas >= 2
	not spread
	path := array.concat(w.pod_spec_path, ["affinity", "podAntiAffinity"])
	msg := sprintf("%s %q runs %v replicas with neither pod anti-affinity nor topologySpreadConstraints, so they may all land on one node", [input.kind, object.get(input, ["metadata", "name"], ""), replicas])
}

spread if non_empty(w.pod_spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution)

spread if non_empty(w.pod_spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution)

spread if non_empty(w.pod_spec.topologySpreadConstraints)

non_empty(list) if {
	is_array(list)
	count(list) > 0
}
