package k8sc.lib.help

import rego.v1

test_flow_map_sorts_keys if {
	flow_map({"tier": "api", "app": "web", "app.kubernetes.io/name": "shop"}) == "{app: web, app.kubernetes.io/name: shop, tier: api}"
	flow_map({}) == "{}"
}

# Values YAML would read as something other than a string are quoted, so the snippet means
# what the manifest says.
test_scalars_yaml_would_misread_are_quoted if {
	flow_map({"version": "1.0", "enabled": "true", "flag": "No", "empty": "", "date": "2024-01-02", "hex": "0x1F", "star": "*.example.com"}) == `{date: "2024-01-02", empty: "", enabled: "true", flag: "No", hex: "0x1F", star: "*.example.com", version: "1.0"}`
	scalar("v1.2.3") == "v1.2.3"
	scalar("web-1") == "web-1"
	scalar(3) == "3"
}

test_flow_list if {
	flow_list(["a.example.com", "*.example.com"]) == `[a.example.com, "*.example.com"]`
	flow_list([]) == "[]"
}

test_dotted_paths if {
	dotted(["spec", "template", "spec", "containers", 0, "env", 2, "value"]) == "spec.template.spec.containers[0].env[2].value"
	dotted(["spec"]) == "spec"
	dotted([]) == ""
}

test_names if {
	name_of({"metadata": {"name": "web"}}) == `"web"`
	name_of({"metadata": {}}) == "(unnamed)"
	name_of({}) == "(unnamed)"
	name_or({"metadata": {"name": "web"}}, "x") == "web"
	name_or({"metadata": {"name": ""}}, "x") == "x"
	name_or({"kind": "Pod"}, "x") == "x"
	name_of({"metadata": "web"}) == "(unnamed)"
	name_of({"metadata": {"name": 5}}) == "(unnamed)"
	name_or({"metadata": ["web"]}, "x") == "x"
}

deployment(selector, labels) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": "web"},
	"spec": {"selector": selector, "template": {"metadata": {"labels": labels}, "spec": {"containers": [{"name": "c", "image": "i:1"}]}}},
}

# The stable selector labels rather than every template label (a version label would stop
# selecting the pods at the next release).
test_selector_labels_prefer_the_workload_selector if {
	selector_labels(deployment({"matchLabels": {"app": "web"}}, {"app": "web", "version": "1.2"})) == {"app": "web"}
	selector_labels(deployment({"matchExpressions": [{"key": "app", "operator": "Exists"}]}, {"app": "web", "version": "1.2"})) == {"app": "web", "version": "1.2"}
	selector_labels(deployment({"matchLabels": {"app": "other"}}, {"app": "web"})) == {"app": "web"}
	selector_labels(deployment({"matchLabels": {}}, {"app": "web"})) == {"app": "web"}
	selector_labels(deployment(null, null)) == {}
	selector_labels({"kind": "Deployment", "metadata": {"name": "x"}, "spec": {}}) == {}
}
