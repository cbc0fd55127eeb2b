#include "control/transact.h"

namespace barge::control {

Status TransactWithRetry(Store& store, const Store::Work& work) {
  Status status = store.Transact(work);
  for (int attempt = 1; attempt < kMaxTransactAttempts; ++attempt) {
    if (status || status.error().code != ErrorCode::kConflict) break;
    status = store.Transact(work);
  }
  return status;
}

}  // namespace barge::control
