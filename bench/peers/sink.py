"""HTTP sink for collectd's write_http: discards the bodies, counts the POSTs and writes the
wall-clock time (ms) of the first one and the count to the file given as argv[2] (port argv[1])."""
import json, os, sys, time
from http.server import BaseHTTPRequestHandler, HTTPServer

out = sys.argv[2]
state = {"first": None, "posts": 0, "bytes": 0}


def save():
    with open(out + ".tmp", "w") as f:
        json.dump(state, f)
    os.replace(out + ".tmp", out)


class Sink(BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(n)
        state["posts"] += 1
        state["bytes"] += n
        if state["first"] is None:
            state["first"] = int(time.time() * 1000)
        save()
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


save()
HTTPServer(("127.0.0.1", int(sys.argv[1])), Sink).serve_forever()
