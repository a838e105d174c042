package k8sc.rules.rolling_update

import rego.v1

# Decisions:
# - An absent strategy is compliant: RollingUpdate is the Kubernetes default for
#   Deployments (strategy.type), StatefulSets and DaemonSets (updateStrategy.type), and absent
#   maxUnavailable/maxSurge default to 25% (FR-016 asks for them to be configurable, which the
#   chart's values do; a manifest cannot show that).
# - Deployment `Recreate` is a finding (every pod is killed before the new ones start);
#   StatefulSet and DaemonSet `OnDelete` are findings (nothing rolls out until someone deletes
#   the pods by hand). DaemonSets are included: same field, same failure mode.
metadata := {
	"id": "rolling-update",
	"title": "Workloads must be updated with a rolling update",
	"severity": "warning",
	"section": "III. Kubernetes Design Patterns (Deployment Patterns: Rolling Updates, zero-downtime deployments with gradual rollout); FR-016; SC-005",
	"rationale": "Recreate stops every old pod before starting the new ones (downtime on every release); OnDelete never rolls out at all until pods are deleted by hand, so the running version silently differs from the manifest.",
	"remediation": "Remove the strategy override or set type: RollingUpdate (Deployment spec.strategy, StatefulSet/DaemonSet spec.updateStrategy) with maxUnavailable/maxSurge suited to the replica count.",
	"kinds": ["Deployment", "StatefulSet", "DaemonSet"],
}

violation contains {"msg": msg, "path": ["spec", "strategy", "type"], "help": help} if {
	input.kind == "Deployment"
	input.spec.strategy.type == "Recreate"
	msg := sprintf("Deployment %q uses the Recreate strategy (all pods are stopped before the new ones start)", [name])
	help := sprintf("Set spec.strategy.type: RollingUpdate on Deployment %q (or remove spec.strategy: RollingUpdate is the default), with maxUnavailable/maxSurge under spec.strategy.rollingUpdate if the 25%% defaults do not suit it.", [name])
}

violation contains {"msg": msg, "path": ["spec", "updateStrategy", "type"], "help": help} if {
	input.kind in {"StatefulSet", "DaemonSet"}
	input.spec.updateStrategy.type == "OnDelete"
	msg := sprintf("%s %q uses the OnDelete update strategy (changes roll out only when pods are deleted by hand)", [input.kind, name])
	help := sprintf("Set spec.updateStrategy.type: RollingUpdate on %s %q (or remove spec.updateStrategy: RollingUpdate is the default).", [input.kind, name])
}

name := object.get(input, ["metadata", "name"], "")
