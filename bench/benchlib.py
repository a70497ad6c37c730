"""benchlib.py - what every benchmark of bench/run shares: starting and
stopping the processes a benchmark uses (xapid, nginx, the trivial xmlrpc-c
server) and cleaning up after them even on failure, a small keep-alive HTTP
client over loopback that can time a response to the last byte, XML-RPC
calls on top of it, and the result records bench/run turns into
doc/performance.md.

Benchmarks never assert: a failure becomes a note in their section.
Standard library only.
"""
import atexit
import hashlib
import os
import re
import select
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import xmlrpc.client

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(TOP, "bench")
HOST = "127.0.0.1"
PASSWORD = "bench-password"


class BenchError(Exception):
    """Something a benchmark needed did not work (reported, not raised past run)."""


def log(msg):
    print(msg, flush=True)


# ---- processes and temp dirs ------------------------------------------------

class Cleanup:
    """Every process and temp dir a benchmark made, undone in reverse order
    at stop_all(), at exit and on SIGINT/SIGTERM."""

    def __init__(self):
        self.procs = []
        self.dirs = []
        atexit.register(self.stop_all)
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, self._on_signal)

    def _on_signal(self, signum, frame):
        self.stop_all()
        sys.exit(128 + signum)

    def tempdir(self, tag):
        d = tempfile.mkdtemp(prefix="xapi-bench-%s-" % tag)
        self.dirs.append(d)
        return d

    def spawn(self, argv, **kw):
        p = subprocess.Popen(argv, **kw)
        self.procs.append(p)
        return p

    def stop(self, p, timeout=10.0):
        """SIGTERM, then SIGKILL (with the children it had, e.g. nginx
        workers) if it does not exit in time. Returns the seconds it took."""
        t0 = time.monotonic()
        if p.poll() is None:
            kids = _children(p.pid)
            try:
                p.send_signal(signal.SIGTERM)
                p.wait(timeout)
            except subprocess.TimeoutExpired:
                for pid in [p.pid] + kids:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                p.wait()
        if p in self.procs:
            self.procs.remove(p)
        return time.monotonic() - t0

    def forget_dir(self, d):
        if d in self.dirs:
            self.dirs.remove(d)
        shutil.rmtree(d, ignore_errors=True)

    def stop_procs(self):
        for p in reversed(list(self.procs)):
            try:
                self.stop(p, timeout=5.0)
            except Exception:
                pass

    def stop_all(self):
        self.stop_procs()
        for d in reversed(list(self.dirs)):
            shutil.rmtree(d, ignore_errors=True)
        self.dirs = []


def _children(pid):
    out = []
    try:
        for tid in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/children" % (pid, tid)) as f:
                out += [int(x) for x in f.read().split()]
    except OSError:
        pass
    return out


def free_port():
    """A port that was free a moment ago (for nginx, which cannot report the
    port it picked)."""
    s = socket.socket()
    s.bind((HOST, 0))
    port = s.getsockname()[1]
    s.close()
    return port


def proc_status(pid):
    """VmRSS and VmHWM of a process in MB (10^6 bytes)."""
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmHWM"):
                out[k] = int(v.split()[0]) * 1024 / 1e6
    return out


def reset_peak_rss(pid):
    """Sets VmHWM back to the current VmRSS (Linux: clear_refs 5), so that
    the next reading is the peak of what follows."""
    with open("/proc/%d/clear_refs" % pid, "w") as f:
        f.write("5")


# ---- xapid --------------------------------------------------------------------

def users_file(dirpath):
    """A users file with root:<sha512-crypt of PASSWORD> (xapid --users)."""
    h = subprocess.run(["openssl", "passwd", "-6", PASSWORD], check=True,
                       capture_output=True, text=True).stdout.strip()
    path = os.path.join(dirpath, "users")
    with open(path, "w") as f:
        f.write("root:%s\n" % h)
    return path


