#include "domain/zone.h"

#include <fmt/format.h>

#include <exception>
#include <optional>
#include <string>

namespace strata::domain {
namespace {

// Names compare the way people mistype them: case-blind, with ' ' standing for '_'.
char Fold(char c) {
  if (c == ' ') return '_';
  if (c >= 'A' && c <= 'Z') return static_cast<char>(c - 'A' + 'a');
  return c;
}

bool LooselyEqual(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Fold(a[i]) != Fold(b[i])) return false;
  }
  return true;
}

// A zone name the user probably meant (with the OS database, links are zones too), e.g.
// "Asia/Seoul" for "asia/seoul".
std::optional<std::string_view> NearMiss(const date::tzdb& db, std::string_view name) {
  for (const date::time_zone& zone : db.zones) {
    if (LooselyEqual(zone.name(), name)) return zone.name();
  }
  return std::nullopt;
}

Error UnknownZone(const date::tzdb& db, std::string_view name) {
  std::optional<std::string_view> guess = NearMiss(db, name);
  std::string hint = guess ? fmt::format("did you mean \"{}\"?", *guess)
                           : fmt::format("use an IANA name such as \"{}\" or \"America/New_York\"",
                                         kDefaultZoneName);
  return Err(
      ErrorCode::kNotFound,
      fmt::format("unknown time zone \"{}\": not in the time-zone database; {}", name, hint));
}

}  // namespace

Result<Zone> Zone::Find(std::string_view name) {
  // The date library reports both a missing database and an unknown name by throwing
  // std::runtime_error; loading the database first tells the two apart.
  const date::tzdb* db = nullptr;
  try {
    db = &date::get_tzdb();
  } catch (const std::exception& e) {
    return Err(
        ErrorCode::kIo,
        fmt::format("cannot read the time-zone database (is tzdata installed?): {}", e.what()));
  }
  if (db->zones.empty()) {
    return Err(ErrorCode::kIo,
               "the time-zone database is empty: install tzdata (/usr/share/zoneinfo)");
  }
  try {
    return Zone(date::locate_zone(name));  // the tzdb member is not exported by libdate-tz
  } catch (const std::exception&) {
    return UnknownZone(*db, name);
  }
}

Result<Zone> Zone::Default() { return Find(kDefaultZoneName); }

}  // namespace strata::domain
