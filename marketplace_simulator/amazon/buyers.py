"""The buyer's data as a request's token reveals it.

ShippingAddress, BuyerInfo (name, email, tax information, purchase order number) and the items'
gift messages are restricted data (ordersV0.json): Amazon shows them only to a request made with
a Restricted Data Token for that path and data element (see tokens.py). Any other request gets
the destination alone (city, region, postal code, country), no name, street, email or gift
message, whatever the app's roles. `pii` is the set of data elements the request's token grants
(`req.pii`, empty for a plain access token).

Orders fulfilled by Amazon never show the buyer's name, street or email; their destination and,
for business orders, the buyer's tax information are there as for the others."""

from .data import ADDRESSES, MARKETPLACES, NAMES

SHIPPING_ADDRESS = "shippingAddress"
BUYER_INFO = "buyerInfo"


class BuyersMixin:
    def _address(self, order, pii=frozenset()):
        """The v0 ShippingAddress of an order as `pii` allows."""
        parts = ADDRESSES[order["country"]][order["addr"]]
        destination = {
            "City": parts[2],
            "StateOrRegion": parts[3],
            "PostalCode": parts[4],
            "CountryCode": order["country"],
        }
        if SHIPPING_ADDRESS not in pii or order["ch"] == "AFN":
            return destination
        addr = {"Name": NAMES[order["buyer"]], "AddressLine1": parts[0]}
        if parts[1]:
            addr["AddressLine2"] = parts[1]
        addr.update(destination)
        if parts[5]:
            addr["Phone"] = parts[5]
        if order["b2b"]:
            addr["CompanyName"] = order["company"]
            addr["AddressType"] = "Commercial"
        else:
            addr["AddressType"] = "Residential"
        return addr

    def _buyer_info(self, order, pii=frozenset()):
        """The v0 BuyerInfo of an order as `pii` allows (empty without buyerInfo)."""
        info = {}
        if BUYER_INFO not in pii:
            return info
        if order["ch"] == "MFN":
            info["BuyerEmail"] = self._buyer_email(order)
            info["BuyerName"] = NAMES[order["buyer"]]
        if order["b2b"]:
            tax = {"CompanyLegalName": order["company"], "TaxingRegion": order["country"]}
            if order["vat"]:
                tax["TaxClassifications"] = [{"Name": "VATNumber", "Value": order["vat"]}]
            info["BuyerTaxInfo"] = tax
            info["PurchaseOrderNumber"] = self._purchase_order(order)
        return info

    @staticmethod
    def _buyer_email(order):
        return "%s@marketplace.amazon.%s" % (
            order["id"].replace("-", "")[-12:],
            MARKETPLACES[order["mp"]][4].split("amazon.")[-1],
        )

    @staticmethod
    def _purchase_order(order):
        return "PO-%s" % order["id"][-7:]

    @staticmethod
    def _gift_message(it, pii=frozenset()):
        return it["msg"] if BUYER_INFO in pii else None
