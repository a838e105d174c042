package k8sc.lib.fix

import rego.v1

# Test-only: `obj` with `ops` applied, undefined when an operation breaks the contract (see
# fix.rego) or does not apply. Each operation is checked against `obj` itself: a rule computes
# every fix against the unpatched object. The rules' tests use it to show their fix makes the
# violation disappear (json.patch, the same builtin in OPA and regorus, on JSON Pointers).
apply(obj, ops) := json.patch(obj, patch) if {
	every op in ops {
		conforms(obj, op)
	}
	patch := [object.union(op, {"path": pointer(op.path)}) | some op in ops]
	count(patch) == count(ops)
}

# Test-only: every distinct operation of the fixes of violations vs (a pod-level fix is repeated
# on each container's violation; applying it once is enough).
ops_of(vs) := [op | some op in distinct] if {
	distinct := {op | some v in vs; some op in v.fix}
}

conforms(obj, op) if {
	op.op == "replace"
	object.get(obj, op.path, null) != null
}

conforms(obj, op) if {
	op.op == "add"
	op.path[count(op.path) - 1] != "-"
	object.get(obj, op.path, null) == null
	is_object(object.get(obj, array.slice(op.path, 0, count(op.path) - 1), null))
}

conforms(obj, op) if {
	op.op == "add"
	op.path[count(op.path) - 1] == "-"
	is_array(object.get(obj, array.slice(op.path, 0, count(op.path) - 1), null))
}

conforms(obj, op) if {
	op.op == "remove"
	object.get(obj, op.path, {"absent": true}) != {"absent": true}
}

# set(base, base_path, rel, value) applied to base itself (base_path []) must leave value at rel.
sets(base, rel, value) if object.get(apply(base, [set(base, [], rel, value)]), rel, "absent") == value

container_path := ["spec", "containers", 0]

# --- set, depth 1

test_set_depth_1_replaces_an_existing_value if {
	set({"privileged": true}, container_path, ["privileged"], false) == {"op": "replace", "path": ["spec", "containers", 0, "privileged"], "value": false}
}

# false is a value: replaced, not mistaken for a missing key.
test_set_depth_1_replaces_false if {
	set({"a": false}, [], ["a"], true) == {"op": "replace", "path": ["a"], "value": true}
	sets({"a": false}, ["a"], true)
}

test_set_depth_1_adds_a_missing_or_null_value if {
	set({"name": "app"}, container_path, ["automount"], false) == {"op": "add", "path": ["spec", "containers", 0, "automount"], "value": false}
	set({"automount": null}, container_path, ["automount"], false) == {"op": "add", "path": ["spec", "containers", 0, "automount"], "value": false}
	sets({"name": "app"}, ["automount"], false)
	sets({"automount": null}, ["automount"], false)
}

# --- set, depth 2

test_set_depth_2_replaces_an_existing_value if {
	set({"securityContext": {"runAsNonRoot": false}}, container_path, ["securityContext", "runAsNonRoot"], true) == {"op": "replace", "path": ["spec", "containers", 0, "securityContext", "runAsNonRoot"], "value": true}
}

test_set_depth_2_adds_to_an_existing_parent if {
	set({"securityContext": {"runAsUser": 1000}}, container_path, ["securityContext", "runAsNonRoot"], true) == {"op": "add", "path": ["spec", "containers", 0, "securityContext", "runAsNonRoot"], "value": true}
	set({"securityContext": {"runAsNonRoot": null}}, container_path, ["securityContext", "runAsNonRoot"], true) == {"op": "add", "path": ["spec", "containers", 0, "securityContext", "runAsNonRoot"], "value": true}
	sets({"securityContext": {"runAsUser": 1000}}, ["securityContext", "runAsNonRoot"], true)
}

