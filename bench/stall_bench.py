#!/usr/bin/env python3
"""Loop stalls (issue 16.8): the worst GET /healthz latency while the daemon does something big.

Each scenario starts a fresh daemon (port 0, loopback, a draft campaign so nothing dispatches), prepares
its data through the API, then polls /healthz every 2 ms on its own connection while the operation runs,
and prints the operation's time and the worst and 99th-percentile /healthz latency during it. The idle
line is the reference: the same poller with nothing else going on.

  bench/stall_bench.py --dialerd build-bench/bin/dialerd [--cancel 426000] [--forecast 2000000]
                       [--request 100000] [--lock-seconds 3] [--dnc 2000000] [--predial 5000]
                       [--predial-delay-ms 50]
Scenarios: idle; lock (another process holds the write lock for --lock-seconds while a write waits);
request (one POST /v1/campaigns with --request contacts inline, about 11 MB at 100000); upload (the same
records to POST /v1/campaigns/{id}/contacts); cancel (a campaign of --cancel pending calls); forecast
(GET /forecast on a campaign of --forecast pending calls); dnc (a replacing import of --dnc numbers in
random order, plain text, into a DNC list); predial (a running campaign of --predial calls, concurrency
as many, whose pre-dial endpoint, a Python server on 127.0.0.1, answers allow after --predial-delay-ms:
until every call is sent to the simulator).
"""
import argparse
import http.client
import http.server
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time


def contacts(n, first=0):
    # New York numbers, exchanges 200..999: valid for up to 8M contacts.
    return [{"phone_number": "+1212%07d" % (2000000 + i), "name": "P%d" % i} for i in range(first, first + n)]


class Daemon:
    def __init__(self, binary, extra=None):
        self.dir = tempfile.mkdtemp(prefix="stall-")
        config = {"listen": {"port": 0}, "state_dir": self.dir + "/state", "log": {"level": "warn"},
                  "http": {"body_limit_bytes": 256 << 20},
                  "providers": {"sim": {"kind": "simulator"}}}
        config.update(extra or {})
        with open(self.dir + "/dialerd.json", "w") as f:
            json.dump(config, f)
        self.log = open(self.dir + "/log", "w")
        self.proc = subprocess.Popen([binary, "--config", self.dir + "/dialerd.json"], stdout=self.log,
                                     stderr=subprocess.STDOUT)
        port_file = self.dir + "/state/dialerd.port"
        for _ in range(400):
            if os.path.exists(port_file) and os.path.getsize(port_file) > 0:
                break
            time.sleep(0.05)
        self.port = int(open(port_file).read().strip())
        self.db = self.dir + "/state/dialerd.db"

    def request(self, method, path, body=None, timeout=600):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        data = json.dumps(body).encode() if body is not None else None
        c.request(method, path, data, {"Content-Type": "application/json"} if data is not None else {})
        r = c.getresponse()
        payload = r.read()
        c.close()
        return r.status, (json.loads(payload) if payload else None)

    def draft(self, n, per_request=50000):
        status, body = self.request("POST", "/v1/campaigns", {
            "name": "stall", "agent_id": "a", "provider": "sim", "from_number": "+14157774444", "status": "draft"})
        assert status == 201, body
        cid = body["data"]["id"]
        for start in range(0, n, per_request):
            status, body = self.request("POST", "/v1/campaigns/%s/contacts" % cid,
                                        contacts(min(per_request, n - start), start))
            assert status == 200, (status, body)
        return cid

    def close(self):
        self.proc.terminate()
        self.proc.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


