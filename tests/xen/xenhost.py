"""xenhost.py - a real Xen host for the tests: Xen 4.17 with a Debian 12 dom0
booted in QEMU (tests/xen/build-image makes and caches the image), with the
build under test installed on a second disk and `xapid --backend xen`
started in dom0. Its port is forwarded to 127.0.0.1 of this machine.

    host = XenHost(builddir, sanitize=False)
    host.start()              # boots; returns when xapid is ready in dom0
    host.url                  # http://127.0.0.1:PORT
    host.dom0("xl list")      # runs a command in dom0 (bash on a forwarded port)
    host.stop()

QEMU runs under TCG (`-cpu Haswell-noTSX`; ../shared/reference/xen-in-qemu.md
used `max,-smap`, with which dom0's memory got overwritten now and then:
doc/xen.md, Known gaps):
the KVM of our machines cannot run Xen. `-enable-kvm -cpu host` is taken when
XEN_TEST_KVM=1 says this machine's KVM can (real nested VMX/SVM).
Everything stays on loopback; the image is used with -snapshot, so that no
run sees what an earlier one left.
"""
import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import xmlrpc.client

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(TOP, "tests", "integration"))
from xenapi_client import Failure, Session  # noqa: E402
ROOT_PASSWORD = "xen-test"
# dom0's management NIC (its networkd configuration matches it: dom0/configure)
MANAGEMENT_MAC = "52:54:00:12:34:56"
LAN_NICS = 3
# dom0's command port (dom0/configure: xen-test-cmd.socket)
DOM0_CMD_PORT = 7777
# terminal escapes (in what SysRq prints on the serial console)
ANSI = re.compile(r"\x1b\[[0-9;?]*[a-zA-Z]")
# The guest files in the image (tests/xen/build-image).
# a guest's console log without its control bytes but \t \n \r (see console_log)
GUEST_LOG_CMD = ("tr -d '\\000-\\010\\013\\014\\016-\\037\\177' "
                 "2>/dev/null </var/log/xen/console/guest-%s.log")
GUEST_KERNEL = "/root/guest/vmlinuz"
GUEST_RAMDISK = "/root/guest/initrd.gz"


class XenHostError(Exception):
    pass


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def crypt_sha512(password):
    out = subprocess.run(["openssl", "passwd", "-6", password], capture_output=True, text=True,
                         check=True)
    return out.stdout.strip()


def build_image():
    """The cached image directory (built first if its recipe changed)."""
    out = subprocess.run([os.path.join(HERE, "build-image")], capture_output=True, text=True)
    if out.returncode != 0:
        raise XenHostError("build-image failed:\n" + out.stderr[-3000:])
    return out.stdout.strip().splitlines()[-1]


