"""Hung and cancelled plugin operations (doc/plugins.md, "When an operation
hangs"), through the wire with the faulty driver (tests/plugins/faulty.c):

- task.cancel of an Async call stuck in the driver (SR.scan, VDI.create,
  a helper program the driver ran) ends it `cancelled` within the grace
  period: the driver's worker and its helpers are killed, the SR's
  current_operations are cleared and the SR and the driver serve the next
  call;
- a call waiting behind another one (the SR's operations, the driver's
  turn) is logged and shows what it waits for in its task's
  other_config["waiting_for"]; a cancel ends that wait at once;
- timeout.<op> in plugins.d limits that op, with the error naming it;
- a bad timeout.<op> refuses the plugin with a line naming file and key.
"""

import os
import subprocess
import time
import unittest

import harness
from harness import DaemonTestCase, test_plugin

GRACE = 2        # plugin_cancel_grace of these daemons
HELPER = "987.654"  # faulty's `helper` fault runs `sleep 987.654`


def conf(name, **settings):
    settings.setdefault("path", str(test_plugin(name)))
    return settings


def helper_pids():
    """Processes running faulty's helper (`sleep 987.654`)."""
    pids = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % d, "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            continue
        if argv[:2] == [b"sleep", HELPER.encode()]:
            pids.append(int(d))
    return pids


