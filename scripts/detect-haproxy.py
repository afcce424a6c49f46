#!/usr/bin/env python3
"""How long a real HAProxy takes to mark a server down, measured on loopback.

A backend answers the health page /owa/healthcheck.htm with 200 until the
script makes it answer 503 at a moment drawn uniformly at random, then the
script reads HAProxy's admin socket (`show servers state`) every 5 ms until
the server is DOWN. With `inter 2s fall 3` (fastinter unset: inter) the
model says detect = U + (fall - 1) x inter, U uniform on (0, inter]: mean
5 s, between 4 and 6 s (README, Health probes; lbsim's
test_check_phase_per_replication). Prints one detection time a line and
the mean. Run through scripts/detect-haproxy (a private network namespace).
Usage: detect-haproxy.py TRIALS
"""
import http.server
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time

from parity import haproxy_ask  # scripts/parity.py: the admin socket

BACK, FRONT, INTER, FALL, RISE = 18001, 18000, 2.0, 3, 2
state = {"ok": True}


class Page(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        code = 200 if state["ok"] else 503
        try:
            self.send_response(code)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")
        except ConnectionResetError:
            pass  # HAProxy closes once it has read the status line

    def log_message(self, *args):
        pass


def server_up(sock):
    # show servers state: field 6 is srv_op_state (2 = running, 0 = stopped)
    for line in haproxy_ask(sock, "show servers state be").splitlines():
        f = line.split()
        if len(f) > 6 and f[3] == "s1":
            return f[5] == "2"
    raise RuntimeError("no server s1 in: " + line)


def wait_until(sock, up, limit):
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit:
        if server_up(sock) == up:
            return time.monotonic()
        time.sleep(0.005)
    raise RuntimeError("server never went %s" % ("up" if up else "down"))


def main():
    trials = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", BACK), Page)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    with tempfile.TemporaryDirectory() as tmp:
        sock = os.path.join(tmp, "admin.sock")
        cfg = os.path.join(tmp, "haproxy.cfg")
        with open(cfg, "w") as f:
            f.write("\n".join([
                "global", "  stats socket %s level admin" % sock,
                "defaults", "  mode http", "  timeout connect 1s", "  timeout client 5s",
                "  timeout server 5s", "  timeout check 1s",
                "frontend fe", "  bind 127.0.0.1:%d" % FRONT, "  default_backend be",
                "backend be", "  option httpchk GET /owa/healthcheck.htm",
                "  server s1 127.0.0.1:%d check inter %dms fall %d rise %d"
                % (BACK, INTER * 1000, FALL, RISE), ""]))
        proc = subprocess.Popen(["haproxy", "-db", "-f", cfg], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        try:
            for _ in range(200):
                if os.path.exists(sock):
                    break
                time.sleep(0.05)
            wait_until(sock, True, 30)
            times = []
            rng = random.Random(1)
            for _ in range(trials):
                time.sleep(RISE * INTER + rng.uniform(0, INTER))  # fully up, random phase
                state["ok"] = False
                t_fault = time.monotonic()
                t_down = wait_until(sock, False, 4 * FALL * INTER)
                times.append(t_down - t_fault)
                print("%.3f" % times[-1], flush=True)
                state["ok"] = True
                wait_until(sock, True, 4 * RISE * INTER)
            mean = sum(times) / len(times)
            print("haproxy %s: %d trials, detect mean %.3f s, min %.3f, max %.3f "
                  "(model: mean %.1f, in (%.1f, %.1f])"
                  % (subprocess.run(["haproxy", "-v"], capture_output=True, text=True)
                     .stdout.split()[2], trials, mean, min(times), max(times),
                     INTER / 2 + (FALL - 1) * INTER, (FALL - 1) * INTER, FALL * INTER))
        finally:
            proc.terminate()
            proc.wait()
            httpd.shutdown()


if __name__ == "__main__":
    main()
