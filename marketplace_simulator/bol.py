"""Placeholder until the Bol.com simulator lands (created by the Amazon engineer; replace freely)."""
from .core import Marketplace, json_response


class BolAPI(Marketplace):
    name = "bol"

    def reset(self, seed, sizes):
        pass

    def route(self, req):
        return None

    def error_response(self, status, message, code=None):
        return json_response(status, {"error": message})
