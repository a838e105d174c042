package k8sc.rules.selinux_options

import data.k8sc.lib.workloads as w
import rego.v1

metadata := {
	"id": "selinux-options",
	"title": "SELinux options may only pick a container type, never a custom user or role",
	"severity": "error",
	"section": "VIII. Security Best Practices (Container Security; Security Context: define securityContext for all pods); 000 Security Requirements (Pod Security Standards)",
	"pss": "baseline",
	"rationale": "A custom SELinux user, role or type can give a container a host domain (spc_t, unconfined_t...) that escapes the container policy. Pod Security baseline allows only the container types container_t, container_init_t, container_kvm_t and container_engine_t, and no user or role; level (MCS categories) is free.",
	"remediation": "Remove seLinuxOptions.user and seLinuxOptions.role, and set seLinuxOptions.type only to one of the container types (or leave it unset).",
	"kinds": ["*"],
	"pod_spec_only": true,
}

allowed_types := {"", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"}

violation contains {"msg": msg, "path": path} if {
	options := w.pod_spec.securityContext.seLinuxOptions
	is_object(options)
	some field, value in options
	problem := bad(field, value)
	path := array.concat(w.pod_spec_path, ["securityContext", "seLinuxOptions", field])
	msg := sprintf("the pod sets seLinuxOptions.%s to %q: %s", [field, value, problem])
}

violation contains {"msg": msg, "path": path} if {
	some c in w.containers
	options := c.container.securityContext.seLinuxOptions
	is_object(options)
	some field, value in options
	problem := bad(field, value)
	path := array.concat(c.path, ["securityContext", "seLinuxOptions", field])
	msg := sprintf("container %q sets seLinuxOptions.%s to %q: %s", [c.name, field, value, problem])
}

bad(field, value) := "only container_t, container_init_t, container_kvm_t or container_engine_t are allowed" if {
	field == "type"
	is_string(value)
	not value in allowed_types
}

bad(field, value) := "custom SELinux users and roles are not allowed" if {
	field in {"user", "role"}
	is_string(value)
	value != ""
}
