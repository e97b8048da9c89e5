"""The bench's fixed anchor: a bare Flask app with one route and nothing else.

    gunicorn -w 2 -b 127.0.0.1:PORT bench.flask_hello:app

bench/pages.py serves it exactly as it serves Nära (same gunicorn, workers and environment)
and measures its `/healthz`, which answers what Nära's `/healthz` answers. So `flask-hello`
is what Flask and gunicorn cost on this machine, with no extension, hook, session or
database, and `hello` shows what Nära adds to every request on top of that.
"""

from flask import Flask

app = Flask(__name__)


@app.get("/healthz")
def healthz() -> tuple[str, int, dict[str, str]]:
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}
