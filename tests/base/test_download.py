"""Downloads from marketplace-provided URLs (marketplace_base/adapter/download.py), without Odoo,
over real HTTP against a scripted local server: what it answers (a body without length, a
slow drip, redirects) is what a hostile or broken host could send."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from marketplace_base.adapter.download import MAX_BYTES, DownloadRefused, fetch, is_public, origin


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"  # a body may end with the connection, without Content-Length

    def do_GET(self):
        self.server.seen.append(self.path)
        if self.path == "/endless":  # no length announced, more than the cap
            self.send_response(200)
            self.end_headers()
            chunk = b"x" * 65536
            try:
                for _i in range(MAX_BYTES // len(chunk) + 10):
                    self.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        if self.path == "/drip":  # a byte at a time, each well within any socket timeout
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            try:
                for _i in range(100):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.2)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        if self.path.startswith("/moved"):
            self.send_response(302)
            self.send_header("Location", self.server.location)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Length", "5")
        self.end_headers()
        self.wfile.write(b"image")

    def log_message(self, *args):
        pass


def _serve():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    httpd.seen, httpd.location = [], None
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    httpd.base = "http://127.0.0.1:%s" % httpd.server_address[1]
    return httpd


@pytest.fixture(scope="module")
def hosts():
    servers = _serve(), _serve()
    yield servers
    for httpd in servers:
        httpd.shutdown()
        httpd.server_close()


def test_the_allowed_host_serves_its_file(hosts):
    here, _other = hosts
    assert fetch(here.base + "/a.png", allowed=[origin(here.base)]) == b"image"


def test_a_body_without_length_stops_at_the_cap(hosts):
    here, _other = hosts
    started = time.monotonic()
    with pytest.raises(DownloadRefused, match="larger than 10 MB"):
        fetch(here.base + "/endless", allowed=[origin(here.base)])
    assert time.monotonic() - started < 10


def test_a_slow_drip_stops_at_the_overall_deadline(hosts):
    here, _other = hosts
    started = time.monotonic()
    with pytest.raises(DownloadRefused, match="longer than"):
        fetch(here.base + "/drip", allowed=[origin(here.base)], deadline=1.0)
    assert time.monotonic() - started < 2.5, "each byte came in time: only the overall deadline stops it"


def test_a_redirect_on_the_same_host_is_followed_one_elsewhere_is_not(hosts):
    here, other = hosts
    here.location = "/a.png"
    assert fetch(here.base + "/moved", allowed=[origin(here.base), origin(other.base)]) == b"image"
    here.location = other.base + "/a.png"
    seen = len(other.seen)
    with pytest.raises(DownloadRefused, match="redirects to another host"):
        fetch(here.base + "/moved", allowed=[origin(here.base), origin(other.base)])
    assert len(other.seen) == seen, "not even an allowed host is reached by a redirect"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:1/a.png",
        "http://localhost/a.png",
        "http://10.0.0.1/a.png",
        "http://192.168.1.10/a.png",
        "http://172.16.0.1/a.png",
        "http://[::1]/a.png",
        "http://169.254.169.254/latest/meta-data",
        "http://0.0.0.0/a.png",
        "http://[::ffff:127.0.0.1]/a.png",
        "file:///etc/passwd",
        "ftp://example.com/a.png",
    ],
)
def test_private_local_and_other_schemes_are_refused_without_a_connection(hosts, url):
    started = time.monotonic()
    with pytest.raises(DownloadRefused):
        fetch(url, allowed=[origin(hosts[0].base)])
    assert time.monotonic() - started < 1


def test_public_addresses():
    assert is_public("93.184.216.34") and is_public("2606:2800:220:1:248:1893:25c8:1946")
    assert not any(
        is_public(a)
        for a in (
            "127.0.0.1",
            "10.1.2.3",
            "100.64.0.1",
            "169.254.1.1",
            "224.0.0.1",
            "::1",
            "fe80::1",
            "fc00::1",
            "::ffff:10.0.0.1",
        )
    )
