"""A tiny Paystack on loopback for the serving probe: answers `POST /transaction/initialize`
(and anything else) in Paystack's envelope after a configurable latency.

    python bench/probes/fake_paystack.py --port 8765 --latency-ms 100
"""

from __future__ import annotations

import argparse
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as Paystack: the client reuses connections
    disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms delayed ACK
    latency = 0.0

    def log_message(self, format, *args):
        pass

    def _answer(self, payload: dict) -> None:
        body = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        sent = json.loads(self.rfile.read(length) or b"{}")
        if self.latency:
            time.sleep(self.latency)
        code = uuid.uuid4().hex[:15]
        self._answer(
            {
                "status": True,
                "message": "Authorization URL created",
                "data": {
                    "authorization_url": f"https://checkout.paystack.com/{code}",
                    "access_code": code,
                    "reference": sent.get("reference", code),
                },
            }
        )

    do_GET = do_POST


def serve(port: int, latency_ms: float) -> ThreadingHTTPServer:
    handler = type("Handler", (_Handler,), {"latency": latency_ms / 1000})
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    server.request_queue_size = 128
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--latency-ms", type=float, default=0)
    args = parser.parse_args()
    serve(args.port, args.latency_ms)
    threading.Event().wait()
