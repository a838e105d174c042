package k8sc.lib.images

import rego.v1

d64 := "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

test_plain_name if {
	parse("nginx") == {"name": "nginx", "tag": "", "digest": ""}
}

test_name_and_tag if {
	parse("nginx:1.27") == {"name": "nginx", "tag": "1.27", "digest": ""}
	parse("ghcr.io/org/app:v1.2.3") == {"name": "ghcr.io/org/app", "tag": "v1.2.3", "digest": ""}
}

test_registry_port_is_not_a_tag if {
	parse("registry.example.com:5000/app") == {"name": "registry.example.com:5000/app", "tag": "", "digest": ""}
	parse("registry:5000/team/app") == {"name": "registry:5000/team/app", "tag": "", "digest": ""}
	not has_tag("registry:5000/team/app")
}

test_registry_port_and_tag if {
	parse("registry.example.com:5000/app:1.2") == {"name": "registry.example.com:5000/app", "tag": "1.2", "digest": ""}
	parse("localhost:5000/app:1.0").tag == "1.0"
}

test_digest_only if {
	p := parse(concat("", ["nginx@sha256:", d64]))
	p == {"name": "nginx", "tag": "", "digest": concat("", ["sha256:", d64])}
	has_digest(concat("", ["nginx@sha256:", d64]))
	not has_tag(concat("", ["nginx@sha256:", d64]))
}

test_tag_and_digest if {
	img := concat("", ["registry:5000/app:1.2@sha256:", d64])
	parse(img) == {"name": "registry:5000/app", "tag": "1.2", "digest": concat("", ["sha256:", d64])}
	has_tag(img)
	has_digest(img)
}

test_malformed_digest_is_not_a_digest if {
	not has_digest("nginx@sha256:abc")
	not has_digest("nginx@")
	not has_digest("nginx@sha256:0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF")
}

test_empty_tag_is_no_tag if {
	not has_tag("app:")
}

test_not_an_image if {
	not parse("")
	not parse(null)
	not parse(3)
}

# Written against mutants that survived scripts/mutants.sh: digests of other algorithms take the
# general shape; sha256 and sha512 must have their exact length, whichever branch looks at them.
test_other_digest_algorithms_need_the_general_shape if {
	has_digest(concat("", ["app@blake3:", d64]))
	not has_digest("app@blake3:short")
	not has_digest(concat("", ["app@sha512:", d64]))
	has_digest(concat("", ["app@sha512:", d64, d64]))
	not has_digest(concat("", ["app@sha256:", d64, "0"]))
}
