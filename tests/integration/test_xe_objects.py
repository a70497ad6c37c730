"""xe's plain creators, destroyers and one-value queries against a running
xapid: secret-create/destroy, vm-create/destroy, vm- and
host-compute-memory-overhead (and host.compute_memory_overhead through
XML-RPC), vm-compute-maximum-memory (and VM.maximise_memory through XML-RPC),
host-get-server-certificate, message-destroy-all's filters,
session-subject-identifier-list, host-cpu-info, host-get-cpu-features,
host-license-view, snapshot-disk-list, sr-probe-ext, vif-configure-ipv4/ipv6,
host-server-certificate-install and host-reset-server-certificate: exact
outputs, exit codes and errors."""

import os
import re
import shutil
import ssl
import tempfile
import time

from harness import UUID_RE, DaemonTestCase, vm_record
from test_tls import make_cert
from test_xe import xe_binary
from test_xe_vm import XeVmBase

GiB = 1 << 30


class XeObjectsTest(XeVmBase):
    daemon_config = {"sim_memory": str(16 * GiB)}

    def assertOneUuid(self, out):
        """A creator's output: the new uuid on a line of its own."""
        self.assertRegex(out.strip(), UUID_RE)
        self.assertTrue(out.endswith("\n") and out.count("\n") == 1, out)

    def test_secret_create_and_destroy(self):
        out = self.xe("secret-create", "value=hunter2", "other-config:purpose=xe")
        self.assertOneUuid(out)
        ref = self.x.secret.get_by_uuid(out.strip())
        self.assertEqual((self.x.secret.get_value(ref), self.x.secret.get_other_config(ref)),
                         ("hunter2", {"purpose": "xe"}))
        self.assertEqual(self.xe("secret-destroy", "uuid=%s" % out.strip()), "")
        self.assertNotIn(ref, self.x.secret.get_all())
        self.assertEqual(self.xe_fails("secret-create"), "Required parameter not found: value\n")
        err = self.xe_fails("secret-destroy", "uuid=%s" % out.strip())
        self.assertIn("Error code: UUID_INVALID\nError parameters: secret, %s\n" % out.strip(),
                      err)

    def test_blob_create_on_its_owner(self):
        vm = self.x.VM.create(vm_record("xe-blob-vm"))
        vm_uuid = self.x.VM.get_uuid(vm)
        out = self.xe("blob-create", "name=notes", "mime-type=text/plain", "public=true",
                      "vm-uuid=%s" % vm_uuid)
        self.assertOneUuid(out)
        blob = self.x.blob.get_by_uuid(out.strip())
        self.assertEqual(self.x.VM.get_blobs(vm), {"notes": blob})
        self.assertEqual((self.x.blob.get_mime_type(blob), self.x.blob.get_public(blob)),
                         ("text/plain", True))
        host = self.x.host.get_all()[0]
        out = self.xe("blob-create", "name=log", "host-uuid=%s" % self.x.host.get_uuid(host))
        self.assertEqual(self.x.host.get_blobs(host), {"log": self.x.blob.get_by_uuid(out.strip())})
        # upstream's refusals
        self.assertEqual(self.xe_fails("blob-create", "name=x"),
                         "Error: Need one of: vm-uuid, host-uuid, network-uuid, sr-uuid or "
                         "pool-uuid\n")
        self.assertEqual(self.xe_fails("blob-create", "vm-uuid=%s" % vm_uuid),
                         "Required parameter not found: name\n")
        err = self.xe_fails("blob-create", "name=notes", "vm-uuid=%s" % vm_uuid)
        self.assertIn("Error code: MAP_DUPLICATE_KEY", err)
        self.assertIn("Parameter public: 'maybe' is not a boolean",
                      self.xe_fails("blob-create", "name=y", "public=maybe",
                                    "vm-uuid=%s" % vm_uuid))

    def test_vm_create_and_destroy(self):
        out = self.xe("vm-create", "name-label=xe-bare", "name-description=made by xe")
        uuid = out.strip()
        self.assertOneUuid(out)
        vm = self.x.VM.get_by_uuid(uuid)
        rec = self.x.VM.get_record(vm)
        self.assertEqual((rec["name_label"], rec["name_description"], rec["power_state"],
                          rec["memory_static_max"], rec["memory_dynamic_min"], rec["VCPUs_max"],
                          rec["actions_after_crash"], rec["is_a_template"]),
                         ("xe-bare", "made by xe", "Halted", str(256 << 20), str(128 << 20),
                          "1", "destroy", False))
        # vm-destroy keeps the disks: only the VM goes
        vdi = self.new_vdi("xe-bare-disk")
        self.xe("vbd-create", "vm-uuid=%s" % uuid, "vdi-uuid=%s" % self.x.VDI.get_uuid(vdi),
                "device=0")
        self.assertEqual(self.xe("vm-destroy", "uuid=%s" % uuid), "")
        self.assertNotIn(vm, self.x.VM.get_all())
        self.assertEqual(self.x.VDI.get_VBDs(vdi), [])
        self.assertEqual(self.xe_fails("vm-create"), "Required parameter not found: name-label\n")
        err = self.xe_fails("vm-destroy", "uuid=%s" % uuid)
        self.assertIn("Error code: UUID_INVALID\nError parameters: VM, %s\n" % uuid, err)
        dom0 = [r for r, v in self.x.VM.get_all_records().items() if v["is_control_domain"]][0]
        err = self.xe_fails("vm-destroy", "uuid=%s" % self.x.VM.get_uuid(dom0))
        self.assertIn("Error code: OPERATION_NOT_ALLOWED\nError parameters: You cannot destroy "
                      "a control domain via the CLI\n", err)
        self.assertIn(dom0, self.x.VM.get_all())

    def new_vdi(self, name):
        vdi = self.x.VDI.create({"name_label": name, "name_description": "", "SR": self.sr,
                                 "virtual_size": str(1 << 20), "type": "user",
                                 "sharable": False, "read_only": False, "other_config": {}})
        self.addCleanup(self.x.VDI.destroy, vdi)
        return vdi

    def test_memory_overheads(self):
        vm, uuid = self.new_vm("xe-overhead")
        out = self.xe("vm-compute-memory-overhead", "vm=xe-overhead")
        self.assertEqual(out, "%s\n" % self.x.VM.compute_memory_overhead(vm))
        self.assertGreater(int(out), 0)
        host_uuid = self.x.host.get_uuid(self.host)
        # the host's overhead is its memory_overhead field, as xapi's
        self.assertEqual(self.x.host.compute_memory_overhead(self.host),
                         self.x.host.get_memory_overhead(self.host))
        self.assertFailure(["HANDLE_INVALID", "host", "OpaqueRef:nope"],
                           self.x.host.compute_memory_overhead, "OpaqueRef:nope")
        out = self.xe("host-compute-memory-overhead", "host=%s" % host_uuid)
        self.assertEqual(out, "%s\n" % self.x.host.get_memory_overhead(self.host))
        err = self.xe_fails("vm-compute-memory-overhead", "vm=no-such-vm")
        self.assertIn("Failure: No matching VMs found", err)

    def test_maximum_memory(self):
        vm, uuid = self.new_vm("xe-maxmem")
        total = 1 << 30
        best = int(self.x.VM.maximise_memory(vm, str(total), False))
        rough = int(self.x.VM.maximise_memory(vm, str(total), True))
        # a whole number of MiB, with room for the overhead, and no MiB more fits
        self.assertEqual(best % (1 << 20), 0)
        self.assertTrue(total - (64 << 20) < best < total, best)
        self.assertLess(rough, best)  # 64 vCPUs cost more overhead
        self.x.VM.set_memory_limits(vm, str(best), str(best), str(best), str(best))
        self.assertLessEqual(best + int(self.x.VM.compute_memory_overhead(vm)), total)
        more = best + (1 << 20)
        self.x.VM.set_memory_limits(vm, str(more), str(more), str(more), str(more))
        self.assertGreater(more + int(self.x.VM.compute_memory_overhead(vm)), total)
        self.assertEqual(self.x.VM.maximise_memory(vm, "0", False), "0")
        self.assertFailure(["HANDLE_INVALID", "VM", "OpaqueRef:nope"],
                           self.x.VM.maximise_memory, "OpaqueRef:nope", "1", False)
        self.assertEqual(self.xe("vm-compute-maximum-memory", "vm=xe-maxmem", "total=1GiB"),
                         "%d\n" % best)
        self.assertEqual(self.xe("vm-compute-maximum-memory", "uuid=%s" % uuid,
                                 "total=%d" % total, "approximate=true"), "%d\n" % rough)
        err = self.xe_fails("vm-compute-maximum-memory", "vm=xe-maxmem", "total=lots")
        self.assertEqual(err, "Error: Parameter total: 'lots' is not a size (a number of bytes, "
                         "or with a suffix KiB, MiB, GiB, TiB)\n")
        err = self.xe_fails("vm-compute-maximum-memory", "vm=xe-maxmem")
        self.assertEqual(err, "Required parameter not found: total\n")

    def test_server_certificate(self):
        out = self.xe("host-get-server-certificate")
        self.assertEqual(out, self.x.host.get_server_certificate(self.host) + "\n")
        self.assertIn("-----BEGIN CERTIFICATE-----", out)
        err = self.xe_fails("host-get-server-certificate", "host=nope")
        self.assertIn("Failure: No matching hosts found", err)

    def test_message_destroy_all(self):
        vm, uuid = self.new_vm("xe-msgs")
        for prio in (1, 2, 2):
            self.x.message.create("XE_ALL", str(prio), "VM", uuid, "p%d" % prio)

        def mine():
            return sorted(m["priority"] for m in self.x.message.get_all_records().values()
                          if m["name"] == "XE_ALL")
        self.assertEqual(mine(), ["1", "2", "2"])
        # nothing is older than 2000 or newer than now + a day
        self.assertEqual(self.xe("message-destroy-all", "before=2000-01-01T00:00:00Z"), "")
        tomorrow = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 86400))
        self.assertEqual(self.xe("message-destroy-all", "after=%s" % tomorrow), "")
        self.assertEqual(mine(), ["1", "2", "2"])
        self.assertEqual(self.xe("message-destroy-all", "priority=2",
                                 "after=2000-01-01T00:00:00Z", "before=%s" % tomorrow), "")
        self.assertEqual(mine(), ["1"])
        self.assertEqual(self.xe("message-destroy-all"), "")
        self.assertEqual(self.x.message.get_all(), [])
        err = self.xe_fails("message-destroy-all", "before=yesterday")
        self.assertEqual(err, "Error: invalid timestamp format for 'before' (expected RFC3339, "
                         "for example, 2025-01-01T00:00:00Z)\n")
        err = self.xe_fails("message-destroy-all", "after=noon")
        self.assertEqual(err, "Error: Invalid timestamp format for 'after' (expected RFC3339, "
                         "for example, 2025-01-01T00:00:00Z)\n")
        err = self.xe_fails("message-destroy-all", "priority=high")
        self.assertEqual(err, "Error: Invalid priority format (expected positive integer)\n")

    def test_session_subject_identifier_list(self):
        # only local sessions here: no externally authenticated subject
        self.assertEqual(self.x.session.get_all_subject_identifiers(), [])
        self.assertEqual(self.xe("session-subject-identifier-list"), "")

    def test_host_maps(self):
        info = self.x.host.get_cpu_info(self.host)
        out = self.xe("host-cpu-info")
        width = max(len(k) for k in info) + 4
        lines = [k.ljust(width) if i == 0 else k.rjust(width) for i, k in enumerate(info)]
        self.assertEqual(out, "".join("%s: %s\n" % (l, v) for l, v in zip(lines, info.values()))
                         + "\n\n")
        self.assertIn("cpu_count", out)
        self.assertEqual(self.xe("host-cpu-info", "uuid=%s" % self.x.host.get_uuid(self.host)),
                         out)
        err = self.xe_fails("host-cpu-info", "uuid=nope")
        self.assertIn("Error code: UUID_INVALID\nError parameters: host, nope\n", err)
        # only the features_* keys, none of which this host's cpu_info has yet
        keys = [k for k in ("features_pv", "features_hvm", "features_pv_host",
                            "features_hvm_host") if k in info]
        out = self.xe("host-get-cpu-features")
        self.assertEqual(out.count(":"), len(keys))
        lic = self.x.host.get_license_params(self.host)
        out = self.xe("host-license-view")
        self.assertNotIn("sku_type", out)
        for k, v in lic.items():
            if k != "sku_type":
                self.assertRegex(out, r"(?m)^ *%s *: %s$" % (k, v))

    def test_snapshot_disk_list(self):
        vm, uuid = self.new_vm("xe-snapdisks")
        self.xe("vm-disk-add", "vm=xe-snapdisks", "disk-size=4MiB", "device=0",
                "sr-uuid=%s" % self.sr_uuid)
        snap = self.xe("vm-snapshot", "vm=xe-snapdisks", "new-name-label=xe-snap").strip()
        out = self.xe("snapshot-disk-list", "snapshot-uuid=%s" % snap)
        self.assertEqual(out.count("Disk 0 VBD:\n"), 1)
        self.assertEqual(out.count("Disk 0 VDI:\n"), 1)
        self.assertIn("vm-name-label ( RO): xe-snap\n", out)
        self.assertEqual(self.xe("snapshot-disk-list", "uuid=%s" % snap), out)
        self.assertEqual(self.xe("snapshot-disk-list", "uuid=%s" % snap, "vbd-params=userdevice",
                                 "vdi-params=virtual-size"),
                         "Disk 0 VBD:\nuserdevice ( RW)    : 0\n\n\nDisk 0 VDI:\n"
                         "virtual-size ( RO)    : 4194304\n\n\n")
        err = self.xe_fails("snapshot-disk-list", "uuid=%s" % uuid)
        self.assertIn("Error code: ", err)

    def test_vif_configure(self):
        vm, vm_uuid = self.new_vm("xe-vif-ip")
        net = self.x.network.create({"name_label": "xe-vif-ip", "name_description": "",
                                     "other_config": {}, "MTU": "1500"})
        self.addCleanup(self.x.network.destroy, net)
        vif = self.xe("vif-create", "vm-uuid=%s" % vm_uuid, "device=0",
                      "network-uuid=%s" % self.x.network.get_uuid(net)).strip()
        ref = self.x.VIF.get_by_uuid(vif)
        self.addCleanup(self.x.VIF.destroy, ref)
        self.assertEqual(self.xe("vif-configure-ipv4", "uuid=%s" % vif, "mode=static",
                                 "address=192.0.2.7/24", "gateway=192.0.2.1"), "")
        rec = self.x.VIF.get_record(ref)
        self.assertEqual((rec["ipv4_configuration_mode"], rec["ipv4_addresses"],
                          rec["ipv4_gateway"]), ("Static", ["192.0.2.7/24"], "192.0.2.1"))
        self.assertEqual(self.xe("vif-configure-ipv4", "uuid=%s" % vif, "mode=NONE"), "")
        self.assertEqual(self.x.VIF.get_ipv4_addresses(ref), [])
        self.assertEqual(self.xe("vif-configure-ipv6", "uuid=%s" % vif, "mode=static",
                                 "address=fd00::7/64"), "")
        self.assertEqual((self.x.VIF.get_ipv6_configuration_mode(ref),
                          self.x.VIF.get_ipv6_addresses(ref)), ("Static", ["fd00::7/64"]))
        err = self.xe_fails("vif-configure-ipv4", "uuid=%s" % vif, "mode=static")
        self.assertFailure_(err, "Required parameter not found: address")
        err = self.xe_fails("vif-configure-ipv6", "uuid=%s" % vif, "mode=dhcp")
        self.assertEqual(err, "Error: Expected 'none', 'autoconf' or 'static', got dhcp\n")
        err = self.xe_fails("vif-configure-ipv4", "uuid=%s" % vif, "mode=autoconf")
        self.assertEqual(err, "Error: Expected 'dhcp','none' or 'static', got autoconf\n")
        err = self.xe_fails("vif-configure-ipv4", "uuid=%s" % vif, "mode=static",
                            "address=192.0.2.300/24")
        self.assertIn("Error code: INVALID_IP_ADDRESS_SPECIFIED\nError parameters: address\n",
                      err)
        err = self.xe_fails("vif-configure-ipv4", "uuid=nope", "mode=none")
        self.assertIn("Error code: UUID_INVALID\nError parameters: VIF, nope\n", err)

    def test_sr_probe_ext(self):
        loc = self.srdir + "/xe-vm-sr"
        stat = [r for r in self.x.SR.probe_ext(self.host, {"location": loc}, "file", {})
                if "sr" in r][0]["sr"]
        out = self.xe("sr-probe-ext", "type=file", "device-config:location=%s" % loc)
        # the free space of the file system under the SR moves with the machine
        out = re.sub(r"(?m)^( +free-space: )\d+$", r"\g<1>%s" % stat["free_space"], out)
        self.assertEqual(out, "The following SRs were found:\nSR 0:\n"
                         "uuid                : %s\n"
                         "          name-label: %s\n"
                         "    name-description: %s\n"
                         "         total-space: %s\n"
                         "          free-space: %s\n"
                         "           clustered: false\n"
                         "              health: healthy\n\n\n"
                         "SR 0 configuration:\nlocation    : %s\n\n\n"
                         "SR 0 extra information:\n\n\n\n"
                         % (self.sr_uuid, stat["name_label"], stat["name_description"],
                            stat["total_space"], stat["free_space"], loc))
        empty = self.srdir + "/xe-probe-empty"
        os.makedirs(empty)
        out = self.xe("sr-probe-ext", "type=file", "device-config:location=%s" % empty,
                      "host-uuid=%s" % self.x.host.get_uuid(self.host))
        self.assertEqual(out, "Found the following complete configurations that can be used "
                         "to create SRs:\nConfiguration 0:\nlocation    : %s\n\n\n"
                         "Configuration 0 extra information:\n\n\n\n" % empty)
        err = self.xe_fails("sr-probe-ext", "type=nosuch", "device-config:location=%s" % empty)
        self.assertIn("Error code: SR_UNKNOWN_DRIVER\nError parameters: nosuch\n", err)
        self.assertEqual(self.xe_fails("sr-probe-ext"), "Required parameter not found: type\n")


