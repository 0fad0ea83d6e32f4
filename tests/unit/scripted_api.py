# -*- coding: utf-8 -*-
# Copyright (c) bitdefender.gravityzone contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Test doubles for the unit tests: a scripted JSON-RPC endpoint and a fake clock.

ScriptedApi replies to the requests that reach a local pytest-httpserver
with replies a test lists in advance, and records every request, so a test can
check the wire format as well as the client's reading of each reply.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import json
import threading
import time

from werkzeug.wrappers import Response

# A distinctive key, so that a test can search any text for it.
API_KEY = "gzKEY-7c1e9a55d4b2-unit-test-only"
BASIC_CREDENTIALS = base64.b64encode(("%s:" % API_KEY).encode("ascii")).decode("ascii")
SECRETS = (API_KEY, BASIC_CREDENTIALS, BASIC_CREDENTIALS.rstrip("="))

ENDPOINT_PATH = "/api/v1.0/jsonrpc/incidents"
STATUS_METHOD = "getResponseActionStatus"


class FakeClock:
    """A monotonic clock that moves only when something sleeps or calls advance().

    Every sleep is recorded with a label (pacer, reader, retry) so that a
    test can tell the pauses of the client's pacing, of a wait and of
    urllib3's Retry apart.
    """

    def __init__(self, start=1000.0):
        self.now = start
        self.sleeps = []
        self._lock = threading.Lock()

    def monotonic(self):
        return self.now

    def advance(self, seconds):
        with self._lock:
            self.now += seconds

    def sleeper(self, label):
        """Return a time.sleep replacement that records its pauses under label."""
        def sleep(seconds):
            self.sleeps.append((label, seconds))
            if seconds > 0:
                self.advance(seconds)
        return sleep

    def slept(self, label):
        """Return the pauses recorded under label, in order."""
        return [seconds for name, seconds in self.sleeps if name == label]


class FakeTimeModule:
    """A stand-in for the time module of another module: fake monotonic and sleep, real everything else."""

    def __init__(self, clock, label):
        self._clock = clock
        self.sleep = clock.sleeper(label)

    def monotonic(self):
        return self._clock.monotonic()

    def __getattr__(self, name):
        return getattr(time, name)


class RecordedRequest:
    """One request as the server received it."""

    def __init__(self, request, clock):
        self.method = request.method
        self.path = request.path
        self.headers = dict(request.headers)
        self.raw_body = request.get_data()
        try:
            self.body = json.loads(self.raw_body.decode("utf-8"))
        except ValueError:
            self.body = None
        self.started = clock.monotonic() if clock is not None else None

    @property
    def request_id(self):
        return self.body.get("id") if isinstance(self.body, dict) else None

    @property
    def action_id(self):
        if not isinstance(self.body, dict) or not isinstance(self.body.get("params"), dict):
            return None
        return self.body["params"].get("actionId")


class Reply:
    """A scripted reply. payload is JSON-encoded with the request id filled in, unless body is given.

    delay is a real pause before the reply, for timeout tests. cost moves the
    fake clock forward, as if the request had taken that long.
    declared_length replaces the Content-Length header, so that a value
    larger than the body makes the connection end in the middle of the reply.
    """

    def __init__(self, status=200, payload=None, body=None, headers=None, content_type=None, delay=0.0, cost=0.0,
                 declared_length=None):
        self.status = status
        self.payload = payload
        self.body = body
        self.headers = dict(headers or {})
        self.content_type = content_type
        self.delay = delay
        self.cost = cost
        self.declared_length = declared_length

    def render(self, recorded):
        if self.body is not None:
            data = self.body if isinstance(self.body, bytes) else self.body.encode("utf-8")
            content_type = self.content_type or "text/plain"
        else:
            payload = dict(self.payload)
            payload.setdefault("jsonrpc", "2.0")
            if payload.get("id", "ECHO") == "ECHO":
                payload["id"] = recorded.request_id
            data = json.dumps(payload).encode("utf-8")
            content_type = self.content_type or "application/json"
        response = Response(data, status=self.status, headers=self.headers, content_type=content_type)
        if self.declared_length is not None:
            response.headers["Content-Length"] = str(self.declared_length)
        return response


def result_reply(result, **kwargs):
    """Reply with a JSON-RPC result, echoing the request id."""
    return Reply(payload={"id": "ECHO", "result": result}, **kwargs)


def error_reply(code, message, details=None, **kwargs):
    """Reply with a JSON-RPC error member, with data.details when details is set."""
    error = {"code": code, "message": message}
    if details is not None:
        error["data"] = {"details": details}
    return Reply(payload={"id": "ECHO", "error": error}, **kwargs)


def raw_reply(status, body, content_type="text/plain", **kwargs):
    """Reply with a body as given, JSON or not."""
    return Reply(status=status, body=body, content_type=content_type, **kwargs)


def status_result(status, action_type=3, **fields):
    """Return a getResponseActionStatus result object as the API documents it."""
    result = {
        "type": action_type,
        "status": status,
        "generatedOn": "2023-08-06T23:43:27",
        "companyId": "5d1a2b3c4d5e6f7a8b9c0d1e",
        "userId": "5d1a2b3c4d5e6f7a8b9c0d1f",
        "userName": "soc.analyst@example.com",
        "targetUserId": "8f14e45fceea167a5a36dedd",
        "targetUserName": "jane.doe@example.com",
    }
    result.update(fields)
    return result


def status_reply(status, action_type=3, **fields):
    """Reply with a status result; delay and cost go to the Reply."""
    reply_options = {name: fields.pop(name) for name in ("delay", "cost", "headers") if name in fields}
    return result_reply(status_result(status, action_type, **fields), **reply_options)


class ScriptedApi:
    """The handler behind the local server, which replies to each request from a script.

    queue() adds replies that are used once each, in order. script_action()
    gives an action ID its own replies, one per read, the last one repeated,
    which is what a wait that polls the same ID needs. A request that no
    script covers gets HTTP 418 so that the test fails visibly.
    """

    UNSCRIPTED_STATUS = 418

    def __init__(self, base_url, clock=None):
        self.base_url = base_url
        self.clock = clock
        self.requests = []
        self._queue = []
        self._per_action = {}
        self._lock = threading.Lock()

    def queue(self, *replies):
        self._queue.extend(replies)
        return self

    def script_action(self, action_id, *replies):
        self._per_action[action_id] = list(replies)
        return self

    def handle(self, request):
        recorded = RecordedRequest(request, self.clock)
        with self._lock:
            self.requests.append(recorded)
            reply = self._next_reply(recorded)
        if reply is None:
            return Response("no scripted reply for this request", status=self.UNSCRIPTED_STATUS)
        if reply.delay:
            time.sleep(reply.delay)
        if reply.cost and self.clock is not None:
            self.clock.advance(reply.cost)
        return reply.render(recorded)

    def _next_reply(self, recorded):
        replies = self._per_action.get(recorded.action_id)
        if replies:
            return replies.pop(0) if len(replies) > 1 else replies[0]
        if self._queue:
            return self._queue.pop(0)
        return None

    def reads_of(self, action_id):
        """Return how many requests asked for action_id."""
        return sum(1 for recorded in self.requests if recorded.action_id == action_id)

    def action_order(self):
        return [recorded.action_id for recorded in self.requests]
