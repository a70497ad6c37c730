"""Bad input must get a clean answer and leave the daemon serving: broken
XML and JSON, broken HTTP, wrong types, bodies over the configured limit
(config key max_body, bytes; xapi's own limit is 300 KiB), unknown refs,
wrong parameter counts, hostile nesting and entities, slow clients."""

import json
import socket
import threading
import time
import unittest
import xmlrpc.client

from harness import DaemonTestCase, Failure, new_ref, vm_record

LIMIT = 65536


def xml_call(method, *params):
    return xmlrpc.client.dumps(tuple(params), method, allow_none=True).encode()


class BadInputTest(DaemonTestCase):

    daemon_config = {"max_body": LIMIT}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.vm = cls.x.VM.create(vm_record("bad-vm"))

    def tearDown(self):
        # whatever a test sent, the daemon still answers
        self.assertTrue(self.daemon.running, "xapid died\n" + self.log_tail())
        self.assertEqual(self.x.VM.get_name_label(self.vm), "bad-vm")

    # ---- helpers ----

    def assertCleanXmlRefusal(self, status, body):
        """An HTTP error, or a parseable XML-RPC fault or Failure envelope."""
        if status >= 400:
            self.assertLess(status, 600)
            return
        self.assertEqual(status, 200)
        try:
            result = xmlrpc.client.loads(body)[0][0]
        except xmlrpc.client.Fault:
            return
        self.assertEqual(result.get("Status"), "Failure", result)

    def assertCleanJsonRefusal(self, status, body):
        if status >= 400:
            self.assertLess(status, 600)
            return
        self.assertEqual(status, 200)
        r = json.loads(body)
        self.assertIsNotNone(r.get("error"), r)
        self.assertIsNone(r.get("result"), r)

    def raw_http(self, data, read_timeout=10.0, close_write=False):
        """Sends raw bytes; returns what came back until close/timeout."""
        sock = socket.create_connection(("127.0.0.1", self.daemon.port), timeout=read_timeout)
        try:
            sock.sendall(data)
            if close_write:
                sock.shutdown(socket.SHUT_WR)
            chunks = []
            try:
                while True:
                    b = sock.recv(65536)
                    if not b:
                        break
                    chunks.append(b)
                    if b"\r\n\r\n" in b"".join(chunks) and not close_write:
                        break
            except socket.timeout:
                pass
            return b"".join(chunks)
        finally:
            sock.close()

    # ---- broken XML ----

    def test_malformed_xml(self):
        bodies = [
            b"",
            b"garbage",
            b"<methodCall><methodName>VM.get_all",
            b"<?xml version=\"1.0\"?><methodCall></methodCall>",
            b"<?xml version=\"1.0\"?><methodCall><params/></methodCall>",
            b"<methodCall><methodName>VM.get_all</methodName><params><param></param></params></methodCall>",
            b"<methodCall><methodName>VM.get_all</methodName><params><param><value><struct>"
            b"<member><name>x</name></member></struct></value></param></params></methodCall>",
            b"<methodCall><methodName>VM.get_all</methodName><params><param><value><i4>12x</i4>"
            b"</value></param></params></methodCall>",
            b"<methodCall><methodName>VM.get_all</methodName><params><param><value><bogus/>"
            b"</value></param></params></methodCall>",
            b"<methodCall><methodName>VM.get_all</methodName></methodCall><extra/>",
            b"\x00\x01\x02\xff" * 100,
        ]
        for body in bodies:
            with self.subTest(body=body[:60]):
                status, _, data = self.daemon.post("/", body)
                self.assertCleanXmlRefusal(status, data)

    def test_invalid_utf8_string(self):
        body = (b"<?xml version=\"1.0\"?><methodCall><methodName>VM.set_name_label</methodName>"
                b"<params><param><value>" + self.session.handle.encode() + b"</value></param>"
                b"<param><value>" + self.vm.encode() + b"</value></param>"
                b"<param><value>bad\xff\xfe</value></param></params></methodCall>")
        status, _, data = self.daemon.post("/", body)
        self.assertCleanXmlRefusal(status, data)

    def test_deep_nesting(self):
        depth = 1500
        value = "<value><array><data>" * depth + "<value>x</value>" + "</data></array></value>" * depth
        body = ("<?xml version=\"1.0\"?><methodCall><methodName>VM.set_name_label</methodName><params>"
                "<param><value>%s</value></param><param><value>%s</value></param><param>%s</param>"
                "</params></methodCall>" % (self.session.handle, self.vm, value)).encode()
        self.assertLess(len(body), LIMIT)
        t0 = time.monotonic()
        status, _, data = self.daemon.post("/", body)
        self.assertLess(time.monotonic() - t0, 10)
        self.assertCleanXmlRefusal(status, data)

    def test_entity_expansion(self):
        # "billion laughs": must not be expanded into gigabytes.
        ents = "".join('<!ENTITY e%d "&e%d;&e%d;&e%d;&e%d;&e%d;&e%d;&e%d;&e%d;&e%d;&e%d;">'
                       % ((i,) + (i - 1,) * 10) for i in range(1, 10))
        body = ('<?xml version="1.0"?><!DOCTYPE m [<!ENTITY e0 "lol">%s]>'
                "<methodCall><methodName>VM.set_name_label</methodName><params>"
                "<param><value>%s</value></param><param><value>%s</value></param>"
                "<param><value>&e9;</value></param></params></methodCall>"
                % (ents, self.session.handle, self.vm)).encode()
        t0 = time.monotonic()
        status, _, data = self.daemon.post("/", body, timeout=30)
        self.assertLess(time.monotonic() - t0, 10)
        self.assertCleanXmlRefusal(status, data)

    def test_nil_for_a_string(self):
        r = self.raw("VM.set_name_label", self.session.handle, self.vm, None)
        self.assertEnvelopeFailure(["FIELD_TYPE_ERROR", "value"], r)

    # ---- broken JSON ----

    def test_malformed_json(self):
        bodies = [b"", b"{", b"[]", b"null", b"42", b'"str"',
                  b'{"method": 5, "params": [], "id": 1}',
                  b'{"method": "VM.get_all", "params": {"a": 1}, "id": 1}',
                  b'{"method": "VM.get_all", "params": "x", "id": 1}',
                  b'{"params": [], "id": 1}',
                  b'{"jsonrpc": "2.0", "method": "VM.get_all", "params": [], "id": {"x": 1}}',
                  b'\xff\xfe{"method": "VM.get_all"}',
                  b'{"method": "VM.get_all", "params": [' + b"[" * 5000 + b"]" * 5000 + b'], "id": 1}']
        for body in bodies:
            with self.subTest(body=body[:60]):
                status, _, data = self.daemon.jsonrpc(body)
                self.assertCleanJsonRefusal(status, data)

    def test_json_wrong_types(self):
        s = self.session.handle
        for params, field in (([s, None], "self"), ([s, [self.vm]], "self"),
                              ([s, {"a": 1}], "self")):
            with self.subTest(params=params):
                status, _, data = self.daemon.jsonrpc({"jsonrpc": "2.0", "method": "VM.get_record",
                                                       "params": params, "id": 1})
                self.assertEqual(status, 200)
                err = json.loads(data)["error"]
                self.assertEqual((err["message"], err["data"]), ("FIELD_TYPE_ERROR", [field]))

    def test_json_nul_in_string(self):
        status, _, data = self.daemon.jsonrpc({"jsonrpc": "2.0", "method": "VM.add_to_other_config",
                                               "params": [self.session.handle, self.vm, "nul", "a\u0000b"],
                                               "id": 1})
        # Refused cleanly, or accepted and stored whole (not cut at the NUL).
        if status == 200 and json.loads(data).get("error") is None:
            self.assertEqual(self.x.VM.get_other_config(self.vm).get("nul"), "a\u0000b")
            self.x.VM.remove_from_other_config(self.vm, "nul")
        else:
            self.assertCleanJsonRefusal(status, data)

    # ---- sizes ----

    def test_body_over_limit(self):
        big = "x" * (LIMIT + 1024)
        status, headers, data = self.daemon.post(
            "/", xml_call("VM.set_name_label", self.session.handle, self.vm, big))
        self.assertEqual(status, 413, data[:200])
        status, _, data = self.daemon.jsonrpc({"jsonrpc": "2.0", "method": "VM.set_name_label",
                                               "params": [self.session.handle, self.vm, big], "id": 1})
        self.assertEqual(status, 413, data[:200])

    def test_bodies_up_to_the_limit(self):
        # Sizes around common buffer boundaries, on one keep-alive
        # connection (a body read in several pieces must stay one request).
        for n in (100, 4000, 8200, 16400, 32800, 40000, 50000, LIMIT - 2048):
            with self.subTest(size=n):
                name = "y" * n
                self.x.VM.set_name_label(self.vm, name)
                self.assertEqual(self.x.VM.get_name_label(self.vm), name)
                self.assertEqual(self.x.VM.get_power_state(self.vm), "Halted")
        self.x.VM.set_name_label(self.vm, "bad-vm")

    def test_huge_content_length_refused_early(self):
        # Refused from the headers: the server must not wait for 10 GB.
        t0 = time.monotonic()
        head = ("POST / HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\n"
                "Content-Length: 10000000000\r\n\r\n").encode()
        resp = self.raw_http(head + b"<methodCall>", read_timeout=10)
        self.assertLess(time.monotonic() - t0, 8)
        self.assertRegex(resp.split(b"\r\n", 1)[0], rb"^HTTP/1\.[01] 413")

    def test_negative_and_bogus_content_length(self):
        for cl in ("-1", "abc", "99999999999999999999999"):
            with self.subTest(cl=cl):
                resp = self.raw_http(("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: %s\r\n\r\n"
                                      % cl).encode(), read_timeout=5)
                if resp:
                    self.assertRegex(resp.split(b"\r\n", 1)[0], rb"^HTTP/1\.[01] (4|5)\d\d")

    def test_many_params(self):
        params = [self.session.handle] + ["p"] * 1000
        r = self.raw("VM.get_all", *params)
        self.assertEnvelopeFailure(["MESSAGE_PARAMETER_COUNT_MISMATCH", "VM.get_all", "0", "1000"], r)

    def test_long_method_name(self):
        name = "VM." + "a" * 20000
        self.assertEnvelopeFailure(["MESSAGE_METHOD_UNKNOWN", name], self.raw(name, self.session.handle))

    def test_long_unknown_ref(self):
        ref = "OpaqueRef:" + "f" * 20000
        self.assertFailure(["HANDLE_INVALID", "VM", ref], self.x.VM.get_record, ref)

    def test_int_out_of_range(self):
        for v in ("99999999999999999999", "-99999999999999999999", "1e5", "12abc", ""):
            with self.subTest(value=v):
                with self.assertRaises(Failure) as cm:
                    self.x.VM.set_user_version(self.vm, v)
                self.assertIn(cm.exception.code, ("INVALID_VALUE", "FIELD_TYPE_ERROR"),
                              cm.exception.details)

    def test_negative_timeout(self):
        t0 = time.monotonic()
        try:
            getattr(self.x.event, "from")(["vm/" + self.vm], "", -5.0)
        except Failure:
            pass
        self.assertLess(time.monotonic() - t0, 5)

    # ---- broken HTTP and slow clients ----

    def test_garbage_request_line(self):
        for data in (b"GARBAGE\r\n\r\n", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 64,
                     b"POST\r\n\r\n", b"\r\n\r\n\r\n"):
            with self.subTest(data=data[:20]):
                resp = self.raw_http(data, read_timeout=2)
                if resp:
                    self.assertRegex(resp.split(b"\r\n", 1)[0], rb"^HTTP/1\.[01] [45]\d\d")

    def test_truncated_body_then_close(self):
        head = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nContent-Length: 1000\r\n\r\n"
        self.raw_http(head + b"<methodCall>", read_timeout=1, close_write=True)

    def test_get_on_rpc_path(self):
        import http.client
        conn = http.client.HTTPConnection("127.0.0.1", self.daemon.port, timeout=10)
        try:
            conn.request("GET", "/")
            resp = conn.getresponse()
            resp.read()
            self.assertLess(resp.status, 600)
        finally:
            conn.close()

    def test_slow_client_does_not_block_others(self):
        # A client that sends half a request and waits must not stop others.
        socks = []
        try:
            for _ in range(5):
                s = socket.create_connection(("127.0.0.1", self.daemon.port), timeout=10)
                s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n<method")
                socks.append(s)
            done = threading.Event()
            result = {}

            def call():
                try:
                    result["v"] = self.new_session().xenapi.VM.get_name_label(self.vm)
                finally:
                    done.set()

            threading.Thread(target=call, daemon=True).start()
            self.assertTrue(done.wait(10), "a call waited behind slow clients")
            self.assertEqual(result.get("v"), "bad-vm")
        finally:
            for s in socks:
                s.close()

    def test_connection_reset_mid_request(self):
        for _ in range(20):
            s = socket.create_connection(("127.0.0.1", self.daemon.port), timeout=5)
            s.sendall(xml_call("VM.get_all", self.session.handle)[:40])
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            s.close()                                   # RST


if __name__ == "__main__":
    unittest.main()
