package k8sc.rules.no_latest_tag

import rego.v1

digest := "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

one(image) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": "web"},
	"spec": {"template": {"spec": {"containers": [{"name": "app", "image": image}]}}},
}

image_path := ["spec", "template", "spec", "containers", 0, "image"]

test_versioned_images_pass if {
	every image in ["nginx:1.27", "ghcr.io/org/app:v1.2.3", "localhost:5000/app:1.0", "app:latest-2024", "app:1.0-latest"] {
		count(violation) == 0 with input as one(image)
	}
}

test_latest_fails_at_image if {
	violation == {{
		"msg": "container \"app\" uses the \"latest\" tag (image \"nginx:latest\"); pin a version or a digest",
		"path": image_path,
	}} with input as one("nginx:latest")
}

test_latest_behind_registry_port_fails if {
	count(violation) == 1 with input as one("registry.example.com:5000/team/app:latest")
}

test_latest_is_case_insensitive if {
	count(violation) == 1 with input as one("app:LATEST")
	count(violation) == 1 with input as one("app:Latest")
}

test_registry_named_latest_is_not_a_tag if {
	count(violation) == 0 with input as one("latest:5000/app:1.0")
	count(violation) == 0 with input as one("registry/latest:1.0")
}

test_untagged_is_left_to_image_tag_required if {
	count(violation) == 0 with input as one("nginx")
	count(violation) == 0 with input as one("registry:5000/latest")
}

test_latest_pinned_by_digest_passes if {
	count(violation) == 0 with input as one(concat("@", ["nginx:latest", digest]))
}

test_latest_with_malformed_digest_fails if {
	count(violation) == 1 with input as one("nginx:latest@sha256:abc")
}

test_ephemeral_and_init_containers_checked if {
	obj := {
		"apiVersion": "v1",
		"kind": "Pod",
		"metadata": {"name": "p"},
		"spec": {
			"initContainers": [{"name": "init", "image": "busybox:latest"}],
			"containers": [{"name": "app", "image": "app:1.0"}],
			"ephemeralContainers": [{"name": "debug", "image": "nicolaka/netshoot:latest"}],
		},
	}
	vs := violation with input as obj
	{v.path | some v in vs} == {["spec", "initContainers", 0, "image"], ["spec", "ephemeralContainers", 0, "image"]}
}
