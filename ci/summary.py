#!/usr/bin/env python3
"""Print meson's test log as the closing line CI reads: 'N passed, N failed, N skipped'.

Before it, each test that did not pass is named with the last lines of its
output, so the tail of a CI log says which test failed and why.

Usage: ci/summary.py BUILD/meson-logs/testlog.json [PREFIX]
"""
import json
import sys

TAIL = 25
passed = failed = skipped = 0
bad = []
for line in open(sys.argv[1]):
    t = json.loads(line)
    r = t.get("result")
    if r in ("OK", "EXPECTEDFAIL"):
        passed += 1
    elif r == "SKIP":
        skipped += 1
    else:
        failed += 1
        bad.append(t)
for t in bad:
    print(f"== not passed: {t.get('name')} ({t.get('result')}, {t.get('duration', 0):.0f} s) ==")
    out = (t.get("stdout") or "") + (t.get("stderr") or "")
    for tail in out.splitlines()[-TAIL:]:
        print("   " + tail)
prefix = sys.argv[2] + " " if len(sys.argv) > 2 else ""
print(f"{prefix}{passed} passed, {failed} failed, {skipped} skipped")
