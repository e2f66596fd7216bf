// Reading local files.
#ifndef STRATA_BASE_FILE_H_
#define STRATA_BASE_FILE_H_

#include <filesystem>
#include <string>

#include "base/result.h"

namespace strata {

// Returns the whole content of `path` as bytes. Errors (kNotFound, kIo) name the path and the
// operating system's reason.
Result<std::string> ReadFile(const std::filesystem::path& path);

// ReadFile into `buffer`, replacing its content and reusing its capacity, for callers that read
// many files in turn. On error `buffer` holds unspecified bytes.
Status ReadFileInto(const std::filesystem::path& path, std::string& buffer);

// Writes `content` to `path` atomically: a temporary file beside it, then rename.
Status WriteFileAtomically(const std::filesystem::path& path, const std::string& content);

}  // namespace strata

#endif  // STRATA_BASE_FILE_H_
