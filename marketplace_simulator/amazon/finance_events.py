"""The bodies of Finances v0 events, built from the simulator's orders, exact to the cent.

Money of a shipped item (its share of the order line for the units shipped; every amount a
`Money` renders is added to the event's total, so the total is exactly what the event pays):

* ItemChargeList: Principal, Tax, GiftWrap, GiftWrapTax, ShippingCharge, ShippingTax, every one
  present even when 0.00 as Amazon sends them. Principal, ShippingCharge and GiftWrap are net of
  tax; Tax and ShippingTax are the tax the buyer paid (after the promotion's share of it). Where
  prices include VAT (EU, UK) Principal + Tax is the order's ItemPrice, elsewhere ItemPrice + ItemTax.
* PromotionList (negative, net of tax) where the item had a promotion or a shipping discount.
  So charges + promotions of an order's items are its OrderTotal, to the cent.
* ItemTaxWithheldList where Amazon collects the tax (the order's TaxCollection
  MarketplaceFacilitator): MarketplaceFacilitatorTax-Principal/-Shipping/-Giftwrap, negative, the
  tax charged above, which the seller does not keep.
* ItemFeeList (negative): Commission (15 % of the principal after promotions, at least 0.30),
  FBAPerUnitFulfillmentFee (2.70 a unit, fulfilled by Amazon), FixedClosingFee (0.81 a unit, on
  notebooks, Amazon's media category here); amounts in EUR, scaled by the marketplace's price factor.

A refund (RefundEventList), chargeback or guarantee claim lists ShipmentItemAdjustmentList: the
charges given back (negative), the promotion taken back (positive), the tax withheld returned
(positive), and for refunds ItemFeeAdjustmentList: the commission given back (positive) less
RefundCommission (20 % of it, at most 5.00 an item), as Amazon does. Amounts of k of n units are
cumulative shares (amount * k // n), so all units shipped or refunded add up to the line's amount.
"""

from .data import MARKETPLACES, iso_ms

CHARGES = ("Principal", "Tax", "GiftWrap", "GiftWrapTax", "ShippingCharge", "ShippingTax")
WITHHELD = (
    ("Tax", "MarketplaceFacilitatorTax-Principal"),
    ("ShippingTax", "MarketplaceFacilitatorTax-Shipping"),
    ("GiftWrapTax", "MarketplaceFacilitatorTax-Giftwrap"),
)
ITEM_FEES = ("Commission", "FBAPerUnitFulfillmentFee", "FixedClosingFee")
COMMISSION_PERCENT = 15
MIN_COMMISSION = 30  # cents (EUR), per item line
FBA_UNIT_FEE = 270
CLOSING_FEE = 81
CLOSING_FEE_PRODUCT_TYPES = ("NOTEBOOK",)
REFUND_COMMISSION_PERCENT = 20
REFUND_COMMISSION_CAP = 500
SUBSCRIPTION = {"EUR": 3900, "GBP": 2500, "USD": 3999}
PROMOTION_TYPE = "PromotionMetaDataDefinitionValue"
SHIPPING_PROMOTION_ID = "SIM-FREESHIP"


class Money:
    """Renders amounts of one currency (the contract's Currency) and adds them up."""

    def __init__(self, currency):
        self.currency = currency
        self.cents = 0

    def __call__(self, cents):
        self.cents += cents
        return self.plain(cents)

    def plain(self, cents):
        """An amount that repeats another (AdjustmentItem's PerUnitAmount): not added."""
        return {"CurrencyCode": self.currency, "CurrencyAmount": cents / 100}


