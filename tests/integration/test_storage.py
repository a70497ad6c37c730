"""Storage control over the wire with the `file` SR driver: SR.create /
scan / probe / probe_ext / update / destroy / forget / introduce, PBD
plug / unplug / create / destroy, VDI create / destroy / clone / snapshot /
resize / introduce / forget / update, allowed and current operations, and
the exact errors xapi gives (xenapi-protocol.md 3.5)."""

import os
import shutil
import subprocess
import tempfile
import time
import unittest
import uuid
import xmlrpc.client

from harness import NULL_REF, REF_RE, UUID_RE
from storage_util import MIB, StorageTestCase, result_ref


class SRTest(StorageTestCase):

    def test_supported_types(self):
        self.assertIn("file", self.x.SR.get_supported_types())
        sms = [r for r in self.x.SM.get_all_records().values() if r["type"] == "file"]
        self.assertEqual(len(sms), 1)

    def test_create_record(self):
        sr, location = self.create_sr("create-sr", sm_config={"k": "v"})
        self.assertRegex(sr, REF_RE)
        rec = self.x.SR.get_record(sr)
        self.assertRegex(rec["uuid"], UUID_RE)
        self.assertEqual((rec["name_label"], rec["name_description"], rec["type"],
                          rec["content_type"], rec["shared"], rec["sm_config"]),
                         ("create-sr", "made by the tests", "file", "user", False, {"k": "v"}))
        self.assertGreater(int(rec["physical_size"]), 0)
        self.assertGreaterEqual(int(rec["physical_utilisation"]), 0)
        self.assertEqual(rec["virtual_allocation"], "0")
        self.assertEqual(rec["VDIs"], [])
        self.assertEqual(rec["current_operations"], {})
        pbd = self.pbd_of(sr)
        prec = self.x.PBD.get_record(pbd)
        self.assertEqual((prec["host"], prec["SR"], prec["device_config"], prec["currently_attached"]),
                         (self.host, sr, {"location": location}, True))
        self.assertTrue(os.path.isdir(os.path.join(location, rec["uuid"])))
        # plugged: destroy and forget need an unplug first
        allowed = set(rec["allowed_operations"])
        self.assertTrue({"scan", "plug", "unplug", "update", "vdi_create", "vdi_destroy",
                         "vdi_snapshot", "vdi_clone", "vdi_resize", "vdi_introduce",
                         "pbd_create", "pbd_destroy"} <= allowed, allowed)
        self.assertFalse({"destroy", "forget", "vdi_mirror", "vdi_set_on_boot",
                          "vdi_enable_cbt"} & allowed, allowed)

    def test_create_type_is_lower_cased(self):
        location = self.new_location("upper")
        sr = self.x.SR.create(self.host, {"location": location}, "0", "upper", "", "FILE",
                              "user", False, {})
        self.assertEqual(self.x.SR.get_type(sr), "file")

    def test_create_unknown_driver(self):
        before = (len(self.x.SR.get_all()), len(self.x.PBD.get_all()))
        self.assertFailure(["SR_UNKNOWN_DRIVER", "nosuch"], self.x.SR.create, self.host,
                           {"location": "/tmp"}, "0", "x", "", "nosuch", "user", False, {})
        self.assertEqual((len(self.x.SR.get_all()), len(self.x.PBD.get_all())), before)

    def test_create_bad_host_and_srmaster(self):
        bad = "OpaqueRef:%s" % uuid.uuid4()
        self.assertFailure(["HANDLE_INVALID", "host", bad], self.x.SR.create, bad,
                           {"location": "/tmp"}, "0", "x", "", "file", "user", False, {})
        self.assertFailure(["VALUE_NOT_SUPPORTED", "SRmaster", "true",
                            "This key is for internal use only"], self.x.SR.create, self.host,
                           {"location": "/tmp", "SRmaster": "true"}, "0", "x", "", "file", "user",
                           False, {})

    def test_create_failure_leaves_nothing(self):
        before = (len(self.x.SR.get_all()), len(self.x.PBD.get_all()))
        # no location in device_config: the driver refuses (SMAPIv1 error 94)
        e = self.assertFailure("SR_BACKEND_FAILURE_94", self.x.SR.create, self.host, {}, "0",
                               "x", "", "file", "user", False, {})
        self.assertEqual(len(e), 4)
        self.assertEqual((len(self.x.SR.get_all()), len(self.x.PBD.get_all())), before)

    def test_probe(self):
        location = self.new_location("probe")
        empty = self.x.SR.probe(self.host, {"location": location}, "file", {})
        self.assertIn("<SRlist", empty)
        self.assertNotIn("<SR>", empty)
        sr, _ = self.create_sr("probed", location=location)
        sr_uuid = self.x.SR.get_uuid(sr)
        xml = self.x.SR.probe(self.host, {"location": location}, "file", {})
        self.assertTrue(xml.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<SRlist><SR>'), xml)
        self.assertIn("<UUID>%s</UUID>" % sr_uuid, xml)
        self.assertIn("<name_label>probed</name_label>", xml)
        results = self.x.SR.probe_ext(self.host, {"location": location}, "file", {})
        found = [r for r in results if r.get("sr", {}).get("uuid") == sr_uuid]
        self.assertEqual(len(found), 1, results)
        r = found[0]
        self.assertEqual(r["configuration"], {"location": location})
        self.assertIs(r["complete"], True)
        self.assertEqual(r["sr"]["name_label"], "probed")
        self.assertGreater(int(r["sr"]["total_space"]), 0)
        self.assertEqual(r["sr"]["health"], "healthy")
        self.assertIs(r["sr"]["clustered"], False)
        self.assertEqual(r["extra_info"], {})

    def test_probe_ext_empty_and_errors(self):
        location = self.new_location("probe-ext")
        results = self.x.SR.probe_ext(self.host, {"location": location}, "file", {})
        self.assertEqual(results, [{"configuration": {"location": location}, "complete": True,
                                    "extra_info": {}}])
        self.assertFailure(["SR_UNKNOWN_DRIVER", "nosuch"], self.x.SR.probe, self.host,
                           {"location": location}, "nosuch", {})
        self.assertFailure(["SR_UNKNOWN_DRIVER", "nosuch"], self.x.SR.probe_ext, self.host,
                           {"location": location}, "nosuch", {})
        bad = "OpaqueRef:%s" % uuid.uuid4()
        self.assertFailure(["HANDLE_INVALID", "host", bad], self.x.SR.probe, bad,
                           {"location": location}, "file", {})

    def test_update_and_scan(self):
        sr, _ = self.create_sr("update")
        self.x.SR.update(sr)
        vdi = self.create_vdi(sr, 64 * MIB)
        self.x.SR.scan(sr)
        self.assertEqual(self.x.SR.get_virtual_allocation(sr), str(64 * MIB))
        self.assertEqual(self.x.SR.get_current_operations(sr), {})
        self.x.VDI.destroy(vdi)
        self.x.SR.scan(sr)
        self.assertEqual(self.x.SR.get_virtual_allocation(sr), "0")

    def test_unplugged_sr_refuses_work(self):
        sr, _ = self.create_sr("unplugged")
        pbd = self.pbd_of(sr)
        self.x.PBD.unplug(pbd)
        self.assertFalse(self.x.PBD.get_currently_attached(pbd))
        self.assertFailure(["SR_HAS_NO_PBDS", sr], self.x.SR.scan, sr)
        self.assertFailure(["SR_HAS_NO_PBDS", sr], self.x.SR.update, sr)
        self.assertFailure(["SR_HAS_NO_PBDS", sr], self.create_vdi, sr)
        self.assertFailure(["SR_HAS_NO_PBDS", sr], self.x.SR.set_name_label, sr, "x")
        allowed = set(self.x.SR.get_allowed_operations(sr))
        self.assertTrue({"destroy", "forget", "plug"} <= allowed, allowed)
        self.x.PBD.plug(pbd)
        self.assertTrue(self.x.PBD.get_currently_attached(pbd))
        self.x.SR.set_name_label(sr, "renamed")
        self.x.SR.set_name_description(sr, "described")
        self.assertEqual(self.x.SR.get_name_label(sr), "renamed")
        self.assertEqual(self.x.SR.get_name_description(sr), "described")

    def test_destroy(self):
        sr, location = self.create_sr("destroy")
        srdir = self.sr_dir(sr, location)
        pbd = self.pbd_of(sr)
        vdi = self.create_vdi(sr)
        self.assertFailure(["SR_HAS_PBD", sr], self.x.SR.destroy, sr)
        self.x.PBD.unplug(pbd)
        self.assertFailure(["SR_NOT_EMPTY"], self.x.SR.destroy, sr)
        self.assertNotIn("destroy", self.x.SR.get_allowed_operations(sr))
        self.x.PBD.plug(pbd)
        self.x.VDI.destroy(vdi)
        self.x.PBD.unplug(pbd)
        self.assertIn("destroy", self.x.SR.get_allowed_operations(sr))
        self.x.SR.destroy(sr)
        self.assertFailure(["HANDLE_INVALID", "SR", sr], self.x.SR.get_record, sr)
        self.assertFailure(["HANDLE_INVALID", "PBD", pbd], self.x.PBD.get_record, pbd)
        self.assertFalse(os.path.exists(srdir))

    def test_destroy_without_pbds(self):
        sr = self.x.SR.introduce(str(uuid.uuid4()), "no-pbds", "", "file", "user", False, {})
        self.assertFailure(["SR_HAS_NO_PBDS", sr], self.x.SR.destroy, sr)
        self.x.SR.forget(sr)

    def test_destroy_indestructible(self):
        sr, _ = self.create_sr("indestructible")
        self.x.SR.add_to_other_config(sr, "indestructible", "true")
        self.x.PBD.unplug(self.pbd_of(sr))
        self.assertFailure(["SR_INDESTRUCTIBLE", sr], self.x.SR.destroy, sr)
        self.x.SR.remove_from_other_config(sr, "indestructible")
        self.x.SR.destroy(sr)

    def test_forget_and_introduce_again(self):
        sr, location = self.create_sr("forget")
        sr_uuid = self.x.SR.get_uuid(sr)
        vdi = self.create_vdi(sr, 8 * MIB, "kept")
        vdi_uuid = self.x.VDI.get_uuid(vdi)
        pbd = self.pbd_of(sr)
        self.assertFailure(["SR_HAS_PBD", sr], self.x.SR.forget, sr)
        self.x.PBD.unplug(pbd)
        self.x.SR.forget(sr)
        for cls, ref in (("SR", sr), ("PBD", pbd), ("VDI", vdi)):
            self.assertFailure(["HANDLE_INVALID", cls, ref], getattr(self.x, cls).get_record, ref)
        # the data stays: probe finds it, introduce + PBD.create + plug bring it back
        self.assertIn("<UUID>%s</UUID>" % sr_uuid,
                      self.x.SR.probe(self.host, {"location": location}, "file", {}))
        sr2 = self.x.SR.introduce(sr_uuid, "forget", "back", "file", "user", False, {})
        self.assertEqual(self.x.SR.get_physical_size(sr2), "-1")
        pbd2 = self.x.PBD.create({"host": self.host, "SR": sr2,
                                  "device_config": {"location": location}, "other_config": {}})
        self.assertFalse(self.x.PBD.get_currently_attached(pbd2))
        self.x.PBD.plug(pbd2)   # the first plug scans
        vdis = self.x.SR.get_VDIs(sr2)
        self.assertEqual(len(vdis), 1)
        rec = self.x.VDI.get_record(vdis[0])
        self.assertEqual((rec["uuid"], rec["virtual_size"], rec["managed"], rec["missing"]),
                         (vdi_uuid, str(8 * MIB), True, False))
        self.assertGreater(int(self.x.SR.get_physical_size(sr2)), 0)
        self.assertFailure(["SR_UUID_EXISTS", sr_uuid], self.x.SR.introduce, sr_uuid, "", "",
                           "file", "user", False, {})

    def test_set_shared(self):
        sr, _ = self.create_sr("shared")
        self.x.SR.set_shared(sr, True)
        self.assertTrue(self.x.SR.get_shared(sr))
        self.x.SR.set_shared(sr, False)
        self.assertFalse(self.x.SR.get_shared(sr))


class PBDTest(StorageTestCase):

    def test_pbd_exists(self):
        sr, location = self.create_sr("pbd-exists")
        pbd = self.pbd_of(sr)
        self.assertFailure(["PBD_EXISTS", sr, self.host, pbd], self.x.PBD.create,
                           {"host": self.host, "SR": sr, "device_config": {"location": location}})

    def test_create_checks(self):
        sr = self.x.SR.introduce("", "pbd-checks", "", "file", "user", False, {})
        bad = "OpaqueRef:%s" % uuid.uuid4()
        self.assertFailure(["HANDLE_INVALID", "host", bad], self.x.PBD.create,
                           {"host": bad, "SR": sr, "device_config": {}})
        self.assertFailure(["VALUE_NOT_SUPPORTED", "SRmaster", "true",
                            "This key is for internal use only"], self.x.PBD.create,
                           {"host": self.host, "SR": sr, "device_config": {"SRmaster": "true"}})
        pbd = self.x.PBD.create({"host": self.host, "SR": sr, "device_config": {},
                                 "currently_attached": True})
        self.assertFalse(self.x.PBD.get_currently_attached(pbd))
        self.x.PBD.destroy(pbd)
        self.x.SR.forget(sr)

    def test_destroy_attached(self):
        sr, _ = self.create_sr("pbd-destroy")
        pbd = self.pbd_of(sr)
        self.assertFailure(["OPERATION_NOT_ALLOWED", "PBD is currently attached"],
                           self.x.PBD.destroy, pbd)
        self.x.PBD.unplug(pbd)
        self.x.PBD.destroy(pbd)
        self.assertEqual(self.x.SR.get_PBDs(sr), [])
        self.assertNotIn("destroy", self.x.SR.get_allowed_operations(sr))

    def test_plug_failure(self):
        sr = self.x.SR.introduce("", "plug-fails", "", "file", "user", False, {})
        pbd = self.x.PBD.create({"host": self.host, "SR": sr,
                                 "device_config": {"location": "/nonexistent/xapi-c"}})
        e = self.assertFailure("SR_BACKEND_FAILURE_47", self.x.PBD.plug, pbd)
        self.assertEqual(len(e), 4)
        self.assertFalse(self.x.PBD.get_currently_attached(pbd))
        self.x.PBD.destroy(pbd)
        self.x.SR.forget(sr)

    def test_plug_unplug_twice(self):
        sr, _ = self.create_sr("twice")
        pbd = self.pbd_of(sr)
        self.x.PBD.plug(pbd)          # plugged already: nothing happens
        self.x.PBD.unplug(pbd)
        self.x.PBD.unplug(pbd)
        self.assertFalse(self.x.PBD.get_currently_attached(pbd))

    def test_unplug_with_vdi_in_use(self):
        sr, _ = self.create_sr("in-use")
        vdi = self.create_vdi(sr)
        vbd = self.attached_vbd(vdi)
        pbd = self.pbd_of(sr)
        self.assertFailure(["VDI_IN_USE", vdi], self.x.PBD.unplug, pbd)
        self.assertTrue(self.x.PBD.get_currently_attached(pbd))
        self.x.VBD.destroy(vbd)
        self.x.PBD.unplug(pbd)

    def test_unknown_pbd(self):
        bad = "OpaqueRef:%s" % uuid.uuid4()
        for m in ("plug", "unplug", "destroy"):
            self.assertFailure(["HANDLE_INVALID", "PBD", bad], getattr(self.x.PBD, m), bad)


class VDITest(StorageTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        location = os.path.join(cls.srdir, "vdi-sr")
        os.makedirs(location)
        cls.sr = cls.x.SR.create(cls.host, {"location": location}, "0", "vdi-sr", "", "file",
                                 "user", False, {})
        cls.location = location
        cls.dir = os.path.join(location, cls.x.SR.get_uuid(cls.sr))

    def test_create_record(self):
        vdi = self.create_vdi(self.sr, 32 * MIB, "created", other_config={"a": "b"},
                              sm_config={"mine": "1"}, tags=["t"])
        rec = self.x.VDI.get_record(vdi)
        self.assertEqual((rec["name_label"], rec["SR"], rec["virtual_size"], rec["type"],
                          rec["managed"], rec["missing"], rec["is_a_snapshot"],
                          rec["snapshot_of"], rec["other_config"], rec["tags"]),
                         ("created", self.sr, str(32 * MIB), "user", True, False, False,
                          NULL_REF, {"a": "b"}, ["t"]))
        self.assertEqual(rec["location"], "%s.qcow2" % rec["uuid"])
        self.assertEqual(rec["sm_config"].get("mine"), "1")
        self.assertTrue(os.path.isfile(os.path.join(self.dir, rec["location"])))
        self.assertIn(vdi, self.x.SR.get_VDIs(self.sr))
        self.assertEqual(set(rec["allowed_operations"]),
                         {"clone", "copy", "resize", "snapshot", "destroy", "forget", "update"})
        self.assertEqual(rec["current_operations"], {})

    def test_create_errors(self):
        self.assertFailure(["VDI_INCOMPATIBLE_TYPE", "", "cbt_metadata"],
                           lambda: self.create_vdi(self.sr, type="cbt_metadata"))
        other = self.x.SR.introduce("", "no-driver", "", "it-nodriver", "user", False, {})
        self.assertFailure(["SR_OPERATION_NOT_SUPPORTED", other], self.create_vdi, other)
        bad = "OpaqueRef:%s" % uuid.uuid4()
        self.assertFailure(["HANDLE_INVALID", "SR", bad], self.create_vdi, bad)

    def test_destroy(self):
        vdi = self.create_vdi(self.sr)
        path = os.path.join(self.dir, self.x.VDI.get_location(vdi))
        self.x.VDI.destroy(vdi)
        self.assertFalse(os.path.exists(path))
        self.assertFailure(["HANDLE_INVALID", "VDI", vdi], self.x.VDI.get_record, vdi)
        self.assertFailure(["HANDLE_INVALID", "VDI", vdi], self.x.VDI.destroy, vdi)

    def test_destroy_in_use(self):
        vdi = self.create_vdi(self.sr)
        vbd = self.attached_vbd(vdi)
        self.assertFailure(["VDI_IN_USE", vdi, "destroy"], self.x.VDI.destroy, vdi)
        self.assertFailure(["VDI_IN_USE", vdi, "update"], self.x.VDI.update, vdi)
        self.assertFailure(["VDI_IN_USE", vdi, "forget"], self.x.VDI.forget, vdi)
        # snapshot and clone run on attached VDIs; copy only off read-only ones
        self.x.VDI.snapshot(vdi, {})
        self.assertEqual(set(self.x.VDI.get_allowed_operations(vdi)), {"clone", "snapshot"})
        self.assertFailure(["VDI_IN_USE", vdi, "resize"], self.x.VDI.resize, vdi, str(32 * MIB))
        self.x.VBD.destroy(vbd)
        self.x.VDI.destroy(vdi)

    def test_destroy_removes_unattached_vbds(self):
        vdi = self.create_vdi(self.sr)
        vm = self.create_vm("vbd-vm")
        vbd = self.x.VBD.create({"VM": vm, "VDI": vdi, "userdevice": "0", "bootable": False,
                                 "mode": "RW", "type": "Disk", "empty": False, "other_config": {},
                                 "qos_algorithm_type": "", "qos_algorithm_params": {}})
        self.x.VDI.destroy(vdi)
        self.assertFailure(["HANDLE_INVALID", "VBD", vbd], self.x.VBD.get_record, vbd)
        self.assertEqual(self.x.VM.get_VBDs(vm), [])

    def test_snapshot(self):
        vdi = self.create_vdi(self.sr, 16 * MIB, "snapped", other_config={"o": "c"})
        before = time.time()
        snap = self.x.VDI.snapshot(vdi, {})
        rec = self.x.VDI.get_record(snap)
        self.assertTrue(rec["is_a_snapshot"])
        self.assertEqual(rec["snapshot_of"], vdi)
        self.assertEqual((rec["name_label"], rec["other_config"], rec["virtual_size"],
                          rec["managed"], rec["SR"]),
                         ("snapped", {"o": "c"}, str(16 * MIB), True, self.sr))
        when = time.mktime(time.strptime(str(rec["snapshot_time"]), "%Y%m%dT%H:%M:%SZ")) - time.timezone
        self.assertLess(abs(when - before), 120)
        self.assertEqual(self.x.VDI.get_snapshots(vdi), [snap])
        self.assertFalse(self.x.VDI.get_is_a_snapshot(vdi))
        # the hidden parent of the chain: a record that is not managed
        hidden = [r for r in self.x.SR.get_VDIs(self.sr) if not self.x.VDI.get_managed(r)]
        self.assertTrue(hidden)
        self.assertTrue(all(self.x.VDI.get_name_label(h) == "base copy" for h in hidden))
        self.assertFailure(["VDI_NOT_MANAGED", hidden[0]], self.x.VDI.snapshot, hidden[0], {})
        self.assertFailure(["VDI_NOT_MANAGED", hidden[0]], self.x.VDI.destroy, hidden[0])

    def test_clone(self):
        vdi = self.create_vdi(self.sr, 8 * MIB, "cloned")
        clone = self.x.VDI.clone(vdi, {})
        rec = self.x.VDI.get_record(clone)
        self.assertEqual((rec["is_a_snapshot"], rec["snapshot_of"], rec["name_label"],
                          rec["read_only"], rec["managed"]),
                         (False, NULL_REF, "cloned", False, True))
        self.assertNotEqual(rec["location"], self.x.VDI.get_location(vdi))
        self.assertEqual(self.x.VDI.get_snapshots(vdi), [])

    def test_resize(self):
        vdi = self.create_vdi(self.sr, 8 * MIB)
        self.x.VDI.resize(vdi, str(24 * MIB))
        self.assertEqual(self.x.VDI.get_virtual_size(vdi), str(24 * MIB))
        e = self.assertFailure("SR_BACKEND_FAILURE_79", self.x.VDI.resize, vdi, str(MIB))
        self.assertEqual(len(e), 4)
        self.assertEqual(self.x.VDI.get_virtual_size(vdi), str(24 * MIB))

    def test_forget_and_introduce(self):
        vdi = self.create_vdi(self.sr, 4 * MIB, "forgotten")
        rec = self.x.VDI.get_record(vdi)
        self.x.VDI.forget(vdi)
        self.assertFailure(["HANDLE_INVALID", "VDI", vdi], self.x.VDI.get_record, vdi)
        self.assertTrue(os.path.isfile(os.path.join(self.dir, rec["location"])))
        again = self.x.VDI.introduce(rec["uuid"], "introduced", "again", self.sr, "user", False,
                                     False, {"x": "y"}, rec["location"], {}, {}, True, "0", "0",
                                     NULL_REF, False, xmlrpc.client.DateTime(0), NULL_REF)
        rec2 = self.x.VDI.get_record(again)
        self.assertEqual((rec2["uuid"], rec2["name_label"], rec2["name_description"],
                          rec2["location"], rec2["virtual_size"], rec2["other_config"],
                          rec2["managed"]),
                         (rec["uuid"], "introduced", "again", rec["location"], str(4 * MIB),
                          {"x": "y"}, True))
        self.assertFailure(["LOCATION_NOT_UNIQUE", self.sr, rec["location"]], self.x.VDI.introduce,
                           str(uuid.uuid4()), "", "", self.sr, "user", False, False, {},
                           rec["location"], {}, {}, True, "0", "0", NULL_REF, False,
                           xmlrpc.client.DateTime(0), NULL_REF)
        self.assertFailure(["VDI_MISSING", self.sr, ""], self.x.VDI.introduce,
                           str(uuid.uuid4()), "", "", self.sr, "user", False, False, {},
                           "nosuch.qcow2", {}, {}, True, "0", "0", NULL_REF, False,
                           xmlrpc.client.DateTime(0), NULL_REF)
        self.assertFailure(["UUID_INVALID", "VDI", "not-a-uuid"], self.x.VDI.introduce,
                           "not-a-uuid", "", "", self.sr, "user", False, False, {},
                           "x.qcow2", {}, {}, True, "0", "0", NULL_REF, False,
                           xmlrpc.client.DateTime(0), NULL_REF)

    def test_update(self):
        vdi = self.create_vdi(self.sr, 4 * MIB)
        self.x.VDI.update(vdi)
        self.assertEqual(self.x.VDI.get_current_operations(vdi), {})

    def test_setters(self):
        vdi = self.create_vdi(self.sr, 4 * MIB)
        self.x.VDI.set_name_label(vdi, "nl")
        self.x.VDI.set_name_description(vdi, "nd")
        self.x.VDI.set_allow_caching(vdi, True)
        rec = self.x.VDI.get_record(vdi)
        self.assertEqual((rec["name_label"], rec["name_description"], rec["allow_caching"]),
                         ("nl", "nd", True))
        # the file driver has no VDI_RESET_ON_BOOT
        self.assertFailure(["SR_OPERATION_NOT_SUPPORTED", self.sr], self.x.VDI.set_on_boot, vdi,
                           "reset")
        # xapi lets only the SR's driver session change these
        self.assertFailure(["PERMISSION_DENIED", ""], self.x.VDI.set_read_only, vdi, True)
        self.assertFailure(["PERMISSION_DENIED", ""], self.x.VDI.set_sharable, vdi, True)

    def test_scan_finds_and_forgets(self):
        # a VDI made outside the API
        name = "%s.qcow2" % uuid.uuid4()
        self.qemu_img("create", "-q", "-f", "qcow2", os.path.join(self.dir, name), str(2 * MIB))
        self.x.SR.scan(self.sr)
        found = [r for r in self.x.SR.get_VDIs(self.sr) if self.x.VDI.get_location(r) == name]
        self.assertEqual(len(found), 1)
        rec = self.x.VDI.get_record(found[0])
        self.assertEqual((rec["uuid"], rec["virtual_size"], rec["managed"], rec["missing"]),
                         (name[:-6], str(2 * MIB), True, False))
        self.assertIn("destroy", rec["allowed_operations"])
        # one that vanishes is forgotten...
        os.unlink(os.path.join(self.dir, name))
        self.x.SR.scan(self.sr)
        self.assertFailure(["HANDLE_INVALID", "VDI", found[0]], self.x.VDI.get_record, found[0])
        # ...unless a VBD still uses it: then it is kept, marked missing
        vdi = self.create_vdi(self.sr, 2 * MIB)
        vm = self.create_vm("missing-vm")
        self.x.VBD.create({"VM": vm, "VDI": vdi, "userdevice": "0", "bootable": False,
                           "mode": "RW", "type": "Disk", "empty": False, "other_config": {},
                           "qos_algorithm_type": "", "qos_algorithm_params": {}})
        os.unlink(os.path.join(self.dir, self.x.VDI.get_location(vdi)))
        self.x.SR.scan(self.sr)
        self.assertTrue(self.x.VDI.get_missing(vdi))

    def test_concurrent_creates_wait_their_turn(self):
        # VDI.create marks the SR; xapi makes the others wait, not fail
        tasks = [self.x.Async.VDI.create({
            "name_label": "par-%d" % i, "name_description": "", "SR": self.sr,
            "virtual_size": str(MIB), "type": "user", "sharable": False, "read_only": False,
            "other_config": {}}) for i in range(6)]
        vdis = [result_ref(self.wait_success(t)) for t in tasks]
        self.assertEqual(len(set(vdis)), 6)
        self.assertEqual(self.x.SR.get_current_operations(self.sr), {})

    def test_unknown_vdi(self):
        bad = "OpaqueRef:%s" % uuid.uuid4()
        for call, args in ((self.x.VDI.snapshot, (bad, {})), (self.x.VDI.clone, (bad, {})),
                           (self.x.VDI.resize, (bad, "1")), (self.x.VDI.forget, (bad,)),
                           (self.x.VDI.update, (bad,)), (self.x.VDI.destroy, (bad,))):
            self.assertFailure(["HANDLE_INVALID", "VDI", bad], call, *args)


class SRFullTest(StorageTestCase):
    """An SR on a 4 MiB tmpfs: a VDI whose qcow2 metadata alone does not fit
    (1 PiB needs a 16 MiB L1 table) gives SR_FULL [requested, maximum]."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mnt = tempfile.mkdtemp(prefix="xapid-it-full-")
        cls.addClassCleanup(shutil.rmtree, cls.mnt, True)
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", cls.mnt],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        cls.mounted = mounted.returncode == 0
        if cls.mounted:
            # after the daemon stopped (class cleanups run after tearDownClass)
            cls.addClassCleanup(subprocess.run, ["umount", "-l", cls.mnt])

    def test_sr_full(self):
        if not self.mounted:
            self.skipTest("cannot mount a tmpfs here (needs root)")
        sr, _ = self.create_sr("full", location=self.mnt)
        free = int(self.x.SR.get_physical_size(sr)) - int(self.x.SR.get_physical_utilisation(sr))
        size = 1 << 50
        before = self.x.SR.get_VDIs(sr)
        self.assertFailure(["SR_FULL", str(size), str(free)], self.create_vdi, sr, size)
        self.assertEqual(self.x.SR.get_VDIs(sr), before)
        self.assertEqual(self.x.SR.get_current_operations(sr), {})
        self.x.PBD.unplug(self.pbd_of(sr))


class RestartTest(StorageTestCase):

    def test_plugged_sr_survives_a_restart(self):
        sr, _ = self.create_sr("restart")
        vdi = self.create_vdi(sr, 4 * MIB)
        self.restart_daemon()
        # the driver was asked to attach the SR again at start (sr_attach)
        uuid = self.x.SR.get_uuid(sr)
        with open(self.daemon.log_file) as f:
            self.assertIn("storage: SR %s (file) attached again" % uuid, f.read())
        pbd = self.pbd_of(sr)
        self.assertTrue(self.x.PBD.get_currently_attached(pbd))
        self.x.SR.scan(sr)
        self.assertEqual(self.x.SR.get_VDIs(sr), [vdi])
        self.x.VDI.snapshot(vdi, {})


if __name__ == "__main__":
    unittest.main()
