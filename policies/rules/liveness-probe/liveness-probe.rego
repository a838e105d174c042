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
	"remediation": "Add a livenessProbe (httpGet on the application's health endpoint, a tcpSocket, exec or grpc) to every container and sidecar; give slow starters a startupProbe rather than a long initialDelaySeconds.",
	"compared": "Requires a livenessProbe on every long-running container and sidecar (init container with restartPolicy: Always), whether or not a Service selects the pod. kube-score checks probes only for pods a Service selects, is satisfied by one liveness probe anywhere in the pod, and grades a missing one only \"almost OK\".",
	"kinds": ["*"],
	"pod_spec_only": true,
}

violation contains object.union({"msg": msg, "path": path}, advice(r)) if {
	w.is_long_running_workload
	some r in w.containers
	r.long_running
	not has_probe(r.container)
	path := array.concat(r.path, ["livenessProbe"])
	msg := sprintf("%s %q has no livenessProbe", [describe(r), r.name])
}

# A help only for a container that declares a port: a probe on it. (Complementary definitions,
# not `else`: regorus' VM lost the `else := {}` of this function, and the finding with it.)
advice(r) := {"help": sprintf("Add a livenessProbe to %s %q on its port %v, e.g. httpGet: {path: <health endpoint>, port: %v} or tcpSocket: {port: %v}.", [describe(r), r.name, port, port, port])} if {
	port := first_port(r.container)
}

advice(r) := {} if not declares_port(r.container)

declares_port(c) if first_port(c)

first_port(c) := ports[0] if {
	is_array(c.ports)
	ports := [p.containerPort | some p in c.ports; is_number(p.containerPort)]
	count(ports) > 0
}

has_probe(c) if {
	is_object(c.livenessProbe)
	count(c.livenessProbe) > 0
}

describe(r) := "sidecar container" if r.list == "initContainers"

describe(r) := "container" if r.list != "initContainers"
