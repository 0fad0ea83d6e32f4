# -*- coding: utf-8 -*-
# Copyright (c) bitdefender.gravityzone contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one GravityZone JSON-RPC client that every module and plugin uses.

It owns the transport (requests with urllib3's Retry), the validation of the
connection options, and the translation of every failure into a
GravityZoneError whose message is safe to show: it never contains the API key.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import ipaddress
import json
import math
import os
import random
import re
import time
import traceback
import uuid
import warnings

from urllib.parse import urlsplit, urlunsplit

try:
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.exceptions import InsecureRequestWarning, MaxRetryError, ResponseError
    from urllib3.util.retry import Retry
except ImportError:
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None


# Defaults of the connection options; the doc fragment states the same values.
DEFAULT_TIMEOUT = 30.0
DEFAULT_REQUEST_RETRIES = 3

# Upper bounds: beyond them the socket layer overflows or a task can hang for
# days, and no GravityZone call needs more.
MAX_TIMEOUT = 3600.0
MAX_REQUEST_RETRIES = 20

# Up to this many seconds are added at random to each Retry-After pause, so
# that parallel playbooks throttled together do not all retry in the same
# instant and collide again.
RETRY_AFTER_JITTER = 1.0

# The API allows 10 requests per second per key with a burst of 10. One
# process paces itself a little below that, so its own bursts never trip the
# limit. Other processes that share the key are handled by 429 retries.
REQUESTS_PER_SECOND = 9.0

# Transient faults on reads. 429 is the rate limit, and 502, 503 and 504 come
# from gateways and overloaded servers. 500 is left out because a plain server
# error tends to repeat for the same request, so a retry would only delay it.
READ_RETRY_STATUSES = frozenset((429, 502, 503, 504))

# urllib3 sleeps backoff_factor * 2 ** (n - 1) seconds before retry n > 1.
RETRY_BACKOFF_FACTOR = 0.5

# Without a running wait there is no deadline to bound a Retry-After. A
# longer pause than this is not worth blocking a task for: the call fails as
# retryable and the playbook decides.
MAX_RETRY_AFTER = 60.0

# A status reply is a few hundred bytes. A body larger than this is not a
# GravityZone reply (a proxy page, a misrouted download) and is not parsed.
MAX_REPLY_BYTES = 4 * 1024 * 1024

# The Access URL shown in the console ends in /api; the endpoints follow it.
ENDPOINT_PATH = "/v1.0/jsonrpc/%s"
_ENDPOINT_SUFFIX = re.compile(r"/v1\.0/jsonrpc(/[A-Za-z]*)?$")

# JSON-RPC error codes whose retry cannot change the result.
RPC_PARSE_ERROR = -32700
RPC_INVALID_REQUEST = -32600
RPC_METHOD_NOT_FOUND = -32601
RPC_INVALID_PARAMS = -32602
PERMANENT_RPC_CODES = frozenset((RPC_PARSE_ERROR, RPC_INVALID_REQUEST, RPC_METHOD_NOT_FOUND, RPC_INVALID_PARAMS))

REDACTED = "********"


class GravityZoneError(Exception):
    """A failed API call, with a message that is safe to show.

    retryable is true when the same call may succeed later (timeouts, 429,
    5xx, connection errors). action_specific is true when the API rejected
    the parameters of this one call (-32602). affects_all is true when every
    other call would fail the same way (authentication, permission, TLS,
    connection, rate limit, wrong URL). A caller reading many actions stops
    then, and otherwise goes on with the others.

    maybe_delivered is true when the request may have reached GravityZone
    and been carried out although the call failed (a read timeout, a
    connection dropped after sending, a 5xx, a garbled reply). A create call
    with this flag may have created an action. request_id is the JSON-RPC
    id of the failed request. summary says what failed without the advice on
    what to do next, for callers that give their own advice.
    """

    def __init__(self, message, retryable=False, http_status=None, rpc_code=None, details=None, action_specific=False,
                 affects_all=False, maybe_delivered=False, summary=None):
        super(GravityZoneError, self).__init__(message)
        self.message = message
        self.summary = summary or message
        self.retryable = retryable
        self.http_status = http_status
        self.rpc_code = rpc_code
        self.details = details
        self.action_specific = action_specific
        self.affects_all = affects_all
        self.maybe_delivered = maybe_delivered
        self.request_id = None
        self.body_broken = False

    def __str__(self):
        return self.message


class ConnectionOptionError(ValueError):
    """A connection option value that cannot work; raised before any request."""


def is_loopback_host(host):
    """Return True for localhost and any loopback IP address (127.0.0.0/8, ::1)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def normalise_base_url(base_url):
    """Return the Access URL, ending in /api, for any accepted form of base_url.

    https://host, https://host/api, https://host/api/ and the full endpoint
    https://host/api/v1.0/jsonrpc/incidents all give https://host/api.
    Plain http is accepted only for a loopback host, because the key would
    otherwise cross the network in clear text.
    """
    if not isinstance(base_url, str) or not base_url.strip():
        raise ConnectionOptionError(
            "base_url is missing or empty. Set it to the Access URL of the API key, shown in the GravityZone console "
            "under My Account > Control Center API, for example https://cloud.gravityzone.bitdefender.com/api, "
            "or set GRAVITYZONE_BASE_URL.")
    parts = urlsplit(base_url.strip())
    if "@" in parts.netloc:
        raise ConnectionOptionError(
            "base_url must not contain a user name or password. Remove them from the URL and pass the key in api_key.")
    text = base_url.strip()
    try:
        port = parts.port
    except ValueError as exc:
        raise ConnectionOptionError("base_url %r is not a valid URL (%s). Use the form https://HOST/api." % (text, exc))
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http") or not parts.hostname:
        raise ConnectionOptionError(
            "base_url %r is not an https:// URL. Use the Access URL of the API key, for example "
            "https://cloud.gravityzone.bitdefender.com/api." % text)
    if parts.query or parts.fragment:
        raise ConnectionOptionError("base_url %r has a query or fragment. Use the form https://HOST/api." % text)
    if scheme == "http" and not is_loopback_host(parts.hostname):
        raise ConnectionOptionError(
            "base_url %r uses plain http to a host that is not a loopback address, which would send the API key "
            "in clear text. Use https://." % text)

    path = parts.path.rstrip("/")
    path = _ENDPOINT_SUFFIX.sub("", path)
    if not path.endswith("/api"):
        path += "/api"
    host = parts.hostname
    if ":" in host:
        host = "[%s]" % host
    netloc = host if port is None else "%s:%d" % (host, port)
    return urlunsplit((scheme, netloc, path, "", ""))


def _positive_number(name, value, kind, maximum):
    try:
        number = kind(value)
    except (TypeError, ValueError):
        number = None
    if number is None or isinstance(value, bool) or not math.isfinite(number) or number <= 0:
        raise ConnectionOptionError("%s must be a finite number greater than 0, got %r." % (name, value))
    if number > maximum:
        raise ConnectionOptionError("%s must be at most %s seconds, got %r." % (name, maximum, value))
    return number


# Spellings accepted for validate_certs when it arrives as a string, as
# GRAVITYZONE_VALIDATE_CERTS or an AWX injector gives it. Anything else is
# rejected rather than read as false, because false turns TLS checks off.
TRUE_STRINGS = frozenset(("true", "yes", "on", "1"))
FALSE_STRINGS = frozenset(("false", "no", "off", "0"))


def strict_bool(name, value):
    """Return value as a bool, or raise ConnectionOptionError for anything that is not clearly one."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in TRUE_STRINGS | FALSE_STRINGS:
        return value.strip().lower() in TRUE_STRINGS
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise ConnectionOptionError("%s must be true or false, got %r." % (name, value))


def type_name(value):
    """Return the plain JSON-ish type name of value (int, not a tagged subclass such as _AnsibleTaggedInt)."""
    for kind in (bool, int, float, str, list, dict):
        if isinstance(value, kind):
            return kind.__name__
    return type(value).__name__


def validate_connection_options(base_url, api_key, validate_certs=True, ca_path=None, timeout=DEFAULT_TIMEOUT,
                                request_retries=DEFAULT_REQUEST_RETRIES):
    """Check the connection options and return them normalised, as a dict.

    Raises ConnectionOptionError naming the option and the fix. The message
    never contains api_key.
    """
    access_url = normalise_base_url(base_url)
    if not isinstance(api_key, str) or not api_key.strip():
        raise ConnectionOptionError(
            "api_key is missing or empty. Set it to a GravityZone API key with the Incidents API enabled, "
            "or set GRAVITYZONE_API_KEY.")
    if api_key != api_key.strip() or "\n" in api_key:
        raise ConnectionOptionError("api_key has surrounding whitespace or a line break. Remove it; the key is used as given.")
    if not all(" " < character < "\x7f" for character in api_key):
        raise ConnectionOptionError(
            "api_key contains characters other than printable ASCII, which no GravityZone key has. Copy the key again "
            "from the GravityZone console.")
    timeout = _positive_number("timeout", timeout, float, MAX_TIMEOUT)
    try:
        retries = int(request_retries)
    except (TypeError, ValueError):
        retries = -1
    if isinstance(request_retries, bool) or retries < 0 or retries != request_retries or retries > MAX_REQUEST_RETRIES:
        raise ConnectionOptionError("request_retries must be a whole number from 0 to %d, got %r." % (MAX_REQUEST_RETRIES, request_retries))
    # An empty value means "not set": AWX injects GRAVITYZONE_CA_PATH as an
    # empty string when a credential has no CA bundle.
    ca_path = os.path.expanduser(os.path.expandvars(ca_path)) if ca_path else None
    if ca_path is not None:
        if not os.path.exists(ca_path):
            raise ConnectionOptionError("ca_path %r does not exist. Point it to a PEM CA bundle file or a directory of CA certificates." % ca_path)
        if not os.access(ca_path, os.R_OK):
            raise ConnectionOptionError("ca_path %r is not readable by this process." % ca_path)
    return {
        "access_url": access_url,
        "api_key": api_key,
        "validate_certs": strict_bool("validate_certs", validate_certs),
        "ca_path": ca_path,
        "timeout": timeout,
        "request_retries": retries,
    }


def insecure_tls_warning(access_url):
    """Return the warning shown whenever validate_certs is false."""
    return ("validate_certs is false: the TLS certificate of %s is not checked, so the API key can be sent to an "
            "impostor. Use ca_path for a private CA instead." % access_url)


def redact(text, api_key):
    """Replace the key, and the base64 of the Basic credentials, with a mask."""
    if not api_key or not isinstance(text, str):
        return text
    basic = base64.b64encode(("%s:" % api_key).encode("utf-8")).decode("ascii")
    for secret in (basic, basic.rstrip("="), api_key):
        text = text.replace(secret, REDACTED)
    return text


if HAS_REQUESTS:
    class DeadlineRetry(Retry):
        """urllib3 Retry that gives up instead of sleeping past a deadline.

        deadline is a value of clock, or None. A retry is made only when its
        pause and one more attempt of attempt_timeout seconds fit before the
        deadline, so that retries never carry a call past it. A Retry-After
        longer than max_retry_after also ends the retries. Giving up on a
        status retry makes urllib3 return the last response (raise_on_status
        is off), so the caller still sees the 429 or 503 and its body.
        """

        EXTRA_ATTRIBUTES = ("deadline", "attempt_timeout", "max_retry_after", "clock", "jitter")

        def __init__(self, *args, **kwargs):
            self.jitter = kwargs.pop("jitter", 0.0)
            self.deadline = kwargs.pop("deadline", None)
            self.attempt_timeout = kwargs.pop("attempt_timeout", 0.0)
            self.max_retry_after = kwargs.pop("max_retry_after", MAX_RETRY_AFTER)
            self.clock = kwargs.pop("clock", time.monotonic)
            super(DeadlineRetry, self).__init__(*args, **kwargs)

        def new(self, **kw):
            renewed = super(DeadlineRetry, self).new(**kw)
            for name in self.EXTRA_ATTRIBUTES:
                setattr(renewed, name, getattr(self, name))
            return renewed

        def get_retry_after(self, response):
            """Return Retry-After plus a random jitter of up to self.jitter seconds."""
            retry_after = super(DeadlineRetry, self).get_retry_after(response)
            if retry_after is None or not self.jitter:
                return retry_after
            if not hasattr(response, "_gravityzone_jitter"):
                # One draw per response, so that the deadline check in
                # increment() and urllib3's sleep agree on the pause.
                response._gravityzone_jitter = random.uniform(0, self.jitter)
            return retry_after + response._gravityzone_jitter

        def increment(self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None):
            renewed = super(DeadlineRetry, self).increment(method, url, response, error, _pool, _stacktrace)
            retry_after = None
            if response is not None and self.respect_retry_after_header:
                retry_after = renewed.get_retry_after(response)
            pause = retry_after if retry_after is not None else renewed.get_backoff_time()
            too_long = retry_after is not None and retry_after > self.max_retry_after
            past_deadline = self.deadline is not None and self.clock() + pause + self.attempt_timeout > self.deadline
            if too_long or past_deadline:
                raise MaxRetryError(_pool, url, error or ResponseError("retry would pass the deadline"))
            return renewed


def read_retry_policy(retries, deadline=None, attempt_timeout=0.0, clock=time.monotonic, jitter=0.0):
    """Build the Retry for reads: 429, 502-504, connection errors and read timeouts.

    urllib3 retries only idempotent methods by default, and every JSON-RPC
    call is a POST, so POST is allowed explicitly. Reads are safe to repeat.
    """
    return DeadlineRetry(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        other=0,
        redirect=0,
        allowed_methods=frozenset(["POST"]),
        status_forcelist=READ_RETRY_STATUSES,
        backoff_factor=RETRY_BACKOFF_FACTOR,
        respect_retry_after_header=True,
        raise_on_status=False,
        raise_on_redirect=False,
        deadline=deadline,
        attempt_timeout=attempt_timeout,
        clock=clock,
        jitter=jitter,
    )


def create_retry_policy(retries, jitter=0.0):
    """Build the Retry for createResponseAction: only what cannot have created an action.

    The API has no idempotency key, so a create is repeated only after a
    refused connection (nothing was sent) or HTTP 429 (the rate limiter
    turned it away). A read timeout, a connection dropped after sending and
    a 5xx are not repeated, because the first request may have created the
    action.
    """
    return DeadlineRetry(
        total=retries,
        connect=retries,
        read=0,
        status=retries,
        other=0,
        redirect=0,
        allowed_methods=frozenset(["POST"]),
        status_forcelist=frozenset([429]),
        backoff_factor=RETRY_BACKOFF_FACTOR,
        respect_retry_after_header=True,
        raise_on_status=False,
        raise_on_redirect=False,
        jitter=jitter,
    )


class _Pacer:
    """Spaces request starts at least 1 / rate seconds apart.

    Written by hand because it is one sleep computation, and a rate-limit
    library would be one more dependency on every managed node.
    """

    def __init__(self, rate, clock=time.monotonic, sleep=time.sleep):
        self.interval = 1.0 / rate
        self.clock = clock
        self.sleep = sleep
        self.next_start = None

    def wait_turn(self):
        now = self.clock()
        if self.next_start is not None and now < self.next_start:
            self.sleep(self.next_start - now)
            now = self.next_start
        self.next_start = now + self.interval


def _error_chain(exc):
    """Yield exc and the exceptions it wraps (urllib3 reasons, causes, args)."""
    seen = set()
    pending = [exc]
    while pending:
        current = pending.pop(0)
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        linked = [getattr(current, "reason", None), current.__cause__, current.__context__]
        linked.extend(getattr(current, "args", ()))
        pending.extend(item for item in linked if isinstance(item, BaseException))


def _chain_has(exc, *names):
    return any(type(item).__name__ in names for item in _error_chain(exc))


class GravityZoneClient:
    """JSON-RPC client for one key, with one requests Session for all calls.

    The Session keeps the TLS connection open between polls. Proxies come
    from HTTPS_PROXY and NO_PROXY as in every requests-based tool. verify is
    passed on every request because requests lets REQUESTS_CA_BUNDLE and
    CURL_CA_BUNDLE override Session.verify, and ca_path must win over them.
    """

    def __init__(self, access_url, api_key, validate_certs=True, ca_path=None, timeout=DEFAULT_TIMEOUT,
                 request_retries=DEFAULT_REQUEST_RETRIES, rate=REQUESTS_PER_SECOND, clock=time.monotonic, sleep=time.sleep,
                 retry_after_jitter=RETRY_AFTER_JITTER):
        if not HAS_REQUESTS:
            raise GravityZoneError(
                "The Python library 'requests' is not installed for the interpreter that runs this task. "
                "Install it there (pip install requests), or set ansible_python_interpreter to a Python that has it.")
        self.access_url = access_url
        self.timeout = timeout
        self.request_retries = request_retries
        if not validate_certs:
            self.verify = False
        else:
            self.verify = ca_path if ca_path else True
        self.clock = clock
        self.retry_after_jitter = retry_after_jitter
        self._api_key = api_key
        self._pacer = _Pacer(rate, clock=clock, sleep=sleep)
        self._session = requests.Session()
        self._session.auth = requests.auth.HTTPBasicAuth(api_key, "")
        self._session.headers["User-Agent"] = "bitdefender.gravityzone-ansible"
        self._adapter = HTTPAdapter(max_retries=read_retry_policy(request_retries))
        self._session.mount("https://", self._adapter)
        self._session.mount("http://", self._adapter)

    @classmethod
    def from_options(cls, options, **kwargs):
        """Build a client from the dict that validate_connection_options returns."""
        return cls(options["access_url"], options["api_key"], validate_certs=options["validate_certs"],
                   ca_path=options["ca_path"], timeout=options["timeout"], request_retries=options["request_retries"], **kwargs)

    def endpoint(self, area):
        return self.access_url + ENDPOINT_PATH % area

    def close(self):
        self._session.close()

    def redact(self, text):
        return redact(text, self._api_key)

    def call(self, area, method, params, deadline=None, creates=False, request_id=None):
        """Call method in the API area and return the JSON-RPC result.

        deadline (a value of the client's clock) bounds the request timeout
        and every retry pause. creates=True selects the create retry policy,
        for calls that must not run twice. request_id sets the JSON-RPC id,
        a fresh UUID by default. Raises GravityZoneError, with request_id set.
        """
        request_id = request_id or str(uuid.uuid4())
        # requests reads the reply body after urllib3's Retry has returned, so
        # a connection that breaks after the headers is not retried there. A
        # read repeats the call itself for that case, within the same
        # request_retries budget and deadline; a create never does.
        body_retries = 0 if creates else self.request_retries
        while True:
            try:
                return self._call(area, method, params, deadline, creates, request_id)
            except GravityZoneError as error:
                error.request_id = request_id
                if not error.body_broken or body_retries <= 0 or (deadline is not None and self.clock() >= deadline):
                    raise
                body_retries -= 1

    def _call(self, area, method, params, deadline, creates, request_id):
        url = self.endpoint(area)
        body = {"id": request_id, "jsonrpc": "2.0", "method": method, "params": params}
        timeout = self.timeout
        if deadline is not None:
            timeout = min(timeout, max(deadline - self.clock(), 0.001))
        if creates:
            self._adapter.max_retries = create_retry_policy(self.request_retries, self.retry_after_jitter)
        else:
            self._adapter.max_retries = read_retry_policy(self.request_retries, deadline, timeout, self.clock, self.retry_after_jitter)

        self._pacer.wait_turn()
        failure = None
        try:
            with warnings.catch_warnings():
                # With validate_certs false the task already warns once in
                # Ansible's own way. urllib3 would also print a warning per
                # request to stderr, which ansible-core reports as errant output.
                warnings.simplefilter("ignore", InsecureRequestWarning)
                response = self._session.post(url, json=body, timeout=timeout, verify=self.verify, allow_redirects=False, stream=True)
                try:
                    content = self._read_body(response)
                finally:
                    response.close()
        except requests.exceptions.RequestException as exc:
            failure = self._transport_error(exc, method, url, timeout)
        if failure is not None:
            raise failure
        return self._parse_reply(response.status_code, response.headers, content, request_id, method, url)

    def _read_body(self, response):
        chunks = []
        size = 0
        for chunk in response.iter_content(chunk_size=65536):
            size += len(chunk)
            if size > MAX_REPLY_BYTES:
                return None
            chunks.append(chunk)
        return b"".join(chunks)

    def _transport_error(self, exc, method, url, timeout):
        """Translate a requests exception into a GravityZoneError.

        Every transport failure affects all calls: the next one would meet
        the same network, proxy or certificate.
        """
        host = urlsplit(url).netloc
        reason = self.redact(str(_last_reason(exc)))
        # These fail before the request is sent, so nothing reached GravityZone.
        before_sending = _chain_has(exc, "NewConnectionError", "ConnectTimeoutError", "ConnectTimeout", "NameResolutionError",
                                    "ProxyError", "SSLError", "SSLCertVerificationError", "CertificateError")
        if _chain_has(exc, "SSLError", "SSLCertVerificationError", "CertificateError"):
            summary = "%s to %s failed the TLS handshake: %s" % (method, host, reason)
            hint = ("If the server uses a private CA, set ca_path to its CA bundle; check that base_url names the host in "
                    "the certificate. validate_certs=false is only for tests.")
            return GravityZoneError("%s. %s" % (summary, hint), affects_all=True, summary=summary)
        if _chain_has(exc, "ProxyError"):
            summary = "%s to %s failed at the HTTPS proxy: %s" % (method, host, reason)
            hint = "Check HTTPS_PROXY and NO_PROXY."
        elif _chain_has(exc, "ReadTimeout", "ReadTimeoutError", "ConnectTimeout", "ConnectTimeoutError", "Timeout", "TimeoutError"):
            summary = "%s to %s got no reply within %.1f seconds" % (method, host, timeout)
            hint = "Check the network path to the API; if the API is only slow, raise timeout (now %s seconds)." % self.timeout
        elif isinstance(exc, (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError)):
            summary = "%s to %s: the connection broke while the reply was being read (%s)" % (method, host, type(exc).__name__)
            hint = "If this persists, check the proxies between this host and the API."
        elif isinstance(exc, requests.exceptions.ConnectionError):
            summary = "%s to %s failed: could not connect or the connection was dropped (%s)" % (method, host, reason)
            hint = "Check base_url, DNS, firewalls and HTTPS_PROXY / NO_PROXY."
        else:
            summary = "%s to %s failed: %s" % (method, host, self.redact(str(exc)))
            hint = "Check base_url and the network path to the API."
        error = GravityZoneError("%s. %s" % (summary.rstrip(" ."), hint), retryable=True, affects_all=True,
                                 maybe_delivered=not before_sending, summary=summary)
        error.body_broken = isinstance(exc, (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError))
        return error

    def _parse_reply(self, status, headers, content, request_id, method, url):
        """Check the reply in order: HTTP status, JSON-RPC error, then result."""
        if content is None:
            return self._raise(
                ("%s: the reply from %s is larger than %d bytes, which no GravityZone reply is" % (method, url, MAX_REPLY_BYTES),
                 "Check base_url and any proxy."), retryable=True, http_status=status)
        payload, decode_problem = _decode_json(content, headers, self.redact)
        rpc_error = payload.get("error") if isinstance(payload, dict) else None
        code, message, details = _rpc_error_parts(rpc_error)

        if (status < 200 or status >= 300) and code in PERMANENT_RPC_CODES:
            # A JSON-RPC error that no retry can change, whatever HTTP status carried it.
            summary, hint = self._rpc_error_message(method, code, message, details, url)
            return self._raise(("HTTP %d: %s" % (status, summary), hint),
                               http_status=status, rpc_code=code, details=details, action_specific=code == RPC_INVALID_PARAMS,
                               affects_all=code != RPC_INVALID_PARAMS)
        if status < 200 or status >= 300:
            return self._raise(self._http_error_message(status, method, url, code, message, details, decode_problem, headers),
                               retryable=status == 429 or status >= 500, http_status=status, rpc_code=code, details=details,
                               affects_all=status < 500)
        if decode_problem:
            return self._raise(("%s: the reply from %s is not JSON-RPC (%s)" % (method, url, decode_problem),
                                "Check that base_url is the key's Access URL and that no proxy rewrites the reply."),
                               retryable=True, http_status=status)
        if not isinstance(payload, dict):
            return self._raise(("%s: the reply from %s is JSON but not a JSON-RPC object" % (method, url),
                                "Check that base_url is the key's Access URL."), retryable=True, http_status=status)
        if rpc_error is not None:
            return self._raise(self._rpc_error_message(method, code, message, details, url), retryable=code not in PERMANENT_RPC_CODES,
                               http_status=status, rpc_code=code, details=details, action_specific=code == RPC_INVALID_PARAMS,
                               affects_all=code in PERMANENT_RPC_CODES and code != RPC_INVALID_PARAMS)
        if payload.get("id") != request_id:
            return self._raise(("%s: the reply id %r does not match the request id %r" % (method, payload.get("id"), request_id),
                                "A proxy or load balancer may have mixed up replies."), retryable=True, http_status=status)
        if "result" not in payload:
            return self._raise(("%s: the reply has neither result nor error" % method,
                                "Check that base_url is the key's Access URL and that no proxy rewrites the reply."),
                               retryable=True, http_status=status)
        return payload["result"]

    def _raise(self, parts, **kwargs):
        """Raise a GravityZoneError from (summary, hint), with the key redacted."""
        summary, hint = parts
        summary = self.redact(summary.rstrip(" ."))
        # A reply that is garbled or a 5xx may come after GravityZone did the
        # work. A 4xx (429 included) or a permanent JSON-RPC error means that
        # it rejected the request.
        status = kwargs.get("http_status") or 0
        kwargs.setdefault("maybe_delivered", bool(kwargs.get("retryable")) and not 400 <= status < 500)
        if kwargs.get("details") is not None:
            kwargs["details"] = self.redact(kwargs["details"])
        raise GravityZoneError("%s. %s" % (summary, self.redact(hint)), summary=summary, **kwargs)

    def _http_error_message(self, status, method, url, code, message, details, decode_problem, headers):
        text = "%s: HTTP %d from %s" % (method, status, url)
        if code is not None:
            text += " (JSON-RPC %s %s%s)" % (code, message or "", ": %s" % details if details else "")
        elif decode_problem:
            text += " (%s)" % decode_problem
        if status == 401:
            hint = ("The API key was rejected. Check api_key, and that base_url is that key's own Access URL "
                    "(a key works only with the Access URL shown next to it in the console).")
        elif status == 403:
            hint = "The API key is not allowed to call %s. Enable the Incidents API for the key in the GravityZone console." % method
        elif status == 404:
            hint = "Check base_url: it should be the key's Access URL, ending in /api."
        elif status == 429:
            hint = ("The API rate limit (10 requests per second per key, shared by every playbook using the key) was still "
                    "exceeded when the retries ran out or the next pause would not fit%s. Run fewer parallel tasks with this "
                    "key, or wait and try again."
                    % (" (Retry-After: %s)" % headers.get("Retry-After") if headers.get("Retry-After") else ""))
        elif 300 <= status < 400:
            hint = "The API answered with a redirect to %r; set base_url to the final Access URL." % headers.get("Location")
        elif status >= 500:
            hint = "GravityZone or a proxy in front of it failed; this is usually temporary."
        else:
            hint = "Check base_url and the task parameters."
        return text, hint

    def _rpc_error_message(self, method, code, message, details, url):
        text = "%s failed with JSON-RPC error %s %s" % (method, code, message or "")
        if details:
            text += ": %s" % details
        if code == RPC_METHOD_NOT_FOUND:
            hint = ("The API at %s does not offer %s. Response actions exist only in GravityZone Cloud; an on-premises "
                    "console does not provide them. Check that base_url is a cloud Access URL." % (url, method))
        elif code == RPC_INVALID_PARAMS:
            hint = "Check the value sent to the API, such as the action ID."
        elif code in (RPC_PARSE_ERROR, RPC_INVALID_REQUEST):
            hint = "The API did not accept the request format; a proxy may have altered the request."
        else:
            hint = "GravityZone reported a server-side error; this is usually temporary."
        return text, hint


def _last_reason(exc):
    """Return the innermost wrapped exception: the most specific description."""
    deepest = exc
    for item in _error_chain(exc):
        deepest = item
    return deepest


def _decode_json(content, headers, redact_text):
    """Return (payload, problem); problem describes a body that is not JSON.

    The quoted start of the body is redacted before it is cut, so that a
    key echoed by a proxy page cannot survive in part.
    """
    if not content:
        return None, "the body is empty"
    try:
        return json.loads(content.decode("utf-8")), None
    except (UnicodeDecodeError, ValueError):
        content_type = headers.get("Content-Type", "no Content-Type")
        head = redact_text(content[:4096].decode("utf-8", "replace")).strip().replace("\n", " ")[:60]
        return None, "a body that is not valid JSON (Content-Type: %s), starting %r" % (content_type, head)


def _rpc_error_parts(error):
    """Return (code, message, details) of a JSON-RPC error member, tolerating odd shapes."""
    if error is None:
        return None, None, None
    if not isinstance(error, dict):
        return None, str(error), None
    data = error.get("data")
    details = data.get("details") if isinstance(data, dict) else None
    if details is not None and not isinstance(details, str):
        details = json.dumps(details)
    message = error.get("message")
    return error.get("code"), message if isinstance(message, str) else None, details
