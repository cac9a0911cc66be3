"""The call loop every marketplace client shares. Imports nothing from Odoo.

A client subclasses Transport and says only what its API means:

* ``RATES = {operation: (requests per second, burst)}``, the documented usage plans;
* ``classify_answer(operation, answer)`` / ``classify_error(operation, error)`` -> Verdict: what
  the answer of one request, or the exception it raised, means;
* ``announced_rate(outcome)``: the rate the API announces in its headers (Amazon's
  x-amzn-RateLimit-Limit), if any;
* ``renew_token()``: get a new access token;
* ``account_key`` (whose requests the marketplace counts together) and ``secrets`` (texts never
  to show), given to ``Transport.__init__``.

``call(operation, request, idempotent=True)`` sends ``request()`` (one HTTP request: returns the
answer or raises) and does the rest:

pacing   a token bucket per (account, operation), shared by the clients of one account in this
         process, at the documented rate x ``rate_scale`` x PACING (a little under the rate: the
         service counts arrivals, which jitter around our send times), following the rate the
         API announces.
429      waited out: Retry-After when given, else a backoff from the rate (1/rate, doubling up to
         x8), within ``max_wait`` seconds of waiting per call (pacing included), then Throttled.
token    an expired token is renewed once per call and the request sent again.
retries  5xx answers, timeouts, dropped connections and unreadable answers are retried
         ``max_retries`` times with an exponential backoff, for idempotent calls only. A
         non-idempotent call (shipment confirmation, feed or offer write) may have been applied
         when its answer is lost: it raises Ambiguous at once and is never sent again; the caller
         reads the marketplace's state to know. A request that surely never reached the API
         (Verdict.UNSENT: no connection, token endpoint down), a 429 and an expired-token refusal
         were refused before any processing and are sent again for any call.
errors   MarketplaceError(message, code, status) with the marketplace's own text and the declared
         secrets replaced by ***; Throttled and Ambiguous are its subclasses. An answer the client
         does not understand (an HTML error page, a proxy's or a redirect) is never echoed: the
         error says the call and the status (``unexpected``), the body goes to the server log. The error also says
         what happened in a word (``reason``: unreachable, server, throttled, credentials,
         ambiguous, refused), for which ``operation`` and after how many ``attempts``: the engine
         tells a merchant that in plain words and keeps the raw text for the integrator.
paths    a value put in a URL path (an order reference a person typed, an id) goes through
         ``path_segment``: percent-encoded, "/" included, so it stays one segment.
counts   ``calls`` (requests sent) and ``throttled`` (429 answers), shown by every job log.

Retries, waits and stops are tenacity policies, nested: throttling(transient retries(token renewal
(one attempt))). The token bucket is hand-written: its rate changes with the answers' headers and
it is shared between clients and threads, which no retry policy models.
"""

import logging
import threading
import time
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from urllib.parse import quote

import tenacity

_logger = logging.getLogger(__name__)


# =============================================================================================
# Errors and verdicts
# =============================================================================================


