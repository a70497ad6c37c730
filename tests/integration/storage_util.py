"""What the storage tests share: a base class whose daemon loads the `file`
SR driver, SRs in temp directories, and the raw HTTP transfers
(/import_raw_vdi, /export_raw_vdi) as xapi's clients do them."""

import base64
import hashlib
import http.client
import os
import shutil
import subprocess
import tempfile
import time
import urllib.parse

from harness import DaemonTestCase, NULL_REF

MIB = 1 << 20
GIB = 1 << 30


def pattern(size, seed):
    """size bytes that differ per seed and per MiB (no zero runs)."""
    out = bytearray()
    block = 0
    while len(out) < size:
        h = hashlib.sha256(b"%d:%d" % (seed, block)).digest()
        out += h * (MIB // len(h))
        block += 1
    return bytes(out[:size])


class StorageTestCase(DaemonTestCase):
    """A daemon with the file SR driver and a directory for SRs."""

    daemon_plugins = {"file": {}}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.srdir = tempfile.mkdtemp(prefix="xapid-it-srs-")
        cls.addClassCleanup(shutil.rmtree, cls.srdir, True)
        cls.host = cls.x.session.get_this_host(cls.session.handle)

    # ---- SRs ----

    def new_location(self, name):
        path = os.path.join(self.srdir, "%s-%d" % (name, time.monotonic_ns()))
        os.makedirs(path)
        return path

    def create_sr(self, name="it-file-sr", location=None, **kw):
        """SR.create of a file SR; returns (sr, location)."""
        location = location or self.new_location(name)
        sr = self.x.SR.create(self.host, {"location": location}, "0", name, "made by the tests",
                              "file", kw.get("content_type", "user"), kw.get("shared", False),
                              kw.get("sm_config", {}))
        return sr, location

    def sr_dir(self, sr, location):
        return os.path.join(location, self.x.SR.get_uuid(sr))

    def pbd_of(self, sr):
        pbds = self.x.SR.get_PBDs(sr)
        self.assertEqual(len(pbds), 1)
        return pbds[0]

    def create_vdi(self, sr, size=16 * MIB, name="it-vdi", **extra):
        rec = {"name_label": name, "name_description": "made by the tests", "SR": sr,
               "virtual_size": str(size), "type": "user", "sharable": False,
               "read_only": False, "other_config": {}}
        rec.update(extra)
        return self.x.VDI.create(rec)

    def attached_vbd(self, vdi, mode="RW"):
        """A VBD that says it is attached (VBD.currently_attached is a
        constructor field): what a running VM's disk looks like."""
        vm = self.create_vm("it-storage-vm")
        return self.x.VBD.create({
            "VM": vm, "VDI": vdi, "userdevice": "autodetect", "bootable": False, "mode": mode,
            "type": "Disk", "empty": False, "other_config": {}, "qos_algorithm_type": "",
            "qos_algorithm_params": {}, "currently_attached": True})

    # ---- HTTP transfers ----

    def http(self, method, path, query, body=None, headers=None, timeout=120):
        """(status, headers, body bytes)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.daemon.port, timeout=timeout)
        try:
            url = path + "?" + urllib.parse.urlencode(query)
            conn.request(method, url, body=body, headers=headers or {})
            resp = conn.getresponse()
            data = resp.read()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
        finally:
            conn.close()

    def import_raw(self, vdi, data, **query):
        q = {"vdi": vdi, "session_id": self.session.handle}
        q.update(query)
        status, headers, body = self.http("PUT", "/import_raw_vdi", q, body=data,
                                          headers={"Content-Length": str(len(data))})
        self.assertEqual(status, 200, "import failed: %r\n%s" % (body, self.log_tail(30)))
        return headers

    def export_raw(self, vdi, **query):
        q = {"vdi": vdi, "session_id": self.session.handle}
        q.update(query)
        status, headers, body = self.http("GET", "/export_raw_vdi", q)
        self.assertEqual(status, 200, "export failed: %r\n%s" % (body[:300], self.log_tail(30)))
        return body

    @staticmethod
    def basic_auth(user, password):
        token = base64.b64encode(("%s:%s" % (user, password)).encode()).decode()
        return {"Authorization": "Basic " + token}

    # ---- misc ----

    def wait_success(self, task, timeout=60.0):
        rec = self.wait_task(task, timeout=timeout)
        self.assertEqual(rec["status"], "success",
                         "task failed: %r\n%s" % (rec["error_info"], self.log_tail(40)))
        return rec

    def qemu_img(self, *args):
        subprocess.run(["qemu-img"] + list(args), check=True, stdout=subprocess.DEVNULL)


def result_ref(task_record):
    """The ref in a task's result ("<value>OpaqueRef:...</value>")."""
    r = task_record["result"]
    for tag in ("<value>", "</value>"):
        r = r.replace(tag, "")
    return r


__all__ = ["StorageTestCase", "pattern", "result_ref", "MIB", "GIB", "NULL_REF"]
