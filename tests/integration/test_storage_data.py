"""VDI data over the wire with the `file` SR driver: HTTP PUT
/import_raw_vdi and GET /export_raw_vdi (credentials, errors, tasks), data
integrity across snapshot / clone chains / resize / destroy, and VDI.copy
(sync, Async with progress and cancel, into an existing VDI, incremental
from a base)."""

import hashlib
import http.client
import os
import socket
import time
import unittest
import urllib.parse
import uuid

from harness import NULL_REF, REF_RE
from storage_util import GIB, MIB, StorageTestCase, pattern, result_ref


class DataTestCase(StorageTestCase):

    def assertBytes(self, got, want):
        """got == want, said with the first byte where they differ (not
        megabytes of both, as assertEqual would)."""
        if got == want:
            return
        at = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b),
                  min(len(got), len(want)))
        self.fail("%d bytes where %d were expected, the first difference at byte %d"
                  % (len(got), len(want), at))

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        location = os.path.join(cls.srdir, "data-sr")
        os.makedirs(location)
        cls.sr = cls.x.SR.create(cls.host, {"location": location}, "0", "data-sr", "", "file",
                                 "user", False, {})


class TransferTest(DataTestCase):

    def test_round_trip(self):
        vdi = self.create_vdi(self.sr, 8 * MIB)
        data = pattern(8 * MIB, 1)
        headers = self.import_raw(vdi, data)
        task = headers["task-id"]
        rec = self.x.task.get_record(task)
        self.assertEqual((rec["status"], rec["progress"], result_ref(rec)), ("success", 1.0, vdi))
        out = self.export_raw(vdi)
        self.assertEqual(len(out), 8 * MIB)
        self.assertBytes(out, data)
        # a shorter body overwrites the start only
        self.import_raw(vdi, pattern(3 * MIB, 2))
        out = self.export_raw(vdi)
        self.assertBytes(out[:3 * MIB], pattern(3 * MIB, 2))
        self.assertBytes(out[3 * MIB:], data[3 * MIB:])
        self.assertEqual(self.x.VDI.get_current_operations(vdi), {})

    def test_zeros_overwrite_data(self):
        # a piece of zeros is skipped only where the VDI reads as zeros
        # already: over data (whole pieces, and a piece half data, half
        # hole) it must land
        vdi = self.create_vdi(self.sr, 12 * MIB)
        self.import_raw(vdi, pattern(6 * MIB, 7))
        self.import_raw(vdi, bytes(8 * MIB) + pattern(4 * MIB, 8))
        out = self.export_raw(vdi)
        self.assertBytes(out[:8 * MIB], bytes(8 * MIB))
        self.assertBytes(out[8 * MIB:], pattern(4 * MIB, 8))

    def test_by_uuid_and_client_task(self):
        vdi = self.create_vdi(self.sr, 2 * MIB)
        task = self.x.task.create("it-import", "")
        self.import_raw(self.x.VDI.get_uuid(vdi), pattern(2 * MIB, 3), task_id=task)
        rec = self.x.task.get_record(task)
        self.assertEqual((rec["status"], rec["progress"], result_ref(rec)), ("success", 1.0, vdi))
        task = self.x.task.create("it-export", "")
        out = self.export_raw(self.x.VDI.get_uuid(vdi), task_id=task)
        self.assertBytes(out, pattern(2 * MIB, 3))
        self.assertEqual(self.x.task.get_status(task), "success")

    def test_export_sends_the_whole_sparse_disk(self):
        vdi = self.create_vdi(self.sr, 256 * MIB)
        self.import_raw(vdi, pattern(MIB, 4))
        conn = http.client.HTTPConnection("127.0.0.1", self.daemon.port, timeout=120)
        conn.request("GET", "/export_raw_vdi?" + urllib.parse.urlencode(
            {"vdi": vdi, "session_id": self.session.handle}))
        resp = conn.getresponse()
        self.assertEqual(resp.status, 200)
        self.assertEqual(resp.getheader("Content-Length"), str(256 * MIB))
        self.assertEqual(resp.getheader("Content-Type"), "application/octet-stream")
        h, got, zeros = hashlib.sha256(), 0, bytes(MIB)
        first = resp.read(MIB)
        self.assertTrue(first == pattern(MIB, 4))
        got += len(first)
        while True:
            chunk = resp.read(MIB)
            if not chunk:
                break
            self.assertTrue(chunk == zeros[:len(chunk)])
            got += len(chunk)
        conn.close()
        self.assertEqual(got, 256 * MIB)

    def test_basic_auth(self):
        vdi = self.create_vdi(self.sr, MIB)
        data = pattern(MIB, 5)
        status, _, body = self.http("PUT", "/import_raw_vdi", {"vdi": vdi}, body=data,
                                    headers=self.basic_auth("root", "xapi-c-root-pw"))
        self.assertEqual(status, 200, body)
        status, _, body = self.http("GET", "/export_raw_vdi", {"vdi": vdi},
                                    headers=self.basic_auth("root", "xapi-c-root-pw"))
        self.assertEqual(status, 200)
        self.assertTrue(body == data)
        status, headers, body = self.http("GET", "/export_raw_vdi", {"vdi": vdi},
                                          headers=self.basic_auth("root", "wrong"))
        self.assertEqual(status, 401)

    def test_credentials_refused(self):
        vdi = self.create_vdi(self.sr, MIB)
        status, headers, body = self.http("GET", "/export_raw_vdi", {"vdi": vdi})
        self.assertEqual(status, 401)
        self.assertEqual(headers.get("www-authenticate"), 'Basic realm="VDI.export_raw"')
        self.assertIn(b"SESSION_AUTHENTICATION_FAILED", body)
        task = self.x.task.create("it-denied", "")
        status, _, _ = self.http("PUT", "/import_raw_vdi",
                                 {"vdi": vdi, "session_id": "OpaqueRef:%s" % uuid.uuid4(),
                                  "task_id": task}, body=b"x" * 512)
        self.assertEqual(status, 401)
        rec = self.x.task.get_record(task)
        self.assertEqual((rec["status"], rec["error_info"]),
                         ("failure", ["SESSION_AUTHENTICATION_FAILED"]))

    @unittest.skipUnless(os.getuid() == 0, "the unix socket skips credentials for root only")
    def test_unix_socket_as_root(self):
        vdi = self.create_vdi(self.sr, MIB)
        self.import_raw(vdi, pattern(MIB, 6))

        class UnixConn(http.client.HTTPConnection):
            def __init__(self, path):
                super().__init__("localhost", timeout=60)
                self.path = path

            def connect(self):
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(self.path)

        conn = UnixConn(self.daemon.socket_path)
        conn.request("GET", "/export_raw_vdi?vdi=" + vdi)
        resp = conn.getresponse()
        self.assertEqual(resp.status, 200)
        self.assertTrue(resp.read() == pattern(MIB, 6))
        conn.close()

    def test_errors(self):
        vdi = self.create_vdi(self.sr, MIB)
        s = self.session.handle
        bad = "OpaqueRef:%s" % uuid.uuid4()
        status, _, body = self.http("GET", "/export_raw_vdi", {"vdi": bad, "session_id": s})
        self.assertEqual((status, body.decode()), (404, "HANDLE_INVALID VDI %s\n" % bad))
        nouuid = str(uuid.uuid4())
        status, _, body = self.http("GET", "/export_raw_vdi", {"vdi": nouuid, "session_id": s})
        self.assertEqual((status, body.decode()), (404, "UUID_INVALID VDI %s\n" % nouuid))
        status, _, body = self.http("GET", "/export_raw_vdi", {"session_id": s})
        self.assertEqual(status, 400)
        task = self.x.task.create("it-format", "")
        status, _, body = self.http("GET", "/export_raw_vdi",
                                    {"vdi": vdi, "session_id": s, "format": "foo",
                                     "task_id": task})
        self.assertEqual(status, 404)
        self.assertEqual(self.x.task.get_error_info(task), ["INTERNAL_ERROR", "Unknown format foo"])
        # base= goes with vhd or qcow2 only (tar: test_transfer_formats.TarTest)
        status, _, body = self.http("GET", "/export_raw_vdi",
                                    {"vdi": vdi, "session_id": s, "format": "tar", "base": vdi})
        self.assertEqual((status, body.decode()),
                         (400, "INTERNAL_ERROR base= needs format=vhd or qcow2\n"))
        # more than the VDI holds
        status, _, body = self.http("PUT", "/import_raw_vdi", {"vdi": vdi, "session_id": s},
                                    body=bytes(2 * MIB))
        self.assertEqual((status, body.decode()),
                         (400, "VDI_TOO_SMALL %s %d\n" % (vdi, 2 * MIB)))

    def test_import_needs_content_length(self):
        vdi = self.create_vdi(self.sr, MIB)
        with socket.create_connection(("127.0.0.1", self.daemon.port), timeout=30) as sock:
            sock.sendall(("PUT /import_raw_vdi?vdi=%s&session_id=%s HTTP/1.1\r\nHost: x\r\n\r\n"
                          % (vdi, self.session.handle)).encode())
            answer = sock.recv(4096).decode()
        self.assertTrue(answer.startswith("HTTP/1.1 411 "), answer)

    def test_import_into_a_new_vdi(self):
        data = pattern(3 * MIB, 7)
        status, headers, body = self.http("PUT", "/import_raw_vdi",
                                          {"sr_id": self.sr, "session_id": self.session.handle},
                                          body=data)
        self.assertEqual(status, 200, body)
        vdi = result_ref(self.x.task.get_record(headers["task-id"]))
        self.assertRegex(vdi, REF_RE)
        rec = self.x.VDI.get_record(vdi)
        self.assertEqual((rec["name_label"], rec["virtual_size"], rec["SR"]),
                         ("Imported VDI", str(3 * MIB), self.sr))
        self.assertTrue(self.export_raw(vdi) == data)

    def test_one_writer_at_a_time(self):
        """A second import into a VDI, or an export of it, while an import
        writes it: 409 and VDI_IN_USE [vdi, op], nothing interleaved; two
        exports at once are fine."""
        vdi = self.create_vdi(self.sr, 8 * MIB)
        first = pattern(8 * MIB, 11)
        s = socket.create_connection(("127.0.0.1", self.daemon.port), timeout=60)
        s.sendall(("PUT /import_raw_vdi?%s HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n"
                   % (urllib.parse.urlencode({"vdi": vdi, "session_id": self.session.handle}),
                      len(first))).encode())
        s.sendall(first[:MIB])   # the import is under way, its client sends slowly
        try:
            # the first import holds the VDI once xapid logs it: a probe sent
            # before that (a loaded machine) would win the VDI itself
            deadline = time.monotonic() + 30
            while "import_raw_vdi: VDI %s" % vdi not in self.daemon.log_text():
                self.assertLess(time.monotonic(), deadline, "the first import never started")
                time.sleep(0.05)
            while True:   # until the import holds the VDI
                status, _, body = self.http("PUT", "/import_raw_vdi", {"vdi": vdi},
                                            body=pattern(MIB, 12),
                                            headers=self.basic_auth("root", "xapi-c-root-pw"))
                if status == 409:
                    break
                self.assertLess(time.monotonic(), deadline, (status, body))
                time.sleep(0.05)
            self.assertEqual(body.decode(), "VDI_IN_USE %s import\n" % vdi)
            status, _, body = self.http("GET", "/export_raw_vdi",
                                        {"vdi": vdi, "session_id": self.session.handle})
            self.assertEqual((status, body.decode()), (409, "VDI_IN_USE %s export\n" % vdi))
            s.sendall(first[MIB:])
            s.settimeout(60)
            answer = s.recv(4096)
            self.assertTrue(answer.startswith(b"HTTP/1.1 200"), answer)
        finally:
            s.close()
        # the first import alone wrote the disk
        self.assertTrue(self.export_raw(vdi) == first)
        # readers share: two exports at once
        c1 = http.client.HTTPConnection("127.0.0.1", self.daemon.port, timeout=60)
        c1.request("GET", "/export_raw_vdi?" + urllib.parse.urlencode(
            {"vdi": vdi, "session_id": self.session.handle}))
        r1 = c1.getresponse()
        head = r1.read(MIB)
        try:
            self.assertTrue(self.export_raw(vdi) == first)
            self.assertTrue(head + r1.read() == first)
        finally:
            c1.close()
        # and once nobody holds it, an import goes through
        self.import_raw(vdi, pattern(MIB, 13))

    def test_transfer_marks_the_vdi_in_use(self):
        vdi = self.create_vdi(self.sr, 128 * MIB)
        self.import_raw(vdi, pattern(128 * MIB, 8))
        conn = http.client.HTTPConnection("127.0.0.1", self.daemon.port, timeout=120)
        conn.request("GET", "/export_raw_vdi?" + urllib.parse.urlencode(
            {"vdi": vdi, "session_id": self.session.handle}))
        resp = conn.getresponse()
        resp.read(MIB)   # the export is under way, the client reads slowly
        try:
            self.assertFailure(["VDI_IN_USE", vdi, "destroy"], self.x.VDI.destroy, vdi)
            self.assertNotIn("destroy", self.x.VDI.get_allowed_operations(vdi))
        finally:
            resp.close()   # the response holds the socket open too
            conn.close()
        deadline = time.monotonic() + 30
        while "destroy" not in self.x.VDI.get_allowed_operations(vdi):
            self.assertLess(time.monotonic(), deadline, self.log_tail(30))
            time.sleep(0.05)
        self.x.VDI.destroy(vdi)


