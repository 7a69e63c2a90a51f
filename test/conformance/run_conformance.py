# Runs the ONNX backend test cases (Debian libonnx-testdata) through `dlc run` and checks outputs
# with the backend-test tolerances; prints failures and a summary, optionally a markdown report.
"""ONNX backend conformance runner for dlc.

Usage: python3 test/conformance/run_conformance.py --ops-file test/conformance/first_opset.txt
           [--jobs N] [--filter REGEX] [--min-pass-rate P] [--report docs/conformance.md]
       python3 test/conformance/run_conformance.py --all \
           --expected test/conformance/expected_pass.txt        (as ctest runs it)
       python3 test/conformance/run_conformance.py --all \
           --write-expected test/conformance/expected_pass.txt  (after a fix: the new list)

With --expected FILE (one suite/case per line, as --write-expected writes it) the run fails when
a listed case fails or is missing from the data, naming it; a case that passes without being
listed is reported as a note (update the list with --write-expected), not a failure.
"""

import argparse
import concurrent.futures
import datetime
import os
import platform
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnx
from onnx import numpy_helper

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA_DIR = Path("/usr/share/libonnx-testdata/data")
DEFAULT_SUITES = "node,pytorch-converted,pytorch-operator,simple"
TRAINING_DOMAIN = "ai.onnx.preview.training"
DEFAULT_DOMAINS = ("", "ai.onnx")
RTOL, ATOL = 1e-3, 1e-7  # onnx.backend.test tolerances
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@dataclass(frozen=True)
class Case:
    suite: str
    name: str
    path: Path
    ops: frozenset  # op types of the graph and all nested subgraphs
    tensor_io: bool  # every graph input/output is a plain tensor

    @property
    def qualname(self):
        return f"{self.suite}/{self.name}"


@dataclass(frozen=True)
class Result:
    case: Case
    passed: bool
    reason: str = ""


# ---------------------------------------------------------------------------------------------
# Scanning


def graph_nodes(graph):
    """Yields every node of `graph`, descending into subgraph attributes (If, Loop, Scan...)."""
    for node in graph.node:
        yield node
        for attr in node.attribute:
            if attr.HasField("g"):
                yield from graph_nodes(attr.g)
            for sub in attr.graphs:
                yield from graph_nodes(sub)


def op_key(node):
    """The op type for default-domain nodes, `domain::op_type` for any other domain."""
    if node.domain in DEFAULT_DOMAINS:
        return node.op_type
    return f"{node.domain}::{node.op_type}"


def is_tensor_value(value_info):
    return value_info.type.HasField("tensor_type")


def scan_case(suite, case_dir):
    """Returns a Case for `case_dir`, or None for training models."""
    try:
        model = onnx.load(str(case_dir / "model.onnx"), load_external_data=False)
    except Exception as err:  # noqa: BLE001 - an unloadable model is still a case
        ops = frozenset({f"<unloadable: {type(err).__name__}>"})
        return Case(suite, case_dir.name, case_dir, ops, True)
    nodes = list(graph_nodes(model.graph))
    if any(node.domain == TRAINING_DOMAIN for node in nodes):
        return None
    values = list(model.graph.input) + list(model.graph.output)
    tensor_io = all(is_tensor_value(v) for v in values)
    return Case(suite, case_dir.name, case_dir, frozenset(map(op_key, nodes)), tensor_io)


def scan_suites(data_dir, suites):
    """Returns (cases, number of training models skipped)."""
    cases, skipped = [], 0
    for suite in suites:
        for case_dir in sorted((data_dir / suite).iterdir()):
            if not (case_dir / "model.onnx").is_file():
                continue
            case = scan_case(suite, case_dir)
            if case is None:
                skipped += 1
            else:
                cases.append(case)
    return cases, skipped


def read_ops_file(path):
    """One op type per line; `#` starts a comment."""
    ops = set()
    for line in Path(path).read_text().splitlines():
        op = line.split("#", 1)[0].strip()
        if op:
            ops.add(op)
    return ops


def matches_filter(case, pattern):
    return pattern is None or bool(pattern.search(case.name) or pattern.search(case.qualname))


# ---------------------------------------------------------------------------------------------
# Running one case


def numeric_suffix(path):
    match = re.search(r"(\d+)$", path.stem if path.is_file() else path.name)
    return int(match.group(1)) if match else -1


