#pragma once
// Random (version 4) UUIDs, as AWS Batch uses for job ids and environment uuids.
// Thread-safe: each call draws from its own thread-local generator.
#include <string>

namespace barge {
std::string NewUuid();  // "1b4e28ba-2fa1-4d2e-8b5c-0e2f3a4b5c6d"
}
