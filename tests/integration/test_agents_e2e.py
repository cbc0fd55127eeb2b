"""`barge server` with separately started `barge agent`s, driven by the AWS CLI and boto3:
an UNMANAGED compute environment created through the API, jobs on it, and host loss (an
agent killed with kill -9 mid-job: its attempt fails with AWS's host-terminated reason and the
job is retried on the other agent).
"""
import http.client
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import unittest

from barge_harness import BARGE_BIN, ENDED, BargeServer, aws, wait_for_job
from test_boto3 import batch_client

TOKEN = "agents-e2e-token"
LEASE_SECONDS = 5


class BargeAgent:
    """A `barge agent` process joining `compute_environment` of `server`."""

    def __init__(self, server, compute_environment, instance_id, work_dir, vcpus=1):
        self.instance_id = instance_id
        self.output = []
        self.proc = subprocess.Popen(
            [BARGE_BIN, "agent", "--server", server.url, "--compute-environment",
             compute_environment, "--instance-id", instance_id, "--vcpus", str(vcpus),
             "--memory", "1024", "--work-dir", work_dir, "--stop-grace", "1"],
            env={**os.environ, "BARGE_AGENT_TOKEN": TOKEN},
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.registered = threading.Event()

        def pump():
            for line in self.proc.stdout:
                self.output.append(line)
                if "registered as agent" in line:
                    self.registered.set()

        self.pump = threading.Thread(target=pump, daemon=True)
        self.pump.start()
        if not self.registered.wait(30):
            self.stop()
            raise RuntimeError(f"agent {instance_id} did not register:\n" + "".join(self.output))

    def kill(self):
        self.proc.kill()  # SIGKILL: no goodbye to the server.
        self.proc.wait()
        self.close()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.close()

    def close(self):
        self.pump.join(5)
        if not self.proc.stdout.closed:
            self.proc.stdout.close()


class AgentsEndToEndTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = BargeServer(extra_args=["--agent-token", TOKEN,
                                             "--lease-seconds", str(LEASE_SECONDS)]).start()
        cls.batch = batch_client(cls.server)

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def setUp(self):
        self.work = tempfile.mkdtemp(prefix="barge-agents-")
        os.chmod(self.work, 0o777)  # Jobs run as nobody and write marks here.
        self.addCleanup(shutil.rmtree, self.work, ignore_errors=True)

    def start_agent(self, ce, instance_id):
        work_dir = os.path.join(self.work, instance_id)
        self.addCleanup(self.kill_leftovers, work_dir)
        agent = BargeAgent(self.server, ce, instance_id, work_dir)
        self.addCleanup(agent.stop)
        return agent

    def create_environment(self, name, executor="process"):
        """An UNMANAGED compute environment and a job queue of the same name, via the AWS CLI.
        Its jobs run directly on the host unless `executor` says otherwise."""
        rc, out, err = aws(self.server, "create-compute-environment",
                           "--compute-environment-name", name, "--type", "UNMANAGED",
                           "--tags", f"barge:executor={executor}")
        self.assertEqual(rc, 0, err)
        rc, out, err = aws(self.server, "create-job-queue", "--job-queue-name", name,
                           "--priority", "1", "--compute-environment-order",
                           f"order=1,computeEnvironment={name}")
        self.assertEqual(rc, 0, err)
        rc, out, err = aws(self.server, "describe-job-queues", "--job-queues", name)
        self.assertEqual(rc, 0, err)
        self.assertEqual(out["jobQueues"][0]["state"], "ENABLED")

    def register(self, name, command, **extra):
        args = ["register-job-definition", "--job-definition-name", name, "--type", "container",
                "--container-properties", json.dumps({
                    "image": "busybox", "command": command,
                    "environment": [{"name": "MARKS", "value": self.work}],
                    "resourceRequirements": [{"type": "VCPU", "value": "1"},
                                             {"type": "MEMORY", "value": "64"}]})]
        for flag, value in extra.items():
            args += ["--" + flag.replace("_", "-"), json.dumps(value)]
        rc, out, err = aws(self.server, *args)
        self.assertEqual(rc, 0, err)

    def submit(self, queue, definition):
        rc, out, err = aws(self.server, "submit-job", "--job-name", "agents-e2e",
                           "--job-queue", queue, "--job-definition", definition)
        self.assertEqual(rc, 0, err)
        return out["jobId"]

    def wait(self, job_id, statuses=ENDED, timeout=120):
        return wait_for_job(self.batch, job_id, statuses, timeout)

    def test_job_runs_on_an_agent_of_its_compute_environment(self):
        self.create_environment("two-agents")
        agents = [self.start_agent("two-agents", "i-0000000000000a001"),
                  self.start_agent("two-agents", "i-0000000000000a002")]
        self.register("agents-ok", ["sh", "-c",
                                    'echo "$AWS_BATCH_JQ_NAME $AWS_BATCH_CE_NAME" '
                                    '> "$MARKS/$AWS_BATCH_JOB_ID"'])

        job_id = self.submit("two-agents", "agents-ok")
        job = self.wait(job_id)

        self.assertEqual(job["status"], "SUCCEEDED", json.dumps(job))
        self.assertEqual(len(job["attempts"]), 1)
        instance = job["attempts"][0]["container"]["containerInstanceArn"].rsplit("/", 1)[1]
        self.assertIn(instance, [a.instance_id for a in agents])
        with open(os.path.join(self.work, job_id)) as f:
            self.assertEqual(f.read(), "two-agents two-agents\n")

    def test_agent_killed_mid_job_loses_the_attempt_and_the_job_retries_elsewhere(self):
        self.create_environment("host-loss")
        doomed = self.start_agent("host-loss", "i-0000000000000b001")
        # Each attempt marks its start; the first one (on the doomed agent) outlives the test.
        self.register("agents-loss", ["sh", "-c",
                                      'echo "$AWS_BATCH_JOB_ATTEMPT" >> "$MARKS/attempts"; '
                                      'test "$AWS_BATCH_JOB_ATTEMPT" != 1 || sleep 20'],
                      retry_strategy={"attempts": 2, "evaluateOnExit": [
                          {"onStatusReason": "Host EC2*", "action": "RETRY"},
                          {"onReason": "*", "action": "EXIT"}]})
        job_id = self.submit("host-loss", "agents-loss")
        self.wait(job_id, statuses=("RUNNING",), timeout=60)
        survivor = self.start_agent("host-loss", "i-0000000000000b002")

        doomed.kill()
        job = self.wait(job_id, timeout=120)

        self.assertEqual(job["status"], "SUCCEEDED", json.dumps(job))
        self.assertEqual(len(job["attempts"]), 2, json.dumps(job))
        first, second = job["attempts"]
        self.assertEqual(first["statusReason"],
                         f"Host EC2 (instance {doomed.instance_id}) terminated.")
        self.assertTrue(first["container"]["containerInstanceArn"].endswith(doomed.instance_id))
        self.assertTrue(second["container"]["containerInstanceArn"].endswith(
            survivor.instance_id))
        self.assertEqual(second["container"]["exitCode"], 0)
        with open(os.path.join(self.work, "attempts")) as f:
            self.assertEqual(f.read().split(), ["1", "2"])

    def agent_call(self, path, message):
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        conn.request("POST", path, body=json.dumps(message).encode(),
                     headers={"Content-Type": "application/json",
                              "Authorization": "Bearer " + TOKEN})
        reply = conn.getresponse()
        data = reply.read()
        conn.close()
        return reply.status, data

    def register_agent(self, ce, executors):
        """Registers a bare agent (no process behind it) that lists `executors`, and keeps
        its lease (LEASE_SECONDS is short: on a loaded machine the AWS CLI calls that follow
        can outlast it) until the test ends."""
        status, data = self.agent_call("/agent/v1/register", {
            "protocol_version": 1, "compute_environment": ce,
            "instance_id": "i-00000000000000c01",
            "capacity": {"millicpus": 4000, "memory_mib": 4096, "gpus": 0},
            "executors": executors})
        self.assertEqual(status, 200, data)
        agent_id = json.loads(data)["agent_id"]
        done = threading.Event()

        def heartbeat():
            while not done.wait(LEASE_SECONDS / 5):
                try:
                    self.agent_call("/agent/v1/heartbeat",
                                    {"agent_id": agent_id, "running_attempts": []})
                except OSError:
                    pass  # The server is stopping; the test is over.

        beating = threading.Thread(target=heartbeat, daemon=True)
        beating.start()
        self.addCleanup(beating.join)
        self.addCleanup(done.set)
        return agent_id

    def test_container_job_waits_with_a_reason_while_no_agent_can_run_containers(self):
        self.create_environment("boxes", executor="container")
        self.register_agent("boxes", ["process"])
        self.register("agents-box", ["true"])

        job_id = self.submit("boxes", "agents-box")
        deadline = time.monotonic() + 30
        while True:
            [job] = self.batch.describe_jobs(jobs=[job_id])["jobs"]
            if job.get("statusReason") or time.monotonic() > deadline:
                break
            time.sleep(0.1)

        self.assertEqual(job["status"], "RUNNABLE", json.dumps(job))
        self.assertIn("no agent in compute environment boxes can run containers",
                      job.get("statusReason", ""))
        # Switching the environment to the process executor makes the agent usable.
        arn = self.batch.describe_compute_environments(
            computeEnvironments=["boxes"])["computeEnvironments"][0]["computeEnvironmentArn"]
        self.batch.tag_resource(resourceArn=arn, tags={"barge:executor": "process"})
        job = self.wait(job_id, statuses=("STARTING", "RUNNING", "SUCCEEDED", "FAILED"),
                        timeout=30)
        self.assertEqual(job["status"], "STARTING", json.dumps(job))
        self.assertEqual(job.get("statusReason", ""), "")

    @staticmethod
    def kill_leftovers(work_dir):
        """Ends what still runs in a killed agent's attempt directories: its jobs outlive it
        (their monitors are in their own sessions), as they would on a host that is only cut
        off, and this test should leave nothing behind."""
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                cwd = os.readlink(f"/proc/{pid}/cwd")
            except OSError:
                continue
            if cwd.startswith(work_dir + "/"):
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except OSError:
                    pass


if __name__ == "__main__":
    unittest.main()
