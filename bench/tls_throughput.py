"""tls_throughput.py - benchmark 13: the cost of TLS. The call of benchmark 1
(VM.get_name_label over keep-alive connections, posted by wrk) on xapid's
plain listener and on its HTTPS listener (--listen-tls) in the same run, and
how many new TLS connections per second (handshake, one call, close) one
client gets against new plain ones.

HTTPS connections go through lib/tls_pipe.c: a thread per connection moves
the bytes between OpenSSL and a socketpair the HTTP server reads in clear.
"""
import socket
import ssl
import time

import benchlib as B
from rpc_throughput import WRK_CONFIGS, the_call, wrk

KEY = "tls_throughput"


def title(ctx):
    return "14. TLS: calls/s over HTTPS against plain HTTP"


def connections_per_second(port, body, tls, seconds):
    """New connection, one call, close, again: connections per second."""
    ctx = ssl._create_unverified_context() if tls else None
    request = (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nConnection: close\r\n"
               b"Content-Length: %d\r\n\r\n" % len(body)) + body
    n, t0 = 0, time.monotonic()
    while time.monotonic() - t0 < seconds:
        s = socket.create_connection((B.HOST, port), timeout=30)
        # as wrk: no Nagle delay between the handshake's last flight and the call
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if ctx:
            s = ctx.wrap_socket(s)
        s.sendall(request)
        got = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            got += chunk
        s.close()
        if not got.startswith(b"HTTP/1.1 200"):
            raise B.BenchError("a call over a new connection failed: %r" % got[:80])
        n += 1
    return n / (time.monotonic() - t0)


def run(ctx, sec):
    seconds = ctx.wrk_seconds
    x, c, body, body_file = the_call(ctx, "tls")
    c.close()
    sec.note("the self-signed certificate xapid made at first boot (RSA 2048); the client "
             "negotiates TLS 1.3")
    results = {}
    for threads, conns in WRK_CONFIGS:
        for label, port, scheme in (("plain", x.port, "http"), ("TLS", x.tls_port, "https")):
            rps, bad, lat = wrk(port, body_file, threads, conns, seconds, scheme)
            results[(label, conns)] = rps
            sec.figure("%s, wrk -t%d -c%d -d%ds (calls/s; mean latency)"
                       % (label, threads, conns, seconds), "%.0f; %s" % (rps, lat))
            if bad:
                sec.note("%s -c%d: %d non-2xx responses or socket errors" % (label, conns, bad))
    for threads, conns in WRK_CONFIGS:
        ratio = results[("TLS", conns)] / results[("plain", conns)]
        sec.figure("TLS / plain, -c%d" % conns, "%.2f" % ratio)
    plain = connections_per_second(x.port, body, False, seconds)
    tls = connections_per_second(x.tls_port, body, True, seconds)
    sec.figure("new connection + one call + close, one client (per second): plain", "%.0f" % plain)
    sec.figure("new connection + one call + close, one client (per second): TLS", "%.0f" % tls)
    x.stop()
