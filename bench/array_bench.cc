// The array and dependency benchmark of issue 5, against a running
// `barge dev` (bench/run_dev_bench.sh array_bench starts one):
//
//   array_bench --port P --server-pid PID --data-dir DIR --slots N
//               [--submits 20] [--chain 10000] [--e2e-arrays 100] [--e2e-size 10000]
//               [--queued 1000000] [--phases adbc]
//
//  (a) SubmitJob of a 10,000-child array, one at a time: p50/p99 latency,
//      beside the same 10,000 rows inserted straight into SQLite in one
//      commit (the store's own floor);
//  (d) a SEQUENTIAL array of `--chain` `true` children: mean and
//      percentiles of the time from one child's stoppedAt to the next one's
//      startedAt;
//  (b) `--e2e-arrays` arrays of `--e2e-size` `true` children submitted at
//      once: jobs/s from the first submit until every parent SUCCEEDED,
//      beside fork/exec/wait of `true` at the agents' concurrency;
//  (c) `--queued` children held RUNNABLE (in a queue whose only compute
//      environment is DISABLED): server RSS, then DescribeJobs and ListJobs
//      latency at that size.
//
// Reads the store read-only (counts, children's timestamps). Prints figures;
// asserts nothing.
#include <sqlite3.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <numeric>
#include <string>
#include <thread>
#include <vector>

#include "bench_http.h"
#include "bench_probes.h"

