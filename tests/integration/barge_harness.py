"""Starts a real `barge server` on a free loopback port for integration tests.

The server prints `barge server listening on http://127.0.0.1:PORT` once it
accepts connections; tests talk to that URL with the real AWS clients.
"""
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time

BARGE_BIN = os.environ.get("BARGE_BIN", "barge")
# Debian's AWS CLI v2 and boto3, whatever a developer has earlier on PATH.
AWS_CLI = os.environ.get("BARGE_TEST_AWS_CLI", "/usr/bin/aws")

LISTEN_LINE = re.compile(r"barge server listening on (http://\S+)")


class BargeServer:
    """A barge server process with its own data directory."""

    def __init__(self, data_dir=None, extra_args=(), listen="127.0.0.1:0"):
        self.listen = listen
        self.owns_dir = data_dir is None
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="barge-it-")
        self.extra_args = list(extra_args)
        self.proc = None
        self.url = None
        self.output = []

    def start(self, timeout=30):
        args = [BARGE_BIN, "server", "--listen", self.listen, "--data-dir", self.data_dir]
        self.proc = subprocess.Popen(args + self.extra_args, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
        found = threading.Event()

        def pump():
            for line in self.proc.stdout:
                self.output.append(line)
                m = LISTEN_LINE.search(line)
                if m and not found.is_set():
                    self.url = m.group(1)
                    found.set()
            found.set()

        threading.Thread(target=pump, daemon=True).start()
        if not found.wait(timeout) or self.url is None:
            self.stop()
            raise RuntimeError("barge server did not start:\n" + "".join(self.output))
        return self

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def cleanup(self):
        self.stop()
        if self.owns_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    @property
    def port(self):
        return int(self.url.rsplit(":", 1)[1])


def client_env(access_key="test", secret_key="test"):
    env = dict(os.environ)
    env.update({
        "AWS_ACCESS_KEY_ID": access_key,
        "AWS_SECRET_ACCESS_KEY": secret_key,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "AWS_PAGER": "",
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
    })
    env.pop("AWS_PROFILE", None)
    env.pop("AWS_SESSION_TOKEN", None)
    return env


def aws(server, *args, env=None):
    """Runs Debian's AWS CLI against `server`; returns (exit code, parsed JSON or None, stderr)."""
    cmd = [AWS_CLI, "--endpoint-url", server.url, "--output", "json", "batch", *args]
    p = subprocess.run(cmd, capture_output=True, text=True, env=env or client_env(), timeout=60)
    out = p.stdout.strip()
    return p.returncode, (json.loads(out) if out else None), p.stderr


ENDED = ("SUCCEEDED", "FAILED")


def wait_for_job(batch, job_id, statuses=ENDED, timeout=60):
    """Polls DescribeJobs (boto3 `batch`) until the job is in one of `statuses`;
    returns it, or raises AssertionError with the job as last seen."""
    deadline = time.time() + timeout
    while True:
        [job] = batch.describe_jobs(jobs=[job_id])["jobs"]
        if job["status"] in statuses:
            return job
        if time.time() > deadline:
            raise AssertionError(f"job {job_id} still {job['status']} after {timeout}s: "
                                 + json.dumps(job))
        time.sleep(0.1)
