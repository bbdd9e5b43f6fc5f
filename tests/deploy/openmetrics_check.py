# SPDX-License-Identifier: GPL-2.0-only
"""Validate an OpenMetrics 1.0.0 exposition read from stdin.

promtool check metrics parses only the text format 0.0.4, so the
OpenMetrics output goes through the OpenMetrics parser of the Prometheus
Python client (Debian package python3-prometheus-client), which enforces
the grammar, the # EOF terminator, type-specific sample names and clashes.
On top of it: counter families are named without _total and their samples
with it, and no sample name is left over without a family.
Prints "FAMILY TYPE" for each family; exit status 1 and the reason on error.
"""
import sys

from prometheus_client.openmetrics.parser import text_string_to_metric_families


def main():
    text = sys.stdin.read()
    try:
        families = list(text_string_to_metric_families(text))
    except ValueError as e:
        print(f"invalid OpenMetrics: {e}")
        return 1
    for f in families:
        if f.type == "unknown":
            print(f"family {f.name} has no # TYPE")
            return 1
        if f.type == "counter":
            if f.name.endswith("_total"):
                print(f"counter family {f.name} is named with _total")
                return 1
            bad = [s.name for s in f.samples if s.name != f.name + "_total"]
            if bad:
                print(f"counter {f.name} has samples {bad}")
                return 1
        print(f.name, f.type)
    return 0


if __name__ == "__main__":
    sys.exit(main())
