"""A vendor's API on loopback that records every request it gets and answers as told: the
proxy's other end, where what the proxy sends can be seen."""

import contextlib
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class VendorStub:
    def __init__(self):
        self.requests: list[dict] = []
        # (status, headers, body, seconds to wait first) for the next requests, in order.
        self.answers: list[tuple[int, dict, bytes, float]] = []
        self.sockets: set[socket.socket] = set()  # kept alive by the proxy's sessions
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keeps connections alive, as vendors do

            def answer(self):
                stub.sockets.add(self.connection)
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                stub.requests.append(
                    {
                        "method": self.command,
                        "path": self.path,
                        "headers": dict(self.headers),
                        "body": body,
                        "client": self.client_address,
                    }
                )
                status, headers, content, delay = (
                    stub.answers.pop(0)
                    if stub.answers
                    else (200, {"Content-Type": "application/json"}, b"{}", 0)
                )
                time.sleep(delay)
                self.send_response(status)
                for name, value in {**headers, "Content-Length": str(len(content))}.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = answer

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        for kept in self.sockets:  # or a later stub on the same port could meet them
            with contextlib.suppress(OSError):
                kept.shutdown(socket.SHUT_RDWR)