def data_sets(case):
    return sorted(case.path.glob("test_data_set_*"), key=numeric_suffix)


def pb_files(data_set, prefix):
    return sorted(data_set.glob(f"{prefix}_*.pb"), key=numeric_suffix)


def load_tensor_pb(path):
    tensor = onnx.TensorProto()
    tensor.ParseFromString(path.read_bytes())
    return numpy_helper.to_array(tensor)


def first_line(text, limit=300):
    """The first line mentioning an error (else the first non-empty line), ANSI codes removed."""
    lines = [line.strip() for line in ANSI_ESCAPE.sub("", text).splitlines() if line.strip()]
    errors = [line for line in lines if "error" in line.lower()]
    return (errors or lines or [""])[0][:limit]


def describe_signal(signum):
    try:
        return f"crash (signal {signum}, {signal.Signals(signum).name})"
    except ValueError:
        return f"crash (signal {signum})"


def run_dlc(cmd, timeout):
    """Runs `cmd` in its own process group; returns None on success, else a short reason."""
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=err, start_new_session=True)
        try:
            rc = proc.wait(timeout=max(timeout, 0.001))
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            return "timeout"
        err.seek(0)
        stderr = err.read().decode(errors="replace")
    if rc < 0:
        return describe_signal(-rc)
    if rc != 0:
        return first_line(stderr) or f"exit status {rc} (no message)"
    return None


def is_floating(dtype):
    return dtype.kind in "fc" or dtype.name.startswith(("bfloat16", "float8", "float4"))


def as_wide(array):
    """Widens float types (including ml_dtypes ones) to float64 / complex128 for comparing."""
    return array.astype(np.complex128 if array.dtype.kind == "c" else np.float64)


def abs_errors(actual, expected):
    """Element-wise |actual - expected| where equal values (NaN, inf included) count 0."""
    with np.errstate(invalid="ignore", over="ignore"):
        err = np.abs(actual - expected)
    same = (actual == expected) | (np.isnan(actual) & np.isnan(expected))
    err = np.where(same, 0.0, err)
    return np.where(np.isnan(err), np.inf, err)


def describe_float_mismatch(actual, expected):
    err = abs_errors(actual, expected)
    idx = np.unravel_index(np.argmax(err), err.shape)
    bad = ~np.isclose(actual, expected, rtol=RTOL, atol=ATOL, equal_nan=True)
    return (f"mismatch: max abs err {err[idx]:.3g} at {tuple(map(int, idx))} "
            f"(got {actual[idx]:.6g}, expected {expected[idx]:.6g}; {int(bad.sum())} of {err.size} off)")


def describe_exact_mismatch(actual, expected):
    bad = actual != expected
    idx = tuple(int(i) for i in np.argwhere(bad)[0]) if bad.ndim else ()
    return (f"mismatch: {int(np.sum(bad))} of {bad.size} elements differ, first at {idx} "
            f"(got {actual[idx]}, expected {expected[idx]})")


def compare(actual, expected):
    """Returns None when `actual` matches `expected` per the backend-test rules, else a reason."""
    if actual.shape != expected.shape:
        return f"shape mismatch: got {list(actual.shape)}, expected {list(expected.shape)}"
    if actual.dtype != expected.dtype:
        return f"dtype mismatch: got {actual.dtype}, expected {expected.dtype}"
    if is_floating(expected.dtype):
        actual, expected = as_wide(actual), as_wide(expected)
        try:
            np.testing.assert_allclose(actual, expected, rtol=RTOL, atol=ATOL, equal_nan=True)
        except AssertionError:
            return describe_float_mismatch(actual, expected)
        return None
    if not np.array_equal(actual, expected):
        return describe_exact_mismatch(actual, expected)
    return None


def check_outputs(out_dir, expected_files):
    for k, expected_file in enumerate(expected_files):
        produced = out_dir / f"output_{k}.npy"
        if not produced.is_file():
            return f"missing output_{k}.npy"
        try:
            actual = np.load(produced, allow_pickle=False)
        except Exception as err:  # noqa: BLE001 - report any unreadable output as a failure
            return f"unreadable output_{k}.npy: {err}"
        reason = compare(actual, load_tensor_pb(expected_file))
        if reason:
            return f"output {k}: {reason}"
    return None


