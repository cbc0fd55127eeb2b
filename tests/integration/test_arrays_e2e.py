"""Array jobs end to end on `barge dev`, through boto3, the AWS CLI and the barge CLI: every
child runs once with its index, a failing child fails the parent with the right statusSummary,
SEQUENTIAL and N_TO_N order seen from the children's timestamps, a job depending on a failing
array fails without running, cancel and terminate of a parent reach its children, ListJobs
over the children pages, and barge's maxConcurrency cap holds.
"""
import json
import os
import subprocess
import tempfile
import unittest

from botocore.exceptions import ClientError

from barge_harness import BARGE_BIN, ENDED, aws, client_env, wait_for_job
from test_boto3 import batch_client
from test_jobs_e2e import BargeDev


def definition(batch, name, script):
    batch.register_job_definition(
        jobDefinitionName=name, type="container",
        containerProperties={"image": "busybox", "command": ["sh", "-c", script],
                             "resourceRequirements": [{"type": "VCPU", "value": "1"},
                                                      {"type": "MEMORY", "value": "32"}]})


class ArraysOnDevTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dev = BargeDev(extra_args=("--kill-grace", "2"))
        cls.batch = batch_client(cls.dev)
        # Jobs of the process executor run as an unprivileged user: a directory they can write.
        cls.out_dir = tempfile.mkdtemp(prefix="barge-arrays-")
        os.chmod(cls.out_dir, 0o777)
        definition(cls.batch, "arr-index",
                   f'echo "$AWS_BATCH_JOB_ARRAY_INDEX $AWS_BATCH_JOB_ARRAY_SIZE $AWS_BATCH_JOB_ID"'
                   f' > {cls.out_dir}/$AWS_BATCH_JOB_ARRAY_INDEX')
        definition(cls.batch, "arr-fail-2", '[ "$AWS_BATCH_JOB_ARRAY_INDEX" != 2 ]')
        definition(cls.batch, "arr-quick", "true")
        definition(cls.batch, "arr-sleep", "sleep 0.3")
        definition(cls.batch, "arr-long", "trap '' TERM; sleep 60")

    @classmethod
    def tearDownClass(cls):
        cls.dev.stop()

    def submit(self, job_definition, size, depends_on=(), name="arr"):
        return self.batch.submit_job(jobName=name, jobQueue="default", jobDefinition=job_definition,
                                     arrayProperties={"size": size},
                                     dependsOn=list(depends_on))["jobId"]

    def wait(self, job_id, statuses=ENDED, timeout=120):
        return wait_for_job(self.batch, job_id, statuses, timeout)

    def describe(self, *job_ids):
        return self.batch.describe_jobs(jobs=list(job_ids))["jobs"]

    def children(self, parent, status):
        """Every child in `status`, through boto3's ListJobs paginator, 10 per page."""
        pages = self.batch.get_paginator("list_jobs").paginate(
            arrayJobId=parent, jobStatus=status, PaginationConfig={"PageSize": 10})
        return [job for page in pages for job in page["jobSummaryList"]]

    def test_array_of_100_runs_every_index_once(self):
        parent = self.submit("arr-index", 100)

        job = self.wait(parent)

        self.assertEqual(job["status"], "SUCCEEDED")
        self.assertEqual(job["arrayProperties"]["size"], 100)
        self.assertEqual(job["arrayProperties"]["statusSummary"]["SUCCEEDED"], 100)
        written = sorted(int(name) for name in os.listdir(self.out_dir))
        self.assertEqual(written, list(range(100)))
        for index in (0, 57, 99):
            with open(os.path.join(self.out_dir, str(index))) as f:
                self.assertEqual(f.read().split(), [str(index), "100", f"{parent}:{index}"])
        [child] = self.describe(f"{parent}:57")
        self.assertEqual(child["arrayProperties"], {"index": 57})
        self.assertEqual(child["status"], "SUCCEEDED")
        self.assertEqual(child["jobArn"].split("/")[-1], f"{parent}:57")

    def test_each_child_is_retried_by_the_parents_strategy(self):
        # Child 1 fails its first attempt (no marker yet), then succeeds.
        marker = os.path.join(self.out_dir, "retry-$AWS_BATCH_JOB_ARRAY_INDEX")
        definition(self.batch, "arr-flaky",
                   f'[ "$AWS_BATCH_JOB_ARRAY_INDEX" != 1 ] || [ -e {marker} ] || '
                   f'{{ touch {marker}; exit 7; }}')
        parent = self.batch.submit_job(jobName="flaky", jobQueue="default",
                                       jobDefinition="arr-flaky", arrayProperties={"size": 3},
                                       retryStrategy={"attempts": 2})["jobId"]

        self.assertEqual(self.wait(parent)["status"], "SUCCEEDED")
        kids = self.describe(*[f"{parent}:{i}" for i in range(3)])
        self.assertEqual([len(k["attempts"]) for k in kids], [1, 2, 1])
        self.assertEqual(kids[1]["attempts"][0]["container"]["exitCode"], 7)
        self.assertEqual(kids[1]["retryStrategy"]["attempts"], 2)

    def test_list_jobs_pages_over_the_children(self):
        parent = self.submit("arr-quick", 35)
        self.wait(parent)

        listed = self.children(parent, "SUCCEEDED")

        self.assertEqual([job["jobId"] for job in listed], [f"{parent}:{i}" for i in range(35)])
        self.assertEqual(listed[3]["arrayProperties"], {"index": 3})
        self.assertEqual(self.children(parent, "FAILED"), [])
        # The queue's own listing shows the parent, not its children.
        queue = self.batch.list_jobs(jobQueue="default", jobStatus="SUCCEEDED")["jobSummaryList"]
        ids = [job["jobId"] for job in queue]
        self.assertIn(parent, ids)
        self.assertFalse(any(i.startswith(parent + ":") for i in ids))
        # The AWS CLI pages the same listing itself.
        rc, out, err = aws(self.dev, "list-jobs", "--array-job-id", parent, "--job-status",
                           "SUCCEEDED", "--page-size", "7")
        self.assertEqual(rc, 0, err)
        self.assertEqual(len(out["jobSummaryList"]), 35)

    def test_a_failing_child_fails_the_parent(self):
        parent = self.submit("arr-fail-2", 4)

        job = self.wait(parent)

        self.assertEqual((job["status"], job["statusReason"]), ("FAILED", "Array Child Job failed"))
        summary = job["arrayProperties"]["statusSummary"]
        self.assertEqual((summary["SUCCEEDED"], summary["FAILED"]), (3, 1))
        failed = self.children(parent, "FAILED")
        self.assertEqual([j["jobId"] for j in failed], [f"{parent}:2"])
        self.assertEqual(failed[0]["container"]["exitCode"], 1)

    def test_sequential_children_run_in_index_order(self):
        rc, out, err = aws(self.dev, "submit-job", "--job-name", "seq", "--job-queue", "default",
                           "--job-definition", "arr-sleep", "--array-properties", "size=5",
                           "--depends-on", "type=SEQUENTIAL")
        self.assertEqual(rc, 0, err)
        parent = out["jobId"]

        self.assertEqual(self.wait(parent)["status"], "SUCCEEDED")
        kids = self.describe(*[f"{parent}:{i}" for i in range(5)])
        for before, after in zip(kids, kids[1:]):
            self.assertGreaterEqual(after["startedAt"], before["stoppedAt"])
        self.assertEqual(kids[3]["dependsOn"], [{"jobId": f"{parent}:2", "type": "SEQUENTIAL"}])
        [described] = self.describe(parent)
        self.assertEqual(described["dependsOn"], [{"type": "SEQUENTIAL"}])

    def test_n_to_n_children_wait_for_their_counterparts(self):
        a = self.submit("arr-sleep", 4)
        b = self.submit("arr-quick", 4, [{"jobId": a, "type": "N_TO_N"}])

        self.assertEqual(self.wait(b)["status"], "SUCCEEDED")
        for i in range(4):
            [ai, bi] = self.describe(f"{a}:{i}", f"{b}:{i}")
            self.assertGreaterEqual(bi["startedAt"], ai["stoppedAt"])
            self.assertEqual(bi["dependsOn"], [{"jobId": f"{a}:{i}", "type": "N_TO_N"}])

    def test_n_to_n_on_an_array_of_another_size_is_a_client_exception(self):
        a = self.submit("arr-quick", 3)
        with self.assertRaises(ClientError) as ctx:
            self.submit("arr-quick", 4, [{"jobId": a, "type": "N_TO_N"}])
        self.assertEqual(ctx.exception.response["Error"]["Code"], "ClientException")

    def test_job_depending_on_a_failing_array_fails_without_running(self):
        parent = self.submit("arr-fail-2", 3)
        after = self.batch.submit_job(jobName="after", jobQueue="default",
                                      jobDefinition="arr-quick",
                                      dependsOn=[{"jobId": parent}])["jobId"]

        job = self.wait(after)

        self.assertEqual(job["status"], "FAILED")
        self.assertEqual(job["statusReason"], f"Dependent Job failed: {parent}")
        self.assertEqual(job["attempts"], [])

    def test_cancel_of_the_parent_cancels_every_waiting_child(self):
        blocker = self.batch.submit_job(jobName="blocker", jobQueue="default",
                                        jobDefinition="arr-long")["jobId"]
        parent = self.submit("arr-quick", 5, [{"jobId": blocker}])
        self.assertEqual(self.describe(parent)[0]["status"], "PENDING")

        self.batch.cancel_job(jobId=parent, reason="not needed")
        job = self.wait(parent, timeout=30)

        self.assertEqual(job["status"], "FAILED")
        self.assertEqual(job["arrayProperties"]["statusSummary"]["FAILED"], 5)
        for child in self.describe(*[f"{parent}:{i}" for i in range(5)]):
            self.assertEqual((child["status"], child["statusReason"]), ("FAILED", "not needed"))
            self.assertEqual(child["attempts"], [])
        self.batch.terminate_job(jobId=blocker, reason="done")
        self.wait(blocker, timeout=90)

    def test_terminate_of_the_parent_stops_running_children(self):
        parent = self.submit("arr-long", 2)
        for i in range(2):
            self.wait(f"{parent}:{i}", statuses={"RUNNING"}, timeout=30)

        self.batch.terminate_job(jobId=parent, reason="stop the array")
        job = self.wait(parent, timeout=90)

        self.assertEqual(job["status"], "FAILED")
        for child in self.describe(f"{parent}:0", f"{parent}:1"):
            self.assertEqual((child["status"], child["statusReason"]), ("FAILED", "stop the array"))

    def test_barge_cli_caps_concurrency(self):
        env = client_env()
        env["BARGE_ENDPOINT"] = self.dev.url
        p = subprocess.run([BARGE_BIN, "submit-job", "--job-name", "capped", "--job-queue",
                            "default", "--job-definition", "arr-sleep", "--array-properties",
                            "size=6,maxConcurrency=2", "--output", "json"],
                           capture_output=True, text=True, env=env, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        parent = json.loads(p.stdout)["jobId"]

        self.assertEqual(self.wait(parent)["status"], "SUCCEEDED")
        kids = self.describe(*[f"{parent}:{i}" for i in range(6)])
        # At every child's start, at most one other child was between its start and stop.
        for kid in kids:
            overlapping = [k for k in kids if k is not kid and
                           k["startedAt"] <= kid["startedAt"] < k["stoppedAt"]]
            self.assertLessEqual(len(overlapping), 1, json.dumps(kids))


if __name__ == "__main__":
    unittest.main()
