"""JSON_LISTINGS_FEED processing: each message checked, accepted ones applied to the offers,
the processing report (listings-feed-processing-report v2)."""

import json
import time

from .data import MARKETPLACES


class FeedProcessingMixin:
    def _process_feed(self, feed):
        feed["ended"] = time.time()
        doc = self.documents[feed["input"]]
        content = doc["content"]
        report = None
        if content is None:
            feed["status"] = "FATAL"
            report = self._fatal_report(feed, "The feed document was not uploaded.")
        elif feed["feedType"] != "JSON_LISTINGS_FEED":
            feed["status"] = "FATAL"
            report = self._fatal_report(
                feed, "The simulator processes only JSON_LISTINGS_FEED feeds, not %s." % feed["feedType"]
            )
        else:
            try:
                text = content.decode("utf-8")
            except UnicodeDecodeError:
                text = content.decode("iso-8859-1")
            try:
                data = json.loads(text)
            except ValueError as err:
                data = None
                report = self._fatal_report(feed, "The feed is not valid JSON: %s" % err)
                feed["status"] = "FATAL"
            if data is not None:
                report, fatal = self._process_listings_feed(feed, data)
                feed["status"] = "FATAL" if fatal else "DONE"
        feed["result"] = self._new_document(
            "feed-result",
            "application/json; charset=UTF-8",
            json.dumps(report, ensure_ascii=False, indent=1).encode("utf-8"),
        )

    def _fatal_report(self, feed, message):
        return {
            "header": {"sellerId": self.seller_id, "version": "2.0", "feedId": feed["feedId"]},
            "issues": [{"code": "4000000", "severity": "ERROR", "message": message}],
            "summary": {
                "errors": 1,
                "warnings": 0,
                "messagesProcessed": 0,
                "messagesAccepted": 0,
                "messagesInvalid": 0,
            },
        }

    def _process_listings_feed(self, feed, data):
        header = data.get("header") if isinstance(data, dict) else None
        messages = data.get("messages") if isinstance(data, dict) else None
        if (
            not isinstance(header, dict)
            or header.get("version") != "2.0"
            or not isinstance(messages, list)
            or not messages
        ):
            return self._fatal_report(
                feed,
                "The feed does not conform to the JSON_LISTINGS_FEED schema v2: "
                "'header' with version '2.0' and a non-empty 'messages' array are required.",
            ), True
        if header.get("sellerId") != self.seller_id:
            return self._fatal_report(
                feed,
                "The sellerId '%s' in the feed header does not match the selling partner '%s'."
                % (header.get("sellerId"), self.seller_id),
            ), True
        issues = []
        accepted = invalid = 0
        rejected = []
        touched = []
        for msg in messages:
            msg_issues, changes = self._check_message(feed, msg)
            if any(i["severity"] == "ERROR" for i in msg_issues):
                invalid += 1
                if isinstance(msg, dict) and msg.get("sku"):
                    rejected.append(msg["sku"])
            else:
                accepted += 1
                for change in changes:
                    change()
                if isinstance(msg, dict):
                    touched.append(msg["sku"])
            issues.extend(msg_issues)
        feed["accepted"] = accepted
        feed["invalid"] = invalid
        feed["rejected"] = rejected
        report = {
            "header": {"sellerId": self.seller_id, "version": "2.0", "feedId": feed["feedId"]},
            "issues": issues,
            "summary": {
                "errors": sum(1 for i in issues if i["severity"] == "ERROR"),
                "warnings": sum(1 for i in issues if i["severity"] == "WARNING"),
                "messagesProcessed": len(messages),
                "messagesAccepted": accepted,
                "messagesInvalid": invalid,
            },
        }
        included = ((header.get("report") or {}).get("includedData")) or []
        if included:
            report["header"]["report"] = {"includedData": included, "apiVersion": "2021-08-01"}
            items = [
                self._listing_item(sku, feed["marketplaceIds"], included)
                for sku in dict.fromkeys(touched)
                if sku in self.products
            ]
            report["items"] = items
            report["summary"]["itemSummary"] = {"items": len(items), "errors": 0, "warnings": 0}
        return report, False

    def _check_message(self, feed, msg):
        """(issues, changes) of one feed message; changes are callables applied when accepted."""
        if not isinstance(msg, dict):
            return [
                {"severity": "ERROR", "code": "4000001", "message": "A message must be a JSON object."}
            ], []
        mid = msg.get("messageId")
        sku = msg.get("sku")
        op = msg.get("operationType")

        def issue(message, code="4000001", attribute=None):
            out = {"severity": "ERROR", "code": code, "message": message}
            if isinstance(mid, int):
                out["messageId"] = mid
            if isinstance(sku, str) and sku and self.issue_skus:
                out["sku"] = sku
            if attribute:
                out["attributeName"] = attribute
            return out

        if not isinstance(mid, int) or isinstance(mid, bool) or mid < 1:
            return [issue("'messageId' is required and must be an integer of at least 1.")], []
        if not isinstance(sku, str) or not sku:
            return [issue("'sku' is required.")], []
        if op not in ("UPDATE", "PARTIAL_UPDATE", "PATCH", "DELETE"):
            return [issue("'operationType' must be one of UPDATE, PARTIAL_UPDATE, PATCH, DELETE.")], []
        if op != "DELETE" and not msg.get("productType"):
            return [issue("'productType' is required for %s operations." % op)], []
        if sku not in self.products:
            return [
                issue(
                    "The SKU '%s' does not match any listing of the selling partner; create the listing before "
                    "updating its offer." % sku,
                    code="90000900",
                )
            ], []
        if op == "DELETE":
            return [], [lambda: self._delete_offer(sku, feed["marketplaceIds"])]
        if op == "PATCH":
            patches = msg.get("patches")
            if not isinstance(patches, list) or not patches:
                return [issue("'patches' is required for PATCH operations and must not be empty.")], []
            attributes = {}
            for patch in patches:
                if (
                    not isinstance(patch, dict)
                    or patch.get("op") not in ("add", "replace", "merge", "delete")
                    or not isinstance(patch.get("path"), str)
                    or not patch["path"].startswith("/attributes/")
                ):
                    return [
                        issue(
                            "Invalid JSON Patch operation: %s" % json.dumps(patch, ensure_ascii=False)[:200]
                        )
                    ], []
                if patch["op"] != "delete":
                    attributes[patch["path"][len("/attributes/") :]] = patch.get("value")
        else:
            attributes = msg.get("attributes")
            if not isinstance(attributes, dict) or not attributes:
                return [issue("'attributes' is required for %s operations." % op)], []
        issues = []
        changes = []
        if "fulfillment_availability" in attributes:
            issues_fa, change = self._check_availability(
                sku, attributes["fulfillment_availability"], feed, issue
            )
            issues.extend(issues_fa)
            changes.extend(change)
        if "purchasable_offer" in attributes:
            issues_po, change = self._check_offer(sku, attributes["purchasable_offer"], feed, issue)
            issues.extend(issues_po)
            changes.extend(change)
        return issues, changes

    def _check_availability(self, sku, value, feed, issue):
        attr = "fulfillment_availability"
        if not isinstance(value, list) or not value:
            return [issue("The attribute '%s' must be a non-empty array." % attr, "99022", attr)], []
        changes = []
        for entry in value:
            if not isinstance(entry, dict) or not entry.get("fulfillment_channel_code"):
                return [issue("'fulfillment_channel_code' is required in '%s'." % attr, "90220", attr)], []
            if entry["fulfillment_channel_code"] != "DEFAULT":
                continue  # Amazon-fulfilled quantities are Amazon's business
            qty = entry.get("quantity")
            if not isinstance(qty, int) or isinstance(qty, bool) or qty < 0:
                return [
                    issue(
                        "The value '%s' provided for '%s.quantity' is invalid; provide a whole number of 0 or more."
                        % (qty, attr),
                        "4000002",
                        attr,
                    )
                ], []
            changes.append(lambda q=qty: self._set_offer(sku, feed["marketplaceIds"], quantity=q))
        return [], changes

    def _check_offer(self, sku, value, feed, issue):
        attr = "purchasable_offer"
        if not isinstance(value, list) or not value:
            return [issue("The attribute '%s' must be a non-empty array." % attr, "99022", attr)], []
        changes = []
        for entry in value:
            if not isinstance(entry, dict):
                return [issue("Each '%s' value must be an object." % attr, "4000002", attr)], []
            mp_id = entry.get("marketplace_id")
            mps = [mp_id] if mp_id else list(feed["marketplaceIds"])
            if mp_id and mp_id not in self.participations:
                return [
                    issue("'%s' is not a marketplace of the selling partner." % mp_id, "4000003", attr)
                ], []
            currency = entry.get("currency")
            for m in mps:
                if currency and currency != MARKETPLACES[m][2]:
                    return [
                        issue(
                            "The currency '%s' is not valid for marketplace %s (expected %s)."
                            % (currency, m, MARKETPLACES[m][2]),
                            "4000004",
                            attr + ".currency",
                        )
                    ], []
            try:
                schedule = entry["our_price"][0]["schedule"][0]
                amount = schedule["value_with_tax"]
            except (KeyError, IndexError, TypeError):
                return [
                    issue(
                        "The field 'prices' for the attribute 'purchasable_offer.our_price' does not have enough "
                        "values. The required minimum is '1' value(s).",
                        "99022",
                        "purchasable_offer.our_price",
                    )
                ], []
            if isinstance(amount, str):
                try:
                    amount = float(amount)
                except ValueError:
                    amount = None
            if isinstance(amount, bool) or not isinstance(amount, (int, float)) or amount <= 0:
                return [
                    issue(
                        "The value '%s' provided for 'purchasable_offer.our_price' is invalid; provide a positive "
                        "amount." % schedule.get("value_with_tax"),
                        "4000002",
                        "purchasable_offer.our_price",
                    )
                ], []
            cents = int(round(amount * 100))
            changes.append(lambda c=cents, ms=tuple(mps): self._set_offer(sku, ms, price=c))
        return [], changes

    def _set_offer(self, sku, marketplace_ids, quantity=None, price=None):
        for mp_id in marketplace_ids:
            offer = self.offers[sku].setdefault(mp_id, {"price": 0, "quantity": 0})
            if quantity is not None:
                offer["quantity"] = quantity
            if price is not None:
                offer["price"] = price
            offer.pop("deleted", None)
            offer["updated"] = time.time()
        self.offers_touched.add(sku)

    def _delete_offer(self, sku, marketplace_ids):
        for mp_id in marketplace_ids:
            if mp_id in self.offers[sku]:
                self.offers[sku][mp_id]["deleted"] = True
                self.offers[sku][mp_id]["quantity"] = 0
        self.offers_touched.add(sku)
