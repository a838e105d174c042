package k8sc.rules.run_as_user_min

import data.k8sc.lib.help as hl
import data.k8sc.lib.workloads as w
import rego.v1

metadata := {
	"id": "run-as-user-min",
	"title": "A runAsUser that is set must be an unprivileged UID (at or above min_uid)",
	"severity": "error",
	"section": "VIII. Security Best Practices (Container Security: Non-root Users, UID > 1000); II. Containerization Best Practices (Non-root Users)",
	"rationale": "Low UIDs belong to system accounts (daemon, bin, sys...) that often own files and binaries on the node and in the image; a container running as one shares their file access if it escapes. Guidance differs on the threshold (UID > 1000, 1000 and up, or distroless's 65532), so min_uid is a parameter, defaulting to 1000 (1000 and 65532 pass). Only UIDs that are set are checked: runAsNonRoot: true without runAsUser is compliant, and 0 is left to run-as-non-root so it is reported once. A pod-level runAsUser is checked when at least one container inherits it.",
	"remediation": "Set runAsUser to an application UID at or above min_uid (for example 65532, distroless's nonroot user), on the pod or the container.",
	"kinds": ["*"],
	"pod_spec_only": true,
	"params": {"min_uid": 1000},
	"param_types": {"min_uid": {"type": "integer", "minimum": 1, "maximum": 2147483647, "description": "Lowest UID a container may run as (0 is left to run-as-non-root)."}},
}

# The configured minimum. Read directly rather than with w.params(metadata), which builds the
# whole metadata object on every evaluation: this rule is on the hot path of every workload
# that sets runAsUser. The default must stay equal to metadata.params.min_uid (a unit test
# checks it).
min_uid := data.k8sc.params["run-as-user-min"].min_uid

default min_uid := 1000

violation contains {"msg": msg, "path": path, "help": help} if {
	uid := object.get(w.pod_spec, ["securityContext", "runAsUser"], null)
	low_uid(uid)
	pod_run_as_user_inherited
	path := array.concat(w.pod_spec_path, ["securityContext", "runAsUser"])
	msg := sprintf("the pod sets runAsUser %v, below the minimum UID %v", [uid, min_uid])
	help := sprintf("Set %s to a UID of at least %v that the images' files allow.", [hl.dotted(path), min_uid])
}

violation contains {"msg": msg, "path": path, "help": help} if {
	some c in w.containers
	uid := object.get(c.container, ["securityContext", "runAsUser"], null)
	low_uid(uid)
	path := array.concat(c.path, ["securityContext", "runAsUser"])
	msg := sprintf("container %q sets runAsUser %v, below the minimum UID %v", [c.name, uid, min_uid])
	help := sprintf("Set securityContext.runAsUser of container %q to a UID of at least %v that its image's files allow.", [c.name, min_uid])
}

low_uid(uid) if {
	is_number(uid)
	uid > 0
	uid < min_uid
}

# At least one container leaves runAsUser unset and so runs with the pod's value.
pod_run_as_user_inherited if {
	some c in w.containers
	object.get(c.container, ["securityContext", "runAsUser"], null) == null
}
