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
		"help": "Replace the \"latest\" tag of container \"app\"'s image with the version it should run (nginx:<version>), or pin its digest (nginx@sha256:<digest>).",
	}} with input as one("nginx:latest")
}

latest(tag, image, repository) := {{
	"msg": sprintf("container \"app\" uses the %q tag (image %q); pin a version or a digest", [tag, image]),
	"path": image_path,
	"help": sprintf("Replace the %q tag of container \"app\"'s image with the version it should run (%s:<version>), or pin its digest (%s@sha256:<digest>).", [tag, repository, repository]),
}}

# The help names the image's own repository, registry port included.
test_help_names_the_repository if {
	{v.help | some v in violation} == {"Replace the \"Latest\" tag of container \"app\"'s image with the version it should run (registry.example.com:5000/team/app:<version>), or pin its digest (registry.example.com:5000/team/app@sha256:<digest>)."} with input as one("registry.example.com:5000/team/app:Latest")
}

test_latest_behind_registry_port_fails if {
	violation == latest("latest", "registry.example.com:5000/team/app:latest", "registry.example.com:5000/team/app") with input as one("registry.example.com:5000/team/app:latest")
}

test_latest_is_case_insensitive if {
	violation == latest("LATEST", "app:LATEST", "app") with input as one("app:LATEST")
	violation == latest("Latest", "app:Latest", "app") with input as one("app:Latest")
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
	violation == latest("latest", "nginx:latest@sha256:abc", "nginx") with input as one("nginx:latest@sha256:abc")
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
