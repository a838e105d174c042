package k8sc.rules.image_tag_required

import data.k8sc.lib.images
import data.k8sc.lib.workloads as w
import rego.v1

metadata := {
	"id": "image-tag-required",
	"title": "Container images must be pinned with a tag or a digest",
	"severity": "error",
	"section": "II. Containerization Best Practices (Docker Image Standards: Explicit Versions); DON'T: Use `latest` tags; FR-004",
	"rationale": "An image without a tag is pulled as `:latest`, so what runs depends on when and where the pod was scheduled; rollbacks and audits cannot say which code ran.",
	"remediation": "Give every image (init and ephemeral containers included) an explicit version tag (`app:1.4.2`) or, better, a digest (`app@sha256:…`). A registry port is not a tag: `registry:5000/app` still needs `:1.4.2`.",
	"kinds": ["*"],
	"pod_spec_only": true,
}

# Every container, init and ephemeral ones included: a debug container with a floating
# image is as unreproducible as any other.
violation contains {"msg": msg, "path": path, "help": help} if {
	some r in w.containers
	image := object.get(r.container, "image", null)
	not pinned(image)
	path := array.concat(r.path, ["image"])
	msg := message(r.name, image)
	help := advice(r.name, image)
}

pinned(image) if {
	p := images.parse(image)
	pinned_ref(p)
}

pinned_ref(p) if p.tag != ""

pinned_ref(p) if {
	p.digest != ""
	images.valid_digest(p.digest)
}

message(name, image) := sprintf("container %q has no image", [name]) if not is_string(image)

message(name, image) := sprintf("container %q has no image", [name]) if image == ""

message(name, image) := sprintf("container %q image %q has a malformed digest and no tag", [name, image]) if {
	is_string(image)
	contains(image, "@")
}

message(name, image) := sprintf("container %q image %q has no tag or digest (it would be pulled as :latest)", [name, image]) if {
	is_string(image)
	image != ""
	not contains(image, "@")
}

# The help spells the pinned reference with the image's own repository.
advice(name, image) := sprintf("Set the image of container %q to a pinned reference: <repository>:<version> or <repository>@sha256:<digest>.", [name]) if not images.parse(image)

advice(name, image) := sprintf("Fix the digest of container %q's image (sha256: and 64 lowercase hex digits, as the registry reports it) or add a version tag: %s:<version>.", [name, repository]) if {
	repository := images.parse(image).name
	contains(image, "@")
}

advice(name, image) := sprintf("Pin the image of container %q to a version tag (%s:<version>) or a digest (%s@sha256:<digest>).", [name, repository, repository]) if {
	repository := images.parse(image).name
	not contains(image, "@")
}
