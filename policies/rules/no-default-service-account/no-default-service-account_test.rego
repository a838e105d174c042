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
	}} with input as deployment({})
}

test_explicit_default_fails if {
	violation == {{
		"msg": "the pod explicitly uses the \"default\" ServiceAccount (serviceAccountName)",
		"path": sa_path,
	}} with input as deployment({"serviceAccountName": "default"})
}

unset := {{
	"msg": "the pod does not set serviceAccountName, so it runs as the namespace's \"default\" ServiceAccount",
	"path": sa_path,
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
		"msg": "the pod explicitly uses the \"default\" ServiceAccount (serviceAccountName)",
		"path": sa_path,
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
