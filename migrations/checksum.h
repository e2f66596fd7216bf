// Flyway's migration checksum (docs/flyway.md §3) and the UTF-8 check that precedes it.
#ifndef STRATA_MIGRATIONS_CHECKSUM_H_
#define STRATA_MIGRATIONS_CHECKSUM_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace strata::migrations {

// The checksum Flyway stores for a script whose bytes are `content` (UTF-8): the CRC-32 (zlib,
// IEEE) of every line's bytes without its terminator, lines split at `\n`, `\r\n` or a lone `\r`
// as Java's BufferedReader.readLine() splits them, a UTF-8 BOM removed from the start of the
// first line, reinterpreted as a signed 32-bit integer.
//
// Consequences, all as in Flyway: LF, CRLF and CR endings give the same value, so do a final
// newline or its absence and blank lines anywhere; trailing spaces count. An empty file is 0.
// Flyway refuses to checksum malformed UTF-8: check with FindInvalidUtf8 first.
// Allocates nothing.
std::int32_t FlywayChecksum(std::string_view content);

// Where `content` stops being valid UTF-8 (RFC 3629, as Java's strict decoder reads it: no
// overlong forms, no surrogates, nothing above U+10FFFF, no truncated sequences).
struct Utf8Error {
  std::size_t offset = 0;  // byte offset of the first bad byte
  std::size_t line = 0;    // 1-based line of that byte (lines end at `\n`)
};

// Returns the first encoding error in `content`, or nullopt when all of it is valid UTF-8.
std::optional<Utf8Error> FindInvalidUtf8(std::string_view content);

}  // namespace strata::migrations

#endif  // STRATA_MIGRATIONS_CHECKSUM_H_
