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
#include <memory>
#include <utility>

namespace barge {

template <typename T>
class CopyOnWrite {
 public:
  CopyOnWrite() = default;  // A default T, allocated only once changed.
  // Implicit, so that a T is accepted wherever a CopyOnWrite<T> is wanted.
  CopyOnWrite(T value) : value_(std::make_shared<T>(std::move(value))) {}

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

 private:
  static const T& Default() {
    static const T kDefault{};
    return kDefault;
  }

  std::shared_ptr<T> value_{};
};

}  // namespace barge
