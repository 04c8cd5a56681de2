#include "traces/store.h"

#include <algorithm>
#include <filesystem>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <H5Cpp.h>

#include "traces/atomic_file.h"
#include "traces/errors.h"
#include "traces/log.h"

namespace podsizer::traces {
namespace {

// The value columns in the order they are written; `time_s` comes first and is required.
struct ColumnSpec {
  const char* name;
  std::vector<double> Trace::*member;
};
constexpr ColumnSpec kColumns[] = {
    {"time_s", &Trace::time_s},
    {"cpu_millicores", &Trace::cpu_millicores},
    {"memory_bytes", &Trace::memory_bytes},
    {"request_rate", &Trace::request_rate},
    {"replicas", &Trace::replicas},
};

// 64 Ki doubles make 512 KiB chunks for compressed columns: big enough that a whole-dataset
// read is a few large inflates, small enough to sit in HDF5's default 1 MiB chunk cache.
constexpr hsize_t kChunkElements = 64 * 1024;

// Compression pays only for regular columns. Timestamps on a fixed step and constant replica
// counts shrink to under 1 % after a byte shuffle and deflate; measured usage and rates keep
// about 78 % of their size while the read takes three times as long as a plain copy (see
// bench/store_bench.cpp). So a column is compressed when most of its first chunk repeats the
// previous value or the previous step, and stored plain (contiguous) otherwise.
constexpr int kDeflateLevel = 1;
constexpr double kRegularShare = 0.5;

// A root attribute that marks a file as a podsizer store and versions its layout.
constexpr const char* kVersionAttribute = "podsizer_store_version";
constexpr int kStoreVersion = 1;

// The first HDF5 failure since the last Hdf5Errors guard began, described from its error stack.
thread_local std::string t_hdf5_error;

// Keeps the outermost (API) and the innermost (root cause) descriptions of HDF5's error stack.
herr_t record_hdf5_error(hid_t stack, void*) {
  if (!t_hdf5_error.empty()) return 0;
  struct Ends {
    std::string outer;
    std::string inner;
  } ends;
  H5Ewalk2(
      stack, H5E_WALK_UPWARD,
      [](unsigned n, const H5E_error2_t* error, void* data) -> herr_t {
        auto* found = static_cast<Ends*>(data);
        const std::string desc = error->desc ? error->desc : "";
        if (n == 0) found->inner = desc;
        found->outer = desc;
        return 0;
      },
      &ends);
  t_hdf5_error = ends.outer;
  if (!ends.inner.empty() && ends.inner != ends.outer) t_hdf5_error += ": " + ends.inner;
  return 0;
}

// While alive, HDF5 prints nothing and records its first failure for the message of the
// InputError that follows; the previous handler comes back afterwards, so other users of HDF5
// in the process keep their own.
class Hdf5Errors {
 public:
  Hdf5Errors() {
    H5Eget_auto2(H5E_DEFAULT, &saved_function_, &saved_data_);
    H5Eset_auto2(H5E_DEFAULT, &record_hdf5_error, nullptr);
    t_hdf5_error.clear();
  }
  ~Hdf5Errors() { H5Eset_auto2(H5E_DEFAULT, saved_function_, saved_data_); }
  Hdf5Errors(const Hdf5Errors&) = delete;
  Hdf5Errors& operator=(const Hdf5Errors&) = delete;

 private:
  H5E_auto2_t saved_function_ = nullptr;
  void* saved_data_ = nullptr;
};

// An InputError for a failed HDF5 call, preferring the library's own words over the C++ API's.
InputError hdf5_failure(const std::string& path, const std::string& field,
                        const H5::Exception& error) {
  std::string detail = t_hdf5_error.empty() ? error.getDetailMsg() : t_hdf5_error;
  return InputError(path, 0, field, "HDF5 error: " + detail);
}

// Refuses names HDF5 cannot hold as one link: empty, ".", or with a '/'.
void check_trace_name(const std::string& path, const std::string& name) {
  if (name.empty() || name == "." || name.find('/') != std::string::npos) {
    throw InputError(path, 0, name,
                     "a stored trace needs a name without '/' that is neither empty nor '.'");
  }
}

// Opens a store for reading after checking that it exists and is HDF5 at all, so the common
// mistakes get a plain message instead of a library trace.
H5::H5File open_for_reading(const std::string& path) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) {
    throw InputError(path, 0, "", "no such trace store (expected an HDF5 file)");
  }
  if (!H5::H5File::isHdf5(path)) {
    throw InputError(path, 0, "", "not an HDF5 file");
  }
  return H5::H5File(path, H5F_ACC_RDONLY);
}

