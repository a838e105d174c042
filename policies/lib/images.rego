# Container image references (the distribution/reference grammar) split into what the image
# rules need: the repository, the tag and the digest.
#
#   [registry[:port]/]path[:tag][@algorithm:hex]
#
# The tag is whatever follows the last ":" of the LAST path component, so a registry port is
# never mistaken for a tag: `registry.example.com:5000/app` has no tag,
# `registry.example.com:5000/app:1.2` has tag "1.2", `app:1.2@sha256:...` has both.
# String functions only (no regex unless there is a digest to check): this runs for every
# container of every object.
package k8sc.lib.images

import rego.v1

# {"name", "tag", "digest"}; tag and digest are "" when absent. Undefined if image is not a
# non-empty string. (substring past the end is "", which spares conditionals: this is the
# hottest helper of the pack.)
parse(image) := {"name": name, "tag": tag, "digest": digest} if {
	is_string(image)
	image != ""
	name_tag := split(image, "@")[0]
	digest := substring(image, count(name_tag) + 1, -1)
	parts := split(name_tag, "/")
	last := parts[count(parts) - 1]
	repo_end := count(split(last, ":")[0])
	tag := substring(last, repo_end + 1, -1)
	name := substring(name_tag, 0, (count(name_tag) - count(last)) + repo_end)
}

# A well-formed digest (OCI image-spec "algorithm:encoded"): sha256 is 64 lowercase hex,
# sha512 128; other algorithms just need the general shape.
valid_digest(d) if regex.match(`^sha256:[a-f0-9]{64}$`, d)

valid_digest(d) if regex.match(`^sha512:[a-f0-9]{128}$`, d)

valid_digest(d) if {
	not startswith(d, "sha256:")
	not startswith(d, "sha512:")
	regex.match(`^[a-z0-9]+([+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$`, d)
}

# Pinned to content: a digest the runtime will pull by (any tag next to it is ignored).
has_digest(image) if {
	d := parse(image).digest
	d != ""
	valid_digest(d)
}

has_tag(image) if parse(image).tag != ""