class IntegrityTest(DataTestCase):

    def test_snapshot_keeps_the_old_data(self):
        vdi = self.create_vdi(self.sr, 16 * MIB)
        a, b = pattern(16 * MIB, 10), pattern(16 * MIB, 11)
        self.import_raw(vdi, a)
        snap = self.x.VDI.snapshot(vdi, {})
        self.import_raw(vdi, b)
        self.assertTrue(self.export_raw(vdi) == b)
        self.assertTrue(self.export_raw(snap) == a)

    def test_clone_chain(self):
        v0 = self.create_vdi(self.sr, 12 * MIB)
        p0 = pattern(12 * MIB, 20)
        self.import_raw(v0, p0)
        chain, expected = [v0], [p0]
        for i in range(1, 5):
            c = self.x.VDI.clone(chain[-1], {})
            head = pattern((i + 1) * MIB, 20 + i)
            self.import_raw(c, head)
            chain.append(c)
            expected.append(head + expected[-1][len(head):])
        for vdi, want in zip(chain, expected):
            self.assertTrue(self.export_raw(vdi) == want, vdi)
        # a link in the middle goes; the others keep their data
        self.x.VDI.destroy(chain[2])
        for vdi, want in zip(chain[:2] + chain[3:], expected[:2] + expected[3:]):
            self.assertTrue(self.export_raw(vdi) == want, vdi)

    def test_resize_keeps_the_data(self):
        vdi = self.create_vdi(self.sr, 8 * MIB)
        p = pattern(8 * MIB, 30)
        self.import_raw(vdi, p)
        self.x.VDI.resize(vdi, str(20 * MIB))
        out = self.export_raw(vdi)
        self.assertEqual(len(out), 20 * MIB)
        self.assertBytes(out[:8 * MIB], p)
        self.assertBytes(out[8 * MIB:], bytes(12 * MIB))

    def test_destroy_vdi_with_snapshots(self):
        # as xapi: the snapshots stay, with a snapshot_of naming a VDI that is gone
        vdi = self.create_vdi(self.sr, 4 * MIB)
        a = pattern(4 * MIB, 40)
        self.import_raw(vdi, a)
        s1 = self.x.VDI.snapshot(vdi, {})
        s2 = self.x.VDI.snapshot(vdi, {})
        self.assertEqual(set(self.x.VDI.get_snapshots(vdi)), {s1, s2})
        self.x.VDI.destroy(vdi)
        self.assertFailure(["HANDLE_INVALID", "VDI", vdi], self.x.VDI.get_record, vdi)
        for s in (s1, s2):
            rec = self.x.VDI.get_record(s)
            self.assertEqual((rec["is_a_snapshot"], rec["snapshot_of"]), (True, vdi))
            self.assertTrue(self.export_raw(s) == a)
        # a clone of a snapshot is how a snapshot is restored
        restored = self.x.VDI.clone(s1, {})
        self.assertTrue(self.export_raw(restored) == a)
        self.x.SR.scan(self.sr)
        self.assertEqual(self.x.VDI.get_snapshot_of(s1), vdi)