// Names of the groups directly under the root, in HDF5's (alphabetical) order.
std::vector<std::string> group_names(const H5::H5File& file) {
  std::vector<std::string> names;
  const hsize_t count = file.getNumObjs();
  names.reserve(count);
  for (hsize_t i = 0; i < count; ++i) {
    if (file.getObjTypeByIdx(i) == H5G_GROUP) names.push_back(file.getObjnameByIdx(i));
  }
  std::sort(names.begin(), names.end());
  return names;
}

void write_string_attribute(const H5::Group& group, const char* name, const std::string& value) {
  const H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
  const H5::Attribute attribute = group.createAttribute(name, type, H5::DataSpace(H5S_SCALAR));
  attribute.write(type, value);
}

void write_double_attribute(const H5::Group& group, const char* name, double value) {
  const H5::Attribute attribute =
      group.createAttribute(name, H5::PredType::IEEE_F64LE, H5::DataSpace(H5S_SCALAR));
  attribute.write(H5::PredType::NATIVE_DOUBLE, &value);
}

// Reads a string attribute into `value`, leaving it unchanged when the attribute is absent.
void read_string_attribute(const H5::Group& group, const char* name, std::string& value) {
  if (!group.attrExists(name)) return;
  const H5::Attribute attribute = group.openAttribute(name);
  if (attribute.getTypeClass() != H5T_STRING) {
    throw H5::AttributeIException("read_string_attribute", std::string(name) + " is not text");
  }
  attribute.read(attribute.getStrType(), value);
}

void read_double_attribute(const H5::Group& group, const char* name, double& value) {
  if (!group.attrExists(name)) return;
  const H5::Attribute attribute = group.openAttribute(name);
  attribute.read(H5::PredType::NATIVE_DOUBLE, &value);
}

// Whether most values of the first chunk equal their predecessor or continue its step.
bool looks_regular(const std::vector<double>& values) {
  const std::size_t count = std::min<std::size_t>(values.size(), kChunkElements);
  if (count < 3) return false;
  std::size_t regular = 0;
  for (std::size_t i = 2; i < count; ++i) {
    const double step = values[i] - values[i - 1];
    regular += values[i] == values[i - 1] || step == values[i - 1] - values[i - 2];
  }
  return static_cast<double>(regular) >= kRegularShare * static_cast<double>(count - 2);
}

// One column as a 1-D float64 dataset: a regular one chunked and compressed, any other one
// contiguous, which HDF5 reads into the caller's buffer in one go (and which, unlike a chunked
// layout, wastes nothing on a last partial chunk).
void write_column(const H5::Group& group, const char* name, const std::vector<double>& values) {
  const hsize_t rows = values.size();
  const H5::DataSpace space(1, &rows);
  H5::DSetCreatPropList properties;
  if (looks_regular(values)) {
    const hsize_t chunk = std::min(rows, kChunkElements);
    properties.setChunk(1, &chunk);
    properties.setShuffle();
    properties.setDeflate(kDeflateLevel);
  }
  const H5::DataSet dataset =
      group.createDataSet(name, H5::PredType::IEEE_F64LE, space, properties);
  if (rows > 0) dataset.write(values.data(), H5::PredType::NATIVE_DOUBLE);
}

void write_trace_group(const H5::H5File& file, const Trace& trace) {
  const H5::Group group = file.createGroup(trace.meta.name);
  write_string_attribute(group, "name", trace.meta.name);
  write_string_attribute(group, "source", trace.meta.source);
  write_double_attribute(group, "interval_s", trace.meta.interval_s);
  write_string_attribute(group, "cpu_unit", trace.meta.cpu_unit);
  write_string_attribute(group, "memory_unit", trace.meta.memory_unit);
  write_string_attribute(group, "rate_unit", trace.meta.rate_unit);

  // time_s is always written, so that an empty trace is still a trace; other columns only
  // when present, which is how a reader tells "absent" from "zero".
  for (const ColumnSpec& column : kColumns) {
    const std::vector<double>& values = trace.*column.member;
    if (column.member == &Trace::time_s || !values.empty()) {
      write_column(group, column.name, values);
    }
  }
}

// Reads one column whole into a vector sized from the dataset, in one call: HDF5 copies each
// plain chunk straight into it (and inflates each compressed one), with no per-element work.
std::vector<double> read_column(const H5::Group& group, const char* name) {
  const H5::DataSet dataset = group.openDataSet(name);
  const H5::DataSpace space = dataset.getSpace();
  const H5T_class_t type_class = dataset.getTypeClass();
  if (space.getSimpleExtentNdims() != 1 || (type_class != H5T_FLOAT && type_class != H5T_INTEGER)) {
    throw H5::DataSetIException("read_column", "expected a 1-D numeric dataset");
  }
  hsize_t rows = 0;
  space.getSimpleExtentDims(&rows);
  std::vector<double> values(rows);
  if (rows > 0) dataset.read(values.data(), H5::PredType::NATIVE_DOUBLE);
  return values;
}

}  // namespace

