#!/usr/bin/env python3
"""Record which server a real HAProxy or NGINX picks for each client.

Usage (through scripts/parity-haproxy and scripts/parity-nginx, which run
this inside a private network namespace):

    parity.py haproxy OUT.csv
    parity.py nginx OUT.csv

It starts the real program on loopback with 8 backends (127.0.0.1:10001 ..
10008, the addresses lbsim gives servers by default; a case may name
others, which lbsim takes from `servers: list: - address:`), each answering its
own number, and sends one request per client: from a source address bound
before connecting (127.0.0.0/8, and 2001:db8::/64 made local to this
namespace's loopback), with a URL path or a header for uri and hdr
hashing. The answer names the server the program chose. Every case is a
configuration (algorithm, weights, servers down); HAProxy's cases also take
servers down and up again at run time through its admin socket, as a
health check would.

The output is the reference tests/test_parity.c replays against lbsim's
profiles: one row per (case, client) with the configuration spelled out,
so the test needs nothing but the file.
"""
import csv
import os
import random
import socket
import subprocess
import sys
import tempfile
import time

NSERVERS = 8
FRONT = 9000
BASE_PORT = 10001
V6_NET = "2001:db8::"

FIELDS = ["case", "profile", "balance", "hash_type", "hash_function", "avalanche",
          "weights", "down", "key", "server", "endpoints"]


def clients(seed=14):
    """Source addresses: random over 127/8, one crowded /24, branch gateways
    (x.y.z.1) and IPv6 from 2001:db8::/64."""
    rnd = random.Random(seed)
    out = []
    while len(out) < 500:
        a = "127.%d.%d.%d" % (rnd.randint(1, 254), rnd.randint(0, 255), rnd.randint(1, 254))
        if a not in out:
            out.append(a)
    out += ["127.9.9.%d" % i for i in range(1, 101)]
    out += ["127.%d.%d.1" % (rnd.randint(1, 254), rnd.randint(0, 255)) for _ in range(100)]
    out += ["2001:db8::%x:%x" % (rnd.randint(0, 0xffff), rnd.randint(1, 0xffff))
            for _ in range(100)]
    return out


def paths(seed=15):
    rnd = random.Random(seed)
    words = ["owa", "ecp", "ews", "mapi", "rpc", "oab", "autodiscover", "api", "img", "static"]
    out = []
    for i in range(300):
        p = "/" + "/".join(rnd.choice(words) for _ in range(rnd.randint(1, 3)))
        p += "/%d" % rnd.randint(0, 99999)
        if rnd.random() < 0.3:
            p += "?id=%d&x=%s" % (rnd.randint(0, 999), rnd.choice(words))
        out.append(p)
    return out


def users(seed=16):
    rnd = random.Random(seed)
    return ["user%05d@example.org" % rnd.randint(0, 99999) for _ in range(300)]


def ask(src, path="/", header=None):
    """One request from src; the server number that answered."""
    fam = socket.AF_INET6 if ":" in src else socket.AF_INET
    dst = (V6_NET + "1", FRONT) if fam == socket.AF_INET6 else ("127.0.0.1", FRONT)
    for attempt in range(20):
        s = socket.socket(fam, socket.SOCK_STREAM)
        try:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.setsockopt(socket.SOL_IP, 15, 1)  # IP_FREEBIND: any address of the local route
            s.bind((src, 0))
            s.settimeout(5)
            s.connect(dst)
            req = "GET %s HTTP/1.0\r\nHost: parity\r\n" % path
            if header:
                req += "X-User: %s\r\n" % header
            s.sendall((req + "\r\n").encode())
            data = b""
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
            head, _, body = data.partition(b"\r\n\r\n")
            if not head.startswith(b"HTTP/1.") or b" 200 " not in head.split(b"\r\n")[0]:
                raise RuntimeError("no 200 from %s: %r" % (src, data[:200]))
            return int(body.strip())
        except (ConnectionError, socket.timeout):
            time.sleep(0.05 * (attempt + 1))
        finally:
            s.close()
    raise RuntimeError("no answer for %s" % src)


