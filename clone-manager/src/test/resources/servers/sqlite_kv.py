"""A key-value store over HTTP kept in one SQLite database in WAL mode, open for the server's
whole life (as an application server holds its database): /put?KEY=VALUE, /get?KEY, /count."""
import sqlite3
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

db = sqlite3.connect(sys.argv[2], check_same_thread=False, isolation_level=None)
db.execute("PRAGMA journal_mode=WAL")
db.execute("CREATE TABLE IF NOT EXISTS kv (k TEXT PRIMARY KEY, v TEXT NOT NULL)")
one_at_a_time = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: a client may hold its connection

    def do_GET(self):
        url = urlsplit(self.path)
        with one_at_a_time:
            if url.path == "/put":
                db.executemany("INSERT OR REPLACE INTO kv VALUES (?, ?)", parse_qsl(url.query))
                self.answer(200, "ok")
            elif url.path == "/get":
                row = db.execute("SELECT v FROM kv WHERE k = ?", (url.query,)).fetchone()
                self.answer(200, row[0]) if row else self.answer(404, "no " + url.query)
            elif url.path == "/count":
                self.answer(200, str(db.execute("SELECT count(*) FROM kv").fetchone()[0]))
            else:
                self.answer(404, "no such path")

    def answer(self, status, body):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("0.0.0.0", int(sys.argv[1])), Handler).serve_forever()
