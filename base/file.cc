#include "base/file.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <system_error>

namespace strata {

Result<std::string> ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int err = errno;
    const ErrorCode code = err == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo;
    return Err(code, fmt::format("cannot read {}: {}", path.string(), std::strerror(err)));
  }
  std::string content{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) {
    return Err(ErrorCode::kIo, fmt::format("cannot read {}: read failed", path.string()));
  }
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
