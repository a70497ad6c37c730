"""Whole VMs through GET /export, GET /export_metadata and PUT /import
(XVA: a tar of ova.xml and the disks as checksummed 1 MiB chunks, as
xapi's export.ml / import.ml): a round trip with every disk byte-identical,
VIFs joined to networks by name (made when missing, as xapi), compression,
and the errors of malformed, truncated or corrupted XVAs, which leave no
half-imported objects."""

import gzip
import hashlib
import http.client
import io
import os
import subprocess
import tarfile
import time
import urllib.parse
import uuid

from storage_util import MIB, StorageTestCase, pattern, result_ref

NULL = "OpaqueRef:NULL"


class XvaTestCase(StorageTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sr = cls.make_sr("xva-src")
        cls.sr2 = cls.make_sr("xva-dst")

    @classmethod
    def make_sr(cls, name):
        location = os.path.join(cls.srdir, name)
        os.makedirs(location)
        return cls.x.SR.create(cls.host, {"location": location}, "0", name, "", "file", "user",
                               False, {})

    def make_vm(self, net_name=None):
        """A halted VM with two disks (one sparse), an empty CD and a VIF."""
        vm = self.create_vm("it-xva-vm-%s" % uuid.uuid4().hex[:6])
        disks = []
        for i, (size, data) in enumerate([(8 * MIB, pattern(8 * MIB, 50)),
                                          (40 * MIB, pattern(3 * MIB, 51))]):
            vdi = self.create_vdi(self.sr, size, name="xva-disk-%d" % i)
            self.import_raw(vdi, data)
            self.x.VBD.create({
                "VM": vm, "VDI": vdi, "userdevice": str(i), "bootable": i == 0, "mode": "RW",
                "type": "Disk", "empty": False, "other_config": {}, "qos_algorithm_type": "",
                "qos_algorithm_params": {}})
            disks.append(vdi)
        self.x.VBD.create({
            "VM": vm, "VDI": NULL, "userdevice": "3", "bootable": False, "mode": "RO",
            "type": "CD", "empty": True, "other_config": {}, "qos_algorithm_type": "",
            "qos_algorithm_params": {}})
        net_name = net_name or "it-xva-net-%s" % uuid.uuid4().hex[:6]
        net = self.x.network.create({"name_label": net_name, "name_description": "",
                                     "MTU": "1500", "other_config": {}})
        self.x.VIF.create({"device": "0", "network": net, "VM": vm, "MAC": "",
                           "MTU": "1500", "other_config": {}, "qos_algorithm_type": "",
                           "qos_algorithm_params": {}})
        return vm, disks, net

    def export(self, vm, **query):
        q = {"ref": vm, "session_id": self.session.handle}
        q.update(query)
        status, headers, body = self.http("GET", "/export", q)
        self.assertEqual(status, 200, body[:300])
        return headers, body

    def import_xva(self, data, **query):
        """(task record) of a PUT /import."""
        q = {"sr_id": self.sr2, "session_id": self.session.handle}
        q.update(query)
        status, headers, body = self.http("PUT", "/import", q, body=data,
                                          headers={"Content-Length": str(len(data))})
        self.assertEqual(status, 200, body)
        return self.wait_task(headers["task-id"], timeout=60)

    def counts(self):
        return {c: len(getattr(self.x, c).get_all()) for c in ("VM", "VDI", "VBD", "VIF", "network")}


def members(data):
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as tar:
        return [(m.name, tar.extractfile(m).read()) for m in tar.getmembers()]


def refs_in(value):
    import xmlrpc.client
    return xmlrpc.client.loads("<params><param>%s</param></params>" % value.decode())[0][0]


class ExportImportTest(XvaTestCase):

    def test_round_trip(self):
        vm, disks, net = self.make_vm()
        task = self.x.task.create("it-xva-export", "")
        headers, xva = self.export(vm, task_id=task)
        rec = self.x.task.get_record(task)
        self.assertEqual((rec["status"], rec["progress"]), ("success", 1.0))
        self.assertEqual(headers["content-type"], "application/octet-stream")
        names = [n for n, _ in members(xva)]
        self.assertEqual(names[0], "ova.xml")
        ova = refs_in(members(xva)[0][1])
        classes = sorted(o["class"] for o in ova["objects"])
        self.assertEqual(classes, sorted(["VM", "VBD", "VBD", "VBD", "VDI", "VDI", "SR", "VIF",
                                          "network"]))
        self.assertEqual(ova["version"]["export_vsn"], "2")
        ids = {o["id"] for o in ova["objects"]}
        for o in ova["objects"]:   # references are ids of the XVA, never refs of this host
            for k, v in o["snapshot"].items():
                if isinstance(v, str) and v.startswith("OpaqueRef:"):
                    self.assertEqual(v, NULL, "%s.%s" % (o["class"], k))
                if isinstance(v, str) and v.startswith("Ref:"):
                    self.assertIn(v, ids)
        vdi_id = {o["snapshot"]["uuid"]: o["id"] for o in ova["objects"] if o["class"] == "VDI"}
        big = vdi_id[self.x.VDI.get_uuid(disks[1])]
        # the 40 MiB disk with 3 MiB of data: chunks 0-2 and the last (39)
        self.assertEqual(sorted(n for n in names if n.startswith(big + "/")),
                         ["%s/%08d%s" % (big, i, ext) for i in (0, 1, 2, 39)
                          for ext in ("", ".xxhash")])
        self.assertEqual(self.x.VM.get_current_operations(vm), {})

        before = self.counts()
        rec = self.import_xva(xva)
        self.assertEqual(rec["status"], "success", (rec["error_info"], self.log_tail()))
        new_vms = refs_in(rec["result"].encode())
        self.assertEqual(len(new_vms), 1)
        new = new_vms[0]
        self.assertNotEqual(new, vm)
        vrec = self.x.VM.get_record(new)
        self.assertEqual((vrec["name_label"], vrec["power_state"], vrec["memory_static_max"]),
                         (self.x.VM.get_name_label(vm), "Halted", "268435456"))
        self.assertNotEqual(vrec["uuid"], self.x.VM.get_uuid(vm))
        vbds = {self.x.VBD.get_userdevice(b): self.x.VBD.get_record(b) for b in vrec["VBDs"]}
        self.assertEqual(sorted(vbds), ["0", "1", "3"])
        self.assertEqual((vbds["3"]["type"], vbds["3"]["empty"]), ("CD", True))
        for i, src in enumerate(disks):
            copy = vbds[str(i)]["VDI"]
            self.assertEqual(self.x.VDI.get_SR(copy), self.sr2)
            self.assertEqual(self.x.VDI.get_virtual_size(copy), self.x.VDI.get_virtual_size(src))
            self.assertTrue(self.export_raw(copy) == self.export_raw(src), "disk %d differs" % i)
        vifs = vrec["VIFs"]
        self.assertEqual(len(vifs), 1)
        self.assertEqual(self.x.VIF.get_network(vifs[0]), net)   # joined by name
        after = self.counts()
        self.assertEqual({k: after[k] - before[k] for k in after},
                         {"VM": 1, "VDI": 2, "VBD": 3, "VIF": 1, "network": 0})

    def test_missing_network_is_made_as_xapi(self):
        name = "it-xva-gone-%s" % uuid.uuid4().hex[:6]
        vm, _, net = self.make_vm(net_name=name)
        _, xva = self.export(vm)
        for vif in self.x.VM.get_VIFs(vm):
            self.x.VIF.destroy(vif)
        self.x.network.destroy(net)
        rec = self.import_xva(xva)
        self.assertEqual(rec["status"], "success", rec["error_info"])
        new = refs_in(rec["result"].encode())[0]
        made = self.x.VIF.get_network(self.x.VM.get_VIFs(new)[0])
        self.assertEqual(self.x.network.get_name_label(made), name)

    def test_compression(self):
        vm, disks, _ = self.make_vm()
        _, plain = self.export(vm)
        headers, gz = self.export(vm, use_compression="true")
        self.assertEqual(headers["content-disposition"], 'attachment; filename="export.xva.gz"')
        unz = gzip.decompress(gz)
        self.assertEqual([n for n, _ in members(unz)], [n for n, _ in members(plain)])
        _, zst = self.export(vm, use_compression="zstd")
        unzst = subprocess.run(["zstd", "-d", "-c", "-q"], input=zst, capture_output=True,
                               check=True).stdout
        self.assertEqual([n for n, _ in members(unzst)], [n for n, _ in members(plain)])
        rec = self.import_xva(unzst)
        self.assertEqual(rec["status"], "success", rec["error_info"])
        # the compressed files go back in as they are (what Xen Orchestra
        # does with its zstd exports), every disk byte-identical
        for data in (gz, zst, gz + gzip.compress(b"")):
            rec = self.import_xva(data)
            self.assertEqual(rec["status"], "success", (rec["error_info"], self.log_tail()))
            new = refs_in(rec["result"].encode())[0]
            vbds = {self.x.VBD.get_userdevice(b): self.x.VBD.get_VDI(b)
                    for b in self.x.VM.get_VBDs(new)}
            for i, src in enumerate(disks):
                self.assertTrue(self.export_raw(vbds[str(i)]) == self.export_raw(src),
                                "disk %d differs" % i)
        # cut short or corrupt: xapi's IMPORT_ERROR and nothing left behind
        before = self.counts()
        for bad, why in ((gz[:len(gz) // 2], "ends in the middle of a member"),
                         (zst[:len(zst) // 2], "ends in the middle of a frame"),
                         (gz[:20] + bytes(64) + gz[84:], "gzip stream is corrupt")):
            rec = self.import_xva(bad)
            self.assertEqual(rec["status"], "failure")
            self.assertEqual(rec["error_info"][0], "IMPORT_ERROR", rec["error_info"])
            self.assertIn(why, rec["error_info"][1])
            self.assertEqual(self.counts(), before)
        status, _, body = self.http("GET", "/export", {"ref": vm, "session_id": self.session.handle,
                                                       "use_compression": "lz4"})
        self.assertEqual((status, body.decode()),
                         (400, "INTERNAL_ERROR use_compression= takes true, gzip, zstd or false\n"))

    def test_metadata(self):
        vm, _, _ = self.make_vm()
        snap = self.x.VM.snapshot(vm, "it-xva-snap")
        status, headers, body = self.http("GET", "/export_metadata",
                                          {"uuid": self.x.VM.get_uuid(vm),
                                           "session_id": self.session.handle})
        self.assertEqual(status, 200)
        self.assertEqual(int(headers["content-length"]), len(body))
        got = members(body)
        self.assertEqual([n for n, _ in got], ["ova.xml"])
        ova = refs_in(got[0][1])
        vms = [o["snapshot"] for o in ova["objects"] if o["class"] == "VM"]
        self.assertEqual(sorted(v["uuid"] for v in vms),
                         sorted([self.x.VM.get_uuid(vm), self.x.VM.get_uuid(snap)]))
        status, _, body = self.http("GET", "/export_metadata",
                                    {"ref": vm, "session_id": self.session.handle,
                                     "export_snapshots": "false"})
        ova = refs_in(members(body)[0][1])
        self.assertEqual(len([o for o in ova["objects"] if o["class"] == "VM"]), 1)

    def test_snapshots_kept_on_import(self):
        vm, _, _ = self.make_vm()
        snap = self.x.VM.snapshot(vm, "it-xva-snap")
        _, xva = self.export(vm)
        # an XVA with the VM's snapshot in it: ova.xml of the metadata export
        # (it has both VMs) in place of the plain one
        status, _, meta = self.http("GET", "/export_metadata",
                                    {"ref": vm, "session_id": self.session.handle})
        ova_meta = members(meta)[0][1]
        tar_in = tarfile.open(fileobj=io.BytesIO(xva), mode="r:")
        out = io.BytesIO()
        with tarfile.open(fileobj=out, mode="w:", format=tarfile.USTAR_FORMAT) as tar_out:
            for m in tar_in.getmembers():
                data = tar_in.extractfile(m).read()
                if m.name == "ova.xml":
                    data = ova_meta
                info = tarfile.TarInfo(m.name)
                info.size = len(data)
                tar_out.addfile(info, io.BytesIO(data))
        rec = self.import_xva(out.getvalue())
        self.assertEqual(rec["status"], "success", (rec["error_info"], self.log_tail()))
        new = refs_in(rec["result"].encode())
        self.assertEqual(len(new), 1)
        snaps = self.x.VM.get_snapshots(new[0])
        self.assertEqual(len(snaps), 1)
        srec = self.x.VM.get_record(snaps[0])
        self.assertEqual((srec["is_a_snapshot"], srec["name_label"]), (True, "it-xva-snap"))
        self.assertNotEqual(snaps[0], snap)


class ErrorTest(XvaTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()

    def setUp(self):
        if not hasattr(type(self), "xva"):
            vm, _, _ = self.make_vm()
            type(self).vm = vm
            type(self).xva = self.export(vm)[1]

    def failed_import(self, data, error, **query):
        before = self.counts()
        rec = self.import_xva(data, **query)
        self.assertEqual((rec["status"], rec["error_info"]), ("failure", error), self.log_tail())
        self.assertEqual(self.counts(), before, "objects left behind")

    def test_truncated(self):
        self.failed_import(self.xva[:len(self.xva) // 2], ["IMPORT_ERROR_PREMATURE_EOF"])
        self.failed_import(self.xva[:700], ["IMPORT_ERROR_PREMATURE_EOF"])

    def test_bad_checksum(self):
        data = bytearray(self.xva)
        names = members(self.xva)
        # the data of the first chunk: after ova.xml's header, data and padding
        ova_len = len(names[0][1])
        first = 512 + (ova_len + 511) // 512 * 512 + 512
        data[first + 10] ^= 0xff
        self.failed_import(bytes(data), ["IMPORT_ERROR_SOME_CHECKSUMS_FAILED"])
        rec = self.import_xva(bytes(data), force="true")
        self.assertEqual(rec["status"], "success", rec["error_info"])

    def sha1_xva(self, corrupt=False, ext=".checksum"):
        """self.xva as a pre-2017 xapi wrote it: each chunk followed by
        <chunk>.checksum holding its SHA-1 in hex (corrupt: the first
        chunk's data changed after its checksum was taken)."""
        out = io.BytesIO()
        first = True
        with tarfile.open(fileobj=out, mode="w:", format=tarfile.USTAR_FORMAT) as tar:
            for name, data in members(self.xva):
                if name.endswith(".xxhash"):
                    continue
                chunk = name.startswith("Ref:")
                if chunk and corrupt and first:
                    digest = hashlib.sha1(data).hexdigest()
                    data = bytes([data[0] ^ 0xff]) + data[1:]
                    first = False
                elif chunk:
                    digest = hashlib.sha1(data).hexdigest()
                for n, d in ((name, data),) + (((name + ext, digest.encode()),) if chunk else ()):
                    info = tarfile.TarInfo(n)
                    info.size = len(d)
                    tar.addfile(info, io.BytesIO(d))
        return out.getvalue()

    def test_sha1_checksums(self):
        rec = self.import_xva(self.sha1_xva())
        self.assertEqual(rec["status"], "success", (rec["error_info"], self.log_tail()))
        new = refs_in(rec["result"].encode())[0]
        copies = {self.x.VBD.get_userdevice(b): self.x.VBD.get_VDI(b)
                  for b in self.x.VM.get_VBDs(new)}
        origs = {self.x.VBD.get_userdevice(b): self.x.VBD.get_VDI(b)
                 for b in self.x.VM.get_VBDs(self.vm)}
        for dev in ("0", "1"):
            self.assertTrue(self.export_raw(copies[dev]) == self.export_raw(origs[dev]),
                            "disk %s differs" % dev)
        bad = self.sha1_xva(corrupt=True)
        self.failed_import(bad, ["IMPORT_ERROR_SOME_CHECKSUMS_FAILED"])
        rec = self.import_xva(bad, force="true")
        self.assertEqual(rec["status"], "success", rec["error_info"])
        unknown = self.sha1_xva(ext=".md5")
        first = [n for n, _ in members(unknown) if n.endswith(".md5")][0]
        self.failed_import(unknown, ["IMPORT_ERROR", "Found unsupported checksum file: " + first])

    def test_not_an_xva(self):
        out = io.BytesIO()
        with tarfile.open(fileobj=out, mode="w:", format=tarfile.USTAR_FORMAT) as tar:
            info = tarfile.TarInfo("hello.txt")
            info.size = 5
            tar.addfile(info, io.BytesIO(b"hello"))
        self.failed_import(out.getvalue(), ["IMPORT_ERROR_UNEXPECTED_FILE", "ova.xml", "hello.txt"])
        bad = bytearray(self.xva[:4096])
        bad[0:7] = b"garbage"
        self.failed_import(bytes(bad) + bytes(1024),
                           ["IMPORT_ERROR", "Invalid XVA file: a tar header's checksum fails"])

    def test_request_errors(self):
        s = self.session.handle
        status, _, body = self.http("GET", "/export", {"ref": "OpaqueRef:nope", "session_id": s})
        self.assertEqual((status, body.decode()), (404, "HANDLE_INVALID VM OpaqueRef:nope\n"))
        status, _, body = self.http("GET", "/export", {"ref": self.vm, "session_id": s,
                                                       "preserve_power_state": "true"})
        self.assertEqual((status, body.decode()),
                         (400, "INTERNAL_ERROR Unknown parameter preserve_power_state\n"))
        status, _, body = self.http("PUT", "/import", {"sr_id": "OpaqueRef:nope", "session_id": s},
                                    body=self.xva[:4096])
        self.assertEqual((status, body.decode()), (404, "HANDLE_INVALID SR OpaqueRef:nope\n"))
        status, _, body = self.http("PUT", "/import", {"sr_id": self.sr2, "session_id": s,
                                                       "restore": "maybe"}, body=b"x" * 512)
        self.assertEqual((status, body.decode()),
                         (400, "INTERNAL_ERROR restore= takes true or false\n"))
        conn = http.client.HTTPConnection("127.0.0.1", self.daemon.port, timeout=30)
        conn.putrequest("PUT", "/import?" + urllib.parse.urlencode({"sr_id": self.sr2,
                                                                    "session_id": s}))
        conn.putheader("Transfer-Encoding", "chunked")
        conn.endheaders()
        conn.send(b"200\r\n" + bytes(512) + b"\r\n0\r\n\r\n")
        resp = conn.getresponse()
        self.assertEqual((resp.status, resp.read().decode()),
                         (403, "IMPORT_ERROR_CANNOT_HANDLE_CHUNKED\n"))
        conn.close()

    def test_running_vm_refused(self):
        vm = self.create_vm("it-xva-running")
        self.x.VM.start(vm, False, False)
        try:
            status, _, body = self.http("GET", "/export", {"ref": vm,
                                                           "session_id": self.session.handle})
            self.assertEqual((status, body.decode()),
                             (500, "VM_BAD_POWER_STATE %s halted, suspended running\n" % vm))
        finally:
            self.x.VM.hard_shutdown(vm)


def ova_tar(ova):
    """A metadata-only XVA: a tar of ova.xml alone."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:", format=tarfile.USTAR_FORMAT) as tar:
        info = tarfile.TarInfo("ova.xml")
        info.size = len(ova)
        tar.addfile(info, io.BytesIO(ova))
    return out.getvalue()


class ImportMetadataTest(XvaTestCase):
    """PUT /import_metadata (a VM restored from /export_metadata, pointing
    at the VDIs that are here) and restore=true over an existing VM, as
    xapi's import.ml."""

    def metadata(self, vm):
        status, _, body = self.http("GET", "/export_metadata",
                                    {"ref": vm, "session_id": self.session.handle,
                                     "export_snapshots": "false"})
        self.assertEqual(status, 200, body)
        return body

    def put_metadata(self, data, **query):
        q = {"session_id": self.session.handle}
        q.update(query)
        status, headers, body = self.http("PUT", "/import_metadata", q, body=data,
                                          headers={"Content-Length": str(len(data))})
        self.assertEqual(status, 200, body)
        return self.wait_task(headers["task-id"], timeout=60)

    def failed(self, data, error, **query):
        before = self.counts()
        rec = self.put_metadata(data, **query)
        self.assertEqual((rec["status"], rec["error_info"]), ("failure", error), self.log_tail())
        self.assertEqual(self.counts(), before, "objects left behind")

    def disks_of(self, vm):
        return {self.x.VBD.get_userdevice(b): self.x.VBD.get_VDI(b)
                for b in self.x.VM.get_VBDs(vm)}

    def test_new_vm_on_existing_disks(self):
        vm, disks, net = self.make_vm()
        meta = self.metadata(vm)
        before = self.counts()
        rec = self.put_metadata(meta)
        self.assertEqual(rec["status"], "success", (rec["error_info"], self.log_tail()))
        new = refs_in(rec["result"].encode())
        self.assertEqual(len(new), 1)
        self.assertNotEqual(self.x.VM.get_uuid(new[0]), self.x.VM.get_uuid(vm))
        self.assertEqual(self.disks_of(new[0]), {"0": disks[0], "1": disks[1], "3": NULL})
        self.assertEqual(self.x.VIF.get_network(self.x.VM.get_VIFs(new[0])[0]), net)
        after = self.counts()
        self.assertEqual({k: after[k] - before[k] for k in after},
                         {"VM": 1, "VDI": 0, "VBD": 3, "VIF": 1, "network": 0})

    def test_restore_replaces_the_vm_as_xapi(self):
        vm, disks, _ = self.make_vm()
        uuid_ = self.x.VM.get_uuid(vm)
        meta = self.metadata(vm)
        # the same version is not newer: refused unless force
        self.failed(meta, ["VM_TO_IMPORT_IS_NOT_NEWER_VERSION", vm, "0", "0"], restore="true")
        old_vbds = self.x.VM.get_VBDs(vm)
        rec = self.put_metadata(meta, restore="true", force="true")
        self.assertEqual(rec["status"], "success", (rec["error_info"], self.log_tail()))
        new = refs_in(rec["result"].encode())[0]
        self.assertNotIn(vm, self.x.VM.get_all())          # replaced, with its devices
        self.assertEqual(self.x.VM.get_uuid(new), uuid_)    # keeping its uuid
        self.assertEqual(self.x.VM.get_record(new)["version"], "1")
        self.assertEqual(self.disks_of(new), {"0": disks[0], "1": disks[1], "3": NULL})
        self.assertFalse(set(old_vbds) & set(self.x.VBD.get_all()))
        # an XVA older than the VM here (version 1 now)
        self.failed(meta, ["VM_TO_IMPORT_IS_NOT_NEWER_VERSION", new, "1", "0"], restore="true")
        # the same through /import with the disks: the uuid is kept, the VM
        # replaced (its own export is not newer than itself: force)
        _, xva = self.export(new)
        rec = self.import_xva(xva, restore="true")
        self.assertEqual(rec["error_info"], ["VM_TO_IMPORT_IS_NOT_NEWER_VERSION", new, "1", "1"])
        rec = self.import_xva(xva, restore="true", force="true")
        self.assertEqual(rec["status"], "success", (rec["error_info"], self.log_tail()))
        again = refs_in(rec["result"].encode())[0]
        self.assertEqual((self.x.VM.get_uuid(again), self.x.VM.get_record(again)["version"]),
                         (uuid_, "2"))
        self.assertNotIn(new, self.x.VM.get_all())

    def test_mac_seeds_as_xapi(self):
        # a plain import gives each VM a fresh mac_seed (its VIFs' MACs come
        # from it); a restore keeps it, and refuses one another VM here has
        vm, _, _ = self.make_vm()
        seed = self.x.VM.get_other_config(vm)["mac_seed"]
        meta = self.metadata(vm)
        made = []
        for _ in range(2):
            rec = self.put_metadata(meta)
            self.assertEqual(rec["status"], "success", (rec["error_info"], self.log_tail()))
            made.append(refs_in(rec["result"].encode())[0])
        seeds = [self.x.VM.get_other_config(m)["mac_seed"] for m in made]
        self.assertEqual(len({seed, *seeds}), 3, seeds)
        macs = [self.x.VIF.get_MAC(self.x.VM.get_VIFs(m)[0]) for m in made]
        self.assertNotEqual(macs[0], macs[1])
        # the same VM (its uuid): a restore over it keeps the seed
        rec = self.put_metadata(meta, restore="true", force="true")
        self.assertEqual(rec["status"], "success", (rec["error_info"], self.log_tail()))
        restored = refs_in(rec["result"].encode())[0]
        self.assertEqual(self.x.VM.get_other_config(restored)["mac_seed"], seed)
        # another VM here with that seed: refused, nothing made
        self.x.VM.remove_from_other_config(made[0], "mac_seed")
        self.x.VM.add_to_other_config(made[0], "mac_seed", seed)
        self.failed(meta, ["DUPLICATE_MAC_SEED", seed], restore="true", force="true")

    def test_restore_over_a_running_vm(self):
        vm = self.create_vm("it-xva-restore-running")
        meta = self.metadata(vm)
        self.x.VM.start(vm, False, False)
        try:
            self.failed(meta, ["VM_BAD_POWER_STATE", vm, "Halted", "Running"], restore="true")
            rec = self.put_metadata(meta, restore="true", force="true")   # skipped
            self.assertEqual((rec["status"], refs_in(rec["result"].encode())), ("success", []))
            self.assertEqual(self.x.VM.get_power_state(vm), "Running")
        finally:
            self.x.VM.hard_shutdown(vm)

    def test_missing_vdi(self):
        vm, disks, _ = self.make_vm()
        meta = self.metadata(vm)
        gone_uuid = self.x.VDI.get_uuid(disks[1])
        location = self.x.VDI.get_location(disks[1])
        for vbd in self.x.VM.get_VBDs(vm):
            if self.x.VBD.get_VDI(vbd) == disks[1]:
                self.x.VBD.destroy(vbd)
        self.x.VDI.destroy(disks[1])
        self.failed(meta, ["VDI_LOCATION_MISSING", self.sr, location])
        # vdi:<uuid in the XVA>=<uuid here>: xapi's vdi_map
        other = self.create_vdi(self.sr, MIB, name="xva-mapped")
        rec = self.put_metadata(meta, **{"vdi:" + gone_uuid: self.x.VDI.get_uuid(other)})
        self.assertEqual(rec["status"], "success", (rec["error_info"], self.log_tail()))
        new = refs_in(rec["result"].encode())[0]
        self.assertEqual(self.disks_of(new), {"0": disks[0], "1": other, "3": NULL})
        # force: the disk is left out, as xapi
        rec = self.put_metadata(meta, force="true")
        self.assertEqual(rec["status"], "success", (rec["error_info"], self.log_tail()))
        new = refs_in(rec["result"].encode())[0]
        self.assertEqual(self.disks_of(new), {"0": disks[0], "3": NULL})
        # the XVA's SR is not here either: no location to look in
        ova = members(meta)[0][1].replace(self.x.SR.get_uuid(self.sr).encode(),
                                          str(uuid.uuid4()).encode())
        self.failed(ova_tar(ova), ["VDI_CONTENT_ID_MISSING"])

    def test_request_errors(self):
        vm = self.create_vm("it-xva-meta-errors")
        meta = self.metadata(vm)
        s = self.session.handle
        for name in ("dry_run", "live", "check_cpu"):
            status, _, body = self.http("PUT", "/import_metadata", {"session_id": s, name: "true"},
                                        body=meta)
            self.assertEqual((status, body.decode()),
                             (400, "INTERNAL_ERROR %s=true is not supported\n" % name))
        status, _, body = self.http("PUT", "/import_metadata", {"session_id": s,
                                                                "base": self.sr2}, body=meta)
        self.assertEqual((status, body.decode()), (400, "INTERNAL_ERROR Unknown parameter base\n"))
        self.failed(meta[:700], ["IMPORT_ERROR_PREMATURE_EOF"])
        # what xapi's xe sends: dry_run=false and the default SR
        rec = self.put_metadata(meta, dry_run="false", sr_id=self.sr2, restore="false",
                                force="false")
        self.assertEqual(rec["status"], "success", rec["error_info"])
        status, _, body = self.http("PUT", "/import", {"session_id": s, "dry_run": "true"},
                                    body=meta)
        self.assertEqual((status, body.decode()),
                         (400, "INTERNAL_ERROR dry_run=true is not supported\n"))
