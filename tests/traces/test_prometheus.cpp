#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "traces/errors.h"
#include "traces/prometheus.h"

namespace {

using podsizer::traces::InputError;
using podsizer::traces::parse_prometheus;
using podsizer::traces::PrometheusInputs;
using podsizer::traces::PrometheusResponse;
using podsizer::traces::ReadReport;
using podsizer::traces::Trace;

// One series of a matrix: its pod label and its [timestamp, "value"] pairs, as JSON text.
std::string series(const std::string& pod, const std::string& values) {
  return R"({"metric":{"pod":")" + pod + R"("},"values":[)" + values + "]}";
}

// A successful range-query answer holding the given series.
std::string matrix(const std::vector<std::string>& all_series) {
  std::string result;
  for (const std::string& one : all_series) result += (result.empty() ? "" : ",") + one;
  return R"({"status":"success","data":{"resultType":"matrix","result":[)" + result + "]}}";
}

// Two pods sampled at 1000, 1015 and 1030 s.
//   CPU cores a: 0.25 0.5 0.1, b: 0.75 0.5 0.3 -> mean per pod 0.5 0.5 0.2 -> 500 500 200 m
//   memory a: 100 MiB, b: 200 MiB at each time -> 150 MiB = 157286400 bytes per pod
//   requests/s a: 10 12 0, b: 20 18 5 -> summed 30 30 5
const std::string kCpu = matrix({series("a", R"([1000,"0.25"],[1015,"0.5"],[1030,"0.1"])"),
                                 series("b", R"([1000,"0.75"],[1015,"0.5"],[1030,"0.3"])")});
const std::string kMemory =
    matrix({series("a", R"([1000,"104857600"],[1015,"104857600"],[1030,"104857600"])"),
            series("b", R"([1000,"209715200"],[1015,"209715200"],[1030,"209715200"])")});
const std::string kRate = matrix({series("a", R"([1000,"10"],[1015,"12"],[1030,"0"])"),
                                  series("b", R"([1000,"20"],[1015,"18"],[1030,"5"])")});

PrometheusInputs inputs(const std::string& cpu, const std::string& memory,
                        const std::string& rate = "") {
  PrometheusInputs in;
  in.cpu = {cpu, "cpu.json"};
  in.memory = {memory, "memory.json"};
  if (!rate.empty()) in.request_rate = PrometheusResponse{rate, "rate.json"};
  return in;
}

// Checks that the CPU answer `cpu` is refused for `field` with `words` in the message.
void require_cpu_refusal(const std::string& cpu, std::size_t line, const std::string& field,
                         const std::string& words) {
  try {
    parse_prometheus(inputs(cpu, kMemory), "w");
    FAIL("accepted:\n" << cpu);
  } catch (const InputError& error) {
    INFO(error.what());
    CHECK(error.file() == "cpu.json");
    CHECK(error.line() == line);
    CHECK(error.field() == field);
    if (!field.empty()) CHECK_THAT(error.what(), Catch::Contains("field '" + field + "': "));
    CHECK_THAT(error.what(), Catch::Contains(words));
  }
}

bool mentions(const ReadReport& report, const std::string& words) {
  for (const std::string& warning : report.warnings) {
    if (warning.find(words) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("traces::parse_prometheus: averages pods and sums request rates", "[traces]") {
  ReadReport report;
  const Trace trace = parse_prometheus(inputs(kCpu, kMemory, kRate), "checkout", &report);
  CHECK(trace.meta.name == "checkout");
  CHECK(trace.meta.source == "prometheus:cpu.json");
  CHECK(trace.meta.interval_s == 15.0);
  CHECK(trace.time_s == std::vector<double>{1000, 1015, 1030});
  REQUIRE(trace.cpu_millicores.size() == 3);
  CHECK(trace.cpu_millicores[0] == Approx(500.0));
  CHECK(trace.cpu_millicores[1] == Approx(500.0));
  CHECK(trace.cpu_millicores[2] == Approx(200.0));
  CHECK(trace.memory_bytes == std::vector<double>{157286400, 157286400, 157286400});
  CHECK(trace.request_rate == std::vector<double>{30, 30, 5});
  CHECK(trace.replicas == std::vector<double>{2, 2, 2});
  CHECK(report.rows == 3);
  CHECK(report.warnings.empty());

  SECTION("the server's warnings and unknown fields change nothing") {
    std::string noisy = kCpu;
    noisy.insert(1, R"("warnings":["PromQL info: metric might not be a counter"],"extra":[{}],)");
    CHECK(parse_prometheus(inputs(noisy, kMemory, kRate), "c").cpu_millicores ==
          trace.cpu_millicores);
  }

  SECTION("without a request-rate query the column stays empty") {
    const Trace no_rate = parse_prometheus(inputs(kCpu, kMemory), "checkout");
    CHECK_FALSE(no_rate.has_request_rate());
    CHECK(no_rate.size() == 3);
  }
  SECTION("the order of the series does not change a bit of the result") {
    const std::string reversed =
        matrix({series("b", R"([1000,"0.75"],[1015,"0.5"],[1030,"0.3"])"),
                series("a", R"([1000,"0.25"],[1015,"0.5"],[1030,"0.1"])")});
    CHECK(parse_prometheus(inputs(reversed, kMemory, kRate), "c").cpu_millicores ==
          trace.cpu_millicores);
  }
}

TEST_CASE("traces::parse_prometheus: counts the pods present at each timestamp", "[traces]") {
  // Pod b starts at 1015: at 1000 only a runs, 0.25 cores over 1 pod = 250 m; later the mean of
  // two pods as before. Fractional timestamps (1000.5) keep their milliseconds.
  const std::string cpu = matrix({series("a", R"([1000,"0.25"],[1015,"0.5"],[1030.5,"0.1"])"),
                                  series("b", R"([1015,"0.5"],[1030.5,"0.3"])")});
  const std::string memory = matrix({series("a", R"([1000,"1000"],[1015,"1000"],[1030.5,"1000"])"),
                                     series("b", R"([1015,"3000"],[1030.5,"3000"])")});
  const Trace trace = parse_prometheus(inputs(cpu, memory), "w");
  CHECK(trace.time_s == std::vector<double>{1000, 1015, 1030.5});
  CHECK(trace.cpu_millicores[0] == Approx(250.0));
  CHECK(trace.cpu_millicores[1] == Approx(500.0));
  CHECK(trace.cpu_millicores[2] == Approx(200.0));
  CHECK(trace.memory_bytes == std::vector<double>{1000, 2000, 2000});
  CHECK(trace.replicas == std::vector<double>{1, 2, 2});
}

TEST_CASE("traces::parse_prometheus: joins on timestamp and reports what it dropped", "[traces]") {
  // Memory lacks 1030 and the request rate lacks 1000: only 1015 has all three.
  const std::string memory = matrix(
      {series("a", R"([1000,"100"],[1015,"100"])"), series("b", R"([1000,"300"],[1015,"300"])")});
  const std::string rate = matrix({series("", R"([1015,"7"],[1030,"8"])")});
  ReadReport report;
  const Trace trace = parse_prometheus(inputs(kCpu, memory, rate), "w", &report);
  CHECK(trace.time_s == std::vector<double>{1015});
  CHECK(trace.memory_bytes == std::vector<double>{200});
  CHECK(trace.request_rate == std::vector<double>{7});
  CHECK(mentions(report, "dropped 2 timestamps"));

  SECTION("no timestamp in common is refused") {
    const std::string late = matrix({series("a", R"([2000,"100"])")});
    CHECK_THROWS_WITH(parse_prometheus(inputs(kCpu, late), "w"),
                      Catch::Contains("no timestamp has samples of every query"));
  }
}

TEST_CASE("traces::parse_prometheus: skips NaN samples and counts them", "[traces]") {
  // a's NaN at 1015 is skipped: b alone gives 0.5 cores = 500 m over one pod.
  const std::string cpu = matrix({series("a", R"([1000,"0.25"],[1015,"NaN"],[1030,"0.1"])"),
                                  series("b", R"([1000,"0.75"],[1015,"0.5"],[1030,"0.3"])")});
  ReadReport report;
  const Trace trace = parse_prometheus(inputs(cpu, kMemory), "w", &report);
  CHECK(trace.size() == 3);
  CHECK(trace.cpu_millicores[1] == Approx(500.0));
  CHECK(trace.replicas[1] == 1.0);
  CHECK(mentions(report, "skipped 1 NaN samples of the cpu query"));
}

TEST_CASE("traces::parse_prometheus: handles series that are missing", "[traces]") {
  SECTION("a request-rate query without series leaves the column empty") {
    ReadReport report;
    const Trace trace = parse_prometheus(inputs(kCpu, kMemory, matrix({})), "w", &report);
    CHECK_FALSE(trace.has_request_rate());
    CHECK(trace.size() == 3);
    CHECK(mentions(report, "request-rate query returned no series"));
  }
  SECTION("a CPU query without series is refused") {
    require_cpu_refusal(matrix({}), 0, "data.result", "the cpu query returned no series");
  }
  SECTION("a memory query without series is refused, naming its file") {
    CHECK_THROWS_WITH(parse_prometheus(inputs(kCpu, matrix({})), "w"),
                      Catch::StartsWith("memory.json: field 'data.result': the memory query"));
  }
}

TEST_CASE("traces::parse_prometheus: surfaces the server's errors", "[traces]") {
  require_cpu_refusal(
      R"({"status":"error","errorType":"bad_data",)"
      R"("error":"1:5: parse error: unclosed left parenthesis"})",
      0, "status",
      "Prometheus refused the cpu query: bad_data: 1:5: parse error: unclosed left parenthesis");
  require_cpu_refusal(R"({"status":"error"})", 0, "status", "no message given");
  require_cpu_refusal(R"({"status":"pending","data":{}})", 0, "status", "expected \"success\"");
  require_cpu_refusal(R"({"data":{}})", 0, "status", "is this a Prometheus API answer?");
  require_cpu_refusal(R"({"status":"success","data":{"resultType":"vector","result":[]}})", 0,
                      "data.resultType", "expected \"matrix\"");
  require_cpu_refusal(R"({"status":"success"})", 0, "data", "missing");
  // The envelope decides, wherever it stands in the answer: a status after the data, an
  // instant query's samples that are not a range query's.
  require_cpu_refusal(R"({"data":{"resultType":"matrix","result":[5]},"status":"error",)"
                      R"("errorType":"timeout","error":"query timed out"})",
                      0, "status", "Prometheus refused the cpu query: timeout: query timed out");
  require_cpu_refusal(R"({"status":"success","data":{"resultType":"vector",)"
                      R"("result":[{"metric":{},"value":[1000,"2"]}]}})",
                      0, "data.resultType", "an instant query holds no history");
  require_cpu_refusal(R"({"status":"success","data":{"resultType":"matrix","result":{}}})", 0,
                      "data.result", "not a list of series");
}

TEST_CASE("traces::parse_prometheus: refuses values that are no usage", "[traces]") {
  require_cpu_refusal(matrix({series("a", R"([1000,"0.25"],[1015,"+Inf"])")}), 0,
                      "data.result[0].values[1][1]", "the value +Inf cannot be");
  require_cpu_refusal(matrix({series("a", R"([1000,"0.25"])"), series("b", R"([1000,"-Inf"])")}), 0,
                      "data.result[1].values[0][1]", "cannot be");
  require_cpu_refusal(matrix({series("a", R"([1000,"-0.5"])")}), 0, "data.result[0].values[0][1]",
                      "negative");
  require_cpu_refusal(matrix({series("a", R"([1000,0.5])")}), 0, "data.result[0].values[0][1]",
                      "expected the value as a string");
  require_cpu_refusal(matrix({series("a", R"([1000,"half"])")}), 0, "data.result[0].values[0][1]",
                      "expected a number, got \"half\"");
  require_cpu_refusal(matrix({series("a", R"(["1000","0.5"])")}), 0, "data.result[0].values[0]",
                      "expected [timestamp, \"value\"]");
  require_cpu_refusal(matrix({R"({"metric":{}})"}), 0, "data.result[0].values", "missing");
  require_cpu_refusal(matrix({series("a", R"([1000,"1"])"), R"({"values":5})"}), 0,
                      "data.result[1].values", "not a list of samples");
  require_cpu_refusal(matrix({series("a", R"([1000,"1"],[1015,"1","2"])")}), 0,
                      "data.result[0].values[1]", "expected [timestamp, \"value\"]");
  require_cpu_refusal(matrix({series("a", R"([1000,"1"],1015)")}), 0, "data.result[0].values[1]",
                      "got a number");
  require_cpu_refusal(matrix({"7"}), 0, "data.result[0]", "expected a series object");
}

TEST_CASE("traces::parse_prometheus: refuses malformed JSON with its line", "[traces]") {
  // Cut off inside the values on line 3.
  require_cpu_refusal(
      "{\"status\": \"success\",\n \"data\": {\"resultType\": \"matrix\",\n"
      " \"result\": [{\"values\": [[1000, \"0.2",
      3, "", "malformed JSON");
  require_cpu_refusal("", 1, "", "malformed JSON");
  require_cpu_refusal("<html>502 Bad Gateway</html>", 1, "", "malformed JSON");
  require_cpu_refusal("[1]", 1, "", "expected a Prometheus API answer");
}

TEST_CASE("traces::read_prometheus_files: reads answers saved with curl", "[traces]") {
  const auto folder = std::filesystem::temp_directory_path() / "podsizer-test-prometheus";
  std::filesystem::create_directories(folder);
  const auto write = [&](const char* name, const std::string& text) {
    std::ofstream(folder / name) << text;
    return (folder / name).string();
  };
  const std::string cpu = write("cpu.json", kCpu);
  const std::string memory = write("memory.json", kMemory);
  const std::string rate = write("rate.json", kRate);

  const Trace trace = podsizer::traces::read_prometheus_files(cpu, memory, rate, "checkout");
  CHECK(trace.request_rate == std::vector<double>{30, 30, 5});
  CHECK(trace.cpu_millicores[2] == Approx(200.0));
  CHECK_FALSE(podsizer::traces::read_prometheus_files(cpu, memory, "", "c").has_request_rate());
  CHECK_THROWS_WITH(
      podsizer::traces::read_prometheus_files(cpu, (folder / "none.json").string(), "", "c"),
      Catch::Contains("none.json") && Catch::Contains("cannot open"));
  std::filesystem::remove_all(folder);
}

TEST_CASE("traces::default_queries: builds the documented PromQL", "[traces]") {
  const auto queries = podsizer::traces::default_queries(R"(namespace="shop")", "2m");
  CHECK(queries.cpu == R"(sum by (pod) (rate(container_cpu_usage_seconds_total)"
                       R"({namespace="shop",container!="",container!="POD"}[2m])))");
  CHECK(queries.memory == R"(sum by (pod) (container_memory_working_set_bytes)"
                          R"({namespace="shop",container!="",container!="POD"}))");
  CHECK(queries.request_rate == R"(sum(rate(http_requests_total{namespace="shop"}[2m])))");

  // Without a selector: every series, and no empty `{}` that Prometheus would refuse.
  const auto all = podsizer::traces::default_queries("");
  CHECK(all.cpu == R"(sum by (pod) (rate(container_cpu_usage_seconds_total)"
                   R"({container!="",container!="POD"}[5m])))");
  CHECK(all.request_rate == "sum(rate(http_requests_total[5m]))");
}

TEST_CASE("traces::query_prometheus: names the URL it could not reach", "[traces]") {
  // Nothing listens on port 1 of the loopback address; the connection is refused at once.
  const auto queries = podsizer::traces::default_queries(R"(namespace="shop")");
  try {
    podsizer::traces::query_prometheus("http://127.0.0.1:1/", queries, 1704067200, 1704070800, 60,
                                       "w");
    FAIL("reached a closed port");
  } catch (const InputError& error) {
    CHECK_THAT(error.file(), Catch::StartsWith("http://127.0.0.1:1/api/v1/query_range?query="));
    CHECK_THAT(error.what(), Catch::Contains("cannot query Prometheus"));
  }
  CHECK_THROWS_WITH(
      podsizer::traces::query_prometheus("http://127.0.0.1:1", queries, 10, 5, 60, "w"),
      Catch::Contains("the range must end at or after its start"));
  CHECK_THROWS_WITH(podsizer::traces::query_prometheus("http://127.0.0.1:1", queries, 0, 5, 0, "w"),
                    Catch::Contains("field 'step': must be above 0"));
}
