"""Crash test: `barge server` is killed with kill -9 while several clients submit hundreds of
jobs and two `barge agent`s run them, then restarted on the same data directory and port.
Every job whose SubmitJob returned 200 must end SUCCEEDED, and every job must have run
exactly once (each run appends a line to a per-job marker file).
"""
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import unittest

from barge_harness import BARGE_BIN, aws
from test_agents_e2e import BargeAgent, TOKEN
from test_boto3 import batch_client

CLIENTS = 4
JOBS_PER_CLIENT = 150  # Acknowledged submissions per client: 600 in all.
KILL_AFTER = (200, 400)  # The server is killed when this many submissions were acknowledged.
QUEUE = "crash"

LISTEN_LINE = re.compile(r"barge server listening on (http://\S+)")


class Server:
    """`barge server` on `listen` (port 0 the first time, the same port after a crash)."""

    def __init__(self, data_dir, listen="127.0.0.1:0"):
        self.output = []
        self.url = None
        self.proc = subprocess.Popen(
            [BARGE_BIN, "server", "--listen", listen, "--data-dir", data_dir,
             "--agent-token", TOKEN, "--lease-seconds", "10"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        found = threading.Event()

        def pump():
            for line in self.proc.stdout:
                self.output.append(line)
                m = LISTEN_LINE.search(line)
                if m:
                    self.url = m.group(1)
                    found.set()
            found.set()

        self.pump = threading.Thread(target=pump, daemon=True)
        self.pump.start()
        found.wait(30)

    @property
    def port(self):
        return int(self.url.rsplit(":", 1)[1])

    def stop(self, sig=signal.SIGTERM):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.pump.join(5)
        self.proc.stdout.close()


class Submitter(threading.Thread):
    """Submits jobs over raw HTTP (no SDK retries, so "returned 200" means exactly that) until
    `wanted` were acknowledged. A request without a 200 is an unknown outcome: the job may or
    may not exist, and it is not counted."""

    def __init__(self, index, port, wanted, acked, lock):
        super().__init__(daemon=True)
        self.index, self.port, self.wanted = index, port, wanted
        self.acked, self.lock = acked, lock
        self.unknown = 0
        self.error = None

    def run(self):
        mine, sequence, conn = 0, 0, None
        deadline = time.time() + 120
        while mine < self.wanted and time.time() < deadline:
            sequence += 1
            body = json.dumps({"jobName": f"crash-{self.index}-{sequence}", "jobQueue": QUEUE,
                               "jobDefinition": "crash-mark"})
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                conn.request("POST", "/v1/submitjob", body,
                              {"Content-Type": "application/json"})
                reply = conn.getresponse()
                data = reply.read()
            except (OSError, http.client.HTTPException):
                self.unknown += 1
                if conn is not None:
                    conn.close()
                conn = None
                time.sleep(0.05)  # The server is down; try again shortly.
                continue
            if reply.status != 200:
                self.unknown += 1
                if reply.status < 500:
                    self.error = f"SubmitJob answered {reply.status}: {data[:300]!r}"
                    return
                continue
            with self.lock:
                self.acked.append(json.loads(data)["jobId"])
            mine += 1
        if conn is not None:
            conn.close()
        if mine < self.wanted:
            self.error = f"client {self.index} got only {mine} submissions acknowledged"


class CrashTest(unittest.TestCase):
    def setUp(self):
        self.data_dir = tempfile.mkdtemp(prefix="barge-crash-")
        self.addCleanup(shutil.rmtree, self.data_dir, ignore_errors=True)
        self.marks = tempfile.mkdtemp(prefix="barge-crash-marks-")
        self.addCleanup(shutil.rmtree, self.marks, ignore_errors=True)
        os.chmod(self.marks, 0o777)  # Jobs run as nobody.
        self.server = Server(self.data_dir)
        self.addCleanup(lambda: self.server.stop())
        self.assertIsNotNone(self.server.url, "".join(self.server.output))

    def restart_server(self, port):
        """Starts the server again on the same data dir and port (retried: the port may take a
        moment to become free again)."""
        for _ in range(50):
            self.server = Server(self.data_dir, listen=f"127.0.0.1:{port}")
            if self.server.url:
                return
            self.server.stop()
            time.sleep(0.2)
        self.fail("the server did not restart:\n" + "".join(self.server.output))

    def test_kill_9_of_the_server_loses_no_acknowledged_job_and_runs_each_once(self):
        port = self.server.port
        rc, _, err = aws(self.server, "create-compute-environment", "--compute-environment-name",
                         QUEUE, "--type", "UNMANAGED", "--tags", "barge:executor=process")
        self.assertEqual(rc, 0, err)
        rc, _, err = aws(self.server, "create-job-queue", "--job-queue-name", QUEUE,
                         "--priority", "1", "--compute-environment-order",
                         f"order=1,computeEnvironment={QUEUE}")
        self.assertEqual(rc, 0, err)
        rc, _, err = aws(self.server, "register-job-definition", "--job-definition-name",
                         "crash-mark", "--type", "container", "--container-properties",
                         json.dumps({"image": "busybox", "command": [
                             "sh", "-c", 'echo "$AWS_BATCH_JOB_ID $AWS_BATCH_JOB_ATTEMPT" '
                                         '>> "$MARKS/$AWS_BATCH_JOB_ID" && sleep 0.05'],
                             "environment": [{"name": "MARKS", "value": self.marks}],
                             "resourceRequirements": [{"type": "VCPU", "value": "1"},
                                                      {"type": "MEMORY", "value": "16"}]}))
        self.assertEqual(rc, 0, err)
        for n in range(2):
            work = os.path.join(self.data_dir, f"agent-{n}")
            agent = BargeAgent(self.server, QUEUE, f"i-00000000000c0000{n}", work, vcpus=4)
            self.addCleanup(agent.stop)

        acked, lock = [], threading.Lock()
        clients = [Submitter(i, port, JOBS_PER_CLIENT, acked, lock) for i in range(CLIENTS)]
        for client in clients:
            client.start()
        ran_before_kill = [0]
        for kill_after in KILL_AFTER:
            # Kill once enough submissions were acknowledged and jobs run (again).
            deadline = time.time() + 60
            while time.time() < deadline and (
                    len(acked) < kill_after or len(os.listdir(self.marks)) <= ran_before_kill[-1]):
                time.sleep(0.01)
            self.assertGreaterEqual(len(acked), kill_after, [c.error for c in clients])
            self.server.stop(signal.SIGKILL)
            ran_before_kill.append(len(os.listdir(self.marks)))
            time.sleep(0.5)
            self.restart_server(port)
        for client in clients:
            client.join(timeout=150)
        errors = [c.error for c in clients if c.error]
        self.assertEqual(errors, [])
        acked_ids = set(acked)
        self.assertEqual(len(acked_ids), CLIENTS * JOBS_PER_CLIENT)

        batch = batch_client(self.server)
        succeeded = self.wait_until_succeeded(batch, acked_ids)

        print(f"\n{len(acked_ids)} acknowledged, {sum(c.unknown for c in clients)} unknown "
              f"outcomes, {ran_before_kill[1:]} had run at the kills", flush=True)
        self.assertEqual(acked_ids - succeeded, set())
        ids = sorted(acked_ids)
        for i in range(0, len(ids), 100):
            for job in batch.describe_jobs(jobs=ids[i:i + 100])["jobs"]:
                self.assertEqual((job["status"], len(job["attempts"])), ("SUCCEEDED", 1),
                                 json.dumps(job))
        for job_id in acked_ids:
            with open(os.path.join(self.marks, job_id)) as f:
                self.assertEqual(f.read(), f"{job_id} 1\n", f"job {job_id} ran more than once")
        for name in os.listdir(self.marks):  # Jobs of unknown outcome, too: at most once.
            with open(os.path.join(self.marks, name)) as f:
                self.assertEqual(f.read(), f"{name} 1\n", f"job {name} ran more than once")

    def wait_until_succeeded(self, batch, job_ids, timeout=150):
        """The ids in `job_ids` that are SUCCEEDED once all are, or none failed, or time is up."""
        pages = batch.get_paginator("list_jobs")
        deadline = time.time() + timeout
        while True:
            succeeded = {s["jobId"] for page in pages.paginate(jobQueue=QUEUE,
                                                               jobStatus="SUCCEEDED")
                         for s in page["jobSummaryList"]}
            failed = {s["jobId"] for page in pages.paginate(jobQueue=QUEUE, jobStatus="FAILED")
                      for s in page["jobSummaryList"]}
            if job_ids <= succeeded or failed & job_ids or time.time() > deadline:
                if failed & job_ids:
                    job_id = sorted(failed & job_ids)[0]
                    self.fail("failed: " + json.dumps(batch.describe_jobs(jobs=[job_id])))
                return succeeded
            time.sleep(1)


if __name__ == "__main__":
    unittest.main()
