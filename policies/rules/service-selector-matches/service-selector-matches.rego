package k8sc.rules.service_selector_matches

import data.k8sc.lib.help as hl
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

violation contains {"msg": msg, "path": ["spec", "selector"], "resource": i, "help": help} if {
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
	help := selector_help(s, ns)
}

describe_selector(s) := concat(",", sort([sprintf("%s=%v", [k, v]) | some k, v in s]))

# The help, from the most to the least telling case: a workload of another namespace has the
# labels; a workload of the namespace shares some of them (the closest); none does.
selector_help(s, ns) := elsewhere_help(s, ns) if elsewhere(s, ns)

selector_help(s, ns) := closest_help(s, ns) if {
	not elsewhere(s, ns)
	closest(s, ns)
}

selector_help(s, ns) := sprintf("Set spec.selector to labels that the pod template of the intended workload carries, in %s; if that workload is in another file, lint both together.", [sel.describe_namespace(ns)]) if {
	not elsewhere(s, ns)
	not closest(s, ns)
}

# The first workload of another namespace whose pods have every label of the selector: the
# intersection of the workloads carrying each of its pairs (an index, not a scan of every
# workload per Service, which made 10,000 resources take minutes).
elsewhere(s, ns) := min(found) if {
	pairs := {[k, v] | some k, v in s}
	carriers := [js | some p in pairs; js := workloads_by_label[json.marshal(p)]]
	count(carriers) == count(pairs)
	found := {j | some j in intersection({js | some js in carriers}); sel.workloads[j].namespace != ns}
	count(found) > 0
}

# Workloads by each of their pod labels, keyed by the pair [key, value] as JSON.
workloads_by_label[pair] contains j if {
	some j, wl in sel.workloads
	some k, v in wl.labels
	pair := json.marshal([k, v])
}

elsewhere_help(s, ns) := sprintf("%s %s in %s has pods with these labels, but a Service only routes to pods of its own namespace (%s): put the Service and the workload in the same namespace.", [r.kind, hl.name_of(r), sel.describe_namespace(sel.workloads[i].namespace), sel.describe_namespace(ns)]) if {
	i := elsewhere(s, ns)
	r := input.resources[i]
}

closest_help(s, ns) := sprintf("The closest pods, those of %s %s, are labelled %s and differ on %s: make spec.selector a subset of those labels, or change the pod template labels.", [r.kind, hl.name_of(r), hl.flow_map(labels), concat(", ", differing)]) if {
	i := closest(s, ns)
	r := input.resources[i]
	labels := sel.workloads[i].labels
	differing := sort([k | some k, v in s; not same_label(labels, k, v)])
}

# The workload of the namespace whose pod labels match most of the selector's pairs (then
# share most of its keys; then comes first), among those that share at least one key.
closest(s, ns) := 0 - best[2] if {
	scores := {[matching, shared, 0 - i] |
		some i in sel.workloads_by_namespace[ns]
		labels := sel.workloads[i].labels
		shared := count({k | some k, _ in s; sel.has_key(labels, k)})
		shared > 0
		matching := count({k | some k, v in s; same_label(labels, k, v)})
	}
	count(scores) > 0
	best := max(scores)
}

same_label(labels, k, v) if labels[k] == v
