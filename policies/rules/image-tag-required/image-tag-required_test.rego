package k8sc.rules.image_tag_required

import rego.v1

digest := "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

deployment(containers) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": "web"},
	"spec": {"template": {"spec": {"containers": containers}}},
}

one(image) := deployment([{"name": "app", "image": image}])

image_path := ["spec", "template", "spec", "containers", 0, "image"]

test_tagged_images_pass if {
	every image in [
		"nginx:1.27.1",
		"ghcr.io/org/app:v1.2.3",
		"localhost:5000/app:1.0",
		"registry.example.com:5000/app:1.2",
		"docker.io/library/postgres:16.4-alpine",
	] {
		count(violation) == 0 with input as one(image)
	}
}

test_digest_passes if {
	count(violation) == 0 with input as one(concat("@", ["nginx", digest]))
}

test_tag_and_digest_passes if {
	count(violation) == 0 with input as one(concat("@", ["registry:5000/app:1.2", digest]))
}

test_untagged_fails_at_image if {
	violation == {{
		"msg": "container \"app\" image \"nginx\" has no tag or digest (it would be pulled as :latest)",
		"path": image_path,
		"help": "Pin the image of container \"app\" to a version tag (nginx:<version>) or a digest (nginx@sha256:<digest>).",
	}} with input as one("nginx")
}

no_tag(image) := {{
	"msg": sprintf("container \"app\" image %q has no tag or digest (it would be pulled as :latest)", [image]),
	"path": image_path,
	"help": sprintf("Pin the image of container \"app\" to a version tag (%s:<version>) or a digest (%s@sha256:<digest>).", [trim_suffix(image, ":"), trim_suffix(image, ":")]),
}}

test_registry_port_is_not_a_tag if {
	violation == no_tag("registry:5000/team/app") with input as one("registry:5000/team/app")
}

test_registry_host_port_without_tag_fails if {
	violation == no_tag("registry.example.com:5000/app") with input as one("registry.example.com:5000/app")
}

test_empty_tag_fails if {
	violation == no_tag("app:") with input as one("app:")
}

test_malformed_digest_fails if {
	violation == {{
		"msg": "container \"app\" image \"nginx@sha256:abc\" has a malformed digest and no tag",
		"path": image_path,
		"help": "Fix the digest of container \"app\"'s image (sha256: and 64 lowercase hex digits, as the registry reports it) or add a version tag: nginx:<version>.",
	}} with input as one("nginx@sha256:abc")
}

# A missing image and an empty one (written against a mutant that let "" take the "no tag"
# message as well) have one message.
test_missing_image_fails if {
	violation == no_image with input as deployment([{"name": "app"}])
	violation == no_image with input as one("")
	violation == no_image with input as one(42)
}

no_image := {{
	"msg": "container \"app\" has no image",
	"path": image_path,
	"help": "Set the image of container \"app\" to a pinned reference: <repository>:<version> or <repository>@sha256:<digest>.",
}}

# The help uses the image's own repository, registry port included.
test_help_spells_the_pinned_reference if {
	{v.help | some v in violation} == {"Pin the image of container \"app\" to a version tag (registry:5000/team/app:<version>) or a digest (registry:5000/team/app@sha256:<digest>)."} with input as one("registry:5000/team/app")
}

test_latest_is_a_tag_here if {
	# `latest` is no-latest-tag's business; this rule only asks for some tag.
	count(violation) == 0 with input as one("nginx:latest")
}

test_init_and_ephemeral_containers_are_checked if {
	obj := {
		"apiVersion": "v1",
		"kind": "Pod",
		"metadata": {"name": "p"},
		"spec": {
			"initContainers": [{"name": "migrate", "image": "app-migrations"}],
			"containers": [{"name": "app", "image": "app:1.0"}],
			"ephemeralContainers": [{"name": "debugger", "image": "busybox"}],
		},
	}
	vs := violation with input as obj
	{v.path | some v in vs} == {
		["spec", "initContainers", 0, "image"],
		["spec", "ephemeralContainers", 0, "image"],
	}
}

test_cronjob_path if {
	obj := {
		"apiVersion": "batch/v1",
		"kind": "CronJob",
		"metadata": {"name": "c"},
		"spec": {"schedule": "0 * * * *", "jobTemplate": {"spec": {"template": {"spec": {
			"restartPolicy": "OnFailure",
			"containers": [{"name": "job", "image": "registry:5000/jobs/cleanup"}],
		}}}}},
	}
	vs := violation with input as obj
	some v in vs
	v.path == ["spec", "jobTemplate", "spec", "template", "spec", "containers", 0, "image"]
}

test_non_workload_ignored if {
	count(violation) == 0 with input as {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": {"image": "nginx"}}
}
