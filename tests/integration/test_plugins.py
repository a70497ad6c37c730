"""Plugins (core/loader/plugins.h, doc/plugins.md) through a running xapid: each
refused plugin (tests/plugins/: another ABI major, no entry symbol, a NULL
mandatory op, a capability without its op, a bad name, init failing, a
duplicate name, a missing .so, a bad plugins.d file) is one clear error line
and the daemon serves; the SM objects of loaded drivers; loading plugins
enabled later on SIGHUP and through host.call_plugin; SM objects of drivers
no longer loaded go at the next start; and crash isolation with the faulty
driver, through SR.probe and VDI.create: a segfault, exit(3) and a hang
each fail that call with the documented error while other clients keep
being served, and the driver works again on the next call; progress and
cancellation reach the driver.
"""

import os
import re
import shlex
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import unittest
from pathlib import Path

import harness
from harness import DaemonTestCase, Failure, test_plugin


def conf(name, **settings):
    """A plugins.d entry for test plugin `name`."""
    settings.setdefault("path", str(test_plugin(name)))
    return settings


# plugins.d name -> (what it loads, the reason its refusal line gives)
REFUSED = {
    "bad_abi": ("bad_abi", "built for plugin ABI 1.0, but this xapid speaks ABI 2.1"),
    "no_symbol": ("no_symbol", "no symbol xapi_plugin_init: was it built with XAPI_PLUGIN_DEFINE?"),
    "null_op": ("null_op", "mandatory op sr_scan is NULL"),
    "cap_no_op": ("cap_no_op", "claims capability VDI_SNAPSHOT but its vdi_snapshot op is NULL"),
    "bad_name": ("bad_name", "name 'Bad-Name' is not 1 to 64 of [a-z0-9_]"),
    "init_fail": ("init_fail", "xapi_plugin_init failed with XAPI_E_INVALID (-10003): setting token "
                               "must be 'secret', not '(unset)'"),
    "dup_two": ("dup", "its name 'dup' is already taken by plugin dup_one"),
}


def refusal_lines(log, plugin):
    return [l for l in log.splitlines()
            if " plugin %s (" % plugin in l and " refused: " in l]


def error_lines(log, plugin):
    return [l for l in log.splitlines()
            if re.search(r" error .*plugin %s\b" % re.escape(plugin), l)]


