package k8sc.rules.args_literal_secrets

import data.k8sc.lib.secrets as s
import data.k8sc.lib.workloads as w
import rego.v1

metadata := {
	"id": "args-literal-secrets",
	"title": "Credentials must not be passed on the command line",
	"severity": "error",
	"section": "VIII. Security Best Practices (Secrets Management); DON'T: Commit secrets to Git; SC-009",
	"rationale": "A container's command and args are stored in the manifest and in the object: shown to anyone who can read it (kubectl get -o yaml, describe), kept in every ReplicaSet revision, and visible on the node in the process list (ps, /proc/<pid>/cmdline) to anything that can read it. A word of the command line is a credential when it is the value of a secret-named flag (--db-password=..., --token VALUE), the attached password of a MySQL client (-p...), the password argument of redis-cli -a / sshpass -p / mongosh -p, or has a credential's format (a URL with a password, a token, a JWT, a PEM key); shell strings (sh -c \"...\") are judged word by word.",
	"remediation": "Put the value in a Secret, expose it as an environment variable (env[].valueFrom.secretKeyRef) and reference the variable in the command: args: [\"--db-password=$(DB_PASSWORD)\"] (Kubernetes expands $(VAR) from the container's env), or better, let the program read the variable or a mounted file itself (--password-file=/run/secrets/...), so the value is not in the process list either. Rotate the exposed credential.",
	"compared": "kube-linter, Polaris and kube-score do not look at command lines; Kyverno and Gatekeeper have no such policy in their libraries. Secret scanners (gitleaks, trufflehog) find the token formats in any text but not a short password after --password.",
	"kinds": ["*"],
	"pod_spec_only": true,
	"sensitive": true,
	"params": data.k8sc.lib.secrets.default_params,
	"param_types": data.k8sc.lib.secrets.param_types,
}

params := w.params(metadata)

# One violation per word that holds a credential, at that word; the message names the flag
# and the kind of credential, never the value.
violation contains {"msg": msg, "path": array.concat(c.path, [field, index]), "help": help} if {
	some c in data.k8sc.lib.workloads.containers
	found := s.container_argv_credentials(c.container, params)
	some [field, index, _] in found
	kinds := {kind | some [f, i, kind] in found; f == field; i == index}
	msg := sprintf("container %q passes a credential in %s[%d] (%s): pass it from a Secret through an env var and $(VAR)", [c.name, field, index, s.describe(kinds)])
	help := advice(c, field, index, kinds)
}

# The help names the variable after the secret-named flag (--db-password -> DB_PASSWORD) and
# rewrites only the flag part of the word: the value itself is never shown.
advice(c, field, index, kinds) := sprintf("Put the credential in a Secret, add env %s to container %q from it (valueFrom.secretKeyRef) and write %s[%d] as %s=$(%s), or let the program read the variable or a mounted file itself; rotate the exposed credential.", [var, c.name, field, index, flag, var]) if {
	attached(c.container[field][index], kinds)
	flag := secret_flag(kinds)
	var := variable(flag)
}

advice(c, field, index, kinds) := sprintf("Put the credential in a Secret, add env %s to container %q from it (valueFrom.secretKeyRef) and write $(%s) in place of the credential in %s[%d], or let the program read the variable or a mounted file itself; rotate the exposed credential.", [var, c.name, var, field, index]) if {
	not attached(c.container[field][index], kinds)
	var := variable(secret_flag(kinds))
}

advice(c, field, index, kinds) := sprintf("Put the credential in a Secret, add env CREDENTIAL to container %q from it (valueFrom.secretKeyRef) and write $(CREDENTIAL) in place of the credential in %s[%d], or let the program read the variable or a mounted file itself; rotate the exposed credential.", [c.name, field, index]) if {
	not named(kinds)
}

# The word is `<flag>=VALUE` for the secret-named flag that names a variable.
attached(word, kinds) if {
	flag := secret_flag(kinds)
	variable(flag)
	startswith(word, concat("", [flag, "="]))
}

named(kinds) if variable(secret_flag(kinds))

# The flag of a "value of <flag>" kind (the first, if several).
secret_flag(kinds) := min(flags) if {
	flags := {substring(kind, 9, -1) | some kind in kinds; startswith(kind, "value of ")}
	count(flags) > 0
}

# DB_PASSWORD for --db-password; undefined for a flag of one or two letters (-a, -p), which
# names no variable.
variable(flag) := name if {
	regex.match(`^--?[A-Za-z][A-Za-z0-9_.-]*$`, flag)
	name := upper(regex.replace(trim_left(flag, "-"), `[^A-Za-z0-9]+`, "_"))
	count(name) > 2
}
