"""The offers of the simulated account and the ids the simulator hands out."""

import uuid

from .data import COLOURS, PRODUCT_WORDS, SIZES, ean13


class CatalogueMixin:
    """The catalogue of BolAPI: offers (FBR and FBB), their indexes, order and item ids."""

    def _uuid(self):
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def _build_catalogue(self, n_products):
        rng = self.rng
        self.offer_list = []
        for base in range(1, n_products + 1):
            word = PRODUCT_WORDS[(base - 1) % len(PRODUCT_WORDS)]
            base_price = rng.randrange(499, 14999)
            kind = rng.random()
            if kind < 0.6:
                variants = [(None, None)]
            elif kind < 0.85:
                variants = [(c, None) for c in rng.sample(COLOURS, 3)]
            else:
                colour = rng.choice(COLOURS)
                variants = [(colour, s) for s in SIZES]
            fbb = (
                rng.random() < 0.3 or base == n_products == 2 or (base == n_products and not self._fbb_any())
            )
            if base == 1:
                fbb = False
            for colour, size in variants:
                n = len(self.offer_list) + 1
                sku = "BOL-%04d" % base  # the merchant's own references on Bol (not Amazon's SIM- SKUs)
                title = word
                if colour:
                    sku += "-" + colour[1]
                    title += " - " + colour[0]
                if size:
                    sku += "-" + size
                    title += ", maat " + size
                price = max(199, (base_price + rng.randrange(-100, 300)) // 100 * 100 + 99)
                offer = {
                    "id": self._uuid(),
                    "ean": ean13("87%010d" % ((self._salt * 1000 + n) % 10**10)),
                    "ref": sku if rng.random() >= 0.04 else None,  # the reference is optional at Bol
                    "sku": sku,
                    "title": title,
                    "bundle": [[1, price]] + ([[3, price * 95 // 100]] if rng.random() < 0.1 else []),
                    "stock": 0 if fbb else rng.randrange(0, 120),
                    "mbr": rng.random() < 0.3,
                    "m": "FBB" if fbb else "FBR",
                    "dc": None
                    if fbb
                    else rng.choice(("24uurs-21", "24uurs-16", "1-2d", "2-3d", "1-8d", "VVB")),
                    "cond": "NEW",
                    "hold": rng.random() < 0.03,
                    "reserved": 0,
                    "mut": self.now - rng.randrange(2, 200) * 86400,
                    "deleted": False,
                }
                if fbb:
                    offer["bsku"] = ean13("29500%07d" % ((self._salt + n * 13) % 10**7))
                    offer["regular"] = rng.randrange(0, 300)
                    offer["graded"] = rng.choice((0, 0, 0, 1, 2, 5))
                self.offer_list.append(offer)
        self._index_offers()

    def _fbb_any(self):
        return any(o["m"] == "FBB" for o in self.offer_list)

    def _index_offers(self):
        self.offers = {o["id"]: o for o in self.offer_list}
        self.offers_by_ean = {}
        self.offers_by_ref = {}
        for o in self.offer_list:
            self.offers_by_ean.setdefault(o["ean"], o)
            self.offers_by_ref.setdefault(o["sku"], o)
            if o["ref"]:
                self.offers_by_ref.setdefault(o["ref"], o)
        self.fbr_offers = [
            o for o in self.offer_list if o["m"] == "FBR" and not o["deleted"]
        ] or self.offer_list[:1]
        self.fbb_offers = [
            o for o in self.offer_list if o["m"] == "FBB" and not o["deleted"]
        ] or self.offer_list[-1:]

    # -- ids -----------------------------------------------------------------------------------
    def _new_order_id(self, alnum=False):
        self._order_seq += 1
        n = 1000000000 + (self._salt * 31 + self._order_seq * 7919) % 8999999999
        if not alnum:
            return str(n)
        digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        out = ""
        while n:
            n, r = divmod(n, 36)
            out = digits[r] + out
        return "A" + out

    def _new_item_id(self):
        self._item_seq += 1
        return str(2000000000 + (self._salt * 17 + self._item_seq * 104729) % 7999999999)

    # -- orders ----------------------------------------------------------------------------------
