// Reading local files.
#ifndef STRATA_BASE_FILE_H_
#define STRATA_BASE_FILE_H_

#include <filesystem>
#include <string>
#include <string_view>

// Installed: includes of strata headers carry the installed prefix (cmake/StrataHelpers.cmake).
#include "strata/base/result.h"

namespace strata {

// Returns the whole content of `path` as bytes. Errors (kNotFound, kIo) name the path and the
// operating system's reason.
Result<std::string> ReadFile(const std::filesystem::path& path);

// Reads the whole of `path` into `scratch` and returns a view of its bytes, valid until `scratch`
// is next changed. `scratch` only grows, so reading many files in turn allocates (and
// zero-fills) only when a larger file comes. `regular_file`: the caller knows `path` is a
// regular file (a directory listing said so), which saves asking the system for its size: a
// read that does not fill the buffer is then its end. Errors as ReadFile.
Result<std::string_view> ReadFileInto(const std::filesystem::path& path, std::string& scratch,
                                      bool regular_file = false);

// Writes `content` to `path` atomically: a temporary file beside it, then rename.
Status WriteFileAtomically(const std::filesystem::path& path, const std::string& content);

}  // namespace strata

#endif  // STRATA_BASE_FILE_H_
