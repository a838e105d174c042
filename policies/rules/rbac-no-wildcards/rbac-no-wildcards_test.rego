package k8sc.rules.rbac_no_wildcards

import rego.v1

role(kind, rules) := {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": {"name": "r"}, "rules": rules}

test_explicit_rules_pass if {
	count(violation) == 0 with input as role("Role", [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list", "watch"]}])
}

test_wildcard_verb_warns_at_item if {
	violation == {{
		"msg": "Role \"r\" rule 1 grants every verb (\"*\")",
		"path": ["rules", 1, "verbs", 2],
	}} with input as role("Role", [
		{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]},
		{"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get", "list", "*"]},
	])
}

test_wildcard_resource_warns if {
	vs := violation with input as role("ClusterRole", [{"apiGroups": [""], "resources": ["pods", "*"], "verbs": ["get"]}])
	{v.path | some v in vs} == {["rules", 0, "resources", 1]}
}

test_cluster_admin_style_role_warns_per_item if {
	vs := violation with input as role("ClusterRole", [
		{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]},
		{"nonResourceURLs": ["*"], "verbs": ["*"]},
	])
	{v.path | some v in vs} == {
		["rules", 0, "resources", 0],
		["rules", 0, "verbs", 0],
		["rules", 1, "nonResourceURLs", 0],
		["rules", 1, "verbs", 0],
	}
}

test_api_groups_wildcard_alone_passes if {
	count(violation) == 0 with input as role("ClusterRole", [{"apiGroups": ["*"], "resources": ["deployments"], "verbs": ["get", "list"]}])
}

test_subresource_wildcards_pass if {
	count(violation) == 0 with input as role("ClusterRole", [{"apiGroups": ["*"], "resources": ["*/scale"], "verbs": ["get", "update"]}])
	count(violation) == 0 with input as role("Role", [{"apiGroups": [""], "resources": ["pods/*"], "verbs": ["get"]}])
	count(violation) == 0 with input as role("ClusterRole", [{"nonResourceURLs": ["/healthz/*"], "verbs": ["get"]}])
}

test_aggregated_cluster_role_passes if {
	count(violation) == 0 with input as {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "agg"}, "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"x": "y"}}]}, "rules": []}
}

test_other_kinds_ignored if {
	count(violation) == 0 with input as {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "rb"}, "rules": [{"verbs": ["*"]}]}
}