class MarketplaceError(Exception):
    """The marketplace refused or failed; the text is the marketplace's own, never a credential."""

    # what happened, in a word: the engine words it for a merchant (see `reason`)
    UNREACHABLE = "unreachable"  # no connection, or no answer, however many times it was tried
    SERVER = "server"  # the marketplace failed on its side (5xx, an unreadable answer)
    THROTTLED = "throttled"  # its rate limit left no room within the time the call may wait
    CREDENTIALS = "credentials"  # it refused the credentials or the token
    AMBIGUOUS = "ambiguous"  # a write whose answer was lost: maybe applied
    REFUSED = "refused"  # it refused the request, saying why (its own text)

    def __init__(self, message, code=None, status=None, operation=None, reason=None, attempts=None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.operation = operation
        self.reason = reason or self._default_reason(status)
        self.attempts = attempts

    @classmethod
    def _default_reason(cls, status):
        if status in (401, 403):
            return cls.CREDENTIALS
        if status == 429:
            return cls.THROTTLED
        if status and status >= 500:
            return cls.SERVER
        return cls.REFUSED

    @property
    def detail(self):
        """The raw facts for the integrator: operation, the marketplace's text, code, HTTP status."""
        facts = [
            part
            for part in (self.code and "code %s" % self.code, self.status and "HTTP %s" % self.status)
            if part
        ]
        text = (
            self.message
            if not self.operation or str(self.message).startswith(self.operation)
            else "%s: %s" % (self.operation, self.message)
        )
        return "%s%s" % (text, " (%s)" % ", ".join(facts) if facts else "")


class Throttled(MarketplaceError):
    """Still throttled when the call's time budget (max_wait) ran out."""


class Ambiguous(MarketplaceError):
    """A non-idempotent request whose answer was lost (timeout, 5xx, dropped connection,
    unreadable answer): the marketplace may have applied it. Read its state before sending it
    again."""


class Verdict:
    """What the answer (or the exception) of one request means; the clients' classify_* hooks
    return one."""

    OK = "ok"  # done: call() returns the answer
    THROTTLED = "throttled"  # 429: wait (retry_after, else a backoff from the rate), send again
    EXPIRED = "expired"  # the access token expired: renew it once, send again
    TRANSIENT = "transient"  # 5xx, timeout, dropped connection, unreadable: maybe applied
    UNSENT = "unsent"  # surely never reached the API (no connection, no token): send again
    FAILED = "failed"  # a refusal: MarketplaceError

    __slots__ = ("kind", "message", "code", "status", "retry_after")

    def __init__(self, kind, message="", code=None, status=None, retry_after=None):
        self.kind = kind
        self.message = message
        self.code = code
        self.status = status
        self.retry_after = retry_after  # seconds the API asked to wait (429), None when it did not say

    def __repr__(self):
        return "<Verdict %s %s %s>" % (self.kind, self.status, self.message[:60])


def _named(operation, message):
    """`message` as the error of `operation` (once: a message may already name it)."""
    return message if message.startswith(operation + ":") else "%s: %s" % (operation, message)


def path_segment(value):
    """`value` as one URL path segment: every reserved character percent-encoded, "/" included,
    so that a reference cannot reach another path ("../", "?", "#")."""
    return quote(str(value), safe="")


def parse_retry_after(value, now=None):
    """Seconds of a Retry-After header (delta-seconds or an HTTP date); None when absent or
    unreadable."""
    if value is None or str(value).strip() == "":
        return None
    try:
        return max(float(value), 0.0)
    except (TypeError, ValueError):
        pass
    try:
        when = parsedate_to_datetime(str(value))
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max((when - (now or datetime.now(timezone.utc))).total_seconds(), 0.0)


def http_verdict(status, message, code=None, retry_after=None):
    """The usual meaning of an HTTP error status: 429 throttled, 5xx transient, others a refusal
    (an expired token is each client's own business)."""
    if status == 429:
        return Verdict(Verdict.THROTTLED, message, code, status, retry_after)
    if status >= 500:
        return Verdict(Verdict.TRANSIENT, message, code, status)
    return Verdict(Verdict.FAILED, message, code, status)


def requests_error_verdict(error):
    """The verdict of an exception raised by `requests` (for the clients over requests), or None
    when it is not one of its transport failures."""
    import requests  # only the clients over requests need it
    from urllib3.exceptions import NewConnectionError

    failures = requests.exceptions
    if isinstance(error, failures.ConnectTimeout):
        return Verdict(Verdict.UNSENT, "no connection in time")
    if isinstance(error, failures.Timeout):
        return Verdict(Verdict.TRANSIENT, "no answer in time")
    if isinstance(error, failures.ConnectionError):
        reason = getattr(error.args[0], "reason", None) if error.args else None
        if isinstance(reason, NewConnectionError):  # refused or unresolvable: nothing was sent
            return Verdict(Verdict.UNSENT, "no connection")
        return Verdict(Verdict.TRANSIENT, "the connection dropped before the answer")
    if isinstance(error, (failures.ChunkedEncodingError, failures.ContentDecodingError, ValueError)):
        return Verdict(Verdict.TRANSIENT, "an unreadable answer")
    return None


# internal: an attempt that the policies may repeat
class _Again(Exception):
    def __init__(self, verdict, rate=None):
        super().__init__(verdict.message)
        self.verdict = verdict
        self.rate = rate  # the bucket's rate when the API throttled


class _Throttled(_Again):
    pass


class _Expired(_Again):
    pass


class _Transient(_Again):
    pass


# =============================================================================================
# Pacing
# =============================================================================================


class _Bucket:
    """Requests allowed for one operation: `rate` per second refilling up to `burst`. Tokens go
    below zero: each reservation queues behind the earlier ones. Times come from the client's
    clock (injectable)."""

    def __init__(self, rate, burst, now):
        self.rate = rate
        self.burst = burst
        self.tokens = float(burst)
        self.stamp = now
        self.lock = threading.Lock()

    def _refill(self, now):
        if now > self.stamp:
            self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now

    def reserve(self, now):
        """Take a token; return the seconds to wait before using it (0: go now)."""
        with self.lock:
            self._refill(now)
            self.tokens -= 1
            return 0.0 if self.tokens > -1e-9 else -self.tokens / self.rate  # (float residues are no debt)

    def give_back(self):
        with self.lock:
            self.tokens = min(self.burst, self.tokens + 1)

    def hold(self, now, seconds):
        """The API refused (429): no request of any client sharing the bucket before `seconds`."""
        with self.lock:
            self._refill(now)
            self.tokens = min(self.tokens, 1.0 - seconds * self.rate)

    def set_rate(self, rate, now):
        with self.lock:
            self._refill(now)
            self.rate = rate


class _Budget:
    """The seconds one call spent waiting (pacing, 429s, backoffs), checked against max_wait."""

    def __init__(self, sleep):
        self.spent = 0.0
        self._sleep = sleep

    def sleep(self, seconds):
        if seconds > 0:
            self.spent += seconds
            self._sleep(seconds)


# =============================================================================================
# The base client
# =============================================================================================


class Transport:
    """Base of the marketplace clients (see the module docstring)."""

    RATES = {}  # operation -> (requests per second, burst), as documented
    DEFAULT_RATE = (1.0, 5)  # for an operation missing from RATES
    PACING = 0.95  # fraction of the rate requests are sent at
    MAX_THROTTLED = 50  # 429s per call at most, whatever Retry-After says (Retry-After: 0 must not loop)
    # error classes a client raises (its own subclasses, so that its callers catch them by name)
    ERROR = MarketplaceError
    THROTTLED_ERROR = Throttled
    AMBIGUOUS_ERROR = Ambiguous

    _buckets = {}  # (account key, rate scale, operation) -> _Bucket, for every client of the process
    _buckets_lock = threading.Lock()

    def __init__(
        self,
        *,
        account_key,
        secrets=(),
        rate_scale=1.0,
        max_wait=300,
        max_retries=3,
        backoff=0.5,
        max_backoff=8.0,
        sleep=time.sleep,
        clock=time.monotonic,
    ):
        self.account_key = account_key
        self.secrets = [str(s) for s in secrets if s]
        self.rate_scale = float(rate_scale or 1.0)
        self.max_wait = float(max_wait)
        self.max_retries = int(max_retries)
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.sleep = sleep
        self.clock = clock
        self.calls = 0
        self.throttled = 0

    def __repr__(self):  # no credential in tracebacks or logs
        return "<%s calls=%s throttled=%s>" % (type(self).__name__, self.calls, self.throttled)

    # hooks of the clients ---------------------------------------------------------------------
    def classify_answer(self, operation, answer):
        """The Verdict of an answer `request()` returned (default: OK)."""
        return Verdict(Verdict.OK)

    def classify_error(self, operation, error):
        """The Verdict of an exception `request()` raised; None: not the API's, raised as it is."""
        return None

    def announced_rate(self, outcome):
        """Requests per second the API announces in the answer or error `outcome`, or None."""
        return None

    def renew_token(self):
        """Get a new access token (called when a verdict said EXPIRED)."""

    # rate limits --------------------------------------------------------------------------------
    def rate_bucket(self, operation):
        """The bucket pacing `operation` for this account (shared in the process)."""
        key = (self.account_key, self.rate_scale, operation)
        with Transport._buckets_lock:
            bucket = Transport._buckets.get(key)
            if bucket is None:
                rate, burst = self.RATES.get(operation, self.DEFAULT_RATE)
                bucket = _Bucket(rate * self.rate_scale * self.PACING, burst, self.clock())
                Transport._buckets[key] = bucket
            return bucket

    @classmethod
    def reset_rate_limits(cls):
        """Forget every bucket of the process (tests)."""
        with Transport._buckets_lock:
            Transport._buckets.clear()

    def _follow_rate(self, bucket, rate):
        try:
            rate = float(rate) * self.rate_scale * self.PACING
        except (TypeError, ValueError):
            return
        if rate > 0 and abs(rate - bucket.rate) > 1e-9 * rate:
            bucket.set_rate(rate, self.clock())

    def _pace(self, operation, bucket, budget):
        pause = bucket.reserve(self.clock())
        if not pause:
            return
        if budget.spent + pause > self.max_wait:
            bucket.give_back()
            raise self._error(
                self.THROTTLED_ERROR,
                "%s: the rate limit leaves no room within %s seconds; "
                "nothing was sent." % (operation, self.max_wait),
                "RateLimit",
                operation=operation,
                reason=MarketplaceError.THROTTLED,
            )
        budget.sleep(pause)

    # the call ----------------------------------------------------------------------------------
    def call(self, operation, request, idempotent=True):
        """Send `request()` as `operation` under the policies above; return its answer.

        `idempotent=False` for a request that must never be sent twice once the marketplace may
        have processed it (see Ambiguous)."""
        budget = _Budget(self.sleep)
        bucket = self.rate_bucket(operation)
        throttling, retrying, renewing = self._policies(bucket, budget)
        try:
            return throttling(
                retrying, renewing, self._attempt, operation, request, idempotent, bucket, budget
            )
        except _Again as again:
            raise self._final(operation, again, budget) from None

    def _policies(self, bucket, budget):
        """The tenacity policies of one call: 429s, transient failures, token renewal."""
        throttling = tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(_Throttled),
            wait=self._throttle_pause,
            stop=tenacity.stop_any(
                tenacity.stop_after_attempt(self.MAX_THROTTLED),
                lambda state: budget.spent + self._throttle_pause(state) > self.max_wait,
            ),
            before_sleep=lambda state: bucket.hold(self.clock(), state.next_action.sleep),
            sleep=budget.sleep,
            reraise=True,
        )
        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(_Transient),
            wait=tenacity.wait_exponential(multiplier=self.backoff, max=self.max_backoff),
            stop=tenacity.stop_after_attempt(self.max_retries + 1),
            sleep=budget.sleep,
            reraise=True,
        )
        renewing = tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(_Expired),
            stop=tenacity.stop_after_attempt(2),
            before_sleep=lambda state: self.renew_token(),
            sleep=budget.sleep,
            reraise=True,
        )
        return throttling, retrying, renewing

    def _throttle_pause(self, state):
        """Retry-After when the API said it, else 1/rate doubling with each 429 (up to x8)."""
        throttled = state.outcome.exception()
        if throttled.verdict.retry_after is not None:
            return throttled.verdict.retry_after
        return min(1.0 / throttled.rate, self.max_wait + 1.0) * 2 ** min(state.attempt_number - 1, 3)

    def _attempt(self, operation, request, idempotent, bucket, budget):
        """One paced request: its answer, or an exception for the policies (or the caller)."""
        self._pace(operation, bucket, budget)
        self.calls += 1
        try:
            answer = outcome = request()
        except Exception as error:  # the client classifies; what it does not know is raised as is
            verdict = self.classify_error(operation, error)
            if verdict is None:
                raise
            outcome = error
        else:
            verdict = self.classify_answer(operation, answer)
        self._follow_rate(bucket, self.announced_rate(outcome))
        if verdict.kind == Verdict.OK:
            return answer
        raise self._judge(operation, verdict, idempotent, bucket)

    def _judge(self, operation, verdict, idempotent, bucket):
        """The exception a failed attempt raises: one to retry, or the caller's error."""
        kind = verdict.kind
        if kind == Verdict.THROTTLED:
            self.throttled += 1
            bucket.hold(self.clock(), 1.0 / bucket.rate)
            return _Throttled(verdict, bucket.rate)
        if kind == Verdict.EXPIRED:
            return _Expired(verdict)
        if kind == Verdict.UNSENT or (kind == Verdict.TRANSIENT and idempotent):
            return _Transient(verdict)
        if kind == Verdict.TRANSIENT:
            return self._error(
                self.AMBIGUOUS_ERROR,
                "%s. The marketplace may have applied it: its state tells, "
                "it is not sent again." % _named(operation, verdict.message),
                verdict.code,
                verdict.status,
                operation=operation,
                reason=MarketplaceError.AMBIGUOUS,
            )
        return self._error(
            self.ERROR, verdict.message, verdict.code, verdict.status, operation=operation, attempts=1
        )

    def _final(self, operation, again, budget):
        """The caller's error when a policy gave up."""
        verdict = again.verdict
        if isinstance(again, _Throttled):
            return self._error(
                self.THROTTLED_ERROR,
                "%s (still throttled after waiting %.1f of %s seconds)"
                % (verdict.message, budget.spent, self.max_wait),
                verdict.code,
                verdict.status or 429,
                operation=operation,
                reason=MarketplaceError.THROTTLED,
            )
        if isinstance(again, _Transient):
            # it answered, but with a failure or nothing readable; else no connection or no answer
            server = verdict.kind == Verdict.TRANSIENT and bool(verdict.status)
            return self._error(
                self.ERROR,
                "%s (%d attempts)." % (_named(operation, verdict.message), self.max_retries + 1),
                verdict.code,
                verdict.status,
                operation=operation,
                attempts=self.max_retries + 1,
                reason=MarketplaceError.SERVER if server else MarketplaceError.UNREACHABLE,
            )
        return self._error(
            self.ERROR,
            "%s (even with a renewed token)" % verdict.message,
            verdict.code,
            verdict.status,
            operation=operation,
            reason=MarketplaceError.CREDENTIALS,
        )

    # errors --------------------------------------------------------------------------------------
    def unexpected(self, operation, status, body=None):
        """The error text of an answer this client does not understand (an HTML page, a proxy's
        answer, a redirect): which call and the status only. The body may hold anything (an
        internal page, a stack trace): it goes to the server log, scrubbed, never to a message
        a person or a job log shows."""
        if body:
            _logger.info("%s: HTTP %s, unexpected answer: %.2000s", operation, status, self.scrub(body))
        try:
            status = "%s %s" % (status, HTTPStatus(int(status)).phrase)  # the standard words, not the body's
        except (TypeError, ValueError):
            pass
        return "%s: HTTP %s, an answer the connector does not understand (the server log has it)" % (
            operation,
            status,
        )

    def scrub(self, text):
        """`text` with every declared secret replaced by ***."""
        text = str(text)
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text

    def _error(self, cls, message, code=None, status=None, **facts):
        """The caller's error; `facts`: operation, reason, attempts (see MarketplaceError)."""
        return cls(self.scrub(message), code, status, **facts)