def wait_port(port, host="127.0.0.1"):
    for _ in range(200):
        try:
            socket.create_connection((host, port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("nothing listens on %s:%d" % (host, port))


class Case:
    def __init__(self, name, balance, hash_type, fn="", aval="", weights=None, down=(),
                 keys="clients", endpoints=None):
        self.name, self.balance, self.hash_type = name, balance, hash_type
        self.fn, self.aval = fn, aval
        self.weights = weights or [1] * NSERVERS
        self.down = list(down)
        self.keys = keys
        # The servers' HOST:PORT; None: lbsim's default addresses.
        self.endpoints = endpoints

    def endpoint(self, i):
        return self.endpoints[i] if self.endpoints else "127.0.0.1:%d" % (BASE_PORT + i)


def rows_for(case, profile, keys, answers, down):
    for key, server in zip(keys, answers):
        yield {"case": case.name, "profile": profile, "balance": case.balance,
               "hash_type": case.hash_type, "hash_function": case.fn, "avalanche": case.aval,
               "weights": " ".join(map(str, case.weights)),
               "down": " ".join(map(str, sorted(down))), "key": key, "server": server,
               "endpoints": " ".join(case.endpoints) if case.endpoints else ""}


def keys_of(case):
    if case.keys == "paths":
        return paths()
    if case.keys == "users":
        return users()
    return clients()


def request_all(case, keys):
    if case.balance == "uri":
        return [ask("127.0.0.1", path=k) for k in keys]
    if case.balance.startswith("hdr"):
        return [ask("127.0.0.1", header=k) for k in keys]
    return [ask(k) for k in keys]


# ---- HAProxy -------------------------------------------------------------

HAPROXY_CASES = [
    Case("source-map", "source", "map-based"),
    Case("source-map-weights", "source", "map-based", weights=[1, 2, 3, 1, 1, 2, 1, 4]),
    Case("source-map-weights-down", "source", "map-based", weights=[2, 2, 4, 2, 2, 6, 2, 2],
         down=[2, 5]),
    Case("source-map-avalanche", "source", "map-based", fn="sdbm", aval="avalanche"),
    Case("source-consistent", "source", "consistent"),
    Case("source-consistent-weights", "source", "consistent", weights=[1, 2, 3, 1, 1, 2, 1, 4]),
    Case("source-consistent-noaval", "source", "consistent", fn="sdbm"),
    Case("uri-map-sdbm", "uri", "map-based", keys="paths"),
    Case("uri-map-djb2", "uri", "map-based", fn="djb2", keys="paths"),
    Case("uri-map-wt6", "uri", "map-based", fn="wt6", keys="paths"),
    Case("uri-map-crc32", "uri", "map-based", fn="crc32", keys="paths"),
    Case("uri-map-sdbm-avalanche", "uri", "map-based", fn="sdbm", aval="avalanche", keys="paths"),
    Case("uri-consistent", "uri", "consistent", keys="paths"),
    Case("uri-consistent-djb2", "uri", "consistent", fn="djb2", keys="paths"),
    Case("hdr-map-sdbm", "hdr(X-User)", "map-based", keys="users"),
    Case("hdr-consistent-crc32", "hdr(X-User)", "consistent", fn="crc32", aval="avalanche",
         keys="users"),
]

# Runtime transitions for the disruption property: the case's servers go
# down one after another through the admin socket, then come back.
HAPROXY_RUNTIME = {"source-map": [3, 6], "source-consistent": [3, 6], "uri-map-sdbm": [3],
                   "uri-consistent": [3]}


def haproxy_config(case, sock):
    lines = ["global", "  stats socket %s level admin" % sock, "  maxconn 1000",
             "defaults", "  mode http", "  timeout connect 2s", "  timeout client 5s",
             "  timeout server 5s", ""]
    for i in range(NSERVERS):
        lines += ["frontend fe_s%d" % (i + 1), "  bind 127.0.0.1:%d" % (BASE_PORT + i),
                  '  http-request return status 200 content-type text/plain string "%d\\n"'
                  % (i + 1), ""]
    balance = case.balance
    lines += ["listen vip", "  bind 127.0.0.1:%d" % FRONT, "  bind %s1:%d" % (V6_NET, FRONT),
              "  balance %s" % balance,
              ("  hash-type %s %s %s" % (case.hash_type, case.fn, case.aval)).rstrip()]
    for i in range(NSERVERS):
        extra = " disabled" if (i + 1) in case.down else ""
        lines.append("  server s%d 127.0.0.1:%d weight %d%s" % (i + 1, BASE_PORT + i,
                                                               case.weights[i], extra))
    return "\n".join(lines) + "\n"


def haproxy_ask(sock, command):
    """One command on HAProxy's admin socket; its whole reply."""
    s = socket.socket(socket.AF_UNIX)
    s.connect(sock)
    s.sendall((command + "\n").encode())
    reply = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        reply += chunk
    s.close()
    return reply.decode()


def haproxy_admin(sock, command):
    """A command that answers nothing when it works."""
    reply = haproxy_ask(sock, command)
    if reply.strip():
        raise RuntimeError("haproxy: %s: %s" % (command, reply.strip()))


def run_haproxy(out):
    version = subprocess.run(["haproxy", "-v"], capture_output=True, text=True).stdout.split("\n")[0]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for case in HAPROXY_CASES:
            sock = os.path.join(tmp, "admin.sock")
            cfg = os.path.join(tmp, "haproxy.cfg")
            with open(cfg, "w") as f:
                f.write(haproxy_config(case, sock))
            proc = subprocess.Popen(["haproxy", "-db", "-f", cfg], stdout=subprocess.DEVNULL,
                                    stderr=subprocess.PIPE)
            try:
                wait_port(FRONT)
                for i in range(NSERVERS):
                    wait_port(BASE_PORT + i)
                keys = keys_of(case)
                down = set(case.down)
                rows += rows_for(case, "haproxy", keys, request_all(case, keys), down)
                steps = HAPROXY_RUNTIME.get(case.name, [])
                for s in steps:
                    haproxy_admin(sock, "set server vip/s%d state maint" % s)
                    down.add(s)
                    rows += rows_for(case, "haproxy", keys, request_all(case, keys), down)
                for s in steps:
                    haproxy_admin(sock, "set server vip/s%d state ready" % s)
                    down.discard(s)
                    rows += rows_for(case, "haproxy", keys, request_all(case, keys), down)
            finally:
                proc.terminate()
                err = proc.communicate()[1].decode()
            if proc.returncode not in (0, -15, 143):
                raise RuntimeError("haproxy failed: " + err)
            print("parity: haproxy %s done" % case.name, file=sys.stderr)
    write(out, rows, "scripts/parity-haproxy with " + version)


# ---- NGINX ---------------------------------------------------------------

# Loopback addresses other than the defaults, other ports, and one IPv6
# server in the namespace's local 2001:db8::/64.
ADDRESSES = ["127.0.1.11:8443", "127.0.1.12:8443", "127.0.1.13:443", "127.0.3.7:10001",
             "[2001:db8::7]:8443", "127.0.2.16:80", "127.0.1.17:8443", "127.0.1.17:8444"]

NGINX_CASES = [
    Case("ip-hash", "source", "map-based"),
    Case("ip-hash-down", "source", "map-based", down=[3]),
    Case("ip-hash-down2", "source", "map-based", down=[3, 6]),
    Case("ip-hash-weights", "source", "map-based", weights=[1, 2, 3, 1, 1, 2, 1, 4]),
    Case("ip-hash-weights-down", "source", "map-based", weights=[1, 2, 3, 1, 1, 2, 1, 4],
         down=[2, 5, 8]),
    Case("ip-hash-mostly-down", "source", "map-based", down=[1, 2, 3, 4, 5, 6, 7]),
    Case("chash", "source", "consistent"),
    Case("chash-down", "source", "consistent", down=[3]),
    Case("chash-down2", "source", "consistent", down=[3, 6]),
    Case("chash-weights", "source", "consistent", weights=[1, 2, 3, 1, 1, 2, 1, 4]),
    Case("uri-hash", "uri", "map-based", keys="paths"),
    Case("uri-hash-down", "uri", "map-based", down=[3], keys="paths"),
    Case("uri-chash", "uri", "consistent", keys="paths"),
    Case("hdr-chash-down", "hdr(X-User)", "consistent", down=[4], keys="users"),
    # Servers at addresses of their own (servers: list: - address:): the
    # ring's points come from each server's HOST:PORT text.
    Case("chash-addresses", "source", "consistent", endpoints=ADDRESSES,
         weights=[1, 2, 1, 1, 3, 1, 1, 1]),
    Case("chash-addresses-down", "source", "consistent", down=[3], endpoints=ADDRESSES,
         weights=[1, 2, 1, 1, 3, 1, 1, 1]),
]


def nginx_config(case, tmp):
    if case.balance == "source":
        method = "ip_hash;" if case.hash_type == "map-based" else "hash $remote_addr consistent;"
    else:
        var = "$request_uri" if case.balance == "uri" else "$http_x_user"
        method = "hash %s%s;" % (var, " consistent" if case.hash_type == "consistent" else "")
    servers = []
    for i in range(NSERVERS):
        opts = ""
        if case.weights[i] != 1:
            opts += " weight=%d" % case.weights[i]
        if (i + 1) in case.down:
            opts += " down"
        servers.append("    server %s%s;" % (case.endpoint(i), opts))
    backends = "\n".join('  server { listen %s; location / { return 200 "%d\\n"; } }'
                         % (case.endpoint(i), i + 1) for i in range(NSERVERS))
    return """
worker_processes 1;
daemon off;
pid %(tmp)s/nginx.pid;
error_log %(tmp)s/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path %(tmp)s/body;
  proxy_temp_path %(tmp)s/proxy;
  fastcgi_temp_path %(tmp)s/fastcgi;
  uwsgi_temp_path %(tmp)s/uwsgi;
  scgi_temp_path %(tmp)s/scgi;
  upstream vip {
    %(method)s
%(servers)s
  }
%(backends)s
  server {
    listen 127.0.0.1:%(front)d;
    listen [%(v6)s1]:%(front)d;
    location / { proxy_pass http://vip; }
  }
}
""" % {"tmp": tmp, "method": method, "servers": "\n".join(servers), "backends": backends,
       "front": FRONT, "v6": V6_NET}


def run_nginx(out):
    version = subprocess.run(["nginx", "-v"], capture_output=True, text=True).stderr.strip()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for case in NGINX_CASES:
            cfg = os.path.join(tmp, "nginx.conf")
            with open(cfg, "w") as f:
                f.write(nginx_config(case, tmp))
            proc = subprocess.Popen(["nginx", "-p", tmp, "-e", os.path.join(tmp, "error.log"),
                                     "-c", cfg], stdout=subprocess.DEVNULL,
                                    stderr=subprocess.PIPE)
            try:
                wait_port(FRONT)
                keys = keys_of(case)
                rows += rows_for(case, "nginx", keys, request_all(case, keys), set(case.down))
            finally:
                proc.terminate()
                err = proc.communicate()[1].decode()
            if proc.returncode not in (0, -15, 143):
                raise RuntimeError("nginx failed: " + err)
            print("parity: nginx %s done" % case.name, file=sys.stderr)
    write(out, rows, "scripts/parity-nginx with " + version)


def write(out, rows, origin):
    tmp = out + ".tmp"
    with open(tmp, "w", newline="") as f:
        f.write("# %s; regenerate with that script, do not edit\n" % origin)
        w = csv.DictWriter(f, fieldnames=FIELDS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    os.replace(tmp, out)
    print("parity: %d rows in %s" % (len(rows), out), file=sys.stderr)


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("haproxy", "nginx"):
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    subprocess.run(["ip", "-6", "route", "add", "local", V6_NET + "/64", "dev", "lo"], check=True)
    subprocess.run(["ip", "-6", "addr", "add", V6_NET + "1/128", "dev", "lo", "nodad"], check=True)
    # A server listens on an address of its own: bind() needs it assigned.
    for ep in ADDRESSES:
        if ep.startswith("["):
            subprocess.run(["ip", "-6", "addr", "add", ep[1:ep.index("]")] + "/128", "dev", "lo",
                            "nodad"], check=True)
    (run_haproxy if sys.argv[1] == "haproxy" else run_nginx)(sys.argv[2])


if __name__ == "__main__":
    main()