class XeClientMixin:
    """xe against the test class's daemon, as the VM tests run it, for test
    classes on other bases than XeVmBase."""
    run_xe = XeVmBase.run_xe
    xe = XeVmBase.xe
    xe_fails = XeVmBase.xe_fails

    @classmethod
    def setUpClass(cls):
        cls.xe_path = str(xe_binary())
        super().setUpClass()


class XeHostCertTest(XeClientMixin, DaemonTestCase):
    """host-server-certificate-install and host-reset-server-certificate on a
    daemon of their own (they change what it serves)."""

    def test_install_and_reset(self):
        tmp = tempfile.mkdtemp(prefix="xapid-it-xecert-")
        self.addCleanup(shutil.rmtree, tmp)
        host = self.x.host.get_all()[0]
        cert, key = make_cert(tmp, "xe-installed")
        chain, _ = make_cert(tmp, "xe-chain")
        self.assertEqual(self.xe("host-server-certificate-install",
                                 "certificate=%s/xe-installed.crt" % tmp,
                                 "private-key=%s/xe-installed.key" % tmp,
                                 "certificate-chain=%s/xe-chain.crt" % tmp), "")
        self.assertEqual(ssl.PEM_cert_to_DER_cert(self.x.host.get_server_certificate(host)),
                         ssl.PEM_cert_to_DER_cert(cert))
        self.assertEqual(self.xe("host-reset-server-certificate",
                                 "host=%s" % self.x.host.get_uuid(host)), "")
        fresh = self.x.host.get_server_certificate(host)
        self.assertNotEqual(ssl.PEM_cert_to_DER_cert(fresh), ssl.PEM_cert_to_DER_cert(cert))
        err = self.xe_fails("host-server-certificate-install", "certificate=%s/none" % tmp,
                            "private-key=%s/xe-installed.key" % tmp)
        self.assertEqual(err, "Failed to read certificate\n")
        err = self.xe_fails("host-server-certificate-install",
                            "certificate=%s/xe-installed.crt" % tmp, "private-key=%s/no" % tmp)
        self.assertEqual(err, "Failed to read private key\n")
        err = self.xe_fails("host-server-certificate-install",
                            "certificate=%s/xe-installed.crt" % tmp)
        self.assertEqual(err, "Required parameter not found: private-key\n")
        # a key that is not the certificate's: the server's error
        err = self.xe_fails("host-server-certificate-install",
                            "certificate=%s/xe-installed.crt" % tmp,
                            "private-key=%s/xe-chain.key" % tmp)
        self.assertIn("Error code: ", err)
        self.assertEqual(self.x.host.get_server_certificate(host), fresh)
