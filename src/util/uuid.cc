#include "util/uuid.h"

#include <array>
#include <cstdint>
#include <random>

namespace barge {

std::string NewUuid() {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  std::array<uint8_t, 16> bytes{};
  for (size_t i = 0; i < bytes.size(); i += 8) {
    uint64_t word = generator();
    for (size_t j = 0; j < 8; ++j) bytes[i + j] = static_cast<uint8_t>(word >> (8 * j));
  }
  bytes[6] = static_cast<uint8_t>((bytes[6] & 0x0f) | 0x40);  // Version 4.
  bytes[8] = static_cast<uint8_t>((bytes[8] & 0x3f) | 0x80);  // RFC 4122 variant.
  static constexpr char kHex[] = "0123456789abcdef";
  // Filled in place, then copied once: every job attempt takes one.
  char text[36];
  size_t at = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) text[at++] = '-';
    text[at++] = kHex[bytes[i] >> 4];
    text[at++] = kHex[bytes[i] & 0x0f];
  }
  return std::string(text, sizeof text);
}

}  // namespace barge
