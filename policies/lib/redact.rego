# The redactor: the paths of every scalar of an object that no report may show, whether or not
# a finding is about it (issue #17). The human report masks these values in every snippet it
# prints (lint, audit); the webhook and the machine formats print no source text at all.
#
# A scalar is masked when
# - it is a value of a Secret's `data` or `stringData`, or of any `binaryData`;
# - it is kubectl's last-applied-configuration (the whole object again, secrets included);
# - it sits under a secret-named key (DB_PASSWORD, apiKey, example.com/vault-token; an env
#   entry's `value` under its `name`), whatever the value: a reader needs the key, not the value;
# - the secrets library's value detectors flag it anywhere in the object (a URL with a password,
#   a token, a JWT, a PEM key, `password=...` inside a config file);
# - it looks random (mixed case and digits, a long hex or alphanumeric string) and is not an
#   image, URL, path or digest: a token under an innocent key (`notes: ...`);
# - it is a word of a container's command line that holds a credential (`--token X`, `-pX`).
# Evaluated per object through data.k8sc.generated.redact_paths (the paths decided on the
# object) and redact_scalars (every string, decided on its key and value), with the params of
# configmap-secrets (the config file may widen its key patterns).
package k8sc.lib.redact

import data.k8sc.lib.secrets as s
import data.k8sc.lib.workloads as w
import rego.v1

params := object.union(s.default_params, configured_params)

configured_params := data.k8sc.params["configmap-secrets"]

default configured_params := {}

paths contains [field, key] if {
	input.kind == "Secret"
	some field in ["data", "stringData"]
	some key, _ in input[field]
}

paths contains ["binaryData", key] if some key, _ in input.binaryData

paths contains ["metadata", "annotations", "kubectl.kubernetes.io/last-applied-configuration"] if {
	input.metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"]
}

paths contains array.concat(c.path, [field, index]) if {
	some c in w.containers
	some [field, index, _] in s.container_argv_credentials(c.container, params)
}

# Every string of the object, as the evaluation core lists them (Rego's walk() is not compiled
# by regorus' VM): input.scalars = [[key, name, value], ...] with `key` the key the string is
# stored under (null for a list item) and `name` the `name` of the same mapping (null when
# there is none). The result is the indexes of the strings to mask (data.k8sc.generated.
# redact_scalars).
masked_scalars contains i if {
	some i, scalar in input.scalars
	is_string(scalar[2])
	masked_scalar(scalar_name(scalar[0], scalar[1]), scalar[2])
}

# The name a string is stored under: its key; for an env-style entry's `value`, the entry's
# `name` (env: [{name: DB_PASSWORD, value: ...}]); for an item of a list, none.
scalar_name("value", name) := name if is_string(name)

scalar_name(key, name) := key if {
	is_string(key)
	not env_style(key, name)
}

scalar_name(key, _) := "" if not is_string(key)

env_style("value", name) if is_string(name)

masked_scalar(name, value) if {
	s.maybe_secret(name, value)
	secret_scalar(name, value)
}

# Random-looking values under any key (a token in a `notes` entry beside a finding): masking
# costs the reader nothing, showing one may cost a credential.
masked_scalar(_, value) if {
	count(value) >= params.entropy_min_length
	s.random_looking(value, params)
	not s.plainly_non_secret(value)
}

secret_scalar(name, _) if s.key_tier(s.normalize_key(name), params)

secret_scalar(_, value) if count(s.value_kinds(value, params)) > 0
