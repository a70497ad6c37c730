"""Metrics through the wire: the collectors (the `host` plugin, a
deliberately broken one), the figures of sim VMs and of VDIs (the file
driver's vdi_io), /rrd_updates in its XML and JSON forms, /vm_rrd loadable
by `rrdtool restore`, the data-source calls of host, VM and SR, archives
across a clean restart and a kill -9, and the answers to bad parameters.

Sampling runs every 5 s: the tests wait for rounds (two intervals at most
for a figure to show)."""

import json
import os
import shutil
import subprocess
import tempfile
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

import harness
from harness import DaemonTestCase, NULL_REF, test_plugin, vm_record
from storage_util import MIB, StorageTestCase, pattern

INTERVAL = 5


class MetricsMixin:

    def get(self, path, params=None, auth=True):
        """GET path?params with the session: (status, content type, body)."""
        q = dict(params or {})
        if auth:
            q.setdefault("session_id", self.session.handle)
        url = "http://127.0.0.1:%d%s?%s" % (self.daemon.port, path, urllib.parse.urlencode(q))
        try:
            with urllib.request.urlopen(url, timeout=30) as r:
                return r.status, r.headers.get("Content-Type"), r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers.get("Content-Type"), e.read()

    def updates(self, start=None, json_form=True, **params):
        """/rrd_updates as {legend entry: [(t, value)...] newest first}."""
        q = {"start": str(int(time.time()) - 120 if start is None else start),
             "host": "true", "cf": params.pop("cf", "AVERAGE")}
        if json_form:
            q["json"] = "true"
        q.update(params)
        status, ctype, body = self.get("/rrd_updates", q)
        self.assertEqual(status, 200, body[:300])
        return parse_updates(body, json_form, ctype)

    def wait_value(self, entry, want=None, timeout=3 * INTERVAL, **params):
        """The newest non-NaN value of a legend entry, once there is one (and
        it satisfies want, if given)."""
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            cols = self.updates(**params)
            for t, v in cols.get(entry, []):
                if v == v:  # not NaN
                    last = v
                    if want is None or want(v):
                        return v
                    break
            time.sleep(1)
        self.fail("no %s value%s in /rrd_updates within %g s (last %r)" %
                  (entry, "" if want is None else " as wanted", timeout, last))


def parse_updates(body, json_form, ctype=None):
    cols = {}
    if json_form:
        if ctype is not None:
            assert ctype == "application/json", ctype
        doc = json.loads(body)
        legend = doc["meta"]["legend"]
        rows = [(r["t"], [float(v) for v in r["values"]]) for r in doc["data"]]
        assert doc["meta"]["columns"] == len(legend)
        assert doc["meta"]["rows"] == len(rows)
    else:
        if ctype is not None:
            assert ctype == "text/xml", ctype
        root = ET.fromstring(body)
        legend = [e.text for e in root.find("meta/legend")]
        rows = [(int(r.find("t").text), [float(v.text) for v in r.findall("v")])
                for r in root.find("data")]
    times = [t for t, _ in rows]
    assert times == sorted(times, reverse=True), "rows newest first"
    for i, name in enumerate(legend):
        cols[name] = [(t, vals[i]) for t, vals in rows]
    return cols


def proc_meminfo(key):
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith(key + ":"):
                return float(line.split()[1])
    raise KeyError(key)


