package k8sc.rules.seccomp_profile

import data.k8sc.lib.fix
import rego.v1

deployment(pod_sc, container_sc) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": "web"},
	"spec": {"template": {"spec": {
		"securityContext": pod_sc,
		"containers": [
			{"name": "app", "image": "app:1.0", "securityContext": container_sc},
			{"name": "metrics", "image": "exporter:2.1"},
		],
	}}},
}

pod_type_path := ["spec", "template", "spec", "securityContext", "seccompProfile", "type"]

container_type_path(i) := ["spec", "template", "spec", "containers", i, "securityContext", "seccompProfile", "type"]

paths(vs) := {v.path | some v in vs}

runtime_default := {"seccompProfile": {"type": "RuntimeDefault"}}

test_pod_level_profile_is_inherited if {
	count(violation) == 0 with input as deployment(runtime_default, {})
}

test_container_level_profiles_pass if {
	obj := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [
		{"name": "a", "image": "a:1", "securityContext": runtime_default},
		{"name": "b", "image": "b:1", "securityContext": {"seccompProfile": {"type": "Localhost", "localhostProfile": "profiles/audit.json"}}},
	]}}
	count(violation) == 0 with input as obj
}

test_missing_everywhere_fails_per_container if {
	vs := violation with input as deployment({}, {})
	paths(vs) == {container_type_path(0), container_type_path(1)}
}

test_one_container_set_other_missing if {
	vs := violation with input as deployment(null, runtime_default)
	paths(vs) == {container_type_path(1)}
}

# An explicit Unconfined (or a profile without a type) is the baseline control: no-unconfined-seccomp
# reports it once, at the field; the containers inheriting the pod value get no second finding here.
test_unconfined_is_left_to_no_unconfined_seccomp if {
	count(violation) == 0 with input as deployment({"seccompProfile": {"type": "Unconfined"}}, {})
	count(violation) == 0 with input as deployment(runtime_default, {"seccompProfile": {"type": "Unconfined"}})
	count(violation) == 0 with input as deployment({"seccompProfile": {}}, {})
}

# A container with its own Unconfined profile is no-unconfined-seccomp's; its sibling without any
# profile is still this rule's.
test_unconfined_container_beside_a_missing_one if {
	vs := violation with input as deployment(null, {"seccompProfile": {"type": "Unconfined"}})
	{[v.path, v.msg] | some v in vs} == {[
		container_type_path(1),
		`container "metrics" has no seccomp profile (set securityContext.seccompProfile.type: RuntimeDefault on the pod or the container)`,
	]}
}

test_init_sidecar_and_ephemeral_containers_inherit_and_are_checked if {
	obj := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {
		"initContainers": [{"name": "proxy", "image": "proxy:1", "restartPolicy": "Always"}],
		"containers": [{"name": "a", "image": "a:1"}],
		"ephemeralContainers": [{"name": "dbg", "image": "busybox:1.36"}],
	}}
	vs := violation with input as obj
	paths(vs) == {
		["spec", "initContainers", 0, "securityContext", "seccompProfile", "type"],
		["spec", "containers", 0, "securityContext", "seccompProfile", "type"],
		["spec", "ephemeralContainers", 0, "securityContext", "seccompProfile", "type"],
	}
	count(violation) == 0 with input as json.patch(obj, [{"op": "add", "path": "/spec/securityContext", "value": runtime_default}])
}

test_cronjob_path if {
	obj := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c"}, "spec": {"schedule": "@hourly", "jobTemplate": {"spec": {"template": {"spec": {
		"restartPolicy": "OnFailure",
		"containers": [{"name": "job", "image": "job:1"}],
	}}}}}}
	vs := violation with input as obj
	paths(vs) == {["spec", "jobTemplate", "spec", "template", "spec", "containers", 0, "securityContext", "seccompProfile", "type"]}
}

test_windows_pod_is_exempt if {
	obj := json.patch(deployment({}, {}), [{"op": "add", "path": "/spec/template/spec/os", "value": {"name": "windows"}}])
	count(violation) == 0 with input as obj
}

