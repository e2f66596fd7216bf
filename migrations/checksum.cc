#include "migrations/checksum.h"

#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cstring>

namespace strata::migrations {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

// Length of the UTF-8 sequence at `p` (which has `n` > 0 bytes left), or 0 when it is invalid.
// The ranges follow RFC 3629 table 3-7, which is what Java's decoder enforces.
std::size_t ValidSequenceLength(const unsigned char* p, std::size_t n) {
  const unsigned char b0 = p[0];
  if (b0 < 0x80) return 1;
  auto continuation = [&](std::size_t i, unsigned char lo = 0x80, unsigned char hi = 0xBF) {
    return i < n && p[i] >= lo && p[i] <= hi;
  };
  if (b0 >= 0xC2 && b0 <= 0xDF) return continuation(1) ? 2 : 0;
  if (b0 == 0xE0) return continuation(1, 0xA0) && continuation(2) ? 3 : 0;
  if (b0 == 0xED) return continuation(1, 0x80, 0x9F) && continuation(2) ? 3 : 0;  // surrogates
  if (b0 >= 0xE1 && b0 <= 0xEF) return continuation(1) && continuation(2) ? 3 : 0;
  if (b0 == 0xF0) return continuation(1, 0x90) && continuation(2) && continuation(3) ? 4 : 0;
  if (b0 >= 0xF1 && b0 <= 0xF3) {
    return continuation(1) && continuation(2) && continuation(3) ? 4 : 0;
  }
  if (b0 == 0xF4) return continuation(1, 0x80, 0x8F) && continuation(2) && continuation(3) ? 4 : 0;
  return 0;  // stray continuation byte, C0/C1 overlong lead, or F5..FF
}

}  // namespace

std::int32_t FlywayChecksum(std::string_view content) {
  if (content.starts_with(kUtf8Bom)) content.remove_prefix(kUtf8Bom.size());
  // Lines are hashed back to back with nothing between them, so the checksum is the CRC of the
  // content with every CR and LF byte removed. Those bytes are gathered into a buffer on the
  // stack: no line objects, no allocation, and few calls into zlib, which is slow on the short
  // buffers single lines would be.
  constexpr std::size_t kChunk = std::size_t{16} * 1024;
  char chunk[kChunk];
  std::size_t used = 0;
  uLong crc = crc32_z(0L, Z_NULL, 0);
  auto flush = [&] {
    crc = crc32_z(crc, reinterpret_cast<const Bytef*>(chunk), static_cast<z_size_t>(used));
    used = 0;
  };
  const char* p = content.data();
  const char* const end = p + content.size();
  while (p < end) {
    const char* run_end = std::find_if(p, end, [](char c) { return c == '\n' || c == '\r'; });
    while (p < run_end) {
      const std::size_t n = std::min<std::size_t>(run_end - p, kChunk - used);
      std::memcpy(chunk + used, p, n);
      used += n;
      p += n;
      if (used == kChunk) flush();
    }
    if (p < end) ++p;  // the terminator itself
  }
  flush();
  return std::bit_cast<std::int32_t>(static_cast<std::uint32_t>(crc));
}

std::optional<Utf8Error> FindInvalidUtf8(std::string_view content) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(content.data());
  const std::size_t n = content.size();
  std::size_t i = 0;
  while (i < n) {
    // Migration scripts are mostly ASCII: skip eight such bytes at a time.
    if (i + 8 <= n) {
      std::uint64_t word = 0;
      std::memcpy(&word, bytes + i, sizeof word);
      if ((word & 0x8080808080808080ULL) == 0) {
        i += 8;
        continue;
      }
    }
    const std::size_t length = ValidSequenceLength(bytes + i, n - i);
    if (length == 0) {
      const auto line = 1 + std::count(content.begin(), content.begin() + i, '\n');
      return Utf8Error{i, static_cast<std::size_t>(line)};
    }
    i += length;
  }
  return std::nullopt;
}

}  // namespace strata::migrations
