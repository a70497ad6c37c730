"""For the network tests: a daemon whose network backend works in a
simulated host's network namespace of its own (names unique to the test
run), helpers to look into the namespaces with `ip`, and clean-up of every
namespace the run made, even when a test fails (xapid removes its own at a
clean stop; after a kill the class does).

The simulated host (xapid --backend sim with sim_netns = NS, xd_hv_sim_net_setup):
  NS          the host's network: NICs eth0, eth1 (veth), bridges, vif<domid>.<n>
  NS-lan      the other ends of the NICs: lan0, lan1 (a DHCP server goes here)
  NS-d<domid> a running VM's guest: eth<devid> is its NIC
"""
import os
import subprocess
import time
import uuid

import harness
from harness import NULL_REF, vif_record, vm_record


def kernel_has_module(name):
    """Is the kernel module loaded, built in or there to be loaded (what the
    bridge backend's probe asks before it offers VLANs and bonds)?"""
    if os.path.exists("/sys/module/" + name):
        return True
    base = "/lib/modules/%s/" % os.uname().release
    for listing in ("modules.builtin", "modules.dep"):
        try:
            with open(base + listing) as f:
                for line in f:
                    path = line.split(":", 1)[0].strip()
                    leaf = os.path.basename(path)
                    if leaf == name + ".ko" or leaf.startswith(name + ".ko."):
                        return True
        except OSError:
            pass
    return False


def new_ns_name(tag):
    """A namespace name unique to this run (others run tests at once)."""
    return "xt-%s-%s" % (tag, uuid.uuid4().hex[:8])


def ip(*args, ns=None, check=True):
    cmd = ["ip"] + (["-n", ns] if ns else []) + list(args)
    r = subprocess.run(cmd, capture_output=True, text=True)
    if check and r.returncode != 0:
        raise AssertionError("%s: %s" % (" ".join(cmd), r.stderr.strip()))
    return r.stdout


def in_ns(ns, *cmd, timeout=30):
    return subprocess.run(["ip", "netns", "exec", ns] + list(cmd), capture_output=True,
                          text=True, timeout=timeout)


def links(ns):
    """{name: {"master": bridge or None, "up": bool}} of namespace ns."""
    out = {}
    for line in ip("-o", "link", "show", ns=ns).splitlines():
        parts = line.split()
        name = parts[1].rstrip(":").split("@")[0]
        master = parts[parts.index("master") + 1] if "master" in parts else None
        out[name] = {"master": master, "up": "UP" in parts[2]}
    return out


def namespaces():
    return {l.split()[0] for l in ip("netns", "list").splitlines() if l.strip()}


def remove_namespaces(prefix):
    for ns in namespaces():
        if ns == prefix or ns.startswith(prefix + "-"):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)


def ping(src_ns, address, count=1, timeout=2):
    """True if address answers from namespace src_ns."""
    r = in_ns(src_ns, "ping", "-c", str(count), "-W", str(timeout), "-i", "0.2", address,
              timeout=count * timeout + 10)
    return r.returncode == 0


class NetworkTestCase(harness.DaemonTestCase):
    """A daemon with the bridge backend in a simulated network of its own."""

    backend = "bridge"
    sim_nics = None
    # a namespace the class made before the daemon starts (xapid reuses it)
    preset_netns = None

    @classmethod
    def setUpClass(cls):
        cls.netns = cls.preset_netns or new_ns_name(cls.__name__[:6].lower())
        cls.daemon_config = dict(cls.daemon_config, sim_netns=cls.netns,
                                 network_backend=cls.backend)
        if cls.sim_nics:
            cls.daemon_config["sim_nics"] = cls.sim_nics
        cls.daemon_plugins = dict(cls.daemon_plugins or {}, **{cls.backend: {}})
        try:
            super().setUpClass()
        except BaseException:
            remove_namespaces(cls.netns)
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            remove_namespaces(cls.netns)

    # ---- helpers ----

    def host(self):
        return self.x.host.get_all()[0]

    def vm_ns(self, vm):
        return "%s-d%s" % (self.netns, self.x.VM.get_domid(vm))

    def private_network(self, label="it-net"):
        net = self.x.network.create({"name_label": label, "name_description": "",
                                     "other_config": {}, "MTU": "1500"})
        self.addCleanup(self.quiet, self.x.network.destroy, net)
        return net

    def quiet(self, fn, *args):
        try:
            fn(*args)
        except Exception:
            pass

    def vm_with_vif(self, net, label="it-vm", device="0", **vif_extra):
        vm = self.x.VM.create(vm_record(label))
        vif = self.x.VIF.create(vif_record(vm, net, device, **vif_extra))
        self.addCleanup(self.quiet, self.x.VM.destroy, vm)
        self.addCleanup(self.quiet, self.x.VIF.destroy, vif)
        self.addCleanup(self.quiet, self.x.VM.hard_shutdown, vm)
        return vm, vif

    def guest_address(self, vm, address, dev="eth0"):
        """What a guest does at boot: its NIC up with an address."""
        ip("addr", "add", address, "dev", dev, ns=self.vm_ns(vm))

    def wait_for(self, what, fn, timeout=20.0, interval=0.3):
        deadline = time.time() + timeout
        while True:
            v = fn()
            if v:
                return v
            if time.time() > deadline:
                self.fail("timed out waiting for %s" % what)
            time.sleep(interval)
