"""The SR conformance kit (sdk/conformance/xapi-sr-conformance) against the
`file` driver through a running xapid, over TCP and over the unix socket:
every check must pass (none fail, and the data checks are not skipped)."""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

import harness
from harness import DaemonTestCase, ROOT_PASSWORD, ROOT_USER

KIT = harness.REPO / "sdk" / "conformance" / "xapi-sr-conformance"
SUMMARY_RE = re.compile(r"^conformance: (\S+): (\d+) passed, (\d+) failed, (\d+) skipped",
                        re.M)


class ConformanceFileTest(DaemonTestCase):
    daemon_plugins = {"file": {}}

    def setUp(self):
        super().setUp()
        self.location = tempfile.mkdtemp(prefix="xapid-it-conf-")
        self.addCleanup(shutil.rmtree, self.location, True)

    def kit(self, *how):
        p = subprocess.run([sys.executable, str(KIT), "--type", "file",
                            "--device-config", "location=%s" % self.location,
                            "--size-mib", "16"] + list(how),
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           timeout=600)
        m = SUMMARY_RE.search(p.stdout)
        self.assertTrue(m, "no summary line:\n" + p.stdout[-3000:])
        return p, m

    def check(self, p, m):
        failed = [l for l in p.stdout.splitlines() if l.startswith("FAIL")]
        self.assertEqual(failed, [], p.stdout)
        self.assertEqual(p.returncode, 0, p.stdout)
        self.assertEqual(m.group(1), "file")
        # the file driver claims everything the kit checks with data
        skipped = [l for l in p.stdout.splitlines() if l.startswith("SKIP")]
        for name in ("vdi.data.roundtrip", "vdi.snapshot", "vdi.clone", "vdi.resize",
                     "vdi.introduce", "sr.probe.finds_it"):
            self.assertFalse([l for l in skipped if (" %s:" % name) in l], p.stdout)
            self.assertRegex(p.stdout, r"(?m)^PASS  %s\b" % re.escape(name))
        self.assertGreaterEqual(int(m.group(2)), 25)
        # nothing left behind
        self.assertEqual([s for s in self.x.SR.get_all_records().values()
                          if s["type"] == "file"], [])
        self.assertEqual(os.listdir(self.location), [])

    def test_over_tcp(self):
        p, m = self.kit("--url", self.daemon.url, "-u", ROOT_USER, "-pw", ROOT_PASSWORD)
        self.check(p, m)

    def test_over_the_unix_socket(self):
        p, m = self.kit("--socket", self.daemon.socket_path, "-u", ROOT_USER,
                        "-pw", ROOT_PASSWORD)
        self.check(p, m)

    def test_unknown_type_fails_the_run(self):
        p = subprocess.run([sys.executable, str(KIT), "--type", "no_such_type",
                            "--url", self.daemon.url, "-u", ROOT_USER, "-pw", ROOT_PASSWORD],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           timeout=120)
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertRegex(p.stdout, r"(?m)^FAIL  sm.record: no SM record of type 'no_such_type'")
        self.assertRegex(p.stdout, r"conformance: no_such_type: 0 passed, 1 failed")

    def test_bad_login_exits_2(self):
        p = subprocess.run([sys.executable, str(KIT), "--type", "file", "--url",
                            self.daemon.url, "-u", ROOT_USER, "-pw", "wrong"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           timeout=120)
        self.assertEqual(p.returncode, 2, p.stdout)
        self.assertIn("SESSION_AUTHENTICATION_FAILED", p.stdout)


if __name__ == "__main__":
    unittest.main()
