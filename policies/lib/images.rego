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
# non-empty string.
parse(image) := {"name": name, "tag": tag, "digest": digest} if {
	is_string(image)
	image != ""
	at := indexof(image, "@")
	name_tag := before(image, at)
	digest := after(image, at)
	parts := split(name_tag, "/")
	last := parts[count(parts) - 1]
	colon := indexof(last, ":")
	tag := after(last, colon)
	name := substring(name_tag, 0, count(name_tag) - count(last) + index_or_len(last, colon))
}

before(s, i) := s if i < 0

before(s, i) := substring(s, 0, i) if i >= 0

after(_, i) := "" if i < 0

after(s, i) := substring(s, i + 1, -1) if i >= 0

index_or_len(s, i) := count(s) if i < 0

index_or_len(_, i) := i if i >= 0

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
has_digest(image) if valid_digest(parse(image).digest)

has_tag(image) if parse(image).tag != ""