class XenHost:
    def __init__(self, builddir, sanitize=False, image=None, memory_mb=4096, dom0_mb=1024,
                 log_level="debug", network=False):
        self.builddir = os.path.abspath(builddir)
        self.sanitize = sanitize
        # the bridge network backend on dom0's NICs, and LAN_NICS more NICs
        # (test_xen_bridge_network.py boots a host of its own with it)
        self.network = network
        self.image = image
        self.memory_mb = memory_mb
        self.dom0_mb = dom0_mb
        self.log_level = log_level
        self.tmp = None
        self.proc = None
        self.port = None
        self.console = None
        self.cmd_port = None
        self.commands_work = False  # a dom0 command has been answered

    # ---- the build on its own disk --------------------------------------------
    def _stage_build(self):
        stage = os.path.join(self.tmp, "stage")
        dest = os.path.join(self.tmp, "destdir")
        subprocess.run(["make", "-C", self.builddir, "install", "DESTDIR=" + dest],
                       check=True, capture_output=True)
        # the install prefix (/usr/local) becomes the disk's root
        prefix = subprocess.run(["sed", "-n", "s/^prefix = //p",
                                 os.path.join(self.builddir, "Makefile")],
                                capture_output=True, text=True, check=True).stdout.strip()
        shutil.move(dest + prefix, stage)
        etc = os.path.join(stage, "etc", "xapi-c")
        os.makedirs(os.path.join(etc, "plugins.d"), exist_ok=True)
        with open(os.path.join(etc, "users"), "w") as f:
            f.write("root:%s\n" % crypt_sha512(ROOT_PASSWORD))
        with open(os.path.join(etc, "plugins.d", "file.conf"), "w") as f:
            f.write("enabled = true\n")
        # the bridge network backend on dom0's real NICs (its first start
        # makes xenbr<N>, the management NIC's address moved onto its bridge)
        if self.network:
            with open(os.path.join(etc, "plugins.d", "bridge.conf"), "w") as f:
                f.write("enabled = true\n")
        # dom0 has device-mapper: the lvm driver's activation path, for real
        with open(os.path.join(etc, "plugins.d", "lvm.conf"), "w") as f:
            f.write("enabled = true\naccess = device-mapper\n")
        with open(os.path.join(etc, "xapid.conf"), "w") as f:
            f.write("listen = 0.0.0.0:8080\n"
                    "backend = xen\n"
                    "state_dir = /var/lib/xapi-c\n"
                    "users_file = /usr/local/etc/xapi-c/users\n"
                    "plugin_dir = /usr/local/lib/xapi-c/plugins\n"
                    "plugins_conf_dir = /usr/local/etc/xapi-c/plugins.d\n"
                    "log_level = %s\n" % self.log_level +
                    ("network_backend = bridge\n" if self.network else ""))
        with open(os.path.join(etc, "environment"), "w") as f:
            if self.sanitize:
                # a smaller quarantine: xapid and each plugin worker are
                # ASan processes in dom0's 1 GiB
                f.write("ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1:"
                        "quarantine_size_mb=32\n"
                        "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1\n")
            # XEN_XAPID_ENV: more of xapid's environment, one VAR=value per
            # line (say glibc's malloc checks when a heap bug is hunted)
            extra = os.environ.get("XEN_XAPID_ENV", "")
            if extra:
                f.write(extra.rstrip("\n") + "\n")
        img = os.path.join(self.tmp, "build.img")
        size_mb = 64 + sum(os.path.getsize(os.path.join(d, n)) for d, _, ns in os.walk(stage)
                           for n in ns if not os.path.islink(os.path.join(d, n))) // (1 << 20)
        subprocess.run(["mkfs.ext4", "-q", "-F", "-L", "xapic-build", "-d", stage, img,
                        "%dM" % size_mb], check=True)
        return img

    # ---- boot --------------------------------------------------------------------
    def _qemu_command(self, build_img):
        img = self.image
        kvm = os.environ.get("XEN_TEST_KVM") == "1"
        # a CPU model of fixed features, not TCG's "max": with max,-smap the
        # pages of dom0's processes were overwritten from outside now and
        # then (doc/xen.md); XEN_TEST_CPU chooses another
        accel = ["-enable-kvm", "-cpu", "host"] if kvm else \
            ["-accel", "tcg,thread=%s" % os.environ.get("XEN_TEST_TCG_THREAD", "multi"),
             "-cpu", os.environ.get("XEN_TEST_CPU", "Haswell-noTSX")]
        # (-append is Xen's own command line: commas as they are; only the
        # -initrd list needs them doubled)
        xen_args = "dom0_mem=%dM,max:%dM console=com1 com1=115200,8n1" % (self.dom0_mb,
                                                                       self.dom0_mb)
        dom0_args = "root=/dev/vda rw console=hvc0 " + os.environ.get("XEN_DOM0_ARGS", "")
        return (["qemu-system-x86_64"] + accel +
                ["-m", str(self.memory_mb), "-smp", "2", "-display", "none", "-no-reboot",
                 "-monitor", "none",
                 # QEMU waits for us to connect: not a byte of the console is lost
                 "-chardev", "socket,id=con,path=%s,server=on,wait=on" % self.console_path,
                 "-serial", "chardev:con",
                 "-kernel", os.path.join(img, "xen"),
                 "-append", xen_args,
                 "-initrd", "%s %s,%s" % (os.path.join(img, "vmlinuz"), dom0_args,
                                          os.path.join(img, "initrd.img")),
                 "-drive", "file=%s,if=virtio,format=raw,cache=unsafe,snapshot=on" %
                 os.path.join(img, "dom0.img"),
                 "-drive", "file=%s,if=virtio,format=raw,cache=unsafe" % build_img,
                 "-netdev", "user,id=n0,hostfwd=tcp:127.0.0.1:%d-:8080,"
                 "hostfwd=tcp:127.0.0.1:%d-:%d" % (self.port, self.cmd_port, DOM0_CMD_PORT),
                 "-device", "virtio-net-pci,netdev=n0,mac=%s" % MANAGEMENT_MAC] +
                (self._lan_nics() if self.network else []))

    @staticmethod
    def _lan_nics():
        """LAN_NICS more NICs on one QEMU hub (a switch of their own): the
        network tests bond two of them and use the third, moved into a
        network namespace of dom0's, as the machine at the other end."""
        args = []
        for i in range(LAN_NICS):
            args += ["-netdev", "hubport,id=lan%d,hubid=1" % i,
                     "-device", "virtio-net-pci,netdev=lan%d,mac=52:54:00:12:35:%02x" % (i, i)]
        return args

    def start(self, timeout=None):
        if not shutil.which("qemu-system-x86_64"):
            raise XenHostError("qemu-system-x86_64 is not installed (tools/deps-xen.txt)")
        if self.image is None:
            self.image = build_image()
        self.tmp = tempfile.mkdtemp(prefix="xapic-xen.")
        self.console_path = os.path.join(self.tmp, "console.sock")
        self.serial_log = os.path.join(self.tmp, "serial.log")
        build_img = self._stage_build()
        self.port = free_port()
        self.cmd_port = free_port()
        self.proc = subprocess.Popen(self._qemu_command(build_img), stdin=subprocess.DEVNULL,
                                     stdout=open(os.path.join(self.tmp, "qemu.log"), "w"),
                                     stderr=subprocess.STDOUT, start_new_session=True)
        self.t0 = time.monotonic()
        self._connect_console()
        # ~1 min on an idle 2-core machine; a loaded one (TCG shares its
        # cores) can take several times that: XEN_READY_TIMEOUT seconds
        self.wait_ready(timeout or int(os.environ.get("XEN_READY_TIMEOUT", "420")))
        self.ready_s = time.monotonic() - self.t0

    def wait_ready(self, timeout):
        """Waits until dom0's xapid answers on the forwarded port (a login);
        raises with the serial log's tail and, once dom0 has a shell,
        xapid's journal."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise XenHostError("QEMU exited (%s) before xapid was ready:\n%s" %
                                   (self.proc.returncode, self.tail()))
            try:
                s = Session(self.url, timeout=5)
                s.login_with_password("root", ROOT_PASSWORD, "1.0", "xenhost")
                s.logout()
                return
            except (OSError, Failure, http.client.HTTPException, xmlrpc.client.Error):
                time.sleep(1)
        journal = ""
        try:
            journal = self.dom0("journalctl -u xapid --no-pager | tail -n 40", timeout=60)[1]
        except XenHostError:
            pass
        raise XenHostError("xapid in dom0 not ready within %d s:\n%s\n%s" %
                           (timeout, self.tail(), journal))

    def _connect_console(self, timeout=30):
        """Connects to the serial console and copies everything it says into
        serial.log (a thread), so that waits and commands read one file."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.console = socket.socket(socket.AF_UNIX)
                self.console.connect(self.console_path)
                break
            except OSError:
                self.console.close()
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise XenHostError("QEMU's console socket never appeared")
                time.sleep(0.1)
        log = open(self.serial_log, "ab", buffering=0)

        def copy():
            while True:
                try:
                    data = self.console.recv(65536)
                except OSError:
                    break
                if not data:
                    break
                log.write(data)
            log.close()
        self.reader = threading.Thread(target=copy, daemon=True)
        self.reader.start()

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def serial(self):
        try:
            with open(self.serial_log, "rb") as f:
                return f.read()
        except OSError:
            return b""

    def wait_for(self, pattern, timeout, what=None, start=0):
        """Waits until pattern (bytes regex) shows in the serial log after
        offset start; returns the match. Raises with the log's tail."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = pattern.search(self.serial(), start)
            if m:
                return m
            if self.proc.poll() is not None:
                raise XenHostError("QEMU exited (%s) waiting for %s:\n%s" %
                                   (self.proc.returncode, what or pattern.pattern,
                                    self.tail()))
            time.sleep(0.5)
        raise XenHostError("no %s within %d s:\n%s" % (what or pattern.pattern, timeout,
                                                       self.tail()))

    def tail(self, n=4000):
        return self.serial()[-n:].decode("utf-8", "replace")

    # ---- commands in dom0 ------------------------------------------------------------
    def dom0(self, command, timeout=120):
        """Runs command in dom0 as root (a bash of its own, reached through
        the forwarded command port: dom0/configure); returns (exit status,
        its stdout and stderr)."""
        tag = "XC%d" % int(time.monotonic() * 1000)
        end = re.compile(tag.encode() + rb"-END (\d+)\n")
        # a subshell: an `exit` in command ends it, not the marker's shell
        script = "( %s\n) </dev/null 2>&1; echo %s-END $?\n" % (command, tag)
        deadline = time.monotonic() + timeout
        data = b""
        m = None
        while m is None and time.monotonic() < deadline:
            if self.proc is None or self.proc.poll() is not None:
                raise XenHostError("QEMU is not running (for `%s` in dom0)" % command)
            try:
                data = self._dom0_once(script, end, deadline)
            except OSError:
                # dom0's network or the socket unit not up yet (a boot)
                time.sleep(1)
                continue
            m = end.search(data)
            if m is None:
                break  # connected and answered, but the command never ended
        if m is None:
            raise XenHostError("`%s` did not end in dom0 (timeout %d s); its output:\n%s\n"
                               "its kernel's blocked tasks and memory (SysRq w, m):\n%s" %
                               (command, timeout, data[-2000:].decode("utf-8", "replace"),
                                self.sysrq_dump()))
        self.commands_work = True
        return int(m.group(1)), data[:m.start()].decode("utf-8", "replace")

    def _dom0_once(self, script, end, deadline):
        """One connection to the command port: script sent, the answer read
        until end shows, the connection closes or the deadline passes."""
        data = b""
        with socket.create_connection(("127.0.0.1", self.cmd_port),
                                      timeout=max(1, deadline - time.monotonic())) as c:
            c.sendall(script.encode())
            c.shutdown(socket.SHUT_WR)
            while not end.search(data):
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                c.settimeout(left)
                try:
                    chunk = c.recv(65536)
                except socket.timeout:
                    break
                if not chunk:
                    if not data:  # QEMU's forward, with nobody listening behind it
                        raise ConnectionResetError("closed before an answer")
                    break
                data += chunk
        return data

    def sysrq_dump(self):
        """SysRq w (blocked tasks) and m (memory) through hvc0's ^O, which
        works while dom0's shell does not answer; what they printed."""
        start = len(self.serial())
        try:
            # 9 first: the console shows every level again (dmesg -n 1 hid them)
            for key in (b"9", b"w", b"m"):
                self.console.sendall(b"\x0f" + key)
                time.sleep(3)
        except OSError:
            pass
        text = self.serial()[start:].decode("utf-8", "replace")
        return ANSI.sub("", text).replace("\r", "")[-12000:]

    def stop(self):
        if self.proc is not None and self.proc.poll() is None and \
                os.environ.get("XEN_TEST_KEEP") and self.commands_work:
            # dom0's disk is a snapshot: its journal goes with QEMU; kept in
            # journal.log of the kept temp dir (what a crash left is there)
            try:
                rc, out = self.dom0("journalctl --no-pager -o short-precise "
                                    "| grep -v ' debug '", timeout=180)
                with open(os.path.join(self.tmp, "journal.log"), "w") as f:
                    f.write(out)
            except (XenHostError, OSError):
                pass
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, 15)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)
                self.proc.wait()
        self.proc = None
        if self.console is not None:
            self.console.close()
            self.console = None
        if self.tmp and not os.environ.get("XEN_TEST_KEEP"):
            shutil.rmtree(self.tmp, ignore_errors=True)