def amount_text(cents):
    """Cents as a decimal string with two decimals ("-12.05"), for control answers and state."""
    return "%s%d.%02d" % ("-" if cents < 0 else "", abs(cents) // 100, abs(cents) % 100)


def share(amount, units, of):
    """The part of `amount` that `units` of `of` units carry (cumulative, exact in total)."""
    return amount * units // of if of else 0


def scaled(cents, mp_id):
    return int(round(cents * MARKETPLACES[mp_id][7]))


class FinanceEventsMixin:
    def _fin_components(self, order, it):
        """Cents of one whole order line (all its units): charges, promotions, fees (positive)."""
        a = self._item_amounts(order, it)
        mp_id = order["mp"]
        included = MARKETPLACES[mp_id][8]

        def net(key):
            return a[key] - (a[key + "_tax"] if included else 0)

        c = {
            "Principal": net("item"),
            "Tax": a["item_tax"] - a["promo_tax"],
            "GiftWrap": net("wrap"),
            "GiftWrapTax": a["wrap_tax"],
            "ShippingCharge": net("ship"),
            "ShippingTax": a["ship_tax"] - a["ship_disc_tax"],
            "promo": net("promo"),
            "ship_promo": net("ship_disc"),
        }
        base = c["Principal"] - c["promo"]
        commission = (base * COMMISSION_PERCENT + 50) // 100
        c["Commission"] = max(scaled(MIN_COMMISSION, mp_id), commission) if base > 0 else 0
        c["FBAPerUnitFulfillmentFee"] = it["qty"] * scaled(FBA_UNIT_FEE, mp_id) if order["ch"] == "AFN" else 0
        product = self.products.get(it["sku"]) or {}
        closing = product.get("productType") in CLOSING_FEE_PRODUCT_TYPES
        c["FixedClosingFee"] = it["qty"] * scaled(CLOSING_FEE, mp_id) if closing else 0
        return c

    def _fin_event_head(self, order, posted):
        head = {"AmazonOrderId": order["id"]}
        if order.get("seller_order_id"):
            head["SellerOrderId"] = order["seller_order_id"]
        head["MarketplaceName"] = MARKETPLACES[order["mp"]][1]
        head["PostedDate"] = iso_ms(posted)
        return head

    def _fin_shipment_item(self, order, it, done, upto, money):
        """The ShipmentItem of units done+1..upto of an order line."""
        c = self._fin_components(order, it)
        n = it["qty"]

        def part(key):
            return share(c[key], upto, n) - share(c[key], done, n)

        row = {
            "SellerSKU": it["sku"],
            "OrderItemId": it["id"],
            "QuantityShipped": upto - done,
            "ItemChargeList": [{"ChargeType": t, "ChargeAmount": money(part(t))} for t in CHARGES],
        }
        if order["facilitator"]:
            row["ItemTaxWithheldList"] = [self._fin_withheld(part, money, -1, CHARGES)]
        row["ItemFeeList"] = [{"FeeType": f, "FeeAmount": money(-part(f))} for f in ITEM_FEES if c[f]]
        promos = self._fin_promotions(it, part("promo"), part("ship_promo"), money, -1)
        if promos:
            row["PromotionList"] = promos
        return row

    @staticmethod
    def _fin_withheld(part, money, sign, charges):
        return {
            "TaxCollectionModel": "MarketplaceFacilitator",
            "TaxesWithheld": [
                {"ChargeType": name, "ChargeAmount": money(sign * part(charge))}
                for charge, name in WITHHELD
                if charge in charges
            ],
        }

    @staticmethod
    def _fin_promotions(it, promo, ship_promo, money, sign):
        out = []
        if promo:
            out.append(
                {
                    "PromotionType": PROMOTION_TYPE,
                    "PromotionId": it["promo_id"] or "SIM-PROMO",
                    "PromotionAmount": money(sign * promo),
                }
            )
        if ship_promo:
            out.append(
                {
                    "PromotionType": PROMOTION_TYPE,
                    "PromotionId": SHIPPING_PROMOTION_ID,
                    "PromotionAmount": money(sign * ship_promo),
                }
            )
        return out

    def _fin_adjustment_item(self, order, it, units, ship_units, money, kind, goodwill=0):
        """A ShipmentItemAdjustmentList row: `units` (from, to) of the line given back, the
        shipping of `ship_units` (from, to), a goodwill amount; fees adjusted for refunds only."""
        c = self._fin_components(order, it)
        n = it["qty"]

        def part(key, span):
            return share(c[key], span[1], n) - share(c[key], span[0], n)

        charges = [("Principal", units), ("Tax", units)] if units[1] > units[0] else []
        if ship_units[1] > ship_units[0]:
            charges += [("ShippingCharge", ship_units), ("ShippingTax", ship_units)]
        self._fin_adjust_seq += 1
        row = {
            "SellerSKU": it["sku"],
            "OrderItemId": it["id"],
            "OrderAdjustmentItemId": "%014d" % (70000000000000 + self._fin_adjust_seq * 13 + self._salt % 13),
            "QuantityShipped": units[1] - units[0],
            "ItemChargeAdjustmentList": [
                {"ChargeType": t, "ChargeAmount": money(-part(t, span))} for t, span in charges
            ],
        }
        if goodwill:
            row["ItemChargeAdjustmentList"].append(
                {"ChargeType": "Goodwill", "ChargeAmount": money(-goodwill)}
            )
        if order["facilitator"] and charges:
            spans = dict(charges)
            row["ItemTaxWithheldList"] = [
                self._fin_withheld(lambda key: part(key, spans[key]), money, 1, spans)
            ]
        if kind == "RefundEventList" and units[1] > units[0]:
            given = part("Commission", units)
            cap = scaled(REFUND_COMMISSION_CAP, order["mp"])
            kept = min(cap, (given * REFUND_COMMISSION_PERCENT + 50) // 100)
            row["ItemFeeAdjustmentList"] = [
                {"FeeType": "Commission", "FeeAmount": money(given)},
                {"FeeType": "RefundCommission", "FeeAmount": money(-kept)},
            ]
        promos = self._fin_promotions(it, part("promo", units), part("ship_promo", ship_units), money, 1)
        if promos:
            row["PromotionAdjustmentList"] = promos
        return row

    @staticmethod
    def _fin_service_fee(currency, fee_type, cents, description):
        money = Money(currency)
        body = {
            "FeeList": [{"FeeType": fee_type, "FeeAmount": money(-cents)}],
            "FeeDescription": description,
        }
        return body, money.cents

    def _fin_adjustment(self, currency, posted, adjustment_type, cents, sku=None, quantity=1):
        """An AdjustmentEvent of `cents` (signed); with a SKU, its AdjustmentItemList."""
        money = Money(currency)
        body = {
            "AdjustmentType": adjustment_type,
            "PostedDate": iso_ms(posted),
            "AdjustmentAmount": money(cents),
        }
        product = self.products.get(sku) if sku else None
        if product:
            body["AdjustmentItemList"] = [
                {
                    "Quantity": str(quantity),
                    "PerUnitAmount": money.plain(cents // quantity if quantity else cents),
                    "TotalAmount": money.plain(cents),
                    "SellerSKU": sku,
                    "FnSKU": product["fnsku"],
                    "ProductDescription": product["title"],
                    "ASIN": product["asin"],
                }
            ]
        return body, money.cents
