package k8sc.rules.apparmor_profile

import rego.v1

deployment(annotations, pod_sc, container_sc) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": "web", "annotations": {"container.apparmor.security.beta.kubernetes.io/app": "unconfined"}},
	"spec": {"template": {
		"metadata": {"labels": {"app": "web"}, "annotations": annotations},
		"spec": {
			"securityContext": pod_sc,
			"containers": [{"name": "app", "image": "app:1.0", "securityContext": container_sc}],
		},
	}},
}

paths(vs) := {v.path | some v in vs}

# (The Deployment's own metadata carries an unconfined annotation in every case: only the pod
# template's annotations matter, so it must never be reported.)
test_unset_passes if {
	count(violation) == 0 with input as deployment({}, {}, {})
}

test_runtime_default_and_localhost_pass if {
	count(violation) == 0 with input as deployment(
		{"container.apparmor.security.beta.kubernetes.io/app": "runtime/default"},
		{"appArmorProfile": {"type": "RuntimeDefault"}},
		{"appArmorProfile": {"type": "Localhost", "localhostProfile": "k8s-apparmor-example"}},
	)
}

test_localhost_annotation_passes if {
	count(violation) == 0 with input as deployment({"container.apparmor.security.beta.kubernetes.io/app": "localhost/k8s-apparmor-example"}, {}, {})
}

test_unconfined_pod_field_fails if {
	vs := violation with input as deployment({}, {"appArmorProfile": {"type": "Unconfined"}}, {})
	paths(vs) == {["spec", "template", "spec", "securityContext", "appArmorProfile", "type"]}
}

test_unconfined_container_field_fails_even_over_a_good_pod_value if {
	vs := violation with input as deployment({}, {"appArmorProfile": {"type": "RuntimeDefault"}}, {"appArmorProfile": {"type": "Unconfined"}})
	paths(vs) == {["spec", "template", "spec", "containers", 0, "securityContext", "appArmorProfile", "type"]}
}

test_unconfined_annotation_fails_at_the_annotation if {
	vs := violation with input as deployment({"container.apparmor.security.beta.kubernetes.io/app": "unconfined", "prometheus.io/scrape": "true"}, {}, {})
	paths(vs) == {["spec", "template", "metadata", "annotations", "container.apparmor.security.beta.kubernetes.io/app"]}
}

test_bare_pod_annotation_path if {
	obj := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "annotations": {"container.apparmor.security.beta.kubernetes.io/app": "unconfined"}}, "spec": {"containers": [{"name": "app", "image": "app:1"}]}}
	vs := violation with input as obj
	paths(vs) == {["metadata", "annotations", "container.apparmor.security.beta.kubernetes.io/app"]}
}

test_ephemeral_container_is_checked if {
	obj := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {
		"containers": [{"name": "app", "image": "app:1"}],
		"ephemeralContainers": [{"name": "debugger", "image": "busybox:1.36", "securityContext": {"appArmorProfile": {"type": "Unconfined"}}}],
	}}
	vs := violation with input as obj
	paths(vs) == {["spec", "ephemeralContainers", 0, "securityContext", "appArmorProfile", "type"]}
}

test_configmap_annotations_are_ignored if {
	count(violation) == 0 with input as {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "annotations": {"container.apparmor.security.beta.kubernetes.io/app": "unconfined"}}}
}

test_metadata_declares_the_pss_level if {
	metadata.id == "apparmor-profile"
	metadata.severity == "error"
	metadata.pss == "baseline"
	metadata.kinds == ["*"]
}

# An explicit null (what Helm renders for an empty value) is unset, at the pod and in a container
# (written against a mutant that dropped the container's null check).
test_null_profiles_are_unset if {
	count(violation) == 0 with input as deployment({}, {"appArmorProfile": null}, {"appArmorProfile": null})
}
