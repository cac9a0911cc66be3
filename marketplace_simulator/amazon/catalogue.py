"""The seller's catalogue: products, their offers per marketplace and FBA stock."""

from collections import OrderedDict

from .data import COLOURS, MARKETPLACES, PRODUCT_WORDS, SITES, SIZES, ean13


class CatalogueMixin:
    def _build_catalogue(self, n_products):
        rng = self.rng
        self.products = OrderedDict()  # sku -> product dict
        self.offers = {}  # sku -> {marketplace id: {"price": cents, "quantity": int}}
        self.fba = {}  # sku -> quantities
        for base in range(1, n_products + 1):
            word, ptype = PRODUCT_WORDS[base % len(PRODUCT_WORDS)]
            base_price = rng.randrange(599, 12999)
            kind = rng.random()
            if kind < 0.6:
                variants = [("", "")]
            elif kind < 0.85:
                variants = [(c, "") for c in rng.sample(COLOURS, 3)]
            else:
                colour = rng.choice(COLOURS)
                variants = [(colour, s) for s in SIZES]
            for colour, size in variants:
                sku = "SIM-%04d" % base
                title = "%s %d" % (word, base)
                if colour:
                    sku += "-" + colour[:3].upper().replace("Ü", "UE").replace("Ö", "OE").replace("ß", "SS")
                    title += ", " + colour
                if size:
                    sku += "-" + size
                    title += ", Größe " + size
                n = len(self.products) + 1
                asin = "B0" + "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(8))
                product = {
                    "sku": sku,
                    "asin": asin,
                    "ean": ean13("40%010d" % ((self._salt * 1000 + n) % 10**10)),
                    "title": title,
                    "productType": ptype,
                    "parent": ("SIM-%04d" % base) if colour else None,
                    "fba": rng.random() < 0.45,
                    "fnsku": "X00"
                    + "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(7)),
                    "created": self.now - rng.randrange(90, 900) * 86400,
                }
                self.products[sku] = product
                price_variation = rng.randrange(-100, 300)
                offers = {}
                for mp_id in SITES:
                    factor = MARKETPLACES[mp_id][7]
                    cents = int((base_price + price_variation) * factor) // 100 * 100 + 99
                    offers[mp_id] = {
                        "price": cents,
                        "quantity": rng.randrange(0, 60),
                        "updated": product["created"],
                    }
                self.offers[sku] = offers
                if product["fba"]:
                    self.fba[sku] = {
                        "fulfillable": rng.randrange(0, 400),
                        "inboundWorking": rng.choice((0, 0, 0, 24, 48)),
                        "inboundShipped": rng.choice((0, 0, 12, 36)),
                        "inboundReceiving": rng.choice((0, 0, 0, 6)),
                        "reserved_customer": rng.randrange(0, 6),
                        "reserved_fc": rng.randrange(0, 4),
                        "researching": rng.choice((0, 0, 0, 1, 2)),
                        "unfulfillable_customer": rng.choice((0, 0, 0, 1)),
                        "unfulfillable_warehouse": rng.choice((0, 0, 0, 0, 2)),
                        "updated": self.now - rng.randrange(1, 30) * 86400,
                    }
        self.sku_list = list(self.products)
        self.fba_skus = [s for s in self.sku_list if self.products[s]["fba"]] or self.sku_list[:1]
