#!/usr/bin/env python3
"""Runs the integration suite file by file and counts.

    python3 tests/integration/runner.py [-j N] [--summary-file F] [-k SUBSTRING] [test_x.py ...]

Prints one progress line per test file, the details of every failure (with
the tail of the daemon's log when the test had a daemon), and as its last
line "integration: N passed, N failed". With -j N (default: two per core)
N files run at once, each in a child runner whose output is printed whole
when the file ends. A failed setUpClass counts as one
failure; skipped tests count as neither. Exit status 1 if anything failed or
nothing ran.
"""

import argparse
import io
import os
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


class CountingResult(unittest.TestResult):
    """Counts tests (not sub-tests): a test with any failing sub-test is one
    failure. Collects readable failure reports."""

    def __init__(self, stream):
        super().__init__()
        self.stream = stream
        self.passed = 0
        self.failed_ids = []
        self.skipped_n = 0
        self.reports = []
        self._sub_failed = set()

    @staticmethod
    def _key(test):
        # a sub-test counts as its parent test
        parent = getattr(test, "test_case", None)
        return (parent or test).id()

    def _report(self, test, err, kind):
        tid = test.id()
        if self._key(test) not in self.failed_ids:
            self.failed_ids.append(self._key(test))
        text = "".join(traceback.format_exception(*err)) if isinstance(err, tuple) else str(err)
        daemon = getattr(type(test), "daemon", None) if isinstance(test, unittest.TestCase) else None
        log = ""
        # The daemon log, unless the message carries it already.
        if daemon is not None and "---- last" not in text:
            try:
                log = "\n" + daemon.log_tail(40)
            except Exception:
                log = ""
        self.reports.append("%s: %s\n%s%s" % (kind, tid, text, log))
        self.stream.write("F" if kind == "FAIL" else "E")
        self.stream.flush()

    def addSuccess(self, test):
        super().addSuccess(test)
        if test.id() not in self._sub_failed:
            self.passed += 1
            self.stream.write(".")
            self.stream.flush()

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._report(test, err, "FAIL")

    def addError(self, test, err):
        super().addError(test, err)
        self._report(test, err, "ERROR")

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            self._sub_failed.add(test.id())
            kind = "FAIL" if issubclass(err[0], test.failureException) else "ERROR"
            self._report(subtest, err, kind)

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self.skipped_n += 1
        self.stream.write("s")
        self.stream.flush()

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self.passed += 1
        self.stream.write("x")

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self._report(test, "unexpected success", "FAIL")

    @property
    def failed(self):
        return len(self.failed_ids)


def run_file(fname, pattern, out):
    """Runs one test file, writing its progress line and failure reports to
    out; returns (passed, failed, skipped) or None when nothing matched."""
    modname = os.path.splitext(os.path.basename(fname))[0]
    loader = unittest.TestLoader()
    if pattern:
        loader.testNamePatterns = ["*%s*" % pattern]
    out.write("  %-22s " % (modname + ".py"))
    out.flush()
    t0 = time.monotonic()
    result = CountingResult(out)
    try:
        suite = loader.loadTestsFromName(modname)
    except Exception:
        result.reports.append("ERROR: cannot load %s\n%s" % (modname, traceback.format_exc()))
        result.failed_ids.append(modname)
    else:
        if pattern and suite.countTestCases() == 0:
            out.write("(no matching tests)\n")
            return None
        suite.run(result)
    out.write("  %d passed, %d failed%s (%.1f s)\n" % (
        result.passed, result.failed,
        (", %d skipped" % result.skipped_n) if result.skipped_n else "",
        time.monotonic() - t0))
    for r in result.reports:
        out.write("\n" + "=" * 70 + "\n" + r.rstrip() + "\n" + "=" * 70 + "\n")
    out.flush()
    return result.passed, result.failed, result.skipped_n


# The last line a child prints: what the parent adds up.
CHILD_TALLY = "runner-child-tally:"


