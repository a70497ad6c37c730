"""Starts and stops xapid for the integration tests, and the base class the
test files share.

A daemon runs from the build dir (env XAPID, default <repo>/xapid) with

    --foreground --listen 127.0.0.1:0 --listen-tls 127.0.0.1:0 --socket <tmp>/xapi.sock --state-dir <tmp>
    --users <tmp>/users --backend sim --log-level debug -c <tmp>/xapid.conf

in a fresh temp dir (the config file holds extra `key = value` lines a test
class asks for), plus --plugins-conf-dir <tmp>/plugins.d (empty unless the
test asks for plugins: Xapid(plugins={"file": {...settings}}) writes
<tmp>/plugins.d/file.conf with enabled = true) and, from the build dir (the
directory of XAPID), --plugin-dir <build>/plugins and --plugin-worker
<build>/xapid-plugin-worker (env XAPID_PLUGIN_DIR, XAPID_PLUGIN_WORKER). The harness waits for the stderr line
"xapid ready on 127.0.0.1:PORT" and the next, "xapid TLS ready on 127.0.0.1:PORT"
(env XAPID_READY_TIMEOUT, default 10 s),
keeps the whole log in <tmp>/xapid.log for failure messages, stops the
daemon with SIGTERM and insists on exit code 0, and always cleans up the
process and the temp dir (env XAPID_KEEP=1 keeps the dir for debugging).
"""

import atexit
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import unittest
import uuid
import warnings
import xmlrpc.client
from pathlib import Path

import xenapi_client
from xenapi_client import Failure, Session, JsonRpcSession, server_proxy, unwrap

REPO = Path(__file__).resolve().parents[2]
READY_RE = re.compile(rb"xapid ready on 127\.0\.0\.1:(\d+)")
# The second ready line, for the HTTPS listener (--listen-tls).
READY_TLS_RE = re.compile(rb"xapid TLS ready on 127\.0\.0\.1:(\d+)")

ROOT_USER = "root"
ROOT_PASSWORD = "xapi-c-root-pw"
USERS = {ROOT_USER: ROOT_PASSWORD, "alice": "alice-pw"}
# xapi's six roles; the users file has a user "user-<role>" for each (the
# RBAC tests make it a subject with that role: without a subject a user
# other than root cannot log in).
RBAC_ROLES = ["pool-admin", "pool-operator", "vm-power-admin", "vm-admin", "vm-operator",
              "read-only"]
USERS.update({"user-" + r: r + "-pw" for r in RBAC_ROLES})


def add_subject(x, user, *roles):
    """Makes the local user a subject (identifier = the user name) with
    roles (names); returns the subject ref."""
    subject = x.subject.create({"subject_identifier": user, "other_config": {}})
    for r in roles:
        x.subject.add_to_roles(subject, x.role.get_by_name_label(r)[0])
    return subject

# What sanitizer builds print when they find something (tests/run-all
# --sanitize); a report in the log fails the daemon's stop().
SANITIZER_RE = re.compile(r"(ERROR: AddressSanitizer|ERROR: LeakSanitizer|"
                          r"runtime error: |WARNING: ThreadSanitizer)")

_live = set()          # daemons to clean up at exit, whatever happened

# Client socket timeout in the tests: long enough for every blocking call a
# test makes (event.from waits of up to 30 s), short enough that a hung
# daemon fails a test instead of stalling the suite.
CALL_TIMEOUT = float(os.environ.get("XAPID_CALL_TIMEOUT", "60"))


def xapid_binary():
    return Path(os.environ.get("XAPID") or (REPO / "xapid"))


def build_dir():
    """Where the build put xapid (and the worker, plugins/, tests/plugins/)."""
    return xapid_binary().resolve().parent


def plugin_dir():
    return Path(os.environ.get("XAPID_PLUGIN_DIR") or (build_dir() / "plugins"))


def plugin_worker():
    return Path(os.environ.get("XAPID_PLUGIN_WORKER") or (build_dir() / "xapid-plugin-worker"))


