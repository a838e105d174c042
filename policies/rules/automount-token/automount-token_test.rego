package k8sc.rules.automount_token

import data.k8sc.lib.fix
import rego.v1

deployment(extra) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": "web"},
	"spec": {"template": {"spec": object.union({"serviceAccountName": "web", "containers": [{"name": "app", "image": "app:1.0"}]}, extra)}},
}

service_account(extra) := object.union({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "web"}}, extra)

test_pod_disabling_token_passes if {
	count(violation) == 0 with input as deployment({"automountServiceAccountToken": false})
}

test_pod_explicit_opt_in_passes if {
	count(violation) == 0 with input as deployment({"automountServiceAccountToken": true})
}

test_pod_unset_warns_at_pod_field if {
	vs := violation with input as deployment({})
	{v.path | some v in vs} == {["spec", "template", "spec", "automountServiceAccountToken"]}
}

test_pod_null_or_string_is_unset if {
	unset := {
		"msg": "the pod does not set automountServiceAccountToken, so a ServiceAccount token is mounted into every container unless its ServiceAccount disables it; set it to false (or true to opt in explicitly)",
		"path": ["spec", "template", "spec", "automountServiceAccountToken"],
		"help": "Set spec.template.spec.automountServiceAccountToken: false in Deployment \"web\", or true if its pods call the Kubernetes API.",
	}

	# null counts as missing (add); a string is a value, replaced
	violation == {object.union(unset, {"fix": [{"op": "add", "path": ["spec", "template", "spec", "automountServiceAccountToken"], "value": false}]})} with input as deployment({"automountServiceAccountToken": null})
	violation == {object.union(unset, {"fix": [{"op": "replace", "path": ["spec", "template", "spec", "automountServiceAccountToken"], "value": false}]})} with input as deployment({"automountServiceAccountToken": "false"})
}

test_bare_pod_and_cronjob_paths if {
	vs := violation with input as {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "app", "image": "app:1.0"}]}}
	{v.path | some v in vs} == {["spec", "automountServiceAccountToken"]}
	vs2 := violation with input as {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c"}, "spec": {"schedule": "@daily", "jobTemplate": {"spec": {"template": {"spec": {
		"restartPolicy": "OnFailure",
		"containers": [{"name": "job", "image": "app:1.0"}],
	}}}}}}
	{v.path | some v in vs2} == {["spec", "jobTemplate", "spec", "template", "spec", "automountServiceAccountToken"]}
	{v.help | some v in vs2} == {"Set spec.jobTemplate.spec.template.spec.automountServiceAccountToken: false in CronJob \"c\", or true if its pods call the Kubernetes API."}
}

test_service_account_disabling_passes if {
	count(violation) == 0 with input as service_account({"automountServiceAccountToken": false})
}

test_service_account_explicit_opt_in_passes if {
	count(violation) == 0 with input as service_account({"automountServiceAccountToken": true})
}

test_service_account_unset_warns if {
	violation == {{
		"msg": "ServiceAccount \"web\" does not set automountServiceAccountToken, so its token is mounted into every pod that uses it; set it to false (or true to opt in explicitly)",
		"path": ["automountServiceAccountToken"],
		"help": "Set automountServiceAccountToken: false on ServiceAccount \"web\", or true if the pods that use it call the Kubernetes API (a pod's own setting overrides it).",
		"fix": [{"op": "add", "path": ["automountServiceAccountToken"], "value": false}],
	}} with input as service_account({})
}

test_other_kinds_ignored if {
	count(violation) == 0 with input as {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {}}
}

# A Pod without a spec runs nothing (written against a mutant that dropped the is_workload check:
# the missing pod spec read as an unset field).
test_pod_without_spec_is_ignored if {
	count(violation) == 0 with input as {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}}
}

# --- fixes (issue #13)

# The object with every fix of its violations applied.
fixed(obj) := fix.apply(obj, fix.ops_of(vs)) if {
	vs := violation with input as obj
}

test_fix_pod_spec_of_a_deployment if {
	{v.fix | some v in violation} == {[{"op": "add", "path": ["spec", "template", "spec", "automountServiceAccountToken"], "value": false}]} with input as deployment({})
	count(violation) == 0 with input as fixed(deployment({}))
}

test_fix_bare_pod_and_cronjob if {
	pod := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "app", "image": "app:1.0"}]}}
	{v.fix | some v in violation} == {[{"op": "add", "path": ["spec", "automountServiceAccountToken"], "value": false}]} with input as pod
	cronjob := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c"}, "spec": {"schedule": "@daily", "jobTemplate": {"spec": {"template": {"spec": {
		"restartPolicy": "OnFailure",
		"automountServiceAccountToken": "no",
		"containers": [{"name": "job", "image": "app:1.0"}],
	}}}}}}
	{v.fix | some v in violation} == {[{"op": "replace", "path": ["spec", "jobTemplate", "spec", "template", "spec", "automountServiceAccountToken"], "value": false}]} with input as cronjob
	count(violation) == 0 with input as fixed(pod)
	count(violation) == 0 with input as fixed(cronjob)
}

# The ServiceAccount's own field, at its root.
test_fix_service_account if {
	{v.fix | some v in violation} == {[{"op": "replace", "path": ["automountServiceAccountToken"], "value": false}]} with input as service_account({"automountServiceAccountToken": "false"})
	fixed(service_account({})) == service_account({"automountServiceAccountToken": false})
	count(violation) == 0 with input as fixed(service_account({"automountServiceAccountToken": null}))
}
