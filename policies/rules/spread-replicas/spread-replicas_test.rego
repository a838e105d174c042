package k8sc.rules.spread_replicas

import rego.v1

workload(kind, replicas, pod_extra) := {
	"apiVersion": "apps/v1",
	"kind": kind,
	"metadata": {"name": "web"},
	"spec": {
		"replicas": replicas,
		"template": {
			"metadata": {"labels": {"app": "web"}},
			"spec": object.union({"containers": [{"name": "app", "image": "app:1.0"}]}, pod_extra),
		},
	},
}

# The rule sees every linted object (needs_all_resources): one workload alone is {"resources": [w]}.
alone(obj) := {"resources": [obj]}

term := {"labelSelector": {"matchLabels": {"app": "web"}}, "topologyKey": "kubernetes.io/hostname"}

path := ["spec", "template", "spec", "affinity", "podAntiAffinity"]

required(t) := {"affinity": {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [t]}}}

preferred(t) := {"affinity": {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 100, "podAffinityTerm": t}]}}}

spread(c) := {"topologySpreadConstraints": [c]}

constraint := {"maxSkew": 1, "topologyKey": "kubernetes.io/hostname", "whenUnsatisfiable": "ScheduleAnyway", "labelSelector": {"matchLabels": {"app": "web"}}}

msgs(resources) := ms if {
	ms := {v.msg | some v in violation} with input as {"resources": resources}
}

test_preferred_anti_affinity_passes if {
	count(violation) == 0 with input as alone(workload("Deployment", 2, preferred(term)))
}

test_required_anti_affinity_passes if {
	count(violation) == 0 with input as alone(workload("StatefulSet", 3, required(term)))
}

test_topology_spread_passes if {
	count(violation) == 0 with input as alone(workload("Deployment", 3, spread(constraint)))
}

test_no_spreading_warns_at_anti_affinity if {
	violation == {{
		"msg": "Deployment \"web\" runs 2 replicas with neither pod anti-affinity nor topologySpreadConstraints, so they may all land on one node",
		"path": path,
		"resource": 0,
		"help": "Add topologySpreadConstraints: [{maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: {app: web}}}] to spec.template.spec (or a podAntiAffinity term with the same labelSelector and topologyKey).",
	}} with input as alone(workload("Deployment", 2, {}))
}

unspread_two := {{
	"msg": "Deployment \"web\" runs 2 replicas with neither pod anti-affinity nor topologySpreadConstraints, so they may all land on one node",
	"path": path,
	"resource": 0,
	"help": "Add topologySpreadConstraints: [{maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: {app: web}}}] to spec.template.spec (or a podAntiAffinity term with the same labelSelector and topologyKey).",
}}