def test_plugin(name):
    """The .so of a test plugin (tests/plugins/<name>.c) in the build dir."""
    return build_dir() / "tests" / "plugins" / ("%s.so" % name)


def ready_timeout():
    return float(os.environ.get("XAPID_READY_TIMEOUT", "10"))


def crypt_hash(password):
    """A crypt(3) SHA-512 hash: python's crypt module (deprecated but present
    in 3.11), else `openssl passwd -6`."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            import crypt  # noqa: deprecated in 3.11, removed in 3.13
        return crypt.crypt(password, crypt.mksalt(crypt.METHOD_SHA512))
    except ImportError:
        out = subprocess.run(["openssl", "passwd", "-6", "-stdin"], input=password.encode(),
                             stdout=subprocess.PIPE, check=True)
        return out.stdout.decode().strip()


class XapidError(AssertionError):
    """The daemon misbehaved (would not start, did not exit cleanly...)."""


class Xapid:
    """One xapid process and its state dir. start()/stop()/kill() may be
    called several times on the same state dir (restart tests)."""

    def __init__(self, config=None, users=None, name="xapid", plugins=None):
        self.name = name
        self.config = dict(config or {})
        # plugins.d: name -> settings (plus "enabled", default true, and
        # "path", default <name>.so in the plugin dir).
        self.plugins = {k: dict(v or {}) for k, v in (plugins or {}).items()}
        self.users = dict(USERS if users is None else users)
        self.dir = Path(tempfile.mkdtemp(prefix="xapid-it-%s-" % name))
        self.socket_path = str(self.dir / "xapi.sock")
        self.users_file = self.dir / "users"
        self.conf_file = self.dir / "xapid.conf"
        self.log_file = self.dir / "xapid.log"
        self.plugins_conf_dir = self.dir / "plugins.d"
        self.proc = None
        self.port = None
        self.tls_port = None
        self.tls = True        # False: --listen-tls none
        self.starts = 0
        self.wedged = None     # why the daemon is considered hung, once it is
        self._reader = None
        self._ready = threading.Event()
        _live.add(self)

    # ---- files ----

    def _write_files(self):
        if not self.users_file.exists():
            with open(self.users_file, "w") as f:
                for user, pw in self.users.items():
                    f.write("%s:%s\n" % (user, crypt_hash(pw)))
            os.chmod(self.users_file, 0o600)
        with open(self.conf_file, "w") as f:
            f.write("# written by tests/integration/harness.py\n")
            for k, v in self.config.items():
                f.write("%s = %s\n" % (k, v))
        self.plugins_conf_dir.mkdir(exist_ok=True)
        for plugin, settings in self.plugins.items():
            self.write_plugin_conf(plugin, settings)

    def write_plugin_conf(self, plugin, settings=None):
        """Writes <tmp>/plugins.d/<plugin>.conf (enabled = true unless the
        settings say otherwise); the daemon reads it at start, on SIGHUP or
        host.call_plugin(host, "xapi-c", "rescan_plugins", {})."""
        settings = dict(settings or {})
        settings.setdefault("enabled", "true")
        self.plugins[plugin] = settings
        self.plugins_conf_dir.mkdir(exist_ok=True)
        with open(self.plugins_conf_dir / ("%s.conf" % plugin), "w") as f:
            f.write("# written by tests/integration/harness.py\n")
            for k, v in settings.items():
                if isinstance(v, bool):
                    v = "true" if v else "false"
                f.write("%s = %s\n" % (k, v))

    def command(self):
        return [str(xapid_binary()), "--foreground",
                "--listen", "127.0.0.1:0",
                "--listen-tls", "127.0.0.1:0" if self.tls else "none",
                "--socket", self.socket_path,
                "--state-dir", str(self.dir),
                "--users", str(self.users_file),
                "--backend", "sim",
                "--log-level", "debug",
                "--plugins-conf-dir", str(self.plugins_conf_dir),
                "--plugin-dir", str(plugin_dir()),
                "--plugin-worker", str(plugin_worker()),
                "-c", str(self.conf_file)]

    # ---- process control ----

    @property
    def running(self):
        return self.proc is not None and self.proc.poll() is None

    @property
    def url(self):
        return "http://127.0.0.1:%d/" % self.port

    @property
    def tls_url(self):
        return "https://127.0.0.1:%d/" % self.tls_port

    def start(self, timeout=None):
        binary = xapid_binary()
        if not binary.is_file() or not os.access(binary, os.X_OK):
            raise XapidError("xapid binary not found or not executable at %s "
                             "(build it, set XAPID=/path/to/xapid, or run "
                             "tests/run-all --builddir DIR)" % binary)
        if self.running:
            raise XapidError("xapid already running")
        self._write_files()
        self.starts += 1
        self.port = None
        self.tls_port = None
        self.wedged = None
        self._ready.clear()
        with open(self.log_file, "ab") as log:
            log.write(b"==== harness: start #%d: %s\n" % (self.starts, " ".join(self.command()).encode()))
        # Own process group, so that whatever xapid forks can be cleaned up.
        self.proc = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self._reader = threading.Thread(target=self._read_log, args=(self.proc,),
                                        name="xapid-log-%s" % self.name, daemon=True)
        self._reader.start()
        timeout = ready_timeout() if timeout is None else timeout
        deadline = time.monotonic() + timeout
        while not self._ready.wait(0.05):
            if self.proc.poll() is not None:
                self._reader.join(2)
                rc = self.proc.returncode
                self.proc = None
                raise XapidError("xapid exited with status %s before it was ready\n%s"
                                 % (rc, self.log_tail()))
            if time.monotonic() > deadline:
                self._kill_group()
                raise XapidError("xapid not ready after %.0f s (no 'xapid ready on "
                                 "127.0.0.1:PORT' line)\n%s" % (timeout, self.log_tail()))
        return self.port

    def _read_log(self, proc):
        # Drains the pipe for the whole life of the process (debug logging
        # would otherwise fill it and block the daemon).
        with open(self.log_file, "ab", buffering=0) as log:
            for line in iter(proc.stdout.readline, b""):
                log.write(line)
                if self.port is None:
                    m = READY_RE.search(line)
                    if m:
                        self.port = int(m.group(1))
                        if not self.tls:
                            self._ready.set()
                elif self.tls and self.tls_port is None:
                    # written together with the first: ready once both are in
                    m = READY_TLS_RE.search(line)
                    if m:
                        self.tls_port = int(m.group(1))
                        self._ready.set()
        proc.stdout.close()

    def stop(self, timeout=15.0):
        """SIGTERM; the daemon must exit 0 within timeout, with no sanitizer
        report in its log. Raises XapidError otherwise."""
        if self.proc is None:
            return 0
        proc = self.proc
        if proc.poll() is not None:
            self.proc = None
            raise XapidError("xapid died unexpectedly with status %s\n%s"
                             % (proc.returncode, self.log_tail()))
        proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self._kill_group()
            raise XapidError("xapid did not exit within %.0f s of SIGTERM\n%s"
                             % (timeout, self.log_tail()))
        self._finish(proc)
        if rc != 0:
            raise XapidError("xapid exited with status %d after SIGTERM (want 0)\n%s"
                             % (rc, self.log_tail()))
        self.check_log_clean()
        return rc

    def kill(self):
        """SIGKILL (crash simulation): no chance to flush or clean up."""
        if self.proc is None:
            return
        self._kill_group()

    def restart(self):
        self.stop()
        return self.start()

    def _kill_group(self):
        proc = self.proc
        if proc is None:
            return
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            pass
        self._finish(proc)

    def _finish(self, proc):
        # Anything the daemon left behind in its group goes too.
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if self._reader is not None:
            self._reader.join(5)
        self.proc = None

    def cleanup(self):
        """Kills the process if still there and removes the temp dir."""
        try:
            self._kill_group()
        finally:
            _live.discard(self)
            if os.environ.get("XAPID_KEEP"):
                print("harness: kept %s" % self.dir)
            else:
                shutil.rmtree(self.dir, ignore_errors=True)

    # ---- logs ----

    def log_text(self):
        try:
            return self.log_file.read_text(errors="replace")
        except OSError:
            return ""

    def wait_log(self, text, timeout=15):
        """The log once it holds text (what a busy machine has not written
        yet is waited for), or as it is after timeout seconds."""
        deadline = time.monotonic() + timeout
        log = self.log_text()
        while text not in log and time.monotonic() < deadline:
            time.sleep(0.1)
            log = self.log_text()
        return log

    def log_tail(self, lines=60):
        text = self.log_text().splitlines()
        tail = "\n".join(text[-lines:])
        return "---- last %d lines of %s ----\n%s\n---- end of log ----" % (
            min(lines, len(text)), self.log_file, tail)

    def check_log_clean(self):
        m = SANITIZER_RE.search(self.log_text())
        if m:
            raise XapidError("sanitizer report in the xapid log (%r)\n%s"
                             % (m.group(0), self.log_tail(120)))

    def check_alive(self, timeout=5.0):
        """Raises XapidError if the daemon is gone or does not answer a
        database read within timeout (a deadlock, say). Once it has not
        answered, it is "wedged" and later checks fail at once."""
        if self.wedged:
            raise XapidError("xapid stopped answering earlier (%s)" % self.wedged)
        if not self.running:
            raise XapidError("xapid is not running (exit status %s)\n%s"
                             % (self.proc.returncode if self.proc else None, self.log_tail()))
        try:
            p = server_proxy(self.url, timeout=timeout)
            r = p.session.login_with_password(ROOT_USER, self.users.get(ROOT_USER, ""))
            if r.get("Status") == "Success":
                p.pool.get_all(r["Value"])
                p.session.logout(r["Value"])
        except (OSError, xmlrpc.client.ProtocolError) as e:
            self.wedged = "no answer within %.0f s: %s" % (timeout, e)
            raise XapidError("xapid does not answer: %s\n%s" % (e, self.log_tail()))

    # ---- clients ----

    def session(self, user=ROOT_USER, password=ROOT_PASSWORD, **kw):
        s = Session(self.url, timeout=CALL_TIMEOUT)
        s.login_with_password(user, password, **kw)
        return s

    def unix_session(self, user=ROOT_USER, password=ROOT_PASSWORD):
        s = Session(socket_path=self.socket_path, timeout=CALL_TIMEOUT)
        s.login_with_password(user, password)
        return s

    def proxy(self, timeout=None):
        return server_proxy(self.url, timeout=CALL_TIMEOUT if timeout is None else timeout)

    def json_session(self, version=2):
        s = JsonRpcSession("127.0.0.1", self.port, version=version, timeout=CALL_TIMEOUT)
        s.login_with_password(ROOT_USER, ROOT_PASSWORD)
        return s

    def post(self, path, body, content_type="text/xml", headers=None, timeout=30):
        """Raw POST: returns (status, headers with lower-case names, body)."""
        import http.client
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            h = {"Content-Type": content_type}
            h.update(headers or {})
            conn.request("POST", path, body=body, headers=h)
            resp = conn.getresponse()
            data = resp.read()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
        finally:
            conn.close()

    def jsonrpc(self, payload, **kw):
        return xenapi_client.jsonrpc_post("127.0.0.1", self.port, payload, **kw)


@atexit.register
def _cleanup_all():
    for d in list(_live):
        d.cleanup()


# ---- helpers for tests ------------------------------------------------------

def new_ref():
    """A well-formed reference that names nothing."""
    return "OpaqueRef:%s" % uuid.uuid4()


REF_RE = re.compile(r"^OpaqueRef:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
TOKEN_RE = re.compile(r"^\d{20},\d{20}$")
NULL_REF = "OpaqueRef:NULL"


def vm_record(name_label="it-vm", **extra):
    """A VM.create record with every field that has no default (xapi's list,
    xenapi-protocol.md 2.1); ints as strings as XenAPI.py users send them."""
    rec = {
        "name_label": name_label,
        "name_description": "integration test VM",
        "user_version": "1",
        "is_a_template": False,
        "affinity": NULL_REF,
        "memory_static_max": "268435456",
        "memory_dynamic_max": "268435456",
        "memory_dynamic_min": "134217728",
        "memory_static_min": "134217728",
        "VCPUs_params": {},
        "VCPUs_max": "1",
        "VCPUs_at_startup": "1",
        "actions_after_shutdown": "destroy",
        "actions_after_reboot": "restart",
        "actions_after_crash": "restart",
        "PV_bootloader": "",
        "PV_kernel": "",
        "PV_ramdisk": "",
        "PV_args": "",
        "PV_bootloader_args": "",
        "PV_legacy_args": "",
        "HVM_boot_policy": "BIOS order",
        "HVM_boot_params": {"order": "cd"},
        "platform": {},
        "PCI_bus": "",
        "other_config": {},
        "recommendations": "",
    }
    rec.update(extra)
    return rec


class DaemonTestCase(unittest.TestCase):
    """One xapid per test class (started in setUpClass, stopped with SIGTERM
    and exit code 0 checked in tearDownClass), with a root session in
    cls.session and its dispatcher in cls.x."""

    daemon_config = {}
    daemon_plugins = None      # e.g. {"file": {}}: Xapid(plugins=...)
    daemon_class = None        # a Xapid subclass (e.g. one in a network namespace)
    maxDiff = 4000

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.daemon = (cls.daemon_class or Xapid)(config=cls.daemon_config, name=cls.__name__,
                                                 plugins=cls.daemon_plugins)
        cls.addClassCleanup(cls.daemon.cleanup)
        cls.daemon.start()
        cls.session = cls.daemon.session()
        cls.x = cls.session.xenapi

    @classmethod
    def tearDownClass(cls):
        if not cls.daemon.wedged:
            try:
                cls.session.logout()
            except Exception:
                pass
        cls.session.close()
        cls.daemon.stop()
        super().tearDownClass()

    def setUp(self):
        # A daemon that died or hung in an earlier test fails this one at
        # once, with the reason, instead of after a long socket timeout.
        super().setUp()
        self.daemon.check_alive()

    # ---- restarts ----

    @classmethod
    def restart_daemon(cls, kill=False):
        """Stops the daemon (SIGTERM, exit code 0 checked; or SIGKILL with
        kill=True), starts it again on the same state dir and points
        cls.session (same session ref) at the new port."""
        if kill:
            cls.daemon.kill()
        else:
            cls.daemon.stop()
        cls.daemon.start()
        cls.session = cls.rebind(cls.session)
        cls.x = cls.session.xenapi

    @classmethod
    def rebind(cls, session):
        """The same session ref, talking to the daemon's current port."""
        fresh = Session(cls.daemon.url, timeout=CALL_TIMEOUT)
        fresh.handle = session.handle
        return fresh

    # ---- conveniences ----

    def log_tail(self, lines=60):
        return self.daemon.log_tail(lines)

    def new_session(self, **kw):
        return self.daemon.session(**kw)

    def raw(self, method, *args, proxy=None):
        """Calls a wire method on a raw ServerProxy; returns the envelope."""
        proxy = proxy or self.daemon.proxy()
        return getattr(proxy, method)(*args)

    def assertFailure(self, expected, fn, *args):
        """fn(*args) must raise Failure. expected: the whole
        ErrorDescription list, or just the code (a string)."""
        try:
            result = fn(*args)
        except Failure as e:
            if isinstance(expected, str):
                self.assertEqual(e.details[:1], [expected],
                                 "wrong error code (got %r)\n%s" % (e.details, self.log_tail(30)))
            else:
                self.assertEqual(e.details, list(expected),
                                 "wrong ErrorDescription\n%s" % self.log_tail(30))
            return e.details
        self.fail("expected failure %r, got success %r" % (expected, result))

    def assertEnvelopeFailure(self, expected, envelope):
        """A raw {Status: Failure, ErrorDescription} envelope check."""
        self.assertIsInstance(envelope, dict, envelope)
        self.assertEqual(envelope.get("Status"), "Failure", envelope)
        if isinstance(expected, str):
            self.assertEqual(envelope["ErrorDescription"][:1], [expected], envelope)
        else:
            self.assertEqual(envelope["ErrorDescription"], list(expected), envelope)

    def create_vm(self, name_label="it-vm", session=None, **extra):
        x = (session or self.session).xenapi
        ref = x.VM.create(vm_record(name_label, **extra))
        self.assertRegex(ref, REF_RE)
        return ref

    def running_vm(self, name_label="it-vm"):
        """A new VM, started; hard-shut down and destroyed after the test."""
        vm = self.create_vm(name_label)
        self.x.VM.start(vm, False, False)
        self.addCleanup(self.x.VM.destroy, vm)
        self.addCleanup(self.x.VM.hard_shutdown, vm)
        return vm

    def wait_task(self, task, timeout=20.0, session=None):
        """Polls task.get_status until it is not pending/cancelling; returns
        the task record."""
        x = (session or self.session).xenapi
        deadline = time.monotonic() + timeout
        while True:
            rec = x.task.get_record(task)
            if rec["status"] not in ("pending", "cancelling"):
                return rec
            if time.monotonic() > deadline:
                self.fail("task %s still %s after %.0f s\n%s"
                          % (task, rec["status"], timeout, self.log_tail(30)))
            time.sleep(0.02)

    def events_until(self, classes, token, want, timeout=10.0, session=None):
        """Calls event.from until want(events_so_far) is true; returns
        (events, token). Fails after timeout."""
        x = (session or self.session).xenapi
        seen = []
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                self.fail("events wanted did not arrive within %.0f s; got %r\n%s"
                          % (timeout, [(e.get("class"), e.get("operation"), e.get("ref"))
                                       for e in seen], self.log_tail(30)))
            batch = getattr(x.event, "from")(classes, token, float(min(left, 5.0)))
            seen.extend(batch["events"])
            token = batch["token"]
            if want(seen):
                return seen, token


