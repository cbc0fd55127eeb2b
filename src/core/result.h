#pragma once
// Result<T> and Status: errors as values, shaped like C++23 std::expected so a
// later switch is a mechanical edit. Only api/error_response.h maps ErrorCode
// to the wire. Plain values: safe to copy and move between threads.
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace barge {

// Broad failure classes.
enum class ErrorCode {
  kInvalidArgument,     // Malformed input. Not retryable.
  kNotFound,            // Named entity does not exist.
  kAlreadyExists,       // Create collided with an existing name or id.
  kFailedPrecondition,  // Valid request, wrong state (delete an ENABLED environment).
  kConflict,            // Lost an optimistic-concurrency race. Safe to retry.
  kUnavailable,         // Dependency down or busy (db locked, agent gone).
  kInternal,            // Broken invariant or corrupt data. A bug.
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message{};
};

template <typename T>
class [[nodiscard]] Result {
 public:
  // A copy or a move straight into place: returning a stored row (a Job of a
  // kilobyte and more) costs one copy, not a copy and a move.
  Result(const T& value) : state_(std::in_place_index<0>, value) {}        // NOLINT: implicit
  Result(T&& value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit
  Result(Error error) : state_(std::move(error)) {}  // NOLINT: implicit on purpose

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }
  const T& value() const& { return std::get<T>(state_); }
  T& value() & { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const Error& error() const { return std::get<Error>(state_); }

 private:
  std::variant<T, Error> state_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)) {}  // NOLINT: implicit on purpose
  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const { return *error_; }

 private:
  std::optional<Error> error_;
};

using Status = Result<void>;
inline Status Ok() { return {}; }
inline Error InvalidArgument(std::string m) { return {ErrorCode::kInvalidArgument, std::move(m)}; }
inline Error NotFound(std::string m) { return {ErrorCode::kNotFound, std::move(m)}; }
inline Error AlreadyExists(std::string m) { return {ErrorCode::kAlreadyExists, std::move(m)}; }
inline Error FailedPrecondition(std::string m) {
  return {ErrorCode::kFailedPrecondition, std::move(m)};
}
inline Error Conflict(std::string m) { return {ErrorCode::kConflict, std::move(m)}; }
inline Error Unavailable(std::string m) { return {ErrorCode::kUnavailable, std::move(m)}; }
inline Error Internal(std::string m) { return {ErrorCode::kInternal, std::move(m)}; }

}  // namespace barge

// The one control-flow macro: propagate a failed Status or Result.
#define BARGE_RETURN_IF_ERROR(expr)                    \
  do {                                                 \
    if (auto barge_status_ = (expr); !barge_status_) { \
      return barge_status_.error();                    \
    }                                                  \
  } while (false)
