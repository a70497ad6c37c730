"""A real iSCSI target for the tests: tgtd (Debian's `tgt`) on 127.0.0.1,
file-backed LUNs, optional CHAP, with a control port and a TCP port of its
own so that test runs on one machine never meet (test-fixtures.md).

    t = TgtTarget()                       # starts tgtd
    iqn = t.add_target(luns_mib=[256], chap=("user", "secret"))
    t.stop(); t.start()                   # the same targets again (a "reboot")
    t.cleanup()                           # always (addCleanup)
"""

import os
import random
import shutil
import socket
import subprocess
import tempfile
import time
import uuid


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def have_tgtd():
    return shutil.which("tgtd") is not None and shutil.which("tgtadm") is not None


class TgtTarget:
    def __init__(self, port=None):
        self.dir = tempfile.mkdtemp(prefix="xapid-it-tgt-")
        self.port = port or free_port()
        self.targets = []          # (tid, iqn, [files], chap, thin)
        self.proc = None
        # tgtd's control socket is /var/run/tgtd/socket.<N>: a free N
        os.makedirs("/var/run/tgtd", exist_ok=True)
        while True:
            self.control = random.randint(1000, 32000)  # tgtd takes up to 32767
            if not os.path.exists("/var/run/tgtd/socket.%d" % self.control):
                break
        self.start()

    def adm(self, *args, check=True):
        p = subprocess.run(["tgtadm", "-C", str(self.control), "--lld", "iscsi"] + list(args),
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=30)
        if check and p.returncode != 0:
            raise RuntimeError("tgtadm %s: %s" % (" ".join(args), p.stdout))
        return p.stdout

    def start(self):
        log = open(os.path.join(self.dir, "tgtd.log"), "ab")
        self.proc = subprocess.Popen(["tgtd", "-f", "-C", str(self.control), "--iscsi",
                                      "portal=127.0.0.1:%d" % self.port],
                                     stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                     start_new_session=True)
        log.close()
        deadline = time.monotonic() + 10
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("tgtd exited: %s" % self.log())
            if subprocess.run(["tgtadm", "-C", str(self.control), "--lld", "iscsi", "--op", "show",
                               "--mode", "sys"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL).returncode == 0:
                break
            if time.monotonic() > deadline:
                raise RuntimeError("tgtd not ready: %s" % self.log())
            time.sleep(0.05)
        for t in self.targets:
            self._make(*t)

    def _make(self, tid, iqn, files, chap, thin):
        self.adm("--op", "new", "--mode", "target", "--tid", str(tid), "-T", iqn)
        for lun, f in enumerate(files, start=1):
            self.adm("--op", "new", "--mode", "logicalunit", "--tid", str(tid), "--lun", str(lun),
                     "-b", f)
            if thin:
                # UNMAP and WRITE SAME with UNMAP punch holes in the file
                self.adm("--op", "update", "--mode", "logicalunit", "--tid", str(tid), "--lun",
                         str(lun), "--params", "thin_provisioning=1")
        if chap:
            self.adm("--op", "new", "--mode", "account", "--user", chap[0], "--password", chap[1],
                     check=False)
            self.adm("--op", "bind", "--mode", "account", "--tid", str(tid), "--user", chap[0])
        self.adm("--op", "bind", "--mode", "target", "--tid", str(tid), "-I", "ALL")

    def add_target(self, luns_mib=(256,), chap=None, name=None, thin=True):
        tid = len(self.targets) + 1
        iqn = "iqn.2026-12.org.xapi-c.test:%s" % (name or uuid.uuid4().hex[:12])
        files = []
        for i, mib in enumerate(luns_mib):
            f = os.path.join(self.dir, "t%d-lun%d.img" % (tid, i + 1))
            with open(f, "wb") as fh:
                fh.truncate(mib << 20)
            files.append(f)
        self.targets.append((tid, iqn, files, chap, thin))
        self._make(tid, iqn, files, chap, thin)
        return iqn

    def lun_file(self, iqn, lun=1):
        for tid, i, files, chap, thin in self.targets:
            if i == iqn:
                return files[lun - 1]
        raise KeyError(iqn)

    def log(self):
        try:
            with open(os.path.join(self.dir, "tgtd.log")) as f:
                return f.read()[-3000:]
        except OSError:
            return ""

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self.proc = None
        for suffix in ("", ".lock"):
            try:
                os.unlink("/var/run/tgtd/socket.%d%s" % (self.control, suffix))
            except OSError:
                pass

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
