// Replays the fuzz targets' seed corpora (tests/fuzz/corpus/<target>/) through the same functions the
// libFuzzer binaries call, so every CI run checks their invariants on those inputs, without clang. A
// reproducer a fuzzer found is added to the corpus with its fix and stays here as a regression test.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <spdlog/spdlog.h>

#include "fuzz/fuzz_targets.hpp"

namespace {

namespace fs = std::filesystem;
using Target = int (*)(const std::uint8_t*, std::size_t);

// The handlers log each request at info; the corpus would fill the test output.
struct QuietLogs {
  spdlog::level::level_enum was = spdlog::get_level();
  QuietLogs() { spdlog::set_level(spdlog::level::off); }
  ~QuietLogs() { spdlog::set_level(was); }
};

std::vector<fs::path> corpus(const std::string& target) {
  fs::path dir = fs::path(DIALERD_SOURCE_DIR) / "tests" / "fuzz" / "corpus" / target;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.is_regular_file()) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

std::string contents(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Each file once through `fn`; `before_each` runs first (a fresh database for the API target).
void replay(const std::string& target, Target fn, void (*before_each)() = nullptr) {
  QuietLogs quiet;
  auto files = corpus(target);
  CHECK(files.size() >= 5);
  for (const auto& file : files) {
    INFO("corpus file " << file.string());
    auto bytes = contents(file);
    if (before_each) before_each();
    try {
      fn(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    } catch (const dialerd::fuzz::Violation& v) {
      FAIL_CHECK(v.what());
    }
  }
}

}  // namespace

TEST_CASE("fuzz corpus: csv seeds keep parse_csv's promises") {
  replay("fuzz_csv", dialerd::fuzz::fuzz_csv_one);
}

TEST_CASE("fuzz corpus: config seeds give a Config or InvalidConfig") {
  replay("fuzz_config", dialerd::fuzz::fuzz_config_one);
}

TEST_CASE("fuzz corpus: api seeds are answered 2xx or 4xx or 503 with error codes") {
  replay("fuzz_api", dialerd::fuzz::fuzz_api_one, dialerd::fuzz::fuzz_api_reset);
  dialerd::fuzz::fuzz_api_reset();  // the temporary database goes now, not at exit
}

TEST_CASE("fuzz corpus: provider seeds give one answer result per call and well-formed events") {
  replay("fuzz_provider", dialerd::fuzz::fuzz_provider_one);
}

TEST_CASE("fuzz corpus: dnc import seeds read alike in any step and through gzip") {
  replay("fuzz_dnc_import", dialerd::fuzz::fuzz_dnc_import_one);
}

// Too large for the corpus: 400 KB of brackets, on every route, once through the harness (it crashed the
// daemon before parse_json_body limited nesting; tests/unit/api/json_body_test.cpp has the details).
TEST_CASE("fuzz api: bodies nested 200000 deep are answered on every route") {
  QuietLogs quiet;
  dialerd::fuzz::fuzz_api_reset();
  for (std::uint8_t route = 0; route < 12; ++route) {
    INFO("route byte " << int(route));
    std::string input = {char(route), 0};
    input += std::string(200000, '[') + std::string(200000, ']');
    try {
      dialerd::fuzz::fuzz_api_one(reinterpret_cast<const std::uint8_t*>(input.data()), input.size());
    } catch (const dialerd::fuzz::Violation& v) {
      FAIL_CHECK(v.what());
    }
  }
  dialerd::fuzz::fuzz_api_reset();
}
