"""Orders, items and offers as the Retailer API v10 writes them (customers and addresses
derived from one integer per order)."""

from .data import (
    BE_ADDRESSES,
    BE_FIRST,
    BE_SURNAMES,
    COMPANIES_BE,
    COMPANIES_NL,
    EMAIL_CHARS,
    LETTERS,
    NL_ADDRESSES,
    NL_EXTENSIONS,
    NL_FIRST,
    NL_SURNAMES,
    _money,
    iso,
    iso_date,
)


class RenderMixin:
    """How BolAPI renders its state in the API's shapes."""

    def _customer(self, order):
        k = order["k"]
        flags = order.get("f") or {}
        country = flags.get("country") or ("BE" if k & 3 == 0 else "NL")
        if country == "BE":
            street, city, zip_code, lang = BE_ADDRESSES[(k >> 2) % len(BE_ADDRESSES)]
            first, salutation = BE_FIRST[(k >> 5) % len(BE_FIRST)]
            surname = BE_SURNAMES[(k >> 9) % len(BE_SURNAMES)]
            ext = "bus %d" % (1 + (k >> 20) % 9) if (k >> 17) % 5 == 0 else None
            phone = "04%08d" % ((k >> 11) % 10**8)
            companies = COMPANIES_BE
            vat = "BE0%09d" % ((k >> 7) % 10**9)
        else:
            street, city, zip_code = NL_ADDRESSES[(k >> 2) % len(NL_ADDRESSES)]
            lang = "nl"
            zip_code += LETTERS[(k >> 14) % 20] + LETTERS[(k >> 19) % 20]
            first, salutation = NL_FIRST[(k >> 5) % len(NL_FIRST)]
            surname = NL_SURNAMES[(k >> 9) % len(NL_SURNAMES)]
            ext = NL_EXTENSIONS[(k >> 20) % len(NL_EXTENSIONS)] if (k >> 17) % 5 == 0 else None
            phone = "06%08d" % ((k >> 11) % 10**8)
            companies = COMPANIES_NL
            vat = "NL%09dB01" % ((k >> 7) % 10**9)
        b2b = flags["b2b"] if "b2b" in flags else (k >> 33) % 9 == 0
        pickup = flags["pickup_point"] if "pickup_point" in flags else (k >> 37) % 17 == 0
        x = k
        email = []
        for _ in range(30):
            x = (x * 6364136223846793005 + 1442695040888963407) & 0xFFFFFFFFFFFFFFFF
            email.append(EMAIL_CHARS[(x >> 33) % 36])
        sd = {
            "salutation": salutation,
            "firstName": first,
            "surname": surname,
            "streetName": street,
            "houseNumber": str(1 + (k >> 23) % 180),
        }
        if ext:
            sd["houseNumberExtension"] = ext
        if (k >> 27) % 11 == 0:
            sd["extraAddressInformation"] = (
                "Achterom, bel 2x" if lang.startswith("nl") else "Sonnez deux fois"
            )
        sd["zipCode"] = zip_code
        sd["city"] = city
        sd["countryCode"] = country
        sd["email"] = "".join(email) + "@verkopen.bol.com"
        company = companies[(k >> 30) % len(companies)] if b2b else None
        if company:
            sd["company"] = company
        if (k >> 31) % 4 == 0:
            sd["deliveryPhoneNumber"] = phone
        sd["language"] = lang
        if pickup:
            sd = dict(
                {"pickupPointName": ("Albert Heijn: " if country == "NL" else "bpost: ") + city.upper()}, **sd
            )
        billing = None
        if b2b or (k >> 45) % 23 != 0:  # a few consumer orders come without billing details
            billing = {
                k2: sd[k2]
                for k2 in (
                    "salutation",
                    "firstName",
                    "surname",
                    "streetName",
                    "houseNumber",
                    "houseNumberExtension",
                    "extraAddressInformation",
                    "zipCode",
                    "city",
                    "countryCode",
                )
                if k2 in sd
            }
            if (k >> 41) % 7 == 0:  # billed to someone else at the same address
                firsts = BE_FIRST if country == "BE" else NL_FIRST
                billing["firstName"], billing["salutation"] = firsts[(k >> 3) % len(firsts)]
            billing["email"] = sd["email"]
            if company:
                billing["company"] = company
                billing["vatNumber"] = vat
                if country == "NL":
                    billing["kvkNumber"] = "%08d" % ((k >> 13) % 10**8)
                if (k >> 39) % 2 == 0:
                    billing["orderReference"] = "PO-%05d" % ((k >> 21) % 10**5)
        if order.get("sd"):
            sd.update(order["sd"])
        if "bd" in order:
            billing = None if order["bd"] is None else dict(billing or {}, **order["bd"])
        return sd, billing, pickup

    @staticmethod
    def _commission(it):
        total = it["up"] * it["q"] - it["disc"]
        return (total * 125 + 500) // 1000 + 21 * it["q"]

    def _fulfilment(self, order, it):
        placed = order["p"]
        offer = it["o"]
        if it["m"] == "FBB":
            out = {
                "method": "FBB",
                "distributionParty": "BOL",
                "latestDeliveryDate": iso_date(placed + 86400),
            }
        else:
            out = {
                "method": "FBR",
                "distributionParty": "BOL" if offer.get("dc") == "VVB" else "RETAILER",
                "latestDeliveryDate": iso_date(placed + 2 * 86400),
            }
        if it["tf"] != "REGULAR":
            out["exactDeliveryDate"] = iso_date(placed + 86400)
        if it["m"] == "FBR":
            out["expiryDate"] = iso_date(placed + 5 * 86400)
        out["timeFrameType"] = it["tf"]
        return out

    @staticmethod
    def _offer_ref(offer):
        out = {"offerId": offer["id"]}
        if offer["ref"]:
            out["reference"] = offer["ref"]
        return out

    def _render_item(self, order, it):
        out = {
            "orderItemId": it["id"],
            "cancellationRequest": it["cr"],
            "fulfilment": self._fulfilment(order, it),
            "offer": self._offer_ref(it["o"]),
            "product": {"ean": it["o"]["ean"], "title": it["o"]["title"]},
            "quantity": it["q"],
            "quantityShipped": it["s"],
            "quantityCancelled": it["c"],
            "unitPrice": _money(it["up"]),
            "totalPrice": _money(it["up"] * it["q"] - it["disc"]),
            "discounts": [{"title": "Actie: 10% korting", "amount": _money(it["disc"])}]
            if it["disc"]
            else [],
            "commission": _money(self._commission(it)),
        }
        if it["tf"] == "APPOINTMENT":
            out["additionalServices"] = [{"serviceType": "PLACEMENT_AND_INSTALLATION"}]
        out["latestChangedDateTime"] = iso(it["u"])
        return out

    def _render_order(self, order):
        sd, billing, pickup = self._customer(order)
        out = {
            "orderId": order["id"],
            "pickupPoint": pickup,
            "orderPlacedDateTime": iso(order["p"]),
            "shipmentDetails": sd,
        }
        if billing is not None:
            out["billingDetails"] = billing
        out["orderItems"] = [self._render_item(order, it) for it in order["items"]]
        return out

    @staticmethod
    def _reduced_item(it):
        open_ = it["q"] - it["s"] - it["c"]
        return {
            "orderItemId": it["id"],
            "ean": it["o"]["ean"],
            "fulfilmentMethod": it["m"],
            "fulfilmentStatus": "OPEN" if open_ else "HANDLED",
            "quantity": it["q"],
            "quantityShipped": it["s"],
            "quantityCancelled": it["c"],
            "cancellationRequest": it["cr"],
            "latestChangedDateTime": iso(it["u"]),
        }

    def _render_offer(self, offer):
        out = {"offerId": offer["id"], "ean": offer["ean"]}
        if offer["ref"]:
            out["reference"] = offer["ref"]
        out["onHoldByRetailer"] = offer["hold"]
        out["pricing"] = {
            "bundlePrices": [{"quantity": q, "unitPrice": _money(p)} for q, p in offer["bundle"]]
        }
        out["stock"] = {
            "amount": offer["stock"],
            "correctedStock": max(0, offer["stock"] - offer["reserved"]),
            "managedByRetailer": offer["mbr"],
        }
        out["fulfilment"] = {"method": offer["m"]}
        if offer["dc"]:
            out["fulfilment"]["deliveryCode"] = offer["dc"]
        visible = [] if offer["hold"] else [{"countryCode": "NL"}, {"countryCode": "BE"}]
        out["store"] = {"productTitle": offer["title"], "visible": visible}
        out["condition"] = {
            "name": offer["cond"],
            "category": "NEW" if offer["cond"] == "NEW" else "SECONDHAND",
        }
        out["notPublishableReasons"] = (
            [{"code": "4003", "description": "The offer is on hold by the retailer."}]
            if offer["hold"]
            else []
        )
        return out
