package k8sc.rules.annotation_secrets

import data.k8sc.lib.secrets as s
import data.k8sc.lib.workloads as w
import rego.v1

metadata := {
	"id": "annotation-secrets",
	"title": "Annotations must not hold credentials",
	"severity": "error",
	"section": "VIII. Security Best Practices (Secrets Management); DON'T: Commit secrets to Git; SC-009",
	"rationale": "Annotations are plain metadata: stored in the manifest, readable by anyone who can get the object (kubectl get -o yaml, describe), copied by controllers into the objects they create (a pod template's annotations into every Pod and ReplicaSet revision). An annotation holds a credential when its key is secret-named (example.com/db-password, vault-token) and its value is a literal, or when its value has a credential's format (a URL with a password, a token, a JWT, a PEM key) or assigns one (password=...). Checksums and hashes (checksum/secret: <sha256>) are fingerprints, not credentials, and are not judged; kubectl's last-applied-configuration is judged as the object it holds, by the rule that would judge that object.",
	"remediation": "Move the value to a Secret and let the consumer read it from there (a volume, an env var with valueFrom.secretKeyRef, or the Secret's name in the annotation instead of its content). Rotate the exposed credential.",
	"compared": "kube-linter, Polaris, kube-score and the Kyverno and Gatekeeper libraries do not look at annotation values.",
	"kinds": ["*"],
	"sensitive": true,
	"params": data.k8sc.lib.secrets.default_params,
	"param_types": data.k8sc.lib.secrets.param_types,
}

params := w.params(metadata)

# Fingerprints that sound secret but are not credentials: Helm's checksum/secret (the sha256
# of a rendered Secret, to roll pods when it changes), hash and digest annotations.
not_judged(key, _) if regex.match(`(?i)(^|[/._-])(checksum|hash|digest|sha1|sha256|sha512|md5|fingerprint)([/._-]|$)`, key)

# kubectl's last-applied-configuration, when it is the JSON it should be, is judged as the
# object it holds (by the evaluation core, with every sensitive rule); as text only when it is
# not.
not_judged("kubectl.kubernetes.io/last-applied-configuration", value) if {
	json.is_valid(value)
	is_string(json.unmarshal(value).kind)
}

metadata_paths contains ["metadata"]

metadata_paths contains w.pod_metadata_path if count(w.pod_metadata_path) > 1

violation contains {"msg": msg, "path": array.concat(path, ["annotations", key]), "help": help} if {
	some path in metadata_paths
	some key, value in object.get(input, array.concat(path, ["annotations"]), {})
	is_string(value)
	s.maybe_secret(key, value)
	not not_judged(key, value)
	kinds := s.detect(key, value, params)
	msg := sprintf("%s annotation %q holds a credential (%s): move it to a Secret", [where(path), key, s.describe(kinds)])
	help := sprintf("Move the value of %s annotation %q to a Secret and have whatever reads the annotation read the Secret instead (or put the Secret's name in the annotation); rotate the exposed credential.", [where(path), key])
}

where(["metadata"]) := "the object's"

where(path) := "the pod template's" if path != ["metadata"]
