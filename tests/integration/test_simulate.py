"""`barge simulate` as a user runs it: a workload file in, a report out, the same
report every time for the same workload and seed (the issue's determinism check),
and clear errors for a bad workload."""
import json
import os
import subprocess
import tempfile
import unittest

from barge_harness import BARGE_BIN

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLE = os.path.join(HERE, "..", "sim", "example.jsonl")


def simulate(*args, check=True):
    return subprocess.run([BARGE_BIN, "simulate", *args], capture_output=True, text=True,
                          timeout=120, check=check)


class SimulateTest(unittest.TestCase):
    def test_same_workload_and_seed_give_identical_reports(self):
        args = ["--workload", EXAMPLE, "--seed", "11", "--max-vcpus", "16",
                "--spot-interruptions-per-hour", "4", "--attempts", "10", "--output", "json"]
        first = simulate(*args).stdout
        second = simulate(*args).stdout
        self.assertEqual(first, second)
        with open(EXAMPLE) as f:
            exits = [json.loads(line).get("exitCode", 0) for line in f if line.strip()]
        runs = json.loads(first)["runs"]
        self.assertEqual([run["capacity"] for run in runs], ["ON_DEMAND", "SPOT"])
        for run in runs:
            # Every job ends as its workload line says, whatever spot
            # interruptions did to its attempts (they are retried).
            self.assertEqual(run["jobs"], len(exits), run)
            self.assertEqual(run["succeeded"], exits.count(0), run)
            self.assertEqual(run["failed"], len(exits) - exits.count(0), run)
            self.assertGreater(run["makespanSeconds"], 0, run)
            self.assertGreater(run["cost"], 0, run)
            if run["capacity"] == "SPOT":
                # Reclaimed instances' attempts were retried (Host EC2*).
                self.assertGreater(run["spotReclaims"], 0, run)
                self.assertGreater(run["retries"], 0, run)
            self.assertLessEqual(run["cost"], run["onDemandCost"] + 1e-9, run)

    def test_generated_workload_round_trips(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "work.jsonl")
            generated = simulate("--generate", "200", "--seed", "3").stdout
            with open(path, "w") as f:
                f.write(generated)
            self.assertEqual(len(generated.splitlines()), 200)
            one = simulate("--workload", path, "--capacity", "SPOT", "--output", "json").stdout
            two = simulate("--workload", path, "--capacity", "SPOT", "--output", "json").stdout
            self.assertEqual(one, two)

    def test_bad_workload_line_is_named(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "bad.jsonl")
            with open(path, "w") as f:
                f.write('{"submitAt":0,"queue":"q","vcpus":1,"memory":512,"duration":5}\n')
                f.write('{"submitAt":"soon"}\n')
            result = simulate("--workload", path, check=False)
            self.assertNotEqual(result.returncode, 0)
            self.assertIn("line 2", result.stderr)


if __name__ == "__main__":
    unittest.main()