class Poller(threading.Thread):
    """GET /healthz every 2 ms on one keep-alive connection; latencies in ms."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.port, self.stop_flag, self.latencies = port, threading.Event(), []

    def run(self):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        while not self.stop_flag.is_set():
            t = time.perf_counter()
            c.request("GET", "/healthz")
            c.getresponse().read()
            self.latencies.append((time.perf_counter() - t) * 1000)
            time.sleep(0.002)
        c.close()

    def stop(self):
        self.stop_flag.set()
        self.join()
        xs = sorted(self.latencies)
        return xs[-1], xs[int(len(xs) * 0.99) - 1 if len(xs) > 1 else 0], len(xs)


def measure(name, daemon, operation):
    poller = Poller(daemon.port)
    poller.start()
    time.sleep(0.2)
    t = time.perf_counter()
    detail = operation()
    took = time.perf_counter() - t
    time.sleep(0.2)
    worst, p99, n = poller.stop()
    print("%-9s %8.0f ms  worst /healthz %7.1f ms  p99 %6.1f ms  (%d polls)  %s" % (name, took * 1000, worst, p99, n,
                                                                                  detail), flush=True)


# Each scenario prepares its data on a fresh daemon and returns the operation to time.
def idle(a, d):
    return lambda: time.sleep(2) or ""


def lock(a, d):
    d.draft(10)

    def op():
        other = sqlite3.connect(d.db, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        result = {}
        writer = threading.Thread(target=lambda: result.update(
            status=d.request("POST", "/v1/campaigns", {"name": "w", "agent_id": "a", "provider": "sim",
                                                       "from_number": "+14157774444", "status": "draft"})[0]))
        writer.start()
        time.sleep(a.lock_seconds)
        other.execute("ROLLBACK")
        other.close()
        writer.join()
        return "lock held %.1f s; the waiting write answered %s" % (a.lock_seconds, result.get("status"))
    return op


def request(a, d):
    body = {"name": "big", "agent_id": "a", "provider": "sim", "from_number": "+14157774444",
            "status": "draft", "contacts": contacts(a.request)}
    size = len(json.dumps(body))

    def op():
        status, _ = d.request("POST", "/v1/campaigns", body)
        return "%d contacts, %.1f MB: %d" % (a.request, size / 1e6, status)
    return op


def upload(a, d):
    cid = d.draft(0)
    records = contacts(a.request)
    size = len(json.dumps(records))

    def op():
        status, _ = d.request("POST", "/v1/campaigns/%s/contacts" % cid, records)
        return "%d records, %.1f MB: %d" % (a.request, size / 1e6, status)
    return op


def cancel(a, d):
    cid = d.draft(a.cancel)

    def op():
        status, body = d.request("POST", "/v1/campaigns/%s/cancel" % cid)
        return "%d pending: %d, %s skipped" % (a.cancel, status, body["data"]["counts"]["skipped"])
    return op


def forecast(a, d):
    cid = d.draft(a.forecast)

    def op():
        status, body = d.request("GET", "/v1/campaigns/%s/forecast" % cid)
        return "%d pending: %d, %s sampled" % (a.forecast, status, body["data"]["assumptions"]["contacts_sampled"])
    return op


def dnc(a, d):
    status, body = d.request("POST", "/v1/dnc-lists", {"name": "registry"})
    assert status == 201, body
    numbers = ["+1%d%07d" % (201 + i // 8000000, 2000000 + i % 8000000) for i in range(a.dnc)]
    random.Random(20261207).shuffle(numbers)
    text = ("\n".join(numbers) + "\n").encode()

    def op():
        c = http.client.HTTPConnection("127.0.0.1", d.port, timeout=3600)
        c.request("POST", "/v1/dnc-lists/registry/numbers?mode=replace", text, {"Content-Type": "text/plain"})
        r = c.getresponse()
        report = json.loads(r.read())
        c.close()
        return "%d numbers, %.0f MB: %d, %s added" % (a.dnc, len(text) / 1e6, r.status,
                                                     report["data"]["import"]["added"])
    return op


class PredialEndpoint(http.server.ThreadingHTTPServer):
    """Answers every pre-dial ask {"allow": true} after `delay` seconds (one thread per ask)."""
    daemon_threads = True

    def __init__(self, delay):
        endpoint = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                time.sleep(endpoint.delay)
                body = b'{"allow": true}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                endpoint.asks += 1

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        self.delay, self.asks = delay, 0
        threading.Thread(target=self.serve_forever, daemon=True).start()


def predial(a, d):
    endpoint = PredialEndpoint(a.predial_delay_ms / 1000.0)
    cid = d.draft(a.predial)
    status, body = d.request("PATCH", "/v1/campaigns/%s" % cid, {
        "concurrency": a.predial,
        "predial": {"url": "http://127.0.0.1:%d/ask" % endpoint.server_address[1], "secret_id": "crm"}})
    assert status == 200, body

    def op():
        status, body = d.request("POST", "/v1/campaigns/%s/start" % cid)
        assert status == 200, body
        while True:
            counts = d.request("GET", "/v1/campaigns/%s" % cid)[1]["data"]["counts"]
            if counts["called"] >= a.predial:
                break
            time.sleep(0.05)
        endpoint.shutdown()
        return "%d calls, endpoint %d ms: %d asks" % (a.predial, a.predial_delay_ms, endpoint.asks)
    return op


SCENARIOS = {"idle": idle, "lock": lock, "request": request, "upload": upload, "cancel": cancel,
             "forecast": forecast, "dnc": dnc, "predial": predial}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dialerd", required=True)
    ap.add_argument("--cancel", type=int, default=426000)
    ap.add_argument("--forecast", type=int, default=2000000)
    ap.add_argument("--request", type=int, default=100000)
    ap.add_argument("--lock-seconds", type=float, default=3.0)
    ap.add_argument("--dnc", type=int, default=2000000)
    ap.add_argument("--predial", type=int, default=5000)
    ap.add_argument("--predial-delay-ms", type=int, default=50)
    ap.add_argument("--only", default=",".join(SCENARIOS))
    a = ap.parse_args()
    for name in a.only.split(","):
        # predial: every hour legal (the contacts are in New York), and a secret and loopback for the asks.
        d = Daemon(a.dialerd, {"compliance": {"respectful_hours": {"start": "00:00", "end": "24:00"}},
                               "webhooks": {"secrets": {"crm": "stall-bench-predial-secret"},
                                            "allow_networks": ["127.0.0.1"]}} if name == "predial" else None)
        try:
            measure(name, d, SCENARIOS[name](a, d))
        finally:
            d.close()


if __name__ == "__main__":
    sys.exit(main())
