"""Outgoing pushes: the three formats, their signing, the address check and the HTTP call.

- generic: our JSON; the raw body is signed with the endpoint's secret,
  ``X-Shidian-Signature: sha256=<hex HMAC-SHA256(secret, body)>``, and the time is sent as
  ``X-Shidian-Timestamp`` (also inside the body, so the signature covers it; a receiver
  refuses old timestamps to stop replays).
- wecom: 企业微信群机器人, ``{"msgtype": "markdown", ...}``; the robot's key is in its URL.
- dingtalk: 钉钉群机器人, ``{"msgtype": "text", ...}``; with a secret ("加签"), DingTalk's
  own signing: ``timestamp`` (ms) and ``sign`` = base64(HMAC-SHA256(secret, "timestamp\\nsecret"))
  in the query string.

Only http(s) addresses; link-local (cloud metadata), unspecified and multicast addresses are
refused when saved and again when sent (after DNS); redirects are not followed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from shidian.apps.notifications import conf

SIGNATURE_HEADER = "X-Shidian-Signature"
TIMESTAMP_HEADER = "X-Shidian-Timestamp"
TEXT_MAX = 3500  # group robots cut long messages (WeCom markdown: 4096 bytes)


class AddressRefused(ValueError):
    """The push address is not allowed (scheme, or a blocked network)."""


def check_url(url: str, *, resolve: bool = True) -> None:
    """Raise AddressRefused unless ``url`` is http(s) to a host outside the blocked networks."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AddressRefused("scheme")
    blocked = [ipaddress.ip_network(n) for n in conf.webhook_blocked_networks()]
    addresses = []
    try:
        addresses = [ipaddress.ip_address(parts.hostname)]
    except ValueError:
        if resolve:
            try:
                infos = socket.getaddrinfo(
                    parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP
                )
            except OSError as exc:
                raise AddressRefused("dns") from exc
            addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    for address in addresses:
        mapped = getattr(address, "ipv4_mapped", None)
        for candidate in (address, mapped):
            if candidate is not None and any(
                candidate.version == net.version and candidate in net for net in blocked
            ):
                raise AddressRefused("blocked")


def sign_body(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_signature(secret: str, body: bytes, header: str) -> bool:
    """What a receiver does (and our tests): compare in constant time."""
    return hmac.compare_digest(sign_body(secret, body), header or "")


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), to_sign, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def dingtalk_url(url: str, secret: str, timestamp_ms: int) -> str:
    if not secret:
        return url
    query = urllib.parse.urlencode(
        {"timestamp": timestamp_ms, "sign": dingtalk_sign(secret, timestamp_ms)}
    )
    return f"{url}{'&' if '?' in url else '?'}{query}"


def robot_text(payload: dict[str, Any], *, markdown: bool) -> str:
    """The group robot's message: the category, each line with its link."""
    title = payload.get("title") or payload.get("category_label") or ""
    lines = [f"### {title}" if markdown else f"【{title}】"]
    for item in payload.get("items", []):
        link = item.get("link") or ""
        if markdown and link:
            lines.append(f"- [{item['subject']}]({link})")
        else:
            lines.append(f"- {item['subject']}" + (f" {link}" if link else ""))
    more = payload.get("more", 0)
    if more:
        lines.append(f"- … +{more}")
    return "\n".join(lines)[:TEXT_MAX]


@dataclass
class Request:
    url: str
    body: bytes
    headers: dict[str, str]


def build_request(
    *, fmt: str, url: str, secret: str, payload: dict[str, Any], now: float | None = None
) -> Request:
    """The HTTP request for one push in endpoint format ``fmt``."""
    now = time.time() if now is None else now
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "Shidian-Webhook/1"}
    if fmt == "wecom":
        body = {"msgtype": "markdown", "markdown": {"content": robot_text(payload, markdown=True)}}
        return Request(url, _dump(body), headers)
    if fmt == "dingtalk":
        body = {"msgtype": "text", "text": {"content": robot_text(payload, markdown=False)}}
        return Request(dingtalk_url(url, secret, int(now * 1000)), _dump(body), headers)
    stamp = str(int(now))
    raw = _dump({**payload, "timestamp": int(stamp)})
    headers[TIMESTAMP_HEADER] = stamp
    if secret:
        headers[SIGNATURE_HEADER] = sign_body(secret, raw)
    return Request(url, raw, headers)


def _dump(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect could lead to a blocked address: treated as a failure


@dataclass
class Outcome:
    ok: bool
    status_code: int | None
    error: str = ""


def send(request: Request) -> Outcome:
    """POST ``request`` once; any failure is an Outcome, never an exception."""
    try:
        check_url(request.url)
    except AddressRefused as exc:
        return Outcome(False, None, f"address refused ({exc})")
    proxy = conf.webhook_proxy()
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({"http": proxy, "https": proxy} if proxy else {}), _NoRedirect
    )
    http = urllib.request.Request(
        request.url, data=request.body, headers=request.headers, method="POST"
    )
    try:
        with opener.open(http, timeout=conf.webhook_timeout()) as response:
            code, text = response.status, response.read(4096)
    except urllib.error.HTTPError as exc:
        return Outcome(False, exc.code, f"HTTP {exc.code}")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return Outcome(False, None, str(getattr(exc, "reason", exc))[:300])
    if not 200 <= code < 300:
        return Outcome(False, code, f"HTTP {code}")
    # Group robots answer 200 with {"errcode": n, "errmsg": ...} when they refuse a message.
    try:
        answer = json.loads(text or b"{}")
    except ValueError:
        answer = {}
    if isinstance(answer, dict) and answer.get("errcode") not in (None, 0):
        return Outcome(
            False, code, f"errcode {answer.get('errcode')}: {answer.get('errmsg', '')}"[:300]
        )
    return Outcome(True, code)
