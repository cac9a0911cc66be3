"""A second server on this machine standing for "any other host" (another port of 127.0.0.1): a
test points a redirect or a URL at it, then asserts that nothing reached it (no credential, no
request). It is a marketplace simulator too, so that it counts every request, whatever its path."""

from .simulator_case import serve_in_thread


class OtherHostMixin:
    @classmethod
    def start_other_host(cls):
        cls.other_server, cls.other_url = serve_in_thread(port=0, rate_limits=False)
        cls.addClassCleanup(cls.other_server.server_close)
        cls.addClassCleanup(cls.other_server.shutdown)

    def other_host_requests(self):
        """How many requests reached the other host so far."""
        return self.other_server.sim.request_count
