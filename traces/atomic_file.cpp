#include "traces/atomic_file.h"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <system_error>

#include <unistd.h>

#include "traces/errors.h"

namespace podsizer::traces {

std::string temporary_path_beside(const std::string& path) {
  static std::atomic<unsigned> counter{0};
  const std::filesystem::path target(path);
  const std::string name = "." + target.filename().string() + ".tmp-" +
                           std::to_string(::getpid()) + "-" + std::to_string(counter++);
  return (target.parent_path() / name).string();
}

void commit_temporary(const std::string& temporary, const std::string& path) {
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) {
    std::filesystem::remove(temporary, error);
    throw InputError(path, 0, "", "cannot replace the file: " + error.message());
  }
}

void write_stream_atomically(const std::string& path,
                             const std::function<void(std::ostream&)>& write) {
  const std::string temporary = temporary_path_beside(path);
  try {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) {
      throw InputError(path, 0, "", std::string("cannot create the file: ") + std::strerror(errno));
    }
    write(out);
    out.flush();
    if (!out) throw InputError(path, 0, "", "write failed (disk full?)");
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    throw;
  }
  commit_temporary(temporary, path);
}

void write_file_atomically(const std::string& path, std::string_view content) {
  write_stream_atomically(path, [&](std::ostream& out) {
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
  });
}

}  // namespace podsizer::traces
