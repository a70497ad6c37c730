"""A private Open vSwitch for a test: ovsdb-server and ovs-vswitchd started
in a scratch directory, nothing of the machine's own OVS touched (there is
none running on our machines, and no kernel datapath: bridges use
datapath_type=netdev, the userspace datapath).

    with OvsSandbox(netns="t-1234") as ovs:     # vswitchd inside netns
        ovs.db_sock                               # unix socket for clients
        ovs.vsctl("show")

and netns helpers (unique names, removed at exit whatever happened):

    ns = Netns("ovs")                             # "ovs<pid><n>", created
    ns.run("ip", "link", "set", "lo", "up")
    ns.delete()

Recipe: /work/shared/reference/test-fixtures.md ("OVS without system
services"). Everything is stopped by pid (never by name): other tests run
on the same machine at the same time.
"""

import atexit
import itertools
import os
import shutil
import signal
import subprocess
import tempfile
import time

SCHEMA = "/usr/share/openvswitch/vswitch.ovsschema"
_counter = itertools.count()
_live = []


def available():
    """Why OVS cannot run here, or None."""
    for prog in ("ovsdb-server", "ovs-vswitchd", "ovsdb-tool", "ovs-vsctl", "ovs-appctl"):
        if not shutil.which(prog):
            return "%s is not installed (Debian: openvswitch-switch)" % prog
    if os.geteuid() != 0:
        return "needs root (network namespaces)"
    return None


def unique(prefix):
    """A name no other test uses: prefix + pid + counter (<= 15 chars)."""
    name = "%s%d%d" % (prefix, os.getpid() % 100000, next(_counter))
    return name[:15]


def run(*argv, check=True, timeout=30, **kw):
    return subprocess.run(argv, check=check, timeout=timeout, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, **kw)


class Netns:
    def __init__(self, prefix="ovsns"):
        self.name = unique(prefix)
        run("ip", "netns", "add", self.name)
        run("ip", "netns", "exec", self.name, "ip", "link", "set", "lo", "up")
        _live.append(self)

    def run(self, *argv, check=True, timeout=30):
        return run("ip", "netns", "exec", self.name, *argv, check=check, timeout=timeout)

    def delete(self):
        if self in _live:
            _live.remove(self)
            run("ip", "netns", "delete", self.name, check=False)


class OvsSandbox:
    def __init__(self, netns=None):
        self.netns = netns
        self.dir = tempfile.mkdtemp(prefix="xapi-ovs-")
        self.db_sock = os.path.join(self.dir, "db.sock")
        self.env = dict(os.environ, OVS_RUNDIR=self.dir, OVS_LOGDIR=self.dir,
                        OVS_DBDIR=self.dir)
        self.started = False

    def _path(self, name):
        return os.path.join(self.dir, name)

    def _in_ns(self, argv):
        return (["ip", "netns", "exec", self.netns] + argv) if self.netns else argv

    def start(self):
        _live.append(self)
        run("ovsdb-tool", "create", self._path("conf.db"), SCHEMA, env=self.env)
        run("ovsdb-server", self._path("conf.db"), "--remote=punix:" + self.db_sock,
            "--pidfile=" + self._path("ovsdb-server.pid"),
            "--unixctl=" + self._path("ovsdb-server.ctl"),
            "--log-file=" + self._path("ovsdb-server.log"), "--detach", env=self.env)
        self.vsctl("--no-wait", "init")
        run(*self._in_ns(["ovs-vswitchd", "unix:" + self.db_sock,
                          "--pidfile=" + self._path("ovs-vswitchd.pid"),
                          "--unixctl=" + self._path("ovs-vswitchd.ctl"),
                          "--log-file=" + self._path("ovs-vswitchd.log"),
                          "-vconsole:off", "--detach"]), env=self.env)
        self.started = True
        # ready when vswitchd has applied the first configuration
        self.vsctl("--timeout=20", "set", "Open_vSwitch", ".", "other_config:dummy=1")
        return self

    def vsctl(self, *args, check=True):
        return run("ovs-vsctl", "--db=unix:" + self.db_sock, *args, check=check,
                   env=self.env).stdout

    def appctl(self, daemon, *args, check=True):
        return run("ovs-appctl", "-t", self._path(daemon + ".ctl"), *args, check=check,
                   env=self.env).stdout

    def _stop_daemon(self, name):
        pidfile = self._path(name + ".pid")
        try:
            pid = int(open(pidfile).read().strip())
        except (OSError, ValueError):
            return
        run("ovs-appctl", "-t", self._path(name + ".ctl"), "exit", check=False, timeout=10,
            env=self.env)
        for _ in range(100):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def stop(self):
        if self in _live:
            _live.remove(self)
        self._stop_daemon("ovs-vswitchd")
        self._stop_daemon("ovsdb-server")
        if os.environ.get("XAPID_KEEP") != "1":
            shutil.rmtree(self.dir, ignore_errors=True)

    def log(self, name="ovs-vswitchd"):
        try:
            with open(self._path(name + ".log")) as f:
                return f.read()[-4000:]
        except OSError:
            return ""

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


@atexit.register
def _cleanup():
    for thing in reversed(list(_live)):
        try:
            thing.stop() if isinstance(thing, OvsSandbox) else thing.delete()
        except Exception:
            pass
