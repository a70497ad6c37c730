"""What ABI 2 promises a storage driver's author, through a running xapid
(xapi/plugin.h, doc/plugin-sdk.md §2):

- every status, with and without xapi_fail, becomes the XenAPI error of the
  table "Statuses on the wire" (the faulty driver returns each on request);
  a return that is no status (-EIO, -1, 7), XAPI_E_FAILED without a reason,
  XAPI_OK without the VDI the op is for and unusable locations are driver
  bugs: SR_BACKEND_FAILURE with a sentence, and an error line naming the
  plugin in xapid's log;
- device-config keys marked XAPI_CONFIG_REQUIRED are checked before the
  driver runs (SR.create, SR.probe, PBD.plug), with sm's error for the key;
- VDI.snapshot and VDI.clone hand the driver the uuid of the new VDI;
- file:// datapaths are percent-encoded: a VDI in a directory whose name
  has a space and a % moves its data through import and export.
"""

import os
import shutil
import tempfile
import time
import unittest

import harness
from harness import DaemonTestCase, Failure, test_plugin
from storage_util import MIB, StorageTestCase, pattern


def conf(name, **settings):
    settings.setdefault("path", str(test_plugin(name)))
    return settings


def bug(msg):
    return ["SR_BACKEND_FAILURE", "", msg, ""]


