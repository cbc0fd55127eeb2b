// The job benchmark of issue 3, against a running `barge dev`
// (bench/run_jobs_bench.sh starts one):
//
//   jobs_bench --port P --server-pid PID --data-dir DIR --slots N
//              [--seconds 3] [--e2e-jobs 10000] [--queued 100000] [--latency-samples 100]
//              [--phases adcb]
//
//  (a) SubmitJob throughput at 1, 8 and 64 closed-loop clients: 200s per
//      second, each 200 durable (the count of jobs in the store is checked
//      against the count of 200s), beside the disk's durable commits/s;
//  (d) server RSS per queued job, with `--queued` jobs RUNNABLE in a queue
//      whose only compute environment is DISABLED;
//  (c) dispatch latency, RUNNABLE (createdAt) to RUNNING (startedAt), of one
//      job at a time on idle agents;
//  (b) end-to-end throughput of `--e2e-jobs` `true` jobs from the first
//      submit until all are SUCCEEDED, beside the machine's own rate of
//      fork/exec/wait of `true` at the same concurrency (the agent slots).
//
// It reads the store (read-only, SQLite allows a reader beside the server)
// to count jobs without loading the server. Prints figures; asserts nothing.
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench_http.h"
#include "bench_probes.h"

namespace {

using bench::Clock;
using bench::CpuSeconds;
using bench::ForkExecPerSecond;
using bench::RssKib;
using bench::Since;
using bench::SqliteCommitsPerSecond;
using bench::StoreReader;
using Json = nlohmann::json;

struct Flags {
  unsigned short port = 0;
  int server_pid = 0;
  std::string data_dir{};
  int slots = 1;
  double seconds = 3;
  size_t e2e_jobs = 10000;
  size_t queued = 100000;
  size_t latency_samples = 100;
  std::string phases = "adcb";  // Which of (a)-(d) to run, in this order.
};

class Bench {
 public:
  explicit Bench(Flags flags)
      : flags_(std::move(flags)),
        endpoint_(bench::asio::ip::make_address("127.0.0.1"), flags_.port),
        store_(flags_.data_dir) {}

  int Run() {
    std::printf("machine: %u cores; barge dev with %d agent slot(s)\n",
                std::thread::hardware_concurrency(), flags_.slots);
    double commits = SqliteCommitsPerSecond(flags_.data_dir, 2.0);
    std::printf("physical limit: %.0f durable SQLite commits/s (WAL, synchronous=FULL, 1 row/txn)\n",
                commits);
    if (!SetUp()) return 1;

    // Warm-up, then the memory baseline: the server has its connections,
    // caches and code paths in use, and a few queued jobs.
    Submit("hold", "bench-hold", 8, 1000);
    long rss_before = RssKib(flags_.server_pid);
    long held_before = store_.Count("queue = 'bench-hold' AND status = 'RUNNABLE'");

    for (char phase : flags_.phases) {
      if (phase == 'a') SubmitThroughput(commits);
      if (phase == 'd') QueuedMemory(rss_before, held_before);
      if (phase == 'c') DispatchLatency();
      if (phase == 'b') EndToEnd();
    }
    return 0;
  }

 private:
  bool SetUp() {
    struct Step {
      std::string op;
      Json body;
    };
    std::vector<Step> steps = {
        {"registerjobdefinition",
         Json::parse(R"({"jobDefinitionName": "bench-true", "type": "container",
           "containerProperties": {"image": "busybox", "command": ["true"],
             "resourceRequirements": [{"type": "VCPU", "value": "1"},
                                      {"type": "MEMORY", "value": "16"}]}})")},
        // Jobs submitted here stay RUNNABLE: the only environment is DISABLED.
        {"createcomputeenvironment",
         {{"computeEnvironmentName", "bench-hold"}, {"type", "UNMANAGED"}, {"state", "DISABLED"}}},
        {"createjobqueue",
         {{"jobQueueName", "bench-hold"},
          {"priority", 1},
          {"computeEnvironmentOrder", {{{"order", 1}, {"computeEnvironment", "bench-hold"}}}}}},
    };
    for (const Step& step : steps) {
      bench::Reply reply = bench::Post(endpoint_, "/v1/" + step.op, step.body.dump());
      // 400 "already exists" is fine: the data directory was used before.
      if (reply.status != 200 && reply.body.find("already exists") == std::string::npos) {
        std::fprintf(stderr, "%s: %d %s\n", step.op.c_str(), reply.status, reply.body.c_str());
        return false;
      }
    }
    return true;
  }