# The parent is added with the field in it: RFC 6902 add needs the parent to exist.
test_set_depth_2_adds_a_missing_or_null_parent if {
	set({"name": "app"}, container_path, ["securityContext", "runAsNonRoot"], true) == {"op": "add", "path": ["spec", "containers", 0, "securityContext"], "value": {"runAsNonRoot": true}}
	set({"securityContext": null}, container_path, ["securityContext", "runAsNonRoot"], true) == {"op": "add", "path": ["spec", "containers", 0, "securityContext"], "value": {"runAsNonRoot": true}}
	sets({"name": "app"}, ["securityContext", "runAsNonRoot"], true)
	sets({"securityContext": null}, ["securityContext", "runAsNonRoot"], true)
}

# A parent that is neither an object nor null has nowhere to put the key: no operation rather
# than one that fails or throws the value away.
test_set_depth_2_non_object_parent_has_no_operation if {
	not set({"securityContext": "restricted"}, [], ["securityContext", "runAsNonRoot"], true)
	not set({"securityContext": []}, [], ["securityContext", "runAsNonRoot"], true)
	not set({"securityContext": 1}, [], ["securityContext", "runAsNonRoot"], true)
	not set({"securityContext": false}, [], ["securityContext", "runAsNonRoot"], true)
}

# --- set, depth 3

test_set_depth_3_each_missing_level if {
	rel := ["securityContext", "seccompProfile", "type"]
	set({}, container_path, rel, "RuntimeDefault") == {"op": "add", "path": ["spec", "containers", 0, "securityContext"], "value": {"seccompProfile": {"type": "RuntimeDefault"}}}
	set({"securityContext": {}}, container_path, rel, "RuntimeDefault") == {"op": "add", "path": ["spec", "containers", 0, "securityContext", "seccompProfile"], "value": {"type": "RuntimeDefault"}}
	set({"securityContext": {"seccompProfile": {}}}, container_path, rel, "RuntimeDefault") == {"op": "add", "path": ["spec", "containers", 0, "securityContext", "seccompProfile", "type"], "value": "RuntimeDefault"}
	set({"securityContext": {"seccompProfile": {"type": "Unconfined"}}}, container_path, rel, "RuntimeDefault") == {"op": "replace", "path": ["spec", "containers", 0, "securityContext", "seccompProfile", "type"], "value": "RuntimeDefault"}
	sets({}, rel, "RuntimeDefault")
	sets({"securityContext": {}}, rel, "RuntimeDefault")
	sets({"securityContext": {"seccompProfile": {}}}, rel, "RuntimeDefault")
	sets({"securityContext": {"seccompProfile": {"type": "Unconfined"}}}, rel, "RuntimeDefault")
}

test_set_depth_3_null_intermediates_are_missing if {
	rel := ["securityContext", "seccompProfile", "type"]
	set({"securityContext": {"seccompProfile": null}}, [], rel, "RuntimeDefault") == {"op": "add", "path": ["securityContext", "seccompProfile"], "value": {"type": "RuntimeDefault"}}
	set({"securityContext": {"seccompProfile": {"type": null}}}, [], rel, "RuntimeDefault") == {"op": "add", "path": ["securityContext", "seccompProfile", "type"], "value": "RuntimeDefault"}
	sets({"securityContext": {"seccompProfile": null}}, rel, "RuntimeDefault")
}

test_set_depth_3_non_object_intermediates_have_no_operation if {
	rel := ["securityContext", "seccompProfile", "type"]
	not set({"securityContext": "x"}, [], rel, "RuntimeDefault")
	not set({"securityContext": {"seccompProfile": "RuntimeDefault"}}, [], rel, "RuntimeDefault")
	not set({"securityContext": {"seccompProfile": ["RuntimeDefault"]}}, [], rel, "RuntimeDefault")
}

# --- set, depth 4

