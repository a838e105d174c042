package k8sc.rules.run_as_user_min

import data.k8sc.lib.security as s
import data.k8sc.lib.workloads as w
import rego.v1

metadata := {
	"id": "run-as-user-min",
	"title": "A runAsUser that is set must be an unprivileged UID (at or above min_uid)",
	"severity": "error",
	"section": "VIII. Security Best Practices (Container Security: Non-root Users, UID > 1000); II. Containerization Best Practices (Non-root Users)",
	"rationale": "Low UIDs belong to system accounts (daemon, bin, sys...) that often own files and binaries on the node and in the image; a container running as one shares their file access if it escapes. The documents disagree on the threshold (constitution: UID > 1000; manifest spec: 1000; feature spec FR-003: 65532), so min_uid is a parameter, defaulting to 1000 (1000 and 65532 pass). Only UIDs that are set are checked: runAsNonRoot: true without runAsUser is compliant, and 0 is left to run-as-non-root so it is reported once. A pod-level runAsUser is checked when at least one container inherits it.",
	"remediation": "Set runAsUser to an application UID at or above min_uid (for example 65532, distroless's nonroot user), on the pod or the container.",
	"kinds": ["*"],
	"params": {"min_uid": 1000},
}

min_uid := w.params(metadata).min_uid

violation contains {"msg": msg, "path": path} if {
	uid := s.pod_value(["runAsUser"])
	low_uid(uid)
	s.pod_value_used("runAsUser")
	path := s.pod_path(["runAsUser"])
	msg := sprintf("the pod sets runAsUser %v, below the minimum UID %v", [uid, min_uid])
}

violation contains {"msg": msg, "path": path} if {
	some c in w.containers
	uid := s.container_value(c, ["runAsUser"])
	low_uid(uid)
	path := s.container_path(c, ["runAsUser"])
	msg := sprintf("container %q sets runAsUser %v, below the minimum UID %v", [c.name, uid, min_uid])
}

low_uid(uid) if {
	is_number(uid)
	uid > 0
	uid < min_uid
}
