# Kubernetes resource quantities (k8s.io/apimachinery/pkg/api/resource.Quantity), parsed
# to plain numbers so that "1" == "1000m" and "1Gi" == "1024Mi".
#
# The grammar accepted is exactly the Kubernetes one:
#   <quantity> ::= <sign><number><suffix>        sign: + | - | nothing
#   <number>   ::= <digits> | <digits>.<digits> | <digits>. | .<digits>
#   <suffix>   ::= Ki | Mi | Gi | Ti | Pi | Ei               (binary SI)
#                | m | "" | k | M | G | T | P | E            (decimal SI)
#                | e<signed integer> | E<signed integer>   (decimal exponent)
# (so "1K", "1ki", "1KB", "1 Gi" are NOT quantities, although units.parse would accept some).
# YAML numbers (`cpu: 2`, `cpu: 0.5`) are quantities as they are.
#
# The conversion itself is regorus' units.parse (OPA's builtin), called only on strings that
# matched the grammar, so it never reports an error. Results are IEEE doubles for fractions:
# exact for every realistic request/limit, but not for 19+ significant digits.
package k8sc.lib.quantity

import rego.v1

pattern := `^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$`

# The value of a quantity (cores for cpu, bytes for memory); undefined if q is not one.
parse(q) := q if is_number(q)

parse(q) := units.parse(q) if {
	is_string(q)
	not contains(q, ".")
	regex.match(pattern, q)
}

parse(q) := units.parse(normalise(q)) if {
	is_string(q)
	contains(q, ".")
	regex.match(pattern, q)
}

# Defined when q is a valid quantity.
valid(q) if {
	_ = parse(q)
}

# Defined when q is a valid quantity equal to zero, in any spelling (0, "0", "0m", "0Mi", "0.0",
# ".0", "-0", "0e3"). Kubernetes ignores zero requests and limits for QoS (a pod whose every
# quantity is zero is BestEffort), and the kubelet sets no cgroup limit for a zero limit.
zero(q) if parse(q) == 0

# a <= b, both valid quantities.
le(a, b) if parse(a) <= parse(b)

# a > b, both valid quantities.
greater_than(a, b) if parse(a) > parse(b)

# "5." and "5.Mi" are valid Kubernetes quantities that units.parse rejects: make them "5.0".
# (Only called on strings that matched the pattern, so there is exactly one ".".)
normalise(q) := q if {
	parts := split(q, ".")
	substring(parts[1], 0, 1) in digits
}

normalise(q) := concat("", [parts[0], ".0", parts[1]]) if {
	parts := split(q, ".")
	not substring(parts[1], 0, 1) in digits
}

digits := {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}
