package k8sc.rules.no_host_namespaces

import data.k8sc.lib.fix
import data.k8sc.lib.workloads as w
import rego.v1

metadata := {
	"id": "no-host-namespaces",
	"title": "Pods must not share the node's network, PID or IPC namespace",
	"severity": "error",
	"section": "VIII. Security Best Practices (Container Security; Network Security); 000 Security Requirements (Pod Security Standards)",
	"pss": "baseline",
	"rationale": "hostNetwork bypasses NetworkPolicies and exposes node-local services; hostPID lets the pod see and signal every process on the node; hostIPC shares the node's shared memory. Each breaks the isolation the other controls rely on.",
	"remediation": "Remove spec.hostNetwork, spec.hostPID and spec.hostIPC from the pod spec (or set them to false); expose ports through a Service instead.",
	"kinds": ["*"],
	"pod_spec_only": true,
}

namespace_of := {"hostNetwork": "network", "hostPID": "process (PID)", "hostIPC": "IPC"}

# Fix: the field replaced by false (the pod's own namespace).
violation contains v if {
	some field, ns in namespace_of
	w.pod_spec[field] == true
	path := w.pod_field_path(field)
	msg := sprintf("the pod sets %s: true and shares the node's %s namespace", [field, ns])
	ops := [op | op := fix.set(w.pod_spec, w.pod_spec_path, [field], false)]
	v := object.union({"msg": msg, "path": path}, fix.member(ops))
}
