"""Network and disk figures of the metrics sampler, through the wire, with
real traffic and real disk I/O on the sim backend:
- the VM's vif_<devid>_rx / _tx (the guest's view: B/s it received and
  sent, from its VIF device's netlink counters) grow with the packets two
  simulated VMs exchange; they are the VM's data sources;
- the host's pif_<dev>_rx / _tx follow what crosses a simulated NIC, and
  PIF_metrics (carrier, last_updated) follows the NIC's link;
- the VM's vbd_<device>_read / _write follow what goes through its disk's
  VDI (the file driver's datapath counts every request).
xapi has no VIF_metrics and no PIF_metrics.io_*_kbs any more ("replaced by
RRDs"): the rates are data sources only, as there."""
import glob
import os
import subprocess
import unittest

from harness import vbd_record
from net_util import NetworkTestCase, in_ns, ip
from storage_util import MIB, StorageTestCase
from test_metrics import INTERVAL, MetricsMixin


class NetworkRatesTest(MetricsMixin, NetworkTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.host_ref = cls.x.host.get_all()[0]
        cls.host_uuid = cls.x.host.get_uuid(cls.host_ref)

    def traffic(self, vm, address, seconds=12):
        r = in_ns(self.vm_ns(vm), "ping", "-q", "-w", str(seconds), "-i", "0.01", "-s", "1400",
                  address, timeout=seconds + 30)
        self.assertRegex(r.stdout, r"[1-9][0-9]* received", r.stdout + r.stderr)

    def test_vif_rates_follow_traffic(self):
        net = self.private_network("it-rates")
        vm1, vif1 = self.vm_with_vif(net, "it-rates-a")
        vm2, vif2 = self.vm_with_vif(net, "it-rates-b")
        self.x.VM.start(vm1, False, False)
        self.x.VM.start(vm2, False, False)
        self.guest_address(vm1, "10.79.0.1/24")
        self.guest_address(vm2, "10.79.0.2/24")
        u1, u2 = self.x.VM.get_uuid(vm1), self.x.VM.get_uuid(vm2)
        tx1 = "AVERAGE:vm:%s:vif_0_tx" % u1
        rx2 = "AVERAGE:vm:%s:vif_0_rx" % u2
        # quiet first: nothing but a neighbour's odd frame
        self.assertLess(self.wait_value(tx1, vm_uuid=u1), 2000)
        # up to ~140 kB/s from a to b for 12 s, two whole rounds at least
        # (b answers each ping); a loaded machine sends fewer: no count
        self.traffic(vm1, "10.79.0.2")
        sent = self.wait_value(tx1, want=lambda v: v > 20000, timeout=4 * INTERVAL,
                               vm_uuid=u1)
        got = self.wait_value(rx2, want=lambda v: v > 20000, timeout=4 * INTERVAL,
                              vm_uuid=u2)
        self.assertGreater(sent, 20000)
        self.assertGreater(got, 20000)
        names = {d["name_label"]: d for d in self.x.VM.get_data_sources(vm1)}
        for n in ("vif_0_rx", "vif_0_tx"):
            self.assertTrue(names[n]["enabled"], n)
            self.assertEqual(names[n]["units"], "B/s")
        self.assertIn("vif_0_rx_packets", names)
        self.assertGreaterEqual(self.x.VM.query_data_source(vm1, "vif_0_tx"), 0)

    def test_pif_rates_and_carrier(self):
        pif = [p for p in self.x.PIF.get_all() if self.x.PIF.get_device(p) == "eth0"][0]
        metrics = self.x.PIF.get_metrics(pif)
        self.assertTrue(self.x.PIF_metrics.get_carrier(metrics))
        # a VM on eth0's network talks to a peer on the simulated LAN
        net = self.x.PIF.get_network(pif)
        vm, vif = self.vm_with_vif(net, "it-pif-rates")
        self.x.VM.start(vm, False, False)
        self.guest_address(vm, "10.80.0.1/24")
        lan = self.netns + "-lan"
        ip("addr", "add", "10.80.0.2/24", "dev", "lan0", ns=lan)
        self.addCleanup(ip, "addr", "del", "10.80.0.2/24", "dev", "lan0", ns=lan, check=False)
        self.traffic(vm, "10.80.0.2")
        entry = "AVERAGE:host:%s:pif_eth0_tx" % self.host_uuid
        self.assertGreater(self.wait_value(entry, want=lambda v: v > 20000,
                                           timeout=4 * INTERVAL), 20000)
        self.assertGreater(self.wait_value("AVERAGE:host:%s:pif_eth0_rx" % self.host_uuid,
                                           want=lambda v: v > 20000, timeout=4 * INTERVAL),
                           20000)

        # the cable pulled: the carrier goes within two rounds, and comes back
        before = self.x.PIF_metrics.get_last_updated(metrics)
        ip("link", "set", "lan0", "down", ns=lan)
        self.addCleanup(ip, "link", "set", "lan0", "up", ns=lan, check=False)
        self.wait_for("carrier lost", lambda: not self.x.PIF_metrics.get_carrier(metrics),
                      timeout=3 * INTERVAL)
        self.assertGreater(str(self.x.PIF_metrics.get_last_updated(metrics)), str(before))
        ip("link", "set", "lan0", "up", ns=lan)
        self.wait_for("carrier back", lambda: self.x.PIF_metrics.get_carrier(metrics),
                      timeout=3 * INTERVAL)


class VbdRatesTest(MetricsMixin, StorageTestCase):
    """A running VM's disk on the file SR: what goes through its VDI's
    datapath is the VM's vbd_<device>_read / _write. The test does the
    guest's disk I/O itself, as blkback would: qemu-io on the datapath the
    VM's disk was given (the file driver's NBD socket of the VDI)."""

    def guest_io(self, sock, *cmds):
        argv = ["qemu-io", "-f", "raw", "nbd+unix:///?socket=" + sock]
        for c in cmds:
            argv += ["-c", c]
        r = subprocess.run(argv, capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertNotIn("failed", r.stdout + r.stderr)
        return r.stdout

    def test_vbd_rates_follow_io(self):
        sr, location = self.create_sr("vbd-rates-sr")
        vdi = self.create_vdi(sr, 8 * MIB)
        vm = self.create_vm("it-vbd-rates")
        vbd = self.x.VBD.create(vbd_record(vm, vdi, userdevice="0"))
        self.x.VM.start(vm, False, False)
        self.addCleanup(self.x.VM.hard_shutdown, vm)
        self.assertTrue(self.x.VBD.get_currently_attached(vbd))
        # the driver's socket: in the SR's .nbd, or in its nbd_dir when that
        # path would be too long for a unix socket (plugins/storage-file.md)
        sr_uuid = self.x.SR.get_uuid(sr)
        socks = glob.glob(os.path.join(self.sr_dir(sr, location), ".nbd", "*.sock")) + \
            glob.glob("/run/xapi-c/nbd/%s-*.sock" % sr_uuid)
        self.assertEqual(len(socks), 1, "the running VM's disk has no datapath: %r" % socks)
        uuid = self.x.VM.get_uuid(vm)
        dev = self.x.VBD.get_device(vbd) or "xvda"
        write = "AVERAGE:vm:%s:vbd_%s_write" % (uuid, dev)
        read = "AVERAGE:vm:%s:vbd_%s_read" % (uuid, dev)
        self.assertEqual(self.wait_value(write, vm_uuid=uuid), 0)
        # 6 MiB written, then read back, by "the guest"
        self.guest_io(socks[0], "write -P 0x5a 0 6M")
        w = self.wait_value(write, want=lambda v: v > 100000, timeout=4 * INTERVAL,
                            vm_uuid=uuid)
        # what was written spread over one or more 5 s steps (a round's
        # length varies a little; qemu-io's probe reads a few sectors more)
        most = 6 * MIB / INTERVAL * 1.1
        self.assertLessEqual(w, most)
        self.guest_io(socks[0], "read -P 0x5a 0 6M")
        r = self.wait_value(read, want=lambda v: v > 100000, timeout=4 * INTERVAL,
                            vm_uuid=uuid)
        self.assertLessEqual(r, most)
        names = {d["name_label"] for d in self.x.VM.get_data_sources(vm)}
        self.assertTrue({"vbd_%s_read" % dev, "vbd_%s_write" % dev,
                         "vbd_%s_iops_read" % dev} <= names, names)
        self.assertGreaterEqual(self.x.VM.query_data_source(vm, "vbd_%s_read" % dev), 0)


if __name__ == "__main__":
    unittest.main()
