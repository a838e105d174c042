package k8sc.rules.no_default_service_account

import data.k8sc.lib.help as hl
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

violation contains {"msg": msg, "path": sa.path, "help": help} if {
	w.is_workload
	sa := service_account
	sa.name == "default"
	msg := message(sa)
	help := advice
}

advice := sprintf("Create a ServiceAccount for %s %s (for example named %s, with automountServiceAccountToken: false unless it calls the Kubernetes API) and set %s: %s.", [input.kind, hl.name_of(input), hl.scalar(suggested_name), hl.dotted(w.pod_field_path("serviceAccountName")), hl.scalar(suggested_name)]) if {
	count(controllers) == 0
}

# A Pod read from a cluster that a controller manages: the fix goes into the controller's pod
# template (a Pod's serviceAccountName cannot be changed, and the controller recreates it).
advice := sprintf("Create a ServiceAccount for this application (for example named %s, with automountServiceAccountToken: false unless it calls the Kubernetes API) and set serviceAccountName: %s in the pod template of the Pod's controller, %s %q.", [hl.scalar(suggested_name), hl.scalar(suggested_name), object.get(controllers[0], "kind", "(unknown kind)"), object.get(controllers[0], "name", "")]) if {
	count(controllers) > 0
}

controllers := [o |
	input.kind == "Pod"
	owners := object.get(input, ["metadata", "ownerReferences"], [])
	is_array(owners)
	some o in owners
	is_object(o)
	o.controller == true
]

# Named after the application: its app.kubernetes.io/name or app pod label, else the object.
# (Behind the app_label helper: never a negated call on a possibly missing label.)
suggested_name := pod_labels["app.kubernetes.io/name"] if app_label("app.kubernetes.io/name")

suggested_name := pod_labels.app if {
	not app_label("app.kubernetes.io/name")
	app_label("app")
}

suggested_name := hl.name_or(input, "<name>") if {
	not app_label("app.kubernetes.io/name")
	not app_label("app")
}

app_label(key) if non_empty_string(pod_labels[key])

pod_labels := labels if {
	labels := object.get(input, array.concat(w.pod_metadata_path, ["labels"]), {})
	is_object(labels)
}

non_empty_string(x) if {
	is_string(x)
	x != ""
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

# (Neutral: the API server fills serviceAccountName in, so a Pod read from a cluster names
# "default" without anyone having chosen it.)
message(sa) := sprintf("the pod runs as the \"default\" ServiceAccount (%s: default)", [hl.dotted(sa.path)]) if sa.set
