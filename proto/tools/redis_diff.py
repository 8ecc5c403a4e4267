#!/usr/bin/env python3
"""Differential test of corekv-proto's request parser against a real redis-server.

Generates pseudo-random request streams (multibulk and inline `EVAL "return ARGV" 0 ...`
requests with awkward bytes, quoting and escapes, plus malformed fragments and random byte
mutations), asks the parser what it makes of each (via `cargo run --example
request_events`), sends each stream to a fresh connection of a redis-server started here on
an ephemeral port, and compares:

- every parsed `EVAL "return ARGV" 0 a b ...` request must get back exactly `[a, b, ...]`
  (Lua returns its arguments byte for byte);
- every other non-empty request must get one reply, and empty requests none;
- a protocol error must get exactly the parser's error text, then the connection closes;
- otherwise the connection stays open.

Usage: proto/tools/redis_diff.py [--seed N] [--count N] [--redis-server PATH]
Needs redis-server 7.0 on PATH (or --redis-server). Exits 1 on any mismatch.
"""

import argparse
import os
import random
import socket
import struct
import subprocess
import sys
import time

SPECIAL = b"\r\n\0 \t\x0b\x0c\"'\\x*$:+-0123456789aAfF"
TOKENS = [b"abc", b'"a b"', b"'c\\'d'", b'"\\x41\\x4g\\n"', b'"\\xzz"', b'a"b c"',
          b'"unterminated', b"'x'y", b'""', b"''", b"q\x0bw", b'"a\\"b"', b"\xff\xfe",
          b'"\\\\"', b"'\\\\'"]
SEPARATORS = [b" ", b"\t", b"\x0b", b"\x0c", b"  ", b"\r"]
FRAGMENTS = [b"*0\r\n", b"*-1\r\n", b"\r\n", b"\n", b"*x\r\n", b"*1\r\nfoo\r\n",
             b"*1\r\n$-1\r\n", b"*1\r\n$01\r\n", b"*01\r\n", b"*1\r\n\r\n",
             b"*1\n$1\r\na\r\n", b"*2\r\n$4\r\nECHO\r\n$1\rXaYY"]


def generate(rng, count):
    def rbytes(n):
        return bytes(rng.choice(SPECIAL) if rng.random() < 0.7 else rng.randrange(256)
                     for _ in range(rng.randrange(n + 1)))

    def multibulk(args):
        return b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args)

    def request():
        r = rng.random()
        if r < 0.45:
            return multibulk([b"EVAL", b"return ARGV", b"0"] + [rbytes(8) for _ in range(rng.randrange(5))])
        if r < 0.85:
            line = b'EVAL "return ARGV" 0'
            for _ in range(rng.randrange(5)):
                line += rng.choice(SEPARATORS) + rng.choice(TOKENS)
            return line + rng.choice([b"\r\n", b"\n", b" \r\n"])
        return rng.choice(FRAGMENTS)

    def mutate(s):
        s = bytearray(s)
        for _ in range(rng.randrange(1, 3)):
            if not s:
                break
            i = rng.randrange(len(s))
            k = rng.random()
            if k < 0.4:
                s[i] = rng.choice(SPECIAL)
            elif k < 0.7:
                del s[i]
            else:
                s.insert(i, rng.randrange(256))
        return bytes(s)

    streams = []
    for _ in range(count):
        s = b"".join(request() for _ in range(rng.randrange(1, 5)))
        if rng.random() < 0.3:
            s = mutate(s)
        streams.append(s)
    return streams


def parse_reply(buf, pos):
    """One RESP2 reply at pos: (value, next) or None when incomplete."""
    nl = buf.find(b"\r\n", pos)
    if nl < 0:
        return None
    tag, line = buf[pos:pos + 1], buf[pos + 1:nl]
    if tag in (b"+", b":"):
        return ("s", line), nl + 2
    if tag == b"-":
        return ("e", line), nl + 2
    if tag == b"$":
        n = int(line)
        if n < 0:
            return ("nil",), nl + 2
        if len(buf) < nl + 4 + n:
            return None
        return ("b", buf[nl + 2:nl + 2 + n]), nl + 4 + n
    if tag == b"*":
        n, p, items = int(line), nl + 2, []
        for _ in range(max(n, 0)):
            r = parse_reply(buf, p)
            if r is None:
                return None
            items.append(r[0])
            p = r[1]
        return ("a", items), p
    raise ValueError("unexpected reply %r" % buf[pos:pos + 40])


def expectations(line):
    """Expected replies (None = any reply) and whether the connection must close."""
    expect, close = [], False
    for event in line.split("|")[:-1]:
        fields = event.split(" ")
        if fields[0] == "R":
            args = [b"" if h == "-" else bytes.fromhex(h) for h in fields[1:]]
            if not args:
                continue
            if len(args) >= 3 and args[0].lower() == b"eval" and args[1:3] == [b"return ARGV", b"0"]:
                expect.append(("a", [("b", a) for a in args[3:]]))
            else:
                expect.append(None)
        else:
            expect.append(("e", bytes.fromhex(fields[1])))
            close = True
    return expect, close


def exchange(port, stream, expected_count, must_close):
    sock = socket.create_connection(("127.0.0.1", port))
    sock.settimeout(0.05)
    sock.sendall(stream)
    buf, pos, got, closed = b"", 0, [], False
    deadline = time.time() + 2
    settle = None
    while time.time() < deadline:
        try:
            data = sock.recv(65536)
            if not data:
                closed = True
                break
            buf += data
        except socket.timeout:
            pass
        except ConnectionResetError:
            closed = True
            break
        while (r := parse_reply(buf, pos)) is not None:
            got.append(r[0])
            pos = r[1]
        if len(got) >= expected_count and not must_close:
            # Give unexpected extra replies a moment to show up.
            settle = settle or time.time() + 0.1
            if time.time() > settle:
                break
    sock.close()
    return got, closed


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=500)
    ap.add_argument("--redis-server", default="redis-server")
    opts = ap.parse_args()

    rng = random.Random(opts.seed)
    streams = generate(rng, opts.count)
    proto_dir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    blob = b"".join(struct.pack("<I", len(s)) + s for s in streams)
    ours = subprocess.run(
        ["cargo", "run", "--quiet", "--release", "--example", "request_events"],
        cwd=proto_dir, input=blob, capture_output=True, check=True).stdout.decode().splitlines()

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([opts.redis_server, "--port", str(port), "--save", "",
                               "--appendonly", "no", "--bind", "127.0.0.1"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port)).close()
                break
            except OSError:
                time.sleep(0.05)
        mismatches = args_checked = errors_checked = 0
        for stream, line in zip(streams, ours):
            expect, must_close = expectations(line)
            got, closed = exchange(port, stream, len(expect), must_close)
            ok = len(got) == len(expect) and closed == must_close
            for g, e in zip(got, expect):
                if e is None:
                    continue
                if e[0] == "e":
                    errors_checked += 1
                else:
                    args_checked += 1
                ok = ok and g == e
            if not ok:
                mismatches += 1
                if mismatches <= 5:
                    print("MISMATCH stream=%r\n  ours=%s\n redis=%r closed=%s" % (stream, line, got, closed))
        print("%d streams, %d mismatches (%d argument lists and %d protocol errors compared)"
              % (len(streams), mismatches, args_checked, errors_checked))
        return 1 if mismatches else 0
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    sys.exit(main())
