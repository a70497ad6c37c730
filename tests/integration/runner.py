#!/usr/bin/env python3
"""Runs the integration suite file by file and counts.

    python3 tests/integration/runner.py [--summary-file F] [-k SUBSTRING] [test_x.py ...]

Prints one progress line per test file, the details of every failure (with
the tail of the daemon's log when the test had a daemon), and as its last
line "integration: N passed, N failed". A failed setUpClass counts as one
failure; skipped tests count as neither. Exit status 1 if anything failed or
nothing ran.
"""

import argparse
import io
import os
import signal
import sys
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


def main():
    # Killed from outside: exit through atexit, which stops every xapid the
    # harness started and removes their temp dirs.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="*", help="test files (default: every test_*.py here)")
    ap.add_argument("-k", dest="pattern", help="only tests whose id contains this")
    ap.add_argument("--summary-file", help="write 'N passed, N failed' here")
    args = ap.parse_args()

    files = args.files or sorted(f for f in os.listdir(HERE)
                                 if f.startswith("test_") and f.endswith(".py"))
    loader = unittest.TestLoader()
    if args.pattern:
        loader.testNamePatterns = ["*%s*" % args.pattern]
    total_pass = total_fail = total_skip = 0
    t_all = time.monotonic()
    for fname in files:
        modname = os.path.splitext(os.path.basename(fname))[0]
        out = sys.stdout
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
            if args.pattern and suite.countTestCases() == 0:
                out.write("(no matching tests)\n")
                continue
            suite.run(result)
        out.write("  %d passed, %d failed%s (%.1f s)\n" % (
            result.passed, result.failed,
            (", %d skipped" % result.skipped_n) if result.skipped_n else "",
            time.monotonic() - t0))
        for r in result.reports:
            out.write("\n" + "=" * 70 + "\n" + r.rstrip() + "\n" + "=" * 70 + "\n")
        out.flush()
        total_pass += result.passed
        total_fail += result.failed
        total_skip += result.skipped_n
    summary = "%d passed, %d failed" % (total_pass, total_fail)
    sys.stdout.write("  integration total: %s%s in %.1f s\n" % (
        summary, (", %d skipped" % total_skip) if total_skip else "", time.monotonic() - t_all))
    if args.summary_file:
        with open(args.summary_file, "w") as f:
            f.write(summary + "\n")
    sys.stdout.write("integration: %s\n" % summary)
    sys.stdout.flush()
    return 1 if total_fail or not total_pass else 0


if __name__ == "__main__":
    sys.exit(main())