test_set_depth_4 if {
	rel := ["a", "b", "c", "d"]
	set({}, ["x"], rel, 1) == {"op": "add", "path": ["x", "a"], "value": {"b": {"c": {"d": 1}}}}
	set({"a": {"b": {"c": {}}}}, ["x"], rel, 1) == {"op": "add", "path": ["x", "a", "b", "c", "d"], "value": 1}
	set({"a": {"b": {"c": {"d": 0}}}}, ["x"], rel, 1) == {"op": "replace", "path": ["x", "a", "b", "c", "d"], "value": 1}
	not set({"a": {"b": {"c": "s"}}}, ["x"], rel, 1)
	sets({}, rel, 1)
	sets({"a": {"b": {"c": {"d": 0}}}}, rel, 1)
}

# An object value is set as it is (the seccompProfile the pod-level fixes add).
test_set_object_value if {
	set({"securityContext": {}}, [], ["securityContext", "seccompProfile"], {"type": "RuntimeDefault"}) == {"op": "add", "path": ["securityContext", "seccompProfile"], "value": {"type": "RuntimeDefault"}}
}

test_set_needs_an_object_base_and_keys if {
	not set(null, [], ["a"], 1)
	not set("spec", [], ["a"], 1)
	not set([], [], ["a"], 1)
	not set({"a": 1}, [], [], 2)
}

# --- append

test_append_to_an_existing_list if {
	rel := ["securityContext", "capabilities", "drop"]
	append({"securityContext": {"capabilities": {"drop": ["NET_RAW"]}}}, container_path, rel, "ALL") == {"op": "add", "path": ["spec", "containers", 0, "securityContext", "capabilities", "drop", "-"], "value": "ALL"}
	append({"securityContext": {"capabilities": {"drop": []}}}, container_path, rel, "ALL") == {"op": "add", "path": ["spec", "containers", 0, "securityContext", "capabilities", "drop", "-"], "value": "ALL"}
	apply({"securityContext": {"capabilities": {"drop": ["NET_RAW"]}}}, [append({"securityContext": {"capabilities": {"drop": ["NET_RAW"]}}}, [], rel, "ALL")]) == {"securityContext": {"capabilities": {"drop": ["NET_RAW", "ALL"]}}}
}

test_append_to_a_missing_or_null_list_sets_a_new_one if {
	rel := ["securityContext", "capabilities", "drop"]
	append({}, container_path, rel, "ALL") == {"op": "add", "path": ["spec", "containers", 0, "securityContext"], "value": {"capabilities": {"drop": ["ALL"]}}}
	append({"securityContext": {"runAsUser": 1000}}, container_path, rel, "ALL") == {"op": "add", "path": ["spec", "containers", 0, "securityContext", "capabilities"], "value": {"drop": ["ALL"]}}
	append({"securityContext": {"capabilities": {"add": ["NET_BIND_SERVICE"]}}}, container_path, rel, "ALL") == {"op": "add", "path": ["spec", "containers", 0, "securityContext", "capabilities", "drop"], "value": ["ALL"]}
	append({"securityContext": {"capabilities": {"drop": null}}}, container_path, rel, "ALL") == {"op": "add", "path": ["spec", "containers", 0, "securityContext", "capabilities", "drop"], "value": ["ALL"]}
	append({"securityContext": {"capabilities": null}}, container_path, rel, "ALL") == {"op": "add", "path": ["spec", "containers", 0, "securityContext", "capabilities"], "value": {"drop": ["ALL"]}}
	sets({"securityContext": {"capabilities": {"drop": null}}}, rel, ["ALL"])
}

test_append_depth_1 if {
	append({"args": ["--port=80"]}, container_path, ["args"], "-v") == {"op": "add", "path": ["spec", "containers", 0, "args", "-"], "value": "-v"}
	append({"name": "app"}, container_path, ["args"], "-v") == {"op": "add", "path": ["spec", "containers", 0, "args"], "value": ["-v"]}
}

# rel names at least one key, as for set: base itself is never the list.
test_append_needs_keys if {
	not append([1], [], [], 2)
}

