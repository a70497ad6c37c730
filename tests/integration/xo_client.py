"""Xen Orchestra's `xen-api` npm client for the integration tests: installed
once with npm (the registry is reached as for any npm package) into a cache
outside the repository, then run through xo_call.mjs with node.

    module = xen_api_module()          # path of xen-api's index.mjs
    result = xo_call(url, user, pw, transport="xml-rpc", insecure=True)
"""

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

# The version the tests were written against (xen-orchestra's packages/xen-api).
XEN_API_VERSION = "4.7.6"
HERE = Path(__file__).resolve().parent


def cache_dir():
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "xapi-c" / ("npm-xen-api-" + XEN_API_VERSION)


def xen_api_module():
    """index.mjs of xen-api, installing it first if needed. Installs into a
    temp dir renamed into place, so that two test runs at once do not see a
    half-made install. Raises RuntimeError when node or npm is missing or the
    install fails (tools/deps.txt has nodejs and npm)."""
    final = cache_dir()
    index = final / "node_modules" / "xen-api" / "index.mjs"
    if index.is_file():
        return index
    for tool in ("node", "npm"):
        if not shutil.which(tool):
            raise RuntimeError("%s is not installed (tools/deps.txt: nodejs, npm)" % tool)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=final.name + ".", dir=final.parent))
    try:
        p = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--no-save",
                            "--prefix", str(tmp), "xen-api@" + XEN_API_VERSION],
                           capture_output=True, text=True, timeout=600)
        if p.returncode != 0:
            raise RuntimeError("npm install xen-api@%s failed:\n%s"
                               % (XEN_API_VERSION, p.stderr[-2000:]))
        try:
            tmp.rename(final)
        except OSError:
            pass  # another run installed it first
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if not index.is_file():
        raise RuntimeError("xen-api not found in %s after npm install" % final)
    return index


def xo_call(url, user, password, transport="auto", insecure=True, extra_ca=None):
    """Runs xo_call.mjs: its JSON answer ({session, pool, vm, label} or {error})."""
    env = dict(os.environ, URL=url, XO_USER=user, XO_PASSWORD=password, TRANSPORT=transport,
               INSECURE="1" if insecure else "0", XEN_API_MODULE=xen_api_module().as_uri())
    if extra_ca:
        env["NODE_EXTRA_CA_CERTS"] = str(extra_ca)
    p = subprocess.run(["node", str(HERE / "xo_call.mjs")], capture_output=True, text=True,
                       timeout=120, env=env)
    if p.returncode != 0:
        raise RuntimeError("xo_call.mjs: exit %d\n%s" % (p.returncode, p.stderr[-3000:]))
    return json.loads(p.stdout.strip().splitlines()[-1])
