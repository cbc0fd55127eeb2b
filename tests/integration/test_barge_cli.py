"""barge's own client against a real server: verbs, JSON and table output, exit codes."""
import json
import os
import subprocess
import unittest

from barge_harness import BARGE_BIN, BargeServer, client_env


class BargeCliTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = BargeServer().start()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def barge(self, *args, output="json", endpoint=None):
        env = client_env()
        env["BARGE_ENDPOINT"] = endpoint or self.server.url
        cmd = [BARGE_BIN, *args, "--output", output]
        p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)
        return p.returncode, p.stdout, p.stderr

    def test_create_and_describe_with_json_and_table_output(self):
        rc, out, err = self.barge("create-compute-environment", "--compute-environment-name",
                                  "bc-ce", "--type", "MANAGED", "--compute-resources",
                                  "type=EC2,minvCpus=0,maxvCpus=12,subnets=subnet-1")
        self.assertEqual(rc, 0, err)
        self.assertEqual(json.loads(out)["computeEnvironmentName"], "bc-ce")

        rc, out, err = self.barge("describe-compute-environments", "--compute-environments",
                                  "bc-ce")
        self.assertEqual(rc, 0, err)
        [ce] = json.loads(out)["computeEnvironments"]
        self.assertEqual(ce["computeResources"]["maxvCpus"], 12)

        rc, out, err = self.barge("describe-compute-environments", output="table")
        self.assertEqual(rc, 0, err)
        row = next(line for line in out.splitlines() if "bc-ce" in line)
        for cell in ("MANAGED", "ENABLED", "VALID", "12"):
            self.assertIn(cell, row)

    def test_job_queue_from_cli_input_json(self):
        self.assertEqual(self.barge("create-compute-environment", "--compute-environment-name",
                                    "bc-un", "--type", "UNMANAGED")[0], 0)
        body = {"jobQueueName": "bc-q", "priority": 4,
                "computeEnvironmentOrder": [{"order": 1, "computeEnvironment": "bc-un"}]}
        rc, out, err = self.barge("create-job-queue", "--cli-input-json", json.dumps(body),
                                  "--priority", "6")
        self.assertEqual(rc, 0, err)
        rc, out, err = self.barge("describe-job-queues", "--job-queues", "bc-q")
        self.assertEqual(json.loads(out)["jobQueues"][0]["priority"], 6)

    def test_exit_codes(self):
        rc, _, err = self.barge("delete-job-queue", "--job-queue", "no-such-queue")
        self.assertEqual(rc, 254)
        self.assertIn("An error occurred (ClientException) when calling the DeleteJobQueue "
                      "operation", err)

        rc, _, err = self.barge("create-job-queue", "--job-queue-name", "x")
        self.assertEqual(rc, 252)
        self.assertIn("--priority", err)

        rc, _, err = self.barge("describe-job-queues", endpoint="http://127.0.0.1:9")
        self.assertEqual(rc, 255)
        self.assertIn("could not connect", err)


if __name__ == "__main__":
    unittest.main()
