#include "db/postgres/cancel.h"

#include <fmt/format.h>

#include <exception>
#include <mutex>

#include "db/postgres/errors.h"

namespace strata::db::postgres {

void CancelTarget::Detach() {
  std::lock_guard<std::mutex> lock(mutex_);
  conn_ = nullptr;
}

// cancel_query() builds a PGcancel from the connection's address and backend key, which do not
// change while a statement runs, and sends the cancel request over a separate socket: safe
// while the owning thread waits for its statement. The mutex only keeps it from racing with
// the connection's close.
Status CancelTarget::Cancel() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (conn_ == nullptr) return Ok();
  try {
    conn_->cancel_query();
  } catch (const std::exception& e) {
    return Err(ErrorCode::kConnection, fmt::format("cannot cancel the statement on {}: {}",
                                                   display_url_, OneLine(e.what())));
  }
  return Ok();
}

}  // namespace strata::db::postgres
