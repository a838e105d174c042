package k8sc.rules.env_literal_secrets

import data.k8sc.lib.secrets as s
import data.k8sc.lib.workloads as w
import rego.v1

metadata := {
	"id": "env-literal-secrets",
	"title": "Credentials must not be literal environment variable values",
	"severity": "error",
	"section": "VIII. Security Best Practices (Secrets Management); III. Kubernetes Design Patterns (Configuration Patterns: environment variables injected from ConfigMaps/Secrets); DON'T: Commit secrets to Git; FR-037, FR-038, SC-009",
	"rationale": "A literal env value is part of the manifest: it is committed to Git, shown by kubectl get -o yaml / describe to anyone who can read the workload, and kept in every ReplicaSet revision. FR-037 and FR-038 require BETTER_AUTH_SECRET and OPENAI_API_KEY to come from a Kubernetes Secret, SC-009 every credential. A value is a credential when it has a credential's format (password in a URL, PEM private key, AWS/GitHub/GitLab/Slack/OpenAI/Stripe/Google/SendGrid/npm/Hugging Face token, JWT), when the variable is secret-named (DB_PASSWORD, OPENAI_API_KEY) and holds a literal, or when a connection string inside it assigns one (password=...).",
	"remediation": "Put the value in a Secret and reference it: env: [{name: OPENAI_API_KEY, valueFrom: {secretKeyRef: {name: backend-secrets, key: OPENAI_API_KEY}}}] (or envFrom.secretRef). To build a URL from a secret, reference the variable: postgresql://todo:$(DB_PASSWORD)@db:5432/todo. Rotate the exposed credential.",
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
violation contains {"msg": msg, "path": array.concat(c.path, ["env", i, "value"])} if {
	some c in data.k8sc.lib.workloads.containers
	some i, e in c.container.env
	value := e.value
	is_string(value)
	count(value) >= min_length
	name := object.get(e, "name", "")
	s.maybe_secret(name, value)
	kinds := s.detect(name, value, params)
	msg := sprintf("container %q sets env %s to a literal credential (%s): use valueFrom.secretKeyRef", [c.name, object.get(e, "name", sprintf("[%d]", [i])), s.describe(kinds)])
}
