package k8sc.rules.automount_token

import data.k8sc.lib.fix
import data.k8sc.lib.help as hl
import data.k8sc.lib.workloads as w
import rego.v1

# Kubernetes mounts a ServiceAccount token into every pod unless the pod or its ServiceAccount
# sets automountServiceAccountToken: false (the pod's value wins). This rule asks for an
# explicit decision, on both objects:
# - a pod template must set automountServiceAccountToken: false, or true to opt in explicitly
#   (an application that calls the Kubernetes API); absent is a finding even if the
#   ServiceAccount disables it, because one object cannot see the other and the pod-level
#   setting is the one that cannot be undone by editing the ServiceAccount;
# - a ServiceAccount must set automountServiceAccountToken: false, or true explicitly.
# Both live in this one rule (kinds "*") so one exemption covers "this app needs its token".
metadata := {
	"id": "automount-token",
	"title": "ServiceAccount tokens must not be mounted unless explicitly needed",
	"severity": "warning",
	"section": "VIII. Security Best Practices (Secrets Management: Least Privilege; RBAC: Service Accounts)",
	"rationale": "A mounted token lets anyone who gets code execution in the container talk to the Kubernetes API as the pod's ServiceAccount; an application that never calls the API gains nothing from it, so the token is pure attack surface.",
	"remediation": "Set automountServiceAccountToken: false in the pod template and on the ServiceAccount; set it to true explicitly (and document why) only for pods that call the API.",
	"compared": "An explicit automountServiceAccountToken: true is an opt-in and passes; only an unset value is flagged, on the pod template and on the ServiceAccount independently. Polaris's automountServiceAccountToken check fails a pod that sets it to true.",
	"kinds": ["*"],
}

# Fix: automountServiceAccountToken: false on the object the violation is about (the pod spec,
# or the ServiceAccount), replacing a value that is not a boolean. An application that calls
# the API sets true instead: the fix takes the safe default, as the remediation does.
violation contains v if {
	w.is_workload
	not is_boolean(object.get(w.pod_spec, "automountServiceAccountToken", null))
	path := w.pod_field_path("automountServiceAccountToken")
	msg := "the pod does not set automountServiceAccountToken, so a ServiceAccount token is mounted into every container unless its ServiceAccount disables it; set it to false (or true to opt in explicitly)"
	help := sprintf("Set %s: false in %s %s, or true if its pods call the Kubernetes API.", [hl.dotted(path), input.kind, hl.name_of(input)])
	ops := [op | op := fix.set(w.pod_spec, w.pod_spec_path, ["automountServiceAccountToken"], false)]
	v := object.union({"msg": msg, "path": path, "help": help}, fix.member(ops))
}

violation contains v if {
	input.kind == "ServiceAccount"
	not is_boolean(object.get(input, "automountServiceAccountToken", null))
	msg := sprintf("ServiceAccount %q does not set automountServiceAccountToken, so its token is mounted into every pod that uses it; set it to false (or true to opt in explicitly)", [object.get(input, ["metadata", "name"], "")])
	help := sprintf("Set automountServiceAccountToken: false on ServiceAccount %s, or true if the pods that use it call the Kubernetes API (a pod's own setting overrides it).", [hl.name_of(input)])
	ops := [op | op := fix.set(input, [], ["automountServiceAccountToken"], false)]
	v := object.union({"msg": msg, "path": ["automountServiceAccountToken"], "help": help}, fix.member(ops))
}
