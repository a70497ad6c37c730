"""Plugins on a live host (doc/plugins.md "Loading plugins without a
restart", "Replacing a plugin's .so"): SRs unplugged at start only because
their driver was refused are plugged again when it loads (rescan), also
after several restarts, while an SR the operator unplugged stays unplugged;
and a worker always loads the .so that was checked when the plugin loaded:
a replaced file is reported in the log and not used (the old build keeps
running after its worker is restarted), and the SM record stays that of the
loaded build.
"""

import os
import shutil
import signal
import tempfile
import time
import unittest

import harness
from harness import DaemonTestCase, Failure, test_plugin

WAIT_KEY = "xapi-c-plug-when-driver-loads"


def faulty_conf(path=None, **settings):
    return dict(settings, path=str(path or test_plugin("faulty")))


def wait_log(daemon, text, timeout=5.0):
    """The log as soon as it holds text (the harness copies the daemon's
    stderr into the log file from a thread of its own)."""
    deadline = time.monotonic() + timeout
    while text not in daemon.log_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    return daemon.log_text()


class RefusedDriverReplugTest(DaemonTestCase):
    daemon_plugins = {"faulty": faulty_conf()}

    def sr(self, label):
        sr = self.x.SR.create(self.x.host.get_all()[0], {}, "0", label, "", "faulty", "user",
                              False, {})
        return sr, self.x.SR.get_PBDs(sr)[0]

    def attached(self, pbd):
        return self.x.PBD.get_currently_attached(pbd)

    def waits(self, pbd):
        return self.x.PBD.get_other_config(pbd).get(WAIT_KEY)

    def sm_types(self):
        return [r["type"] for r in self.x.SM.get_all_records().values()]

    def test_refused_driver_fixed_and_rescanned(self):
        plugged, _ = self.sr("it-plugged")
        plugged_pbd = self.x.SR.get_PBDs(plugged)[0]
        operator, operator_pbd = self.sr("it-operator-unplugged")
        self.x.PBD.unplug(operator_pbd)
        later, later_pbd = self.sr("it-unplugged-while-waiting")

        # the driver is refused at the next start (its .so is not there)
        self.daemon.write_plugin_conf("faulty", faulty_conf("/nonexistent/faulty.so"))
        self.restart_daemon()
        self.assertNotIn("faulty", self.sm_types())
        self.assertFalse(self.attached(plugged_pbd))
        self.assertEqual(self.waits(plugged_pbd), "true")
        self.assertIsNone(self.waits(operator_pbd), "an operator's unplug is not a wait")
        text = "no faulty driver is loaded; its PBD is unplugged until the driver loads"
        self.assertIn(text, wait_log(self.daemon, text))
        # an unplug while it waits: the operator wants it unplugged
        self.assertEqual(self.waits(later_pbd), "true")
        self.x.PBD.unplug(later_pbd)
        self.assertIsNone(self.waits(later_pbd))

        # still broken through another restart: the wait is remembered
        self.restart_daemon()
        self.assertFalse(self.attached(plugged_pbd))
        self.assertEqual(self.waits(plugged_pbd), "true")

        # fixed, and rescanned through the API
        self.daemon.write_plugin_conf("faulty", faulty_conf())
        self.assertEqual(self.x.host.call_plugin(self.x.host.get_all()[0], "xapi-c",
                                                 "rescan_plugins", {}), "")
        self.assertIn("faulty", self.sm_types())
        self.assertTrue(self.attached(plugged_pbd), self.log_tail(30))
        self.assertIsNone(self.waits(plugged_pbd))
        self.assertFalse(self.attached(operator_pbd))
        self.assertFalse(self.attached(later_pbd))
        self.assertIn("plugged again: its driver is loaded",
                      wait_log(self.daemon, "plugged again: its driver is loaded"))
        # the SR serves calls again (VDI.create needs it plugged)
        self.x.SR.scan(plugged)
        self.x.VDI.create(harness.vdi_record(plugged, name_label="after the wait"))


