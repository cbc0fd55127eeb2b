#pragma once
// CopyOnWrite<T>: a value of T that copies share until one of them changes
// it: mutable_value() copies it first while another copy still holds it.
// For the large parts of a record that is copied often and whose parts
// change rarely: a Job's container properties and retry strategy are set
// when it is submitted and then only read, while the job itself is copied
// for every change of its status (the store's undo copy, every read).
//
// Thread-compatible like T: distinct objects may be used from different
// threads even while they share a value (the sharing is a shared_ptr's).
#include <initializer_list>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

namespace barge {

template <typename T>
class CopyOnWrite {
 public:
  CopyOnWrite() = default;  // A default T, allocated only once changed.
  // Implicit, so that a T is accepted wherever a CopyOnWrite<T> is wanted.
  CopyOnWrite(T value) : value_(std::make_shared<T>(std::move(value))) {}
  // From what converts to a T ("text" for a CopyOnWrite<std::string>).
  template <typename U>
  requires(std::is_convertible_v<U&&, T> && !std::is_same_v<std::remove_cvref_t<U>, T> &&
           !std::is_same_v<std::remove_cvref_t<U>, CopyOnWrite>) CopyOnWrite(U&& value)
      : value_(std::make_shared<T>(std::forward<U>(value))) {}
  // A container's elements, as `tags = {{"team", "a"}}` gives them.
  template <typename U = T>
  requires requires { typename U::value_type; }
  CopyOnWrite(std::initializer_list<typename U::value_type> elements)
      : value_(std::make_shared<T>(elements)) {}

  const T& operator*() const { return value_ ? *value_ : Default(); }
  const T* operator->() const { return &**this; }

  // The value, for changing: no longer shared with any other copy.
  T& mutable_value() {
    if (!value_) {
      value_ = std::make_shared<T>();
    } else if (value_.use_count() > 1) {
      value_ = std::make_shared<T>(*value_);
    }
    return *value_;
  }

  // Equal values, shared or not.
  friend bool operator==(const CopyOnWrite& a, const CopyOnWrite& b) { return *a == *b; }
  friend bool operator==(const CopyOnWrite& a, const T& b) { return *a == b; }

 private:
  static const T& Default() {
    static const T kDefault{};
    return kDefault;
  }

  std::shared_ptr<T> value_{};
};

// CopyOnWriteOptional<T>: an optional T whose copies share the value the
// same way. For a record's parts that most records lack (a Job's array
// properties, its share identifier): in each copy of the record they cost
// a pointer, not sizeof(T). Reads are const; mutable_value() changes an
// engaged value (copying it first while another copy holds it).
template <typename T>
class CopyOnWriteOptional {
 public:
  CopyOnWriteOptional() = default;
  // Implicit, like std::optional's: `x = std::nullopt`, `x = T{...}` and
  // `x = std::optional<T>(...)` all work.
  CopyOnWriteOptional(std::nullopt_t) {}
  CopyOnWriteOptional(T value) : value_(std::make_shared<T>(std::move(value))) {}
  // What makes a T (a string literal for a string).
  template <typename U>
  requires(std::is_convertible_v<U&&, T> && !std::is_same_v<std::remove_cvref_t<U>, T> &&
           !std::is_same_v<std::remove_cvref_t<U>, CopyOnWriteOptional> &&
           !std::is_same_v<std::remove_cvref_t<U>, std::optional<T>> &&
           !std::is_same_v<std::remove_cvref_t<U>, std::nullopt_t>) CopyOnWriteOptional(U&& value)
      : value_(std::make_shared<T>(std::forward<U>(value))) {}
  CopyOnWriteOptional(std::optional<T> value) {
    if (value) value_ = std::make_shared<T>(std::move(*value));
  }

  bool has_value() const { return value_ != nullptr; }
  explicit operator bool() const { return has_value(); }
  // Like std::optional's: only while engaged.
  const T& operator*() const { return *value_; }
  const T* operator->() const { return value_.get(); }
  T value_or(T otherwise) const { return value_ ? *value_ : std::move(otherwise); }
  std::optional<T> ToOptional() const { return value_ ? std::optional<T>(*value_) : std::nullopt; }

  // The engaged value, for changing: no longer shared with any other copy.
  T& mutable_value() {
    if (value_.use_count() > 1) value_ = std::make_shared<T>(*value_);
    return *value_;
  }
  void reset() { value_.reset(); }

  friend bool operator==(const CopyOnWriteOptional& a, const CopyOnWriteOptional& b) {
    if (!a.value_ || !b.value_) return !a.value_ && !b.value_;
    return a.value_ == b.value_ || *a.value_ == *b.value_;
  }
  // Engaged and equal to `b` (a T, or what compares with one: "A1").
  template <typename U>
  requires(!std::is_same_v<U, CopyOnWriteOptional> && !std::is_same_v<U, std::nullopt_t> &&
           requires(const T& t, const U& u) { t == u; }) friend bool
  operator==(const CopyOnWriteOptional& a, const U& b) {
    return a.value_ && *a.value_ == b;
  }
  friend bool operator==(const CopyOnWriteOptional& a, std::nullopt_t) { return !a.value_; }

 private:
  std::shared_ptr<T> value_{};
};

}  // namespace barge
