package k8sc.rules.apparmor_profile

import data.k8sc.lib.security as s
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
	"kinds": ["*"],
}

allowed_types := {"RuntimeDefault", "Localhost"}

annotation_prefix := "container.apparmor.security.beta.kubernetes.io/"

violation contains {"msg": msg, "path": path} if {
	profile := s.pod_value(["appArmorProfile"])
	profile != null
	profile_type := object.get(profile, "type", "")
	not profile_type in allowed_types
	path := s.pod_path(["appArmorProfile", "type"])
	msg := sprintf("the pod sets appArmorProfile.type %v; only RuntimeDefault or Localhost are allowed", [shown(profile_type)])
}

violation contains {"msg": msg, "path": path} if {
	some c in w.containers
	profile := s.container_value(c, ["appArmorProfile"])
	profile != null
	profile_type := object.get(profile, "type", "")
	not profile_type in allowed_types
	path := s.container_path(c, ["appArmorProfile", "type"])
	msg := sprintf("container %q sets appArmorProfile.type %v; only RuntimeDefault or Localhost are allowed", [c.name, shown(profile_type)])
}

violation contains {"msg": msg, "path": path} if {
	some key, value in s.as_object(object.get(input, array.concat(w.pod_metadata_path, ["annotations"]), {}))
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
