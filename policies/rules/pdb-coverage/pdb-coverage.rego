package k8sc.rules.pdb_coverage

import data.k8sc.lib.help as hl
import data.k8sc.lib.selectors as sel
import data.k8sc.lib.workloads as w
import rego.v1

metadata := {
	"id": "pdb-coverage",
	"title": "Multi-replica Deployments and StatefulSets must be covered by a PodDisruptionBudget",
	"severity": "warning",
	"section": "III. Kubernetes Design Patterns (Deployment Patterns: Pod Disruption Budgets); IV. High Availability & Resilience (Replica Strategy); 000 Requirements: Pod Disruption Budgets for availability",
	"rationale": "Running several replicas only keeps a service available if voluntary disruptions (node drains, cluster upgrades, autoscaler scale-down) cannot evict them all at once; without a PodDisruptionBudget a drain may take every replica down together. A Deployment or StatefulSet with at least min_replicas replicas (spec.replicas, or the minReplicas of a HorizontalPodAutoscaler that scales it) needs a PodDisruptionBudget in its namespace whose selector (matchLabels and matchExpressions) selects its pod template's labels.",
	"remediation": "Add a policy/v1 PodDisruptionBudget in the same namespace whose spec.selector matches the pod template labels (matchLabels: the workload's own selector labels) with minAvailable: 1 (or maxUnavailable: 1).",
	"compared": "Workloads with fewer than min_replicas replicas (default 2; spec.replicas, or the minReplicas of a HorizontalPodAutoscaler that scales them) are exempt, and so is one that omits spec.replicas without an HPA (unset-replicas reports it). kube-score also skips fewer than 2 explicit replicas but checks a workload that omits spec.replicas; Polaris's missingPodDisruptionBudget asks every Deployment, whatever its replica count, for a PDB named <name>-pdb.",
	"kinds": ["Deployment", "StatefulSet"],
	"needs_all_resources": true,
	"reads": ["PodDisruptionBudget", "HorizontalPodAutoscaler"],
	"params": {"min_replicas": 2},
	"param_types": {"min_replicas": {"type": "integer", "minimum": 2, "description": "Workloads with at least this many replicas need a PodDisruptionBudget."}},
}

params := w.params(metadata)

violation contains {"msg": msg, "path": path, "resource": i, "help": help} if {
	some i, r in input.resources
	r.kind in {"Deployment", "StatefulSet"}
	replicas := effective_replicas(r)
	replicas.count >= params.min_replicas
	ns := sel.namespace(r)
	not pods_covered(ns, r)
	path := replicas.path
	msg := sprintf("%s %q runs %d replicas (%s) but no PodDisruptionBudget in %s selects its pods", [r.kind, object.get(r, ["metadata", "name"], ""), replicas.count, replicas.source, sel.describe_namespace(ns)])
	help := pdb_help(r, ns, hl.selector_labels(r))
}

# A PodDisruptionBudget to paste, selecting the workload's own pods.
pdb_help(r, ns, labels) := sprintf("Add a PodDisruptionBudget for %s %s: {apiVersion: policy/v1, kind: PodDisruptionBudget, metadata: %s, spec: {minAvailable: 1, selector: {matchLabels: %s}}}.", [r.kind, hl.name_of(r), hl.flow_map(pdb_metadata(r, ns)), hl.flow_map(labels)]) if {
	count(labels) > 0
}

pdb_help(r, _, labels) := sprintf("Give the pods of %s %s labels (spec.template.metadata.labels), then add a policy/v1 PodDisruptionBudget in its namespace whose spec.selector.matchLabels are those labels, with minAvailable: 1.", [r.kind, hl.name_of(r)]) if {
	count(labels) == 0
}

pdb_metadata(r, ns) := {"name": hl.name_or(r, "pdb"), "namespace": ns} if ns != ""

pdb_metadata(r, "") := {"name": hl.name_or(r, "pdb")}

# Undefined pod labels (no template) count as not covered in every engine: the call sits behind a
# helper, never `not covered(ns, sel.pod_labels(r))`, which OPA and regorus read differently.
pods_covered(ns, r) if covered(ns, sel.pod_labels(r))

covered(ns, labels) if {
	some j in data.k8sc.lib.selectors.pdbs_by_namespace[ns]
	sel.matches_selector(input.resources[j].spec.selector, labels)
}

# spec.replicas, unless an HPA scales the object: then its minReplicas (default 1) is the floor.
effective_replicas(r) := {"count": r.spec.replicas, "path": ["spec", "replicas"], "source": "spec.replicas"} if {
	is_number(r.spec.replicas)
	not sel.hpa_min_replicas(r)
}

effective_replicas(r) := {"count": n, "path": ["metadata", "name"], "source": "HorizontalPodAutoscaler minReplicas"} if {
	n := sel.hpa_min_replicas(r)
}