class Xapid:
    """One xapid -f on 127.0.0.1:<free port> with its own state dir."""

    def __init__(self, cleanup, builddir, state_dir, users, config=None):
        self.cleanup = cleanup
        self.binary = os.path.join(builddir, "xapid")
        self.state_dir = state_dir
        self.users = users
        self.config = dict(config or {})  # extra xapid.conf keys (-c)
        self.proc = None
        self.port = None
        self.tls_port = None
        self.start_seconds = None
        self.stderr_tail = []

    def start(self, timeout=60.0):
        argv = [self.binary, "-f", "--listen", "%s:0" % HOST, "--listen-tls", "%s:0" % HOST,
                "--socket", os.path.join(self.state_dir, "xapi.sock"),
                "--state-dir", self.state_dir, "--users", self.users,
                "--backend", "sim", "--log-level", "warn"]
        if self.config:
            conf = self.state_dir.rstrip("/") + ".conf"
            with open(conf, "w") as f:
                for k, v in self.config.items():
                    f.write("%s = %s\n" % (k, v))
            argv += ["-c", conf]
        ready = threading.Event()
        self.stderr_tail = []
        t0 = time.monotonic()
        self.proc = self.cleanup.spawn(argv, stdin=subprocess.DEVNULL,
                                       stdout=subprocess.DEVNULL,
                                       stderr=subprocess.PIPE)
        stamp = {}

        def reader(pipe):
            # keeps draining stderr for the life of the daemon
            for raw in pipe:
                line = raw.decode(errors="replace").rstrip("\n")
                if "t" not in stamp:
                    m = re.search(r"xapid ready on [^ ]*:(\d+)", line)
                    if m:
                        stamp["t"] = time.monotonic()
                        stamp["port"] = int(m.group(1))
                        continue
                if "tls_port" not in stamp:
                    # the second ready line, written with the first
                    m = re.search(r"xapid TLS ready on [^ ]*:(\d+)", line)
                    if m:
                        stamp["tls_port"] = int(m.group(1))
                        ready.set()
                        continue
                self.stderr_tail = (self.stderr_tail + [line])[-40:]
            ready.set()

        threading.Thread(target=reader, args=(self.proc.stderr,), daemon=True).start()
        ready.wait(timeout)
        if "t" not in stamp:
            self.stop()
            raise BenchError("xapid did not become ready: %s"
                             % " | ".join(self.stderr_tail[-5:]))
        self.start_seconds = stamp["t"] - t0
        self.port = stamp["port"]
        self.tls_port = stamp.get("tls_port")
        return self

    def stop(self):
        if self.proc is None:
            return None
        took = self.cleanup.stop(self.proc, timeout=30.0)
        self.proc = None
        return took

    def rss(self):
        return proc_status(self.proc.pid)


# ---- HTTP over loopback -------------------------------------------------------

class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body


