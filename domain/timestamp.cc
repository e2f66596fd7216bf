#include "domain/timestamp.h"

#include <fmt/format.h>

#include <chrono>
#include <cstddef>

namespace strata::domain {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

// What is wrong with the text, as a fixed phrase: the parsers build no string until they
// fail, which keeps the per-row cost to a few comparisons.
using Problem = const char*;
constexpr Problem kFine = nullptr;

// A read position in the text. Every field the databases print has a fixed width, so
// digits are read a known count at a time; std::from_chars would also accept a sign and
// any width, which here would only let malformed text through.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  bool AtEnd() const { return pos_ == text_.size(); }
  char Peek() const { return AtEnd() ? '\0' : text_[pos_]; }
  bool PeekDigit() const { return IsDigit(Peek()); }

  bool Take(char c) {
    if (AtEnd() || text_[pos_] != c) return false;
    ++pos_;
    return true;
  }

  // Reads exactly `width` decimal digits into `out`.
  bool Digits(std::size_t width, int& out) {
    if (text_.size() - pos_ < width) return false;
    int value = 0;
    for (std::size_t i = 0; i < width; ++i) {
      char c = text_[pos_ + i];
      if (!IsDigit(c)) return false;
      value = value * 10 + (c - '0');
    }
    pos_ += width;
    out = value;
    return true;
  }

  // Skips one or more digits; false when there is none.
  bool SkipDigits() {
    std::size_t start = pos_;
    while (PeekDigit()) ++pos_;
    return pos_ > start;
  }

 private:
  static bool IsDigit(char c) { return c >= '0' && c <= '9'; }

  std::string_view text_;
  std::size_t pos_ = 0;
};

Problem ReadDay(Scanner& in, date::year_month_day& out) {
  int y = 0, m = 0, d = 0;
  if (!in.Digits(4, y) || !in.Take('-') || !in.Digits(2, m) || !in.Take('-') || !in.Digits(2, d)) {
    return "expected a date YYYY-MM-DD";
  }
  if (y == 0 && m == 0 && d == 0) return "0000-00-00 is MariaDB's zero date, not a real day";
  if (m < 1 || m > 12) return "month out of range 01-12";
  out = date::year{y} / date::month{static_cast<unsigned>(m)} / date::day{static_cast<unsigned>(d)};
  if (!out.ok()) return "day out of range for its month";
  return kFine;
}

// HH:MM:SS with optional fractional seconds, which are dropped: every consumer counts whole
// seconds, and truncation keeps a time inside the calendar day it was written in.
Problem ReadTimeOfDay(Scanner& in, seconds& out) {
  int h = 0, m = 0, s = 0;
  if (!in.Digits(2, h) || !in.Take(':') || !in.Digits(2, m) || !in.Take(':') || !in.Digits(2, s)) {
    return "expected a time HH:MM:SS";
  }
  if (h > 23) return "hour out of range 00-23";
  if (m > 59) return "minute out of range 00-59";
  if (s > 59) return "second out of range 00-59";
  if (in.Take('.') && !in.SkipDigits()) return "expected digits after '.'";
  out = hours{h} + minutes{m} + seconds{s};
  return kFine;
}

Problem ReadDateTime(Scanner& in, date::local_seconds& out) {
  date::year_month_day day = date::year{1970} / 1 / 1;
  if (Problem p = ReadDay(in, day)) return p;
  if (!in.Take(' ') && !in.Take('T') && !in.Take('t')) {
    return "expected ' ' or 'T' between date and time";
  }
  seconds time_of_day{};
  if (Problem p = ReadTimeOfDay(in, time_of_day)) return p;
  out = date::local_days{day} + time_of_day;
  return kFine;
}

// The offset of the written time from UTC (+09 means nine hours ahead of UTC): nothing or
// "Z" (zero), or a sign and HH, then optionally MM and SS, with or without colons.
Problem ReadUtcOffset(Scanner& in, seconds& out) {
  out = seconds{0};
  if (in.AtEnd() || in.Take('Z') || in.Take('z')) return kFine;
  int sign = 0;
  if (in.Take('+')) {
    sign = 1;
  } else if (in.Take('-')) {
    sign = -1;
  } else {
    return "unexpected text after the time (expected a UTC offset such as +09:00 or Z)";
  }
  int h = 0, m = 0, s = 0;
  if (!in.Digits(2, h)) return "expected offset hours after the sign (+HH)";
  bool colons = in.Take(':');
  if (colons || in.PeekDigit()) {
    if (!in.Digits(2, m)) return "expected offset minutes (+HH:MM)";
    if ((colons ? in.Take(':') : in.PeekDigit()) && !in.Digits(2, s)) {
      return "expected offset seconds (+HH:MM:SS)";
    }
  }
  if (h > 18 || m > 59 || s > 59) return "UTC offset out of range (at most ±18:00)";
  out = sign * (hours{h} + minutes{m} + seconds{s});
  return kFine;
}

