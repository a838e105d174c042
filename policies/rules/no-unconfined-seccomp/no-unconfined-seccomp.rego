package k8sc.rules.no_unconfined_seccomp

import data.k8sc.lib.workloads as w
import rego.v1

metadata := {
	"id": "no-unconfined-seccomp",
	"title": "No pod or container may set seccompProfile.type Unconfined",
	"severity": "error",
	"section": "VIII. Security Best Practices (Container Security; Security Context: define securityContext for all pods); Operational Constraints 2 (Security Context); 000 Security Requirements (Pod Security Standards)",
	"pss": "baseline",
	"rationale": "Implements the Pod Security baseline control on seccomp: an explicit seccompProfile.type other than RuntimeDefault or Localhost (Unconfined, or a profile without a type) is forbidden on the pod and on every container, init and ephemeral ones included; it switches off the syscall filter that blocks most kernel exploits. The pod value is reported even when every container overrides it, as Pod Security admission does. It applies to every pod, Windows included, as the baseline level does. Leaving the profile unset is allowed at baseline: requiring one is the restricted control, seccomp-profile's.",
	"remediation": "Remove the Unconfined seccompProfile, or better set securityContext.seccompProfile.type: RuntimeDefault on the pod (inherited by every container), or Localhost with a localhostProfile for a custom profile.",
	"compared": "Same verdict as Pod Security admission baseline since policy version v1.19: only the seccompProfile fields count, the legacy seccomp annotations are ignored. Pod Security admission at its restricted level replaces this check by the restricted one, which exempts Windows pods; the API server rejects seccompProfile on Windows pods anyway.",
	"kinds": ["*"],
	"pod_spec_only": true,
}

allowed_types := {"RuntimeDefault", "Localhost"}

violation contains {"msg": msg, "path": path} if {
	profile := w.pod_spec.securityContext.seccompProfile
	profile != null
	profile_type := object.get(profile, "type", "")
	not profile_type in allowed_types
	path := array.concat(w.pod_spec_path, ["securityContext", "seccompProfile", "type"])
	msg := sprintf("the pod sets seccompProfile.type %v; only RuntimeDefault or Localhost are allowed", [shown(profile_type)])
}

violation contains {"msg": msg, "path": path} if {
	some c in w.containers
	profile := c.container.securityContext.seccompProfile
	profile != null
	profile_type := object.get(profile, "type", "")
	not profile_type in allowed_types
	path := array.concat(c.path, ["securityContext", "seccompProfile", "type"])
	msg := sprintf("container %q sets seccompProfile.type %v; only RuntimeDefault or Localhost are allowed", [c.name, shown(profile_type)])
}

shown(v) := sprintf("%q", [v]) if is_string(v)

shown(v) := sprintf("%v", [v]) if not is_string(v)