class HttpConn:
    """One keep-alive HTTP/1.1 connection. send() then recv() (blocking), or
    poll() after select() for several connections at once."""

    def __init__(self, port, host=HOST):
        self.sock = socket.create_connection((host, port), timeout=120)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()
        self.big = bytearray()
        self.t_last = 0.0
        self._reset()

    def _reset(self):
        self.hdr_end = -1
        self.status = None
        self.headers = None
        self.length = None
        self.chunked = False
        self.cbody = None

    def close(self):
        self.sock.close()

    @staticmethod
    def request(body, path="/", ctype="text/xml"):
        return (("POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: %s\r\n"
                 "Content-Length: %d\r\n\r\n") % (path, HOST, ctype, len(body))).encode() + body

    def send(self, body, path="/", ctype="text/xml"):
        self.sock.sendall(self.request(body, path, ctype))

    def _parse(self, decode_chunks=True):
        """A complete Response from the buffer, or None. decode_chunks=False
        leaves a chunked body to _recv_chunked_large."""
        if self.hdr_end < 0:
            i = self.buf.find(b"\r\n\r\n")
            if i < 0:
                return None
            head = bytes(self.buf[:i]).decode("latin-1").split("\r\n")
            self.status = int(head[0].split()[1])
            self.headers = {}
            for h in head[1:]:
                k, _, v = h.partition(":")
                self.headers[k.strip().lower()] = v.strip()
            self.hdr_end = i + 4
            if "content-length" in self.headers:
                self.length = int(self.headers["content-length"])
            elif "chunked" in self.headers.get("transfer-encoding", "").lower():
                self.chunked = True
            else:
                raise BenchError("response without a length: %r" % head[0])
        if not self.chunked:
            end = self.hdr_end + self.length
            if len(self.buf) < end:
                return None
            body = bytes(self.buf[self.hdr_end:end])
            del self.buf[:end]
        else:
            # Decoded chunk by chunk as they come, each taken out of buf:
            # re-reading the whole answer at every recv is quadratic.
            if self.cbody is None:
                if not decode_chunks:
                    return None
                self.cbody = bytearray()
                del self.buf[:self.hdr_end]
                self.hdr_end = 0
            while True:
                j = self.buf.find(b"\r\n")
                if j < 0:
                    return None
                size = int(bytes(self.buf[:j]).split(b";")[0], 16)
                if size == 0:
                    k = self.buf.find(b"\r\n\r\n", j)  # trailers end
                    if k < 0:
                        return None
                    del self.buf[:k + 4]
                    break
                if len(self.buf) < j + 2 + size + 2:
                    return None
                self.cbody += self.buf[j + 2:j + 2 + size]
                del self.buf[:j + 2 + size + 2]
            body = bytes(self.cbody)
        r = Response(self.status, self.headers, body)
        self._reset()
        return r

    def poll(self):
        """Reads what is there without blocking; a Response once complete."""
        try:
            data = self.sock.recv(1 << 20, socket.MSG_DONTWAIT)
        except BlockingIOError:
            data = None
        if data == b"":
            raise BenchError("connection closed by the server")
        if data:
            self.buf += data
        return self._parse()

    def recv(self):
        while True:
            r = self._parse(decode_chunks=False)
            if r is not None:
                return r
            if self.hdr_end >= 0 and not self.chunked and \
                    self.hdr_end + self.length - len(self.buf) > (1 << 16):
                return self._recv_large()
            if self.hdr_end >= 0 and self.chunked and self.cbody is None:
                return self._recv_chunked_large()
            data = self.sock.recv(1 << 20)
            self.t_last = time.monotonic()
            if not data:
                raise BenchError("connection closed by the server")
            self.buf += data

    def _recv_large(self):
        """The rest of a large body straight into a buffer kept from one call
        to the next (allocated and paged in by the first, untimed, call), so
        that the client costs next to nothing per byte."""
        total = self.length
        have = len(self.buf) - self.hdr_end
        if len(self.big) < total:
            self.big = bytearray(total)
        view = memoryview(self.big)
        view[:have] = self.buf[self.hdr_end:]
        pos = have
        while pos < total:
            n = self.sock.recv_into(view[pos:total], total - pos)
            if n == 0:
                view.release()
                raise BenchError("connection closed by the server")
            pos += n
        self.t_last = time.monotonic()
        body = bytes(view[:total])
        view.release()
        r = Response(self.status, self.headers, body)
        del self.buf[:]
        self._reset()
        return r

    def _dechunk(self, raw):
        """The body of a whole chunked message (bytes-like), or None if its
        last chunk has not come yet."""
        out, pos = [], 0
        while True:
            j = raw.find(b"\r\n", pos)
            if j < 0:
                return None
            size = int(bytes(raw[pos:j]).split(b";")[0], 16)
            if size == 0:
                return b"".join(out) if raw.find(b"\r\n\r\n", j) >= 0 else None
            if len(raw) < j + 2 + size + 2:
                return None
            out.append(raw[j + 2:j + 2 + size])
            pos = j + 2 + size + 2

    def _recv_chunked_large(self):
        """A chunked body as _recv_large takes a long one: the raw bytes into
        the kept buffer until the last chunk, decoded after the last byte came
        (out of the timed window), so that the client costs the same per byte
        for a chunked answer as for one with a length."""
        have = len(self.buf) - self.hdr_end
        if len(self.big) < max(have, 1 << 20):
            self.big = bytearray(max(have, 1 << 20))
        self.big[:have] = self.buf[self.hdr_end:]
        pos = have
        while True:
            if pos >= 5 and self.big[pos - 5:pos] == b"0\r\n\r\n":
                body = self._dechunk(self.big[:pos])  # once: at the last chunk
                if body is not None:
                    break
            if pos == len(self.big):
                self.big.extend(bytearray(len(self.big)))  # the untimed first call grows it
            view = memoryview(self.big)
            n = self.sock.recv_into(view[pos:], len(self.big) - pos)
            view.release()
            if n == 0:
                raise BenchError("connection closed by the server")
            pos += n
            self.t_last = time.monotonic()
        r = Response(self.status, self.headers, bytes(body))
        del self.buf[:]
        self._reset()
        return r

    def roundtrip(self, body, path="/", ctype="text/xml"):
        self.send(body, path, ctype)
        return self.recv()

    def timed_roundtrip(self, body, path="/", ctype="text/xml"):
        """(seconds from the first byte sent to the last byte received, Response)."""
        t0 = time.monotonic()
        self.send(body, path, ctype)
        self.t_last = t0
        r = self.recv()
        # the time the last byte arrived, not after building the body object
        return self.t_last - t0, r


