"""More jobs end to end on `barge dev`: attempt timeouts, the memory limit (OOM kill), the
AWS_BATCH_* variables of every attempt, `barge watch`, and the environments dev sets up (`default`
with the process executor; `containers` when runc and root are there). Driven by boto3, the AWS
CLI and the barge CLI. (test_jobs_e2e.py covers success, exit codes, retry rules, terminate and
cancel.)
"""
import json
import os
import shutil
import subprocess
import tempfile
import time
import unittest

from barge_harness import BARGE_BIN, ENDED, aws, wait_for_job
from test_boto3 import batch_client
from test_jobs_e2e import BargeDev

TIMEOUT_REASON = "Job attempt duration exceeded timeout"
OOM_REASON = "OutOfMemoryError: Container killed due to memory usage"


class DevEndToEndTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dev = BargeDev()
        cls.batch = batch_client(cls.dev)
        # AWS's shortest timeout is 60 s (barge keeps that rule), so the timeout job is
        # submitted first and runs while the other tests do.
        cls.register("dev-timeout", ["sleep", "300"], retryStrategy={"attempts": 3},
                     timeout={"attemptDurationSeconds": 60})
        rc, out, err = aws(cls.dev, "submit-job", "--job-name", "timeout", "--job-queue",
                           "default", "--job-definition", "dev-timeout")
        if rc != 0:
            cls.dev.stop()
            raise RuntimeError("submit-job failed: " + err)
        cls.timeout_job = out["jobId"]

    @classmethod
    def tearDownClass(cls):
        cls.dev.stop()

    @classmethod
    def register(cls, name, command, memory="64", vcpus="1", **extra):
        props = {"image": "busybox", "command": command,
                 "resourceRequirements": [{"type": "VCPU", "value": vcpus},
                                          {"type": "MEMORY", "value": memory}]}
        props.update(extra.pop("container", {}))
        cls.batch.register_job_definition(jobDefinitionName=name, type="container",
                                          containerProperties=props, **extra)

    def submit(self, definition, queue="default", **extra):
        return self.batch.submit_job(jobName="dev-e2e", jobQueue=queue, jobDefinition=definition,
                                     **extra)["jobId"]

    def wait(self, job_id, statuses=ENDED, timeout=120):
        return wait_for_job(self.batch, job_id, statuses, timeout)

    def test_timed_out_attempt_fails_the_job_without_retry(self):
        job = self.wait(self.timeout_job, timeout=180)

        self.assertEqual(job["status"], "FAILED", json.dumps(job))
        self.assertEqual(job["statusReason"], TIMEOUT_REASON)
        self.assertEqual(len(job["attempts"]), 1, json.dumps(job))
        self.assertEqual(job["attempts"][0]["statusReason"], TIMEOUT_REASON)
        self.assertGreaterEqual(job["attempts"][0]["stoppedAt"] - job["attempts"][0]["startedAt"],
                                60_000)
        # Still one attempt a little later: the timeout is final even with attempts=3.
        time.sleep(2)
        [again] = self.batch.describe_jobs(jobs=[self.timeout_job])["jobs"]
        self.assertEqual((again["status"], len(again["attempts"])), ("FAILED", 1))

    def test_job_over_its_memory_is_oom_killed(self):
        if not any("isolation: cgroups v1 (memory" in line for line in self.dev.output):
            self.skipTest("the agent has no writable cgroup v1 memory hierarchy (its log says "
                          "'isolation: rlimits only'), so over-memory jobs fail to allocate "
                          "instead of being OOM-killed")
        # 32 MiB limit; bytearray() touches every page of its 256 MiB.
        self.register("dev-oom", ["python3", "-c", "b = bytearray(256 << 20); print(len(b))"],
                      memory="32", retryStrategy={"attempts": 1})

        job = self.wait(self.submit("dev-oom"))

        self.assertEqual(job["status"], "FAILED", json.dumps(job))
        self.assertEqual(job["container"]["exitCode"], 137, json.dumps(job))
        # As on AWS: the container's reason names the OOM kill, the status reason is the
        # generic one (so `onReason: "OutOfMemoryError*"` retry rules match).
        self.assertEqual(job["container"]["reason"], OOM_REASON)
        self.assertEqual(job["statusReason"], "Essential container in task exited")
        self.assertEqual(job["attempts"][0]["container"]["exitCode"], 137)
        self.assertEqual(job["attempts"][0]["container"]["reason"], OOM_REASON)

    def test_job_under_its_memory_is_not_killed(self):
        self.register("dev-fits", ["python3", "-c", "b = bytearray(8 << 20); print(len(b))"],
                      memory="128")

        job = self.wait(self.submit("dev-fits"))

        self.assertEqual(job["status"], "SUCCEEDED", json.dumps(job))

    def test_every_attempt_sees_its_own_aws_batch_variables(self):
        marks = tempfile.mkdtemp(prefix="barge-env-")
        self.addCleanup(shutil.rmtree, marks, ignore_errors=True)
        os.chmod(marks, 0o777)  # Jobs run as nobody.
        # Each attempt records its AWS_BATCH_* variables; attempts 1 and 2 fail, 3 succeeds.
        self.register("dev-env", ["sh", "-c",
                                  'env | grep "^AWS_BATCH_" | sort > "$MARKS/$AWS_BATCH_JOB_ATTEMPT"'
                                  ' && test "$AWS_BATCH_JOB_ATTEMPT" = 3'],
                      container={"environment": [{"name": "MARKS", "value": marks}]},
                      retryStrategy={"attempts": 3})

        job_id = self.submit("dev-env")
        job = self.wait(job_id)

        self.assertEqual(job["status"], "SUCCEEDED", json.dumps(job))
        self.assertEqual(len(job["attempts"]), 3)
        self.assertEqual(sorted(os.listdir(marks)), ["1", "2", "3"])
        for attempt in ("1", "2", "3"):
            with open(os.path.join(marks, attempt)) as f:
                seen = dict(line.rstrip("\n").split("=", 1) for line in f if line.strip())
            self.assertEqual(seen, {"AWS_BATCH_CE_NAME": "default",
                                    "AWS_BATCH_JOB_ATTEMPT": attempt,
                                    "AWS_BATCH_JOB_ID": job_id,
                                    "AWS_BATCH_JQ_NAME": "default"}, f"attempt {attempt}")

    def test_default_runs_jobs_on_the_host_and_containers_exist_with_runc_and_root(self):
        [default] = self.batch.describe_compute_environments(
            computeEnvironments=["default"])["computeEnvironments"]
        containers = self.batch.describe_compute_environments(
            computeEnvironments=["containers"])["computeEnvironments"]
        queues = self.batch.describe_job_queues(jobQueues=["containers"])["jobQueues"]
        banner = banner_of(self.dev)

        self.assertEqual(default["tags"], {"barge:executor": "process"})
        self.assertIn("`default`: MANAGED, local instances launched as jobs wait", banner)
        self.assertIn("executor process", banner)
        runc = os.environ.get("BARGE_RUNC") or shutil.which("runc")
        if runc and os.geteuid() == 0:
            self.assertEqual(len(containers), 1, banner)
            self.assertEqual(containers[0]["tags"], {"barge:executor": "container"})
            self.assertEqual(containers[0]["status"], "VALID")
            self.assertEqual([q["state"] for q in queues], ["ENABLED"])
            self.assertIn("`containers`: MANAGED", banner)
            self.assertIn("executor container", banner)
        else:
            self.assertEqual(containers, [])
            self.assertIn("no `containers` environment: ", banner)

    def test_watch_counts_the_jobs_of_a_queue_per_state(self):
        self.batch.create_job_queue(jobQueueName="watched", priority=1, computeEnvironmentOrder=[
            {"order": 1, "computeEnvironment": "default"}])
        self.register("dev-true", ["true"])
        self.register("dev-false", ["false"])
        self.register("dev-huge", ["true"], vcpus="512")  # Never fits: stays RUNNABLE.
        done = [self.submit("dev-true", queue="watched") for _ in range(2)]
        done.append(self.submit("dev-false", queue="watched"))
        waiting = [self.submit("dev-huge", queue="watched") for _ in range(3)]
        for job_id in done:
            self.wait(job_id)

        def watch(*args):
            p = subprocess.run([BARGE_BIN, "watch", "--endpoint-url", self.dev.url, "--once",
                                "--job-queue", "watched", *args],
                               capture_output=True, text=True, timeout=60)
            self.assertEqual(p.returncode, 0, p.stderr)
            return p.stdout

        line = json.loads(watch("--output", "json"))
        table = watch()
        capped = json.loads(watch("--output", "json", "--max-count", "2"))
        for job_id in waiting:
            self.batch.cancel_job(jobId=job_id, reason="done watching")

        [queue] = line["queues"]
        self.assertEqual(queue["jobQueueName"], "watched")
        self.assertEqual(queue["counts"], {"SUBMITTED": 0, "PENDING": 0, "RUNNABLE": 3,
                                           "STARTING": 0, "RUNNING": 0, "SUCCEEDED": 2,
                                           "FAILED": 1})
        self.assertEqual(queue["capped"], [])
        rows = [row.split() for row in table.splitlines()]
        self.assertIn(["QUEUE", "SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING",
                       "SUCCEEDED", "FAILED"], rows)
        self.assertIn(["watched", "0", "0", "3", "0", "0", "2", "1"], rows)
        self.assertNotIn("\x1b", table)  # Not a terminal: no ANSI codes.
        self.assertEqual(capped["queues"][0]["counts"]["RUNNABLE"], 2)
        self.assertEqual(capped["queues"][0]["capped"], ["RUNNABLE"])


def banner_of(dev, last_line="  try: "):
    """dev's output once the ready banner is all there (it is read by another thread)."""
    deadline = time.time() + 10
    while not any(line.startswith(last_line) for line in dev.output) and time.time() < deadline:
        time.sleep(0.05)
    return "".join(dev.output)


class DevWithoutContainersTest(unittest.TestCase):
    def test_without_runc_only_default_is_set_up_and_the_banner_says_why(self):
        dev = BargeDev(env={"BARGE_RUNC": "/nonexistent/runc"})
        self.addCleanup(dev.stop)
        batch = batch_client(dev)

        names = [ce["computeEnvironmentName"]
                 for ce in batch.describe_compute_environments()["computeEnvironments"]]
        banner = banner_of(dev)

        self.assertEqual(names, ["default"])
        self.assertIn("no `containers` environment: BARGE_RUNC=/nonexistent/runc is not an "
                      "executable file", banner)
        self.assertNotIn("for compute environment containers", banner)


if __name__ == "__main__":
    unittest.main()
