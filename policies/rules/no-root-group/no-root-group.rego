package k8sc.rules.no_root_group

import data.k8sc.lib.workloads as w
import rego.v1

metadata := {
	"id": "no-root-group",
	"title": "Containers must not run with the root group (GID 0)",
	"severity": "error",
	"section": "VIII. Security Best Practices (Container Security: Non-root Users); II. Containerization Best Practices (Non-root Users); DON'T: Run containers as root",
	"rationale": "A non-root UID with GID 0 still reads and writes every file the image or a volume leaves group-root writable. Flags an explicit 0 in runAsGroup (pod or container: a pod-level value is checked when at least one container inherits it), in the pod's fsGroup (volume files are chowned to it and it is added to every container's groups) and in the pod's supplementalGroups. An unset runAsGroup is not flagged. This is the constitution's extension of non-root; the optional \"non-root groups\" control was dropped from the Pod Security Standards.",
	"remediation": "Set runAsGroup and fsGroup to the application's GID (for example 1000 or 65532) and remove 0 from supplementalGroups.",
	"compared": "An unset runAsGroup is not flagged (the container then runs with the image's primary group); only an explicit 0 in runAsGroup, fsGroup or supplementalGroups is. kube-score's container security context check fails an unset runAsGroup, and any GID below 10000.",
	"kinds": ["*"],
	"pod_spec_only": true,
}

violation contains {"msg": msg, "path": path} if {
	object.get(w.pod_spec, ["securityContext", "runAsGroup"], null) == 0
	pod_run_as_group_inherited
	path := array.concat(w.pod_spec_path, ["securityContext", "runAsGroup"])
	msg := "the pod sets runAsGroup: 0 (the root group)"
}

violation contains {"msg": msg, "path": path} if {
	some c in w.containers
	object.get(c.container, ["securityContext", "runAsGroup"], null) == 0
	path := array.concat(c.path, ["securityContext", "runAsGroup"])
	msg := sprintf("container %q sets runAsGroup: 0 (the root group)", [c.name])
}

violation contains {"msg": msg, "path": path} if {
	object.get(w.pod_spec, ["securityContext", "fsGroup"], null) == 0
	path := array.concat(w.pod_spec_path, ["securityContext", "fsGroup"])
	msg := "the pod sets fsGroup: 0 (volumes become owned by the root group, which every container joins)"
}

violation contains {"msg": msg, "path": path} if {
	groups := object.get(w.pod_spec, ["securityContext", "supplementalGroups"], null)
	is_array(groups)
	some i, gid in groups
	gid == 0
	path := array.concat(w.pod_spec_path, ["securityContext", "supplementalGroups", i])
	msg := "the pod adds the root group (GID 0) to supplementalGroups"
}

# At least one container leaves runAsGroup unset and so runs with the pod's value.
pod_run_as_group_inherited if {
	some c in w.containers
	object.get(c.container, ["securityContext", "runAsGroup"], null) == null
}
