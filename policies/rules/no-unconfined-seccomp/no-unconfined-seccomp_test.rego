package k8sc.rules.no_unconfined_seccomp

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

findings(vs) := {[v.path, v.msg] | some v in vs}

runtime_default := {"seccompProfile": {"type": "RuntimeDefault"}}

unconfined := {"seccompProfile": {"type": "Unconfined"}}

pod_msg := `the pod sets seccompProfile.type "Unconfined"; only RuntimeDefault or Localhost are allowed`

container_msg(name) := sprintf(`container %q sets seccompProfile.type "Unconfined"; only RuntimeDefault or Localhost are allowed`, [name])

test_allowed_types_pass if {
	count(violation) == 0 with input as deployment(runtime_default, {"seccompProfile": {"type": "Localhost", "localhostProfile": "profiles/audit.json"}})
}

# Unset everywhere is allowed at baseline (requiring a profile is seccomp-profile's, restricted).
test_missing_everywhere_passes if {
	count(violation) == 0 with input as deployment({}, {})
	count(violation) == 0 with input as deployment(null, null)
	count(violation) == 0 with input as deployment({"seccompProfile": null}, {"seccompProfile": null})
}

# Pod Security admission fixture seccompprofile_baseline0: reported once, at the pod, not again
# for each inheriting container.
test_unconfined_pod_is_reported_once_at_the_pod if {
	vs := violation with input as deployment(unconfined, {})
	findings(vs) == {[pod_type_path, pod_msg]}
}

# As in Pod Security admission, an explicit bad pod value fails even when every container
# overrides it.
test_unconfined_pod_fails_even_when_overridden if {
	obj := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {
		"securityContext": unconfined,
		"containers": [{"name": "a", "image": "a:1", "securityContext": runtime_default}],
	}}
	vs := violation with input as obj
	findings(vs) == {[["spec", "securityContext", "seccompProfile", "type"], pod_msg]}
}

test_unconfined_container_overrides_good_pod_value if {
	vs := violation with input as deployment(runtime_default, unconfined)
	findings(vs) == {[container_type_path(0), container_msg("app")]}
}

test_pod_and_container_are_both_reported if {
	vs := violation with input as deployment(unconfined, unconfined)
	findings(vs) == {[pod_type_path, pod_msg], [container_type_path(0), container_msg("app")]}
}

test_profile_without_type_fails if {
	vs := violation with input as deployment({"seccompProfile": {}}, {})
	findings(vs) == {[pod_type_path, `the pod sets seccompProfile.type ""; only RuntimeDefault or Localhost are allowed`]}
}

# Fixtures seccompprofile_baseline1 and 2, plus an ephemeral container (Pod Security admission
# visits ephemeral containers too).
test_init_and_ephemeral_containers_are_checked if {
	obj := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {
		"initContainers": [{"name": "init", "image": "i:1", "securityContext": unconfined}],
		"containers": [{"name": "a", "image": "a:1"}],
		"ephemeralContainers": [{"name": "dbg", "image": "busybox:1.36", "securityContext": unconfined}],
	}}
	vs := violation with input as obj
	findings(vs) == {
		[["spec", "initContainers", 0, "securityContext", "seccompProfile", "type"], container_msg("init")],
		[["spec", "ephemeralContainers", 0, "securityContext", "seccompProfile", "type"], container_msg("dbg")],
	}
}

test_cronjob_path if {
	obj := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c"}, "spec": {"schedule": "@hourly", "jobTemplate": {"spec": {"template": {"spec": {
		"restartPolicy": "OnFailure",
		"securityContext": unconfined,
		"containers": [{"name": "job", "image": "job:1"}],
	}}}}}}
	vs := violation with input as obj
	findings(vs) == {[["spec", "jobTemplate", "spec", "template", "spec", "securityContext", "seccompProfile", "type"], pod_msg]}
}

# Baseline applies to every pod, Windows included, as Pod Security admission's baseline check
# does (the API server rejects seccompProfile on Windows pods anyway).
test_windows_pod_is_checked if {
	obj := json.patch(deployment(unconfined, {}), [{"op": "add", "path": "/spec/template/spec/os", "value": {"name": "windows"}}])
	vs := violation with input as obj
	findings(vs) == {[pod_type_path, pod_msg]}
}

# The legacy annotations are ignored (Kubernetes stopped honouring them in v1.27).
test_legacy_annotation_is_ignored if {
	obj := json.patch(deployment({}, {}), [{"op": "add", "path": "/spec/template/metadata", "value": {"annotations": {"seccomp.security.alpha.kubernetes.io/pod": "unconfined"}}}])
	count(violation) == 0 with input as obj
}

test_service_is_ignored if {
	count(violation) == 0 with input as {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": {"ports": [{"port": 80}]}}
}

test_metadata_declares_the_pss_level if {
	metadata.id == "no-unconfined-seccomp"
	metadata.severity == "error"
	metadata.pss == "baseline"
	metadata.kinds == ["*"]
	metadata.pod_spec_only == true
	metadata.section == data.k8sc.rules.seccomp_profile.metadata.section
}