# Something that is not a list (a string, an object) is not appended to nor overwritten.
test_append_to_a_non_list_has_no_operation if {
	rel := ["securityContext", "capabilities", "drop"]
	not append({"securityContext": {"capabilities": {"drop": "ALL"}}}, [], rel, "ALL")
	not append({"securityContext": {"capabilities": {"drop": {"all": true}}}}, [], rel, "ALL")
	not append({"securityContext": {"capabilities": "drop-all"}}, [], rel, "ALL")
	not append({"securityContext": 7}, [], rel, "ALL")
	not append({}, [], [], "ALL")
}

# --- member

test_member_only_with_operations if {
	member([]) == {}
	member([{"op": "remove", "path": ["a"]}]) == {"fix": [{"op": "remove", "path": ["a"]}]}
	object.union({"msg": "m", "path": ["a"]}, member([])) == {"msg": "m", "path": ["a"]}
}

test_ops_of_takes_each_distinct_operation_once if {
	op := {"op": "add", "path": ["spec", "securityContext"], "value": {"runAsNonRoot": true}}
	ops_of({{"msg": "a", "path": ["x"], "fix": [op]}, {"msg": "b", "path": ["y"], "fix": [op]}, {"msg": "c", "path": ["z"]}}) == [op]
	ops_of(set()) == []
}

# --- pointer

test_pointer if {
	pointer(["spec", "template", "spec", "containers", 0, "securityContext"]) == "/spec/template/spec/containers/0/securityContext"
	pointer(["spec", "containers", 1, "securityContext", "capabilities", "drop", "-"]) == "/spec/containers/1/securityContext/capabilities/drop/-"
	pointer([]) == ""
	pointer([""]) == "/"
}

# RFC 6901: "~" as "~0" first, then "/" as "~1" (so "~1" in a key becomes "~01", not "/").
test_pointer_escapes_keys if {
	pointer(["metadata", "annotations", "container.apparmor.security.beta.kubernetes.io/app"]) == "/metadata/annotations/container.apparmor.security.beta.kubernetes.io~1app"
	pointer(["a~b", "c/d", "~1", "/~"]) == "/a~0b/c~1d/~01/~1~0"
	json.patch({"a/b": {"~": 1}}, [{"op": "replace", "path": pointer(["a/b", "~"]), "value": 2}]) == {"a/b": {"~": 2}}
}

test_pointer_refuses_other_segments if {
	not pointer(["a", true])
	not pointer([null])
}

# --- apply (the test helper itself)

test_apply_applies_in_order if {
	apply({"a": {"l": [1]}, "b": 1}, [
		{"op": "add", "path": ["a", "l", "-"], "value": 2},
		{"op": "replace", "path": ["b"], "value": 3},
		{"op": "add", "path": ["c"], "value": {"d": 4}},
		{"op": "remove", "path": ["a", "l", 0]},
	]) == {"a": {"l": [2]}, "b": 3, "c": {"d": 4}}
	apply({"a": 1}, []) == {"a": 1}
}

test_apply_refuses_ops_that_break_the_contract if {
	# replace of a missing or null value
	not apply({"a": {}}, [{"op": "replace", "path": ["a", "b"], "value": 1}])
	not apply({"a": {"b": null}}, [{"op": "replace", "path": ["a", "b"], "value": 1}])

	# add under a missing parent, or over an existing value
	not apply({"a": {}}, [{"op": "add", "path": ["a", "b", "c"], "value": 1}])
	not apply({"a": {"b": 1}}, [{"op": "add", "path": ["a", "b"], "value": 2}])

	# append to something that is not a list
	not apply({"a": {"b": "x"}}, [{"op": "add", "path": ["a", "b", "-"], "value": 1}])

	# remove of a missing value
	not apply({"a": {}}, [{"op": "remove", "path": ["a", "b"]}])

	# a path segment no pointer can hold
	not apply({"a": {}}, [{"op": "add", "path": ["a", true], "value": 1}])
}
