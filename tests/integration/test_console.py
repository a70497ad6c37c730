"""Consoles as xapi's (console.ml): a running VM's console record whose
location is the URL to CONNECT to, and `CONNECT /console?ref=|uuid=` with
its refusals (401 without credentials, 500 for a missing or unknown ref or
a VM not running here, 404 for a console the backend cannot give now: the
sim's). The bytes of a real console through the proxy are tested on a real
Xen (tests/xen/test_xen_console.py)."""

import base64
import re
import socket
import subprocess
import unittest

from harness import ROOT_PASSWORD, DaemonTestCase, build_dir


class ConsoleTest(DaemonTestCase):
    def connect(self, query, auth=None, extra=b""):
        """(status, head text, body bytes) of a CONNECT /console?query."""
        s = socket.create_connection(("127.0.0.1", self.daemon.port), timeout=20)
        try:
            head = "CONNECT /console?%s HTTP/1.0\r\n" % query
            if auth:
                head += "Authorization: Basic %s\r\n" % base64.b64encode(auth.encode()).decode()
            s.sendall(head.encode() + b"\r\n" + extra)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
            head, _, body = data.partition(b"\r\n\r\n")
            m = re.match(rb"HTTP/1\.[01] (\d{3})", head)
            self.assertIsNotNone(m, data)
            length = re.search(rb"(?i)content-length: *(\d+)", head)
            while length and len(body) < int(length.group(1)):
                chunk = s.recv(4096)
                if not chunk:
                    break
                body += chunk
            return int(m.group(1)), head.decode(), body
        finally:
            s.close()

    def test_running_vm_has_a_console_whose_location_is_ours(self):
        vm = self.running_vm("con-loc")
        consoles = self.x.VM.get_consoles(vm)
        self.assertEqual(len(consoles), 1)
        rec = self.x.console.get_record(consoles[0])
        self.assertEqual(rec["VM"], vm)
        self.assertIn(rec["protocol"], ("rfb", "vt100"))
        host = self.x.session.get_this_host(self.session.handle)
        address = self.x.host.get_address(host)
        self.assertEqual(rec["location"], "http://%s:%d/console?uuid=%s"
                         % (address, self.daemon.port, rec["uuid"]))

    def test_no_credentials_is_401(self):
        vm = self.running_vm("con-401")
        con = self.x.VM.get_consoles(vm)[0]
        status, head, body = self.connect("ref=" + con)
        self.assertEqual(status, 401)
        self.assertIn("WWW-Authenticate: Basic", head)
        status, head, body = self.connect("ref=%s&session_id=OpaqueRef:not-a-session" % con)
        self.assertEqual(status, 401)
        status, head, body = self.connect("ref=" + con, auth="root:wrong")
        self.assertEqual(status, 401)

    def test_missing_and_unknown_refs_are_500(self):
        sid = self.session.handle
        status, _, body = self.connect("session_id=" + sid)
        self.assertEqual((status, body), (500, b"the request names no console (ref= or uuid=)\n"))
        status, _, body = self.connect("ref=OpaqueRef:nothing&session_id=" + sid)
        self.assertEqual(status, 500)
        self.assertEqual(body, b"the request names neither a VM nor a console\n")
        status, _, body = self.connect("uuid=00000000-0000-0000-0000-000000000000&session_id="
                                       + sid)
        self.assertEqual(status, 500)

    def test_halted_vm_has_no_console(self):
        vm = self.create_vm("con-halted")
        self.addCleanup(self.x.VM.destroy, vm)
        self.assertEqual(self.x.VM.get_consoles(vm), [])
        status, _, body = self.connect("ref=%s&session_id=%s" % (vm, self.session.handle))
        self.assertEqual((status, body), (500, b"the VM has no console\n"))
        # a console of a VM that stopped is gone with it
        self.x.VM.start(vm, False, False)
        con = self.x.VM.get_consoles(vm)[0]
        self.x.VM.hard_shutdown(vm)
        status, _, _ = self.connect("ref=%s&session_id=%s" % (con, self.session.handle))
        self.assertEqual(status, 500)

    def test_sim_console_cannot_be_reached_404(self):
        # by VM ref, console ref, VM uuid, console uuid, Basic auth: each
        # finds the console, and the sim has no real end to give
        vm = self.running_vm("con-sim")
        con = self.x.VM.get_consoles(vm)[0]
        sid = "&session_id=" + self.session.handle
        for q in ("ref=" + vm + sid, "ref=" + con + sid,
                  "uuid=" + self.x.VM.get_uuid(vm) + sid,
                  "uuid=" + self.x.console.get_uuid(con) + sid):
            status, _, body = self.connect(q)
            self.assertEqual(status, 404, q)
            self.assertEqual(body, b"the console cannot be reached through xapid\n")
        status, _, _ = self.connect("ref=" + con, auth="root:" + ROOT_PASSWORD)
        self.assertEqual(status, 404)

    def test_other_methods_are_not_the_console(self):
        vm = self.running_vm("con-get")
        con = self.x.VM.get_consoles(vm)[0]
        s = socket.create_connection(("127.0.0.1", self.daemon.port), timeout=20)
        s.sendall(("GET /console?ref=%s&session_id=%s HTTP/1.1\r\nHost: x\r\n\r\n"
                   % (con, self.session.handle)).encode())
        self.assertTrue(s.recv(100).startswith(b"HTTP/1.1 404"))
        s.close()

    def test_xe_console_refusals(self):
        # xe console needs a vt100 console: the sim's guests have a
        # graphical one only (the text console's bytes: tests/xen)
        def xe(*args):
            return subprocess.run([str(build_dir() / "xe"), "--socket", self.daemon.socket_path]
                                  + list(args), input="", capture_output=True, text=True,
                                  timeout=60)
        vm = self.running_vm("con-xe")
        uuid = self.x.VM.get_uuid(vm)
        r = xe("console", "uuid=" + uuid)
        self.assertEqual((r.returncode, r.stdout), (1, ""))
        self.assertEqual(r.stderr, "Error: The VM %s has no text console (is it running?)\n"
                         % uuid)
        r = xe("console", "vm=no-such-vm")
        self.assertEqual(r.returncode, 1)
        self.assertIn("No matching VMs found", r.stderr)


if __name__ == "__main__":
    unittest.main()