def run_data_set(dlc, case, data_set, timeout):
    inputs = [str(p) for p in pb_files(data_set, "input")]
    with tempfile.TemporaryDirectory(prefix="dlc-conf-") as tmp:
        cmd = [str(dlc), "run", str(case.path / "model.onnx"), *inputs, "--output-dir", tmp]
        reason = run_dlc(cmd, timeout)
        return reason or check_outputs(Path(tmp), pb_files(data_set, "output"))


def run_case(dlc, case, timeout):
    """Runs every data set of `case` within one overall `timeout`; stops at the first failure."""
    if not case.tensor_io:
        return Result(case, False, "non-tensor graph input/output (sequence/map/optional)")
    sets = data_sets(case)
    if not sets:
        return Result(case, False, "no test_data_set_* directory")
    deadline = time.monotonic() + timeout
    for data_set in sets:
        reason = run_data_set(dlc, case, data_set, deadline - time.monotonic())
        if reason:
            return Result(case, False, f"{data_set.name}: {reason}" if len(sets) > 1 else reason)
    return Result(case, True)


def run_all(dlc, cases, timeout, jobs):
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(lambda case: run_case(dlc, case, timeout), cases))


# ---------------------------------------------------------------------------------------------
# Reporting


def pass_rate(results):
    return 100.0 * sum(r.passed for r in results) / len(results) if results else 0.0


def per_op_counts(results, ops):
    """{op: [passed, failed]} over the cases that use each op."""
    counts = {op: [0, 0] for op in ops}
    for result in results:
        for op in result.case.ops:
            counts.setdefault(op, [0, 0])[0 if result.passed else 1] += 1
    return dict(sorted(counts.items()))


def cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown cpu"


def md_cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_report(results, scope_ops, scope_line, command):
    passed = sum(r.passed for r in results)
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "<!-- Generated by test/conformance/run_conformance.py; do not edit by hand. -->",
        "# ONNX backend conformance",
        "",
        "Generated by `test/conformance/run_conformance.py`; do not edit by hand.",
        "",
        f"- Command: `{command}`",
        f"- Date: {now}",
        f"- Machine: {platform.platform()} ({cpu_model()}, {os.cpu_count()} CPUs)",
        f"- Scope: {scope_line}",
        "",
        "## Summary",
        "",
        f"conformance: {passed} passed, {len(results) - passed} failed "
        f"(pass rate {pass_rate(results):.1f}%)",
        "",
        "## Per op",
        "",
        "Cases using the op (a case counts for every op it uses).",
        "",
        "| Op | Passed | Failed |",
        "|---|---:|---:|",
    ]
    for op, (ok, bad) in per_op_counts(results, scope_ops).items():
        lines.append(f"| {md_cell(op)} | {ok} | {bad} |")
    lines += ["", "## Failing cases", ""]
    failures = [r for r in results if not r.passed]
    if failures:
        lines += ["| Case | Reason |", "|---|---|"]
        lines += [f"| {r.case.qualname} | {md_cell(r.reason)} |" for r in failures]
    else:
        lines.append("None.")
    return "\n".join(lines) + "\n"


def write_report(path, text):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


# ---------------------------------------------------------------------------------------------
# Main


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    scope = parser.add_mutually_exclusive_group(required=True)
    scope.add_argument("--ops-file", help="op types in scope, one per line (# comments)")
    scope.add_argument("--all", action="store_true", help="run every case")
    parser.add_argument("--suites", default=DEFAULT_SUITES, help="comma-separated suites")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--dlc", type=Path, default=REPO_ROOT / "build" / "bin" / "dlc")
    parser.add_argument("--filter", help="regex searched in case names (bare or suite/name)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per case")
    parser.add_argument("--min-pass-rate", type=float, help="percent; exit 1 when below")
    parser.add_argument("--report", help="write a generated markdown report to this path")
    parser.add_argument("--list", action="store_true", help="list in-scope cases; run nothing")
    parser.add_argument("--expected",
                        help="file of cases expected to pass; exit 1 when one of them fails")
    parser.add_argument("--write-expected", help="write the passing cases to this file")
    return parser.parse_args(argv)


