"""Downloads from addresses a marketplace hands out (listing images). Imports nothing from Odoo.

A URL in a marketplace's answer is not ours: whoever controls the answer (the marketplace, a
proxy, a sandbox) could point it at Odoo's own network. `fetch` therefore

* takes http(s) only, and refuses a host that resolves to a private, loopback, link-local or
  otherwise non-public address, unless that exact host and port is allowed by the caller (the
  instance's own API Base URL: the simulator on 127.0.0.1, a sandbox on the local network);
* connects to the address it checked (a second DNS answer cannot swap it), sends no credential;
* follows no redirect to another host (one to the same host and port, at most three);
* stops at `max_bytes` (10 MB) and at an overall deadline (30 seconds, connection included),
  whatever the server announces or however slowly it sends.

A refusal raises DownloadRefused with the reason, in plain words.
"""

import http.client
import ipaddress
import socket
import time
from urllib.parse import urljoin, urlsplit

MAX_BYTES = 10 * 1024 * 1024
DEADLINE = 30.0  # seconds, for the whole download
MAX_REDIRECTS = 3
CHUNK = 64 * 1024
DEFAULT_PORTS = {"http": 80, "https": 443}


class DownloadRefused(Exception):
    """The download was refused or failed; the text says why."""


def origin(url):
    """(host, port) of a URL, lower-case host and explicit port; None when it has no host."""
    parts = urlsplit(url or "")
    scheme = (parts.scheme or "").lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    try:
        port = parts.port or DEFAULT_PORTS[scheme]
    except ValueError:
        return None
    return parts.hostname.lower(), port


def is_public(address):
    """Whether an IP address is one of the public Internet (not private, loopback, link-local,
    multicast, reserved, unspecified, shared or site-local, IPv4 mapped in IPv6 included)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _addresses(host, port, deadline):
    """The addresses `host` resolves to (checked against the deadline once resolved)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as err:
        raise DownloadRefused("%s cannot be resolved (%s)" % (host, err)) from None
    if time.monotonic() > deadline:
        raise DownloadRefused("resolving %s took too long" % host)
    return list(dict.fromkeys(info[4][0] for info in infos))


def _checked_address(url, allowed, deadline):
    """(scheme, host, port, the address to connect to) of `url`, once it passed the checks."""
    where = origin(url)
    if where is None:
        raise DownloadRefused("not an http(s) address: %s" % url)
    host, port = where
    addresses = _addresses(host, port, deadline)
    if not addresses:
        raise DownloadRefused("%s has no address" % host)
    if where not in allowed:
        private = [a for a in addresses if not is_public(a)]
        if private:
            raise DownloadRefused(
                "%s points at a private or local address (%s), which only the instance's own "
                "API host may use" % (host, private[0])
            )
    return urlsplit(url).scheme.lower(), host, port, addresses[0]


def _connection(scheme, host, port, address, timeout):
    """An HTTP(S) connection to `host` that connects to `address` (TLS still checks `host`), and
    the list that receives its socket (whose timeout the reads shorten to the deadline)."""
    cls = http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
    conn, sockets = cls(host, port, timeout=timeout), []

    def connect(_address, timeout=None, source_address=None):
        sockets.append(socket.create_connection((address, port), timeout, source_address))
        return sockets[-1]

    conn._create_connection = connect
    return conn, sockets


def _remaining(deadline, what):
    left = deadline - time.monotonic()
    if left <= 0:
        raise DownloadRefused("%s took longer than allowed" % what)
    return left


def _read(sock, response, max_bytes, deadline):
    length = response.getheader("Content-Length")
    if length and length.isdigit() and int(length) > max_bytes:
        raise DownloadRefused(
            "the file is larger than %d MB (%s bytes announced)" % (max_bytes // 2**20, length)
        )
    chunks, size = [], 0
    while True:
        sock.settimeout(_remaining(deadline, "the download"))
        chunk = response.read1(CHUNK)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes:
            raise DownloadRefused("the file is larger than %d MB" % (max_bytes // 2**20))
        chunks.append(chunk)


def fetch(url, allowed=(), max_bytes=MAX_BYTES, deadline=DEADLINE, max_redirects=MAX_REDIRECTS):
    """The body of a GET of `url` under the rules of the module docstring.

    `allowed`: (host, port) pairs (see `origin`) that may resolve to a private or local address:
    the instance's own API host, which the merchant's administrator chose."""
    allowed = {tuple(item) for item in allowed if item}
    end = time.monotonic() + deadline
    for _redirect in range(max_redirects + 1):
        scheme, host, port, address = _checked_address(url, allowed, end)
        parts = urlsplit(url)
        path = (parts.path or "/") + ("?" + parts.query if parts.query else "")
        conn, sockets = _connection(scheme, host, port, address, _remaining(end, "the download"))
        try:
            try:
                conn.request("GET", path, headers={"Accept": "image/*", "Accept-Encoding": "identity"})
                response = conn.getresponse()
            except TimeoutError:
                raise DownloadRefused(
                    "%s did not answer within the %s seconds allowed" % (host, deadline)
                ) from None
            except (OSError, http.client.HTTPException) as err:
                raise DownloadRefused("%s did not answer (%s)" % (host, err.__class__.__name__)) from None
            if response.status in (301, 302, 303, 307, 308):
                target = urljoin(url, response.getheader("Location") or "")
                if origin(target) != (host, port):
                    raise DownloadRefused(
                        "%s redirects to another host (%s), which is not followed"
                        % (host, "%s:%s" % origin(target) if origin(target) else target)
                    )
                url = target
                continue
            if response.status != 200:
                raise DownloadRefused("%s answered HTTP %s" % (host, response.status))
            try:
                return _read(sockets[-1], response, max_bytes, end)
            except TimeoutError:
                raise DownloadRefused(
                    "the download from %s took longer than the %s seconds allowed" % (host, deadline)
                ) from None
            except (OSError, http.client.HTTPException) as err:
                raise DownloadRefused(
                    "the download from %s failed or took longer than allowed (%s)"
                    % (host, err.__class__.__name__)
                ) from None
        finally:
            conn.close()
    raise DownloadRefused("too many redirects")