class StatusesOnTheWireTest(DaemonTestCase):
    """The faulty driver's VDI.create, VDI.destroy and SR.probe, one fault
    per status; the exact ErrorDescription of each."""
    daemon_plugins = {"faulty": conf("faulty")}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.host = cls.x.host.get_all()[0]
        cls.sr = cls.x.SR.create(cls.host, {}, "0", "faulty SR", "", "faulty", "user", False, {})

    def create(self, name):
        return self.x.VDI.create(harness.vdi_record(self.sr, name_label=name))

    def probe(self, fault):
        return self.x.SR.probe(self.host, {"fault": fault}, "faulty", {})

    def assert_logged(self, text, level="error"):
        """xapid's log has a line at `level` with text (the harness copies
        the daemon's stderr into the file from a thread: wait for it)."""
        deadline = time.monotonic() + 5
        while True:
            lines = [l for l in self.daemon.log_text().splitlines() if text in l]
            if lines or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        self.assertTrue(lines, "no log line with %r\n%s" % (text, self.log_tail(20)))
        self.assertIn(" %s " % level, lines[-1])

    def test_statuses_without_xapi_fail(self):
        sr = self.sr
        self.assertFailure(["SR_OPERATION_NOT_SUPPORTED", sr], self.create, "st-unsupported")
        self.assertFailure(["SR_BACKEND_FAILURE_1", "", "Invalid argument [opterr=the faulty "
                            "driver refused the arguments of vdi_create]", ""],
                           self.create, "st-invalid")
        self.assertFailure(["SR_BACKEND_FAILURE_47", "", "The SR is not available [opterr=the "
                            "faulty driver did not find it during vdi_create]", ""],
                           self.create, "st-notfound")
        self.assertFailure(["SR_DEVICE_IN_USE"], self.create, "st-busy")
        # a synchronous call has no task of its own to name
        self.assertFailure(["TASK_CANCELLED", ""], self.create, "st-cancelled")
        self.assertFailure(["SR_FULL", "1048576", str(1 << 30)], self.create, "st-nospace")

    def test_failed_without_reason_is_a_driver_bug(self):
        msg = ("the faulty driver failed in vdi_create without saying why "
               "(XAPI_E_FAILED without xapi_fail)")
        self.assertFailure(bug(msg), self.create, "st-failed")
        self.assert_logged("plugin faulty: driver bug: " + msg)

    def test_returns_that_are_no_status_are_driver_bugs(self):
        for fault, n in (("eio", -5), ("minus1", -1), ("positive", 7)):
            msg = ("the faulty driver returned %d from vdi_create, which is not a status "
                   "(a bare errno?)" % n)
            self.assertFailure(bug(msg), self.create, fault)
            self.assert_logged("plugin faulty: driver bug: " + msg)
        # after an xapi_fail, its error is the one the client gets; the bug is logged
        self.assertFailure(["SR_BACKEND_FAILURE_200", "", "General IO error: the disk said EIO",
                            ""], self.create, "fail-eio")
        self.assert_logged("plugin faulty: driver bug: the faulty driver returned -5 from "
                           "vdi_create, which is not a status")

    def test_xapi_fail_codes(self):
        sr = self.sr
        self.assertFailure(["SR_DEVICE_IN_USE"], self.create, "fail-16")
        self.assertFailure(["VDI_IN_USE"], self.create, "fail-24")
        self.assertFailure(["SR_NOT_EMPTY"], self.create, "fail-39")
        self.assertFailure(["VDI_MISSING", sr, ""], self.create, "fail-144")
        self.assertFailure(["SR_BACKEND_FAILURE_42", "", "the faulty driver failed with 42", ""],
                           self.create, "fail-42")
        self.assertFailure(["SR_BACKEND_FAILURE", "", "the faulty driver failed with 0", ""],
                           self.create, "fail-0")
        self.assertFailure(["VDI_IO_ERROR", "the faulty disk cannot be read"], self.create,
                           "fail-named")
        self.assertFailure(["SR_BACKEND_FAILURE_5", "", "not a code: an odd code", ""],
                           self.create, "fail-oddcode")

    def test_xapi_fail_then_ok_is_a_success_and_logged(self):
        vdi = self.create("fail-ok")
        self.assertEqual(self.x.VDI.get_location(vdi), "faulty/" + self.x.VDI.get_uuid(vdi))
        self.assert_logged("plugin faulty: driver bug: vdi_create called xapi_fail (\"a failure "
                           "the driver then ignored\") and returned XAPI_OK", level="warn")

    def test_ok_without_emit_is_a_driver_bug(self):
        msg = "the faulty driver returned XAPI_OK from vdi_create without emitting the VDI"
        self.assertFailure(bug(msg), self.create, "noemit")
        self.assert_logged("plugin faulty: driver bug: " + msg)
        # an SR op may emit nothing: a probe that finds nothing
        self.assertNotIn("<SR>", self.probe("noemit"))

    def test_unusable_locations_are_driver_bugs(self):
        before = set(self.x.SR.get_VDIs(self.sr))
        for fault, what, why in (("loc-empty", "location", "it is empty"),
                                 ("loc-ctrl", "location", "it holds a control character"),
                                 ("loc-long", "location", "it is longer than 1024 bytes"),
                                 ("loc-utf8", "location", "it is not valid UTF-8"),
                                 ("parent-ctrl", "parent", "it holds a control character")):
            msg = "the faulty driver emitted an unusable %s from vdi_create: %s" % (what, why)
            self.assertFailure(bug(msg), self.create, fault)
            self.assert_logged("plugin faulty: driver bug: " + msg)
        self.assertEqual(set(self.x.SR.get_VDIs(self.sr)), before, "no VDI was recorded")

    def test_statuses_of_ops_on_an_existing_vdi(self):
        sr = self.sr
        gone = self.create("later:st-notfound")
        self.assertFailure(["VDI_MISSING", sr, gone], self.x.VDI.destroy, gone)
        busy = self.create("later:st-busy")
        self.assertFailure(["VDI_IN_USE", busy, "destroy"], self.x.VDI.destroy, busy)
        eio = self.create("later:eio")
        self.assertFailure(bug("the faulty driver returned -5 from vdi_delete, which is not a "
                               "status (a bare errno?)"), self.x.VDI.destroy, eio)
        fine = self.create("later:works")
        self.x.VDI.destroy(fine)

    def test_statuses_of_sr_ops(self):
        self.assertFailure(["SR_DEVICE_IN_USE"], self.probe, "st-busy")
        self.assertFailure(["SR_BACKEND_FAILURE_47", "", "The SR is not available [opterr=the "
                            "faulty driver did not find it during sr_probe]", ""],
                           self.probe, "st-notfound")
        self.assertFailure(bug("the faulty driver returned -5 from sr_probe, which is not a "
                               "status (a bare errno?)"), self.probe, "eio")