test_service_is_ignored if {
	count(violation) == 0 with input as {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": {"ports": [{"port": 80}]}}
}

test_metadata_declares_the_pss_level if {
	metadata.id == "seccomp-profile"
	metadata.severity == "error"
	metadata.pss == "restricted"
	metadata.kinds == ["*"]
}

# --- fixes (issue #13)

# A Deployment whose pod spec is exactly `spec`.
workload(spec) := {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {"template": {"spec": spec}}}

# The object with every fix of its violations applied.
fixed(obj) := fix.apply(obj, fix.ops_of(vs)) if {
	vs := violation with input as obj
}

msg(name) := sprintf("container %q has no seccomp profile (set securityContext.seccompProfile.type: RuntimeDefault on the pod or the container)", [name])

# No container has a profile: one pod-level profile, the same operation on every violation.
test_fix_unset_everywhere_goes_to_the_pod if {
	pod_op := {"op": "add", "path": ["spec", "template", "spec", "securityContext", "seccompProfile"], "value": {"type": "RuntimeDefault"}}
	violation == {
		{"msg": msg("app"), "path": container_type_path(0), "fix": [pod_op]},
		{"msg": msg("metrics"), "path": container_type_path(1), "fix": [pod_op]},
	} with input as deployment({"runAsNonRoot": true}, {})

	# a null profile counts as missing
	{v.fix | some v in violation} == {[pod_op]} with input as deployment({"seccompProfile": null}, {"seccompProfile": null})
}

# Without a pod securityContext (absent or null), it is added whole.
test_fix_pod_without_security_context if {
	pod_op := {"op": "add", "path": ["spec", "template", "spec", "securityContext"], "value": {"seccompProfile": {"type": "RuntimeDefault"}}}
	violation == {{"msg": msg("app"), "path": container_type_path(0), "fix": [pod_op]}} with input as workload({"containers": [{"name": "app", "image": "app:1.0"}]})
	{v.fix | some v in violation} == {[pod_op]} with input as deployment(null, null)
	count(violation) == 0 with input as fixed(deployment(null, null))
}

# Some containers have a profile: the pod value would not reach them, so each other container
# gets its own, whether it has no securityContext or one without the field.
test_fix_mixed_goes_to_each_container if {
	obj := workload({"containers": [
		{"name": "app", "image": "app:1.0", "securityContext": runtime_default},
		{"name": "metrics", "image": "exporter:2.1"},
		{"name": "proxy", "image": "proxy:1", "securityContext": {"runAsNonRoot": true}},
	]})
	violation == {
		{"msg": msg("metrics"), "path": container_type_path(1), "fix": [{"op": "add", "path": ["spec", "template", "spec", "containers", 1, "securityContext"], "value": runtime_default}]},
		{"msg": msg("proxy"), "path": container_type_path(2), "fix": [{"op": "add", "path": ["spec", "template", "spec", "containers", 2, "securityContext", "seccompProfile"], "value": {"type": "RuntimeDefault"}}]},
	} with input as obj
	count(violation) == 0 with input as fixed(obj)
}

# A container's explicit Unconfined is no-unconfined-seccomp's finding (and fix): it still
# counts as a container that sets a profile, so its sibling gets a container-level fix.
test_fix_mixed_with_an_unconfined_container if {
	obj := deployment(null, {"seccompProfile": {"type": "Unconfined"}})
	{v.fix | some v in violation} == {[{"op": "add", "path": ["spec", "template", "spec", "containers", 1, "securityContext"], "value": runtime_default}]} with input as obj
	count(violation) == 0 with input as fixed(obj)
}

test_fix_cronjob_pod_level if {
	obj := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c"}, "spec": {"schedule": "@hourly", "jobTemplate": {"spec": {"template": {"spec": {
		"restartPolicy": "OnFailure",
		"securityContext": {"runAsNonRoot": true},
		"containers": [{"name": "job", "image": "job:1"}],
	}}}}}}
	{v.fix | some v in violation} == {[{"op": "add", "path": ["spec", "jobTemplate", "spec", "template", "spec", "securityContext", "seccompProfile"], "value": {"type": "RuntimeDefault"}}]} with input as obj
	count(violation) == 0 with input as fixed(obj)
}

# A pod securityContext that is not an object cannot be patched safely: the findings stay, unfixed.
test_fix_none_for_a_malformed_pod_security_context if {
	violation == {
		{"msg": msg("app"), "path": container_type_path(0)},
		{"msg": msg("metrics"), "path": container_type_path(1)},
	} with input as deployment("RuntimeDefault", {})
}

test_fixes_make_the_violations_disappear if {
	every obj in [
		deployment({}, {}),
		deployment(null, null),
		deployment(null, runtime_default),
		deployment({"seccompProfile": null}, {"seccompProfile": null}),
		{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {
			"initContainers": [{"name": "proxy", "image": "proxy:1", "restartPolicy": "Always"}],
			"containers": [{"name": "a", "image": "a:1"}],
			"ephemeralContainers": [{"name": "dbg", "image": "busybox:1.36", "securityContext": {"seccompProfile": {"type": "Localhost", "localhostProfile": "debug.json"}}}],
		}},
	] {
		count(violation) == 0 with input as fixed(obj)
	}
}
