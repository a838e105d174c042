package k8sc.rules.service_selector_matches

import data.k8sc.lib.selectors as sel
import rego.v1

metadata := {
	"id": "service-selector-matches",
	"title": "A Service's selector must select the pods of some workload in its namespace",
	"severity": "error",
	"section": "III. Kubernetes Design Patterns (Service Patterns: Service Discovery); FR-032 (Services MUST use appropriate selectors to route traffic to correct pods)",
	"rationale": "A Service whose selector matches no pod template has no endpoints: traffic to it fails although every object applies cleanly, usually after a label was renamed in the workload but not in the Service (or the other way round). The selector must be a subset of the pod template labels of a Deployment, StatefulSet, DaemonSet, Job, CronJob, ReplicaSet or Pod in the same namespace. Services without a selector (ExternalName, manually managed Endpoints/EndpointSlices) are not checked.",
	"remediation": "Make spec.selector a subset of the workload's spec.template.metadata.labels (use the stable selector labels, e.g. app.kubernetes.io/name and app.kubernetes.io/instance, not the version label), and keep both in the same namespace.",
	"kinds": ["Service"],
	"needs_all_resources": true,
	"reads": ["*"],
}

violation contains {"msg": msg, "path": ["spec", "selector"], "resource": i} if {
	some i, r in input.resources
	r.kind == "Service"
	r.apiVersion == "v1" # not a Knative (serving.knative.dev) Service
	s := r.spec.selector
	is_object(s)
	count(s) > 0
	object.get(r.spec, "type", "ClusterIP") != "ExternalName"
	ns := sel.namespace(r)
	count(sel.selected_workloads(ns, s)) == 0
	msg := sprintf("Service %q selects %s but no workload in %s has pods with those labels", [object.get(r, ["metadata", "name"], ""), describe_selector(s), sel.describe_namespace(ns)])
}

describe_selector(s) := concat(",", sort([sprintf("%s=%v", [k, v]) | some k, v in s]))