class StatusTableIsWrittenDownTest(unittest.TestCase):
    """The sentences the tests above get on the wire are the ones the
    installed header and doc/plugin-sdk.md promise (placeholders as there)."""

    PROMISED = [
        "the <type> driver failed in <op> without saying why (XAPI_E_FAILED without xapi_fail)",
        "which is not a status (a bare errno?)",
        "returned XAPI_OK from <op> without emitting the VDI",
        "emitted an unusable <field> from <op>: <why>",
        "it is empty", "it holds a control character", "it is not valid UTF-8",
        "it is longer than 1024 bytes",
        "Invalid argument [opterr=the <type> driver refused the arguments of <op>]",
        "The SR is not available [opterr=the <type> driver did not find it during <op>]",
        "SR_FULL [requested bytes, free bytes]", "SR_OPERATION_NOT_SUPPORTED [sr]",
        "TASK_CANCELLED [task]", "VDI_IN_USE [vdi, op]", "VDI_MISSING [sr, vdi]",
        "SR_NOT_EMPTY []", "SR_DEVICE_IN_USE []", "plugin <name>: driver bug:",
        "the <type> driver attached <location> without a usable datapath (<it>): file:/// or "
        "nbd+unix:/// URIs only",
        "The request is missing the location parameter",
        "Not all required parameters specified. [opterr=device-config:<key>",
    ]

    def test_header_and_guide_say_it(self):
        def flat(path):
            text = (harness.REPO / path).read_text()
            # comment leaders, table pipes and markdown quotes out; one space between words
            text = text.replace(" * ", " ").replace("`", "").replace("|", " ")
            return " ".join(text.split())
        header, guide = flat("sdk/include/xapi/plugin.h"), flat("doc/plugin-sdk.md")
        for sentence in self.PROMISED:
            self.assertTrue(sentence in guide, "doc/plugin-sdk.md lacks %r" % sentence)
            self.assertTrue(sentence in header, "xapi/plugin.h lacks %r" % sentence)