def introduce_sr(x, name_label="it-sr", sr_type="it-dummy"):
    """A bare SR record (no PBDs, no driver call): SR.introduce, as xapi's
    forget/introduce of existing storage. Returns the SR ref."""
    return x.SR.introduce(str(uuid.uuid4()), name_label, "introduced by the tests",
                          sr_type, "user", False, {})


def usable_sr(x):
    """An SR that VDIs can be created on: pool.default_SR (first boot makes
    the default SR in the state dir, DESIGN.md 9), else a plugged SR of the
    `file` driver, made in a temp dir if there is none (the test class
    loads the driver: daemon_plugins = {"file": {}}). VDI.create needs a
    driver, as xapi's."""
    pool = x.pool.get_all()[0]
    sr = x.pool.get_default_SR(pool)
    if sr != NULL_REF:
        return sr
    plugged = {rec["SR"] for rec in x.PBD.get_all_records().values() if rec["currently_attached"]}
    for ref, rec in x.SR.get_all_records().items():
        if ref in plugged and rec["type"] == "file":
            return ref
    if "file" not in x.SR.get_supported_types():
        raise XapidError("usable_sr: no SR to make VDIs on; load the file driver "
                         "(daemon_plugins = {\"file\": {}})")
    location = tempfile.mkdtemp(prefix="xapid-it-sr-")
    atexit.register(shutil.rmtree, location, True)
    return x.SR.create(x.pool.get_master(pool), {"location": location}, "0", "it-sr",
                       "made by the tests", "file", "user", False, {})


