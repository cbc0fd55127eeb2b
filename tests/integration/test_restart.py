"""Everything a client created survives a restart of the server, including kill -9."""
import shutil
import signal
import tempfile
import unittest

from test_boto3 import batch_client
from barge_harness import BargeServer


class RestartTest(unittest.TestCase):
    def setUp(self):
        self.data_dir = tempfile.mkdtemp(prefix="barge-restart-")

    def tearDown(self):
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def populate(self, server):
        b = batch_client(server)
        ce = b.create_compute_environment(computeEnvironmentName="r-ce", type="UNMANAGED",
                                          tags={"t": "1"})
        pol = b.create_scheduling_policy(name="r-pol", fairsharePolicy={"shareDecaySeconds": 60})
        q = b.create_job_queue(jobQueueName="r-q", priority=2, schedulingPolicyArn=pol["arn"],
                               computeEnvironmentOrder=[{"order": 1, "computeEnvironment": "r-ce"}])
        revs = [b.register_job_definition(jobDefinitionName="r-jd", type="container",
                                          containerProperties={"image": "busybox"})
                for _ in range(3)]
        b.deregister_job_definition(jobDefinition="r-jd:2")
        return ce, pol, q, revs

    def check(self, server, ce, pol, q, revs):
        b = batch_client(server)
        [dce] = b.describe_compute_environments(computeEnvironments=["r-ce"])["computeEnvironments"]
        self.assertEqual(dce["computeEnvironmentArn"], ce["computeEnvironmentArn"])
        self.assertEqual(dce["tags"], {"t": "1", "barge:executor": "container"})
        [dq] = b.describe_job_queues(jobQueues=["r-q"])["jobQueues"]
        self.assertEqual(dq["jobQueueArn"], q["jobQueueArn"])
        self.assertEqual(dq["schedulingPolicyArn"], pol["arn"])
        defs = b.describe_job_definitions(jobDefinitionName="r-jd")["jobDefinitions"]
        self.assertEqual(sorted((d["revision"], d["status"]) for d in defs),
                         [(1, "ACTIVE"), (2, "INACTIVE"), (3, "ACTIVE")])
        self.assertEqual(sorted(d["jobDefinitionArn"] for d in defs),
                         sorted(r["jobDefinitionArn"] for r in revs))
        # The next revision continues from the highest ever registered.
        nxt = b.register_job_definition(jobDefinitionName="r-jd", type="container",
                                        containerProperties={"image": "busybox"})
        self.assertEqual(nxt["revision"], 4)

    def restart_with(self, sig):
        server = BargeServer(data_dir=self.data_dir).start()
        try:
            created = self.populate(server)
        finally:
            server.stop(sig)
        server = BargeServer(data_dir=self.data_dir).start()
        try:
            self.check(server, *created)
        finally:
            server.stop()

    def test_graceful_restart_keeps_everything(self):
        self.restart_with(signal.SIGTERM)

    def test_kill_9_keeps_everything_acknowledged(self):
        self.restart_with(signal.SIGKILL)


if __name__ == "__main__":
    unittest.main()
