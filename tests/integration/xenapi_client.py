"""A small, stdlib-only XenAPI client, shaped like the official XenAPI.py.

Used by the integration tests and reusable by the benchmarks:

    s = Session("http://127.0.0.1:8080/")          # or Session(socket_path=...)
    s.login_with_password("root", "pw", "1.0", "my-script")
    vms = s.xenapi.VM.get_all()
    getattr(s.xenapi.event, "from")(["vm"], "", 1.0)   # 'from' is a keyword
    s.xenapi.event_from(["vm"], "", 1.0)               # Class_method wire name
    s.xenapi.Async.VM.create(record)                   # wire name Async.VM.create
    s.logout()

Differences from XenAPI.py, on purpose: no silent re-login and retry on
SESSION_INVALID (tests must see every error as the server sent it), and a
socket timeout so that a hung server fails a test instead of hanging it.
"""

import http.client
import json
import socket
import ssl
import xmlrpc.client

DEFAULT_TIMEOUT = 120.0


class Failure(Exception):
    """A XenAPI error: details is ErrorDescription, [code, params...]."""

    def __init__(self, details):
        super().__init__(details)
        self.details = list(details)

    @property
    def code(self):
        return self.details[0] if self.details else None

    def __str__(self):
        return "XenAPI failure: %r" % (self.details,)


def unwrap(result):
    """The Value of a {Status, Value} envelope, or raise Failure."""
    if not isinstance(result, dict) or "Status" not in result:
        raise xmlrpc.client.Fault(500, "missing Status in response: %r" % (result,))
    if result["Status"] == "Success":
        if "Value" not in result:
            raise xmlrpc.client.Fault(500, "missing Value in response")
        return result["Value"]
    if "ErrorDescription" in result:
        raise Failure(result["ErrorDescription"])
    raise xmlrpc.client.Fault(500, "missing ErrorDescription in response")


# ---- transports -----------------------------------------------------------

class TimeoutTransport(xmlrpc.client.Transport):
    """HTTP transport with a socket timeout (keep-alive as the stock one)."""

    def __init__(self, timeout=DEFAULT_TIMEOUT):
        super().__init__()
        self.timeout = timeout

    def make_connection(self, host):
        conn = super().make_connection(host)
        conn.timeout = self.timeout
        return conn


class UnixHTTPConnection(http.client.HTTPConnection):
    """HTTP over a unix stream socket (as XenAPI.py's xapi_local())."""

    def __init__(self, path, timeout=DEFAULT_TIMEOUT):
        super().__init__("localhost", timeout=timeout)
        self.unix_path = path

    def connect(self):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self.unix_path)
        except OSError:
            sock.close()
            raise
        self.sock = sock


class UnixTransport(xmlrpc.client.Transport):
    """xmlrpc.client transport that talks HTTP over a unix socket."""

    def __init__(self, path, timeout=DEFAULT_TIMEOUT):
        super().__init__()
        self.unix_path = path
        self.timeout = timeout

    def make_connection(self, host):
        # Same one-connection cache as the stock Transport (keep-alive).
        if self._connection and host == self._connection[0]:
            return self._connection[1]
        self._connection = host, UnixHTTPConnection(self.unix_path, self.timeout)
        return self._connection[1]


class TimeoutSafeTransport(xmlrpc.client.SafeTransport):
    """HTTPS transport with a socket timeout; ignore_ssl as XenAPI.py's
    (no certificate verification: xapi's hosts present self-signed ones)."""

    def __init__(self, timeout=DEFAULT_TIMEOUT, ignore_ssl=False):
        super().__init__(context=ssl._create_unverified_context() if ignore_ssl else None)
        self.timeout = timeout

    def make_connection(self, host):
        conn = super().make_connection(host)
        conn.timeout = self.timeout
        return conn


def server_proxy(uri=None, socket_path=None, timeout=DEFAULT_TIMEOUT, ignore_ssl=False):
    """A raw xmlrpc.client.ServerProxy (no envelope unwrapping)."""
    if socket_path:
        return xmlrpc.client.ServerProxy("http://localhost/",
                                         transport=UnixTransport(socket_path, timeout),
                                         allow_none=True)
    if uri.startswith("https:"):
        return xmlrpc.client.ServerProxy(uri, transport=TimeoutSafeTransport(timeout, ignore_ssl),
                                         allow_none=True)
    return xmlrpc.client.ServerProxy(uri, transport=TimeoutTransport(timeout), allow_none=True)


# ---- the session wrapper ----------------------------------------------------

