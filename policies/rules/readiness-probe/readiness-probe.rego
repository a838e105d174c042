package k8sc.rules.readiness_probe

import data.k8sc.lib.workloads as w
import rego.v1

# Required of every long-running container (regular containers and sidecar init containers,
# restartPolicy: Always) of a long-running workload. Not required of Jobs, CronJobs, bare
# Pods with restartPolicy Never/OnFailure, plain init containers (they run to completion
# before the others start) or ephemeral containers (the API forbids probes on them).
metadata := {
	"id": "readiness-probe",
	"title": "Long-running containers must have a readiness probe",
	"severity": "error",
	"section": "IV. High Availability & Resilience (Health Checks: Readiness Probe); III. Kubernetes Design Patterns (Health Probes); Non-Negotiable Technical Constraints 7 (Health Checks); FR-015",
	"rationale": "Without a readiness probe a pod receives Service traffic as soon as its containers start, before the application can answer, and keeps receiving it while unhealthy; rolling updates then drop requests (SC-005).",
	"remediation": "Add a readinessProbe (httpGet on /health/ready, a tcpSocket, exec or grpc) to every container and sidecar.",
	"compared": "Requires a readinessProbe on every long-running container and sidecar, whether or not a Service selects the pod today. kube-score requires a readiness probe only for pods a Service selects, and one container's probe satisfies it for the whole pod.",
	"kinds": ["*"],
	"pod_spec_only": true,
}

violation contains {"msg": msg, "path": path} if {
	w.is_long_running_workload
	some r in w.containers
	r.long_running
	not has_probe(r.container)
	path := array.concat(r.path, ["readinessProbe"])
	msg := sprintf("%s %q has no readinessProbe", [describe(r), r.name])
}

has_probe(c) if {
	is_object(c.readinessProbe)
	count(c.readinessProbe) > 0
}

describe(r) := "sidecar container" if r.list == "initContainers"

describe(r) := "container" if r.list != "initContainers"
