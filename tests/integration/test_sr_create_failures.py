"""SR.create when the driver fails after sr_create (core/api/sr.c,
doc/storage.md "Flows"), over the wire with the faulty driver
(tests/plugins/faulty.c): an sr_attach that fails, crashes or hangs makes
SR.create fail with that error and leaves no SR, no PBD and nothing of the
driver's (the faulty driver's sr_create makes <dir>/<sr uuid>, its
sr_delete removes it); an sr_scan that fails or hangs does not touch
SR.create, which does not scan (as xapi's); and the conformance kit's
check of the same for a vendor's driver (--attach-fails).
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

import harness
from harness import DaemonTestCase, Failure, test_plugin

CONFORMANCE = harness.REPO / "sdk" / "conformance" / "xapi-sr-conformance"


class SrCreateAttachFailsTest(DaemonTestCase):
    daemon_plugins = {"faulty": {"path": str(test_plugin("faulty"))}}
    daemon_config = {"plugin_timeout": "2"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.host = cls.x.host.get_all()[0]

    def setUp(self):
        super().setUp()
        self.dir = tempfile.mkdtemp(prefix="xapid-it-faulty-sr-")
        self.addCleanup(shutil.rmtree, self.dir, True)

    def counts(self):
        return len(self.x.SR.get_all()), len(self.x.PBD.get_all())

    def create(self, label, faults=None):
        """An SR of the faulty driver in self.dir; faults: device_config
        entries such as {"attach": "fail"}."""
        return self.x.SR.create(self.host, dict(faults or {}, dir=self.dir), "0", label, "",
                                "faulty", "user", False, {})

    def assert_nothing_left(self, before, label):
        self.assertEqual(self.counts(), before, "a failed SR.create left records")
        self.assertEqual(self.x.SR.get_by_name_label(label), [])
        self.assertEqual(os.listdir(self.dir), [], "a failed SR.create left the driver's storage")

    def test_attach_works_the_dir_shows_it(self):
        # what the other tests rely on: sr_create makes <dir>/<uuid>, the
        # SR is plugged, SR.destroy removes the directory again
        sr = self.create("it-ok")
        uuid = self.x.SR.get_uuid(sr)
        self.assertEqual(os.listdir(self.dir), [uuid])
        pbd = self.x.SR.get_PBDs(sr)[0]
        self.assertTrue(self.x.PBD.get_currently_attached(pbd))
        self.x.PBD.unplug(pbd)
        self.x.SR.destroy(sr)
        self.assertEqual(os.listdir(self.dir), [])

    def test_attach_fails(self):
        before = self.counts()
        self.assertFailure(["SR_BACKEND_FAILURE_42", "", "the faulty driver failed on purpose", ""],
                           self.create, "it-attach-fail", {"attach": "fail"})
        self.assert_nothing_left(before, "it-attach-fail")
        text = "could not be attached (SR_BACKEND_FAILURE_42): it is removed again"
        deadline = time.monotonic() + 5  # the harness copies the log from a thread
        while text not in self.daemon.log_text() and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertIn(text, self.daemon.log_text())

    def test_attach_crashes(self):
        before = self.counts()
        self.assertFailure(["SR_BACKEND_FAILURE", "",
                            "the faulty driver crashed (signal 11) during sr_attach", ""],
                           self.create, "it-attach-crash", {"attach": "crash"})
        self.assert_nothing_left(before, "it-attach-crash")

    def test_attach_hangs(self):
        before = self.counts()
        t0 = time.monotonic()
        details = self.assertFailure("SR_BACKEND_FAILURE", self.create, "it-attach-hang",
                                     {"attach": "hang"})
        self.assertIn("during sr_attach", details[2])
        self.assertLess(time.monotonic() - t0, 30)
        self.assert_nothing_left(before, "it-attach-hang")
        # the driver serves the next SR.create
        sr = self.create("it-after-hang")
        self.assertTrue(self.x.PBD.get_currently_attached(self.x.SR.get_PBDs(sr)[0]))

    def test_async_create_attach_fails(self):
        before = self.counts()
        task = self.x.Async.SR.create(self.host, {"dir": self.dir, "attach": "fail"}, "0",
                                      "it-async-fail", "", "faulty", "user", False, {})
        rec = self.wait_task(task)
        self.assertEqual(rec["status"], "failure")
        self.assertEqual(rec["error_info"],
                         ["SR_BACKEND_FAILURE_42", "", "the faulty driver failed on purpose", ""])
        self.assert_nothing_left(before, "it-async-fail")

    def test_attach_exits(self):
        before = self.counts()
        self.assertFailure("SR_BACKEND_FAILURE", self.create, "it-attach-exit", {"attach": "exit"})
        self.assert_nothing_left(before, "it-attach-exit")

    def test_scan_failing_does_not_fail_create(self):
        sr = self.create("it-scan-fail", {"scan": "fail"})
        self.assertTrue(self.x.PBD.get_currently_attached(self.x.SR.get_PBDs(sr)[0]))
        self.assertFailure(["SR_BACKEND_FAILURE_42", "", "the faulty driver failed on purpose", ""],
                           self.x.SR.scan, sr)

    def test_scan_hanging_does_not_block_create(self):
        t0 = time.monotonic()
        sr = self.create("it-scan-hang", {"scan": "hang"})
        # plugin_timeout is 2 s: a create that scanned would take that long
        self.assertLess(time.monotonic() - t0, 1.5)
        self.assertTrue(self.x.PBD.get_currently_attached(self.x.SR.get_PBDs(sr)[0]))
        details = self.assertFailure("SR_BACKEND_FAILURE", self.x.SR.scan, sr)
        self.assertIn("during sr_scan", details[2])


class ConformanceAttachFailsTest(DaemonTestCase):
    """The conformance kit's sr.create.attach_fails check, run on the faulty
    driver with a device-config that makes its attach fail."""
    daemon_plugins = {"faulty": {"path": str(test_plugin("faulty"))}}

    def run_kit(self, *extra):
        cmd = [sys.executable, str(CONFORMANCE), "--socket", self.daemon.socket_path,
               "--type", "faulty", "--only", "sr.create.attach_fails"] + list(extra)
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120)

    def test_kit_checks_attach_failure(self):
        d = tempfile.mkdtemp(prefix="xapid-it-conf-")
        self.addCleanup(shutil.rmtree, d, True)
        out = self.run_kit("--device-config", "dir=%s" % d, "--attach-fails", "attach=fail")
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertRegex(out.stdout, r"PASS  sr.create.attach_fails: refused with "
                                     r"SR_BACKEND_FAILURE_42, nothing left behind")
        self.assertEqual(os.listdir(d), [])

    def test_kit_skips_without_the_option(self):
        out = self.run_kit()
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertIn("SKIP  sr.create.attach_fails: no --attach-fails given", out.stdout)

    def test_kit_fails_a_driver_whose_attach_works(self):
        # a device-config that does not make attach fail: the check says so
        out = self.run_kit("--attach-fails", "attach=works")
        self.assertEqual(out.returncode, 1, out.stdout + out.stderr)
        self.assertIn("FAIL  sr.create.attach_fails: SR.create succeeded", out.stdout)
        self.assertEqual(self.x.SR.get_by_name_label("conformance attach fails"), [],
                         "the kit destroys what it made")


if __name__ == "__main__":
    unittest.main()
