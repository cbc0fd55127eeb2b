#pragma once
// What the benchmarks measure beside barge, header-only: the server's RSS and
// CPU time from /proc, a read-only view of its SQLite store for counting,
// and the physical limits a figure is compared with (durable SQLite commits
// per second, fork/exec/wait of `true` per second).
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

namespace bench {

using ProbeClock = std::chrono::steady_clock;

inline double Since(ProbeClock::time_point start) {
  return std::chrono::duration<double>(ProbeClock::now() - start).count();
}

// Resident set size of `pid` in KiB, from /proc.
inline long RssKib(int pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return -1;
}

// CPU seconds (user + system) the process has used so far, from /proc/PID/stat.
inline double CpuSeconds(int pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  // Fields after the command name (which may hold spaces) start after ')'.
  size_t close = text.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream fields(text.substr(close + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14 || i == 15) ticks += std::stod(field);  // utime, stime
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// A read-only view of the server's store, for counting.
class StoreReader {
 public:
  explicit StoreReader(const std::string& data_dir) {
    std::string path = (std::filesystem::path(data_dir) / "barge.db").string();
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
      std::fprintf(stderr, "cannot open %s\n", path.c_str());
      std::exit(1);
    }
    sqlite3_busy_timeout(db_, 5000);
  }
  ~StoreReader() { sqlite3_close(db_); }

  long Count(const std::string& where) {
    std::string sql = "SELECT count(*) FROM jobs WHERE " + where;
    sqlite3_stmt* stmt = nullptr;
    long n = -1;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
      n = sqlite3_column_int64(stmt, 0);
    }
    sqlite3_finalize(stmt);
    return n;
  }

  std::string Status(const std::string& id) {
    sqlite3_stmt* stmt = nullptr;
    std::string status;
    if (sqlite3_prepare_v2(db_, "SELECT status FROM jobs WHERE id = ?1", -1, &stmt, nullptr) ==
        SQLITE_OK) {
      sqlite3_bind_text(stmt, 1, id.c_str(), -1, SQLITE_TRANSIENT);
      if (sqlite3_step(stmt) == SQLITE_ROW) {
        status = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
      }
    }
    sqlite3_finalize(stmt);
    return status;
  }

  // Runs `sql` and calls `row(stmt)` for each result row.
  template <typename Row>
  void ForEachRow(const std::string& sql, Row&& row) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      std::fprintf(stderr, "%s: %s\n", sql.c_str(), sqlite3_errmsg(db_));
      return;
    }
    while (sqlite3_step(stmt) == SQLITE_ROW) row(stmt);
    sqlite3_finalize(stmt);
  }

 private:
  sqlite3* db_ = nullptr;
};

// Durable commits per second on this disk: SQLite WAL, synchronous=FULL, one
// ~250-byte row per transaction (as bench/api_bench.cc measures it).
inline double SqliteCommitsPerSecond(const std::string& dir, double seconds) {
  auto path = (std::filesystem::path(dir) / "fsync-probe.db").string();
  std::filesystem::remove(path);
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_exec(db,
               "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
               "CREATE TABLE t(id INTEGER PRIMARY KEY, body TEXT);",
               nullptr, nullptr, nullptr);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO t(body) VALUES(?1)", -1, &stmt, nullptr);
  std::string row(250, 'x');
  int n = 0;
  auto start = ProbeClock::now();
  while (Since(start) < seconds) {
    sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
    sqlite3_bind_text(stmt, 1, row.data(), static_cast<int>(row.size()), SQLITE_STATIC);
    sqlite3_step(stmt);
    sqlite3_reset(stmt);
    sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    ++n;
  }
  double elapsed = Since(start);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  return n / elapsed;
}

// fork/exec/wait of `true` (found on PATH, as the agent finds a job's
// command), `total` times with `concurrency` children at once. Returns runs/s.
inline double ForkExecPerSecond(size_t total, int concurrency) {
  auto start = ProbeClock::now();
  size_t started = 0;
  size_t finished = 0;
  int running = 0;
  while (finished < total) {
    while (running < concurrency && started < total) {
      pid_t pid = fork();
      if (pid == 0) {
        execlp("true", "true", static_cast<char*>(nullptr));
        _exit(127);
      }
      if (pid < 0) break;
      ++started;
      ++running;
    }
    int status = 0;
    if (waitpid(-1, &status, 0) > 0) {
      --running;
      ++finished;
    }
  }
  return static_cast<double>(total) / Since(start);
}

}  // namespace bench
