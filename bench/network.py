"""network.py - benchmark 7: networking on the bridge backend, on the
simulated host's network (its own namespaces, created and removed here).

- 200 networks created and a VIF plugged on each (network.create,
  VIF.create, VIF.plug on one running VM: each plug makes the VIF's veth
  pair, the network's bridge and the port), against the floor: the same
  netlink operations issued directly by a minimal C program with
  libnl-route-3 (bench/net_floor.c: bridge made and up, veth pair with its
  guest end in a namespace, enslaved, both ends up), as a ratio, in one run.
- PIF.scan of a host with 100 NICs (veth devices): the first scan (100 PIFs
  and networks made) and a second one (nothing new).
- VM.start of a VM with 4 VIFs against one without (median of 15 each).
The OVS half is the ovs backend's (its own section).
"""
import os
import statistics
import subprocess
import time
import uuid

import benchlib as B

KEY = "network"
MiB = 1 << 20


def title(ctx):
    return "7. Networking (bridge backend): networks and VIFs, PIF.scan, VM.start with VIFs"


def ip(*args):
    r = subprocess.run(["ip"] + list(args), capture_output=True, text=True)
    if r.returncode != 0:
        raise B.BenchError("ip %s: %s" % (" ".join(args), r.stderr.strip()))
    return r.stdout


def remove_namespaces(prefix):
    for line in ip("netns", "list").splitlines():
        ns = line.split()[0] if line.strip() else ""
        if ns == prefix or ns.startswith(prefix + "-"):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)


def floor_binary(builddir):
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "libnl-3.0", "libnl-route-3.0"],
                           capture_output=True, text=True).stdout.split()
    return B.compile_c(builddir, "net_floor", flags)


def daemon(ctx, workdir, netns, nics="eth0"):
    users = B.users_file(workdir)
    conf_dir = os.path.join(workdir, "plugins.d")
    os.makedirs(conf_dir, exist_ok=True)
    with open(os.path.join(conf_dir, "bridge.conf"), "w") as f:
        f.write("enabled = true\n")
    cfg = {"sim_memory": str(64 << 30), "sim_netns": netns, "sim_nics": nics,
           "network_backend": "bridge", "plugins_conf_dir": conf_dir,
           "plugin_dir": os.path.join(ctx.builddir, "plugins"),
           "plugin_worker": os.path.join(ctx.builddir, "xapid-plugin-worker")}
    return B.Xapid(ctx.cleanup, ctx.builddir, workdir + "/state", users, config=cfg).start()


def vm_record(i):
    rec = B.vm_record("bench net %d" % i)
    m = str(64 * MiB)
    rec.update({"memory_static_max": m, "memory_dynamic_max": m, "memory_dynamic_min": m,
                "memory_static_min": m})
    return rec


def vif_record(vm, net, dev):
    return {"device": str(dev), "network": net, "VM": vm, "MAC": "", "MTU": "1500",
            "other_config": {}, "qos_algorithm_type": "", "qos_algorithm_params": {}}


def net_record(i):
    return {"name_label": "bench net %d" % i, "name_description": "", "other_config": {}}


def run(ctx, sec):
    n = 50 if ctx.quick else 200
    netns = "xb-%s" % uuid.uuid4().hex[:8]
    workdir = ctx.cleanup.tempdir("net")
    try:
        run_in(ctx, sec, n, netns, workdir)
    finally:
        remove_namespaces(netns)
        remove_namespaces(netns + "f")


def run_in(ctx, sec, n, netns, workdir):
    floor = floor_binary(ctx.builddir)
    x = daemon(ctx, workdir, netns)
    c = B.HttpConn(x.port)
    s = B.login(c)
    vm = B.call(c, "VM.create", s, vm_record(0))
    B.call(c, "VM.start", s, vm, False, False)
    t0 = time.monotonic()
    for i in range(n):
        net = B.call(c, "network.create", s, net_record(i))
        vif = B.call(c, "VIF.create", s, vif_record(vm, net, i))
        B.call(c, "VIF.plug", s, vif)
    api = time.monotonic() - t0
    # the floor, in namespaces of its own
    fhost, fguest = netns + "f", netns + "f-g"
    ip("netns", "add", fhost)
    ip("netns", "add", fguest)
    out = subprocess.run([floor, fhost, fguest, str(n)], capture_output=True, text=True)
    if out.returncode != 0:
        raise B.BenchError("net_floor failed: %s" % out.stderr.strip())
    fl = float(out.stdout.strip())
    sec.figure("%d x (network.create + VIF.create + VIF.plug), bridge (s; ms each)" % n,
               "%.2f; %.2f" % (api, api * 1e3 / n))
    sec.figure("the floor: the same netlink operations by a minimal program (s; ms each)",
               "%.3f; %.3f" % (fl, fl * 1e3 / n))
    sec.figure("ratio API / floor", "%.1f" % (api / fl))
    B.call(c, "VM.hard_shutdown", s, vm)

    # PIF.scan with 100 NICs
    k = 30 if ctx.quick else 100
    batch = "\n".join("link add bn%d type veth peer name bp%d netns %s-lan" % (i, i, netns)
                      for i in range(k)) + "\n"
    r = subprocess.run(["ip", "-n", netns, "-batch", "-"], input=batch, capture_output=True,
                       text=True)
    if r.returncode != 0:
        raise B.BenchError("ip -batch: %s" % r.stderr.strip())
    host = B.call(c, "host.get_all", s)[0]
    t0 = time.monotonic()
    B.call(c, "PIF.scan", s, host)
    first = time.monotonic() - t0
    t0 = time.monotonic()
    B.call(c, "PIF.scan", s, host)
    second = time.monotonic() - t0
    npifs = len(B.call(c, "PIF.get_all", s))
    sec.figure("PIF.scan finding %d new NICs (s; PIFs after)" % k, "%.3f; %d" % (first, npifs))
    sec.figure("PIF.scan again, nothing new (s)", "%.3f" % second)

    # VM.start with 4 VIFs vs without
    runs = 3 if ctx.quick else 7
    nets = [B.call(c, "network.create", s, net_record(1000 + i)) for i in range(4)]
    plain = B.call(c, "VM.create", s, vm_record(1))
    four = B.call(c, "VM.create", s, vm_record(2))
    for i, net in enumerate(nets):
        B.call(c, "VIF.create", s, vif_record(four, net, i))
    times = {plain: [], four: []}
    for _ in range(runs):
        for v in (plain, four):
            t0 = time.monotonic()
            B.call(c, "VM.start", s, v, False, False)
            times[v].append(time.monotonic() - t0)
            B.call(c, "VM.hard_shutdown", s, v)
    p, f = statistics.median(times[plain]) * 1e3, statistics.median(times[four]) * 1e3
    sec.figure("VM.start without VIFs (ms, median of %d)" % runs, "%.2f" % p)
    sec.figure("VM.start with 4 VIFs (ms, median of %d)" % runs, "%.2f" % f)
    sec.note("sim backend, bridge backend in the simulated host's namespace; one client, one "
             "connection; the floor in namespaces of its own; xapid --log-level warn")
    c.close()
    x.stop()
