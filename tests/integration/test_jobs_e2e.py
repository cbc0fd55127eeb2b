"""Jobs run end to end on `barge dev` (server + a local agent), driven by the AWS CLI and boto3."""
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

from barge_harness import BARGE_BIN, ENDED, aws, wait_for_job
from test_boto3 import batch_client


class BargeDev:
    """`barge dev` on a free port; `url` once it says it is ready."""

    def __init__(self, env=None, extra_args=()):
        self.data_dir = tempfile.mkdtemp(prefix="barge-dev-")
        self.output = []
        self.url = None
        self.proc = subprocess.Popen(
            [BARGE_BIN, "dev", "--listen", "127.0.0.1:0", "--data-dir", self.data_dir,
             *extra_args],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env={**os.environ, **(env or {})})
        ready = threading.Event()

        def pump():
            for line in self.proc.stdout:
                self.output.append(line)
                m = re.search(r"barge dev: ready at (http://\S+)", line)
                if m:
                    self.url = m.group(1)
                    ready.set()
            ready.set()

        threading.Thread(target=pump, daemon=True).start()
        if not ready.wait(60) or not self.url:
            self.stop()
            raise RuntimeError("barge dev did not start:\n" + "".join(self.output))

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=30)
        shutil.rmtree(self.data_dir, ignore_errors=True)


class JobsEndToEndTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dev = BargeDev()
        cls.batch = batch_client(cls.dev)

    @classmethod
    def tearDownClass(cls):
        cls.dev.stop()

    def register(self, name, command, **extra):
        props = {"image": "busybox", "command": command,
                 "resourceRequirements": [{"type": "VCPU", "value": "1"},
                                          {"type": "MEMORY", "value": "64"}]}
        props.update(extra.pop("container", {}))
        return self.batch.register_job_definition(jobDefinitionName=name, type="container",
                                                  containerProperties=props, **extra)

    def submit(self, definition, **extra):
        return self.batch.submit_job(jobName="e2e", jobQueue="default", jobDefinition=definition,
                                     **extra)["jobId"]

    def wait(self, job_id, statuses=ENDED, timeout=60):
        return wait_for_job(self.batch, job_id, statuses, timeout)

    def test_job_succeeds_and_sees_its_aws_batch_variables(self):
        self.register("e2e-env", ["sh", "-c",
                                  'test -n "$AWS_BATCH_JOB_ID" || exit 9; '
                                  'test "$AWS_BATCH_JQ_NAME" = default || exit 10; '
                                  'test "$AWS_BATCH_CE_NAME" = default || exit 11; '
                                  'test "$AWS_BATCH_JOB_ATTEMPT" = 1 || exit 12; '
                                  'test "$FOO" = Ref::foo || exit 13; '
                                  'test "$(id -u)" != 0 || exit 14; echo "$0"', "Ref::word"],
                      container={"environment": [{"name": "FOO", "value": "bar"}]},
                      parameters={"word": "hello"})
        rc, out, err = aws(self.dev, "submit-job", "--job-name", "env", "--job-queue", "default",
                           "--job-definition", "e2e-env", "--container-overrides",
                           json.dumps({"environment": [{"name": "FOO", "value": "Ref::foo"}]}))
        self.assertEqual(rc, 0, err)

        job = self.wait(out["jobId"])

        self.assertEqual(job["status"], "SUCCEEDED", json.dumps(job))
        self.assertEqual(job["container"]["exitCode"], 0)
        self.assertEqual(job["container"]["command"][-1], "hello")
        self.assertEqual(len(job["attempts"]), 1)
        self.assertTrue(job["container"]["logStreamName"].startswith("e2e-env/default/"))
        self.assertGreaterEqual(job["stoppedAt"], job["startedAt"])

    def test_exit_3_with_three_attempts_fails_with_three_attempts(self):
        self.register("e2e-exit3", ["sh", "-c", "exit 3"], retryStrategy={"attempts": 3})
        job = self.wait(self.submit("e2e-exit3"))
        self.assertEqual(job["status"], "FAILED")
        self.assertEqual([a["container"]["exitCode"] for a in job["attempts"]], [3, 3, 3])

    def test_retry_only_on_matching_rule(self):
        self.register("e2e-rule", ["sh", "-c", "exit 4"], retryStrategy={
            "attempts": 5, "evaluateOnExit": [{"onExitCode": "3", "action": "RETRY"},
                                              {"onExitCode": "*", "action": "EXIT"}]})
        job = self.wait(self.submit("e2e-rule"))
        self.assertEqual(job["status"], "FAILED")
        self.assertEqual(len(job["attempts"]), 1)

    def test_terminate_stops_a_running_job(self):
        self.register("e2e-sleep", ["sleep", "300"], retryStrategy={"attempts": 3})
        job_id = self.submit("e2e-sleep")
        self.wait(job_id, statuses=("RUNNING",))
        self.batch.terminate_job(jobId=job_id, reason="enough")
        job = self.wait(job_id, timeout=60)
        self.assertEqual(job["status"], "FAILED")
        self.assertEqual(job["statusReason"], "enough")
        self.assertEqual(len(job["attempts"]), 1)

    def wait_for_reason(self, job_id, prefix, timeout=20):
        deadline = time.time() + timeout
        while True:
            [job] = self.batch.describe_jobs(jobs=[job_id])["jobs"]
            if job.get("statusReason", "").startswith(prefix) or time.time() > deadline:
                return job
            time.sleep(0.1)

    def test_job_too_big_stays_runnable_with_reason_and_can_be_cancelled(self):
        # dev's `default` may grow to this machine's cores: 512 vCPUs is past
        # its maxvCpus, and 1 TiB of memory fits no instance type it may use.
        self.register("e2e-huge", ["true"],
                      container={"resourceRequirements": [{"type": "VCPU", "value": "512"},
                                                          {"type": "MEMORY", "value": "64"}]})
        self.register("e2e-huge-memory", ["true"],
                      container={"resourceRequirements": [{"type": "VCPU", "value": "1"},
                                                          {"type": "MEMORY", "value": "1048576"}]})
        too_many_vcpus = self.submit("e2e-huge")
        too_much_memory = self.submit("e2e-huge-memory")

        job = self.wait_for_reason(too_many_vcpus, "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE")
        other = self.wait_for_reason(too_much_memory, "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT")

        self.assertEqual(job["status"], "RUNNABLE")
        self.assertEqual(job["statusReason"],
                         "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE - CE(s) associated "
                         "with the job queue cannot meet the CPU requirement of the job.")
        self.assertEqual(other["status"], "RUNNABLE")
        self.assertTrue(other["statusReason"].startswith("MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT"),
                        other)
        for job_id in (too_many_vcpus, too_much_memory):
            self.batch.cancel_job(jobId=job_id, reason="too big")
            job = self.wait(job_id)
            self.assertEqual((job["status"], job["statusReason"]), ("FAILED", "too big"))


if __name__ == "__main__":
    unittest.main()
