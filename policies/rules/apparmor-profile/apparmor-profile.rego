package k8sc.rules.apparmor_profile

import data.k8sc.lib.workloads as w
import rego.v1

metadata := {
	"id": "apparmor-profile",
	"title": "AppArmor must not be disabled or overridden with an unconfined profile",
	"severity": "error",
	"section": "VIII. Security Best Practices (Container Security; Security Context: define securityContext for all pods); 000 Security Requirements (Pod Security Standards)",
	"pss": "baseline",
	"rationale": "On AppArmor hosts the runtime confines every container with its default profile; Unconfined removes that layer. Pod Security baseline checks both the appArmorProfile field (pod and containers: RuntimeDefault or Localhost) and the deprecated container.apparmor.security.beta.kubernetes.io/<container> annotation on the pod template (runtime/default or localhost/<profile>), which it still enforces.",
	"remediation": "Set securityContext.appArmorProfile.type to RuntimeDefault (or Localhost with a localhostProfile), or leave it unset; replace legacy annotations with the appArmorProfile field.",
	"compared": "Checks the legacy container.apparmor.security.beta.kubernetes.io/<container> annotation as well as the appArmorProfile fields, as Pod Security admission baseline still does (unlike seccomp-profile, which ignores the legacy seccomp annotations), and passes an unset profile: nothing requires one to be set.",
	"kinds": ["*"],
	"pod_spec_only": true,
}

allowed_types := {"RuntimeDefault", "Localhost"}

annotation_prefix := "container.apparmor.security.beta.kubernetes.io/"

violation contains {"msg": msg, "path": path} if {
	profile := w.pod_spec.securityContext.appArmorProfile
	profile != null
	profile_type := object.get(profile, "type", "")
	not profile_type in allowed_types
	path := array.concat(w.pod_spec_path, ["securityContext", "appArmorProfile", "type"])
	msg := sprintf("the pod sets appArmorProfile.type %v; only RuntimeDefault or Localhost are allowed", [shown(profile_type)])
}

violation contains {"msg": msg, "path": path} if {
	some c in w.containers
	profile := c.container.securityContext.appArmorProfile
	profile != null
	profile_type := object.get(profile, "type", "")
	not profile_type in allowed_types
	path := array.concat(c.path, ["securityContext", "appArmorProfile", "type"])
	msg := sprintf("container %q sets appArmorProfile.type %v; only RuntimeDefault or Localhost are allowed", [c.name, shown(profile_type)])
}

violation contains {"msg": msg, "path": path} if {
	annotations := object.get(input, array.concat(w.pod_metadata_path, ["annotations"]), null)
	is_object(annotations)
	some key, value in annotations
	startswith(key, annotation_prefix)
	not allowed_annotation(value)
	path := array.concat(w.pod_metadata_path, ["annotations", key])
	msg := sprintf("annotation %s is %v; only runtime/default or localhost/<profile> are allowed", [key, shown(value)])
}

allowed_annotation(value) if value == ""

allowed_annotation(value) if value == "runtime/default"

allowed_annotation(value) if startswith(value, "localhost/")

shown(v) := sprintf("%q", [v]) if is_string(v)

shown(v) := sprintf("%v", [v]) if not is_string(v)
