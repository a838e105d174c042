package k8sc.rules.no_host_process

import rego.v1

windows_pod(pod_sc, container_sc) := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {"name": "iis"},
	"spec": {
		"os": {"name": "windows"},
		"securityContext": pod_sc,
		"containers": [{"name": "iis", "image": "mcr.microsoft.com/windows/servercore/iis:windowsservercore-ltsc2022", "securityContext": container_sc}],
	},
}

paths(vs) := {v.path | some v in vs}

test_unset_passes if {
	count(violation) == 0 with input as windows_pod({}, {})
}

test_explicit_false_passes if {
	count(violation) == 0 with input as windows_pod({"windowsOptions": {"hostProcess": false}}, {"windowsOptions": {"hostProcess": false}})
}

test_pod_level_host_process_fails_at_pod_path if {
	vs := violation with input as windows_pod({"windowsOptions": {"hostProcess": true}}, {})
	paths(vs) == {["spec", "securityContext", "windowsOptions", "hostProcess"]}
}

test_container_level_host_process_fails_at_container_path if {
	vs := violation with input as windows_pod({}, {"windowsOptions": {"hostProcess": true, "runAsUserName": "NT AUTHORITY\\SYSTEM"}})
	paths(vs) == {["spec", "containers", 0, "securityContext", "windowsOptions", "hostProcess"]}
}

test_init_and_ephemeral_containers_are_checked if {
	obj := {
		"apiVersion": "apps/v1",
		"kind": "DaemonSet",
		"metadata": {"name": "agent"},
		"spec": {"template": {"spec": {
			"os": {"name": "windows"},
			"initContainers": [{"name": "setup", "image": "setup:1", "securityContext": {"windowsOptions": {"hostProcess": true}}}],
			"containers": [{"name": "agent", "image": "agent:1"}],
			"ephemeralContainers": [{"name": "debug", "image": "debug:1", "securityContext": {"windowsOptions": {"hostProcess": true}}}],
		}}},
	}
	vs := violation with input as obj
	paths(vs) == {
		["spec", "template", "spec", "initContainers", 0, "securityContext", "windowsOptions", "hostProcess"],
		["spec", "template", "spec", "ephemeralContainers", 0, "securityContext", "windowsOptions", "hostProcess"],
	}
}

test_null_security_context_passes if {
	count(violation) == 0 with input as windows_pod(null, null)
}

test_configmap_is_ignored if {
	count(violation) == 0 with input as {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": {"hostProcess": "true"}}
}

test_metadata_declares_the_pss_level if {
	metadata.id == "no-host-process"
	metadata.severity == "error"
	metadata.pss == "baseline"
	metadata.kinds == ["*"]
}