class HostAndVmTest(MetricsMixin, DaemonTestCase):
    daemon_plugins = {"host": {}, "pif": {"exclude": ""}}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.host = cls.x.host.get_all()[0]
        cls.host_uuid = cls.x.host.get_uuid(cls.host)

    def start_vm(self, name, vcpus="1"):
        vm = self.create_vm(name, VCPUs_max=vcpus, VCPUs_at_startup=vcpus)
        self.x.VM.start(vm, False, False)
        self.addCleanup(self.stop_vm, vm)
        return vm, self.x.VM.get_uuid(vm)

    def stop_vm(self, vm):
        if vm in self.x.VM.get_all() and self.x.VM.get_power_state(vm) == "Running":
            self.x.VM.hard_shutdown(vm)

    def test_host_data_sources(self):
        names = {ds["name_label"]: ds for ds in self.x.host.get_data_sources(self.host)}
        for n in ("cpu0", "cpu_avg", "loadavg", "memory_total_kib", "memory_free_kib",
                  "memory_reclaimable_kib"):
            self.assertIn(n, names)
            self.assertTrue(names[n]["enabled"] and names[n]["standard"], n)
        self.assertEqual(names["memory_total_kib"]["units"], "KiB")
        total = self.wait_value("AVERAGE:host:%s:memory_total_kib" % self.host_uuid)
        self.assertEqual(total, proc_meminfo("MemTotal"))
        self.assertEqual(self.x.host.query_data_source(self.host, "memory_total_kib"),
                         proc_meminfo("MemTotal"))
        cpu = self.wait_value("AVERAGE:host:%s:cpu_avg" % self.host_uuid)
        self.assertTrue(0 <= cpu <= 1, cpu)

    def test_pif_counters(self):
        entry = "AVERAGE:host:%s:pif_lo_rx" % self.host_uuid
        names = {ds["name_label"] for ds in self.x.host.get_data_sources(self.host)}
        self.assertTrue({"pif_lo_rx", "pif_lo_tx", "pif_lo_rx_packets", "pif_lo_tx_errors"}
                        <= names, names)
        # our own calls over loopback: lo receives what it sends
        rate = self.wait_value(entry, want=lambda v: v > 0)
        self.assertGreater(rate, 0)
        tx = self.wait_value("AVERAGE:host:%s:pif_lo_tx" % self.host_uuid)
        self.assertGreaterEqual(tx, 0)

    def test_vm_figures_equal_the_sim(self):
        vm, uuid = self.start_vm("metrics-vm", vcpus="2")
        t0 = time.monotonic()
        mem = self.wait_value("AVERAGE:vm:%s:memory" % uuid, timeout=2 * INTERVAL + 3)
        self.assertLess(time.monotonic() - t0, 2 * INTERVAL + 3)
        actual = int(self.x.VM_metrics.get_memory_actual(self.x.VM.get_metrics(vm)))
        self.assertEqual(mem, actual)
        # the sim's guest uses a quarter of its memory (page aligned)
        used = (actual // 4) & ~4095
        free_kib = self.wait_value("AVERAGE:vm:%s:memory_internal_free" % uuid)
        self.assertEqual(free_kib, (actual - used) / 1024)
        self.assertEqual(self.wait_value("AVERAGE:vm:%s:memory_internal_used" % uuid),
                         used / 1024)
        # a running sim domain uses one CPU's worth, spread over its vCPUs
        for i in (0, 1):
            cpu = self.wait_value("AVERAGE:vm:%s:cpu%d" % (uuid, i))
            self.assertAlmostEqual(cpu, 0.5, delta=0.02)
        names = {ds["name_label"] for ds in self.x.VM.get_data_sources(vm)}
        self.assertTrue({"cpu0", "cpu1", "memory", "memory_target",
                         "memory_internal_free"} <= names, names)
        self.assertEqual(self.x.VM.query_data_source(vm, "memory"), actual)

    def test_json_and_xml_carry_the_same_numbers(self):
        vm, uuid = self.start_vm("metrics-forms")
        self.wait_value("AVERAGE:vm:%s:cpu0" % uuid)
        start = int(time.time()) - 60
        for _ in range(5):
            j = self.updates(start=start)
            x = self.updates(start=start, json_form=False)
            if j.keys() == x.keys() and all(j[k] == x[k] or str(j[k]) == str(x[k]) for k in j):
                break  # the same round (a new one may land between the two GETs)
        self.assertEqual(sorted(j.keys()), sorted(x.keys()))
        for k in j:
            self.assertEqual(str(j[k]), str(x[k]), k)
        self.assertIn("AVERAGE:host:%s:memory_free_kib" % self.host_uuid, j)
        # every value is printf's "%.15g" of itself (the server formats by hand)
        status, _, body = self.get("/rrd_updates", {"start": str(start), "json": "true",
                                                    "host": "true"})
        texts = [v for row in json.loads(body)["data"] for v in row["values"] if v != "NaN"]
        self.assertTrue(texts)
        for v in texts:
            self.assertEqual(v, "%.15g" % float(v))
        # vm_uuid keeps that VM only; host=false drops the host
        only = self.updates(start=start, vm_uuid=uuid, host="false")
        self.assertTrue(only and all(k.split(":")[2] == uuid for k in only), list(only))

    def test_min_max_and_interval(self):
        vm, uuid = self.start_vm("metrics-cf")
        self.wait_value("AVERAGE:vm:%s:memory" % uuid)
        for cf in ("MIN", "MAX"):
            cols = self.updates(cf=cf, vm_uuid=uuid)
            self.assertIn("%s:vm:%s:memory" % (cf, uuid), cols)
        # interval=60: the 1-minute archive
        status, _, body = self.get("/rrd_updates", {"start": str(int(time.time()) - 3600),
                                                    "interval": "60", "json": "true"})
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(body)["meta"]["step"], 60)

    def test_vm_rrd_restores(self):
        vm, uuid = self.start_vm("metrics-dump")
        self.wait_value("AVERAGE:vm:%s:memory" % uuid)
        status, ctype, body = self.get("/vm_rrd", {"uuid": uuid})
        self.assertEqual((status, ctype), (200, "text/xml"))
        self.assertIn(b"<name> memory </name>", body)
        d = tempfile.mkdtemp(prefix="xapid-it-rrd-")
        self.addCleanup(shutil.rmtree, d, True)
        with open(os.path.join(d, "vm.xml"), "wb") as f:
            f.write(body)
        out = subprocess.run(["rrdtool", "restore", os.path.join(d, "vm.xml"),
                              os.path.join(d, "vm.rrd")], capture_output=True, text=True)
        self.assertEqual(out.returncode, 0, out.stderr)
        info = subprocess.run(["rrdtool", "info", os.path.join(d, "vm.rrd")],
                              capture_output=True, text=True).stdout
        self.assertIn("ds[memory].type = \"GAUGE\"", info)
        self.assertIn("rra[11].cf = \"MAX\"", info)
        self.assertIn("rra[9].pdp_per_row = 17280", info)
        status, _, body = self.get("/host_rrd")
        self.assertEqual(status, 200)
        self.assertIn(b"<name> memory_total_kib </name>", body)

    def test_record_and_forget(self):
        vm, uuid = self.start_vm("metrics-forget")
        self.wait_value("AVERAGE:vm:%s:memory_target" % uuid)
        self.assertIsNone(self.x.VM.forget_data_source_archives(vm, "memory_target"))
        ds = {d["name_label"]: d for d in self.x.VM.get_data_sources(vm)}
        self.assertFalse(ds["memory_target"]["enabled"])
        entry = "AVERAGE:vm:%s:memory_target" % uuid
        deadline = time.monotonic() + 3 * INTERVAL
        while entry in self.updates(vm_uuid=uuid) and time.monotonic() < deadline:
            time.sleep(1)
        self.assertNotIn(entry, self.updates(vm_uuid=uuid))
        self.assertIsNone(self.x.VM.record_data_source(vm, "memory_target"))
        self.assertTrue({d["name_label"]: d for d in self.x.VM.get_data_sources(vm)}
                        ["memory_target"]["enabled"])
        self.wait_value(entry)

    def test_archive_removed_with_its_vm(self):
        vm, uuid = self.start_vm("metrics-gone")
        self.wait_value("AVERAGE:vm:%s:memory" % uuid)
        path = os.path.join(self.daemon.dir, "rrd", "vm-%s.rrd" % uuid)
        # The round's values are visible as soon as the store has them; the
        # new archive's file is written (and fsync'd) just after, outside
        # the store's lock, so on a busy machine it may trail a little.
        deadline = time.monotonic() + INTERVAL
        while not os.path.exists(path) and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertTrue(os.path.exists(path))
        self.x.VM.hard_shutdown(vm)
        self.x.VM.destroy(vm)
        deadline = time.monotonic() + 3 * INTERVAL
        while os.path.exists(path) and time.monotonic() < deadline:
            time.sleep(0.5)
        self.assertFalse(os.path.exists(path))
        self.assertEqual(self.get("/vm_rrd", {"uuid": uuid})[0], 404)

    def alarms_of(self, uuid):
        return [m for m in self.x.message.get_all_records().values()
                if m["name"] == "ALARM" and m["obj_uuid"] == uuid]

    def test_alarm_fires_once_per_inhibit_period(self):
        vm, uuid = self.start_vm("metrics-alarm")
        cpu_var = ('<variable><name value="cpu_usage"/><alarm_trigger_level value="0.5"/>'
                   '<alarm_trigger_period value="5"/></variable>')
        mem_var = ('<variable><name value="memory_internal_free"/>'
                   '<alarm_trigger_level value="1e9"/><alarm_trigger_sense value="low"/>'
                   '<alarm_priority value="2"/><alarm_trigger_period value="0"/>'
                   '<alarm_auto_inhibit_period value="12"/></variable>')
        self.x.VM.add_to_other_config(vm, "perfmon",
                                      "<config>%s%s</config>" % (cpu_var, mem_var))
        deadline = time.monotonic() + 4 * INTERVAL
        while time.monotonic() < deadline and not any(
                "cpu_usage" in m["body"] for m in self.alarms_of(uuid)):
            time.sleep(1)
        cpu = [m for m in self.alarms_of(uuid) if "cpu_usage" in m["body"]]
        self.assertEqual(len(cpu), 1, cpu)
        m = cpu[0]
        self.assertEqual((m["cls"], m["priority"]), ("VM", "3"))
        self.assertTrue(m["body"].startswith("value: "), m["body"])
        self.assertAlmostEqual(float(m["body"].split("\n")[0][7:]), 1.0, delta=0.05)
        self.assertIn("config:\n" + cpu_var, m["body"])
        time.sleep(4 * INTERVAL)
        # cpu_usage: still the one (inhibited for an hour); the memory
        # variable (12 s) again after its inhibit period
        cpu = [m for m in self.alarms_of(uuid) if "cpu_usage" in m["body"]]
        mem = [m for m in self.alarms_of(uuid) if "memory_internal_free" in m["body"]]
        self.assertEqual(len(cpu), 1)
        self.assertIn(len(mem), (2, 3), [m["timestamp"] for m in mem])
        self.assertEqual({m["priority"] for m in mem}, {"2"})
        self.assertTrue(mem[0]["body"].startswith("value: 196608\nconfig:\n<variable>"),
                        mem[0]["body"])

    def xe(self, *args, ok=True):
        from test_xe import xe_binary
        p = subprocess.run([str(xe_binary()), "--socket", self.daemon.socket_path,
                            "-u", "root", "-pw", harness.ROOT_PASSWORD] + list(args),
                           capture_output=True, text=True, timeout=30)
        if ok:
            self.assertEqual(p.returncode, 0, p.stderr)
        return p

    def test_xe_data_source_commands(self):
        vm, uuid = self.start_vm("metrics-xe")
        self.wait_value("AVERAGE:vm:%s:memory" % uuid)
        out = self.xe("host-data-source-list").stdout
        self.assertIn("name_label ( RO): memory_total_kib", out)
        self.assertIn("               units ( RO): KiB", out)
        q = self.xe("host-data-source-query", "data-source=memory_total_kib").stdout
        self.assertEqual(float(q), proc_meminfo("MemTotal"))
        out = self.xe("vm-data-source-list", "uuid=" + uuid).stdout
        self.assertIn("name_label ( RO): memory_internal_free", out)
        q = self.xe("vm-data-source-query", "uuid=" + uuid, "data-source=memory").stdout
        self.assertEqual(float(q), float(self.x.VM_metrics.get_memory_actual(
            self.x.VM.get_metrics(vm))))
        self.xe("vm-data-source-forget", "uuid=" + uuid, "data-source=memory_target")
        self.assertIn("name_label ( RO): memory_target\n    name_description ( RO): Target of "
                      "VM balloon driver\n             enabled ( RO): false",
                      self.xe("vm-data-source-list", "uuid=" + uuid).stdout)
        self.xe("vm-data-source-record", "uuid=" + uuid, "data-source=memory_target")
        p = self.xe("vm-data-source-query", "uuid=" + uuid, ok=False)
        self.assertEqual((p.returncode, p.stderr.strip()),
                         (1, "Required parameter not found: data-source"))
        p = self.xe("vm-data-source-query", "uuid=" + uuid, "data-source=nope", ok=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("INTERNAL_ERROR", p.stderr)
        self.assertEqual(self.xe("sr-data-source-list", ok=False).returncode, 1)

    def test_bad_parameters(self):
        now = str(int(time.time()))
        self.assertEqual(self.get("/rrd_updates", {"start": "abc"})[0], 500)
        self.assertEqual(self.get("/rrd_updates", {})[0], 500)
        self.assertEqual(self.get("/rrd_updates", {"start": now, "cf": "FOO"})[0], 500)
        self.assertEqual(self.get("/rrd_updates", {"start": now, "interval": "x"})[0], 500)
        # an unknown VM has no columns (rrdd filters its table)
        unknown = "00000000-0000-0000-0000-000000000000"
        cols = self.updates(vm_uuid=unknown, host="false")
        self.assertEqual(cols, {})
        self.assertEqual(self.get("/vm_rrd", {"uuid": unknown})[0], 404)
        self.assertEqual(self.get("/sr_rrd", {"uuid": unknown})[0], 404)
        self.assertEqual(self.get("/vm_rrd", {"uuid": "../../etc"})[0], 404)
        # credentials as the other data paths
        self.assertEqual(self.get("/rrd_updates", {"start": now}, auth=False)[0], 401)
        self.assertEqual(self.get("/rrd_updates", {"start": now,
                                                   "session_id": "OpaqueRef:nope"})[0], 401)
        self.assertEqual(self.get("/host_rrd", {}, auth=False)[0], 401)
        # the API's answers
        self.assertFailure(["INTERNAL_ERROR",
                            'Rrd_interface.Rrdd_error(Invalid_data_source("nope"))'],
                           self.x.host.query_data_source, self.host, "nope")
        self.assertFailure(["INTERNAL_ERROR",
                            'Rrd_interface.Rrdd_error(Invalid_data_source("nope"))'],
                           self.x.host.record_data_source, self.host, "nope")
        self.assertFailure(["HANDLE_INVALID", "VM", NULL_REF],
                           self.x.VM.get_data_sources, NULL_REF)
        self.assertFailure(["HANDLE_INVALID", "SR", NULL_REF],
                           self.x.SR.query_data_source, NULL_REF, "x")


class PersistenceTest(MetricsMixin, DaemonTestCase):
    daemon_plugins = {"host": {}}

    def test_restart_and_kill(self):
        host = self.x.host.get_all()[0]
        entry = "AVERAGE:host:%s:memory_total_kib" % self.x.host.get_uuid(host)
        self.wait_value(entry)
        time.sleep(INTERVAL)
        before = [t for t, v in self.updates()[entry] if v == v]
        self.restart_daemon()
        after = dict(self.updates()[entry])
        for t in before:
            self.assertEqual(after.get(t), proc_meminfo("MemTotal"), "row %d kept" % t)
        # kill -9: at most the last interval is lost
        self.wait_value(entry)
        time.sleep(INTERVAL + 1)
        newest = max(t for t, v in self.updates()[entry] if v == v)
        killed_at = time.time()
        self.restart_daemon(kill=True)
        after = dict(self.updates(start=newest - 60)[entry])
        self.assertEqual(after.get(newest), proc_meminfo("MemTotal"))
        self.assertGreaterEqual(newest, killed_at - 2 * INTERVAL)


class BrokenCollectorTest(MetricsMixin, DaemonTestCase):
    """A collector that crashes, hangs or fails loses its own samples;
    the `host` collector's go on and the daemon keeps serving."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="xapid-it-bad-collector-")
        cls.mode_file = os.path.join(cls.tmp, "mode")
        with open(cls.mode_file, "w") as f:
            f.write("ok")
        cls.daemon_plugins = {"host": {}, "bad_collector": {
            "mode_file": cls.mode_file, "path": str(test_plugin("bad_collector"))}}
        super().setUpClass()
        cls.addClassCleanup(shutil.rmtree, cls.tmp, True)
        cls.host_uuid = cls.x.host.get_uuid(cls.x.host.get_all()[0])

    def set_mode(self, mode):
        with open(self.mode_file, "w") as f:
            f.write(mode)

    def newest_t(self, entry):
        rows = [t for t, v in self.updates().get(entry, []) if v == v]
        return max(rows) if rows else 0

    def test_misbehaving_collector(self):
        bad = "AVERAGE:host:%s:bad_collector_value" % self.host_uuid
        good = "AVERAGE:host:%s:memory_free_kib" % self.host_uuid
        self.assertEqual(self.wait_value(bad), 42)
        for mode in ("crash", "hang", "fail"):
            self.set_mode(mode)
            time.sleep(INTERVAL)  # a round that started before the switch
            t_bad = self.newest_t(bad)
            t_good = self.newest_t(good)
            time.sleep(2 * INTERVAL + 1)
            self.assertGreater(self.newest_t(good), t_good, "host samples go on (%s)" % mode)
            self.assertEqual(self.newest_t(bad), t_bad, "no samples while it is %s" % mode)
            self.assertEqual(self.x.host.get_all()[0][:10], "OpaqueRef:")
            self.daemon.check_alive()
        self.set_mode("ok")
        t_bad = self.newest_t(bad)
        self.wait_value(bad, want=lambda v: self.newest_t(bad) > t_bad, timeout=4 * INTERVAL)
        log = self.daemon.log_text()
        self.assertIn("plugin bad_collector: collect", log)
        self.assertIn("its samples of this round are lost", log)


class VdiIoTest(MetricsMixin, StorageTestCase):
    """The file driver's vdi_io: a VDI's bytes read and written grow by
    what went through the data paths. A driver built for ABI 2.0 (no
    vdi_io) still loads, and its SRs have no per-VDI figures."""

    daemon_plugins = {"file": {}, "old_minor": {"path": str(test_plugin("old_minor"))}}

    def test_abi_2_0_driver_loads_without_figures(self):
        sm = [r for r in self.x.SM.get_all_records().values() if r["type"] == "old_minor"]
        self.assertEqual(len(sm), 1)
        self.assertEqual(sm[0]["required_api_version"], "2.0")
        sr = self.x.SR.create(self.host, {}, "0", "old-sr", "", "old_minor", "user", False, {})
        vdi = self.create_vdi(sr, MIB)
        self.assertEqual(self.x.VDI.get_SR(vdi), sr)
        time.sleep(2 * INTERVAL)
        self.assertEqual(self.x.SR.get_data_sources(sr), [])
        self.assertNotIn("driver bug", self.daemon.log_text())

    def test_vdi_bytes(self):
        sr, _ = self.create_sr("metrics-sr")
        sr_uuid = self.x.SR.get_uuid(sr)
        vdi = self.create_vdi(sr, 4 * MIB)
        vdi_uuid = self.x.VDI.get_uuid(vdi)
        wtotal = "AVERAGE:sr:%s:vdi_%s_write_total" % (sr_uuid, vdi_uuid)
        rtotal = "AVERAGE:sr:%s:vdi_%s_read_total" % (sr_uuid, vdi_uuid)
        w0 = self.wait_value(wtotal, sr_uuid=sr_uuid, host="false")
        r0 = self.wait_value(rtotal, sr_uuid=sr_uuid, host="false")
        data = pattern(3 * MIB, 7)
        self.import_raw(vdi, data)
        self.wait_value(wtotal, want=lambda v: v == w0 + len(data), sr_uuid=sr_uuid,
                        host="false")
        r_mid = self.wait_value(rtotal, sr_uuid=sr_uuid, host="false")
        out = self.export_raw(vdi)
        self.assertEqual(out[:len(data)], data)
        # the export reads what holds data (holes are known from block status)
        r1 = self.wait_value(rtotal, want=lambda v: v >= r_mid + len(data), sr_uuid=sr_uuid,
                             host="false")
        self.assertLessEqual(r1, r_mid + 4 * MIB)
        self.assertGreaterEqual(r0, 0)
        names = {d["name_label"] for d in self.x.SR.get_data_sources(sr)}
        self.assertIn("vdi_%s_write" % vdi_uuid, names)
        self.assertEqual(self.x.SR.query_data_source(sr, "vdi_%s_write_total" % vdi_uuid),
                         w0 + len(data))
        status, _, body = self.get("/sr_rrd", {"uuid": sr_uuid})
        self.assertEqual(status, 200)
        self.assertIn(b"<rrd>", body)


if __name__ == "__main__":
    unittest.main()