def wait_all(conns, timeout=60.0):
    """Waits for one response on each connection; returns [(monotonic time
    the response was complete, Response)] in the order of conns."""
    done = [None] * len(conns)
    deadline = time.monotonic() + timeout
    while any(d is None for d in done):
        left = deadline - time.monotonic()
        if left <= 0:
            raise BenchError("no response within %.0f s" % timeout)
        waiting = [c.sock for c, d in zip(conns, done) if d is None]
        readable, _, _ = select.select(waiting, [], [], left)
        now = time.monotonic()
        for i, c in enumerate(conns):
            if done[i] is None and c.sock in readable:
                r = c.poll()
                if r is not None:
                    done[i] = (now, r)
    return done


# ---- XML-RPC ------------------------------------------------------------------

def xmlrpc_body(method, *params):
    return xmlrpc.client.dumps(tuple(params), method, allow_none=False).encode()


def xmlrpc_value(resp):
    """The Value of a XenAPI answer; BenchError with ErrorDescription if it failed."""
    if resp.status != 200:
        raise BenchError("HTTP %d" % resp.status)
    v = xmlrpc.client.loads(resp.body)[0][0]
    if not isinstance(v, dict) or v.get("Status") != "Success":
        raise BenchError("call failed: %r" % (v.get("ErrorDescription") if isinstance(v, dict) else v,))
    return v.get("Value")


def call(conn, method, *params):
    return xmlrpc_value(conn.roundtrip(xmlrpc_body(method, *params)))


def login(conn):
    return call(conn, "session.login_with_password", "root", PASSWORD, "1.0", "xapi-c bench")


def vm_record(name):
    """A VM record as XenAPI clients send to VM.create: every field that has
    no default, ints as strings (the XenAPI wire convention)."""
    gib = str(1 << 30)
    return {
        "name_label": name, "name_description": "bench", "user_version": "1",
        "is_a_template": False, "affinity": "OpaqueRef:NULL",
        "memory_static_max": gib, "memory_dynamic_max": gib,
        "memory_dynamic_min": gib, "memory_static_min": str(1 << 29),
        "VCPUs_params": {}, "VCPUs_max": "1", "VCPUs_at_startup": "1",
        "actions_after_shutdown": "destroy", "actions_after_reboot": "restart",
        "actions_after_crash": "restart", "PV_bootloader": "", "PV_kernel": "",
        "PV_ramdisk": "", "PV_args": "", "PV_bootloader_args": "",
        "PV_legacy_args": "", "HVM_boot_policy": "BIOS order",
        "HVM_boot_params": {"order": "cd"}, "platform": {"acpi": "1"},
        "PCI_bus": "", "other_config": {"bench": "true"}, "recommendations": "",
        "domain_type": "hvm",
    }