test_empty_constraints_do_not_count if {
	violation == unspread_two with input as alone(workload("Deployment", 2, {"affinity": {"podAntiAffinity": {}}}))
	violation == unspread_two with input as alone(workload("Deployment", 2, {"topologySpreadConstraints": []}))
	violation == unspread_two with input as alone(workload("Deployment", 2, {"affinity": {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": []}}}))
}

# Pod *affinity* and node affinity do not spread anything.
test_pod_affinity_is_not_anti_affinity if {
	violation == unspread_two with input as alone(workload("Deployment", 2, {"affinity": {"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [term]}}}))
}

test_single_replica_not_checked if {
	count(violation) == 0 with input as alone(workload("Deployment", 1, {}))
	count(violation) == 0 with input as alone(workload("StatefulSet", null, {}))
}

test_other_kinds_ignored if {
	count(violation) == 0 with input as alone(workload("DaemonSet", 2, {}))
	count(violation) == 0 with input as alone(workload("ReplicaSet", 2, {}))
}

test_resource_index_of_each_workload if {
	vs := violation with input as {"resources": [{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"}}, workload("Deployment", 2, {}), workload("StatefulSet", 3, spread(constraint))]}
	{[v.resource, v.path] | some v in vs} == {[1, path]}
}

# ---- issue #16: HorizontalPodAutoscaler floor ----------------------------------------------

# floor_n null: no minReplicas (it defaults to 1).
hpa(ns, kind, name, floor_n) := {
	"apiVersion": "autoscaling/v2",
	"kind": "HorizontalPodAutoscaler",
	"metadata": {"name": name, "namespace": ns},
	"spec": object.union(
		{"scaleTargetRef": {"apiVersion": "apps/v1", "kind": kind, "name": name}, "maxReplicas": 10},
		{k: n | some k, n in {"minReplicas": floor_n}; n != null},
	),
}

hpa_scaled(pod_extra) := json.patch(workload("Deployment", 0, pod_extra), [
	{"op": "remove", "path": "/spec/replicas"},
	{"op": "add", "path": "/metadata/namespace", "value": "todo"},
])

test_hpa_scaled_workload_without_spreading_warns if {
	violation == {{
		"msg": "Deployment \"web\" is scaled by a HorizontalPodAutoscaler to at least 3 replicas with neither pod anti-affinity nor topologySpreadConstraints, so they may all land on one node",
		"path": path,
		"resource": 0,
		"help": "Add topologySpreadConstraints: [{maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: {app: web}}}] to spec.template.spec (or a podAntiAffinity term with the same labelSelector and topologyKey).",
	}} with input as {"resources": [hpa_scaled({}), hpa("todo", "Deployment", "web", 3)]}
}

test_hpa_scaled_workload_with_spreading_passes if {
	count(violation) == 0 with input as {"resources": [hpa_scaled(spread(constraint)), hpa("todo", "Deployment", "web", 3)]}
}

# The HPA's floor replaces spec.replicas, as in pdb-coverage and unset-replicas.
test_hpa_floor_decides if {
	one := hpa("todo", "Deployment", "web", 1)
	count(violation) == 0 with input as {"resources": [hpa_scaled({}), one]}
	count(violation) == 0 with input as {"resources": [hpa_scaled({}), hpa("todo", "Deployment", "web", null)]}
	explicit := json.patch(workload("Deployment", 3, {}), [{"op": "add", "path": "/metadata/namespace", "value": "todo"}])
	count(violation) == 0 with input as {"resources": [explicit, one]}
}

# An HPA floor that is not a number ("3" from a template) is no replica count, though a string
# sorts above every number in Rego (written against a mutant that dropped the is_number check).
test_non_numeric_hpa_floor_is_not_a_count if {
	count(violation) == 0 with input as {"resources": [hpa_scaled({}), hpa("todo", "Deployment", "web", "3")]}
}

test_hpa_must_target_the_workload_in_its_namespace if {
	count(violation) == 0 with input as {"resources": [hpa_scaled({}), hpa("other", "Deployment", "web", 3)]}
	count(violation) == 0 with input as {"resources": [hpa_scaled({}), hpa("todo", "StatefulSet", "web", 3)]}
}

# ---- issue #16: the constraint must spread this workload's pods ------------------------------

with_ns(pod_extra) := json.patch(workload("Deployment", 2, pod_extra), [{"op": "add", "path": "/metadata/namespace", "value": "todo"}])

rejected(pod_extra) := msgs([with_ns(pod_extra)])

test_selector_of_other_pods_rejected if {
	t := object.union(term, {"labelSelector": {"matchLabels": {"app": "db"}}})
	rejected(required(t)) == {"Deployment \"web\" runs 2 replicas but no constraint spreads them, so they may all land on one node: podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0] selects other pods (its labelSelector does not match the pod template labels)"}
	c := object.union(constraint, {"labelSelector": {"matchExpressions": [{"key": "app", "operator": "In", "values": ["db"]}]}})
	rejected(spread(c)) == {"Deployment \"web\" runs 2 replicas but no constraint spreads them, so they may all land on one node: topologySpreadConstraints[0] selects other pods (its labelSelector does not match the pod template labels)"}
}

test_missing_selector_selects_nothing if {
	rejected(preferred(json.remove(term, ["labelSelector"]))) == {"Deployment \"web\" runs 2 replicas but no constraint spreads them, so they may all land on one node: podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm has no labelSelector, so it selects no pods"}
}

# An empty selector selects every pod, this workload's included.
test_empty_selector_selects_own_pods if {
	count(rejected(required(object.union(term, {"labelSelector": {}})))) == 0
	count(rejected(spread(object.union(constraint, {"labelSelector": {}})))) == 0
}

test_match_expressions_on_own_labels_pass if {
	t := object.union(term, {"labelSelector": {"matchExpressions": [{"key": "app", "operator": "In", "values": ["web", "api"]}]}})
	count(rejected(preferred(t))) == 0
}

# matchLabelKeys: the scheduler adds `key in (the pod's own value)`, which its own pods match
# whatever the template says (pod-template-hash is only added at run time).
test_match_label_keys_count_as_own_values if {
	c := object.union(constraint, {"labelSelector": {"matchLabels": {"app": "web", "pod-template-hash": "abc123"}}, "matchLabelKeys": ["pod-template-hash"]})
	count(rejected(spread(c))) == 0
	t := object.union(term, {"labelSelector": {"matchLabels": {"app": "web", "pod-template-hash": "abc123"}}, "matchLabelKeys": ["pod-template-hash"]})
	count(rejected(required(t))) == 0
	without := object.union(constraint, {"labelSelector": {"matchLabels": {"app": "web", "pod-template-hash": "abc123"}}})
	count(rejected(spread(without))) == 1
}

test_namespaces_must_include_the_workloads if {
	count(rejected(required(object.union(term, {"namespaces": []})))) == 0
	count(rejected(required(object.union(term, {"namespaces": ["todo", "other"]})))) == 0
	rejected(required(object.union(term, {"namespaces": ["other"]}))) == {"Deployment \"web\" runs 2 replicas but no constraint spreads them, so they may all land on one node: podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0] applies to namespaces [\"other\"], not the workload's namespace \"todo\""}
}

test_namespace_selector if {
	# {} selects every namespace
	count(rejected(required(object.union(term, {"namespaceSelector": {}})))) == 0
	# a non-empty one selects other namespaces by their labels
	rejected(required(object.union(term, {"namespaceSelector": {"matchLabels": {"team": "web"}}}))) == {"Deployment \"web\" runs 2 replicas but no constraint spreads them, so they may all land on one node: podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0] applies to the namespaces its namespaceSelector selects, not the workload's namespace \"todo\""}
	# namespaces and namespaceSelector are a union
	count(rejected(required(object.union(term, {"namespaces": ["todo"], "namespaceSelector": {"matchLabels": {"team": "web"}}})))) == 0
}

test_topology_key_must_be_allowed if {
	count(rejected(spread(object.union(constraint, {"topologyKey": "topology.kubernetes.io/zone"})))) == 0
	rejected(spread(object.union(constraint, {"topologyKey": "kubernetes.io/os"}))) == {"Deployment \"web\" runs 2 replicas but no constraint spreads them, so they may all land on one node: topologySpreadConstraints[0] uses topologyKey \"kubernetes.io/os\" (spreading keys: kubernetes.io/hostname, topology.kubernetes.io/zone)"}
	rejected(required(json.remove(term, ["topologyKey"]))) == {"Deployment \"web\" runs 2 replicas but no constraint spreads them, so they may all land on one node: podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0] has no topologyKey"}
}

test_topology_keys_param if {
	c := object.union(constraint, {"topologyKey": "example.com/rack"})
	count(rejected(spread(c))) == 1
	count(rejected(spread(c))) == 0 with data.k8sc.params as {"spread-replicas": {"topology_keys": ["example.com/rack"]}}
	count(rejected(spread(constraint))) == 1 with data.k8sc.params as {"spread-replicas": {"topology_keys": ["example.com/rack"]}}
}

test_topology_keys_param_declared if {
	metadata.params.topology_keys == ["kubernetes.io/hostname", "topology.kubernetes.io/zone"]
	metadata.param_types.topology_keys.type == "string_list"
}

# Every rejection is listed, with all its reasons, and the finding points at the first one.
test_several_rejections_listed if {
	bad_term := object.union(term, {"labelSelector": {"matchLabels": {"app": "db"}}, "topologyKey": "kubernetes.io/os"})
	bad_spread := object.union(constraint, {"topologyKey": "kubernetes.io/os"})
	vs := violation with input as {"resources": [with_ns(object.union(preferred(bad_term), spread(bad_spread)))]}
	vs == {{
		"msg": "Deployment \"web\" runs 2 replicas but no constraint spreads them, so they may all land on one node: podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm selects other pods (its labelSelector does not match the pod template labels) and uses topologyKey \"kubernetes.io/os\" (spreading keys: kubernetes.io/hostname, topology.kubernetes.io/zone); topologySpreadConstraints[0] uses topologyKey \"kubernetes.io/os\" (spreading keys: kubernetes.io/hostname, topology.kubernetes.io/zone)",
		"path": ["spec", "template", "spec", "affinity", "podAntiAffinity", "preferredDuringSchedulingIgnoredDuringExecution", 0, "podAffinityTerm"],
		"resource": 0,
		"help": "Make one of them select the workload's own pods (labelSelector: {matchLabels: {app: web}}) in its namespace, on a topologyKey among kubernetes.io/hostname, topology.kubernetes.io/zone.",
	}}
}

# One good constraint is enough, whatever the others are.
test_one_good_constraint_is_enough if {
	bad := object.union(constraint, {"topologyKey": "kubernetes.io/os"})
	count(rejected({"topologySpreadConstraints": [bad, constraint]})) == 0
	count(rejected(object.union(required(object.union(term, {"namespaces": ["other"]})), spread(constraint)))) == 0
}

test_finding_points_at_the_rejected_constraint if {
	bad := object.union(constraint, {"topologyKey": "kubernetes.io/os"})
	vs := violation with input as {"resources": [with_ns({"topologySpreadConstraints": [bad]})]}
	{v.path | some v in vs} == {["spec", "template", "spec", "topologySpreadConstraints", 0]}
}

# A workload whose namespace is not known (no metadata.namespace, and the selectors library
# cannot tell where it will be applied) gets the benefit of the doubt for a `namespaces` list.
test_namespaces_list_of_a_workload_without_namespace if {
	count(violation) == 0 with input as {"resources": [workload("Deployment", 2, required(object.union(term, {"namespaces": ["todo"]})))]}
}

# A map where a list belongs (a YAML slip: `requiredDuringScheduling...: {labelSelector: ...}`)
# holds no constraint, in each of the three places, and a matchLabelKeys map names no key
# (written against mutants that dropped the is_array checks, which iterated the map's values).
test_maps_where_lists_belong_hold_no_constraint if {
	none := {"Deployment \"web\" runs 2 replicas with neither pod anti-affinity nor topologySpreadConstraints, so they may all land on one node"}
	rejected({"affinity": {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": term}}}) == none
	rejected({"affinity": {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": {"weight": 100, "podAffinityTerm": term}}}}) == none
	rejected({"topologySpreadConstraints": constraint}) == none
	keyed := object.union(constraint, {"labelSelector": {"matchLabels": {"app": "db"}}, "matchLabelKeys": {"k": "app"}})
	rejected(spread(keyed)) == {"Deployment \"web\" runs 2 replicas but no constraint spreads them, so they may all land on one node: topologySpreadConstraints[0] selects other pods (its labelSelector does not match the pod template labels)"}
}

# Namespaces listed and a namespaceSelector, neither taking in the workload's: one reason that
# names both (written against mutants that dropped a condition of the namespace_problem bodies,
# which then answered together); a `namespaces` that is not a list of strings lists nothing.
test_namespace_list_and_selector_both_missing_the_workload if {
	t := object.union(term, {"namespaces": ["other"], "namespaceSelector": {"matchLabels": {"team": "web"}}})
	rejected(required(t)) == {"Deployment \"web\" runs 2 replicas but no constraint spreads them, so they may all land on one node: podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0] applies to namespaces [\"other\"] and those its namespaceSelector selects, not the workload's namespace \"todo\""}
	count(rejected(required(object.union(term, {"namespaces": {"x": "other"}})))) == 0
	count(rejected(required(object.union(term, {"namespaces": [5]})))) == 0
}

# An empty topologyKey is no topologyKey (written against mutants that let "" count as a key).
test_empty_topology_key_is_missing if {
	rejected(spread(object.union(constraint, {"topologyKey": ""}))) == {"Deployment \"web\" runs 2 replicas but no constraint spreads them, so they may all land on one node: topologySpreadConstraints[0] has no topologyKey"}
}

helps(resources) := hs if {
	hs := {v.help | some v in violation} with input as {"resources": resources}
}

# The constraint to paste selects the pods by the workload's own selector labels (not a
# version label of the template), on the first spreading key when hostname is not one.
test_help_uses_the_selector_labels_and_a_spreading_key if {
	d := json.patch(workload("StatefulSet", 3, {}), [
		{"op": "add", "path": "/spec/selector", "value": {"matchLabels": {"app": "web"}}},
		{"op": "add", "path": "/spec/template/metadata/labels/app.kubernetes.io~1version", "value": "2.0"},
	])
	helps([d]) == {"Add topologySpreadConstraints: [{maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: {app: web}}}] to spec.template.spec (or a podAntiAffinity term with the same labelSelector and topologyKey)."}
	helps([d]) == {"Add topologySpreadConstraints: [{maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: {app: web}}}] to spec.template.spec (or a podAntiAffinity term with the same labelSelector and topologyKey)."} with data.k8sc.params as {"spread-replicas": {"topology_keys": ["topology.kubernetes.io/zone"]}}
}

test_help_for_rejected_constraints if {
	other := object.union(constraint, {"labelSelector": {"matchLabels": {"app": "db"}}})
	helps([workload("Deployment", 2, spread(other))]) == {"Make one of them select the workload's own pods (labelSelector: {matchLabels: {app: web}}) in its namespace, on a topologyKey among kubernetes.io/hostname, topology.kubernetes.io/zone."}
}

test_help_for_unlabelled_pods if {
	d := json.remove(workload("Deployment", 2, {}), ["spec/template/metadata"])
	helps([d]) == {"Give the pod template labels (spec.template.metadata.labels), then add topologySpreadConstraints to spec.template.spec with topologyKey kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway and a labelSelector whose matchLabels are those labels."}
}
