#!/usr/bin/env python3
"""How long after a change does `hybridize server` publish the file's
diagnostics?

    bench/server_latency.py HYBRIDIZE_BIN [--lines 2000] [--changes 40]
                            [--workspace DIR]

Writes a generated TensorFlow module of about --lines lines (functions with
tensor work called in loops, some with Python side effects: HY001 and
refusals) into a temporary workspace (or into a copy of --workspace, to see
the cost of a larger project), starts the server there, opens the file and
waits for its first diagnostics, then sends --changes edits one at a time
(a constant in a function body changes) and measures, for each, the time
from sending `didChange` to receiving `publishDiagnostics` for that version.
Prints the start-up time and the median, 90th percentile and maximum
latency. The target is 50 ms for a 2,000-line file. Not a test: it prints
figures and exits 0 unless the server misbehaves.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import queue

BLOCK = '''

def step_{i}(x, w):
    y = tf.matmul(x, w)
    y = tf.nn.relu(y) * {c}
    return tf.reduce_sum(y)


def noisy_{i}(x):
    seen_{i}.append(1)
    return tf.reduce_mean(x) + {c}


seen_{i} = []
for _ in range(3):
    step_{i}(tf.ones([2, 2]), tf.ones([2, 2]))
    noisy_{i}(tf.ones([2]))
'''


def module(lines, constant):
    parts = ["import tensorflow as tf\n"]
    i = 0
    while sum(p.count("\n") for p in parts) < lines:
        parts.append(BLOCK.format(i=i, c=constant if i == 0 else "2.0"))
        i += 1
    return "".join(parts)


class Client:
    def __init__(self, binary, root):
        self.process = subprocess.Popen(
            [binary, "server"],
            cwd=root,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self.messages = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.next_id = 0

    def _read(self):
        out = self.process.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    return
                line = line.strip()
                if not line:
                    break
                if line.startswith(b"Content-Length:"):
                    length = int(line.split(b":")[1])
            self.messages.put((time.perf_counter(), json.loads(out.read(length))))

    def send(self, message):
        body = json.dumps(message).encode()
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()
        return time.perf_counter()

    def request(self, method, params):
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        return self.next_id

    def notify(self, method, params):
        return self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def wait(self, wanted, timeout=120):
        deadline = time.perf_counter() + timeout
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                sys.exit("server_latency: timed out")
            at, message = self.messages.get(timeout=left)
            if wanted(message):
                return at, message


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--lines", type=int, default=2000)
    parser.add_argument("--changes", type=int, default=40)
    parser.add_argument("--workspace")
    args = parser.parse_args()
    binary = os.path.realpath(args.binary)
    with tempfile.TemporaryDirectory() as tmp:
        root = os.path.join(tmp, "workspace")
        if args.workspace:
            shutil.copytree(args.workspace, root, symlinks=True)
        else:
            os.mkdir(root)
        path = os.path.join(root, "bench_module.py")
        text = module(args.lines, "2.0")
        with open(path, "w") as f:
            f.write(text)
        uri = "file://" + path
        client = Client(binary, root)
        started = time.perf_counter()
        client.request("initialize", {
            "processId": None,
            "rootUri": "file://" + root,
            "workspaceFolders": [{"uri": "file://" + root, "name": "bench"}],
            "capabilities": {},
        })
        client.wait(lambda m: m.get("id") == 1)
        client.notify("initialized", {})
        client.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "python", "version": 1, "text": text}})

        def published(version):
            return lambda m: (m.get("method") == "textDocument/publishDiagnostics"
                              and m["params"]["uri"] == uri
                              and m["params"].get("version") == version)

        at, message = client.wait(published(1))
        first = len(message["params"]["diagnostics"])
        startup = (at - started) * 1000
        latencies = []
        for n in range(args.changes):
            version = n + 2
            changed = module(args.lines, "%d.0" % (3 + n))
            sent = client.notify("textDocument/didChange", {
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"text": changed}]})
            at, message = client.wait(published(version))
            latencies.append((at - sent) * 1000)
            if len(message["params"]["diagnostics"]) != first:
                sys.exit("server_latency: the findings changed with a constant")
        client.request("shutdown", None)
        client.notify("exit", None)
        client.process.wait(timeout=30)
        latencies.sort()
        p90 = latencies[int(0.9 * (len(latencies) - 1))]
        print(f"file: {text.count(chr(10))} lines, {first} diagnostics; "
              f"workspace: {args.workspace or '(the file alone)'}")
        print(f"open to first diagnostics (start-up run included): {startup:.1f} ms")
        print(f"change to diagnostics over {len(latencies)} changes: "
              f"median {statistics.median(latencies):.1f} ms, "
              f"p90 {p90:.1f} ms, max {latencies[-1]:.1f} ms (target 50 ms)")


if __name__ == "__main__":
    main()