def run_parallel(files, pattern, jobs):
    """Runs each file in a child runner of its own, `jobs` at a time, and
    prints each file's output whole when it ends (files are independent:
    every daemon listens on a port of its own and every fixture names its
    namespaces, bridges and devices after the run). The largest files start
    first so that the long ones do not end up alone at the tail."""
    pending = sorted(files, key=lambda f: -os.path.getsize(os.path.join(HERE, f)))
    running = []
    totals = [0, 0, 0]
    try:
        _run_children(pending, running, totals, pattern, jobs)
    finally:
        # the parent killed (SIGTERM exits through here): its children stop
        # too, each through its own atexit clean-up
        for _, proc, _ in running:
            proc.terminate()
        for _, proc, _ in running:
            proc.wait()
    return totals


def _run_children(pending, running, totals, pattern, jobs):
    me = os.path.abspath(__file__)
    while pending or running:
        while pending and len(running) < jobs:
            f = pending.pop(0)
            cmd = [sys.executable, "-u", me, "--child", f]
            if pattern:
                cmd += ["-k", pattern]
            # each child's output goes to a file of its own, printed whole
            # when it ends, so that files never interleave
            log = tempfile.TemporaryFile(mode="w+")
            running.append((f, subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT), log))
        time.sleep(0.2)
        for item in list(running):
            f, proc, log = item
            if proc.poll() is None:
                continue
            running.remove(item)
            log.seek(0)
            text = log.read()
            log.close()
            tally = None
            lines = []
            for line in text.splitlines(True):
                if line.startswith(CHILD_TALLY):
                    tally = [int(x) for x in line[len(CHILD_TALLY):].split()]
                else:
                    lines.append(line)
            sys.stdout.write("".join(lines))
            if tally is None:
                # a child that died before its tally is one failure
                sys.stdout.write("  %-22s runner child ended with status %s and no tally\n"
                                 % (f, proc.returncode))
                tally = [0, 1, 0]
            for i in range(3):
                totals[i] += tally[i]
            sys.stdout.flush()


def default_jobs():
    # Most integration files wait on daemons, sockets and sleeps more than
    # they compute, so two per core keeps the cores busy.
    env = os.environ.get("XAPI_TEST_JOBS")
    if env:
        return max(1, int(env))
    return 2 * (os.cpu_count() or 1)


def main():
    # Killed from outside: exit through atexit, which stops every xapid the
    # harness started and removes their temp dirs.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="*", help="test files (default: every test_*.py here)")
    ap.add_argument("-k", dest="pattern", help="only tests whose id contains this")
    ap.add_argument("-j", "--jobs", type=int, default=None,
                    help="files run at once (default $XAPI_TEST_JOBS or 2 per core)")
    ap.add_argument("--summary-file", help="write 'N passed, N failed' here")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.child:
        res = run_file(args.files[0], args.pattern, sys.stdout) or (0, 0, 0)
        sys.stdout.write("%s %d %d %d\n" % ((CHILD_TALLY,) + tuple(res)))
        return 0

    files = args.files or sorted(f for f in os.listdir(HERE)
                                 if f.startswith("test_") and f.endswith(".py"))
    jobs = args.jobs if args.jobs is not None else default_jobs()
    t_all = time.monotonic()
    if jobs > 1 and len(files) > 1:
        total_pass, total_fail, total_skip = run_parallel(files, args.pattern, jobs)
    else:
        total_pass = total_fail = total_skip = 0
        for fname in files:
            res = run_file(fname, args.pattern, sys.stdout)
            if res is None:
                continue
            total_pass += res[0]
            total_fail += res[1]
            total_skip += res[2]
    summary = "%d passed, %d failed" % (total_pass, total_fail)
    sys.stdout.write("  integration total: %s%s in %.1f s (%d at once)\n" % (
        summary, (", %d skipped" % total_skip) if total_skip else "",
        time.monotonic() - t_all, jobs))
    if args.summary_file:
        with open(args.summary_file, "w") as f:
            f.write(summary + "\n")
    sys.stdout.write("integration: %s\n" % summary)
    sys.stdout.flush()
    return 1 if total_fail or not total_pass else 0


if __name__ == "__main__":
    sys.exit(main())