class CopyTest(DataTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        location = os.path.join(cls.srdir, "copy-target")
        os.makedirs(location)
        cls.sr2 = cls.x.SR.create(cls.host, {"location": location}, "0", "copy-target", "",
                                  "file", "user", False, {})

    def test_copy_to_another_sr(self):
        vdi = self.create_vdi(self.sr, 8 * MIB, "copied", other_config={"k": "v"})
        p = pattern(8 * MIB, 50)
        self.import_raw(vdi, p)
        dst = self.x.VDI.copy(vdi, self.sr2, NULL_REF, NULL_REF)
        rec = self.x.VDI.get_record(dst)
        self.assertEqual((rec["SR"], rec["name_label"], rec["virtual_size"], rec["other_config"],
                          rec["read_only"], rec["is_a_snapshot"]),
                         (self.sr2, "copied", str(8 * MIB), {"k": "v"}, False, False))
        self.assertEqual(rec["current_operations"], {})
        self.assertTrue(self.export_raw(dst) == p)
        self.assertEqual(self.x.VDI.get_current_operations(vdi), {})

    def test_copy_into_existing(self):
        vdi = self.create_vdi(self.sr, 4 * MIB)
        p = pattern(4 * MIB, 51)
        self.import_raw(vdi, p)
        into = self.create_vdi(self.sr2, 6 * MIB)
        self.import_raw(into, pattern(6 * MIB, 52))
        self.assertEqual(self.x.VDI.copy(vdi, NULL_REF, NULL_REF, into), into)
        out = self.export_raw(into)
        self.assertBytes(out[:4 * MIB], p)
        self.assertBytes(out[4 * MIB:], pattern(6 * MIB, 52)[4 * MIB:])
        small = self.create_vdi(self.sr2, 2 * MIB)
        self.assertFailure(["VDI_TOO_SMALL", small, str(4 * MIB)], self.x.VDI.copy, vdi,
                           NULL_REF, NULL_REF, small)

    def test_copy_errors(self):
        vdi = self.create_vdi(self.sr, MIB)
        bad = "OpaqueRef:%s" % uuid.uuid4()
        self.assertFailure(["HANDLE_INVALID", "VDI", bad], self.x.VDI.copy, bad, self.sr2,
                           NULL_REF, NULL_REF)
        self.assertFailure(["HANDLE_INVALID", "SR", bad], self.x.VDI.copy, vdi, bad, NULL_REF,
                           NULL_REF)
        self.x.VDI.snapshot(vdi, {})
        base = [r for r in self.x.SR.get_VDIs(self.sr) if not self.x.VDI.get_managed(r)][0]
        self.assertFailure(["VDI_READONLY", base], self.x.VDI.copy, vdi, NULL_REF, NULL_REF, base)
        self.assertFailure(["VDI_NOT_MANAGED", base], self.x.VDI.copy, base, self.sr2, NULL_REF,
                           NULL_REF)

    def test_incremental_copy_from_a_base(self):
        vdi = self.create_vdi(self.sr, 8 * MIB)
        p0 = pattern(8 * MIB, 60)
        self.import_raw(vdi, p0)
        base = self.x.VDI.snapshot(vdi, {})
        backup = self.x.VDI.copy(base, self.sr2, NULL_REF, NULL_REF)
        head = pattern(2 * MIB, 61)
        self.import_raw(vdi, head)
        self.assertEqual(self.x.VDI.copy(vdi, NULL_REF, base, backup), backup)
        self.assertTrue(self.export_raw(backup) == head + p0[2 * MIB:])

    def test_async_copy_progress_and_cancel(self):
        size = 512 * MIB
        vdi = self.create_vdi(self.sr, size)
        self.import_raw(vdi, pattern(size, 70))
        vdis_before = set(self.x.SR.get_VDIs(self.sr2))
        task = self.x.Async.VDI.copy(vdi, self.sr2, NULL_REF, NULL_REF)
        deadline = time.monotonic() + 30
        while True:
            rec = self.x.task.get_record(task)
            ops = self.x.VDI.get_current_operations(vdi)
            if rec["status"] != "pending" or (rec["progress"] > 0 and ops):
                break
            self.assertLess(time.monotonic(), deadline, self.log_tail(30))
            time.sleep(0.01)
        self.assertEqual(rec["status"], "pending", "the copy ended before the test looked")
        self.assertEqual(ops, {task: "copy"})
        self.assertNotIn("copy", set(self.x.VDI.get_allowed_operations(vdi)) - {"copy"})
        self.assertFailure(["OPERATION_NOT_ALLOWED", "Snapshot operation not allowed during copy."],
                           self.x.VDI.snapshot, vdi, {})
        self.assertFailure(["VDI_IN_USE", vdi, "destroy"], self.x.VDI.destroy, vdi)
        self.x.task.cancel(task)
        rec = self.wait_task(task, timeout=60)
        self.assertEqual((rec["status"], rec["error_info"]), ("cancelled", ["TASK_CANCELLED", task]))
        self.assertEqual(self.x.VDI.get_current_operations(vdi), {})
        self.assertIn("destroy", self.x.VDI.get_allowed_operations(vdi))
        # the VDI the copy made is gone again
        self.assertEqual(set(self.x.SR.get_VDIs(self.sr2)), vdis_before)

    def test_async_copy_completes(self):
        vdi = self.create_vdi(self.sr, 64 * MIB)
        p = pattern(32 * MIB, 80)
        self.import_raw(vdi, p)
        task = self.x.Async.VDI.copy(vdi, self.sr2, NULL_REF, NULL_REF)
        rec = self.wait_success(task)
        self.assertEqual(rec["progress"], 1.0)
        dst = result_ref(rec)
        out = self.export_raw(dst)
        self.assertBytes(out[:32 * MIB], p)
        self.assertBytes(out[32 * MIB:], bytes(32 * MIB))


if __name__ == "__main__":
    unittest.main()