def select_cases(args):
    """Returns (selected cases, scope ops, one-line scope description)."""
    cases, skipped = scan_suites(args.data_dir, args.suites.split(","))
    pattern = re.compile(args.filter) if args.filter else None
    cases = [c for c in cases if matches_filter(c, pattern)]
    if args.all:
        selected, scope_ops, source = cases, set(), "all cases"
    else:
        scope_ops = read_ops_file(args.ops_file)
        selected = [c for c in cases if c.ops <= scope_ops]
        source = f"ops file {args.ops_file}"
    line = (f"{len(selected)} of {len(cases)} cases in scope ({source}; suites {args.suites}; "
            f"{skipped} training models skipped)")
    return selected, scope_ops, line


def print_results(results):
    for result in results:
        if not result.passed:
            print(f"FAIL {result.case.qualname}: {result.reason}")
    passed = sum(r.passed for r in results)
    print(f"conformance: {passed} passed, {len(results) - passed} failed")
    print(f"pass rate: {pass_rate(results):.1f}%")


def read_case_list(path):
    """One suite/case per line; `#` starts a comment."""
    names = []
    for line in Path(path).read_text().splitlines():
        name = line.split("#", 1)[0].strip()
        if name:
            names.append(name)
    return names


def write_case_list(path, results, scope_line):
    passed = sorted(r.case.qualname for r in results if r.passed)
    header = [
        "# ONNX backend cases dlc is expected to pass; one suite/case per line.",
        "# Written by: python3 test/conformance/run_conformance.py --all --write-expected FILE",
        f"# {len(passed)} of {len(results)} cases; {scope_line}",
        f"# Machine: {cpu_model()}",
    ]
    Path(path).write_text("\n".join(header + passed) + "\n")
    print(f"wrote {len(passed)} passing cases to {path}")


def check_expected(results, expected_file, filtered):
    """Compares the passing cases with the list in `expected_file`; returns True when every listed
    case ran and passed. Cases that pass without being listed are printed as notes."""
    listed = read_case_list(expected_file)
    by_name = {r.case.qualname: r for r in results}
    regressions = [by_name[name] for name in listed if name in by_name and not by_name[name].passed]
    missing = [] if filtered else [name for name in listed if name not in by_name]
    listed_set = set(listed)
    newly_passing = sorted(r.case.qualname for r in results
                           if r.passed and r.case.qualname not in listed_set)
    for result in regressions:
        print(f"REGRESSION {result.case.qualname} (listed in {expected_file}): {result.reason}")
    for name in missing:
        print(f"MISSING {name} (listed in {expected_file}) is not among the cases run")
    for name in newly_passing:
        print(f"NOTE: {name} passes but is not listed in {expected_file}")
    if newly_passing:
        print(f"NOTE: {len(newly_passing)} case(s) pass beyond the list; update it with "
              f"--write-expected {expected_file}")
    in_list = sum(1 for name in listed if name in by_name)
    print(f"expected passes: {in_list - len(regressions)} of {in_list} listed cases passed"
          + (f", {len(missing)} listed cases missing" if missing else ""))
    return not regressions and not missing


def main(argv):
    args = parse_args(argv)
    if args.write_expected and (args.filter or not args.all):
        print("error: --write-expected needs --all and no --filter (the list covers every case)",
              file=sys.stderr)
        return 2
    if not args.data_dir.is_dir():
        print(f"error: no ONNX backend test data in {args.data_dir} (Debian: libonnx-testdata)",
              file=sys.stderr)
        return 2
    selected, scope_ops, scope_line = select_cases(args)
    print(scope_line)
    if args.list:
        print("\n".join(c.qualname for c in selected))
        return 0
    if not os.access(args.dlc, os.X_OK):
        print(f"error: dlc not found or not executable: {args.dlc}", file=sys.stderr)
        return 2
    start = time.monotonic()
    results = run_all(args.dlc.resolve(), selected, args.timeout, max(args.jobs, 1))
    print_results(results)
    if args.report:
        command = shlex.join(["python3", sys.argv[0], *argv])
        write_report(args.report, render_report(results, scope_ops, scope_line, command))
    if args.write_expected:
        write_case_list(args.write_expected, results, scope_line)
    ok = True
    if args.expected:
        ok = check_expected(results, args.expected, filtered=bool(args.filter or args.ops_file))
    if args.min_pass_rate is not None and pass_rate(results) < args.min_pass_rate:
        print(f"FAIL: pass rate {pass_rate(results):.1f}% is below {args.min_pass_rate:g}%")
        ok = False
    print(f"elapsed: {time.monotonic() - start:.0f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
