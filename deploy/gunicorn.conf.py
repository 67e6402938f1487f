"""gunicorn for Convergence, behind a buffering reverse proxy (deploy/nginx.conf).

Workers read a request's body themselves, so a client that sends it slowly holds a
worker thread: eight such clients stalled both workers of the security test. The proxy in front
buffers every body before it reaches gunicorn (and caps its size and time); gunicorn listens
on loopback only, so nothing reaches it except through the proxy.

    gunicorn convergence.wsgi -c deploy/gunicorn.conf.py
"""

import os

bind = os.getenv("GUNICORN_BIND", "127.0.0.1:8000")  # loopback: the proxy is the way in
workers = int(os.getenv("GUNICORN_WORKERS", "2"))
# Threads: each workshop phone holds one open stream (server-sent events) while it follows the
# facilitator, idle but for a ping every 15 s; 2 x 250 carries a room of 300 with room to spare
# (bench/workshop_load.py, docs/performance.md).
worker_class = "gthread"
threads = int(os.getenv("GUNICORN_THREADS", "250"))
timeout = 60  # a report renders within REPORT_TIME_LIMIT (30 s) or fails
graceful_timeout = 30
keepalive = 2
limit_request_line = 4094
limit_request_fields = 100
forwarded_allow_ips = "127.0.0.1"
accesslog = "-"
