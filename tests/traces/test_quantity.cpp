// Tests of Kubernetes quantities: every suffix both ways, canonical formatting, refusals.
#include <catch2/catch.hpp>

#include <string>
#include <utility>
#include <vector>

#include "traces/quantity.h"

using podsizer::traces::format_cpu;
using podsizer::traces::format_memory;
using podsizer::traces::parse_cpu_millicores;
using podsizer::traces::parse_memory_bytes;
using podsizer::traces::parse_quantity;
using podsizer::traces::QuantityError;

TEST_CASE("traces::parse_quantity: every suffix", "[traces]") {
  const std::vector<std::pair<std::string, double>> cases = {
      {"3n", 3e-9},
      {"3u", 3e-6},
      {"250m", 0.25},
      {"2", 2.0},
      {"3k", 3e3},
      {"3M", 3e6},
      {"3G", 3e9},
      {"3T", 3e12},
      {"3P", 3e15},
      {"3E", 3e18},
      {"3Ki", 3.0 * 1024},
      {"3Mi", 3.0 * 1048576},
      {"3Gi", 3.0 * 1073741824.0},
      {"3Ti", 3.0 * 1099511627776.0},
      {"3Pi", 3.0 * 1125899906842624.0},
      {"3Ei", 3.0 * 1152921504606846976.0},
      {"1e3", 1e3},
      {"1E3", 1e3},
      {"5e-2", 0.05},
      {"2e+2", 200.0},
      {"1.5Gi", 1.5 * 1073741824.0},
      {"0.5", 0.5},
      {".5", 0.5},
      {"5.", 5.0},
      {"+7", 7.0},
      {"0", 0.0},
  };
  for (const auto& [text, value] : cases) {
    INFO(text);
    CHECK(parse_quantity(text) == Approx(value).epsilon(1e-12));
  }
}

TEST_CASE("traces::parse_quantity: CPU in millicores and memory in bytes", "[traces]") {
  CHECK(parse_cpu_millicores("250m") == Approx(250.0));
  CHECK(parse_cpu_millicores("0.5") == Approx(500.0));
  CHECK(parse_cpu_millicores("2") == Approx(2000.0));
  CHECK(parse_cpu_millicores("1e-1") == Approx(100.0));
  CHECK(parse_memory_bytes("512Mi") == 536870912.0);
  CHECK(parse_memory_bytes("1G") == 1e9);
  CHECK(parse_memory_bytes("32Gi") == 32.0 * 1073741824.0);
  CHECK(parse_memory_bytes("1e3") == 1000.0);
}

TEST_CASE("traces::format_cpu: whole millicores, whole cores without a suffix", "[traces]") {
  CHECK(format_cpu(250) == "250m");
  CHECK(format_cpu(2000) == "2");
  CHECK(format_cpu(1500) == "1500m");
  CHECK(format_cpu(0) == "0");
  CHECK(format_cpu(0.4) == "0");  // rounds to whole millicores
  CHECK(format_cpu(249.6) == "250m");
  CHECK(format_cpu(999.5) == "1");  // 999.5 rounds to 1000m = 1 core
  CHECK_THROWS_AS(format_cpu(-1), std::invalid_argument);
}

TEST_CASE("traces::format_memory: the largest exact suffix, binary first", "[traces]") {
  CHECK(format_memory(536870912) == "512Mi");
  CHECK(format_memory(1.5 * 1073741824.0) == "1536Mi");  // 1.5 Gi is not whole Gi
  CHECK(format_memory(1e9) == "1G");
  CHECK(format_memory(1000001) == "1000001");
  CHECK(format_memory(0) == "0");
  CHECK(format_memory(1024) == "1Ki");
  CHECK(format_memory(3000) == "3k");
  CHECK(format_memory(1500) == "1500");
  CHECK(format_memory(1099511627776.0) == "1Ti");
  CHECK(format_memory(1125899906842624.0 * 2) == "2Pi");
  CHECK(format_memory(1152921504606846976.0) == "1Ei");
  CHECK(format_memory(2e12) == "2T");
  CHECK(format_memory(5e15) == "5P");
  CHECK(format_memory(1e18) == "1E");
  CHECK(format_memory(2e6) == "2M");
  // 1e12 = 2^12 * 5^12 divides by 1024 too, but "1T" beats "976562500Ki".
  CHECK(format_memory(1e12) == "1T");
  // 1024000 = 1000 Ki = 1024 k: four digits each, binary wins the tie.
  CHECK(format_memory(1024000) == "1000Ki");
  CHECK_THROWS_AS(format_memory(-5), std::invalid_argument);
}

TEST_CASE("traces::quantity: formatted values parse back to themselves", "[traces]") {
  for (double bytes : {1.0, 1023.0, 1024.0, 536870912.0, 1e9, 1.5e9, 7.0 * 1073741824.0}) {
    INFO(bytes);
    CHECK(parse_memory_bytes(format_memory(bytes)) == bytes);
  }
  for (double millicores : {1.0, 250.0, 1000.0, 1234.0, 64000.0}) {
    INFO(millicores);
    CHECK(parse_cpu_millicores(format_cpu(millicores)) == Approx(millicores));
  }
}

TEST_CASE("traces::parse_quantity: refuses every malformed form, quoting it", "[traces]") {
  const std::vector<std::string> bad = {
      "",    "-1",  "-250m", "+-1",   "abc", "Mi",  "1.2.3", "1Kb",  "1 Gi", " 1", "1mi", "1e",
      "1e+", "1e-", "1e400", "1e3Mi", "nan", "inf", "0x10",  "1Gi ", "1GiB", ".",  "1,5", "1e3.5",
  };
  for (const std::string& text : bad) {
    INFO("'" << text << "'");
    CHECK_THROWS_AS(parse_quantity(text), QuantityError);
    CHECK_THROWS_WITH(parse_quantity(text), Catch::Contains("'" + text + "'"));
  }
  CHECK_THROWS_WITH(parse_quantity("-1"), Catch::Contains("negative"));
  CHECK_THROWS_WITH(parse_quantity("1Kb"), Catch::Contains("unknown suffix 'Kb'"));
  CHECK_THROWS_WITH(parse_quantity("1e400"), Catch::Contains("exponent out of range"));
  // A value too large for a double is refused rather than read as infinity.
  CHECK_THROWS_WITH(parse_quantity(std::string(400, '9')), Catch::Contains("bad number"));
}