def create_many(port, session, method, make_record, count, conns=8):
    """count calls of method(session, make_record(i)) over `conns` parallel
    keep-alive connections (one thread each; the request bodies are built
    before the clock starts). Returns (seconds, [refs])."""
    bodies = [xmlrpc_body(method, session, make_record(i)) for i in range(count)]
    refs = [None] * count
    errors = []
    nxt = [0]
    lock = threading.Lock()

    def worker():
        try:
            c = HttpConn(port)
        except OSError as e:
            errors.append(str(e))
            return
        try:
            while not errors:
                with lock:
                    i = nxt[0]
                    nxt[0] += 1
                if i >= count:
                    break
                r = c.roundtrip(bodies[i])
                # cheap check instead of a full parse: refs are plain strings
                m = re.search(rb"<name>Value</name><value>(?:<string>)?(OpaqueRef:[^<]+)<", r.body)
                if r.status != 200 or not m:
                    errors.append(r.body[:300].decode(errors="replace"))
                    break
                refs[i] = m.group(1).decode()
        except Exception as e:  # reported below
            errors.append(repr(e))
        finally:
            c.close()

    t0 = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(conns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.monotonic() - t0
    if errors:
        raise BenchError("%s failed: %s" % (method, errors[0]))
    return took, refs


# ---- nginx --------------------------------------------------------------------

NGINX_CONF = """daemon off;
master_process on;
user root;
worker_processes auto;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {d}/body;
  proxy_temp_path {d}/proxy;
  fastcgi_temp_path {d}/fastcgi;
  uwsgi_temp_path {d}/uwsgi;
  scgi_temp_path {d}/scgi;
  keepalive_requests 1000000000;
  keepalive_timeout 60s;
  client_max_body_size 64m;
  server {{
    listen {host}:{port};
    root {d}/www;
    default_type text/xml;
{locations}
  }}
}}
"""


def nginx_quote(b):
    """The bytes as a double-quoted nginx string, or None if they cannot be
    (nginx has no escape for '$')."""
    s = b.decode("utf-8")
    if "$" in s:
        return None
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


class Nginx:
    """nginx-light on 127.0.0.1 answering POST on / with fixed bytes:
    `return 200 "<bytes>"` for small answers (the fastest nginx path), a
    static file turned into a POST answer by `error_page 405 =200 $uri` for
    large ones."""

    def __init__(self, cleanup, body, static=False):
        self.cleanup = cleanup
        self.dir = cleanup.tempdir("nginx")
        os.makedirs(os.path.join(self.dir, "www"))
        with open(os.path.join(self.dir, "www", "answer.xml"), "wb") as f:
            f.write(body)
        quoted = None if static else nginx_quote(body)
        if quoted is not None:
            self.how = 'return 200 "<bytes>"'
            loc = "    location / { return 200 %s; }" % quoted
        else:
            self.how = "static file + error_page 405 =200"
            loc = ("    location / { try_files /answer.xml =404; "
                   "error_page 405 =200 $uri; }")
        self.locations = loc
        self.proc = None
        self.port = None

    def start(self):
        for _ in range(3):
            self.port = free_port()
            conf = os.path.join(self.dir, "nginx.conf")
            with open(conf, "w") as f:
                f.write(NGINX_CONF.format(d=self.dir, host=HOST, port=self.port,
                                          locations=self.locations))
            self.proc = self.cleanup.spawn(
                ["nginx", "-c", conf, "-p", self.dir + "/", "-e", self.dir + "/error.log"],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL)
            if wait_port(self.port, self.proc, 10.0):
                return self
            self.cleanup.stop(self.proc)
        with open(os.path.join(self.dir, "error.log")) as f:
            raise BenchError("nginx did not start: %s" % f.read()[-500:])

    def stop(self):
        if self.proc:
            self.cleanup.stop(self.proc)
            self.proc = None


def wait_port(port, proc, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            socket.create_connection((HOST, port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.02)
    return False


# ---- compiling the C helpers ----------------------------------------------------

def compile_c(builddir, name, extra_args):
    """Builds bench/<name>.c into <builddir>/bench/<name> when the source is
    newer; returns the binary path."""
    out_dir = os.path.join(builddir, "bench")
    os.makedirs(out_dir, exist_ok=True)
    src = os.path.join(BENCH, name + ".c")
    out = os.path.join(out_dir, name)
    deps = [src] + [a for a in extra_args if a.endswith(".a")]
    if os.path.exists(out) and all(os.path.getmtime(out) >= os.path.getmtime(d) for d in deps):
        return out
    cc = os.environ.get("CC", "cc")
    argv = [cc, "-std=gnu11", "-O2", "-g", "-Wall", "-Wextra", "-Wshadow",
            "-Wno-unused-parameter", "-Wstrict-prototypes", "-Wmissing-prototypes",
            "-Werror", "-o", out, src] + extra_args
    r = subprocess.run(argv, capture_output=True, text=True)
    if r.returncode != 0:
        raise BenchError("compiling %s failed: %s" % (name, r.stderr[-1500:]))
    return out


def shell_words(cmd):
    return subprocess.run(cmd, shell=True, check=True, capture_output=True,
                          text=True).stdout.split()


# ---- figures ------------------------------------------------------------------

def median(xs):
    return statistics.median(xs)


def percentile(xs, p):
    """Nearest-rank percentile."""
    s = sorted(xs)
    k = max(0, min(len(s) - 1, int(-(-p * len(s) // 100)) - 1))
    return s[k]


class Section:
    """What one benchmark found: figures (label, value) and targets (label,
    target text, measured text, met: True/False/None for not measured)."""

    def __init__(self, key, title):
        self.key = key
        self.title = title
        self.figures = []
        self.targets = []
        self.notes = []
        self.seconds = None
        self.failed = None  # the error text if the benchmark did not finish

    def figure(self, label, value):
        self.figures.append((label, value))
        log("  %-58s %s" % (label, value))

    def target(self, label, target, measured, met):
        self.targets.append((label, target, measured, met))
        log("  target %-51s %s (%s): %s" % (label, target, measured,
                                            {True: "met", False: "NOT MET", None: "not measured"}[met]))

    def note(self, text):
        self.notes.append(text)
        log("  note: %s" % text)


def sha256_of(stream, chunk=4 << 20):
    """The sha256 hex digest of what a file or HTTP response still holds."""
    h = hashlib.sha256()
    while True:
        b = stream.read(chunk)
        if not b:
            return h.hexdigest()
        h.update(b)
