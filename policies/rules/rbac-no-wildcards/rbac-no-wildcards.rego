package k8sc.rules.rbac_no_wildcards

import rego.v1

# Decisions:
# - "*" in verbs, resources or nonResourceURLs is a finding, one per list item.
# - apiGroups: ["*"] alone is NOT a finding: with explicit resources and verbs it only says
#   "this resource in whichever group serves it", which is common and bounded; the
#   combination with a resource wildcard is reported at the resource.
# - Subresource wildcards ("pods/*", "*/scale") are left alone: they are bounded by the
#   other half of the name ("*/scale" is what autoscalers legitimately need).
# - Aggregated ClusterRoles (aggregationRule) have controller-filled rules; their manifests
#   carry none, so there is nothing to check.
metadata := {
	"id": "rbac-no-wildcards",
	"title": "RBAC roles must not grant wildcard verbs or resources",
	"severity": "warning",
	"section": "VIII. Security Best Practices (RBAC: Define fine-grained roles; Secrets Management: Least Privilege); 000 Security Requirements (RBAC must enforce minimal required permissions)",
	"rationale": "A \"*\" verb or resource grants everything that exists now and everything added later (escalate, bind, impersonate, secrets, CRDs), so the role is no longer least privilege and cannot be reviewed.",
	"remediation": "List the exact verbs (get, list, watch, ...) and resources the application needs; split broad needs into separate rules.",
	"kinds": ["Role", "ClusterRole"],
}

fields := ["verbs", "resources", "nonResourceURLs"]

violation contains {"msg": msg, "path": ["rules", i, field, j]} if {
	input.kind in {"Role", "ClusterRole"}
	some i, rule in input.rules
	is_object(rule)
	some field in fields
	some j, item in rule[field]
	item == "*"
	msg := sprintf("%s %q rule %d grants every %s (\"*\")", [input.kind, object.get(input, ["metadata", "name"], ""), i, noun[field]])
}

noun := {"verbs": "verb", "resources": "resource", "nonResourceURLs": "non-resource URL"}