// Long input is cut so that one bad row cannot flood a log.
std::string_view Shorten(std::string_view text) {
  constexpr std::size_t kMax = 64;
  return text.size() <= kMax ? text : text.substr(0, kMax);
}

Error Invalid(std::string_view kind, std::string_view text, Problem problem) {
  return Err(ErrorCode::kInvalidArgument,
             fmt::format("invalid {} \"{}\": {}", kind, Shorten(text), problem));
}

char* PutDigits(char* out, unsigned value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  return out + width;
}

// "YYYY-MM-DD" plus, when `time_of_day` is given, " HH:MM:SS".
std::string FormatCivil(date::year_month_day ymd, const seconds* time_of_day) {
  int year = static_cast<int>(ymd.year());
  auto month = static_cast<unsigned>(ymd.month());
  auto day = static_cast<unsigned>(ymd.day());
  std::string out;
  if (year >= 0 && year <= 9999) {
    char buf[19];
    char* p = PutDigits(buf, static_cast<unsigned>(year), 4);
    *p++ = '-';
    p = PutDigits(p, month, 2);
    *p++ = '-';
    p = PutDigits(p, day, 2);
    out.assign(buf, p);
  } else {
    out = fmt::format("{:04}-{:02}-{:02}", year, month, day);
  }
  if (time_of_day != nullptr) {
    date::hh_mm_ss<seconds> hms{*time_of_day};
    char buf[9];
    char* p = buf;
    *p++ = ' ';
    p = PutDigits(p, static_cast<unsigned>(hms.hours().count()), 2);
    *p++ = ':';
    p = PutDigits(p, static_cast<unsigned>(hms.minutes().count()), 2);
    *p++ = ':';
    PutDigits(p, static_cast<unsigned>(hms.seconds().count()), 2);
    out.append(buf, sizeof buf);
  }
  return out;
}

template <typename Clock>
std::string FormatTimePoint(std::chrono::time_point<Clock, seconds> t) {
  auto day = date::floor<date::days>(t);
  seconds time_of_day = t - day;
  return FormatCivil(date::year_month_day{day}, &time_of_day);
}

}  // namespace

Result<date::sys_seconds> ParseUtcTimestamp(std::string_view text) {
  Scanner in(text);
  date::local_seconds written;
  seconds offset{};
  Problem problem = ReadDateTime(in, written);
  if (!problem) problem = ReadUtcOffset(in, offset);
  if (!problem && !in.AtEnd()) problem = "unexpected text after the UTC offset";
  if (problem) return Invalid("timestamp", text, problem);
  // The text shows UTC + offset, so UTC is the written time minus the offset.
  return date::sys_seconds{written.time_since_epoch() - offset};
}

Result<date::local_seconds> ParseLocalTimestamp(std::string_view text) {
  Scanner in(text);
  date::local_seconds written;
  Problem problem = ReadDateTime(in, written);
  if (!problem && !in.AtEnd()) {
    char next = in.Peek();
    problem = (next == '+' || next == '-' || next == 'Z' || next == 'z')
                  ? "has a UTC offset, so it is an instant, not a wall-clock time"
                  : "unexpected text after the time";
  }
  if (problem) return Invalid("wall-clock timestamp", text, problem);
  return written;
}

Result<date::sys_days> ParseDay(std::string_view text) {
  Scanner in(text);
  date::year_month_day day = date::year{1970} / 1 / 1;
  Problem problem = ReadDay(in, day);
  if (!problem && !in.AtEnd()) problem = "unexpected text after the date";
  if (problem) return Invalid("date", text, problem);
  return date::sys_days{day};
}

std::string FormatDay(date::sys_days day) {
  return FormatCivil(date::year_month_day{day}, nullptr);
}

std::string FormatTimestamp(date::sys_seconds instant) { return FormatTimePoint(instant); }

std::string FormatTimestamp(date::local_seconds wall_clock) { return FormatTimePoint(wall_clock); }

}  // namespace strata::domain
