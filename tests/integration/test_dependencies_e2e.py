"""Job dependencies (dependsOn) of plain jobs end to end, through the AWS CLI, boto3 and the
barge CLI: on `barge dev` (chains, diamonds, failures, unknown ids, the limit, barge's
AFTER_ANY / AFTER_NOT_OK, cancel of a waiting job), and on `barge server` with a separately
started agent, killed with kill -9 and restarted while a dependent waits.
"""
import http.client
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest
import urllib.parse

from botocore.exceptions import ClientError

from barge_harness import BARGE_BIN, ENDED, aws, client_env, wait_for_job
from test_agents_e2e import BargeAgent
from test_boto3 import batch_client
from test_crash_e2e import Server
from test_jobs_e2e import BargeDev


def describe_raw(url, job_id):
    """DescribeJobs as the server answers it: botocore 1.29 drops members its model lacks
    (isCancelled)."""
    split = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(split.hostname, split.port, timeout=30)
    conn.request("POST", "/v1/describejobs", body=json.dumps({"jobs": [job_id]}),
                 headers={"Content-Type": "application/json"})
    [job] = json.loads(conn.getresponse().read())["jobs"]
    conn.close()
    return job


def dependency(job_id, type=None):
    entry = {"jobId": job_id}
    if type:
        entry["type"] = type
    return entry


class DependenciesOnDevTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dev = BargeDev()
        cls.batch = batch_client(cls.dev)
        for name, command in [("dep-ok", ["sleep", "1"]), ("dep-quick", ["true"]),
                              ("dep-fail", ["sh", "-c", "exit 3"]),
                              ("dep-slow", ["sleep", "4"])]:
            cls.batch.register_job_definition(
                jobDefinitionName=name, type="container",
                containerProperties={"image": "busybox", "command": command,
                                     "resourceRequirements": [{"type": "VCPU", "value": "1"},
                                                              {"type": "MEMORY", "value": "64"}]})

    @classmethod
    def tearDownClass(cls):
        cls.dev.stop()

    def submit(self, definition, depends_on=(), name="dep"):
        return self.batch.submit_job(jobName=name, jobQueue="default", jobDefinition=definition,
                                     dependsOn=list(depends_on))["jobId"]

    def submit_cli(self, definition, depends_on=(), name="dep"):
        """SubmitJob through the AWS CLI's shorthand: --depends-on jobId=X jobId=Y,type=T."""
        args = ["submit-job", "--job-name", name, "--job-queue", "default",
                "--job-definition", definition]
        if depends_on:
            args.append("--depends-on")
            for entry in depends_on:
                args.append(",".join(f"{k}={v}" for k, v in entry.items()))
        rc, out, err = aws(self.dev, *args)
        self.assertEqual(rc, 0, err)
        return out["jobId"]

    def wait(self, job_id, statuses=ENDED, timeout=60):
        return wait_for_job(self.batch, job_id, statuses, timeout)

    def describe(self, job_id):
        [job] = self.batch.describe_jobs(jobs=[job_id])["jobs"]
        return job

    def test_chain_runs_in_order(self):
        a = self.submit_cli("dep-ok")
        b = self.submit_cli("dep-ok", [dependency(a)])
        c = self.submit_cli("dep-ok", [dependency(b)])
        # Right after its submit c waits, unless (on a loaded machine) the AWS CLI calls took
        # longer than a and b ran: then b must have succeeded already.
        if self.describe(c)["status"] != "PENDING":
            self.assertEqual(self.describe(b)["status"], "SUCCEEDED")

        jc = self.wait(c)
        ja, jb = self.describe(a), self.describe(b)

        self.assertEqual([j["status"] for j in (ja, jb, jc)], ["SUCCEEDED"] * 3)
        self.assertGreaterEqual(jb["startedAt"], ja["stoppedAt"])
        self.assertGreaterEqual(jc["startedAt"], jb["stoppedAt"])
        self.assertEqual(jb["dependsOn"], [{"jobId": a}])
        rc, out, err = aws(self.dev, "describe-jobs", "--jobs", c)
        self.assertEqual(rc, 0, err)
        self.assertEqual(out["jobs"][0]["dependsOn"], [{"jobId": b}])

    def test_diamond_joins_after_both_branches(self):
        a = self.submit("dep-quick")
        b = self.submit("dep-ok", [dependency(a)])
        c = self.submit("dep-slow", [dependency(a)])
        d = self.submit("dep-quick", [dependency(b), dependency(c)])

        jd = self.wait(d)
        ja, jb, jc = (self.describe(x) for x in (a, b, c))

        self.assertEqual([j["status"] for j in (ja, jb, jc, jd)], ["SUCCEEDED"] * 4)
        self.assertGreaterEqual(jb["startedAt"], ja["stoppedAt"])
        self.assertGreaterEqual(jc["startedAt"], ja["stoppedAt"])
        self.assertGreaterEqual(jd["startedAt"], max(jb["stoppedAt"], jc["stoppedAt"]))
        self.assertEqual(jd["dependsOn"], [{"jobId": b}, {"jobId": c}])

    def test_dependents_of_a_failing_job_fail_without_running(self):
        a = self.submit("dep-fail")
        b = self.submit("dep-quick", [dependency(a)])
        c = self.submit("dep-quick", [dependency(b)])

        jc = self.wait(c)
        ja, jb = self.describe(a), self.describe(b)

        self.assertEqual(ja["status"], "FAILED")
        self.assertEqual((jb["status"], jb["statusReason"]), ("FAILED", f"Dependent Job failed: {a}"))
        self.assertEqual((jc["status"], jc["statusReason"]), ("FAILED", f"Dependent Job failed: {b}"))
        for job in (jb, jc):
            self.assertEqual(job["attempts"], [])
            self.assertNotIn("startedAt", job)
        # A dependent submitted after the failure fails at once.
        late = self.describe(self.submit("dep-quick", [dependency(a)]))
        self.assertEqual((late["status"], late["statusReason"]),
                         ("FAILED", f"Dependent Job failed: {a}"))

    def test_unknown_dependency_is_a_client_exception_and_creates_nothing(self):
        with self.assertRaises(ClientError) as ctx:
            self.submit("dep-quick", [dependency("no-such-job")], name="unknown-dep")
        err = ctx.exception.response
        self.assertEqual(err["Error"]["Code"], "ClientException")
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 400)
        self.assertIn("no-such-job", err["Error"]["Message"])
        rc, out, stderr = aws(self.dev, "submit-job", "--job-name", "unknown-dep", "--job-queue",
                              "default", "--job-definition", "dep-quick", "--depends-on",
                              "jobId=other-missing-job")
        self.assertNotEqual(rc, 0)
        self.assertIn("ClientException", stderr)
        self.assertIn("other-missing-job", stderr)

        listed = self.batch.list_jobs(jobQueue="default",
                                      filters=[{"name": "JOB_NAME", "values": ["unknown-dep"]}])
        self.assertEqual(listed["jobSummaryList"], [])

    def test_more_than_twenty_dependencies_is_a_client_exception(self):
        a = self.submit("dep-quick")
        with self.assertRaises(ClientError) as ctx:
            self.submit("dep-quick", [dependency(a)] * 21)
        self.assertIn("Job cannot have more than 20 dependencies",
                      ctx.exception.response["Error"]["Message"])

    def test_after_any_runs_after_a_failure_and_after_not_ok_fails_after_a_success(self):
        failing = self.submit("dep-fail")
        succeeding = self.submit("dep-quick")
        any_after_failure = self.submit("dep-quick", [dependency(failing, "AFTER_ANY")])
        not_ok_after_failure = self.submit("dep-quick", [dependency(failing, "AFTER_NOT_OK")])
        not_ok_after_success = self.submit("dep-quick", [dependency(succeeding, "AFTER_NOT_OK")])

        self.assertEqual(self.wait(any_after_failure)["status"], "SUCCEEDED")
        self.assertEqual(self.wait(not_ok_after_failure)["status"], "SUCCEEDED")
        refused = self.wait(not_ok_after_success)
        self.assertEqual(refused["status"], "FAILED")
        self.assertEqual(refused["statusReason"],
                         f"Dependent Job succeeded: {succeeding} "
                         "(AFTER_NOT_OK runs this job only if it fails)")
        self.assertEqual(refused["attempts"], [])
        self.assertEqual(self.describe(any_after_failure)["dependsOn"],
                         [{"jobId": failing, "type": "AFTER_ANY"}])

    def test_barge_cli_submits_an_after_any_dependency(self):
        failing = self.submit("dep-fail")
        env = client_env()
        env["BARGE_ENDPOINT"] = self.dev.url
        p = subprocess.run([BARGE_BIN, "submit-job", "--job-name", "cli-any", "--job-queue",
                            "default", "--job-definition", "dep-quick", "--depends-on",
                            f"jobId={failing},type=AFTER_ANY", "--output", "json"],
                           capture_output=True, text=True, env=env, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        job_id = json.loads(p.stdout)["jobId"]

        job = self.wait(job_id)

        self.assertEqual(job["status"], "SUCCEEDED")
        self.assertEqual(job["dependsOn"], [{"jobId": failing, "type": "AFTER_ANY"}])
        self.assertGreaterEqual(job["startedAt"], self.describe(failing)["stoppedAt"])

    def test_cancelled_waiting_job_fails_once_its_dependency_finishes(self):
        a = self.submit("dep-slow")
        b = self.submit("dep-quick", [dependency(a)])
        c = self.submit("dep-quick", [dependency(b)])

        self.batch.cancel_job(jobId=b, reason="not wanted")
        waiting = describe_raw(self.dev.url, b)
        self.assertEqual((waiting["status"], waiting["isCancelled"]), ("PENDING", True))

        jc = self.wait(c)
        jb = self.describe(b)
        self.assertEqual(self.describe(a)["status"], "SUCCEEDED")
        self.assertEqual((jb["status"], jb["statusReason"]), ("FAILED", "not wanted"))
        self.assertEqual(jb["attempts"], [])
        self.assertEqual((jc["status"], jc["statusReason"]), ("FAILED", f"Dependent Job failed: {b}"))


class DependenciesAcrossRestartTest(unittest.TestCase):
    """A dependent waits while its dependency runs; the server is killed with kill -9 and started
    again on the same data directory and port; the dependency then succeeds and the dependent
    runs."""

    def setUp(self):
        self.data_dir = tempfile.mkdtemp(prefix="barge-deps-")
        self.addCleanup(shutil.rmtree, self.data_dir, ignore_errors=True)
        self.work = tempfile.mkdtemp(prefix="barge-deps-agent-")
        self.addCleanup(shutil.rmtree, self.work, ignore_errors=True)
        os.chmod(self.work, 0o755)  # Jobs run as nobody under the agent's work dir.
        self.server = Server(self.data_dir)
        self.addCleanup(lambda: self.server.stop())
        self.assertIsNotNone(self.server.url, "".join(self.server.output))
        self.batch = batch_client(self.server)

    def restart_server(self, port):
        for _ in range(50):
            self.server = Server(self.data_dir, listen=f"127.0.0.1:{port}")
            if self.server.url:
                self.batch = batch_client(self.server)
                return
            self.server.stop()
            time.sleep(0.2)
        self.fail("the server did not restart:\n" + "".join(self.server.output))

    def test_dependent_runs_after_its_dependency_succeeds_across_a_server_crash(self):
        for args in (["create-compute-environment", "--compute-environment-name", "deps",
                      "--type", "UNMANAGED", "--tags", "barge:executor=process"],
                     ["create-job-queue", "--job-queue-name", "deps", "--priority", "1",
                      "--compute-environment-order", "order=1,computeEnvironment=deps"],
                     ["register-job-definition", "--job-definition-name", "deps-sleep",
                      "--type", "container", "--container-properties", json.dumps(
                          {"image": "busybox", "command": ["sleep", "6"],
                           "resourceRequirements": [{"type": "VCPU", "value": "1"},
                                                    {"type": "MEMORY", "value": "64"}]})]):
            rc, out, err = aws(self.server, *args)
            self.assertEqual(rc, 0, err)
        agent = BargeAgent(self.server, "deps", "i-deps", os.path.join(self.work, "agent"))
        self.addCleanup(agent.stop)
        a = self.batch.submit_job(jobName="a", jobQueue="deps", jobDefinition="deps-sleep")["jobId"]
        b = self.batch.submit_job(jobName="b", jobQueue="deps", jobDefinition="deps-sleep",
                                  containerOverrides={"command": ["true"]},
                                  dependsOn=[{"jobId": a}])["jobId"]
        wait_for_job(self.batch, a, ("RUNNING",))
        self.assertEqual(wait_for_job(self.batch, b, ("PENDING",))["status"], "PENDING")

        port = self.server.port
        self.server.stop(signal.SIGKILL)
        self.restart_server(port)
        self.assertEqual(wait_for_job(self.batch, b, ("PENDING",))["status"], "PENDING")

        jb = wait_for_job(self.batch, b, timeout=90)
        ja = wait_for_job(self.batch, a)
        self.assertEqual(ja["status"], "SUCCEEDED", json.dumps(ja))
        self.assertEqual(jb["status"], "SUCCEEDED", json.dumps(jb))
        self.assertEqual(len(ja["attempts"]), 1)
        self.assertGreaterEqual(jb["startedAt"], ja["stoppedAt"])
        self.assertEqual(jb["dependsOn"], [{"jobId": a}])


if __name__ == "__main__":
    unittest.main()