def vdi_record(sr, name_label="it-vdi", size="1048576", **extra):
    rec = {"name_label": name_label, "name_description": "", "SR": sr, "virtual_size": size,
           "type": "user", "sharable": False, "read_only": False, "other_config": {}}
    rec.update(extra)
    return rec


def vbd_record(vm, vdi=None, userdevice="autodetect", **extra):
    """A VBD.create record: a disk for vdi, or an empty CD drive."""
    rec = {"VM": vm, "VDI": vdi or NULL_REF, "userdevice": userdevice, "bootable": False,
           "mode": "RW" if vdi else "RO", "type": "Disk" if vdi else "CD",
           "empty": vdi is None, "other_config": {}, "qos_algorithm_type": "",
           "qos_algorithm_params": {}}
    rec.update(extra)
    return rec


def vif_record(vm, network, device="0", **extra):
    rec = {"device": device, "network": network, "VM": vm, "MAC": "", "MTU": "1500",
           "other_config": {}, "qos_algorithm_type": "", "qos_algorithm_params": {}}
    rec.update(extra)
    return rec


def network_record(name_label="it-net", **extra):
    rec = {"name_label": name_label, "name_description": "", "other_config": {}}
    rec.update(extra)
    return rec


# One-to-many relations kept consistent by the server (xenapi-protocol.md
# 2.1), for the classes we serve: (one class, ref field, many class, set field).
RELATIONS = [
    ("VBD", "VM", "VM", "VBDs"),
    ("VBD", "VDI", "VDI", "VBDs"),
    ("VIF", "VM", "VM", "VIFs"),
    ("VIF", "network", "network", "VIFs"),
    ("PIF", "host", "host", "PIFs"),
    ("PIF", "network", "network", "PIFs"),
    ("PBD", "host", "host", "PBDs"),
    ("PBD", "SR", "SR", "PBDs"),
    ("VDI", "SR", "SR", "VDIs"),
    ("VM", "resident_on", "host", "resident_VMs"),
    ("console", "VM", "VM", "consoles"),
    ("host_cpu", "host", "host", "host_CPUs"),
    ("VM", "snapshot_of", "VM", "snapshots"),
    ("VDI", "snapshot_of", "VDI", "snapshots"),
    ("VM", "parent", "VM", "children"),
    ("task", "subtask_of", "task", "subtasks"),
    ("PIF", "bond_slave_of", "Bond", "slaves"),
    ("Bond", "master", "PIF", "bond_master_of"),
    ("VLAN", "tagged_PIF", "PIF", "VLAN_slave_of"),
    ("tunnel", "access_PIF", "PIF", "tunnel_access_PIF_of"),
    ("tunnel", "transport_PIF", "PIF", "tunnel_transport_PIF_of"),
]


