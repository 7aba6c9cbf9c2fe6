"""Drives the obshell simulator with the official Python SDK (obshell==0.0.9) and prints one JSON result.

Usage: drive_simulator.py HOST PORT AGENT_PASSWORD HOME_PATH SQL_PORT
The simulator's control token comes from the environment variable OBSHELL_SIM_CONTROL_TOKEN.
"""
import json
import os
import sys
import urllib.request

from obshell import ClientV1
from obshell.auth.password import PasswordAuth
from obshell.service.client_v1 import TaskExecuteFailedError


def sim_control(host, port, path, body):
    headers = {"Content-Type": "application/json", "X-Sim-Control-Token": os.environ["OBSHELL_SIM_CONTROL_TOKEN"]}
    req = urllib.request.Request(f"http://{host}:{port}{path}", data=json.dumps(body).encode(), headers=headers, method="POST")
    urllib.request.urlopen(req).read()


def main():
    host, port, password, home, sql_port = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
    client = ClientV1(host, port, auth=PasswordAuth(agent_password=password))
    out = {}
    dag = client.add_obproxy_sync(home, sql_port=sql_port, rs_list="127.0.0.1:2881", proxyro_password="p", obproxy_sys_password="s")
    out["add"] = [dag.name, dag.state, dag.generic_id]
    out["stop"] = client.stop_obproxy_sync().state
    out["start"] = client.start_obproxy_sync().state
    detail = client.get_dag(dag.generic_id)
    out["get_dag"] = [detail.name, detail.state, [n.name for n in detail.nodes]]
    # A stop whose "Stop obproxy" task fails once, then RETRY through operate_dag.
    sim_control(host, port, "/__sim/fail-task", {"task": "Stop obproxy", "times": "once"})
    failed = client.stop_obproxy()
    try:
        client.wait_dag_succeed(failed.generic_id)
        out["failed_stop"] = "unexpected success"
    except TaskExecuteFailedError as e:
        out["failed_stop"] = str(e).strip()
    client.operate_dag(failed.generic_id, "RETRY")
    out["retry"] = client.wait_dag_succeed(failed.generic_id).state
    client.start_obproxy_sync()
    deleted = client.delete_obproxy_sync()
    out["delete"] = None if deleted is None else [deleted.name, deleted.state]
    out["delete_again"] = client.delete_obproxy_sync()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