void write_traces(const std::string& path, const std::vector<Trace>& traces) {
  // Check every trace before touching any file: a bad one must not cost the others.
  std::set<std::string> new_names;
  for (const Trace& trace : traces) {
    check_trace_name(path, trace.meta.name);
    if (!new_names.insert(trace.meta.name).second) {
      throw InputError(path, 0, trace.meta.name, "two traces to store share this name");
    }
    try {
      trace.validate();
    } catch (const std::invalid_argument& error) {
      throw InputError(path, 0, trace.meta.name, error.what());
    }
  }

  // Build the new store beside the old one: the traces that stay are copied over object by
  // object (H5Ocopy keeps their compressed chunks and frees the space of replaced ones),
  // then the new traces are written. The old file is only read, so any failure leaves it as
  // it was.
  Hdf5Errors errors;
  const std::string temporary = temporary_path_beside(path);
  std::string field;
  try {
    H5::H5File out(temporary, H5F_ACC_TRUNC);
    const int version = kStoreVersion;
    out.createAttribute(kVersionAttribute, H5::PredType::STD_I32LE, H5::DataSpace(H5S_SCALAR))
        .write(H5::PredType::NATIVE_INT, &version);

    std::error_code exists_error;
    if (std::filesystem::exists(path, exists_error)) {
      const H5::H5File old = open_for_reading(path);
      std::size_t kept = 0;
      for (const std::string& name : group_names(old)) {
        if (new_names.count(name) > 0) continue;
        field = name;
        if (H5Ocopy(old.getId(), name.c_str(), out.getId(), name.c_str(), H5P_DEFAULT,
                    H5P_DEFAULT) < 0) {
          throw H5::GroupIException("write_traces", "cannot copy the stored trace");
        }
        ++kept;
      }
      logger()->debug("{}: kept {} stored traces", path, kept);
    }

    for (const Trace& trace : traces) {
      field = trace.meta.name;
      write_trace_group(out, trace);
    }
    field.clear();
    out.close();
  } catch (const H5::Exception& error) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    throw hdf5_failure(path, field, error);
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    throw;
  }
  commit_temporary(temporary, path);
  logger()->debug("{}: stored {} trace(s)", path, traces.size());
}

std::vector<std::string> list_traces(const std::string& path) {
  Hdf5Errors errors;
  try {
    const H5::H5File file = open_for_reading(path);
    return group_names(file);
  } catch (const H5::Exception& error) {
    throw hdf5_failure(path, "", error);
  }
}

Trace read_trace(const std::string& path, const std::string& name) {
  Hdf5Errors errors;
  std::string field = name;
  try {
    const H5::H5File file = open_for_reading(path);
    if (name.empty() || name.find('/') != std::string::npos || !file.nameExists(name) ||
        file.childObjType(name) != H5O_TYPE_GROUP) {
      std::string known;
      for (const std::string& stored : group_names(file)) {
        known += (known.empty() ? "" : ", ") + stored;
      }
      throw InputError(path, 0, name,
                       "no such trace in the store (it holds: " +
                           (known.empty() ? std::string("nothing") : known) + ")");
    }
    const H5::Group group = file.openGroup(name);

    // Metadata first; absent attributes keep their defaults and the name falls back to the
    // group's.
    Trace trace;
    trace.meta.name = name;
    read_string_attribute(group, "name", trace.meta.name);
    read_string_attribute(group, "source", trace.meta.source);
    read_double_attribute(group, "interval_s", trace.meta.interval_s);
    read_string_attribute(group, "cpu_unit", trace.meta.cpu_unit);
    read_string_attribute(group, "memory_unit", trace.meta.memory_unit);
    read_string_attribute(group, "rate_unit", trace.meta.rate_unit);

    // Then the columns; only time_s is required.
    for (const ColumnSpec& column : kColumns) {
      field = name + "/" + column.name;
      if (column.member != &Trace::time_s && !group.nameExists(column.name)) continue;
      if (!group.nameExists(column.name)) {
        throw InputError(path, 0, field, "the stored trace has no time column");
      }
      trace.*column.member = read_column(group, column.name);
    }

    field = name;
    try {
      trace.validate();
    } catch (const std::invalid_argument& error) {
      throw InputError(path, 0, name, std::string("malformed stored trace: ") + error.what());
    }
    return trace;
  } catch (const H5::Exception& error) {
    throw hdf5_failure(path, field, error);
  }
}

}  // namespace podsizer::traces
