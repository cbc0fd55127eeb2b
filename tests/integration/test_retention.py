"""Issue 5's retention of completed jobs on a real barge server: a job that
ended more than --job-retention ago is deleted, so DescribeJobs and ListJobs
stop finding it (as AWS Batch stops showing a job once it is past its
window), while a job that has not ended stays however long it waits; and a
--job-retention that is not a duration stops the server at start. No agents
run here: the ended job is one cancelled while RUNNABLE."""
import subprocess
import time
import unittest

import boto3
from botocore.config import Config

from barge_harness import BARGE_BIN, BargeServer


class RetentionTest(unittest.TestCase):
    def setUp(self):
        self.server = BargeServer(extra_args=["--job-retention", "1s"]).start()
        self.addCleanup(self.server.cleanup)
        self.batch = boto3.client("batch", endpoint_url=self.server.url, region_name="us-east-1",
                                  aws_access_key_id="test", aws_secret_access_key="test",
                                  config=Config(retries={"max_attempts": 1}))
        self.batch.create_compute_environment(computeEnvironmentName="ret-ce", type="UNMANAGED")
        self.batch.create_job_queue(jobQueueName="ret-q", priority=1, computeEnvironmentOrder=[
            {"order": 1, "computeEnvironment": "ret-ce"}])
        self.batch.register_job_definition(
            jobDefinitionName="ret-jd", type="container",
            containerProperties={"image": "busybox", "command": ["true"],
                                 "resourceRequirements": [{"type": "VCPU", "value": "1"},
                                                          {"type": "MEMORY", "value": "128"}]})

    def submit(self, name):
        return self.batch.submit_job(jobName=name, jobQueue="ret-q",
                                     jobDefinition="ret-jd")["jobId"]

    def test_an_ended_job_expires_and_a_waiting_one_stays(self):
        ended = self.submit("ended")
        waiting = self.submit("waiting")
        self.batch.cancel_job(jobId=ended, reason="not needed")
        [job] = self.batch.describe_jobs(jobs=[ended])["jobs"]
        self.assertEqual(job["status"], "FAILED")
        self.assertIn("stoppedAt", job)

        deadline = time.time() + 60
        while self.batch.describe_jobs(jobs=[ended])["jobs"]:
            self.assertLess(time.time(), deadline, "the ended job was never expired")
            time.sleep(0.2)

        failed = self.batch.list_jobs(jobQueue="ret-q", jobStatus="FAILED")["jobSummaryList"]
        self.assertEqual(failed, [])
        described = self.batch.describe_jobs(jobs=[ended, waiting])["jobs"]
        self.assertEqual([(j["jobId"], j["status"]) for j in described], [(waiting, "RUNNABLE")])
        listed = self.batch.list_jobs(jobQueue="ret-q", jobStatus="RUNNABLE")["jobSummaryList"]
        self.assertEqual([j["jobId"] for j in listed], [waiting])


class RetentionFlagTest(unittest.TestCase):
    def test_a_value_that_is_not_a_duration_stops_the_server(self):
        p = subprocess.run([BARGE_BIN, "server", "--listen", "127.0.0.1:0", "--data-dir",
                            "/nonexistent/never-created", "--job-retention", "1w"],
                           capture_output=True, text=True, timeout=30)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("--job-retention", p.stderr + p.stdout)

    def test_barge_dev_refuses_it_too(self):
        p = subprocess.run([BARGE_BIN, "dev", "--job-retention", "soon"],
                           capture_output=True, text=True, timeout=30)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("--job-retention", p.stderr)


if __name__ == "__main__":
    unittest.main()
