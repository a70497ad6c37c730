"""A real NFS server for the tests: nfs-ganesha (VFS FSAL) with rpcbind,
in a network namespace of the test's own (rpcbind's port 111 and ganesha's
2049 are per namespace, so test runs never meet) and a private mount
namespace whose /run is a tmpfs (rpcbind's /run/rpcbind.sock is then the
test's own too). test-fixtures.md: getaddrinfo needs a non-loopback
address, so the namespace gets a veth pair of its own (both ends inside)
with a link-local address. xapid runs in the same namespace
(NetnsXapid), reached through its unix socket.

    srv = NfsServer()                 # starts rpcbind + ganesha
    srv.export                        # the exported directory (serverpath)
    srv.stop(); srv.start()           # the server goes away and comes back
    srv.cleanup()                     # always (addCleanup)
"""

import os
import random
import shutil
import signal
import subprocess
import tempfile
import time
import xmlrpc.client

import harness
from xenapi_client import server_proxy

CONF = """NFS_CORE_PARAM {
    Bind_Addr = 127.0.0.1; Enable_NLM = false; Enable_RQUOTA = false; Enable_UDP = false;
    Protocols = 3;
}
NFSV4 { Graceless = true; RecoveryRoot = %(dir)s/recovery; }
NFS_KRB5 { Active_krb5 = false; }
EXPORT {
    Export_Id = 1; Path = %(export)s; Pseudo = /sr; Access_Type = RW;
    Squash = No_Root_Squash; Protocols = 3; Transports = TCP; SecType = sys;
    # tests change the exported directory behind the server's back (a file
    # put there for an ISO library): attributes are not cached, so it sees
    Attr_Expiration_Time = 0;
    FSAL { Name = VFS; }
}
"""

START = """mount -t tmpfs none /run
%(export_mount)s
mkdir -p /run/rpcbind /run/ganesha
rpcbind -f -w &
sleep 0.2
exec ganesha.nfsd -F -f %(dir)s/ganesha.conf -L %(dir)s/ganesha.log -p %(dir)s/ganesha.pid
"""


def have_ganesha():
    return all(shutil.which(p) for p in ("ganesha.nfsd", "rpcbind", "rpcinfo", "unshare", "ip"))


class NfsServer:
    def __init__(self, size_mib=None):
        """size_mib: the export is a tmpfs of that size, private to the
        server's mount namespace (a full SR; its files are not seen from
        here and go when the server stops)."""
        self.dir = tempfile.mkdtemp(prefix="xapid-it-nfs-")
        self.export = os.path.join(self.dir, "export")
        os.makedirs(self.export)
        os.makedirs(os.path.join(self.dir, "recovery"))
        self.netns = "xit-nfs-%d-%06x" % (os.getpid(), random.getrandbits(24))
        self.proc = None
        with open(os.path.join(self.dir, "ganesha.conf"), "w") as f:
            f.write(CONF % {"dir": self.dir, "export": self.export})
        with open(os.path.join(self.dir, "start.sh"), "w") as f:
            f.write(START % {"dir": self.dir, "export_mount": "" if not size_mib else
                             "mount -t tmpfs -o size=%dm none %s" % (size_mib, self.export)})
        self.ns("ip", "netns", "add", self.netns, inside=False)
        try:
            self.ns("ip", "link", "set", "lo", "up")
            self.ns("ip", "link", "add", "v0", "type", "veth", "peer", "name", "v1")
            self.ns("ip", "addr", "add", "169.254.%d.1/30" % random.randint(1, 250), "dev", "v0")
            self.ns("ip", "link", "set", "v0", "up")
            self.ns("ip", "link", "set", "v1", "up")
            self.start()
        except Exception:
            self.cleanup()
            raise

    def ns(self, *argv, inside=True, check=True):
        cmd = (["ip", "netns", "exec", self.netns] if inside else []) + list(argv)
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           timeout=30)
        if check and p.returncode != 0:
            raise RuntimeError("%s: %s" % (" ".join(cmd), p.stdout))
        return p.stdout

    def start(self):
        log = open(os.path.join(self.dir, "start.log"), "ab")
        self.proc = subprocess.Popen(["ip", "netns", "exec", self.netns, "unshare", "-m",
                                      "--propagation", "private", "sh",
                                      os.path.join(self.dir, "start.sh")],
                                     stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                     start_new_session=True)
        log.close()
        deadline = time.monotonic() + 30
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("ganesha exited: %s" % self.log())
            out = self.ns("rpcinfo", "-p", "127.0.0.1", check=False)
            if " 100003 " in out.replace("\t", " ") and " 100005 " in out.replace("\t", " "):
                break
            if time.monotonic() > deadline:
                raise RuntimeError("ganesha not ready: %s" % self.log())
            time.sleep(0.1)

    def log(self):
        out = ""
        for name in ("start.log", "ganesha.log"):
            try:
                with open(os.path.join(self.dir, name)) as f:
                    out += f.read()[-2000:]
            except OSError:
                pass
        return out

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
        self.proc = None

    def cleanup(self):
        self.stop()
        subprocess.run(["ip", "netns", "del", self.netns], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        shutil.rmtree(self.dir, ignore_errors=True)


def netns_xapid(netns):
    """A Xapid class whose daemon runs in netns, reached over its unix
    socket (TCP 127.0.0.1 there is the namespace's own)."""

    class NetnsXapid(harness.Xapid):
        def command(self):
            return ["ip", "netns", "exec", netns] + super().command()

        def session(self, user=harness.ROOT_USER, password=harness.ROOT_PASSWORD, **kw):
            return self.unix_session(user, password)

        def check_alive(self, timeout=5.0):
            if not self.running:
                raise harness.XapidError("xapid is not running\n%s" % self.log_tail())
            p = server_proxy(socket_path=self.socket_path, timeout=timeout)
            try:
                r = p.session.login_with_password(harness.ROOT_USER,
                                                  self.users.get(harness.ROOT_USER, ""))
                if r.get("Status") == "Success":
                    p.session.logout(r["Value"])
            except (OSError, xmlrpc.client.ProtocolError) as e:
                raise harness.XapidError("xapid does not answer: %s\n%s" % (e, self.log_tail()))
            finally:
                p("close")()

    return NetnsXapid
