"""Deletes the OBProxy with the official Python SDK (obshell==0.0.9) on request, for the completion-lag benchmark.

Usage: delete_lag.py HOST PORT AGENT_PASSWORD
Reads one line per delete from stdin ("delete"); answers one JSON line: the epoch ms at which delete_obproxy_sync
returned (this machine's clock) and the DAG id. Ends at EOF.
"""
import json
import sys
import time

from obshell import ClientV1
from obshell.auth.password import PasswordAuth


def main():
    host, port, password = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    client = ClientV1(host, port, auth=PasswordAuth(agent_password=password))
    for line in sys.stdin:
        if line.strip() != "delete":
            continue
        dag = client.delete_obproxy_sync()
        returned_ms = time.time() * 1000
        print(json.dumps({"returned_ms": returned_ms, "dag_id": None if dag is None else dag.generic_id}), flush=True)


if __name__ == "__main__":
    main()
