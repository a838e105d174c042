package k8sc.rules.no_default_service_account

import data.k8sc.lib.workloads as w
import rego.v1

# The pod's ServiceAccount is serviceAccountName; when that is empty Kubernetes copies the
# deprecated serviceAccount field into it; when both are empty the pod gets "default".
# Jobs and CronJobs are workloads too: they need an identity of their own as much as anything.
metadata := {
	"id": "no-default-service-account",
	"title": "Pods must run under a dedicated ServiceAccount",
	"severity": "error",
	"section": "VIII. Security Best Practices (RBAC: Service Accounts, dedicated service accounts per application; Least Privilege)",
	"rationale": "Every pod that does not name a ServiceAccount shares the namespace's `default` one: any Role bound to it for one application is granted to all of them, and its token identifies no application in the audit log.",
	"remediation": "Create a ServiceAccount per application (with automountServiceAccountToken: false unless it calls the API) and set spec.serviceAccountName to it in the pod template.",
	"kinds": ["*"],
	"pod_spec_only": true,
}

violation contains {"msg": msg, "path": sa.path} if {
	w.is_workload
	sa := service_account
	sa.name == "default"
	msg := message(sa)
}

service_account := {"name": name, "path": w.pod_field_path("serviceAccountName"), "set": true} if {
	name := set_name("serviceAccountName")
}

service_account := {"name": name, "path": w.pod_field_path("serviceAccount"), "set": true} if {
	not set_name("serviceAccountName")
	name := set_name("serviceAccount")
}

service_account := {"name": "default", "path": w.pod_field_path("serviceAccountName"), "set": false} if {
	not set_name("serviceAccountName")
	not set_name("serviceAccount")
}

set_name(field) := name if {
	name := w.pod_spec[field]
	is_string(name)
	name != ""
}

message(sa) := "the pod does not set serviceAccountName, so it runs as the namespace's \"default\" ServiceAccount" if not sa.set

message(sa) := sprintf("the pod explicitly uses the \"default\" ServiceAccount (%s)", [sa.path[count(sa.path) - 1]]) if sa.set
