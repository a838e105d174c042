package k8sc.rules.no_privilege_escalation

import data.k8sc.lib.fix
import data.k8sc.lib.workloads as w
import rego.v1

metadata := {
	"id": "no-privilege-escalation",
	"title": "Containers must set allowPrivilegeEscalation: false",
	"severity": "error",
	"section": "VIII. Security Best Practices (Container Security; Security Context: define securityContext for all pods); Operational Constraints 2 (Security Context)",
	"pss": "restricted",
	"rationale": "allowPrivilegeEscalation defaults to true: a process can gain privileges through setuid/setgid binaries or file capabilities. Only an explicit false sets no_new_privs. It exists per container only (no pod-level default). Windows pods are exempt, as in Pod Security admission.",
	"remediation": "Set securityContext.allowPrivilegeEscalation: false on every container, init container and ephemeral container.",
	"kinds": ["*"],
	"pod_spec_only": true,
}

# Fix: allowPrivilegeEscalation: false on the container (the only place it exists).
violation contains v if {
	some c in w.containers
	not w.is_windows_pod
	value := object.get(c.container, ["securityContext", "allowPrivilegeEscalation"], null)
	value != false
	path := array.concat(c.path, ["securityContext", "allowPrivilegeEscalation"])
	msg := sprintf("container %q %s", [c.name, problem(value)])
	ops := [op | op := fix.set(c.container, c.path, ["securityContext", "allowPrivilegeEscalation"], false)]
	v := object.union({"msg": msg, "path": path}, fix.member(ops))
}

problem(value) := "sets allowPrivilegeEscalation: true" if value == true

problem(value) := "does not set allowPrivilegeEscalation: false (it defaults to true)" if value != true