class CancelTest(DaemonTestCase):
    daemon_plugins = {"faulty": conf("faulty")}
    # Only a cancel may end the hangs here; debug shows when a call
    # reaches the driver.
    daemon_config = {"plugin_timeout": "600", "plugin_cancel_grace": str(GRACE),
                     "log_level": "debug"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.host = cls.x.host.get_all()[0]
        cls.sr = cls.x.SR.create(cls.host, {}, "0", "faulty SR", "", "faulty", "user",
                                 False, {})

    def setUp(self):
        super().setUp()
        self.x.SR.set_name_label(self.sr, "faulty SR")
        self.log_start = len(self.daemon.log_text())

    def log(self):
        """The log since this test started."""
        return self.daemon.log_text()[self.log_start:]

    def wait_for_log(self, text, timeout=10):
        deadline = time.monotonic() + timeout
        while text not in self.log():
            if time.monotonic() > deadline:
                self.fail("no log line with %r\n%s" % (text, self.log_tail(30)))
            time.sleep(0.05)

    def cancel_and_time(self, task):
        """Cancels task and returns (its record once ended, seconds it took)."""
        t0 = time.monotonic()
        self.x.task.cancel(task)
        rec = self.wait_task(task, timeout=GRACE + 10)
        return rec, time.monotonic() - t0

    def assert_cancelled(self, task, rec, took):
        self.assertEqual(rec["status"], "cancelled", rec)
        self.assertEqual(rec["error_info"], ["TASK_CANCELLED", task])
        self.assertLess(took, GRACE + 3, "the cancel took %.1f s" % took)

    def assert_serves(self):
        """The SR and the driver answer the next calls."""
        self.assertEqual(self.x.SR.get_current_operations(self.sr), {})
        self.assertIn("scan", self.x.SR.get_allowed_operations(self.sr))
        self.x.SR.scan(self.sr)
        vdi = self.x.VDI.create(harness.vdi_record(self.sr, name_label="after the cancel"))
        self.x.VDI.destroy(vdi)

    def test_cancel_of_a_hung_scan(self):
        self.x.SR.set_name_label(self.sr, "hang")
        task = self.x.Async.SR.scan(self.sr)
        self.wait_for_log("storage: sr_scan on SR")
        time.sleep(0.3)
        self.assertEqual(self.x.task.get_status(task), "pending")
        self.assertEqual(list(self.x.SR.get_current_operations(self.sr).values()), ["scan"])
        rec, took = self.cancel_and_time(task)
        self.assert_cancelled(task, rec, took)
        self.assertGreater(took, GRACE - 0.5, "the driver had its grace period first")
        log = self.log()
        self.assertIn("plugin faulty: task %s cancelled: sr_scan is told to stop" % task, log)
        self.assertIn("plugin faulty: sr_scan did not stop within %g s of the cancel of task %s: "
                      "its worker was killed" % (GRACE, task), log)
        self.x.SR.set_name_label(self.sr, "faulty SR")
        self.assert_serves()

    def test_cancel_of_a_hung_vdi_create(self):
        task = self.x.Async.VDI.create(harness.vdi_record(self.sr, name_label="hang"))
        self.wait_for_log("vdi_create of 'hang'")
        rec, took = self.cancel_and_time(task)
        self.assert_cancelled(task, rec, took)
        names = [self.x.VDI.get_name_label(v) for v in self.x.SR.get_VDIs(self.sr)]
        self.assertNotIn("hang", names, "a cancelled create leaves no VDI record")
        self.assert_serves()

    def test_a_driver_that_listens_stops_without_a_kill(self):
        task = self.x.Async.VDI.create(harness.vdi_record(self.sr, name_label="slow"))
        self.wait_for_log("vdi_create of 'slow'")
        rec, took = self.cancel_and_time(task)
        self.assert_cancelled(task, rec, took)
        self.assertLess(took, GRACE - 0.5, "the driver stopped by itself")
        self.assertNotIn("vdi_create did not stop", self.log())
        self.assert_serves()

    def test_cancel_kills_the_helpers_too(self):
        self.assertEqual(helper_pids(), [], "a helper is left from elsewhere")
        task = self.x.Async.VDI.create(harness.vdi_record(self.sr, name_label="helper"))
        deadline = time.monotonic() + 10
        while not helper_pids():
            self.assertLess(time.monotonic(), deadline, "the helper never started")
            time.sleep(0.05)
        rec, took = self.cancel_and_time(task)
        self.assert_cancelled(task, rec, took)
        time.sleep(0.2)
        self.assertEqual(helper_pids(), [], "the driver's helper outlived the cancel")
        self.assert_serves()

    def test_waits_behind_a_hung_scan_are_visible_and_cancellable(self):
        self.x.SR.set_name_label(self.sr, "hang")
        scan = self.x.Async.SR.scan(self.sr)
        self.wait_for_log("storage: sr_scan on SR")
        self.x.SR.set_name_label(self.sr, "faulty SR")

        # behind the scan on the SR: VDI.create marks the SR (vdi_create)
        create = self.x.Async.VDI.create(harness.vdi_record(self.sr, name_label="behind"))
        want = "SR %s scan %s" % (self.sr, scan)
        deadline = time.monotonic() + 10
        while self.x.task.get_other_config(create).get("waiting_for") != want:
            self.assertLess(time.monotonic(), deadline,
                            "waiting_for never showed %r: %r\n%s"
                            % (want, self.x.task.get_other_config(create), self.log_tail(20)))
            time.sleep(0.05)
        self.assertEqual(self.x.task.get_status(create), "pending")
        self.assertEqual(self.x.task.get_progress(create), 0.0)
        self.wait_for_log("storage: SR vdi_create waits for SR %s: scan (task %s) is in "
                          "progress" % (self.sr, scan))
        t0 = time.monotonic()
        self.x.task.cancel(create)
        rec = self.wait_task(create, timeout=5)
        self.assertLess(time.monotonic() - t0, 1.5, "a waiting call stops at once")
        self.assertEqual(rec["status"], "cancelled")
        self.assertEqual(rec["error_info"], ["TASK_CANCELLED", create])
        self.assertNotIn("waiting_for", rec["other_config"])
        self.assertEqual(self.x.task.get_status(scan), "pending", "the scan still hangs")

        # behind the scan in the driver: SR.probe marks nothing, but the
        # faulty driver (not THREADSAFE) makes one call at a time
        probe = self.x.Async.SR.probe(self.host, {}, "faulty", {})
        want = "driver faulty sr_scan %s" % scan
        deadline = time.monotonic() + 10
        while self.x.task.get_other_config(probe).get("waiting_for") != want:
            self.assertLess(time.monotonic(), deadline,
                            "waiting_for never showed %r: %r\n%s"
                            % (want, self.x.task.get_other_config(probe), self.log_tail(20)))
            time.sleep(0.05)
        self.wait_for_log("plugin faulty: sr_probe waits for the driver's turn (waiting for %s)"
                          % want)
        t0 = time.monotonic()
        self.x.task.cancel(probe)
        rec = self.wait_task(probe, timeout=5)
        self.assertLess(time.monotonic() - t0, 1.5, "a waiting call stops at once")
        self.assertEqual(rec["status"], "cancelled")
        self.assertEqual(rec["error_info"], ["TASK_CANCELLED", probe])

        rec, took = self.cancel_and_time(scan)
        self.assert_cancelled(scan, rec, took)
        self.assert_serves()

    def test_a_wait_that_ends_goes_on(self):
        # VDI.create behind a scan that ends by itself (cancelled) runs then.
        self.x.SR.set_name_label(self.sr, "hang")
        scan = self.x.Async.SR.scan(self.sr)
        self.wait_for_log("storage: sr_scan on SR")
        self.x.SR.set_name_label(self.sr, "faulty SR")
        create = self.x.Async.VDI.create(harness.vdi_record(self.sr, name_label="waited"))
        deadline = time.monotonic() + 10
        while "waiting_for" not in self.x.task.get_other_config(create):
            self.assertLess(time.monotonic(), deadline, "no waiting_for")
            time.sleep(0.05)
        self.x.task.cancel(scan)
        rec = self.wait_task(create, timeout=GRACE + 10)
        self.assertEqual(rec["status"], "success", rec)
        self.assertNotIn("waiting_for", rec["other_config"])
        self.assertEqual(self.wait_task(scan)["status"], "cancelled")
        vdi = self.x.task.get_result(create)
        self.assertIn("OpaqueRef:", vdi)
        self.assertIn("storage: SR vdi_create no longer waits", self.log())


class OpTimeoutTest(DaemonTestCase):
    daemon_plugins = {"faulty": conf("faulty", **{"timeout.sr_scan": "1",
                                                 "timeout.vdi_create": "1.5"})}
    daemon_config = {"plugin_timeout": "600"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.host = cls.x.host.get_all()[0]
        cls.sr = cls.x.SR.create(cls.host, {}, "0", "faulty SR", "", "faulty", "user",
                                 False, {})

    def test_an_op_past_its_timeout_fails_naming_it(self):
        self.x.SR.set_name_label(self.sr, "hang")
        t0 = time.monotonic()
        self.assertFailure(["SR_BACKEND_FAILURE", "",
                            "the faulty driver did not answer within 1 s during sr_scan", ""],
                           self.x.SR.scan, self.sr)
        took = time.monotonic() - t0
        self.assertGreater(took, 0.9)
        self.assertLess(took, 5)
        self.x.SR.set_name_label(self.sr, "faulty SR")
        line = ("plugin faulty: its worker did not answer within 1 s during sr_scan: "
                "killed; it is restarted on the next call (the limit is timeout.sr_scan)")
        self.assertIn(line, self.daemon.wait_log(line))
        self.x.SR.scan(self.sr)
        self.assertEqual(self.x.SR.get_current_operations(self.sr), {})

    def test_each_op_has_its_own(self):
        self.assertFailure(["SR_BACKEND_FAILURE", "",
                            "the faulty driver did not answer within 1.5 s during vdi_create", ""],
                           self.x.VDI.create, harness.vdi_record(self.sr, name_label="hang"))
        # 0.5 s of work is within both limits; the probe has the metadata
        # default (300 s < plugin_timeout)
        vdi = self.x.VDI.create(harness.vdi_record(self.sr, name_label="nap"))
        self.x.VDI.destroy(vdi)
        self.assertIn("9a1f5a2c-0000-4000-8000-00000000f417",
                      self.x.SR.probe(self.host, {"fault": "nap"}, "faulty", {}))


class BadTimeoutTest(DaemonTestCase):
    daemon_plugins = {
        "bad_value": conf("faulty", **{"timeout.sr_scan": "soon"}),
        "bad_zero": conf("faulty", **{"timeout.vdi_create": "0"}),
        "bad_inf": conf("faulty", **{"timeout.sr_probe": "inf"}),
        "bad_op": conf("faulty", **{"timeout.vdi_copy": "30"}),
        "faulty": conf("faulty", **{"timeout.sr_scan": "30"}),
    }

    def refusal(self, name):
        lines = [l for l in self.daemon.log_text().splitlines()
                 if " plugin %s (" % name in l and " refused: " in l]
        self.assertEqual(len(lines), 1, lines)
        self.assertIn(" error ", lines[0])
        return lines[0]

    def test_each_bad_value_is_refused_naming_file_and_key(self):
        d = self.daemon.plugins_conf_dir
        line = self.refusal("bad_value")
        self.assertIn("%s/bad_value.conf line " % d, line)
        self.assertIn("timeout.sr_scan = 'soon' is not a number of seconds more than 0", line)
        self.assertIn("timeout.vdi_create = '0' is not a number of seconds more than 0",
                      self.refusal("bad_zero"))
        self.assertIn("timeout.sr_probe = 'inf' is not a number of seconds more than 0",
                      self.refusal("bad_inf"))
        line = self.refusal("bad_op")
        self.assertIn("%s/bad_op.conf line " % d, line)
        self.assertIn("timeout.vdi_copy: 'vdi_copy' is not a storage operation (sr_probe, "
                      "sr_create, ", line)

    def test_a_good_one_loads(self):
        types = [r["type"] for r in self.x.SM.get_all_records().values()]
        self.assertEqual(types.count("faulty"), 1, types)
        self.assertNotIn("plugin faulty (", self.daemon.log_text())


class CancelGraceFlagTest(unittest.TestCase):
    """xapid's plugin_cancel_grace must be a number of seconds above 0."""

    def test_bad_grace_is_refused(self):
        for bad, msg in (("0", "plugin_cancel_grace: must be more than 0 seconds"),
                         ("soon", "plugin_cancel_grace: 'soon' is not a number of seconds")):
            p = subprocess.run([str(harness.xapid_binary()), "--plugin-cancel-grace", bad],
                               capture_output=True, text=True, timeout=30)
            self.assertEqual(p.returncode, 2, p.stderr)
            self.assertIn(msg, p.stderr)
        out = subprocess.run([str(harness.xapid_binary()), "--help"], capture_output=True,
                             text=True, timeout=30).stdout
        self.assertIn("--plugin-cancel-grace", out)


if __name__ == "__main__":
    unittest.main()
