#!/usr/bin/env python3
"""A field of strata-bench's JSON report by its dotted path, for the bench scripts' tables:
rates (paths with "per_sec") rounded, latencies with two decimals, "-" when the report has
none.

  report_field.py REPORT PATH
"""
import json
import sys

value = json.load(open(sys.argv[1]))
for part in sys.argv[2].split("."):
    value = value.get(part) if isinstance(value, dict) else None
print("-" if value is None else (f"{value:.0f}" if "per_sec" in sys.argv[2] else f"{value:.2f}"))
