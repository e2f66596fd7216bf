#include "base/file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <system_error>

namespace strata {

namespace {

Error ReadError(const std::filesystem::path& path, int err) {
  const ErrorCode code = err == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo;
  return Err(code, fmt::format("cannot read {}: {}", path.string(), std::strerror(err)));
}

// Reads from `fd` until end of file. `expected` is the size fstat reported for a regular file
// (0 otherwise): the buffer starts one byte larger, so a read that stops short of filling it has
// met the end of a regular file, and the usual final read that returns 0 is not needed.
Status ReadAll(int fd, std::size_t expected, const std::filesystem::path& path,
               std::string& buffer) {
  // resize() zero-fills only what it adds; the buffer doubles if the file grew since fstat.
  constexpr std::size_t kUnknownSizeStart = 4096;
  buffer.resize(expected > 0 ? expected + 1 : kUnknownSizeStart);
  std::size_t done = 0;
  while (true) {
    if (done == buffer.size()) buffer.resize(buffer.size() * 2);
    const ssize_t n = ::read(fd, buffer.data() + done, buffer.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ReadError(path, errno);
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
    if (expected > 0 && done >= expected && done < buffer.size()) break;
  }
  buffer.resize(done);
  return Ok();
}

}  // namespace

Status ReadFileInto(const std::filesystem::path& path, std::string& buffer) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ReadError(path, errno);
  struct stat info {};
  std::size_t expected = 0;
  if (::fstat(fd, &info) == 0 && S_ISREG(info.st_mode) && info.st_size > 0) {
    expected = static_cast<std::size_t>(info.st_size);
  }
  Status read = ReadAll(fd, expected, path, buffer);
  ::close(fd);
  return read;
}

Result<std::string> ReadFile(const std::filesystem::path& path) {
  std::string content;
  STRATA_TRY(ReadFileInto(path, content));
  return content;
}

Status WriteFileAtomically(const std::filesystem::path& path, const std::string& content) {
  std::filesystem::path tmp = path;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) {
      return Err(ErrorCode::kIo,
                 fmt::format("cannot write {}: {}", tmp.string(), std::strerror(errno)));
    }
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    if (!out.flush()) {
      return Err(ErrorCode::kIo, fmt::format("cannot write {}: write failed", tmp.string()));
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    return Err(ErrorCode::kIo, fmt::format("cannot replace {}: {}", path.string(), ec.message()));
  }
  return Ok();
}

}  // namespace strata