class _Dispatcher:
    """Builds dotted wire names from attribute access: xenapi.VM.get_all."""

    def __init__(self, send, name):
        self.__send = send
        self.__name = name

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        full = name if self.__name is None else "%s.%s" % (self.__name, name)
        return _Dispatcher(self.__send, full)

    def __call__(self, *args):
        return self.__send(self.__name, args)

    def __repr__(self):
        return "<XenAPI method %s>" % self.__name


class Session:
    """A XenAPI session over XML-RPC (TCP URL or unix socket path)."""

    def __init__(self, uri=None, socket_path=None, timeout=DEFAULT_TIMEOUT, ignore_ssl=False):
        self.uri = uri
        self.socket_path = socket_path
        self.proxy = server_proxy(uri, socket_path, timeout, ignore_ssl)
        self.handle = None
        self.xenapi = _Dispatcher(self._xenapi_request, None)

    # XenAPI.py sends any name starting with "login" or "slave_local" as
    # session.<name> without a session argument and keeps the result.
    def _login(self, name, args):
        self.handle = unwrap(getattr(self.proxy.session, name)(*args))
        return self.handle

    def login_with_password(self, user, password, version="1.0",
                            originator="xapi-c-tests"):
        args = [user, password]
        if version is not None:
            args.append(version)
            if originator is not None:
                args.append(originator)
        return self._login("login_with_password", args)

    def slave_local_login_with_password(self, user, password):
        return self._login("slave_local_login_with_password", [user, password])

    def logout(self):
        try:
            if self.handle is not None:
                self.call("session.logout")
        finally:
            self.handle = None

    def local_logout(self):
        try:
            if self.handle is not None:
                self.call("session.local_logout")
        finally:
            self.handle = None

    def _xenapi_request(self, name, args):
        if name.startswith("login") or name.startswith("slave_local"):
            return self._login(name, list(args))
        if name in ("session.logout", "logout"):
            return self.logout()
        return self.call(name, *args)

    def call(self, method, *args):
        """Calls a wire method with the session prepended; unwraps."""
        return unwrap(getattr(self.proxy, method)(self.handle, *args))

    def call_nosession(self, method, *args):
        """Calls a wire method without a session argument; unwraps."""
        return unwrap(getattr(self.proxy, method)(*args))

    def close(self):
        try:
            self.proxy("close")()
        except Exception:
            pass


# ---- JSON-RPC ------------------------------------------------------------------

def jsonrpc_post(host, port, payload, path="/jsonrpc", timeout=DEFAULT_TIMEOUT,
                 content_type="application/json", socket_path=None):
    """POSTs a JSON-RPC payload (a dict, or raw bytes/str). Returns
    (status, headers dict with lower-case names, body bytes)."""
    if isinstance(payload, (dict, list)):
        body = json.dumps(payload).encode()
    elif isinstance(payload, str):
        body = payload.encode()
    else:
        body = payload
    if socket_path:
        conn = UnixHTTPConnection(socket_path, timeout)
    else:
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request("POST", path, body=body,
                     headers={"Content-Type": content_type, "Accept": "application/json"})
        resp = conn.getresponse()
        data = resp.read()
        headers = {k.lower(): v for k, v in resp.getheaders()}
        return resp.status, headers, data
    finally:
        conn.close()


class JsonRpcSession:
    """A XenAPI session over JSON-RPC (v2 by default, as Xen Orchestra)."""

    def __init__(self, host, port, version=2, timeout=DEFAULT_TIMEOUT):
        self.host, self.port, self.version, self.timeout = host, port, version, timeout
        self.handle = None
        self._id = 0

    def request(self, method, params):
        """One call; returns the decoded response object as is."""
        self._id += 1
        payload = {"method": method, "params": list(params), "id": self._id}
        if self.version == 2:
            payload["jsonrpc"] = "2.0"
        status, _, body = jsonrpc_post(self.host, self.port, payload, timeout=self.timeout)
        if status != 200:
            raise xmlrpc.client.ProtocolError("%s:%s/jsonrpc" % (self.host, self.port),
                                              status, body[:200], {})
        return json.loads(body)

    def call_nosession(self, method, *args):
        resp = self.request(method, args)
        err = resp.get("error")
        if err is not None:
            if isinstance(err, dict):      # v2: {code, message, data}
                raise Failure([err.get("message")] + list(err.get("data") or []))
            raise Failure(err)             # v1: [code, params...]
        return resp.get("result")

    def call(self, method, *args):
        return self.call_nosession(method, self.handle, *args)

    def login_with_password(self, user, password, version="1.0", originator="xapi-c-tests"):
        self.handle = self.call_nosession("session.login_with_password",
                                          user, password, version, originator)
        return self.handle

    def logout(self):
        try:
            if self.handle is not None:
                self.call("session.logout")
        finally:
            self.handle = None
