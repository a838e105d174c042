package k8sc.rules.no_latest_tag

import data.k8sc.lib.images
import data.k8sc.lib.workloads as w
import rego.v1

# Decisions:
# - Case-insensitive: registries treat `Latest` / `LATEST` as tags distinct from `latest`,
#   but nobody names a tag that way except to mean "the newest", which is exactly the moving
#   target the constitution forbids.
# - `app:latest@sha256:…` passes: the runtime pulls by digest and ignores the tag, so what
#   runs is immutable (the tag is only a label for humans).
# - An untagged image (implicitly `latest`) is image-tag-required's finding, not this rule's,
#   so one mistake is reported once.
metadata := {
	"id": "no-latest-tag",
	"title": "Container images must not use the `latest` tag",
	"severity": "error",
	"section": "DON'T: Use `latest` tags for images; II. Containerization Best Practices (Docker Image Standards: Explicit Versions); FR-004",
	"rationale": "`latest` is a moving tag: the same manifest runs different code on different nodes and days, rollbacks do not roll back, and imagePullPolicy defaults to Always for it.",
	"remediation": "Use an explicit version tag (`app:1.4.2`) or pin by digest (`app@sha256:…`; `app:latest@sha256:…` is accepted because the digest is what gets pulled).",
	"kinds": ["*"],
	"pod_spec_only": true,
}

violation contains {"msg": msg, "path": path, "help": help} if {
	some r in w.containers
	image := r.container.image
	p := images.parse(image)
	lower(p.tag) == "latest"
	not pinned_by_digest(p.digest)
	path := array.concat(r.path, ["image"])
	msg := sprintf("container %q uses the %q tag (image %q); pin a version or a digest", [r.name, p.tag, image])
	help := sprintf("Replace the %q tag of container %q's image with the version it should run (%s:<version>), or pin its digest (%s@sha256:<digest>).", [p.tag, r.name, p.name, p.name])
}

pinned_by_digest(d) if {
	d != ""
	images.valid_digest(d)
}
