package k8sc.rules.seccomp_profile

import data.k8sc.lib.workloads as w
import rego.v1

metadata := {
	"id": "seccomp-profile",
	"title": "Every container must run with the RuntimeDefault or a Localhost seccomp profile",
	"severity": "error",
	"section": "VIII. Security Best Practices (Container Security; Security Context: define securityContext for all pods); Operational Constraints 2 (Security Context); 000 Security Requirements (Pod Security Standards)",
	"pss": "restricted",
	"rationale": "Kubernetes runs containers Unconfined by default; a seccomp profile blocks the rarely used syscalls most kernel exploits need. Implements both Pod Security controls: baseline (an explicit type other than RuntimeDefault/Localhost, e.g. Unconfined, is forbidden at pod or container level) and restricted (every container must end up with one, set on the container or inherited from the pod). Windows pods are exempt, as in Pod Security admission. The legacy seccomp annotations are ignored: Kubernetes stopped honouring them in v1.27.",
	"remediation": "Set securityContext.seccompProfile.type: RuntimeDefault on the pod (it is inherited by every container), or Localhost with a localhostProfile.",
	"kinds": ["*"],
	"pod_spec_only": true,
}

allowed_types := {"RuntimeDefault", "Localhost"}

# An explicit pod-level profile that is not allowed (Unconfined...), reported even when every
# container overrides it, as Pod Security admission does.
violation contains {"msg": msg, "path": path} if {
	profile := w.pod_spec.securityContext.seccompProfile
	not w.is_windows_pod
	profile != null
	profile_type := object.get(profile, "type", "")
	not profile_type in allowed_types
	path := array.concat(w.pod_spec_path, ["securityContext", "seccompProfile", "type"])
	msg := sprintf("the pod sets seccompProfile.type %v; only RuntimeDefault or Localhost are allowed", [shown(profile_type)])
}

violation contains {"msg": msg, "path": path} if {
	some c in w.containers
	not w.is_windows_pod
	profile := c.container.securityContext.seccompProfile
	profile != null
	profile_type := object.get(profile, "type", "")
	not profile_type in allowed_types
	path := array.concat(c.path, ["securityContext", "seccompProfile", "type"])
	msg := sprintf("container %q sets seccompProfile.type %v; only RuntimeDefault or Localhost are allowed", [c.name, shown(profile_type)])
}

# Set nowhere: the container runs Unconfined.
violation contains {"msg": msg, "path": path} if {
	object.get(w.pod_spec, ["securityContext", "seccompProfile"], null) == null
	not w.is_windows_pod
	some c in w.containers
	object.get(c.container, ["securityContext", "seccompProfile"], null) == null
	path := array.concat(c.path, ["securityContext", "seccompProfile", "type"])
	msg := sprintf("container %q has no seccomp profile (set securityContext.seccompProfile.type: RuntimeDefault on the pod or the container)", [c.name])
}

shown(v) := sprintf("%q", [v]) if is_string(v)

shown(v) := sprintf("%v", [v]) if not is_string(v)
