#!/usr/bin/env python3
"""Print meson's test log as the closing line CI reads: 'N passed, N failed, N skipped'.

Usage: ci/summary.py BUILD/meson-logs/testlog.json [PREFIX]
"""
import json
import sys

passed = failed = skipped = 0
for line in open(sys.argv[1]):
    r = json.loads(line).get("result")
    if r in ("OK", "EXPECTEDFAIL"):
        passed += 1
    elif r == "SKIP":
        skipped += 1
    else:
        failed += 1
prefix = sys.argv[2] + " " if len(sys.argv) > 2 else ""
print(f"{prefix}{passed} passed, {failed} failed, {skipped} skipped")
