# Checks `dlc bench --peak --json` (stdin) against this CPU's flags (see dlc-bench-peak.test).
import json
import sys

report = json.load(sys.stdin)
flags = set()
with open("/proc/cpuinfo") as cpuinfo:
    for line in cpuinfo:
        if line.startswith("flags"):
            flags = set(line.split(":", 1)[1].split())
            break
expected = {"fp32"} | ({"bf16"} if "avx512_bf16" in flags else set()) | (
    {"int8"} if "avx512_vnni" in flags else set())
kinds = [peak["kind"] for peak in report["peaks"]]
assert set(kinds) == expected and len(kinds) == len(expected), (kinds, sorted(expected))
for peak in report["peaks"]:
    assert 0 < peak["slowest_ops_per_s"] <= peak["ops_per_s"], peak
assert all(report["caches_bytes"][level] > 0 for level in ("l1d", "l2", "l3")), report
print("ok:", ", ".join(f"{p['kind']} {p['ops_per_s'] * 1e-9:.0f} G/s" for p in report["peaks"]))
