"""Documents that are generated from the code must match it: the API
coverage table, and the flags DESIGN.md §9 settles in xapid --help."""
import os
import subprocess
import tempfile
import unittest

from harness import xapid_binary

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class DocsTest(unittest.TestCase):
    def test_api_coverage_is_current(self):
        env = dict(os.environ, XAPID_API_COVERAGE="1")
        out = subprocess.run([str(xapid_binary())], env=env, capture_output=True, text=True,
                             timeout=30, check=True).stdout
        with open(os.path.join(TOP, "doc", "api-coverage.md")) as f:
            doc = f.read()
        self.assertEqual(out, doc, "doc/api-coverage.md is stale: run `make doc/api-coverage.md`")
        self.assertIn("| `VM.get_record` | generated |  | implemented |", doc)
        self.assertIn("| `session.login_with_password` | explicit |  | implemented |", doc)

    def test_xe_coverage_is_current(self):
        xe = str(xapid_binary().parent / "xe")
        out = subprocess.run([os.path.join(TOP, "tools", "xe-coverage"), xe],
                             capture_output=True, text=True, timeout=120, check=True).stdout
        with open(os.path.join(TOP, "doc", "xe-coverage.md")) as f:
            doc = f.read()
        self.assertEqual(out, doc, "doc/xe-coverage.md is stale: run `make doc/xe-coverage.md`")
        self.assertIn("| `vm-start` | implemented |  |", doc)
        self.assertIn("| `appliance-create` | not applicable | no class `appliance` in xapid |",
                      doc)
        # every "not yet" says why
        self.assertIn("| `pool-join` | not yet | needs pools (issue 16) |", doc)
        for row in doc.splitlines():
            if "| not yet |" in row:
                self.assertNotRegex(row, r"\| not yet \|\s*\|$")
        # the count doc/xe.md records is this table's
        summary = next(l for l in doc.splitlines() if l.endswith("not applicable."))
        with open(os.path.join(TOP, "doc", "xe.md")) as f:
            self.assertIn(summary.split(",")[0], f.read())

    def test_xe_coverage_needs_a_reason_for_every_not_yet(self):
        """A "not yet" command without its line in cli/xe-not-yet.txt, or a
        line left for a command that is there, fails the generator."""
        xe = str(xapid_binary().parent / "xe")
        with open(os.path.join(TOP, "cli", "xe-not-yet.txt")) as f:
            lines = f.read().splitlines(True)
        dropped = [l for l in lines if l.startswith("pool-join ")]
        self.assertEqual(len(dropped), 1)
        cases = [([l for l in lines if l not in dropped],
                  "pool-join is not yet there and cli/xe-not-yet.txt gives no reason"),
                 (lines + ["vm-start because\n"],
                  "vm-start is implemented: remove it from cli/xe-not-yet.txt"),
                 (lines + ["no-such-command x\n"],
                  "no-such-command in cli/xe-not-yet.txt is not an upstream command")]
        for text, message in cases:
            with tempfile.NamedTemporaryFile("w", suffix=".txt") as f:
                f.write("".join(text))
                f.flush()
                p = subprocess.run([os.path.join(TOP, "tools", "xe-coverage"), xe, f.name],
                                   capture_output=True, text=True, timeout=120)
            self.assertEqual((p.returncode, p.stdout), (1, ""), p.stderr)
            self.assertIn(message, p.stderr)

    def test_help_names_the_settled_flags(self):
        out = subprocess.run([str(xapid_binary()), "--help"], capture_output=True, text=True,
                             timeout=30).stdout
        for flag in ("--config", "--foreground", "--listen", "--socket", "--state-dir", "--users",
                     "--backend", "--plugin-dir", "--log-level"):
            self.assertIn(flag, out)

    def test_version_and_bad_flag(self):
        p = subprocess.run([str(xapid_binary()), "--version"], capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 0)
        self.assertRegex(p.stdout, r"^xapid \(xapi-c\) \d+\.\d+\.\d+")
        p = subprocess.run([str(xapid_binary()), "--no-such-flag"], capture_output=True, text=True,
                           timeout=30)
        self.assertEqual(p.returncode, 2)
        self.assertIn("unknown option '--no-such-flag'", p.stderr)
        p = subprocess.run([str(xapid_binary()), "--backend", "kvm"], capture_output=True, text=True,
                           timeout=30)
        self.assertEqual(p.returncode, 2)
        self.assertIn("backend: 'kvm' is neither sim nor xen", p.stderr)


if __name__ == "__main__":
    unittest.main()