class StrictDriverTest(StorageTestCase):
    """The strict driver: required keys, snapshot uuids, encoded datapaths."""
    daemon_plugins = {"strict": conf("strict")}

    def strict_create(self, dc):
        return self.x.SR.create(self.host, dc, "0", "strict SR", "", "strict", "user", False, {})

    def ops_called(self, op):
        return sum(1 for l in self.daemon.log_text().splitlines() if "strict: %s called" % op in l)

    def test_sm_record_marks_required_keys(self):
        sm = [r for r in self.x.SM.get_all_records().values() if r["type"] == "strict"][0]
        self.assertEqual(sm["configuration"], {"location": "directory of the VDI files (required)",
                                               "token": "a secret (required)",
                                               "colour": "optional; bare-path: vdi_attach "
                                                         "gives a path, not a URI"})

    def test_missing_required_keys_are_refused_before_the_driver(self):
        loc = self.new_location("strict-missing")
        srs = len(self.x.SR.get_all())
        pbds = len(self.x.PBD.get_all())
        creates, probes = self.ops_called("sr_create"), self.ops_called("sr_probe")
        self.assertFailure(["SR_BACKEND_FAILURE_94", "",
                            "The request is missing the location parameter", ""],
                           self.strict_create, {"token": "t"})
        self.assertFailure(["SR_BACKEND_FAILURE_94", "",
                            "The request is missing the location parameter", ""],
                           self.strict_create, {"location": "", "token": "t"})
        self.assertFailure(["SR_BACKEND_FAILURE_115", "", "Not all required parameters "
                            "specified. [opterr=device-config:token is required by the strict "
                            "driver]", ""], self.strict_create, {"location": loc})
        self.assertEqual((len(self.x.SR.get_all()), len(self.x.PBD.get_all())), (srs, pbds),
                         "a refused SR.create leaves nothing")
        self.assertEqual(self.ops_called("sr_create"), creates, "the driver was not called")
        # probe: location is needed, token is XAPI_CONFIG_PROBE_OPTIONAL
        self.assertFailure(["SR_BACKEND_FAILURE_94", "",
                            "The request is missing the location parameter", ""],
                           self.x.SR.probe, self.host, {"token": "t"}, "strict", {})
        self.assertEqual(self.ops_called("sr_probe"), probes)
        self.x.SR.probe(self.host, {"location": loc}, "strict", {})
        deadline = time.monotonic() + 5
        while self.ops_called("sr_probe") == probes and time.monotonic() < deadline:
            time.sleep(0.05)  # the log file is written by a harness thread
        self.assertEqual(self.ops_called("sr_probe"), probes + 1)

    def test_pbd_plug_without_a_required_key_is_refused(self):
        sr = self.strict_create({"location": self.new_location("strict-plug"), "token": "t"})
        pbd = self.x.SR.get_PBDs(sr)[0]
        self.x.PBD.unplug(pbd)
        attaches = self.ops_called("sr_attach")
        self.x.PBD.destroy(pbd)
        bare = self.x.PBD.create({"host": self.host, "SR": sr, "device_config": {"token": "t"},
                                  "other_config": {}})
        self.assertFailure(["SR_BACKEND_FAILURE_94", "",
                            "The request is missing the location parameter", ""],
                           self.x.PBD.plug, bare)
        self.assertFalse(self.x.PBD.get_currently_attached(bare))
        self.assertEqual(self.ops_called("sr_attach"), attaches)

    def test_snapshot_and_clone_get_the_new_uuid(self):
        sr = self.strict_create({"location": self.new_location("strict-snap"), "token": "t"})
        vdi = self.create_vdi(sr, size=MIB, name="original")
        for fn in (self.x.VDI.snapshot, self.x.VDI.clone):
            new = fn(vdi, {})
            uuid = self.x.VDI.get_uuid(new)
            # the driver emitted no uuid: its file is named after the one it was given
            self.assertEqual(self.x.VDI.get_location(new), uuid + ".raw")
            self.assertEqual(self.x.VDI.get_name_label(new), "original")
        snap = self.x.VDI.snapshot(vdi, {})
        self.assertTrue(self.x.VDI.get_is_a_snapshot(snap))
        self.assertEqual(self.x.VDI.get_snapshot_of(snap), vdi)

    def test_attach_without_a_uri_is_a_driver_bug(self):
        loc = self.new_location("strict-bare")
        sr = self.strict_create({"location": loc, "token": "t", "colour": "bare-path"})
        vdi = self.create_vdi(sr, size=MIB, name="bare")
        path = os.path.join(loc, self.x.VDI.get_location(vdi))
        status, _, body = self.http("GET", "/export_raw_vdi",
                                    {"vdi": vdi, "session_id": self.session.handle})
        msg = ("the strict driver attached %s without a usable datapath (%s): file:/// or "
               "nbd+unix:/// URIs only" % (self.x.VDI.get_location(vdi), path))
        self.assertNotEqual(status, 200)
        self.assertEqual(body.decode(), "SR_BACKEND_FAILURE  %s \n" % msg)
        deadline = time.monotonic() + 5
        while ("plugin strict: driver bug: " + msg) not in self.daemon.log_text():
            self.assertLess(time.monotonic(), deadline, self.log_tail(20))
            time.sleep(0.05)

    def test_datapath_with_space_and_percent(self):
        parent = tempfile.mkdtemp(prefix="xapid-it-strict-")
        self.addCleanup(shutil.rmtree, parent, True)
        loc = os.path.join(parent, "a dir %20 with 100% odd?#name")
        sr = self.strict_create({"location": loc, "token": "t"})
        vdi = self.create_vdi(sr, size=2 * MIB, name="spaced")
        data = pattern(2 * MIB, 7)
        self.import_raw(vdi, data)
        path = os.path.join(loc, self.x.VDI.get_location(vdi))
        with open(path, "rb") as f:
            self.assertEqual(f.read(), data, "the bytes went to the decoded path")
        self.assertEqual(self.export_raw(vdi), data)


if __name__ == "__main__":
    unittest.main()
