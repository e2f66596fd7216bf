#include "base/file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
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

// Reads from `fd` into `scratch` until the end of the file and returns how many bytes came.
// `ends_short`: a read that does not fill the buffer is the end (true of regular files, whose
// reads stop short only there), which saves the final read that returns 0.
Result<std::size_t> ReadToEnd(int fd, bool ends_short, const std::filesystem::path& path,
                              std::string& scratch) {
  std::size_t done = 0;
  while (true) {
    if (done == scratch.size()) scratch.resize(scratch.size() * 2);
    const std::size_t wanted = scratch.size() - done;
    const ssize_t n = ::read(fd, scratch.data() + done, wanted);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ReadError(path, errno);
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
    // Linux moves at most kMaxRead bytes per read, so a read of more may stop short early.
    constexpr std::size_t kMaxRead = 0x7ffff000;
    if (ends_short && static_cast<std::size_t>(n) < std::min(wanted, kMaxRead)) break;
  }
  return done;
}

// How large `scratch` must be to read the file open as `fd` in one read, if fstat can tell.
std::size_t SizeToRead(int fd, bool regular_file, bool& ends_short) {
  // Migration scripts rarely exceed this; larger files double the buffer as they are read.
  constexpr std::size_t kRegularFileStart = std::size_t{64} * 1024;
  constexpr std::size_t kUnknownSizeStart = 4096;
  ends_short = regular_file;
  if (regular_file) return kRegularFileStart;
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) return kUnknownSizeStart;
  ends_short = true;
  // One byte more than the size, so that a file read whole stops short of filling the buffer.
  return static_cast<std::size_t>(std::max<off_t>(info.st_size, 0)) + 1;
}

}  // namespace

Result<std::string_view> ReadFileInto(const std::filesystem::path& path, std::string& scratch,
                                      bool regular_file) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ReadError(path, errno);
  bool ends_short = false;
  const std::size_t wanted = SizeToRead(fd, regular_file, ends_short);
  if (scratch.size() < wanted) scratch.resize(wanted);  // zero-fills only what it adds
  Result<std::size_t> done = ReadToEnd(fd, ends_short, path, scratch);
  ::close(fd);
  if (!done) return std::move(done).error();
  return std::string_view(scratch.data(), *done);
}

Result<std::string> ReadFile(const std::filesystem::path& path) {
  std::string content;
  STRATA_ASSIGN_OR_RETURN(const std::string_view read, ReadFileInto(path, content));
  content.resize(read.size());
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
