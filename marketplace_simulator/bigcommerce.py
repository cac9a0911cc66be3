"""Placeholder until the BigCommerce simulator lands (created by the Amazon engineer; replace freely)."""
from .core import Marketplace, json_response


class BigCommerceAPI(Marketplace):
    name = "bigcommerce"

    def reset(self, seed, sizes):
        pass

    def route(self, req):
        return None

    def error_response(self, status, message, code=None):
        return json_response(status, {"error": message})