  // Submits `count` jobs named <prefix>-<n> to `queue` over `connections`
  // connections (or for `seconds` when count is 0). Returns the run, and
  // the ids of the jobs accepted when `ids` is given.
  bench::LoadResult Submit(const std::string& prefix, const std::string& queue, int connections,
                           size_t count, double seconds = 0,
                           std::vector<std::string>* ids = nullptr) {
    bench::LoadRun::Options options{
        .endpoint = endpoint_,
        .target = "/v1/submitjob",
        .connections = connections,
        .budget = count,
        .body =
            [&](size_t n) {
              return R"({"jobName":")" + prefix + "-" + std::to_string(n) + R"(","jobQueue":")" +
                     queue + R"(","jobDefinition":"bench-true"})";
            },
        .on_reply =
            [ids](int status, const std::string& body) {
              if (ids == nullptr || status != 200) return;
              ids->push_back(Json::parse(body).value("jobId", ""));
            },
    };
    if (seconds > 0) {
      options.deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                            std::chrono::duration<double>(seconds));
    }
    return bench::LoadRun::Run(std::move(options));
  }

  void SubmitThroughput(double commits) {
    std::printf("\n(a) SubmitJob, closed-loop clients, %.0f s per cell (target >= 5,000 jobs/s at 64)\n",
                flags_.seconds);
    std::printf("%8s %10s %9s %9s %7s %12s %16s\n", "clients", "jobs/s", "p50 ms", "p99 ms",
                "errors", "vs commit/s", "durable in store");
    for (int clients : {1, 8, 64}) {
      long before = store_.Count("queue = 'bench-hold'");
      bench::LoadResult run = Submit("hold", "bench-hold", clients, 0, flags_.seconds);
      long stored = store_.Count("queue = 'bench-hold'") - before;
      double rate = static_cast<double>(run.ok) / run.seconds;
      std::printf("%8d %10.0f %9.2f %9.2f %7zu %11.2fx %9ld of %zu\n", clients, rate,
                  bench::Percentile(run.latencies_us, 0.5) / 1000,
                  bench::Percentile(run.latencies_us, 0.99) / 1000, run.errors, rate / commits,
                  stored, run.ok);
      std::fflush(stdout);
    }
  }

  void QueuedMemory(long rss_before, long held_before) {
    long held = store_.Count("queue = 'bench-hold' AND status = 'RUNNABLE'");
    if (held < static_cast<long>(flags_.queued)) {
      Submit("hold", "bench-hold", 64, flags_.queued - static_cast<size_t>(held));
    }
    held = store_.Count("queue = 'bench-hold' AND status = 'RUNNABLE'");
    long rss = RssKib(flags_.server_pid);
    double per_job = static_cast<double>(rss - rss_before) * 1024.0 /
                     static_cast<double>(std::max(1L, held - held_before));
    std::printf("\n(d) server memory with %ld jobs RUNNABLE (target <= 2 KiB per queued job)\n",
                held);
    std::printf("    RSS %ld KiB -> %ld KiB for %ld more queued jobs: %.0f bytes (%.2f KiB) per job\n",
                rss_before, rss, held - held_before, per_job, per_job / 1024);
    std::fflush(stdout);
  }

  void DispatchLatency() {
    std::vector<double> latencies_ms;
    std::vector<std::string> ids;
    for (size_t i = 0; i < flags_.latency_samples; ++i) {
      std::vector<std::string> one;
      Submit("latency", "default", 1, 1, 0, &one);
      if (one.empty()) continue;
      // Wait until it ended, so the next job finds the agents idle.
      auto start = Clock::now();
      while (Since(start) < 30) {
        std::string status = store_.Status(one.front());
        if (status == "SUCCEEDED" || status == "FAILED") break;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
      ids.push_back(one.front());
    }
    for (size_t i = 0; i < ids.size(); i += 100) {
      Json request = {{"jobs", Json::array()}};
      for (size_t j = i; j < std::min(ids.size(), i + 100); ++j) request["jobs"].push_back(ids[j]);
      bench::Reply reply = bench::Post(endpoint_, "/v1/describejobs", request.dump());
      if (reply.status != 200) continue;
      Json described = Json::parse(reply.body);
      for (const Json& job : described["jobs"]) {
        if (!job.contains("startedAt")) continue;
        latencies_ms.push_back(job["startedAt"].get<double>() - job["createdAt"].get<double>());
      }
    }
    std::printf("\n(c) dispatch latency, RUNNABLE (createdAt) -> RUNNING (startedAt), idle agents,"
                " %zu jobs one at a time (target p50 <= 10 ms)\n",
                latencies_ms.size());
    double p50 = bench::Percentile(latencies_ms, 0.5);
    double p99 = bench::Percentile(latencies_ms, 0.99);
    std::printf("    p50 %.0f ms, p99 %.0f ms (millisecond timestamps)\n", p50, p99);
    std::fflush(stdout);
  }

  void EndToEnd() {
    double limit = ForkExecPerSecond(flags_.e2e_jobs, flags_.slots);
    long done_before = store_.Count("queue = 'default' AND status IN ('SUCCEEDED', 'FAILED')");
    long failed_before = store_.Count("queue = 'default' AND status = 'FAILED'");
    double server_cpu_before = CpuSeconds(flags_.server_pid);
    auto start = Clock::now();
    bench::LoadResult submitted = Submit("e2e", "default", 64, flags_.e2e_jobs);
    double submit_seconds = Since(start);
    long target = done_before + static_cast<long>(submitted.ok);
    long done = 0;
    while (Since(start) < 900) {
      done = store_.Count("queue = 'default' AND status IN ('SUCCEEDED', 'FAILED')");
      if (done >= target) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    double seconds = Since(start);
    double server_cpu = CpuSeconds(flags_.server_pid) - server_cpu_before;
    long failed = store_.Count("queue = 'default' AND status = 'FAILED'") - failed_before;
    double rate = static_cast<double>(done - done_before) / seconds;
    std::printf("\n(b) end to end: %zu `true` jobs, first submit -> all SUCCEEDED"
                " (target >= 50%% of the machine's limit)\n",
                submitted.ok);
    std::printf("    machine limit: fork/exec/wait of `true`, %d at a time: %.0f/s\n", flags_.slots,
                limit);
    std::printf("    barge: %ld jobs ended in %.2f s (submitted in %.2f s, %zu submit errors, %ld "
                "FAILED): %.0f jobs/s = %.1f%% of the limit\n",
                done - done_before, seconds, submit_seconds, submitted.errors, failed, rate,
                100 * rate / limit);
    std::printf("    server CPU (user + system): %.2f s, %.3f s per 1,000 jobs\n", server_cpu,
                1000 * server_cpu / static_cast<double>(std::max(1L, done - done_before)));
    std::printf("    server RSS at the end: %ld KiB\n", RssKib(flags_.server_pid));
    std::fflush(stdout);
  }

  Flags flags_;
  bench::asio::ip::tcp::endpoint endpoint_;
  StoreReader store_;
};

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string name = argv[i];
    std::string value = argv[i + 1];
    if (name == "--port") flags.port = static_cast<unsigned short>(std::stoi(value));
    else if (name == "--server-pid") flags.server_pid = std::stoi(value);
    else if (name == "--data-dir") flags.data_dir = value;
    else if (name == "--slots") flags.slots = std::stoi(value);
    else if (name == "--seconds") flags.seconds = std::stod(value);
    else if (name == "--e2e-jobs") flags.e2e_jobs = std::stoul(value);
    else if (name == "--queued") flags.queued = std::stoul(value);
    else if (name == "--latency-samples") flags.latency_samples = std::stoul(value);
    else if (name == "--phases") flags.phases = value;
    else {
      std::fprintf(stderr, "unknown flag %s\n", name.c_str());
      return 2;
    }
  }
  if (flags.port == 0 || flags.server_pid == 0 || flags.data_dir.empty()) {
    std::fprintf(stderr,
                 "usage: jobs_bench --port P --server-pid PID --data-dir DIR --slots N "
                 "[--seconds S] [--e2e-jobs N] [--queued N] [--latency-samples N] [--phases adcb]\n");
    return 2;
  }
  return Bench(std::move(flags)).Run();
}
