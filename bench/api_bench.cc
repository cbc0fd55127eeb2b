// Requests per second and latency percentiles of the AWS API over keep-alive
// HTTP/1.1, against a running `barge server` (bench/run_api_bench.sh starts one):
//   api_bench HOST PORT [seconds-per-cell]
// For RegisterJobDefinition (one durable commit each) and DescribeJobQueues
// (a read) at 1, 8 and 64 concurrent connections. Prints a table, and the
// same machine's physical limit for a durable write (SQLite WAL,
// synchronous=FULL, one row per transaction) measured in the same run.
#include <sqlite3.h>

#include <algorithm>
#include <utility>  // Before Boost 1.74 Asio, whose awaitable.hpp forgets it under C++20.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Clock = std::chrono::steady_clock;

namespace {

struct Cell {
  std::string op;
  int connections = 0;
  double seconds = 0;
  std::vector<double> latencies_us{};
  int errors = 0;
};

// One keep-alive connection issuing requests back to back until `deadline`.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(asio::io_context& io, asio::ip::tcp::endpoint ep, std::string target,
             std::function<std::string(int)> body, Clock::time_point deadline, Cell& cell, int id)
      : stream_(io), ep_(ep), target_(std::move(target)), body_(std::move(body)),
        deadline_(deadline), cell_(cell), id_(id) {}

  void Start() {
    stream_.async_connect(ep_, [self = shared_from_this()](beast::error_code ec) {
      if (ec) { ++self->cell_.errors; return; }
      self->Send();
    });
  }

 private:
  void Send() {
    if (Clock::now() >= deadline_) return;
    req_ = {http::verb::post, target_, 11};
    req_.set(http::field::host, "127.0.0.1");
    req_.set(http::field::content_type, "application/json");
    req_.body() = body_(id_ * 1000000 + seq_++);
    req_.prepare_payload();
    started_ = Clock::now();
    http::async_write(stream_, req_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) { ++self->cell_.errors; return; }
      self->res_ = {};
      http::async_read(self->stream_, self->buffer_, self->res_,
                       [self](beast::error_code ec2, size_t) { self->OnRead(ec2); });
    });
  }

  void OnRead(beast::error_code ec) {
    if (ec) { ++cell_.errors; return; }
    if (res_.result() != http::status::ok) ++cell_.errors;
    cell_.latencies_us.push_back(
        std::chrono::duration<double, std::micro>(Clock::now() - started_).count());
    Send();
  }

  beast::tcp_stream stream_;
  asio::ip::tcp::endpoint ep_;
  std::string target_;
  std::function<std::string(int)> body_;
  Clock::time_point deadline_;
  Cell& cell_;
  int id_;
  int seq_ = 0;
  Clock::time_point started_{};
  http::request<http::string_body> req_{};
  http::response<http::string_body> res_{};
  beast::flat_buffer buffer_{};
};

Cell RunCell(const asio::ip::tcp::endpoint& ep, const std::string& op, const std::string& target,
             std::function<std::string(int)> body, int connections, double seconds) {
  Cell cell{.op = op, .connections = connections};
  asio::io_context io;
  auto start = Clock::now();
  auto deadline = start + std::chrono::duration_cast<Clock::duration>(
                              std::chrono::duration<double>(seconds));
  for (int i = 0; i < connections; ++i) {
    std::make_shared<Connection>(io, ep, target, body, deadline, cell, i)->Start();
  }
  io.run();
  cell.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return cell;
}

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  size_t k = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
  return v[k];
}

// Durable commits per second on this disk: SQLite WAL, synchronous=FULL, one
// ~250-byte row per transaction (the ANCHORS.md reference measurement).
double SqliteCommitsPerSecond(double seconds) {
  auto dir = std::filesystem::temp_directory_path() / "barge-bench-fsync";
  std::filesystem::create_directories(dir);
  auto path = (dir / "fsync.db").string();
  std::filesystem::remove(path);
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                   "CREATE TABLE t(id INTEGER PRIMARY KEY, body TEXT);",
               nullptr, nullptr, nullptr);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO t(body) VALUES(?1)", -1, &stmt, nullptr);
  std::string row(250, 'x');
  int n = 0;
  auto start = Clock::now();
  while (std::chrono::duration<double>(Clock::now() - start).count() < seconds) {
    sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
    sqlite3_bind_text(stmt, 1, row.data(), static_cast<int>(row.size()), SQLITE_STATIC);
    sqlite3_step(stmt);
    sqlite3_reset(stmt);
    sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    ++n;
  }
  double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  std::filesystem::remove_all(dir);
  return n / elapsed;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: api_bench HOST PORT [seconds-per-cell]\n");
    return 2;
  }
  double seconds = argc > 3 ? std::stod(argv[3]) : 3.0;
  asio::ip::tcp::endpoint ep(asio::ip::make_address(argv[1]),
                             static_cast<unsigned short>(std::stoi(argv[2])));

  auto register_body = [](int n) {
    return "{\"jobDefinitionName\":\"bench-" + std::to_string(n % 50) +
           "\",\"type\":\"container\",\"containerProperties\":{\"image\":\"busybox\","
           "\"command\":[\"echo\",\"hello\"],\"resourceRequirements\":[{\"type\":\"VCPU\","
           "\"value\":\"1\"},{\"type\":\"MEMORY\",\"value\":\"128\"}]}}";
  };
  auto describe_body = [](int) { return std::string("{}"); };

  double commits = SqliteCommitsPerSecond(seconds);
  std::printf("physical limit: %.0f durable SQLite commits/s (WAL, synchronous=FULL, 1 row/txn)\n\n",
              commits);
  std::printf("%-24s %5s %10s %10s %10s %8s %14s\n", "operation", "conns", "req/s", "p50 ms",
              "p99 ms", "errors", "vs commit/s");
  for (int conns : {1, 8, 64}) {
    for (const auto& [op, target, body] :
         {std::tuple<std::string, std::string, std::function<std::string(int)>>{
              "RegisterJobDefinition", "/v1/registerjobdefinition", register_body},
          {"DescribeJobQueues", "/v1/describejobqueues", describe_body}}) {
      Cell cell = RunCell(ep, op, target, body, conns, seconds);
      double rps = static_cast<double>(cell.latencies_us.size()) / cell.seconds;
      double p50 = Percentile(cell.latencies_us, 0.50) / 1000;
      double p99 = Percentile(cell.latencies_us, 0.99) / 1000;
      std::printf("%-24s %5d %10.0f %10.3f %10.3f %8d %13.2fx\n", op.c_str(), conns, rps, p50,
                  p99, cell.errors, rps / commits);
      std::fflush(stdout);
    }
  }
  return 0;
}