class DriverFixedBeforeRestartTest(DaemonTestCase):
    """The wait also ends at a start where the driver loads again, and with
    SIGHUP."""
    daemon_plugins = {"faulty": faulty_conf()}

    def test_fixed_then_restarted_and_sighup(self):
        host = self.x.host.get_all()[0]
        sr = self.x.SR.create(host, {}, "0", "it-a", "", "faulty", "user", False, {})
        pbd = self.x.SR.get_PBDs(sr)[0]
        self.daemon.write_plugin_conf("faulty", faulty_conf(enabled="false"))
        self.restart_daemon()
        self.assertFalse(self.x.PBD.get_currently_attached(pbd))
        self.assertEqual(self.x.PBD.get_other_config(pbd).get(WAIT_KEY), "true")
        self.daemon.write_plugin_conf("faulty", faulty_conf())
        self.restart_daemon()
        self.assertTrue(self.x.PBD.get_currently_attached(pbd), self.log_tail(30))
        self.assertNotIn(WAIT_KEY, self.x.PBD.get_other_config(pbd))

        # and through SIGHUP
        self.daemon.write_plugin_conf("faulty", faulty_conf(enabled="false"))
        self.restart_daemon()
        self.assertFalse(self.x.PBD.get_currently_attached(pbd))
        self.daemon.write_plugin_conf("faulty", faulty_conf())
        os.kill(self.daemon.proc.pid, signal.SIGHUP)
        deadline = time.monotonic() + 20
        while not self.x.PBD.get_currently_attached(pbd):
            if time.monotonic() > deadline:
                self.fail("PBD not plugged after SIGHUP\n%s" % self.log_tail(30))
            time.sleep(0.05)


class SoTestBase(DaemonTestCase):
    """The faulty driver loaded from a copy in a temp dir, which the tests
    replace, change or touch under the running daemon."""

    @classmethod
    def setUpClass(cls):
        cls.sodir = tempfile.mkdtemp(prefix="xapid-it-so-")
        cls.so = os.path.join(cls.sodir, "faulty.so")
        shutil.copy(test_plugin("faulty"), cls.so)
        cls.daemon_plugins = {"faulty": faulty_conf(cls.so)}
        super().setUpClass()
        cls.addClassCleanup(shutil.rmtree, cls.sodir, True)
        cls.host = cls.x.host.get_all()[0]
        cls.sr = cls.x.SR.create(cls.host, {}, "0", "it-so", "", "faulty", "user", False, {})

    def vdi(self, name):
        return self.x.VDI.create(harness.vdi_record(self.sr, name_label=name))

    def crash_worker(self):
        self.assertFailure(["SR_BACKEND_FAILURE", "",
                            "the faulty driver crashed (signal 11) during vdi_create", ""],
                           self.vdi, "crash")

    def lines(self, text):
        return [l for l in self.daemon.log_text().splitlines() if text in l]

    def wait_lines(self, text, n):
        deadline = time.monotonic() + 5
        while len(self.lines(text)) < n and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.2)  # a line too many would be there by now
        return self.lines(text)

    def sm(self):
        return [r for r in self.x.SM.get_all_records().values() if r["type"] == "faulty"][0]



class ReplacedSoTest(SoTestBase):
    def test_a_touch_is_not_a_change(self):
        os.utime(self.so, None)
        self.crash_worker()
        self.vdi("after a touch")
        self.assertEqual(self.lines("was changed in place"), [])
        self.assertEqual(self.lines("was replaced on disk"), [])

    def test_b_replaced_file_is_reported_not_used(self):
        sm_before = self.sm()
        # another plugin (name 'dup') put where faulty.so was, as `install` does
        new = os.path.join(self.sodir, ".faulty.so.new")
        shutil.copy(test_plugin("dup"), new)
        os.replace(new, self.so)
        self.x.host.call_plugin(self.host, "xapi-c", "rescan_plugins", {})
        lines = self.wait_lines("was replaced on disk", 1)
        self.assertEqual(len(lines), 1, lines)
        self.assertIn("plugin faulty: %s was replaced on disk since the plugin was loaded" % self.so,
                      lines[0])
        self.assertIn("restart xapid to load the new file", lines[0])
        # a fresh worker runs the loaded build: a worker that loaded the new
        # file would say it is plugin 'dup' and the call would fail
        self.crash_worker()
        vdi = self.vdi("old code")
        self.assertTrue(self.x.VDI.get_location(vdi).startswith("faulty/"))
        self.assertEqual(len(self.wait_lines("was replaced on disk", 1)), 1, "reported once")
        self.assertEqual(self.sm(), sm_before, "SM describes the loaded build")



class ChangedInPlaceSoTest(SoTestBase):
    def test_changed_in_place_is_not_used(self):
        # appended to in place: the held file is no longer what was checked
        with open(self.so, "r+b") as f:
            f.seek(0, os.SEEK_END)
            f.write(b"\0" * 4096)
        self.crash_worker()
        why = "%s was changed in place since it was loaded (restart xapid to load the new " \
              "build)" % self.so
        self.assertFailure(["SR_BACKEND_FAILURE", "",
                            "the faulty driver could not be started: " + why, ""],
                           self.vdi, "refused")
        self.assertFailure("SR_BACKEND_FAILURE", self.vdi, "refused again")
        lines = self.wait_lines("was changed in place since it was loaded (size", 1)
        self.assertEqual(len(lines), 1, lines)
        self.assertIn(" error ", lines[0])


if __name__ == "__main__":
    unittest.main()
