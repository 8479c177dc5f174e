"""Bluesky XRPC endpoints Vigie reads, answering like a PDS does (see platform_servers)."""

from __future__ import annotations

import base64
import json
import time
from datetime import timedelta
from typing import Any

from server_base import T0, PlatformServer, Reply, iso, one


def _jwt(subject: str) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    exp = int(time.time()) + 7200
    header = part({"alg": "ES256K", "typ": "at+jwt"})
    claims = part(
        {
            "scope": "com.atproto.appPass",
            "sub": subject,
            "iat": exp - 7200,
            "exp": exp,
            "aud": "did:web:local",
        }
    )
    return f"{header}.{claims}.c2ln"


class BlueskyServer(PlatformServer):
    """XRPC: createSession, listNotifications, searchPosts, getAuthorFeed (newest first);
    getPosts, and com.atproto.repo createRecord / getRecord for the brand's replies."""

    password = "app-pass-1234"

    def __init__(self, handle: str = "laurentia.bsky.social") -> None:
        super().__init__()
        self.handle = handle
        self.did = "did:plc:laurentiabrand000000000"
        self.jwt = _jwt(self.did)
        self.posts: list[dict[str, Any]] = []
        self.notifications: list[dict[str, Any]] = []
        self._count = 0
        self.records: dict[str, dict[str, Any]] = {}  # rkey -> record created by the brand
        self.hold_writes: Any = None  # a threading.Event: writes done, answers held until set

    def authorized(self, headers: Any) -> bool:
        return headers.get("Authorization") == f"Bearer {self.jwt}"

    def add_post(
        self, handle: str, text: str, *, mention: bool = False, **record: Any
    ) -> dict[str, Any]:
        with self.lock:
            self._count += 1
            did = f"did:plc:{handle.split('.')[0]:0<24}"[:32]
            rkey = f"3l{self._count:011d}"
            moment = T0 + timedelta(seconds=self._count)
            view = {
                "uri": f"at://{did}/app.bsky.feed.post/{rkey}",
                "cid": f"bafyrei{self._count:040d}",
                "author": {
                    "did": did,
                    "handle": handle,
                    "displayName": handle.split(".")[0].title(),
                    "description": "Abonné·e",
                    "labels": [],
                },
                "record": {
                    "$type": "app.bsky.feed.post",
                    "text": text,
                    "createdAt": iso(moment),
                    "langs": ["fr"],
                    **record,
                },
                "replyCount": 0,
                "repostCount": 1,
                "likeCount": 3,
                "quoteCount": 0,
                "indexedAt": iso(moment),
                "labels": [],
            }
            self.posts.append(view)
            if mention:
                self.notifications.append(
                    {
                        "uri": view["uri"],
                        "cid": view["cid"],
                        "author": view["author"],
                        "reason": "mention",
                        "record": view["record"],
                        "isRead": False,
                        "indexedAt": view["indexedAt"],
                        "labels": [],
                    }
                )
            return view

    def limit_headers(self, remaining: int, reset_in: float) -> dict[str, str]:
        return {
            "ratelimit-limit": "3000",
            "ratelimit-remaining": str(remaining),
            "ratelimit-reset": str(int(time.time() + reset_in + 0.999)),
            "ratelimit-policy": "3000;w=300",
        }

    def unauthorized(self) -> Reply:
        return Reply(401, {"error": "AuthenticationRequired", "message": "Token has been revoked"})

    def route(
        self, method: str, path: str, query: dict[str, list[str]], body: Any, headers: Any
    ) -> Reply:
        if path == "/xrpc/com.atproto.server.createSession":
            if (body or {}).get("password") != self.password:
                return Reply(
                    401,
                    {
                        "error": "AuthenticationRequired",
                        "message": "Invalid identifier or password",
                    },
                )
            return Reply(
                200,
                {
                    "did": self.did,
                    "handle": self.handle,
                    "accessJwt": self.jwt,
                    "refreshJwt": self.jwt,
                    "active": True,
                },
                self.spend(),
            )
        if path == "/xrpc/app.bsky.feed.getPosts":
            uris = query.get("uris") or query.get("uris[]") or []
            return Reply(200, {"posts": [p for p in self.posts if p["uri"] in uris]}, self.spend())
        if path == "/xrpc/com.atproto.repo.createRecord" and method == "POST":
            reply = self._create_record(body or {})
            reply.hold = self.hold_writes
            return reply
        if path == "/xrpc/com.atproto.repo.getRecord":
            rkey = one(query, "rkey") or ""
            if one(query, "repo") not in (self.did, self.handle) or rkey not in self.records:
                return Reply(
                    400, {"error": "RecordNotFound", "message": f"Could not locate record: {rkey}"}
                )
            return Reply(200, self.records[rkey], self.spend())
        if path == "/xrpc/app.bsky.notification.listNotifications":
            items, cursor = self._page(self.notifications, query)
            return Reply(200, {"notifications": items, **cursor}, self.spend())
        if path == "/xrpc/app.bsky.feed.searchPosts":
            q = (one(query, "q") or "").lower()
            items, cursor = self._page(
                [p for p in self.posts if q in p["record"]["text"].lower()], query
            )
            return Reply(200, {"posts": items, **cursor}, self.spend())
        if path == "/xrpc/app.bsky.feed.getAuthorFeed":
            actor = one(query, "actor")
            items, cursor = self._page(
                [p for p in self.posts if p["author"]["handle"] == actor], query
            )
            return Reply(200, {"feed": [{"post": p} for p in items], **cursor}, self.spend())
        return Reply(501, {"error": "MethodNotImplemented", "message": f"{path} not implemented"})

    def _create_record(self, body: dict[str, Any]) -> Reply:
        if body.get("repo") not in (self.did, self.handle):
            return Reply(400, {"error": "InvalidRequest", "message": "repo is not yours"})
        record, rkey = body.get("record") or {}, str(body.get("rkey") or f"3k{len(self.records):011d}")
        if rkey in self.records:
            return Reply(400, {"error": "InvalidRequest", "message": f"Record already exists: {rkey}"})
        parent = ((record.get("reply") or {}).get("parent") or {}).get("uri")
        if parent and not any(p["uri"] == parent for p in self.posts):
            return Reply(400, {"error": "InvalidRequest", "message": "parent post not found"})
        uri = f"at://{self.did}/app.bsky.feed.post/{rkey}"
        cid = f"bafyreibrand{len(self.records):036d}"
        self.records[rkey] = {"uri": uri, "cid": cid, "value": record}
        return Reply(
            200,
            {"uri": uri, "cid": cid, "commit": {"cid": cid, "rev": rkey}, "validationStatus": "valid"},
            self.spend(),
        )

    def _page(
        self, items: list[dict[str, Any]], query: dict[str, list[str]]
    ) -> tuple[list[dict[str, Any]], dict[str, str]]:
        limit = int(one(query, "limit") or 50)
        cursor = one(query, "cursor")
        ordered = sorted(items, key=lambda i: (i["indexedAt"], i["uri"]), reverse=True)
        if cursor:
            ordered = [
                i for i in ordered if (i["indexedAt"], i["uri"]) < tuple(cursor.split("|", 1))
            ]
        page = ordered[:limit]
        more = len(ordered) > limit
        return page, ({"cursor": f"{page[-1]['indexedAt']}|{page[-1]['uri']}"} if more else {})
