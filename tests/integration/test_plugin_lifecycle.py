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
        self.assertIn("no faulty driver is loaded; its PBD is unplugged until the driver loads",
                      self.daemon.log_text())
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
        self.assertIn("plugged again: its driver is loaded", self.daemon.log_text())
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


if __name__ == "__main__":
    unittest.main()
