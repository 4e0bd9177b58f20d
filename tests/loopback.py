"""A real HTTP server on 127.0.0.1 for tests: static folders plus scripted routes."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

__all__ = ["Concurrency", "Reply", "Server", "serve"]


@dataclass
class Reply:
    """A scripted answer. `chunks` with `delay` trickles the body out slowly."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    chunks: int = 1


Route = Reply | Callable[[BaseHTTPRequestHandler], Reply]

_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".ics": "text/calendar; charset=utf-8",
    ".json": "application/json",
    ".jsonld": "application/ld+json",
    ".pdf": "application/pdf",
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".png": "image/png",
}


class Concurrency:
    """A route that holds each request for `hold` seconds and records the most requests
    it served at once (`peak`), to check caps on concurrent fetches."""

    def __init__(self, reply: Reply, hold: float) -> None:
        self.reply, self.hold = reply, hold
        self.now = self.peak = 0
        self._lock = threading.Lock()

    def __call__(self, handler: BaseHTTPRequestHandler) -> Reply:
        with self._lock:
            self.now += 1
            self.peak = max(self.peak, self.now)
        time.sleep(self.hold)
        with self._lock:
            self.now -= 1
        return self.reply


@dataclass
class Server:
    base: str
    routes: dict[str, Route]
    requests: list[tuple[str, dict[str, str]]]

    def url(self, path: str) -> str:
        return self.base + path


@contextmanager
def serve(root: Path | None = None, routes: dict[str, Route] | None = None) -> Iterator[Server]:
    """Serve `root` and `routes` on a free loopback port until the block ends."""
    routes = dict(routes or {})
    requests: list[tuple[str, dict[str, str]]] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # keep test output clean
            pass

        def do_GET(self) -> None:
            requests.append((self.path, dict(self.headers)))
            path = self.path.split("?", 1)[0]
            route = routes.get(path) or routes.get(self.path)
            if route is None and root is not None:
                file = (root / path.lstrip("/")).resolve()
                if file.is_dir():
                    file = file / "index.html"
                if file.is_file() and root.resolve() in file.parents:
                    body = file.read_bytes()
                    # Static files carry an ETag and answer If-None-Match like a real server.
                    etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
                    kind = {"Content-Type": _TYPES.get(file.suffix, "application/octet-stream")}
                    if self.headers.get("If-None-Match") == etag:
                        route = Reply(304, b"", {"ETag": etag})
                    else:
                        route = Reply(200, body, {**kind, "ETag": etag})
            if route is None:
                route = Reply(404, b"not found", {"Content-Type": "text/plain"})
            reply = route(self) if callable(route) else route
            self.send_response(reply.status)
            headers = {"Content-Length": str(len(reply.body)), **reply.headers}
            for key, value in headers.items():
                self.send_header(key, value)
            self.end_headers()
            if not reply.body or self.command == "HEAD":
                return
            size = max(1, len(reply.body) // reply.chunks)
            try:
                for start in range(0, len(reply.body), size):
                    if reply.delay:
                        time.sleep(reply.delay)
                    self.wfile.write(reply.body[start : start + size])
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass

        do_HEAD = do_GET

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Server(f"http://127.0.0.1:{server.server_address[1]}", routes, requests)
    finally:
        server.shutdown()
        server.server_close()