_SHARED = {"host": None, "error": None}


def shared_host():
    """The one Xen host of a test run, booted by the first test module that
    asks (the build of $XEN_TEST_BUILDDIR, ASan with XEN_TEST_SANITIZE=1)
    and stopped when the run ends: one boot for every module. A host that
    could not be had fails every module with the same reason, without
    booting again."""
    import atexit
    if _SHARED["error"] is not None:
        raise XenHostError("the Xen host could not be had: %s" % _SHARED["error"])
    if _SHARED["host"] is None:
        builddir = os.environ.get("XEN_TEST_BUILDDIR", os.path.join(TOP, "build"))
        host = XenHost(builddir, sanitize=os.environ.get("XEN_TEST_SANITIZE") == "1")
        try:
            host.start()
        except Exception as e:
            host.stop()
            _SHARED["error"] = str(e)[-2000:]
            raise
        atexit.register(host.stop)
        _SHARED["host"] = host
        print("\n  (Xen host up, xapid ready after %.0f s)" % host.ready_s, file=sys.stderr)
    return _SHARED["host"]


class XenTestCase(unittest.TestCase):
    """A test class on the shared Xen host (shared_host()): a root session
    in cls.session / cls.x, and the guests' consoles as xenconsoled logs them
    in dom0 (xapid names a VM's domain by the VM's uuid)."""

    # True: a host of the class's own with the bridge network backend and
    # the LAN NICs, booted for the class and stopped after it (the other
    # classes share one host without a network backend, as before)
    network = False

    @classmethod
    def setUpClass(cls):
        if cls.network:
            builddir = os.environ.get("XEN_TEST_BUILDDIR", os.path.join(TOP, "build"))
            cls.xen = XenHost(builddir, sanitize=os.environ.get("XEN_TEST_SANITIZE") == "1",
                              network=True)
            try:
                cls.xen.start()
            except Exception:
                cls.xen.stop()
                raise
            print("\n  (Xen host with the bridge network backend up, xapid ready after "
                  "%.0f s)" % cls.xen.ready_s, file=sys.stderr)
        else:
            cls.xen = shared_host()
        cls.relogin()

    @classmethod
    def relogin(cls):
        """A new root session (after a test restarted xapid)."""
        cls.session = Session(cls.xen.url)
        cls.session.login_with_password("root", ROOT_PASSWORD, "1.0", "xen-tests")
        cls.x = cls.session.xenapi

    @classmethod
    def tearDownClass(cls):
        try:
            cls.session.logout()
        except Exception:
            pass  # a test may have restarted xapid: that session is gone
        if cls.network:
            cls.xen.stop()

    def journal_tail(self, lines=25):
        rc, out = self.xen.dom0("journalctl -u xapid --no-pager | grep -v ' debug ' | tail -n %d"
                                % lines)
        return out

    def start_vm(self, vm, paused=False):
        """VM.start; a refusal fails the test with xapid's journal (libxl's
        own words are there, the XenAPI error has only its summary)."""
        try:
            self.x.VM.start(vm, paused, False)
        except Failure as e:
            self.fail("VM.start: %s\nxapid:\n%s" % (e.details, self.journal_tail()))
        except Exception as e:  # a garbled answer (doc/xen.md): what xapid said then
            self.fail("VM.start: %r\nxapid:\n%s" % (e, self.journal_tail(60)))

    def console_log(self, vm):
        """The guest's console as xenconsoled logged it, its control bytes
        (the guest shell's escape sequences) left out: the tests match text."""
        rc, out = self.xen.dom0(GUEST_LOG_CMD % self.x.VM.get_uuid(vm))
        return out

    def wait_console(self, vm, pattern, timeout=180):
        """The match of pattern in the VM's console log, once it is there."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = re.search(pattern, self.console_log(vm))
            if m:
                return m
            time.sleep(3)
        rc, journal = self.xen.dom0("journalctl -u xapid --no-pager | grep -v ' debug ' "
                                    "| tail -n 15")
        self.fail("guest %s never printed %r; its console:\n%s\nxapid:\n%s" % (
            self.x.VM.get_name_label(vm), pattern, self.console_log(vm)[-3000:], journal))
