#pragma once
// SHA-256 digests as OCI writes them ("sha256:<64 lowercase hex>"), computed
// with OpenSSL's EVP interface. Sha256 hashes a stream fed in pieces;
// FileSha256 hashes a whole file.
//
// A Sha256 object belongs to one thread; the free functions are thread-safe.
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace barge::image {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(const void* data, size_t size);
  void Update(std::string_view data) { Update(data.data(), data.size()); }
  // "sha256:<hex>". Call once; the object is spent afterwards.
  std::string Finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// "sha256:<hex>" of `data`.
std::string Sha256Of(std::string_view data);

// "sha256:<hex>" of the file at `path`: kNotFound or kInternal when it cannot
// be read.
Result<std::string> FileSha256(const std::string& path);

// Whether `digest` is "sha256:" followed by 64 lowercase hex digits (the only
// algorithm barge accepts).
bool IsSha256Digest(std::string_view digest);

// The hex part of a valid digest.
inline std::string_view DigestHex(std::string_view digest) { return digest.substr(7); }

}  // namespace barge::image
