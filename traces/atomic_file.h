// Writing output files so that a failure never leaves a half-written file or loses the old one.
//
// The content goes to a temporary file beside the target (same folder, so the rename stays on
// one file system), is flushed, and is then renamed over the target in one step.
#pragma once

#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>

namespace podsizer::traces {

// Writes `content` to `path` atomically. Throws InputError naming the path on failure.
void write_file_atomically(const std::string& path, std::string_view content);

// Calls `write` with a stream on a temporary file, then renames it over `path`. If `write`
// throws, the temporary file is removed and `path` is left as it was.
void write_stream_atomically(const std::string& path,
                             const std::function<void(std::ostream&)>& write);

// A fresh temporary path beside `path` for writers that need a file name (HDF5).
std::string temporary_path_beside(const std::string& path);

// Renames `temporary` over `path`; removes `temporary` and throws InputError on failure.
void commit_temporary(const std::string& temporary, const std::string& path);

}  // namespace podsizer::traces
