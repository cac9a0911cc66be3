"""The listings feeds of AmazonClient (Feeds 2021-06-30, JSON_LISTINGS_FEED): stock and price
messages, submission, status, processing reports. Imports nothing from Odoo."""

import io
import json
from datetime import datetime, timezone

from sp_api.api import Feeds

from .errors import AmazonAmbiguous, AmazonError, _iso

# JSON_LISTINGS_FEED: messages per feed (listings-feed-schema-v2.json, maxItems; 25,000 since May 2025).
MAX_FEED_MESSAGES = 25000
FEED_DONE_STATUSES = ("DONE", "CANCELLED", "FATAL")
FEEDS_PATH = "/feeds/2021-06-30/feeds"


class FeedsApiMixin:
    """Part of AmazonClient: listings feeds."""

    @staticmethod
    def stock_message(sku, quantity, message_id):
        """A JSON_LISTINGS_FEED message setting the merchant-fulfilled quantity of an offer."""
        return {
            "messageId": int(message_id),
            "sku": sku,
            "operationType": "PATCH",
            "productType": "PRODUCT",
            "patches": [
                {
                    "op": "replace",
                    "path": "/attributes/fulfillment_availability",
                    "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": max(int(quantity), 0)}],
                }
            ],
        }

    @staticmethod
    def price_message(sku, price, currency, message_id, marketplace_id=None):
        """A JSON_LISTINGS_FEED message setting the price (tax included where the marketplace
        shows prices with tax) of an offer, in one marketplace or in the feed's."""
        offer = {
            "currency": currency,
            "our_price": [{"schedule": [{"value_with_tax": round(float(price), 2)}]}],
        }
        if marketplace_id:
            offer["marketplace_id"] = marketplace_id
        return {
            "messageId": int(message_id),
            "sku": sku,
            "operationType": "PATCH",
            "productType": "PRODUCT",
            "patches": [{"op": "replace", "path": "/attributes/purchasable_offer", "value": [offer]}],
        }

    @staticmethod
    def feed_batches(messages, size=MAX_FEED_MESSAGES):
        """The messages in as few feeds as the feed limit allows, each numbered from 1."""
        messages = list(messages)
        for start in range(0, len(messages), size):
            yield [dict(m, messageId=i + 1) for i, m in enumerate(messages[start : start + size])]

    def submit_listings_feed(self, seller_id, marketplace_ids, messages):
        """Upload a JSON_LISTINGS_FEED document and create the feed; return the feed id.

        createFeed is not idempotent: when its answer is lost, AmazonAmbiguous is raised with
        `sent_at` (UTC, aware, just before the request) and `feed_document_id`; recent_feeds()
        then tells whether Amazon created the feed."""
        messages = list(messages)
        if not messages:
            raise AmazonError("A listings feed needs at least one message.")
        if len(messages) > MAX_FEED_MESSAGES:
            raise AmazonError(
                "A listings feed holds at most %d messages (%d given); split it with feed_batches()."
                % (MAX_FEED_MESSAGES, len(messages))
            )
        body = json.dumps(
            {"header": {"sellerId": seller_id, "version": "2.0"}, "messages": messages}, ensure_ascii=False
        ).encode("utf-8")
        api = self._api(Feeds, marketplace_ids[0])
        # sp_api uploads the document to the URL Amazon returns, right after createFeedDocument; a
        # repeated document is harmless (only createFeed processes one), so this part is idempotent.
        document = self._request(
            "createFeedDocument",
            api,
            "create_feed_document",
            io.BytesIO(body),
            "application/json; charset=UTF-8",
        ).payload
        sent_at = datetime.now(timezone.utc)
        try:
            created = self._request(
                "createFeed",
                api,
                "create_feed",
                "JSON_LISTINGS_FEED",
                document["feedDocumentId"],
                idempotent=False,
                marketplaceIds=list(marketplace_ids),
            ).payload
        except AmazonAmbiguous as lost:
            lost.sent_at, lost.feed_document_id = sent_at, document["feedDocumentId"]
            raise
        return created["feedId"]

    def recent_feeds(
        self, feed_type, created_since, marketplace_ids=None, processing_statuses=None, page_size=100
    ):
        """The feeds of `feed_type` created since `created_since` (getFeeds, every page), newest
        first, as Amazon describes them (feedId, feedType, marketplaceIds, createdTime,
        processingStatus, resultFeedDocumentId...): how to find a feed whose creation answer
        was lost."""
        api = self._api(Feeds)
        params = {"feedTypes": feed_type, "createdSince": _iso(created_since), "pageSize": page_size}
        if marketplace_ids:
            params["marketplaceIds"] = ",".join(marketplace_ids)
        if processing_statuses:
            params["processingStatuses"] = ",".join(processing_statuses)
        feeds = []
        while True:
            response = self._request(
                "getFeeds", api, "_request", FEEDS_PATH, params=dict(params), add_marketplace=False
            )
            if not isinstance(response.payload.get("feeds"), list):
                raise AmazonError("getFeeds: Amazon's answer holds no feed list.")
            feeds.extend(response.payload["feeds"])
            if not response.next_token:  # sp_api takes the top-level nextToken out of the payload
                return feeds
            params = {"nextToken": response.next_token}  # the only parameter a next page takes

    def feed_status(self, feed_id):
        """getFeed: processingStatus (IN_QUEUE, IN_PROGRESS, DONE, CANCELLED, FATAL) and, once
        processed, resultFeedDocumentId; `status` repeats processingStatus."""
        payload = dict(self._request("getFeed", self._api(Feeds), "get_feed", feed_id).payload)
        payload["status"] = payload.get("processingStatus")
        return payload

    def wait_for_feed(self, feed_id, timeout=600, interval=30):
        """Poll the feed until Amazon has processed it (DONE, CANCELLED or FATAL) or `timeout`
        seconds passed; return the last feed_status()."""
        waited = 0.0
        while True:
            status = self.feed_status(feed_id)
            if status["status"] in FEED_DONE_STATUSES or waited >= timeout:
                return status
            self.sleep(interval)
            waited += interval

    def feed_results(self, feed_id, messages=None):
        """{sku: {"status": "accepted"|"error", "errors": [text]}} from the processing report.

        `messages`: the feed's messages (dicts with messageId and sku), or {messageId: sku}.
        The report lists issues only, by SKU or by messageId alone: with the messages every SKU
        sent gets an entry, accepted unless an ERROR names it or its message; an ERROR naming
        no known message (feed-level) rejects them all. Without them only the SKUs the report
        names are known, and an ERROR it does not tie to a SKU raises AmazonError: a rejected
        message is never taken for accepted."""
        report = self._feed_report(feed_id)
        by_message = _message_skus(messages)
        results = {sku: {"status": "accepted", "errors": []} for sku in by_message.values() if sku}
        for item in report.get("items") or []:
            if item.get("sku"):
                results.setdefault(item["sku"], {"status": "accepted", "errors": []})
        for issue in report.get("issues") or []:
            # the message as sent first: its SKU may have changed in Odoo since, the report names the one sent
            sku = by_message.get(issue.get("messageId")) or issue.get("sku")
            text = ": ".join(filter(None, [issue.get("code"), issue.get("message")]))
            if issue.get("severity") != "ERROR":
                continue
            if not sku and not by_message:
                raise AmazonError(
                    "Feed %s: Amazon reports an error of no named SKU (message %s: %s); pass the feed's "
                    "messages to tell which." % (feed_id, issue.get("messageId") or "-", text)
                )
            for target in [sku] if sku else list(results):
                entry = results.setdefault(target, {"status": "accepted", "errors": []})
                entry["status"] = "error"
                entry["errors"].append(text)
        return results

    def _feed_report(self, feed_id):
        status = self.feed_status(feed_id)
        document_id = status.get("resultFeedDocumentId")
        if not document_id:
            raise AmazonError("Feed %s has no processing report yet (%s)." % (feed_id, status.get("status")))
        raw = self._request("getFeedDocument", self._api(Feeds), "get_feed_result_document", document_id)
        try:
            report = json.loads(raw) if isinstance(raw, (str, bytes)) else raw
        except ValueError:
            raise AmazonError("The processing report of feed %s is not JSON." % feed_id) from None
        if not isinstance(report, dict):
            raise AmazonError("The processing report of feed %s is not a JSON object." % feed_id)
        return report


def _message_skus(messages):
    """{messageId: sku} of a feed's messages (a list of message dicts, or already a mapping)."""
    if not messages:
        return {}
    if isinstance(messages, dict):
        return {int(k): v for k, v in messages.items()}
    return {m.get("messageId"): m.get("sku") for m in messages if isinstance(m, dict)}
