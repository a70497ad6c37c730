"""A blob's bytes over HTTP (GET/PUT /blob, as xapi's Xapi_blob.handler) and
`xe blob-get` / `xe blob-put`: binary round trips by ref= and uuid=, a
chunked PUT, a body without a length or cut short, a missing or unknown
blob, credentials (none, bad, Basic, a read-only user refused for PUT with
http/put_blob's denial), a public blob read by anyone, the bytes across a
restart and gone with blob.destroy; xe's outputs and exit codes."""

import http.client
import os
import socket
import time
import urllib.parse

from harness import ROOT_PASSWORD, ROOT_USER, USERS, add_subject, new_ref, vm_record
from test_xe_vm import XeVmBase

ALL_BYTES = bytes(range(256)) * 8 + b"\r\n0\r\n\r\n\x00"


class BlobHttpTest(XeVmBase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.vm = cls.x.VM.create(vm_record("blob-owner"))
        for role in ("read-only", "vm-admin", "vm-power-admin"):
            add_subject(cls.x, "user-" + role, role)
        cls.sessions = {r: cls.daemon.session("user-" + r, USERS["user-" + r])
                        for r in ("read-only", "vm-admin", "vm-power-admin")}

    @classmethod
    def tearDownClass(cls):
        for s in cls.sessions.values():
            s.close()
        super().tearDownClass()

    def new_blob(self, name, mime="application/octet-stream", public=False):
        name = "%s-%d" % (name, time.monotonic_ns())
        return self.x.VM.create_new_blob(self.vm, name, mime, public)

    def q(self, **kw):
        if "session_id" not in kw:
            kw["session_id"] = self.session.handle
        return {k: v for k, v in kw.items() if v is not None}

    def put(self, blob, data, **kw):
        return self.http("PUT", "/blob", self.q(ref=blob, **kw), body=data,
                         headers={"Content-Length": str(len(data))})

    def get(self, blob, **kw):
        return self.http("GET", "/blob", self.q(ref=blob, **kw))

    def blob_file(self, blob):
        return os.path.join(str(self.daemon.dir), "blobs", self.x.blob.get_uuid(blob))

    def raw_request(self, head, body=b""):
        """Sends head (str, without the empty line) and body on a socket of
        its own; (status, headers, body) of the answer."""
        s = socket.create_connection(("127.0.0.1", self.daemon.port), timeout=30)
        try:
            s.sendall(head.encode() + b"\r\n\r\n" + body)
            s.shutdown(socket.SHUT_WR)
            data = b""
            while True:
                got = s.recv(65536)
                if not got:
                    break
                data += got
        finally:
            s.close()
        head, _, rest = data.partition(b"\r\n\r\n")
        lines = head.decode().split("\r\n")
        headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
        return int(lines[0].split()[1]), {k.lower(): v for k, v in headers.items()}, rest

    def raw_put(self, blob, head, body):
        """PUT /blob?ref=blob with a task, the rest of the request line and
        the headers in head, body as is: (status, answer body, task)."""
        task = self.x.task.create("raw put", "")
        status, _, answer = self.raw_request(
            "PUT /blob?%s %s" % (urllib.parse.urlencode(self.q(ref=blob, task_id=task)), head),
            body)
        return status, answer, task

    def assertNoPartialFiles(self, blob):
        self.assertFalse([f for f in os.listdir(os.path.dirname(self.blob_file(blob)))
                          if f.startswith(".put-")])

    # ---- the data path ----

    def test_round_trip_of_binary_data(self):
        blob = self.new_blob("bin", "image/png")
        rec = self.x.blob.get_record(blob)
        self.assertEqual((rec["size"], rec["last_updated"].value), ("0", "19700101T00:00:00Z"))
        before = time.time()
        status, headers, body = self.put(blob, ALL_BYTES)
        self.assertEqual((status, body), (200, b""), self.log_tail(20))
        self.assertEqual(headers["access-control-allow-origin"], "*")
        rec = self.x.blob.get_record(blob)
        self.assertEqual(rec["size"], str(len(ALL_BYTES)))
        updated = time.mktime(time.strptime(rec["last_updated"].value, "%Y%m%dT%H:%M:%SZ"))
        self.assertGreaterEqual(updated - time.timezone, int(before) - 1)
        status, headers, body = self.get(blob)
        self.assertEqual((status, body), (200, ALL_BYTES))
        self.assertEqual(headers["content-type"], "image/png")
        self.assertEqual(headers["content-length"], str(len(ALL_BYTES)))
        # uuid= names it as well; a smaller PUT replaces the bytes
        uuid = self.x.blob.get_uuid(blob)
        big = os.urandom(3 << 20)
        status, _, _ = self.http("PUT", "/blob", self.q(uuid=uuid), body=big,
                                 headers={"Content-Length": str(len(big))})
        self.assertEqual(status, 200)
        self.assertEqual(self.http("GET", "/blob", self.q(uuid=uuid))[2], big)
        self.assertEqual(self.put(blob, b"tiny")[0], 200)
        self.assertEqual(self.get(blob)[2], b"tiny")
        self.assertEqual(self.x.blob.get_size(blob), "4")
        # an empty body is a blob of no bytes (200, not 404)
        self.assertEqual(self.put(blob, b"")[0], 200)
        self.assertEqual(self.get(blob)[:3:2], (200, b""))
        self.assertEqual(self.x.blob.get_size(blob), "0")

    def test_chunked_put(self):
        blob = self.new_blob("chunked")
        pieces = [b"first-", os.urandom(70000), b"", b"\r\n0\r\n", b"last"]
        # http.client frames the pieces as chunks
        conn = http.client.HTTPConnection("127.0.0.1", self.daemon.port, timeout=60)
        try:
            conn.request("PUT", "/blob?" + urllib.parse.urlencode(self.q(ref=blob)),
                         body=iter([p for p in pieces if p]), encode_chunked=True)
            resp = conn.getresponse()
            self.assertEqual((resp.status, resp.read()), (200, b""), self.log_tail(20))
        finally:
            conn.close()
        self.assertEqual(self.get(blob)[2], b"".join(pieces))
        self.assertEqual(self.x.blob.get_size(blob), str(len(b"".join(pieces))))
        # by hand: extensions and a trailer are taken
        body = b"3;ext=1\r\nabc\r\nA\r\n0123456789\r\n0\r\nX-Trailer: yes\r\n\r\n"
        status, _, task = self.raw_put(blob, "HTTP/1.1\r\nTransfer-Encoding: chunked", body)
        self.assertEqual(status, 200)
        self.assertEqual(self.get(blob)[2], b"abc0123456789")
        self.assertEqual(self.x.task.get_status(task), "success")
        # bad framing: the task fails and the bytes stay as they were
        status, body, task = self.raw_put(blob, "HTTP/1.1\r\nTransfer-Encoding: chunked",
                                          b"zz\r\nabc\r\n0\r\n\r\n")
        self.assertEqual((status, body), (500, b"INTERNAL_ERROR a chunk size line is malformed\n"))
        self.assertEqual(self.x.task.get_status(task), "failure")
        self.assertEqual(self.x.task.get_error_info(task),
                         ["INTERNAL_ERROR", "a chunk size line is malformed"])
        status, body, _ = self.raw_put(blob, "HTTP/1.1\r\nTransfer-Encoding: chunked",
                                       b"3\r\nabcd\r\n0\r\n\r\n")
        self.assertEqual((status, body),
                         (500, b"INTERNAL_ERROR a chunk is longer than its size says\n"))
        status, body, _ = self.raw_put(blob, "HTTP/1.1\r\nTransfer-Encoding: chunked",
                                       b"10\r\nonly")
        self.assertEqual((status, body),
                         (500, b"INTERNAL_ERROR the client closed in the middle of a chunk\n"))
        self.assertEqual(self.get(blob)[2], b"abc0123456789")
        self.assertEqual(self.x.blob.get_size(blob), "13")
        self.assertNoPartialFiles(blob)

    def test_body_without_length_or_cut_short(self):
        blob = self.new_blob("short")
        self.assertEqual(self.put(blob, b"kept")[0], 200)
        # no Content-Length and no chunks: xapi's "Need content length"
        status, body, task = self.raw_put(blob, "HTTP/1.0", b"until the close")
        self.assertEqual((status, body), (500, b"INTERNAL_ERROR Need content length\n"))
        self.assertEqual(self.x.task.get_error_info(task), ["INTERNAL_ERROR",
                                                            "Need content length"])
        # a body that ends before its Content-Length: the old bytes stay
        status, body, task = self.raw_put(blob, "HTTP/1.1\r\nContent-Length: 1000", b"x" * 10)
        why = "the client sent 10 bytes and closed before the end of its body"
        self.assertEqual((status, body), (500, ("INTERNAL_ERROR %s\n" % why).encode()))
        self.assertEqual(self.x.task.get_error_info(task), ["INTERNAL_ERROR", why])
        self.assertEqual(self.get(blob)[2], b"kept")
        self.assertEqual(self.x.blob.get_size(blob), "4")
        self.assertNoPartialFiles(blob)

    def test_client_that_waits_for_the_200(self):
        # xapi's clients send the head, read the 200, then send the body
        blob = self.new_blob("waiting")
        task = self.x.task.create("waiting", "")
        data = os.urandom(50000)
        s = socket.create_connection(("127.0.0.1", self.daemon.port), timeout=30)
        try:
            s.sendall(("PUT /blob?%s HTTP/1.0\r\nContent-Length: %d\r\n\r\n"
                       % (urllib.parse.urlencode(self.q(ref=blob, task_id=task)), len(data)))
                      .encode())
            head = b""
            while b"\r\n\r\n" not in head:
                got = s.recv(4096)
                self.assertTrue(got, "closed without an answer")
                head += got
            self.assertTrue(head.startswith(b"HTTP/1.1 200 OK\r\n"), head)
            self.assertIn(b"Access-Control-Allow-Origin: *\r\n", head)
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
            while s.recv(4096):
                pass
        finally:
            s.close()
        deadline = time.time() + 10
        while self.x.task.get_status(task) == "pending" and time.time() < deadline:
            time.sleep(0.05)
        self.assertEqual(self.x.task.get_status(task), "success")
        self.assertEqual(self.get(blob)[2], data)
        self.assertEqual(self.x.blob.get_size(blob), str(len(data)))

    def test_missing_and_unknown_blob(self):
        # neither ref= nor uuid=: 400
        status, _, body = self.http("GET", "/blob", self.q())
        self.assertEqual(status, 400)
        self.assertIn(b"lacked 'ref' or 'uuid' parameter", body)
        self.assertEqual(self.http("PUT", "/blob", self.q(), body=b"x")[0], 400)
        # a ref or uuid that names no blob: 404 "Unknown reference"; the task fails
        bogus = new_ref()
        task = self.x.task.create("unknown", "")
        status, _, body = self.get(bogus, task_id=task)
        self.assertEqual((status, body), (404, b"Unknown reference\n"))
        self.assertEqual(self.x.task.get_error_info(task), ["HANDLE_INVALID", "blob", bogus])
        status, _, body = self.put(bogus, b"data")
        self.assertEqual((status, body), (404, b"Unknown reference\n"))
        uuid = "00000000-0000-0000-0000-00000000beef"
        status, _, body = self.http("GET", "/blob", {"uuid": uuid})  # no credentials needed
        self.assertEqual((status, body), (404, b"Unknown reference\n"))
        task = self.x.task.create("unknown uuid", "")
        self.http("GET", "/blob", self.q(uuid=uuid, task_id=task))
        self.assertEqual(self.x.task.get_error_info(task), ["UUID_INVALID", "blob", uuid])
        # a blob never written: 404 without a body; the task completes, as xapi
        blob = self.new_blob("empty")
        task = self.x.task.create("never written", "")
        status, _, body = self.get(blob, task_id=task)
        self.assertEqual((status, body), (404, b""))
        self.assertEqual(self.x.task.get_status(task), "success")
        # a parameter xapi's handler does not read
        status, _, body = self.get(blob, vdi="x")
        self.assertEqual((status, body), (400, b"INTERNAL_ERROR Unknown parameter vdi\n"))

    def test_credentials(self):
        blob = self.new_blob("creds")
        self.assertEqual(self.put(blob, b"secret")[0], 200)
        status, headers, _ = self.http("GET", "/blob", {"ref": blob})
        self.assertEqual(status, 401)
        self.assertEqual(headers["www-authenticate"], 'Basic realm="Blob handler"')
        status, headers, _ = self.http("PUT", "/blob", {"ref": blob}, body=b"other",
                                       headers={"Content-Length": "5"})
        self.assertEqual(status, 401)
        self.assertEqual(headers["www-authenticate"], 'Basic realm="put_blob"')
        self.assertEqual(self.get(blob, session_id=new_ref())[0], 401)
        self.assertEqual(self.get(blob)[2], b"secret")
        # HTTP Basic: root, and a subject with its role
        root = self.basic_auth(ROOT_USER, ROOT_PASSWORD)
        status, _, _ = self.http("PUT", "/blob", {"ref": blob}, body=b"basic",
                                 headers=dict(root, **{"Content-Length": "5"}))
        self.assertEqual(status, 200)
        status, _, body = self.http("GET", "/blob", {"ref": blob},
                                    headers=self.basic_auth("user-read-only",
                                                            USERS["user-read-only"]))
        self.assertEqual((status, body), (200, b"basic"))
        status, _, _ = self.http("GET", "/blob", {"ref": blob},
                                 headers=self.basic_auth(ROOT_USER, "wrong"))
        self.assertEqual(status, 401)

    def test_read_only_user_refused_for_put(self):
        blob = self.new_blob("rbac")
        self.assertEqual(self.put(blob, b"original")[0], 200)
        for role in ("read-only", "vm-admin"):
            task = self.sessions[role].xenapi.task.create("put", "")
            status, _, body = self.put(blob, b"changed", session_id=self.sessions[role].handle,
                                       task_id=task)
            self.assertEqual(status, 403, role)
            denial = ["RBAC_PERMISSION_DENIED", "http/put_blob",
                      "No permission in user session. (Roles with this permission: "
                      "pool-admin, pool-operator, vm-power-admin)"]
            self.assertEqual(body.decode(), " ".join(denial) + "\n")
            self.assertEqual(self.x.task.get_error_info(task), denial)
            # reading is every role's
            status, _, body = self.get(blob, session_id=self.sessions[role].handle)
            self.assertEqual((status, body), (200, b"original"))
        self.assertEqual(self.x.blob.get_size(blob), "8")
        status, _, _ = self.put(blob, b"by power admin",
                                session_id=self.sessions["vm-power-admin"].handle)
        self.assertEqual(status, 200)
        self.assertEqual(self.get(blob)[2], b"by power admin")
        ro = self.x.role.get_by_name_label("read-only")[0]
        self.assertIn("http/get_blob", self.x.role.get_permissions_name_label(ro))
        self.assertNotIn("http/put_blob", self.x.role.get_permissions_name_label(ro))

    def test_public_blob(self):
        blob = self.new_blob("public", "text/plain", public=True)
        self.assertEqual(self.put(blob, b"hello world")[0], 200)
        status, headers, body = self.http("GET", "/blob", {"ref": blob})
        self.assertEqual((status, body), (200, b"hello world"))
        self.assertEqual(headers["content-type"], "text/plain")
        uuid = self.x.blob.get_uuid(blob)
        self.assertEqual(self.http("GET", "/blob", {"uuid": uuid})[2], b"hello world")
        # writing still needs credentials
        status, _, _ = self.http("PUT", "/blob", {"ref": blob}, body=b"x",
                                 headers={"Content-Length": "1"})
        self.assertEqual(status, 401)
        # not public any more: credentials again
        self.x.blob.set_public(blob, False)
        self.assertEqual(self.http("GET", "/blob", {"ref": blob})[0], 401)

    def test_bytes_persist_across_restart(self):
        blob = self.new_blob("persist", "application/x-test")
        data = os.urandom(100000)
        self.assertEqual(self.put(blob, data)[0], 200)
        updated = self.x.blob.get_last_updated(blob).value
        # what a PUT cut short by a crash leaves: gone with the next run's first PUT
        stale = os.path.join(os.path.dirname(self.blob_file(blob)), ".put-crashed")
        with open(stale, "wb") as f:
            f.write(b"half")
        self.restart_daemon(kill=True)
        type(self).sessions = {r: self.rebind(s) for r, s in self.sessions.items()}
        self.assertTrue(os.path.exists(stale))
        status, headers, body = self.get(blob)
        self.assertEqual((status, body), (200, data))
        self.assertEqual(headers["content-type"], "application/x-test")
        self.assertEqual(self.x.blob.get_size(blob), str(len(data)))
        self.assertEqual(self.x.blob.get_last_updated(blob).value, updated)
        other = self.new_blob("after-restart")
        self.assertEqual(self.put(other, b"new")[0], 200)
        self.assertFalse(os.path.exists(stale))
        self.assertEqual(self.get(blob)[2], data)

    def test_destroy_removes_the_bytes(self):
        blob = self.new_blob("doomed")
        self.assertEqual(self.put(blob, b"to be removed")[0], 200)
        path = self.blob_file(blob)
        with open(path, "rb") as f:
            self.assertEqual(f.read(), b"to be removed")
        self.assertEqual(os.stat(path).st_mode & 0o777, 0o600)
        self.x.blob.destroy(blob)
        self.assertFalse(os.path.exists(path))
        self.assertNotIn(blob, self.x.VM.get_blobs(self.vm).values())
        self.assertEqual(self.get(blob)[:3:2], (404, b"Unknown reference\n"))
        # a blob never written goes as well
        other = self.new_blob("never")
        self.x.blob.destroy(other)
        self.assertNotIn(other, self.x.blob.get_all())
        # VM.destroy destroys the VM's blobs with their bytes, as xapi's
        vm = self.x.VM.create(vm_record("blob-vm-doomed"))
        owned = self.x.VM.create_new_blob(vm, "notes", "text/plain", False)
        self.assertEqual(self.put(owned, b"the VM's notes")[0], 200)
        path = self.blob_file(owned)
        self.assertTrue(os.path.exists(path))
        self.x.VM.destroy(vm)
        self.assertNotIn(owned, self.x.blob.get_all())
        self.assertFalse(os.path.exists(path))

    # ---- xe ----

    def test_xe_blob_put_and_get(self):
        blob = self.new_blob("xe")
        uuid = self.x.blob.get_uuid(blob)
        tmp = os.path.join(str(self.daemon.dir), "xe-blob-%d" % time.monotonic_ns())
        os.makedirs(tmp)
        src, dst = os.path.join(tmp, "in"), os.path.join(tmp, "out")
        data = os.urandom(2 << 20) + ALL_BYTES
        with open(src, "wb") as f:
            f.write(data)
        # a blob never written: upstream's words, exit 1, no file left
        p = self.run_xe(["blob-get", "uuid=" + uuid, "filename=" + dst])
        self.assertEqual((p.returncode, p.stdout, p.stderr),
                         (1, "", "Blob get failed, unknown error.\n"))
        self.assertFalse(os.path.exists(dst))
        self.assertEqual(self.xe("blob-put", "uuid=" + uuid, "filename=" + src),
                         "Blob put succeeded\n")
        self.assertEqual(self.x.blob.get_size(blob), str(len(data)))
        self.assertEqual(self.xe("blob-get", "uuid=" + uuid, "filename=" + dst),
                         "Blob get succeeded\n")
        with open(dst, "rb") as f:
            self.assertEqual(f.read(), data)
        # over TCP with a user and password as well
        self.assertEqual(self.xe("blob-put", "uuid=" + uuid, "filename=" + src, remote=True),
                         "Blob put succeeded\n")
        # the file must not exist, as upstream's xe opens it
        p = self.run_xe(["blob-get", "uuid=" + uuid, "filename=" + dst])
        self.assertEqual((p.returncode, p.stdout), (1, ""))
        self.assertEqual(p.stderr,
                         'Operation failed. Error: Sys_error("%s: File exists")\n' % dst)
        # no such file to send
        p = self.run_xe(["blob-put", "uuid=" + uuid, "filename=" + src + ".none"])
        self.assertEqual((p.returncode, p.stderr),
                         (1, "Operation failed. Error: file '%s.none' does not exist\n" % src))
        # a pipe goes chunked
        p = self.run_xe(["blob-put", "uuid=" + uuid, "filename=/dev/stdin"], stdin="piped\n")
        self.assertEqual((p.returncode, p.stdout), (0, "Blob put succeeded\n"), p.stderr)
        self.assertEqual(self.get(blob)[2], b"piped\n")
        # an unknown uuid; a missing parameter
        p = self.run_xe(["blob-get", "uuid=" + uuid[:-4] + "0000", "filename=" + dst + "2"])
        self.assertEqual(p.returncode, 1)
        self.assertIn("Error code: UUID_INVALID\nError parameters: blob, %s0000\n" % uuid[:-4],
                      p.stderr)
        self.assertEqual(self.xe_fails("blob-put", "uuid=" + uuid),
                         "Required parameter not found: filename\n")
        self.assertEqual(self.xe_fails("blob-get", "filename=" + dst),
                         "Required parameter not found: uuid\n")
        # the tasks xe made are gone
        self.assertFalse([t for t in self.x.task.get_all_records().values()
                          if t["name_label"].startswith(("Blob PUT", "Obtaining blob"))])
