package k8sc.lib.quantity

import rego.v1

test_cpu_forms if {
	parse("500m") == 0.5
	parse("0.5") == 0.5
	parse(".5") == 0.5
	parse("1") == 1
	parse(2) == 2
	parse(0.25) == 0.25
	parse("+1") == 1
	parse("5.") == 5
	parse("100m") == parse("0.1")
	parse("1") == parse("1000m")
}

test_memory_binary_suffixes if {
	parse("1Ki") == 1024
	parse("128Mi") == 134217728
	parse("1Gi") == parse("1024Mi")
	parse("1.5Gi") == 1610612736
	parse("1Ti") == 1099511627776
	parse("5.Mi") == 5242880
}

test_memory_decimal_suffixes if {
	parse("512M") == 512000000
	parse("1G") == 1000000000
	parse("1k") == 1000
	parse("1T") == 1000000000000
	parse("1E") == 1000000000000000000
	parse("134217728") == 134217728
}

test_exponent_notation if {
	parse("1e3") == 1000
	parse("1E3") == 1000
	parse("129e6") == 129000000
	parse("1e-3") == 0.001
	parse("1.5e+2") == 150
}

test_m_is_milli_even_for_memory if {
	# "128m" memory is 0.128 bytes: valid (and almost certainly a mistake, not ours to judge).
	parse("128m") == 0.128
}

test_comparisons if {
	le("1", "1000m")
	le("1Gi", "1024Mi")
	le("1G", "1Gi")
	greater_than("1Gi", "1G")
	greater_than("123Mi", "128M")
	le("128974848", "129e6")
	greater_than("1.1", "1")
	le(1, "1")
	greater_than("2", 1)
	not greater_than("500m", "0.5")
	not greater_than("0.3", "300m")
}

test_invalid_quantities_are_undefined if {
	not valid("abc")
	not valid("")
	not valid("1K")
	not valid("1ki")
	not valid("1KB")
	not valid("1 Gi")
	not valid("1Gi ")
	not valid("1e")
	not valid("1e3Mi")
	not valid(".")
	not valid("1.2.3")
	not valid("Gi")
	not valid(null)
	not valid(true)
	not valid({"cpu": 1})
	not greater_than("abc", "1")
	not le("abc", "1")
}

test_valid_quantities if {
	valid("0")
	valid(0)
	valid("100m")
	valid("1Ei")
	valid("-1")
}

# Zero in every spelling (issue #16): Kubernetes ignores zero requests/limits for QoS, and a
# zero limit is no limit.
test_zero_in_every_spelling if {
	every q in ["0", "0m", "0Mi", "0Gi", "0k", "0.0", "0.", ".0", "+0", "-0", "0e3", "0E-2", "000", 0, 0.0] {
		zero(q)
	}
}

test_non_zero_and_invalid_are_not_zero if {
	every q in ["1m", "0.001", "1e-3", "1Ki", 1, "abc", "0 Mi", "0KB", "", null, true] {
		not zero(q)
	}
}
