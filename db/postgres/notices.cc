#include "db/postgres/notices.h"

#include <spdlog/spdlog.h>

#include <string>

#include "db/postgres/errors.h"

namespace strata::db::postgres {

bool NoticeLogger::operator()(const char message[]) noexcept {
  try {
    const std::string text = Scrub(OneLine(message), secrets_);
    if (text.rfind("FATAL:", 0) == 0 || text.rfind("PANIC:", 0) == 0) {
      last_fatal_ = PrimaryMessage(text);
    }
    if (text.rfind("WARNING:", 0) == 0) {
      spdlog::warn("{}: {}", display_url_, text);
    } else {
      spdlog::debug("{}: {}", display_url_, text);
    }
  } catch (...) {  // NOLINT(bugprone-empty-catch): a notice is not worth an exception
  }
  return false;  // handled: no older handler may print it
}

}  // namespace strata::db::postgres