namespace {

using bench::Clock;
using bench::ForkExecPerSecond;
using bench::RssKib;
using bench::Since;
using bench::StoreReader;
using Json = nlohmann::json;

constexpr int kArraySize = 10000;

struct Flags {
  unsigned short port = 0;
  int server_pid = 0;
  std::string data_dir{};
  int slots = 1;
  size_t submits = 20;
  int chain = 10000;
  size_t e2e_arrays = 100;
  int e2e_size = 10000;
  size_t queued = 1000000;
  std::string phases = "adbc";
};

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

// 10,000 rows shaped like array children (id "<uuid>:<i>", a short JSON
// document) inserted into a scratch database with the jobs table's schema,
// in one WAL commit with synchronous=FULL: what the store cannot beat.
double RawSqliteInsertMs(const std::string& dir, int rows, int repeats) {
  auto path = (std::filesystem::path(dir) / "array-probe.db").string();
  std::filesystem::remove(path);
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_exec(db,
               "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA cache_size=-65536;"
               "CREATE TABLE jobs (id TEXT NOT NULL PRIMARY KEY, queue TEXT NOT NULL, status TEXT"
               " NOT NULL, name TEXT NOT NULL, created_at INTEGER NOT NULL, version INTEGER NOT"
               " NULL, doc TEXT NOT NULL, stopped_at INTEGER, array_parent TEXT, array_index"
               " INTEGER) STRICT, WITHOUT ROWID;"
               "CREATE INDEX jobs_by_status ON jobs (status, queue, created_at, id);",
               nullptr, nullptr, nullptr);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db,
                     "INSERT INTO jobs VALUES (?1, 'q', 'RUNNABLE', 'a', ?2, 1,"
                     " '{\"status\":\"RUNNABLE\"}', NULL, ?3, ?4)",
                     -1, &stmt, nullptr);
  std::vector<double> times;
  for (int r = 0; r < repeats; ++r) {
    std::string parent = "00000000-0000-4000-8000-" + std::to_string(100000000000 + r);
    auto start = Clock::now();
    sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
    for (int i = 0; i < rows; ++i) {
      std::string id = parent + ":" + std::to_string(i);
      sqlite3_bind_text(stmt, 1, id.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64(stmt, 2, 1700000000000 + r);
      sqlite3_bind_text(stmt, 3, parent.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64(stmt, 4, i);
      sqlite3_step(stmt);
      sqlite3_reset(stmt);
    }
    sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    times.push_back(Ms(Clock::now() - start));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  return bench::Percentile(times, 0.5);
}

class Bench {
 public:
  explicit Bench(Flags flags)
      : flags_(std::move(flags)),
        endpoint_(bench::asio::ip::make_address("127.0.0.1"), flags_.port),
        store_(flags_.data_dir) {}

  int Run() {
    std::printf("machine: %u cores; barge dev with %d agent slot(s)\n",
                std::thread::hardware_concurrency(), flags_.slots);
    if (!SetUp()) return 1;
    for (char phase : flags_.phases) {
      if (phase == 'a') SubmitLatency();
      if (phase == 'd') SequentialChain();
      if (phase == 'b') EndToEnd();
      if (phase == 'c') QueuedMillion();
      std::fflush(stdout);
    }
    return 0;
  }

 private:
  bench::Reply Call(const std::string& op, const Json& body) {
    return bench::Post(endpoint_, "/v1/" + op, body.dump());
  }

  bool SetUp() {
    std::vector<std::pair<std::string, Json>> steps = {
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
    for (const auto& [op, body] : steps) {
      bench::Reply reply = Call(op, body);
      if (reply.status != 200 && reply.body.find("already exists") == std::string::npos) {
        std::fprintf(stderr, "%s: %d %s\n", op.c_str(), reply.status, reply.body.c_str());
        return false;
      }
    }
    return true;
  }

  // Submits one array; returns its id ("" on failure) and the latency.
  std::pair<std::string, double> SubmitArray(const std::string& queue, int size,
                                             const Json& depends_on = Json::array()) {
    Json body = {{"jobName", "bench-array"},
                 {"jobQueue", queue},
                 {"jobDefinition", "bench-true"},
                 {"arrayProperties", {{"size", size}}},
                 {"dependsOn", depends_on}};
    auto start = Clock::now();
    bench::Reply reply = Call("submitjob", body);
    double ms = Ms(Clock::now() - start);
    if (reply.status != 200) {
      std::fprintf(stderr, "submitjob: %d %s\n", reply.status, reply.body.c_str());
      return {"", ms};
    }
    return {Json::parse(reply.body).value("jobId", ""), ms};
  }

  std::string StatusOf(const std::string& id) {
    bench::Reply reply = Call("describejobs", {{"jobs", {id}}});
    if (reply.status != 200) return "";
    Json jobs = Json::parse(reply.body)["jobs"];
    return jobs.empty() ? "" : jobs[0].value("status", "");
  }

  bool WaitEnded(const std::vector<std::string>& ids, double timeout_s) {
    auto start = Clock::now();
    for (const std::string& id : ids) {
      while (true) {
        std::string status = StatusOf(id);
        if (status == "SUCCEEDED" || status == "FAILED") break;
        if (Since(start) > timeout_s) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    }
    return true;
  }

  void SubmitLatency() {
    double raw = RawSqliteInsertMs(flags_.data_dir, kArraySize, 5);
    std::vector<double> times;
    for (size_t i = 0; i < flags_.submits; ++i) {
      auto [id, ms] = SubmitArray("bench-hold", kArraySize);
      if (!id.empty()) times.push_back(ms);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    double p50 = bench::Percentile(times, 0.5);
    std::printf("\n(a) SubmitJob of a %d-child array, %zu submits one at a time (target p50 <= 100 ms)\n",
                kArraySize, times.size());
    std::printf("    p50 %.1f ms, p99 %.1f ms; raw SQLite, the same rows in one commit: %.1f ms"
                " (%.2fx)\n",
                p50, bench::Percentile(times, 0.99), raw, p50 / raw);
  }

  void SequentialChain() {
    auto [parent, ms] = SubmitArray("default", flags_.chain, Json::array({{{"type", "SEQUENTIAL"}}}));
    if (parent.empty()) return;
    auto start = Clock::now();
    if (!WaitEnded({parent}, 3600)) {
      std::printf("\n(d) the SEQUENTIAL chain did not end within an hour\n");
      return;
    }
    double wall = Since(start);
    std::vector<std::pair<int64_t, int64_t>> times(static_cast<size_t>(flags_.chain));
    store_.ForEachRow("SELECT array_index, json_extract(doc, '$.startedAt'),"
                      " json_extract(doc, '$.stoppedAt') FROM jobs WHERE id > '" + parent +
                          ":' AND id < '" + parent + ";'",
                      [&](sqlite3_stmt* row) {
                        size_t i = static_cast<size_t>(sqlite3_column_int64(row, 0));
                        if (i < times.size()) {
                          times[i] = {sqlite3_column_int64(row, 1), sqlite3_column_int64(row, 2)};
                        }
                      });
    std::vector<double> gaps;
    std::vector<double> runs;
    for (size_t i = 0; i < times.size(); ++i) {
      runs.push_back(static_cast<double>(times[i].second - times[i].first));
      if (i > 0) gaps.push_back(static_cast<double>(times[i].first - times[i - 1].second));
    }
    double mean = std::accumulate(gaps.begin(), gaps.end(), 0.0) / static_cast<double>(gaps.size());
    std::printf("\n(d) SEQUENTIAL array of %d `true` children (target mean link <= 5 ms)\n",
                flags_.chain);
    std::printf("    one child's stoppedAt to the next one's startedAt: mean %.2f ms, p50 %.0f ms,"
                " p99 %.0f ms; each child RUNNING for p50 %.0f ms; %.1f s in all (%.0f links/s)\n",
                mean, bench::Percentile(gaps, 0.5), bench::Percentile(gaps, 0.99),
                bench::Percentile(runs, 0.5), wall, static_cast<double>(flags_.chain) / wall);
  }

  void EndToEnd() {
    size_t jobs = flags_.e2e_arrays * static_cast<size_t>(flags_.e2e_size);
    double fork_rate = ForkExecPerSecond(std::min<size_t>(jobs, 20000), flags_.slots);
    std::vector<std::string> parents;
    auto start = Clock::now();
    for (size_t i = 0; i < flags_.e2e_arrays; ++i) {
      auto [id, ms] = SubmitArray("default", flags_.e2e_size);
      if (!id.empty()) parents.push_back(id);
    }
    double submitted = Since(start);
    if (!WaitEnded(parents, 7200)) {
      std::printf("\n(b) the arrays did not end within two hours\n");
      return;
    }
    double wall = Since(start);
    long succeeded = 0;
    for (const std::string& parent : parents) {
      succeeded += store_.Count("id > '" + parent + ":' AND id < '" + parent +
                                ";' AND status = 'SUCCEEDED'");
    }
    double rate = static_cast<double>(succeeded) / wall;
    std::printf("\n(b) %zu arrays of %d `true` children through barge dev, %d agent slot(s)\n",
                parents.size(), flags_.e2e_size, flags_.slots);
    std::printf("    %ld children SUCCEEDED in %.1f s (all submitted after %.2f s): %.0f jobs/s;"
                " fork/exec/wait of `true` at %d at once: %.0f/s; ratio %.2f\n",
                succeeded, wall, submitted, rate, flags_.slots, fork_rate, rate / fork_rate);
  }

  void QueuedMillion() {
    long rss_before = RssKib(flags_.server_pid);
    long held = store_.Count("queue = 'bench-hold' AND status = 'RUNNABLE'");
    auto start = Clock::now();
    std::string last;
    while (held < static_cast<long>(flags_.queued)) {
      auto [id, ms] = SubmitArray("bench-hold", kArraySize);
      if (id.empty()) return;
      last = id;
      held += kArraySize;
    }
    double filling = Since(start);
    std::this_thread::sleep_for(std::chrono::seconds(2));  // The dispatcher takes them in.
    held = store_.Count("queue = 'bench-hold' AND status = 'RUNNABLE'");
    long rss = RssKib(flags_.server_pid);
    std::printf("\n(c) %ld array children RUNNABLE in a held queue (target RSS <= 2 GiB)\n", held);
    std::printf("    server RSS %.0f MiB (%.0f MiB before filling, %.1f s to submit); %.0f bytes"
                " per queued job\n",
                static_cast<double>(rss) / 1024, static_cast<double>(rss_before) / 1024, filling,
                static_cast<double>(rss) * 1024 / static_cast<double>(std::max(1L, held)));
    if (last.empty()) {
      store_.ForEachRow("SELECT id FROM jobs WHERE queue = 'bench-hold' AND array_parent IS NULL"
                        " ORDER BY created_at DESC LIMIT 1",
                        [&](sqlite3_stmt* row) {
                          last = reinterpret_cast<const char*>(sqlite3_column_text(row, 0));
                        });
    }
    auto time_calls = [&](const std::string& what, const std::string& op, auto body_of) {
      std::vector<double> times;
      for (int i = 0; i < 50; ++i) {
        Json body = body_of(i);
        auto t = Clock::now();
        bench::Reply reply = Call(op, body);
        if (reply.status == 200) times.push_back(Ms(Clock::now() - t));
      }
      std::printf("    %-52s p50 %6.2f ms, p99 %6.2f ms\n", what.c_str(),
                  bench::Percentile(times, 0.5), bench::Percentile(times, 0.99));
    };
    time_calls("DescribeJobs, the parent (statusSummary)", "describejobs",
               [&](int) { return Json{{"jobs", {last}}}; });
    time_calls("DescribeJobs, 100 children", "describejobs", [&](int i) {
      Json ids = Json::array();
      for (int k = 0; k < 100; ++k) ids.push_back(last + ":" + std::to_string((i * 100 + k) % kArraySize));
      return Json{{"jobs", ids}};
    });
    time_calls("ListJobs arrayJobId, RUNNABLE, 100 per page", "listjobs", [&](int) {
      return Json{{"arrayJobId", last}, {"jobStatus", "RUNNABLE"}, {"maxResults", 100}};
    });
    time_calls("ListJobs jobQueue, PENDING (the parents), 100 per page", "listjobs", [&](int) {
      return Json{{"jobQueue", "bench-hold"}, {"jobStatus", "PENDING"}, {"maxResults", 100}};
    });
    time_calls("SubmitJob, a plain job into the same queue", "submitjob", [&](int) {
      return Json{{"jobName", "plain"}, {"jobQueue", "bench-hold"}, {"jobDefinition", "bench-true"}};
    });
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
    else if (name == "--submits") flags.submits = std::stoul(value);
    else if (name == "--chain") flags.chain = std::stoi(value);
    else if (name == "--e2e-arrays") flags.e2e_arrays = std::stoul(value);
    else if (name == "--e2e-size") flags.e2e_size = std::stoi(value);
    else if (name == "--queued") flags.queued = std::stoul(value);
    else if (name == "--phases") flags.phases = value;
    else {
      std::fprintf(stderr, "unknown flag %s\n", name.c_str());
      return 2;
    }
  }
  if (flags.port == 0 || flags.server_pid == 0 || flags.data_dir.empty()) {
    std::fprintf(stderr,
                 "usage: array_bench --port P --server-pid PID --data-dir DIR --slots N [--submits N]"
                 " [--chain N] [--e2e-arrays N] [--e2e-size N] [--queued N] [--phases adbc]\n");
    return 2;
  }
  return Bench(std::move(flags)).Run();
}
