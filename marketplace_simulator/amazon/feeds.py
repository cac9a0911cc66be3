"""Feeds 2021-06-30: documents, createFeed, getFeed(s), cancelFeed; feeds move on by polls or time."""

import base64
import json
import time
import uuid

from ..core import Response
from .data import _error, iso_ms, parse_iso


class FeedsMixin:
    def _new_document(self, kind, content_type, content=None):
        self._doc_seq += 1
        doc_id = "amzn1.tortuga.4.eu.%s.T%010d" % (uuid.UUID(int=self.rng.getrandbits(128)), self._doc_seq)
        self.documents[doc_id] = {"id": doc_id, "kind": kind, "contentType": content_type, "content": content}
        return doc_id

    def _create_feed_document(self, req):
        body = req.json()
        if (
            not isinstance(body, dict)
            or not isinstance(body.get("contentType"), str)
            or not body["contentType"]
        ):
            return self._errors(400, [_error("InvalidInput", "Invalid input", "contentType is required")])
        doc_id = self._new_document("feed-input", body["contentType"])
        return self._ok(
            201, {"feedDocumentId": doc_id, "url": "%s/amazon/_uploads/%s" % (self._base_url(req), doc_id)}
        )

    def _upload_document(self, req, doc_id):
        doc = self.documents.get(doc_id)
        if doc is None or doc["kind"] != "feed-input":
            return Response(
                403,
                b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>'
                b"<Message>Access Denied</Message></Error>",
                {"Content-Type": "application/xml"},
            )
        doc["content"] = req.body
        return Response(200, b"", {"ETag": '"%s"' % uuid.uuid4().hex})

    def _download_document(self, req, doc_id):
        doc = self.documents.get(doc_id)
        if doc is None or doc["content"] is None:
            return Response(
                404,
                b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code>'
                b"<Message>The specified key does not exist.</Message></Error>",
                {"Content-Type": "application/xml"},
            )
        return Response(200, doc["content"], {"Content-Type": doc["contentType"]})

    def _get_feed_document(self, req, doc_id):
        doc = self.documents.get(doc_id)
        if doc is None or doc["kind"] not in ("feed-input", "feed-result"):
            return self._errors(
                404, [_error("NotFound", "Invalid input", "Feed document %s not found" % doc_id)]
            )
        return self._ok(
            200, {"feedDocumentId": doc_id, "url": "%s/amazon/_documents/%s" % (self._base_url(req), doc_id)}
        )

    def _create_feed(self, req):
        body = req.json()
        if not isinstance(body, dict):
            return self._errors(
                400, [_error("InvalidInput", "Invalid input", "Request body must be a JSON object")]
            )
        for key in ("feedType", "marketplaceIds", "inputFeedDocumentId"):
            if not body.get(key):
                return self._errors(400, [_error("InvalidInput", "Invalid input", "%s is required" % key)])
        mps = body["marketplaceIds"]
        if not isinstance(mps, list) or any(m not in self.participations for m in mps):
            return self._errors(
                400, [_error("InvalidInput", "Invalid input", "Invalid marketplaceIds: %s" % mps)]
            )
        doc = self.documents.get(body["inputFeedDocumentId"])
        if doc is None or doc["kind"] != "feed-input":
            return self._errors(400, [_error("InvalidInput", "Invalid input", "Invalid inputFeedDocumentId")])
        self._feed_seq += 1
        feed_id = str(50000000000 + self._feed_seq * 17 + self._salt % 17)
        feed = {
            "feedId": feed_id,
            "feedType": body["feedType"],
            "marketplaceIds": mps,
            "input": doc["id"],
            "options": body.get("feedOptions") or {},
            "created": time.time(),
            "status": "IN_QUEUE",
            "polls": 0,
        }
        self.feeds[feed_id] = feed
        self.feed_list.append(feed)
        return self._ok(202, {"feedId": feed_id})

    STAGES = ("IN_QUEUE", "IN_PROGRESS", "DONE")

    def _advance_feed(self, feed, poll):
        """Move a feed on: one stage per getFeed poll, or one per `feed_stage_seconds`."""
        if feed["status"] not in ("IN_QUEUE", "IN_PROGRESS"):
            return
        by_time = (
            int((time.time() - feed["created"]) / self.feed_stage_seconds)
            if self.feed_stage_seconds > 0
            else 2
        )
        stage = min(2, max(feed["polls"], by_time))
        if poll:
            feed["polls"] += 1
        if stage >= 1 and "started" not in feed:
            feed["started"] = time.time()
        if stage >= 2:
            self._process_feed(feed)
        else:
            feed["status"] = self.STAGES[stage]

    def _feed_json(self, feed):
        out = {
            "feedId": feed["feedId"],
            "feedType": feed["feedType"],
            "marketplaceIds": feed["marketplaceIds"],
            "createdTime": iso_ms(feed["created"]),
            "processingStatus": feed["status"],
        }
        if "started" in feed:
            out["processingStartTime"] = iso_ms(feed["started"])
        if "ended" in feed:
            out["processingEndTime"] = iso_ms(feed["ended"])
        if feed.get("result"):
            out["resultFeedDocumentId"] = feed["result"]
        return out

    def _get_feed(self, req, feed_id):
        feed = self.feeds.get(feed_id)
        if feed is None:
            return self._errors(404, [_error("NotFound", "Invalid input", "Feed %s not found" % feed_id)])
        self._advance_feed(feed, poll=True)
        return self._ok(200, self._feed_json(feed))

    FEED_STATUSES = ("CANCELLED", "DONE", "FATAL", "IN_PROGRESS", "IN_QUEUE")

    def _get_feeds(self, req):
        """getFeeds: feedTypes (required without nextToken), marketplaceIds, processingStatuses,
        createdSince (default 90 days ago), createdUntil (default now), pageSize; newest first. A
        nextToken must come alone (as documented) and carries the first call's filters, its
        createdUntil included, so a feed created meanwhile shifts no page."""
        query, err = self._feeds_query(req)
        if err:
            return err
        for feed in self.feed_list:
            self._advance_feed(feed, poll=False)
        types, statuses, mps = set(query["types"]), set(query["statuses"]), set(query["mps"])
        matched = [
            f
            for f in reversed(self.feed_list)
            if f["feedType"] in types
            and (not statuses or f["status"] in statuses)
            and (not mps or mps & set(f["marketplaceIds"]))
            and query["since"] <= int(f["created"]) <= query["until"]
        ]
        offset, size = query["offset"], query["size"]
        out = {"feeds": [self._feed_json(f) for f in matched[offset : offset + size]]}
        if offset + size < len(matched):
            out["nextToken"] = base64.b64encode(
                json.dumps(dict(query, offset=offset + size)).encode()
            ).decode()
        return self._ok(200, out)

    def _feeds_query(self, req):
        """(the filters of a getFeeds request or of its nextToken, None), or (None, an error)."""

        def bad(details):
            return None, self._errors(400, [_error("InvalidInput", "Invalid input", details)])

        token = req.arg("nextToken")
        if token:
            if set(req.query) != {"nextToken"}:
                return bad("nextToken must be the only parameter of a getFeeds request")
            try:
                query = json.loads(base64.b64decode(token).decode())
                query["offset"] = int(query["offset"])
            except (ValueError, KeyError, TypeError):
                return bad("Invalid nextToken")
            return query, None
        query = {
            "types": req.args("feedTypes"),
            "statuses": req.args("processingStatuses"),
            "mps": req.args("marketplaceIds"),
            "offset": 0,
        }
        if not query["types"]:
            return bad("feedTypes is required")
        for name, key in (("feedTypes", "types"), ("marketplaceIds", "mps")):
            if len(query[key]) > 10:
                return bad("%s accepts at most 10 values" % name)
        if any(status not in self.FEED_STATUSES for status in query["statuses"]):
            return bad("processingStatuses must be among %s" % ", ".join(self.FEED_STATUSES))
        try:
            query["size"] = int(req.arg("pageSize", "10"))
        except ValueError:
            query["size"] = 0
        if not 1 <= query["size"] <= 100:
            return bad("pageSize must be between 1 and 100")
        now = time.time()
        for name, key, default in (
            ("createdSince", "since", now - 90 * 86400),
            ("createdUntil", "until", now),
        ):
            value = req.arg(name)
            query[key] = parse_iso(value) if value else default
            if query[key] is None:
                return bad("%s is not a valid ISO 8601 date-time: %s" % (name, value))
            query[key] = int(query[key])
        if query["since"] > query["until"]:
            return bad("createdSince must be before createdUntil")
        return query, None

    def _cancel_feed(self, req, feed_id):
        feed = self.feeds.get(feed_id)
        if feed is None:
            return self._errors(404, [_error("NotFound", "Invalid input", "Feed %s not found" % feed_id)])
        self._advance_feed(feed, poll=False)
        if feed["status"] != "IN_QUEUE":
            return self._errors(
                400,
                [
                    _error(
                        "InvalidInput",
                        "Invalid input",
                        "Only feeds with processingStatus IN_QUEUE can be cancelled (%s)" % feed["status"],
                    )
                ],
            )
        feed["status"] = "CANCELLED"
        feed["ended"] = time.time()
        return Response(200, b"", {"x-amzn-RequestId": str(uuid.uuid4())})
