"""Limits that hold against one hostile, unauthenticated client (issue 14):
entity expansion in any encoding, slowloris (a deadline for a whole request
head, a per-address connection cap), failed-login throttling, NUL bytes in
method names and query values."""

import json
import os
import resource
import socket
import time
import unittest
import xmlrpc.client

from harness import DaemonTestCase


def entity_bomb(levels, session="OpaqueRef:x"):
    """A "billion laughs" XML-RPC call nested `levels` deep (ten times more
    work per level when expanded)."""
    ents = "".join('<!ENTITY e%d "&e%d;&e%d;&e%d;&e%d;&e%d;&e%d;&e%d;&e%d;&e%d;&e%d;">'
                   % ((i,) + (i - 1,) * 10) for i in range(1, levels + 1))
    return ('<?xml version="1.0" encoding="%%s"?><!DOCTYPE m [<!ENTITY e0 "lol">%s]>'
            "<methodCall><methodName>session.login_with_password</methodName><params>"
            "<param><value>&e%d;</value></param><param><value>x</value></param>"
            "</params></methodCall>" % (ents, levels))


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class EntityExpansionTest(DaemonTestCase):
    """The DOCTYPE check used to read bytes while the tokenizer followed a
    UTF-16 byte-order mark: 1.5 KB cost 4.5 s of CPU and 300 MB."""

    def encodings(self, doc):
        yield "utf-8", doc.replace("%s", "UTF-8").encode("utf-8")
        for enc, bom in (("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff")):
            body = doc.replace("%s", "UTF-16").encode(enc)
            yield enc + " with BOM", bom + body
            yield enc + " without BOM", body
        for enc in ("utf-32-le", "utf-32-be"):
            yield enc, doc.replace("%s", "UCS-4").encode(enc)

    def test_entity_bomb_in_every_encoding(self):
        pid = self.daemon.proc.pid
        for levels in (3, 5, 7):
            for name, body in self.encodings(entity_bomb(levels)):
                with self.subTest(levels=levels, encoding=name):
                    before = rss_kib(pid)
                    # best of three: the answer time, not the machine's load
                    best = 10.0
                    for _ in range(3):
                        t0 = time.monotonic()
                        status, _, data = self.daemon.post("/", body, timeout=60)
                        best = min(best, time.monotonic() - t0)
                    self.assertEqual(status, 500, data[:200])
                    self.assertLess(best, 0.25, "took %.3f s" % best)
                    self.assertLess(rss_kib(pid) - before, 1024)
        # and the daemon still serves
        self.assertEqual(self.x.pool.get_all()[0][:10], "OpaqueRef:")

    def test_utf8_calls_still_work(self):
        # UTF-8 text beyond ASCII still goes through
        pool = self.x.pool.get_all()[0]
        body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><methodCall>"
                "<methodName>pool.set_name_description</methodName><params>"
                "<param><value>%s</value></param><param><value>%s</value></param>"
                "<param><value>caf\u00e9 \u2603 \U0001f600</value></param>"
                "</params></methodCall>" % (self.session.handle, pool)).encode()
        status, _, data = self.daemon.post("/", body)
        self.assertEqual(status, 200)
        r = xmlrpc.client.loads(data)[0][0]
        self.assertEqual(r["Status"], "Success", r)
        self.assertEqual(self.x.pool.get_name_description(pool), "caf\u00e9 \u2603 \U0001f600")


if __name__ == "__main__":
    unittest.main()
