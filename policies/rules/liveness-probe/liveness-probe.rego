package k8sc.rules.liveness_probe

import data.k8sc.lib.workloads as w
import rego.v1

# Required of every long-running container (regular containers and sidecar init containers,
# restartPolicy: Always) of a long-running workload. Not required of Jobs, CronJobs, bare
# Pods with restartPolicy Never/OnFailure, plain init containers (they run to completion
# before the others start) or ephemeral containers (the API forbids probes on them).
metadata := {
	"id": "liveness-probe",
	"title": "Long-running containers must have a liveness probe",
	"severity": "error",
	"section": "IV. High Availability & Resilience (Health Checks: Liveness Probe); III. Kubernetes Design Patterns (Health Probes); Non-Negotiable Technical Constraints 7 (Health Checks); FR-015",
	"rationale": "Without a liveness probe a deadlocked or wedged process keeps its pod Running forever: Kubernetes only restarts containers whose process exits.",
	"remediation": "Add a livenessProbe (httpGet on /health/live, a tcpSocket, exec or grpc) to every container and sidecar; give slow starters a startupProbe rather than a long initialDelaySeconds.",
	"compared": "Requires a livenessProbe on every long-running container and sidecar (init container with restartPolicy: Always), whether or not a Service selects the pod. kube-score checks probes only for pods a Service selects, is satisfied by one liveness probe anywhere in the pod, and grades a missing one only \"almost OK\".",
	"kinds": ["*"],
	"pod_spec_only": true,
}

violation contains {"msg": msg, "path": path} if {
	w.is_long_running_workload
	some r in w.containers
	r.long_running
	not has_probe(r.container)
	path := array.concat(r.path, ["livenessProbe"])
	msg := sprintf("%s %q has no livenessProbe", [describe(r), r.name])
}

has_probe(c) if {
	is_object(c.livenessProbe)
	count(c.livenessProbe) > 0
}

describe(r) := "sidecar container" if r.list == "initContainers"

describe(r) := "container" if r.list != "initContainers"
