package k8sc.rules.run_as_non_root

import data.k8sc.lib.fix
import data.k8sc.lib.workloads as w
import rego.v1

metadata := {
	"id": "run-as-non-root",
	"title": "Containers must run as a non-root user",
	"severity": "error",
	"section": "II. Containerization Best Practices (Non-root Users); VIII. Security Best Practices (Container Security); DON'T: Run containers as root",
	"pss": "restricted",
	"rationale": "A process running as UID 0 inside a container is root on the node if it ever escapes; Kubernetes only guarantees non-root when runAsNonRoot is true (the kubelet then refuses to start an image whose user is root). Implements the two Pod Security restricted controls \"Running as Non-root\" and \"Running as Non-root user\" (runAsUser never 0), on every container, init container and ephemeral container. An explicit pod-level false or 0 is reported even when the containers override it, as Pod Security admission does. Windows pods are not exempt. The v1.35 admission relaxation for user-namespace pods (hostUsers: false) is not applied: the constitution forbids root in the container, mapped or not.",
	"remediation": "Set securityContext.runAsNonRoot: true on the pod (or on every container), and never set runAsUser: 0.",
	"kinds": ["*"],
	"pod_spec_only": true,
}

# Fixes: runAsNonRoot set to true (an explicit false replaced where it stands); none for
# runAsUser: 0, whose replacement UID is a human's choice.
field := ["securityContext", "runAsNonRoot"]

violation contains v if {
	object.get(w.pod_spec, field, null) == false
	path := array.concat(w.pod_spec_path, field)
	msg := "the pod sets securityContext.runAsNonRoot: false"
	v := object.union({"msg": msg, "path": path}, fix.member([op | op := pod_fix]))
}

violation contains v if {
	some c in w.containers
	object.get(c.container, field, null) == false
	path := array.concat(c.path, field)
	msg := sprintf("container %q sets securityContext.runAsNonRoot: false", [c.name])
	v := object.union({"msg": msg, "path": path}, fix.member([op | op := container_fix(c)]))
}

# Set nowhere (a pod-level false is reported once, above).
violation contains v if {
	object.get(w.pod_spec, field, null) == null
	some c in w.containers
	object.get(c.container, field, null) == null
	path := array.concat(c.path, field)
	msg := sprintf("container %q does not set runAsNonRoot: true (on the container or the pod)", [c.name])
	v := object.union({"msg": msg, "path": path}, fix.member([op | op := unset_fix(c)]))
}

# When no container sets runAsNonRoot, every one of them needs it: one pod-level setting covers
# them all (the same operation on each of their violations). When some do, each of the others
# gets its own, so the fix stays on the containers that lack it.
unset_fix(_) := pod_fix if not some_container_sets

unset_fix(c) := container_fix(c) if some_container_sets

# A rule, not a function: computed once per object, not once per container.
some_container_sets if {
	some c in w.containers
	object.get(c.container, field, null) != null
}

pod_fix := fix.set(w.pod_spec, w.pod_spec_path, field, true)

container_fix(c) := fix.set(c.container, c.path, field, true)

# runAsUser: 0 anywhere is root, whatever runAsNonRoot says.
violation contains {"msg": msg, "path": path} if {
	object.get(w.pod_spec, ["securityContext", "runAsUser"], null) == 0
	path := array.concat(w.pod_spec_path, ["securityContext", "runAsUser"])
	msg := "the pod sets runAsUser: 0 (root)"
}

violation contains {"msg": msg, "path": path} if {
	some c in w.containers
	object.get(c.container, ["securityContext", "runAsUser"], null) == 0
	path := array.concat(c.path, ["securityContext", "runAsUser"])
	msg := sprintf("container %q runs as UID 0 (root)", [c.name])
}
