"""xen_vs_xl.py - benchmark 13 (not in the default run: it boots Xen in QEMU,
`bench/run --only xen_vs_xl`): the xen backend against `xl` on the same
Xen host (tests/xen/xenhost.py: Xen 4.17, Debian 12 dom0, TCG), the same
PV guest (Debian's kernel, the test initramfs, 256 MiB), in one run.

Each operation is timed inside dom0 by one shell script, so that both
sides pay the same clocks and the same console polling: xapid's side runs
`xe call` on xapid's local socket, xl's side runs `xl`.
  start      VM.start / `xl create` until the guest prints GUEST-UP on its
             console (its userspace runs)
  shutdown   VM.clean_shutdown / `xl shutdown -w` (the guest's agent up first)
  suspend    VM.suspend / `xl save`, then resume: VM.resume / `xl restore`
Each is repeated REPEAT times; the median is given, and xapid / xl as a
ratio. No target is set by an issue beyond "relative to xl"; 1.0 means the
toolstack adds nothing to what libxl does.
"""
import base64
import os
import statistics
import sys

import benchlib as B

KEY = "xen_vs_xl"
TIME_LIMIT_S = 2400   # the boot of Xen under TCG is most of it
REPEAT = 3
MiB = 1 << 20


def title(ctx):
    return "13. The xen backend against xl, on Xen in QEMU"


GUEST_LOG = "/var/log/xen/console/guest-%s.log"

# Shell functions run in dom0 before each measured script: t prints seconds,
# up waits for GUEST-UP in a console log, agent for the guest's init to be done.
PRELUDE = r"""set -e
export XE_SOCKET=/var/lib/xapi-c/xapi.sock
t() { date +%s.%N; }
up() { while ! grep -q GUEST-UP "$1" 2>/dev/null; do sleep 0.05; done; }
d() { echo "$1 $2" | awk '{ printf "%.3f\n", $2 - $1 }'; }
"""


def dom0_times(host, script, what):
    """Runs script in dom0; it prints lines "name seconds". Returns a dict."""
    # one line on dom0's console (its shell echoes and wraps what it reads)
    b64 = base64.b64encode((PRELUDE + script).encode()).decode()
    rc, out = host.dom0("echo %s | base64 -d >/tmp/bench.sh && sh /tmp/bench.sh" % b64,
                        timeout=600)
    if rc != 0:
        raise RuntimeError("%s failed in dom0 (%d): %s" % (what, rc, out[-800:]))
    times = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0].startswith("T_"):
            times[parts[0][2:]] = float(parts[1])
    return times


def xl_round(host):
    cfg = ("name='bench-xl'\\ntype='pv'\\nkernel='%s'\\nramdisk='%s'\\nmemory=256\\nvcpus=1\\n"
           "extra='console=hvc0 quiet'\\non_poweroff='destroy'\\n"
           % (XENHOST.GUEST_KERNEL, XENHOST.GUEST_RAMDISK))
    log = GUEST_LOG % "bench-xl"
    script = r"""
printf "%(cfg)s" >/tmp/bench-xl.cfg
rm -f %(log)s /tmp/bench-xl.save
a=$(t); xl create -q /tmp/bench-xl.cfg >/dev/null; up %(log)s; b=$(t)
echo "T_start $(d $a $b)"
sleep 3
a=$(t); xl save bench-xl /tmp/bench-xl.save >/dev/null 2>&1; b=$(t)
echo "T_suspend $(d $a $b)"
a=$(t); xl restore /tmp/bench-xl.save >/dev/null 2>&1; b=$(t)
echo "T_resume $(d $a $b)"
a=$(t); xl shutdown -w bench-xl >/dev/null 2>&1; b=$(t)
echo "T_shutdown $(d $a $b)"
rm -f /tmp/bench-xl.save
""" % {"cfg": cfg, "log": log}
    return dom0_times(host, script, "the xl round")


def xapid_round(host, vm, uuid):
    log = GUEST_LOG % uuid
    script = r"""
rm -f %(log)s
a=$(t); xe call VM.start %(vm)s false false >/dev/null; up %(log)s; b=$(t)
echo "T_start $(d $a $b)"
sleep 3
a=$(t); xe call VM.suspend %(vm)s >/dev/null; b=$(t)
echo "T_suspend $(d $a $b)"
a=$(t); xe call VM.resume %(vm)s false false >/dev/null; b=$(t)
echo "T_resume $(d $a $b)"
a=$(t); xe call VM.clean_shutdown %(vm)s >/dev/null; b=$(t)
echo "T_shutdown $(d $a $b)"
""" % {"vm": vm, "log": log}
    return dom0_times(host, script, "the xapid round")


XENHOST = None


def run(ctx, sec):
    global XENHOST
    sys.path.insert(0, os.path.join(B.TOP, "tests", "xen"))
    import xenhost
    XENHOST = xenhost
    from xenapi_client import Session
    host = xenhost.XenHost(ctx.builddir, log_level="warn")
    try:
        host.start()
        sec.note("Xen host booted in %.0f s (xapid ready); dom0 1 GiB, QEMU TCG -cpu max,-smap"
                 % host.ready_s)
        s = Session(host.url)
        s.login_with_password("root", xenhost.ROOT_PASSWORD, "1.0", "bench")
        x = s.xenapi
        rec = B.vm_record("bench-xapid")
        rec.update({"PV_kernel": xenhost.GUEST_KERNEL, "PV_ramdisk": xenhost.GUEST_RAMDISK,
                    "PV_args": "console=hvc0 quiet", "HVM_boot_policy": "", "VCPUs_max": "1",
                    "VCPUs_at_startup": "1", "actions_after_shutdown": "destroy"})
        for k in ("memory_static_max", "memory_dynamic_max", "memory_dynamic_min",
                  "memory_static_min"):
            rec[k] = str(256 * MiB)
        vm = x.VM.create(rec)
        uuid = x.VM.get_uuid(vm)
        rounds = {"xapid": [], "xl": []}
        for i in range(REPEAT):
            rounds["xl"].append(xl_round(host))
            rounds["xapid"].append(xapid_round(host, vm, uuid))
            B.log("  round %d: xl %s, xapid %s" % (i + 1, rounds["xl"][-1], rounds["xapid"][-1]))
        labels = {"start": "start to guest userspace", "shutdown": "clean shutdown",
                  "suspend": "suspend (save)", "resume": "resume (restore)"}
        for op in ("start", "shutdown", "suspend", "resume"):
            a = statistics.median(r[op] for r in rounds["xapid"])
            b = statistics.median(r[op] for r in rounds["xl"])
            sec.figure("%s: xapid / xl (median of %d)" % (labels[op], REPEAT),
                       "%.2f s / %.2f s = %.2f" % (a, b, a / b if b else float("nan")))
        x.VM.destroy(vm)
        s.logout()
    finally:
        host.stop()
