# Fixes (issue #13): the machine-applicable edit a rule may attach to a violation, as its
# `fix` member, a list of JSON-Patch (RFC 6902) operations on the object:
#
#   {"op": "add", "path": P, "value": V}       the parent of P exists; P is missing or null
#   {"op": "replace", "path": P, "value": V}   P exists with a non-null value
#   {"op": "remove", "path": P}
#
# P is an array path from the object root, like a violation's `path` (keys and list indexes;
# a last "-" appends to a list). Operations are computed against the object as it is, so an
# `add` lands at the first missing key with the rest nested in its value. A fix never needs a
# human choice: when it would (a UID, an image tag, a size), the violation has no `fix`.
#
# A violation keeps its fix optional so that an object the helpers cannot patch safely (a
# securityContext that is a string...) loses the fix, never the finding:
#
#   ops := [op | op := fix.set(c.container, c.path, ["securityContext", "privileged"], false)]
#   v := object.union({"msg": msg, "path": path}, fix.member(ops))
package k8sc.lib.fix

import rego.v1

# One operation that sets `rel` (1 to 4 object keys) under `base`, the value found at
# `base_path` in the object, to `value`: replace when it is there and not null, else add at the
# first missing (or null) key with the remaining keys nested in the value. Undefined when a
# value on the way is neither an object nor null (nothing to add a key to, and replacing it
# would throw away what a human wrote).
set(base, base_path, rel, value) := {"op": "replace", "path": array.concat(base_path, rel), "value": value} if {
	count(rel) > 0
	node(base, rel, count(rel)) != null
}

# At most one j matches: below a missing or null key there is no object left to look into.
set(base, base_path, rel, value) := op if {
	some j in numbers.range(0, count(rel) - 1)
	parent := node(base, rel, j)
	is_object(parent)
	object.get(parent, rel[j], null) == null
	op := {
		"op": "add",
		"path": array.concat(base_path, array.slice(rel, 0, j + 1)),
		"value": nest(array.slice(rel, j + 1, count(rel)), value),
	}
}

# One operation that appends `item` to the list at `rel` under `base` (located as for set):
# `add` at the list's path + ["-"] when it is a list, the list [item] set as by set() when it is
# missing or null; undefined when it is something else.
append(base, base_path, rel, item) := {"op": "add", "path": array.concat(array.concat(base_path, rel), ["-"]), "value": item} if {
	count(rel) > 0
	is_array(node(base, rel, count(rel)))
}

append(base, base_path, rel, item) := set(base, base_path, rel, [item]) if not non_null(base, rel)

non_null(base, rel) if node(base, rel, count(rel)) != null

# The value under base at the first k keys of rel; undefined when a key is absent or a value
# on the way is not an object (indexing a string, list or number by a key is undefined).
# Spelled out per depth: Rego has no recursion.
node(base, _, 0) := base

node(base, rel, 1) := base[rel[0]]

node(base, rel, 2) := base[rel[0]][rel[1]]

node(base, rel, 3) := base[rel[0]][rel[1]][rel[2]]

node(base, rel, 4) := base[rel[0]][rel[1]][rel[2]][rel[3]]

# value under the keys, innermost last: nest(["b", "c"], v) == {"b": {"c": v}}.
nest(keys, value) := value if count(keys) == 0

nest(keys, value) := {keys[0]: value} if count(keys) == 1

nest(keys, value) := {keys[0]: {keys[1]: value}} if count(keys) == 2

nest(keys, value) := {keys[0]: {keys[1]: {keys[2]: value}}} if count(keys) == 3

# A violation's fix member: {"fix": ops} when there is at least one operation, {} when there is
# none (the violation is then reported without a fix).
member(ops) := {"fix": ops} if count(ops) > 0

member(ops) := {} if count(ops) == 0

# An array path as a JSON Pointer (RFC 6901), the path form of json.patch and of the fixes the
# linter prints: ["metadata", "annotations", "a/b~c"] -> "/metadata/annotations/a~1b~0c".
# Undefined when a segment is neither a string nor a number.
pointer(path) := concat("", tokens) if {
	tokens := [sprintf("/%s", [token(p)]) | some p in path]
	count(tokens) == count(path)
}

# "~" first, so that the "~1" written for "/" is not escaped again.
token(p) := replace(replace(p, "~", "~0"), "/", "~1") if is_string(p)

token(p) := sprintf("%v", [p]) if is_number(p)
