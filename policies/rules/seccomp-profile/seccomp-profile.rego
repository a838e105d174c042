package k8sc.rules.seccomp_profile

import data.k8sc.lib.fix
import data.k8sc.lib.workloads as w
import rego.v1

metadata := {
	"id": "seccomp-profile",
	"title": "Every container must run with the RuntimeDefault or a Localhost seccomp profile",
	"severity": "error",
	"section": "VIII. Security Best Practices (Container Security; Security Context: define securityContext for all pods); Operational Constraints 2 (Security Context); 000 Security Requirements (Pod Security Standards)",
	"pss": "restricted",
	"rationale": "Kubernetes runs containers Unconfined by default; a seccomp profile blocks the rarely used syscalls most kernel exploits need. Implements the Pod Security restricted control: every container must end up with a profile, set on the container or inherited from the pod. An explicit type other than RuntimeDefault/Localhost (Unconfined) breaks the baseline level and is reported once, by no-unconfined-seccomp, not here; a container that inherits such a pod value is covered by that finding. Windows pods are exempt, as in Pod Security admission. The legacy seccomp annotations are ignored: Kubernetes stopped honouring them in v1.27.",
	"remediation": "Set securityContext.seccompProfile.type: RuntimeDefault on the pod (it is inherited by every container), or Localhost with a localhostProfile.",
	"compared": "Only the seccompProfile fields count: the legacy seccomp.security.alpha.kubernetes.io/pod and container.seccomp.security.alpha.kubernetes.io/<name> annotations neither satisfy nor fail the rule, as in Pod Security admission since policy version v1.19 (Kubernetes no longer honours them). Policies written for the annotations, which accept a runtime/default annotation as a profile, disagree.",
	"kinds": ["*"],
	"pod_spec_only": true,
}

# An explicit profile other than RuntimeDefault/Localhost (Unconfined...), on the pod or on a
# container, is the baseline control: no-unconfined-seccomp reports it.

# Set nowhere: the container runs Unconfined.
violation contains v if {
	object.get(w.pod_spec, ["securityContext", "seccompProfile"], null) == null
	not w.is_windows_pod
	some c in w.containers
	object.get(c.container, ["securityContext", "seccompProfile"], null) == null
	path := array.concat(c.path, ["securityContext", "seccompProfile", "type"])
	msg := sprintf("container %q has no seccomp profile (set securityContext.seccompProfile.type: RuntimeDefault on the pod or the container)", [c.name])
	v := object.union({"msg": msg, "path": path}, fix.member([op | op := unset_fix(c)]))
}

# Fix: seccompProfile {type: RuntimeDefault}. When no container has a profile, every one of them
# needs it: one pod-level profile covers them all (the same operation on each of their
# violations). When some do (even Unconfined, no-unconfined-seccomp's finding), each of the
# others gets its own, so the fix stays on the containers that lack a profile.
profile := {"type": "RuntimeDefault"}

unset_fix(_) := fix.set(w.pod_spec, w.pod_spec_path, ["securityContext", "seccompProfile"], profile) if not some_container_sets

unset_fix(c) := fix.set(c.container, c.path, ["securityContext", "seccompProfile"], profile) if some_container_sets

# A rule, not a function: computed once per object, not once per container.
some_container_sets if {
	some c in w.containers
	object.get(c.container, ["securityContext", "seccompProfile"], null) != null
}
