package k8sc.rules.read_only_root_filesystem

import data.k8sc.lib.fix
import data.k8sc.lib.workloads as w
import rego.v1

metadata := {
	"id": "read-only-root-filesystem",
	"title": "Containers must mount their root filesystem read-only",
	"severity": "error",
	"section": "VIII. Security Best Practices (Container Security: Read-only Filesystem); II. Containerization Best Practices (Security Requirements: read-only root filesystem)",
	"rationale": "A writable root filesystem lets an attacker drop tools or modify binaries and config in place, and hides state the image does not declare. The setting is per container only (no pod-level default), so init containers, sidecars and ephemeral containers each need it. Windows pods are exempt: the API server forbids the field on them.",
	"remediation": "Set securityContext.readOnlyRootFilesystem: true on every container; mount an emptyDir at the paths the process writes to (/tmp, caches).",
	"kinds": ["*"],
	"pod_spec_only": true,
}

# Fix: readOnlyRootFilesystem: true on the container (the only place it exists). The emptyDir
# mounts a process may then need for /tmp are not added: which paths it writes is for a human.
violation contains v if {
	some c in w.containers
	not w.is_windows_pod
	value := object.get(c.container, ["securityContext", "readOnlyRootFilesystem"], null)
	value != true
	path := array.concat(c.path, ["securityContext", "readOnlyRootFilesystem"])
	msg := sprintf("container %q %s", [c.name, problem(value)])
	ops := [op | op := fix.set(c.container, c.path, ["securityContext", "readOnlyRootFilesystem"], true)]
	v := object.union({"msg": msg, "path": path}, fix.member(ops))
}

problem(value) := "sets readOnlyRootFilesystem: false" if value == false

problem(value) := "does not set readOnlyRootFilesystem: true" if value != false
