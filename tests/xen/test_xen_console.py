"""A PV guest's text console through xapid, as XenCenter, Xen Orchestra and
`xe console` reach it: `CONNECT /console?ref=<console>` on xapid's port,
then the guest's shell on hvc0 answers what we type (tests/xen/guest).

Run by tests/xen/run (and so by tools/test); by hand:
    XEN_TEST_BUILDDIR=build python3 -m unittest -v tests/xen/test_xen_console.py
"""
import os
import socket
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import xenhost  # noqa: E402
from test_xen_lifecycle import pv_guest  # noqa: E402

class XenConsole(xenhost.XenTestCase):
    def open_console(self, console):
        s = socket.create_connection(("127.0.0.1", self.xen.port), timeout=10)
        s.sendall(("CONNECT /console?ref=%s&session_id=%s HTTP/1.0\r\n\r\n"
                   % (console, self.session.handle)).encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = s.recv(1)
            self.assertTrue(chunk, "xapid closed the console: %r" % head)
            head += chunk
        self.assertTrue(head.startswith(b"HTTP/1.1 200 OK"), head)
        return s

    def read_some(self, s, needle, seconds):
        """What the console says within seconds (less once needle came)."""
        got = b""
        deadline = time.monotonic() + seconds
        while needle not in got and time.monotonic() < deadline:
            s.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                chunk = s.recv(4096)
            except socket.timeout:
                continue
            self.assertTrue(chunk, "the console closed; got %r" % got[-500:])
            got += chunk
        return got

    def test_pv_text_console_end_to_end(self):
        vm = self.x.VM.create(pv_guest("xt-console"))
        self.start_vm(vm)
        consoles = self.x.VM.get_consoles(vm)
        self.assertEqual(len(consoles), 1)
        rec = self.x.console.get_record(consoles[0])
        self.assertEqual(rec["protocol"], "vt100")
        self.assertRegex(rec["location"], r"^http://[^/]+/console\?uuid=%s$" % rec["uuid"])
        # wait for the guest's shell, then talk to it
        deadline = time.monotonic() + 180
        while "GUEST-UP" not in self.console_log(vm):
            self.assertLess(time.monotonic(), deadline, "the guest never came up")
            time.sleep(3)
        s = self.open_console(consoles[0])
        try:
            # the shell on hvc0 starts after the guest's rcS: what is typed
            # before it is there is echoed by the tty and then lost, so the
            # line is typed again until the shell answers
            got, deadline = b"", time.monotonic() + 90
            while b"CONSOLE-42" not in got:
                self.assertLess(time.monotonic(), deadline,
                                "CONSOLE-42 never came on the console; got %r" % got[-500:])
                s.sendall(b"\recho CONSOLE-$((6*7))\r")
                got += self.read_some(s, b"CONSOLE-42", 10)
            # by the VM's ref too (its only console)
            s2 = socket.create_connection(("127.0.0.1", self.xen.port), timeout=10)
            s2.sendall(("CONNECT /console?ref=%s&session_id=%s HTTP/1.0\r\n\r\n"
                        % (vm, self.session.handle)).encode())
            self.assertTrue(s2.recv(15).startswith(b"HTTP/1.1 200"))
            s2.close()
            # the VM going away ends the connection
            self.x.VM.hard_shutdown(vm)
            s.settimeout(30)
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    break
        finally:
            s.close()
        self.assertEqual(self.x.VM.get_consoles(vm), [])
        self.x.VM.destroy(vm)


if __name__ == "__main__":
    unittest.main()
