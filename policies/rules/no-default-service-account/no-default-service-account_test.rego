package k8sc.rules.no_default_service_account

import rego.v1

deployment(extra) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": "web"},
	"spec": {"template": {"spec": object.union({"containers": [{"name": "app", "image": "app:1.0"}]}, extra)}},
}

sa_path := ["spec", "template", "spec", "serviceAccountName"]

test_dedicated_service_account_passes if {
	count(violation) == 0 with input as deployment({"serviceAccountName": "todo-backend"})
}

test_missing_fails_at_service_account_name if {
	violation == {{
		"msg": "the pod does not set serviceAccountName, so it runs as the namespace's \"default\" ServiceAccount",
		"path": sa_path,
		"help": "Create a ServiceAccount for Deployment \"web\" (for example named web, with automountServiceAccountToken: false unless it calls the Kubernetes API) and set spec.template.spec.serviceAccountName: web.",
	}} with input as deployment({})
}

test_explicit_default_fails if {
	violation == {{
		"msg": "the pod runs as the \"default\" ServiceAccount (spec.template.spec.serviceAccountName: default)",
		"path": sa_path,
		"help": "Create a ServiceAccount for Deployment \"web\" (for example named web, with automountServiceAccountToken: false unless it calls the Kubernetes API) and set spec.template.spec.serviceAccountName: web.",
	}} with input as deployment({"serviceAccountName": "default"})
}

unset := {{
	"msg": "the pod does not set serviceAccountName, so it runs as the namespace's \"default\" ServiceAccount",
	"path": sa_path,
	"help": "Create a ServiceAccount for Deployment \"web\" (for example named web, with automountServiceAccountToken: false unless it calls the Kubernetes API) and set spec.template.spec.serviceAccountName: web.",
}}

# An empty name is unset, and so is a name that is not a string (written against a mutant that
# dropped the is_string check, which made `5` a dedicated service account).
test_empty_string_means_default if {
	violation == unset with input as deployment({"serviceAccountName": ""})
	violation == unset with input as deployment({"serviceAccountName": 5})
}

test_deprecated_service_account_field_is_honoured if {
	count(violation) == 0 with input as deployment({"serviceAccount": "todo-backend"})
	vs := violation with input as deployment({"serviceAccount": "default"})
	{v.path | some v in vs} == {["spec", "template", "spec", "serviceAccount"]}
}

test_service_account_name_wins_over_deprecated_field if {
	count(violation) == 0 with input as deployment({"serviceAccountName": "todo-backend", "serviceAccount": "default"})
	violation == {{
		"msg": "the pod runs as the \"default\" ServiceAccount (spec.template.spec.serviceAccountName: default)",
		"path": sa_path,
		"help": "Create a ServiceAccount for Deployment \"web\" (for example named web, with automountServiceAccountToken: false unless it calls the Kubernetes API) and set spec.template.spec.serviceAccountName: web.",
	}} with input as deployment({"serviceAccountName": "default", "serviceAccount": "todo-backend"})
}

test_pod_path if {
	vs := violation with input as {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "app", "image": "app:1.0"}]}}
	{v.path | some v in vs} == {["spec", "serviceAccountName"]}
}

test_cronjob_checked if {
	obj := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c"}, "spec": {"schedule": "@daily", "jobTemplate": {"spec": {"template": {"spec": {
		"restartPolicy": "OnFailure",
		"containers": [{"name": "job", "image": "app:1.0"}],
	}}}}}}
	vs := violation with input as obj
	{v.path | some v in vs} == {["spec", "jobTemplate", "spec", "template", "spec", "serviceAccountName"]}
}

test_non_workloads_ignored if {
	# A Pod without a spec runs nothing (written against a mutant without the is_workload check).
	count(violation) == 0 with input as {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}}
	count(violation) == 0 with input as {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default"}}
	count(violation) == 0 with input as {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "rb"}, "subjects": [{"kind": "ServiceAccount", "name": "default"}]}
}

# A bare Pod read from a cluster has serviceAccountName filled in by the API server: the message
# states the fact without claiming anyone chose it, and the help suggests a name after the app.
test_pod_from_a_cluster if {
	pod := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web-7d9f-x2k4q", "labels": {"app.kubernetes.io/name": "web"}}, "spec": {"serviceAccountName": "default", "serviceAccount": "default", "containers": [{"name": "app", "image": "app:1.0"}]}}
	violation == {{
		"msg": "the pod runs as the \"default\" ServiceAccount (spec.serviceAccountName: default)",
		"path": ["spec", "serviceAccountName"],
		"help": "Create a ServiceAccount for Pod \"web-7d9f-x2k4q\" (for example named web, with automountServiceAccountToken: false unless it calls the Kubernetes API) and set spec.serviceAccountName: web.",
	}} with input as pod
}

test_help_names_the_account_after_the_app_label if {
	d := json.patch(deployment({"serviceAccount": "default"}), [{"op": "add", "path": "/spec/template/metadata", "value": {"labels": {"app": "shop"}}}])
	violation == {{
		"msg": "the pod runs as the \"default\" ServiceAccount (spec.template.spec.serviceAccount: default)",
		"path": ["spec", "template", "spec", "serviceAccount"],
		"help": "Create a ServiceAccount for Deployment \"web\" (for example named shop, with automountServiceAccountToken: false unless it calls the Kubernetes API) and set spec.template.spec.serviceAccountName: shop.",
	}} with input as d
}

test_help_when_the_pod_labels_are_not_a_map if {
	d := json.patch(deployment({}), [{"op": "add", "path": "/spec/template/metadata", "value": {"labels": "app=shop"}}])
	{v.help | some v in violation} == {"Create a ServiceAccount for Deployment \"web\" (for example named web, with automountServiceAccountToken: false unless it calls the Kubernetes API) and set spec.template.spec.serviceAccountName: web."} with input as d
}

# A Pod that a controller manages is fixed in the controller's pod template.
test_help_for_a_pod_managed_by_a_controller if {
	owner := {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-7d9f", "uid": "u", "controller": true}
	pod := {
		"apiVersion": "v1",
		"kind": "Pod",
		"metadata": {"name": "web-7d9f-x2k4q", "labels": {"app": "web"}, "ownerReferences": [owner]},
		"spec": {"serviceAccountName": "default", "containers": [{"name": "app", "image": "app:1.0"}]},
	}
	{v.help | some v in violation} == {"Create a ServiceAccount for this application (for example named web, with automountServiceAccountToken: false unless it calls the Kubernetes API) and set serviceAccountName: web in the pod template of the Pod's controller, ReplicaSet \"web-7d9f\"."} with input as pod
	bad_owners := json.patch(pod, [{"op": "replace", "path": "/metadata/ownerReferences", "value": "web-7d9f"}])
	{v.help | some v in violation} == {"Create a ServiceAccount for Pod \"web-7d9f-x2k4q\" (for example named web, with automountServiceAccountToken: false unless it calls the Kubernetes API) and set spec.serviceAccountName: web."} with input as bad_owners
}
