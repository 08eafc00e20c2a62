#!/usr/bin/env python3
"""Load figures of the web API (docs/BENCHMARKS.md), with wrk from a second process on
loopback. Not run in CI.

1. search: GET /api/v1/search at 64 connections (targets: >= 1,000 requests/s, p99 <= 100 ms,
   zero errors);
2. ask: POST /api/v1/ask at 10x the model queue's capacity (server.model_workers +
   server.model_queue): every answer must be 200 or 429, the server must stay up, and every
   200 must have its audit record (counted through the auditor's API afterwards), and the
   audit chain must verify.

Needs: target/release/esculape (cargo build --release -p esculape-cli), wrk (Debian:
apt-get install wrk), and a data folder with sources: by default a temporary one where
`ansm-interactions` and `cim10` are installed from the mirror (../shared/data); or
--data-dir DIR to reuse an installed one (it gets two extra accounts).

Usage: python3 scripts/load_web.py [--data-dir DIR] [--mirror DIR] [--duration 30]
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.environ.get("ESCULAPE_BIN", os.path.join(ROOT, "target/release/esculape"))
PASSWORD = "load test password, not for production"

SEARCH_QUERIES = [
    "anticoagulant et aspirine", "clarithromycine simvastatine", "insuffisance cardiaque",
    "hypertension artérielle", "diabète de type 2", "millepertuis", "AVK et AINS",
    "insuffisance rénale chronique", "pneumopathie", "méthotrexate", "fluconazole",
    "infarctus du myocarde", "tuberculose pulmonaire", "lithium", "amiodarone",
]
ASK_QUESTIONS = [
    "Quelle est la conduite à tenir avec la clarithromycine et la simvastatine ?",
    "Faut-il associer un AVK et un AINS ?",
    "Quels sont les risques du millepertuis avec les contraceptifs ?",
    "Que faire avec le méthotrexate et le triméthoprime ?",
]

STATUS_LUA = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) counts = {} end
function response(status, headers, body) counts[status] = (counts[status] or 0) + 1 end
function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("counts")) do
      total[status] = (total[status] or 0) + count
    end
  end
  for status, count in pairs(total) do io.write(string.format("status %d %d\\n", status, count)) end
end
"""


def esculape(data_dir, *args, env=None):
    return subprocess.run(
        [BINARY, "--data-dir", data_dir, *args],
        check=True, capture_output=True, text=True, env={**os.environ, **(env or {})},
    ).stdout


def call(url, body=None, token=None):
    request = urllib.request.Request(url, data=None if body is None else json.dumps(body).encode())
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def lua_list(values):
    return "{" + ", ".join(json.dumps(value, ensure_ascii=False) for value in values) + "}"


def run_wrk(script, url, connections, duration_s, threads=2):
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False, encoding="utf-8") as file:
        file.write(script + STATUS_LUA)
        path = file.name
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration_s}s", "--latency",
               "--timeout", "10s", "-s", path, url]
    print("$ " + " ".join(command), flush=True)
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    os.unlink(path)
    print(output, flush=True)
    statuses = {int(status): int(count) for status, count in re.findall(r"status (\d+) (\d+)", output)}
    return output, statuses


def audit_count(base, token, action, outcome):
    count, before = 0, None
    while True:
        query = f"{base}/api/v1/audit?limit=500" + (f"&before={before}" if before else "")
        page = call(query, token=token)
        count += sum(1 for record in page if record["action"] == action and record["outcome"] == outcome)
        if len(page) < 500:
            return count
        before = page[-1]["id"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir")
    parser.add_argument("--mirror", default=os.path.join(ROOT, "../shared/data"))
    parser.add_argument("--duration", type=int, default=30, help="seconds per run")
    parser.add_argument("--port", type=int, default=18080)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")
    if not os.path.exists(BINARY):
        sys.exit(f"{BINARY} is missing: cargo build --release -p esculape-cli")
    temporary = None
    data_dir = args.data_dir
    if data_dir is None:
        temporary = tempfile.mkdtemp(prefix="esculape-load-")
        data_dir = os.path.join(temporary, "data")
        for pack in ["ansm-interactions", "cim10"]:
            esculape(data_dir, "sources", "add", pack, "--mirror", args.mirror)
    for login, role in [("load.clinician", "clinician"), ("load.auditor", "auditor")]:
        try:
            esculape(data_dir, "users", "add", login, "--name", login, "--role", role,
                     env={"ESCULAPE_USER_PASSWORD": PASSWORD})
        except subprocess.CalledProcessError as error:
            if "exists" not in (error.stderr or "") and "already" not in (error.stderr or ""):
                raise
    base = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen(
        [BINARY, "--data-dir", data_dir, "serve", "--addr", f"127.0.0.1:{args.port}"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "ESCULAPE_ADMIN_PASSWORD": PASSWORD},
    )
    try:
        for line in server.stdout:
            if "is ready" in line:
                break
        else:
            sys.exit("the server did not start")
        clinician = call(f"{base}/api/v1/auth/login", {"login": "load.clinician", "password": PASSWORD})["token"]
        auditor = call(f"{base}/api/v1/auth/login", {"login": "load.auditor", "password": PASSWORD})["token"]
        asks_before = audit_count(base, auditor, "ask", "success")

        search_script = f"""
local queries = {lua_list(SEARCH_QUERIES)}
local counter = 0
local function encode(text)
  return (text:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end
request = function()
  counter = counter + 1
  local query = queries[(counter % #queries) + 1]
  return wrk.format("GET", "/api/v1/search?k=10&q=" .. encode(query),
    {{ ["Authorization"] = "Bearer {clinician}" }})
end
"""
        _, search_statuses = run_wrk(search_script, base, 64, args.duration)

        capacity = 10  # server.model_workers (2) + server.model_queue (8) of config/default.toml
        ask_script = f"""
local questions = {lua_list(ASK_QUESTIONS)}
local counter = 0
request = function()
  counter = counter + 1
  local body = '{{"question": "' .. questions[(counter % #questions) + 1] .. '"}}'
  return wrk.format("POST", "/api/v1/ask",
    {{ ["Authorization"] = "Bearer {clinician}", ["Content-Type"] = "application/json" }}, body)
end
"""
        _, ask_statuses = run_wrk(ask_script, base, 10 * capacity, args.duration)
        alive = server.poll() is None
        # Let answers still streaming finish before counting.
        time.sleep(3)
        asks_after = audit_count(base, auditor, "ask", "success")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=40)
    verification = esculape(data_dir, "audit", "verify")
    print("search statuses:", search_statuses)
    print("ask statuses:", ask_statuses)
    answered = ask_statuses.get(200, 0)
    audited = asks_after - asks_before
    print(f"ask answered 200: {answered}; ask audit records added: {audited}; server alive: {alive}")
    print(verification.strip())
    failures = []
    if set(search_statuses) - {200}:
        failures.append("search answered something other than 200")
    if set(ask_statuses) - {200, 429}:
        failures.append("ask answered something other than 200 or 429")
    if audited < answered:
        failures.append("an answered question has no audit record")
    if not alive:
        failures.append("the server died")
    if temporary:
        shutil.rmtree(temporary, ignore_errors=True)
    if failures:
        sys.exit("FAILED: " + "; ".join(failures))
    print("OK")


if __name__ == "__main__":
    main()
