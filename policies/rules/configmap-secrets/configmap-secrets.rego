package k8sc.rules.configmap_secrets

import data.k8sc.lib.help as hl
import data.k8sc.lib.secrets as s
import data.k8sc.lib.workloads as w
import rego.v1

metadata := {
	"id": "configmap-secrets",
	"title": "ConfigMaps must not hold credentials",
	"severity": "error",
	"section": "VIII. Security Best Practices (Secrets Management); III. Kubernetes Design Patterns (Configuration Patterns: ConfigMaps for non-sensitive configuration, Secrets for credentials); DON'T: Commit secrets to Git; SC-009",
	"rationale": "ConfigMaps are not secret: they are readable by anyone who can read the namespace's configuration, printed by kubectl describe, and stored in the manifest they come from; credentials belong in Secrets, whose access RBAC can restrict. A value is a credential when it has a credential's format (password in a URL, PEM private key, AWS/GitHub/GitLab/Slack/OpenAI/Stripe/Google/SendGrid/npm/Hugging Face token, JWT), when its key is secret-named (DB_PASSWORD, OPENAI_API_KEY) and it is a literal, or when a config file inside it assigns one (password=... in a DSN or properties file).",
	"remediation": "Move the key to a Secret and reference it with envFrom.secretRef / env.valueFrom.secretKeyRef or a secret volume; keep only non-sensitive settings (hosts, ports, flags, secret *names*) in the ConfigMap. Rotate the exposed credential: anyone who could read the ConfigMap or its manifest has seen it.",
	"kinds": ["ConfigMap"],
	"sensitive": true,
	"params": data.k8sc.lib.secrets.default_params,
	"param_types": data.k8sc.lib.secrets.param_types,
}

params := w.params(metadata)

# The length guard before the detectors, read directly rather than through `params` (which
# builds the merged params object: this rule is on the hot path). It is the min_length
# parameter itself, so the parameter stays the only length threshold (a unit test checks the
# default).
min_length := data.k8sc.params["configmap-secrets"].min_length

default min_length := 1

violation contains {"msg": msg, "path": ["data", key], "help": help} if {
	input.kind == "ConfigMap"
	some key, value in input.data
	is_string(value)
	count(value) >= min_length
	s.maybe_secret(key, value)
	kinds := s.detect(key, value, params)
	msg := sprintf("ConfigMap key %q holds a credential (%s): move it to a Secret", [key, s.describe(kinds)])
	help := sprintf("Move key %q from ConfigMap %s to a Secret (stringData) and point its consumers there (env valueFrom.secretKeyRef, envFrom.secretRef or a secret volume, instead of the configMap ones); rotate the exposed credential.", [key, name])
}

# binaryData is base64: decoded, it is judged like `data` (issue #17: a base64 password under
# `db-password` was missed when only the value formats applied to it). The keys of binary files
# (keystore.p12) name no secret, so a binary file is judged by its formats alone.
violation contains {"msg": msg, "path": ["binaryData", key], "help": help} if {
	input.kind == "ConfigMap"
	some key, encoded in input.binaryData
	is_string(encoded)
	base64.is_valid(encoded)
	value := base64.decode(encoded)
	s.maybe_secret(key, value)
	kinds := s.detect(key, value, params)
	msg := sprintf("ConfigMap binaryData key %q holds a credential (%s): move it to a Secret", [key, s.describe(kinds)])
	help := sprintf("Move binaryData key %q from ConfigMap %s to the data of a Secret (the same base64) and mount it from there (a secret volume instead of the configMap one); rotate the exposed credential.", [key, name])
}

name := hl.name_of(input)
