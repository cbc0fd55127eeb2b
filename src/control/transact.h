#pragma once
// Store::Transact with a bounded retry on kConflict, the one retryable error a
// write can hit when another writer (another server replica, or the scheduling
// loop between two reads) won a compare-and-set race. Every control service
// goes through it, so a conflict reaches the client only after kMaxAttempts.
//
// `work` must be safe to run again: it rebuilds every output from what it
// reads, and a failed attempt has already been rolled back by the store.
#include "core/result.h"
#include "store/store.h"

namespace barge::control {

inline constexpr int kMaxTransactAttempts = 3;

Status TransactWithRetry(Store& store, const Store::Work& work);

}  // namespace barge::control
