#pragma once
// HTTP/1.1 client pieces for the benchmarks (header-only, Boost.Beast):
// a blocking call for set-up and polling, and a load generator that keeps N
// keep-alive connections busy, each sending its next request as soon as the
// previous reply arrived (a closed-loop client, like a script calling an SDK
// in a loop). Single-threaded: everything runs on one io_context.
#include <algorithm>
#include <utility>  // Before Boost 1.74 Asio, whose awaitable.hpp forgets it under C++20.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Clock = std::chrono::steady_clock;

struct Reply {
  int status = 0;  // 0: the connection failed.
  std::string body{};
};

// One POST on a fresh connection.
inline Reply Post(const asio::ip::tcp::endpoint& ep, const std::string& target,
                  const std::string& body, const std::vector<std::pair<std::string, std::string>>&
                                               headers = {}) {
  try {
    asio::io_context io;
    beast::tcp_stream stream(io);
    stream.connect(ep);
    http::request<http::string_body> req{http::verb::post, target, 11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::content_type, "application/json");
    for (const auto& [name, value] : headers) req.set(name, value);
    req.body() = body;
    req.prepare_payload();
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    beast::error_code ignored;
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    return {static_cast<int>(res.result_int()), res.body()};
  } catch (const std::exception&) {
    return {};
  }
}

// What a load run counts.
struct LoadResult {
  double seconds = 0;
  size_t ok = 0;      // 200 replies.
  size_t errors = 0;  // Other replies and failed connections.
  std::vector<double> latencies_us{};
};

// Drives `connections` keep-alive connections until `deadline` or until
// `budget` requests were sent (0: no budget). `body(n)` makes the n-th
// request's body; `on_reply(status, body)` sees every reply.
class LoadRun {
 public:
  struct Options {
    asio::ip::tcp::endpoint endpoint{};
    std::string target{};
    int connections = 1;
    std::optional<Clock::time_point> deadline{};
    size_t budget = 0;
    std::function<std::string(size_t)> body{};
    std::function<void(int, const std::string&)> on_reply{};
  };

  static LoadResult Run(Options options) {
    LoadRun run(std::move(options));
    auto start = Clock::now();
    for (int i = 0; i < run.options_.connections; ++i) {
      std::make_shared<Connection>(run)->Start();
    }
    run.io_.run();
    run.result_.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return std::move(run.result_);
  }

 private:
  explicit LoadRun(Options options) : options_(std::move(options)) {}

  // The index of the next request, or nullopt when the run is over.
  std::optional<size_t> Next() {
    if (options_.deadline && Clock::now() >= *options_.deadline) return std::nullopt;
    if (options_.budget != 0 && sent_ >= options_.budget) return std::nullopt;
    return sent_++;
  }

  class Connection : public std::enable_shared_from_this<Connection> {
   public:
    explicit Connection(LoadRun& run) : run_(run), stream_(run.io_) {}

    void Start() {
      stream_.async_connect(run_.options_.endpoint,
                            [self = shared_from_this()](beast::error_code ec) {
                              if (ec) {
                                ++self->run_.result_.errors;
                                return;
                              }
                              self->Send();
                            });
    }

   private:
    void Send() {
      std::optional<size_t> n = run_.Next();
      if (!n) return;
      req_ = {http::verb::post, run_.options_.target, 11};
      req_.set(http::field::host, "127.0.0.1");
      req_.set(http::field::content_type, "application/json");
      req_.body() = run_.options_.body(*n);
      req_.prepare_payload();
      started_ = Clock::now();
      http::async_write(stream_, req_, [self = shared_from_this()](beast::error_code ec, size_t) {
        if (ec) {
          ++self->run_.result_.errors;
          return;
        }
        self->res_ = {};
        http::async_read(self->stream_, self->buffer_, self->res_,
                         [self](beast::error_code read_ec, size_t) { self->OnRead(read_ec); });
      });
    }

    void OnRead(beast::error_code ec) {
      if (ec) {
        ++run_.result_.errors;
        return;
      }
      int status = static_cast<int>(res_.result_int());
      if (status == 200) {
        ++run_.result_.ok;
        run_.result_.latencies_us.push_back(
            std::chrono::duration<double, std::micro>(Clock::now() - started_).count());
      } else {
        ++run_.result_.errors;
      }
      if (run_.options_.on_reply) run_.options_.on_reply(status, res_.body());
      Send();
    }

    LoadRun& run_;
    beast::tcp_stream stream_;
    Clock::time_point started_{};
    http::request<http::string_body> req_{};
    http::response<http::string_body> res_{};
    beast::flat_buffer buffer_{};
  };

  Options options_;
  asio::io_context io_{};
  LoadResult result_{};
  size_t sent_ = 0;
};

// The p-th quantile (0..1) of `values`; 0 when empty. Reorders `values`.
inline double Percentile(std::vector<double>& values, double p) {
  if (values.empty()) return 0;
  size_t k = std::min(values.size() - 1, static_cast<size_t>(p * static_cast<double>(values.size())));
  std::nth_element(values.begin(), values.begin() + static_cast<long>(k), values.end());
  return values[k];
}

}  // namespace bench
