package k8sc.rules.env_literal_secrets

import data.k8sc.lib.help as hl
import data.k8sc.lib.secrets as s
import data.k8sc.lib.workloads as w
import rego.v1

metadata := {
	"id": "env-literal-secrets",
	"title": "Credentials must not be literal environment variable values",
	"severity": "error",
	"section": "VIII. Security Best Practices (Secrets Management); III. Kubernetes Design Patterns (Configuration Patterns: environment variables injected from ConfigMaps/Secrets); DON'T: Commit secrets to Git; FR-037, FR-038, SC-009",
	"rationale": "A literal env value is stored in the manifest and in the object: anyone who can read the workload sees it (kubectl get -o yaml, describe), and it is kept in every ReplicaSet revision; a Secret is where credentials belong, readable only by those allowed to read Secrets. A value is a credential when it has a credential's format (password in a URL, PEM private key, AWS/GitHub/GitLab/Slack/OpenAI/Stripe/Google/SendGrid/npm/Hugging Face token, JWT), when the variable is secret-named (DB_PASSWORD, OPENAI_API_KEY) and holds a literal, or when a connection string inside it assigns one (password=...).",
	"remediation": "Put the value in a Secret and reference it: env: [{name: API_KEY, valueFrom: {secretKeyRef: {name: <secret>, key: API_KEY}}}] (or envFrom.secretRef). To build a URL from a secret, define the secret variable first and reference it: postgresql://app:$(DB_PASSWORD)@db:5432/app. Rotate the exposed credential.",
	"kinds": ["*"],
	"pod_spec_only": true,
	"sensitive": true,
	"params": data.k8sc.lib.secrets.default_params,
	"param_types": data.k8sc.lib.secrets.param_types,
}

params := w.params(metadata)

# The length guard before the detectors, read directly rather than through `params` (which
# builds the merged params object: this rule is on the hot path). It is the min_length
# parameter itself, so the parameter stays the only length threshold (a unit test checks the
# default).
min_length := data.k8sc.params["env-literal-secrets"].min_length

default min_length := 1

# Cheap guards first (a value shorter than min_length or an ordinary variable never reaches the
# detectors, and the params, whose lookup is not free, are only read for suspicious values).
violation contains {"msg": msg, "path": array.concat(c.path, ["env", i, "value"]), "help": help} if {
	some c in data.k8sc.lib.workloads.containers
	some i, e in c.container.env
	value := e.value
	is_string(value)
	count(value) >= min_length
	name := object.get(e, "name", "")
	s.maybe_secret(name, value)
	kinds := s.detect(name, value, params)
	msg := sprintf("container %q sets env %s to a literal credential (%s): use valueFrom.secretKeyRef", [c.name, object.get(e, "name", sprintf("[%d]", [i])), s.describe(kinds)])
	help := advice(c.name, name, kinds)
}

# Named after the variable, never showing its value. A URL that embeds a password keeps its
# other parts: only the password moves to a Secret.
advice(container, name, kinds) := sprintf("Put the password in a Secret, add env %s to container %q from it (valueFrom.secretKeyRef) before %s, and write $(%s) in place of the password in %s; rotate the exposed credential.", [var, container, shown(name), var, shown(name)]) if {
	kinds == {"password in URL"}
	var := password_var(name)
}

advice(container, name, kinds) := sprintf("Put the value in a Secret and replace value with valueFrom: {secretKeyRef: {name: <secret>, key: %s}} in env %s of container %q; rotate the exposed credential.", [key(name), shown(name), container]) if {
	kinds != {"password in URL"}
}

# DATABASE_URL -> DATABASE_PASSWORD, REDIS_DSN -> REDIS_PASSWORD; PASSWORD when the name says
# nothing more.
password_var(name) := sprintf("%s_PASSWORD", [url_base(name)]) if url_base(name)

password_var(name) := "PASSWORD" if not url_base(name)

url_base(name) := base if {
	is_string(name)
	base := upper(regex.replace(name, `(?i)[_.-]*(url|uri|dsn|addr|address|endpoint|conn|connection|connection_string)$`, ""))
	regex.match(`^[A-Z_][A-Z0-9_]*$`, base)
}

shown(name) := name if named(name)

shown(name) := "(unnamed)" if not named(name)

key(name) := hl.scalar(name) if named(name)

key(name) := "<key>" if not named(name)

named(name) if {
	is_string(name)
	name != ""
}