def relation_problems(x):
    """Every way the database violates a relation, as readable strings:
    a ref field naming an object whose set does not hold it back, a set
    member that is gone or does not point back."""
    records = {}

    def recs(cls):
        if cls not in records:
            records[cls] = getattr(x, cls).get_all_records()
        return records[cls]

    problems = []
    for one_cls, one_field, many_cls, many_field in RELATIONS:
        ones, manys = recs(one_cls), recs(many_cls)
        for ref, rec in ones.items():
            target = rec.get(one_field)
            if target is None:
                problems.append("%s %s has no field %s" % (one_cls, ref, one_field))
                continue
            if target == NULL_REF or target == "":
                continue
            if target not in manys:
                problems.append("%s.%s of %s names missing %s %s"
                                % (one_cls, one_field, ref, many_cls, target))
            elif ref not in manys[target].get(many_field, []):
                problems.append("%s.%s of %s is %s, but %s.%s there lacks it"
                                % (one_cls, one_field, ref, target, many_cls, many_field))
        for mref, mrec in manys.items():
            for member in mrec.get(many_field, []):
                if member not in ones:
                    problems.append("%s.%s of %s holds missing %s %s"
                                    % (many_cls, many_field, mref, one_cls, member))
                elif ones[member].get(one_field) != mref:
                    problems.append("%s.%s of %s holds %s whose %s is %s"
                                    % (many_cls, many_field, mref, member, one_field,
                                       ones[member].get(one_field)))
    return problems


def current_token(x, classes=("pool",)):
    """A token for "now": event.from with a zero timeout from the empty
    token gives all current objects and the token after them."""
    return getattr(x.event, "from")(list(classes), "", 0.0)["token"]


def by_ref(events, ref):
    return [e for e in events if e.get("ref") == ref]


def stable_fields(a, b):
    """Keys whose values did not change between two reads of a record
    (to compare records without tripping over last_active & co)."""
    return {k for k in a if k in b and a[k] == b[k]}


def dump(v):
    return json.dumps(v, default=str, sort_keys=True)