class PluginLoadingTest(DaemonTestCase):
    daemon_plugins = dict(
        {name: conf(so) for name, (so, _) in REFUSED.items()},
        faulty=conf("faulty", greeting="hello from plugins.d"),
        dup_one=conf("dup"),
        missing={"path": "/nonexistent/missing.so"},
        off=conf("faulty", enabled="false"),
    )

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.host = cls.x.host.get_all()[0]

    def sm_by_type(self):
        return {rec["type"]: rec for rec in self.x.SM.get_all_records().values()}

    def test_each_refusal_is_one_clear_line(self):
        log = self.daemon.log_text()
        for name, (_, reason) in REFUSED.items():
            lines = refusal_lines(log, name)
            self.assertEqual(len(lines), 1, "%s: %r" % (name, lines))
            self.assertIn(" error ", lines[0])
            self.assertIn(reason, lines[0])
            self.assertEqual(len(error_lines(log, name)), 1,
                             "%s: one error line in all: %r" % (name, error_lines(log, name)))
        lines = refusal_lines(log, "missing")
        self.assertEqual(len(lines), 1, lines)
        self.assertIn("no such file /nonexistent/missing.so", lines[0])
        self.assertEqual(refusal_lines(log, "off"), [], "a disabled plugin is not refused")

    def test_daemon_serves_after_refusals(self):
        self.assertEqual(len(self.x.pool.get_all()), 1)
        self.assertIn("xapid ready on", self.daemon.log_text())

    def test_sm_objects_of_loaded_drivers(self):
        sms = self.sm_by_type()
        self.assertIn("faulty", sms)
        self.assertIn("dup", sms)
        for never in ("bad_abi", "no_symbol", "null_op", "cap_no_op", "Bad-Name", "bad_name"):
            self.assertNotIn(never, sms, "a refused plugin has no SM object")
        sm = sms["faulty"]
        self.assertRegex(sm["uuid"], harness.UUID_RE)
        self.assertEqual(sm["name_label"], "Faulty test driver")
        self.assertEqual(sm["name_description"],
                         "Faulty test driver: crashes, exits or hangs on request")
        self.assertEqual(sm["vendor"], "xapi-c tests")
        self.assertEqual(sm["copyright"], "(C) the xapi-c authors")
        self.assertEqual(sm["version"], "0.1")
        self.assertEqual(sm["required_api_version"], "2.1")
        self.assertEqual(sorted(sm["capabilities"]),
                         ["ATOMIC_PAUSE", "SR_PROBE", "VDI_CREATE", "VDI_DELETE",
                          "VDI_RESET_ON_BOOT"])
        self.assertEqual(sm["features"], {"SR_PROBE": "1", "VDI_CREATE": "1", "VDI_DELETE": "1",
                                          "VDI_RESET_ON_BOOT": "2", "ATOMIC_PAUSE": "1"})
        self.assertEqual(list(sm["configuration"]), ["fault"])
        self.assertIn("crash", sm["configuration"]["fault"])
        self.assertEqual(sm["driver_filename"], str(test_plugin("faulty")))
        self.assertEqual(sm["other_config"], {})
        self.assertEqual(sm["required_cluster_stack"], [])
        self.assertEqual(sms["dup"]["name_label"], "Duplicate test driver")
        ref = self.x.SM.get_by_uuid(sm["uuid"])
        self.assertEqual(self.x.SM.get_type(ref), "faulty")

    def test_sm_list_in_xe(self):
        xe = harness.build_dir() / "xe"
        self.assertTrue(xe.exists(), "no xe in the build dir")
        out = subprocess.run([str(xe), "--socket", self.daemon.socket_path, "sm-list",
                              "params=type", "--minimal"], capture_output=True, text=True,
                             timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        types = set(out.stdout.strip().split(","))
        self.assertTrue({"dup", "faulty"} <= types, types)
        self.assertFalse({"bad_abi", "null_op", "cap_no_op", "no_symbol"} & types, types)

    def test_call_plugin_errors(self):
        self.assertFailure(["XENAPI_MISSING_PLUGIN", "nosuch"],
                           self.x.host.call_plugin, self.host, "nosuch", "rescan_plugins", {})
        self.assertFailure("XENAPI_PLUGIN_FAILURE",
                           self.x.host.call_plugin, self.host, "xapi-c", "nosuch", {})
        self.assertFailure("HANDLE_INVALID",
                           self.x.host.call_plugin, harness.new_ref(), "xapi-c",
                           "rescan_plugins", {})

    def test_rescan_on_sighup(self):
        self.assertNotIn("init_fail", self.sm_by_type())
        self.daemon.write_plugin_conf("init_fail", conf("init_fail", token="secret"))
        os.kill(self.daemon.proc.pid, signal.SIGHUP)
        deadline = time.monotonic() + 10
        while "init_fail" not in self.sm_by_type():
            if time.monotonic() > deadline:
                self.fail("init_fail not loaded after SIGHUP\n%s" % self.log_tail(30))
            time.sleep(0.05)
        self.assertIn("plugin init_fail: loaded storage driver 'init_fail'",
                      self.daemon.log_text())
        # what was loaded stays loaded, and is not loaded twice
        self.assertEqual(sorted(t for t in self.sm_by_type() if t in ("faulty", "dup")),
                         ["dup", "faulty"])
        self.assertEqual(self.daemon.log_text().count("plugin faulty: loaded"), 1)

    def test_rescan_through_call_plugin(self):
        self.assertTrue((harness.plugin_dir() / "file.so").exists(),
                        "no file driver in the build's plugin dir")
        self.assertNotIn("file", self.sm_by_type())
        self.daemon.write_plugin_conf("file", {})
        result = self.x.host.call_plugin(self.host, "xapi-c", "rescan_plugins", {})
        self.assertEqual(result, "")
        sm = self.sm_by_type().get("file")
        self.assertIsNotNone(sm, "the file driver loaded by the rescan")
        self.assertEqual(sm["driver_filename"], str(harness.plugin_dir() / "file.so"))
        # Async too, as every call_plugin
        task = self.x.Async.host.call_plugin(self.host, "xapi-c", "rescan_plugins", {})
        self.assertEqual(self.wait_task(task)["status"], "success")

    def test_zz_restart_drops_sm_of_unloaded_driver(self):
        # runs last (name): faulty disabled, restart: its SM object is gone
        self.assertIn("faulty", self.sm_by_type())
        self.daemon.write_plugin_conf("faulty", conf("faulty", enabled="false"))
        self.restart_daemon()
        sms = self.sm_by_type()
        self.assertNotIn("faulty", sms)
        self.assertIn("dup", sms)


class BadPluginsDirTest(DaemonTestCase):
    """plugins.d holding a file that is not key = value lines: that plugin is
    refused, the rest load."""

    daemon_plugins = {"faulty": conf("faulty")}

    def test_bad_file_is_one_line(self):
        (self.daemon.plugins_conf_dir / "broken.conf").write_text("enabled = true\nthis is not it\n")
        self.x.host.call_plugin(self.x.host.get_all()[0], "xapi-c", "rescan_plugins", {})
        # the harness copies the daemon's stderr into the log file from a
        # thread of its own: give the line a moment to arrive
        deadline = time.monotonic() + 5
        lines = refusal_lines(self.daemon.log_text(), "broken")
        while not lines and time.monotonic() < deadline:
            time.sleep(0.05)
            lines = refusal_lines(self.daemon.log_text(), "broken")
        time.sleep(0.2)  # a second line, if there were one, would be there by now
        lines = refusal_lines(self.daemon.log_text(), "broken")
        self.assertEqual(len(lines), 1, lines)
        self.assertIn("broken.conf line 2: expected 'key = value'", lines[0])
        types = [r["type"] for r in self.x.SM.get_all_records().values()]
        self.assertIn("faulty", types)


# ---- crash isolation ------------------------------------------------------------

def storage_ready(x):
    """SR.probe with the faulty driver, or None if the storage API is not
    there yet (the handlers live in core/api/sr.c)."""
    try:
        x.SR.probe(x.host.get_all()[0], {}, "faulty", {})
        return True
    except Failure as e:
        if e.details[0] in ("MESSAGE_METHOD_UNKNOWN", "NOT_IMPLEMENTED"):
            return False
        return True


class CrashIsolationTest(DaemonTestCase):
    daemon_plugins = {"faulty": conf("faulty")}
    daemon_config = {"plugin_timeout": "2"}

    def setUp(self):
        super().setUp()
        self.assertTrue(storage_ready(self.x), "SR.probe must be served")
        self.host = self.x.host.get_all()[0]

    def probe(self, fault, session=None):
        x = (session or self.session).xenapi
        return x.SR.probe(self.host, {"fault": fault}, "faulty", {})

    def assert_works_again(self):
        out = self.probe("none")
        self.assertIn("9a1f5a2c-0000-4000-8000-00000000f417", out)

    def test_segfault_fails_that_call(self):
        self.assertFailure(["SR_BACKEND_FAILURE", "",
                            "the faulty driver crashed (signal 11) during sr_probe", ""],
                           self.probe, "crash")
        self.assert_works_again()

    def wait_for_log(self, pattern, timeout=5):
        """The daemon's log once pattern matches it (a harness thread copies it)."""
        deadline = time.monotonic() + timeout
        while True:
            log = self.daemon.log_text()
            if re.search(pattern, log, re.M) or time.monotonic() > deadline:
                return log
            time.sleep(0.05)

    def test_segfault_logs_a_backtrace(self):
        """The worker's crash handler (core/loader/worker/plugin_crash.c):
        the frames of the crashing thread in xapid's log, through the
        core, with the call's request id: the plugin's own frames name
        faulty.so, an offset for addr2line and the (hidden) function."""
        head = r"^.* error \[req (\d+)\].*plugin faulty: crashed with signal 11 \(SIGSEGV\); " \
               r"backtrace, innermost first \(addr2line -f -e FILE OFFSET\):$"
        before = len(re.findall(head, self.daemon.log_text(), re.M))
        self.assertFailure(["SR_BACKEND_FAILURE", "",
                            "the faulty driver crashed (signal 11) during sr_probe", ""],
                           self.probe, "crash")
        deadline = time.monotonic() + 5
        while True:
            log = self.daemon.log_text()
            heads = re.findall(head, log, re.M)
            if len(heads) > before or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        self.assertEqual(len(heads), before + 1, log[-3000:])
        req = heads[-1]
        log = self.wait_for_log(r"\[req %s\].*its worker crashed \(signal 11\) during sr_probe"
                                % req)
        frames = re.findall(r"^.* error \[req %s\].*plugin faulty: #(\d+) (\S+)\+(0x[0-9a-f]+)"
                            r"(?: \(([\w.]+)\+0x[0-9a-f]+\))?$" % req, log, re.M)
        self.assertGreaterEqual(len(frames), 3, log[-3000:])
        self.assertEqual([int(f[0]) for f in frames], list(range(len(frames))))
        mine = [f for f in frames if f[1].endswith("/faulty.so")]
        # raise() <- misbehave() (unless inlined) <- sr_probe(), static functions of faulty.c
        names = [f[3] for f in mine]
        self.assertIn("sr_probe", names, frames)
        # (gcc may clone it as misbehave.constprop.0)
        self.assertTrue({n.split(".")[0] for n in names} <= {"misbehave", "sr_probe"}, frames)
        self.assertEqual(mine[0][1], str(test_plugin("faulty")))
        # the offset is the one addr2line takes: it falls inside the function named
        nm = subprocess.run(["nm", "-S", "--defined-only", mine[0][1]], stdout=subprocess.PIPE,
                            text=True, check=True).stdout
        syms = {l.split()[3]: (int(l.split()[0], 16), int(l.split()[1], 16))
                for l in nm.splitlines() if len(l.split()) == 4}
        start, size = syms[mine[0][3]]
        self.assertTrue(start < int(mine[0][2], 16) <= start + size, (mine[0], start, size))
        self.assert_works_again()

    def test_exit_fails_that_call(self):
        self.assertFailure(["SR_BACKEND_FAILURE", "",
                            "the faulty driver exited with status 3 during sr_probe", ""],
                           self.probe, "exit")
        self.assert_works_again()

    def test_driver_error_codes(self):
        self.assertFailure(["SR_BACKEND_FAILURE_42", "", "the faulty driver failed on purpose", ""],
                           self.probe, "fail")
        self.assertFailure(["SR_FULL", "no room in the faulty SR"], self.probe, "full")

    def test_hang_times_out_while_others_are_served(self):
        result = {}

        def hang():
            s = self.new_session()
            try:
                self.probe("hang", session=s)
                result["error"] = None
            except Failure as e:
                result["error"] = e.details
            finally:
                s.logout()

        t0 = time.monotonic()
        t = threading.Thread(target=hang)
        t.start()
        time.sleep(0.3)
        # another client, and even another call to the same daemon, answer
        # at once while the driver hangs
        other = self.new_session()
        try:
            while t.is_alive():
                t1 = time.monotonic()
                other.xenapi.pool.get_all()
                other.xenapi.SM.get_all_records()
                self.assertLess(time.monotonic() - t1, 1.0, "a client waited on the hang")
                time.sleep(0.1)
        finally:
            other.logout()
        t.join()
        took = time.monotonic() - t0
        self.assertEqual(result["error"],
                         ["SR_BACKEND_FAILURE", "",
                          "the faulty driver did not answer within 2 s during sr_probe", ""])
        self.assertGreater(took, 1.8)
        self.assertLess(took, 10)
        self.assert_works_again()
        log = self.daemon.log_text()
        self.assertEqual(log.count("plugin faulty: its worker did not answer within 2 s during "
                                   "sr_probe: killed"), 1)


class StopDuringHangTest(unittest.TestCase):
    """SIGTERM while a driver hangs: the call fails after a short grace
    instead of plugin_timeout, and xapid exits 0."""

    def test_stop_during_hang(self):
        d = harness.Xapid(plugins={"faulty": conf("faulty")}, name="StopDuringHang")
        self.addCleanup(d.cleanup)
        d.start()
        s = d.session()
        if not storage_ready(s.xenapi):
            d.stop()
            self.fail("SR.probe must be served")
        host = s.xenapi.host.get_all()[0]
        errors = []

        def hang():
            try:
                s.xenapi.SR.probe(host, {"fault": "hang"}, "faulty", {})
            except Failure as e:
                errors.append(e.details)

        t = threading.Thread(target=hang)
        t.start()
        time.sleep(0.5)
        t0 = time.monotonic()
        d.stop(timeout=20)       # exit status 0, no sanitizer report
        self.assertLess(time.monotonic() - t0, 10)
        t.join(10)
        self.assertEqual(errors, [["SR_BACKEND_FAILURE", "",
                                   "xapid is stopping: the faulty driver's sr_probe was stopped",
                                   ""]])


# A driver that overflows its stack or aborts on request (SR.probe with
# device_config fault=overflow|abort), built by the test from the SDK headers.
CRASH_KINDS_SRC = r"""
#include <stdlib.h>
#include <string.h>
#include <xapi/plugin.h>
static const struct xapi_host *H;
static int ok_op(void *st, xapi_call_t *c, const struct xapi_sr *sr, unsigned f)
{ return XAPI_OK; }
__attribute__((noinline)) static int deep(volatile char *p, int n)
{ volatile char buf[512]; buf[0] = p ? p[0] : 0; return deep(buf, n + 1) + buf[1]; }
static int crash_probe(void *st, xapi_call_t *c, const xapi_kv_t *dc, const xapi_kv_t *smc,
		       unsigned f)
{
	const char *how = H->kv_get(dc, "fault");
	if (how && strcmp(how, "overflow") == 0)
		return deep(NULL, 0);
	if (how && strcmp(how, "abort") == 0)
		abort();
	return XAPI_OK;
}
static const struct xapi_sr_ops ops = { .size = sizeof ops, .sr_probe = crash_probe,
	.sr_attach = ok_op, .sr_detach = ok_op, .sr_scan = ok_op };
static const char *const caps[] = { "SR_PROBE", NULL };
static const struct xapi_plugin_desc d = { .size = sizeof d, .abi_version = XAPI_ABI_VERSION,
	.kind = XAPI_KIND_STORAGE, .name = "crash_kinds", .capabilities = caps, .ops = &ops };
static int init(const struct xapi_host *h, xapi_plugin_t *s,
		const struct xapi_plugin_desc **dd, void **st)
{ H = h; *dd = &d; *st = NULL; return XAPI_OK; }
XAPI_PLUGIN_DEFINE(init)
"""


class CrashKindsTest(DaemonTestCase):
    """The crash handler on a stack overflow (it runs on an alternate stack;
    the recursion is one line) and on abort() (SIGABRT), with a driver
    built here from the SDK headers."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = Path(tempfile.mkdtemp(prefix="xapid-it-crash-kinds-"))
        cls.addClassCleanup(shutil.rmtree, cls.tmp, True)
        (cls.tmp / "crash_kinds.c").write_text(CRASH_KINDS_SRC)
        so = cls.tmp / "crash_kinds.so"
        subprocess.run(["cc", "-std=gnu11", "-O1", "-g", "-fPIC", "-shared", "-fvisibility=hidden",
                        "-I%s" % (harness.REPO / "sdk" / "include"), "-o", str(so),
                        str(cls.tmp / "crash_kinds.c")], check=True)
        cls.daemon_plugins = {"crash_kinds": {"path": str(so)}}
        super().setUpClass()
        cls.host = cls.x.host.get_all()[0]

    def crash(self, fault, signo):
        self.assertFailure(["SR_BACKEND_FAILURE", "",
                            "the crash_kinds driver crashed (signal %d) during sr_probe" % signo, ""],
                           self.x.SR.probe, self.host, {"fault": fault}, "crash_kinds", {})
        done = r"\[req (\d+)\].*plugin crash_kinds: its worker crashed \(signal %d\)" % signo
        deadline = time.monotonic() + 5
        while True:
            log = self.daemon.log_text()
            reqs = re.findall(done, log)
            if reqs or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        self.assertTrue(reqs, log[-3000:])
        return [l.split("plugin crash_kinds: ", 1)[1] for l in log.splitlines()
                if " error [req %s]" % reqs[-1] in l and "plugin crash_kinds: " in l]

    def test_stack_overflow(self):
        lines = self.crash("overflow", 11)
        self.assertRegex(lines[0], r"^crashed with signal 11 \(SIGSEGV at address 0x[0-9a-f]+\); ")
        runs = [l for l in lines if re.search(r"\(deep\+0x[0-9a-f]+\) \[and \d+ more times\]$", l)]
        self.assertEqual(len(runs), 1, lines)
        self.assertLess(len(lines), 10, "the recursion is one line: %r" % lines)

    def test_abort(self):
        lines = self.crash("abort", 6)
        self.assertEqual(lines[0], "crashed with signal 6 (SIGABRT); backtrace, innermost first "
                                   "(addr2line -f -e FILE OFFSET):")
        self.assertTrue(any(re.search(r"crash_kinds\.so\+0x[0-9a-f]+ \(crash_probe\+0x", l)
                            for l in lines), lines)


class WorkerWrapperTest(DaemonTestCase):
    """--plugin-worker pointing at a wrapper script, the route that runs a
    driver under valgrind, gdb or an ASan runtime inside a live xapid
    (doc/plugin-sdk.md section 8): the script records how it was called and
    execs the real worker under `env`; the plugin loads and serves calls
    through it, and a crash is still reported as the worker's signal."""
    daemon_plugins = {"faulty": conf("faulty")}

    @classmethod
    def setUpClass(cls):
        cls.tmp = Path(tempfile.mkdtemp(prefix="xapid-it-wrapper-"))
        cls.addClassCleanup(shutil.rmtree, cls.tmp, True)
        cls.marker = cls.tmp / "calls"
        wrapper = cls.tmp / "worker-wrapper"
        wrapper.write_text("#!/bin/sh\n"
                           "echo \"$$ $*\" >> %s\n"
                           "exec env XAPI_WRAPPED=yes %s \"$@\"\n"
                           % (shlex.quote(str(cls.marker)),
                              shlex.quote(str(harness.plugin_worker()))))
        wrapper.chmod(0o755)
        # the harness passes --plugin-worker from this variable
        old = os.environ.get("XAPID_PLUGIN_WORKER")
        os.environ["XAPID_PLUGIN_WORKER"] = str(wrapper)
        try:
            super().setUpClass()
        finally:
            if old is None:
                del os.environ["XAPID_PLUGIN_WORKER"]
            else:
                os.environ["XAPID_PLUGIN_WORKER"] = old
        cls.host = cls.x.host.get_all()[0]

    def probe(self, fault):
        return self.x.SR.probe(self.host, {"fault": fault}, "faulty", {})

    def test_the_worker_runs_through_the_wrapper(self):
        self.assertIn("9a1f5a2c-0000-4000-8000-00000000f417", self.probe("none"))
        calls = self.marker.read_text().splitlines()
        self.assertGreaterEqual(len(calls), 1)
        pid, args = calls[-1].split(" ", 1)
        self.assertIn("--name faulty", args)
        self.assertTrue(args.endswith(str(test_plugin("faulty"))), args)
        # exec kept the pid: the live worker is the wrapped one, with its environment
        environ = Path("/proc/%s/environ" % pid).read_bytes().split(b"\0")
        self.assertIn(b"XAPI_WRAPPED=yes", environ)

    def test_a_crash_through_the_wrapper_is_still_the_signal(self):
        self.assertFailure(["SR_BACKEND_FAILURE", "",
                            "the faulty driver crashed (signal 11) during sr_probe", ""],
                           self.probe, "crash")
        before = len(self.marker.read_text().splitlines())
        self.assertIn("9a1f5a2c-0000-4000-8000-00000000f417", self.probe("none"))
        self.assertEqual(len(self.marker.read_text().splitlines()), before + 1,
                         "the next worker is started through the wrapper too")


class VdiCallsTest(DaemonTestCase):
    """The same through an SR of the faulty driver: VDI.create crashing,
    exiting, hanging; progress and cancellation of a slow Async.VDI.create;
    the driver's log lines tagged with the request and the task."""
    daemon_plugins = {"faulty": conf("faulty")}
    daemon_config = {"plugin_timeout": "2"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.host = cls.x.host.get_all()[0]
        try:
            cls.sr = cls.x.SR.create(cls.host, {}, "0", "faulty SR", "", "faulty", "user",
                                     False, {})
        except Failure as e:
            if e.details[0] not in ("MESSAGE_METHOD_UNKNOWN", "NOT_IMPLEMENTED"):
                raise
            cls.sr = None

    def setUp(self):
        super().setUp()
        self.assertIsNotNone(self.sr, "SR.create must work on the faulty driver")

    def create(self, name, session=None):
        x = (session or self.session).xenapi
        return x.VDI.create(harness.vdi_record(self.sr, name_label=name))

    def test_crash_exit_fail_then_works(self):
        self.assertFailure(["SR_BACKEND_FAILURE", "",
                            "the faulty driver crashed (signal 11) during vdi_create", ""],
                           self.create, "crash")
        self.assertFailure(["SR_BACKEND_FAILURE", "",
                            "the faulty driver exited with status 3 during vdi_create", ""],
                           self.create, "exit")
        self.assertFailure(["SR_BACKEND_FAILURE_42", "", "the faulty driver failed on purpose", ""],
                           self.create, "fail")
        vdi = self.create("works")
        self.assertTrue(self.x.VDI.get_location(vdi).startswith("faulty/"))
        names = [self.x.VDI.get_name_label(v) for v in self.x.SR.get_VDIs(self.sr)]
        self.assertNotIn("crash", names, "a failed create leaves no VDI")

    def test_hang_times_out_while_others_are_served(self):
        errors = []

        def hang():
            s = self.new_session()
            try:
                self.create("hang", session=s)
            except Failure as e:
                errors.append(e.details)
            finally:
                s.logout()

        t = threading.Thread(target=hang)
        t.start()
        time.sleep(0.3)
        while t.is_alive():
            t1 = time.monotonic()
            self.x.VDI.get_all_records()
            self.assertLess(time.monotonic() - t1, 1.0)
            time.sleep(0.1)
        t.join()
        self.assertEqual(errors, [["SR_BACKEND_FAILURE", "",
                                   "the faulty driver did not answer within 2 s during vdi_create",
                                   ""]])
        self.create("after the hang")

    def test_progress_and_cancel_reach_the_driver(self):
        task = self.x.Async.VDI.create(harness.vdi_record(self.sr, name_label="slow"))
        deadline = time.monotonic() + 10
        while self.x.task.get_progress(task) <= 0.0:
            if time.monotonic() > deadline:
                self.fail("no progress from the driver\n%s" % self.log_tail(20))
            time.sleep(0.05)
        self.x.task.cancel(task)
        rec = self.wait_task(task)
        self.assertEqual(rec["status"], "cancelled")
        self.assertEqual(rec["error_info"], ["TASK_CANCELLED", task])
        lines = [l for l in self.daemon.log_text().splitlines()
                 if "plugin faulty: vdi_create of 'slow'" in l]
        self.assertEqual(len(lines), 1, lines)
        self.assertIn("[task %s]" % task, lines[0])
        self.assertRegex(lines[0], r" info \[req \d+\] ")


if __name__ == "__main__":
    unittest.main()
