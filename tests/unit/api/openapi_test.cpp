#include <algorithm>
#include <catch2/catch.hpp>
#include <cctype>
#include <filesystem>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "dialerd/api/v1.hpp"
#include "dialerd/app/config.hpp"
#include "dialerd/asio.hpp"
#include "dialerd/http/router.hpp"
#include "dialerd/scheduler/scheduler.hpp"
#include "dialerd/store/store.hpp"
#include "dialerd/util/timer.hpp"
#include "support/daemon_process.hpp"

using namespace dialerd;

namespace {

// (lower-case method, path pattern), as docs/openapi.yaml spells an operation.
using Operation = std::pair<std::string, std::string>;

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The routes the daemon registers, from the same register_routes that main() calls.
std::set<Operation> registered_operations() {
  testing::TempDir dir;
  store::Store store({dir.file("openapi.db")});
  asio::io_context ioc;
  util::RealTimeSystem clock;
  scheduler::Scheduler scheduler(ioc, store, clock);
  config::Config config = app::parse_config(app::default_config_text());
  api::Context ctx{store,     store,           store,
                   store,     store.reports(), store,
                   scheduler, clock,           [&]() -> const config::Config& { return config; }};
  http::Router router;
  api::register_routes(router, ctx);
  std::set<Operation> out;
  for (const auto& r : router.routes()) out.insert({lower(r.method), r.pattern});
  return out;
}

// Read textually, without a YAML library: inside the top-level `paths:` block, a line `  /path:` opens a
// path and a line `    <method>:` under it is one operation. The file keeps to that layout (it says so).
std::set<Operation> documented_operations(const std::string& yaml, std::vector<std::string>& repeated_paths) {
  static const std::set<std::string> kMethods = {"get", "put", "post", "delete", "patch", "options", "head", "trace"};
  std::set<Operation> out;
  std::set<std::string> paths;
  std::istringstream in(yaml);
  std::string line, path;
  bool in_paths = false;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (line.empty() || line.find_first_not_of(' ') == std::string::npos) continue;
    if (line[0] != ' ' && line[0] != '#') {
      in_paths = line == "paths:";
      path.clear();
      continue;
    }
    if (!in_paths || line.back() != ':') continue;
    if (line.rfind("  /", 0) == 0) {
      path = line.substr(2, line.size() - 3);
      if (!paths.insert(path).second) repeated_paths.push_back(path);
    } else if (line.rfind("    ", 0) == 0 && line[4] != ' ' && !path.empty()) {
      std::string key = line.substr(4, line.size() - 5);
      if (kMethods.count(key)) out.insert({key, path});
    } else if (line.rfind("  ", 0) == 0 && line[2] != ' ') {
      path.clear();  // a two-space key that is not a path ends the one before
    }
  }
  return out;
}

std::string spec_text() {
  return testing::read_file(DIALERD_SOURCE_DIR "/docs/openapi.yaml");
}

}  // namespace

TEST_CASE("openapi: every route the server registers is documented in docs/openapi.yaml") {
  std::vector<std::string> repeated;
  auto documented = documented_operations(spec_text(), repeated);
  auto registered = registered_operations();
  REQUIRE(!registered.empty());
  for (const auto& [method, pattern] : registered) {
    INFO(method << " " << pattern << " is registered but docs/openapi.yaml has no `  " << pattern << ":` with `    "
                << method << ":` under it");
    CHECK(documented.count({method, pattern}) == 1);
  }
}

TEST_CASE("openapi: docs/openapi.yaml documents only routes the server registers and each path once") {
  std::vector<std::string> repeated;
  auto documented = documented_operations(spec_text(), repeated);
  auto registered = registered_operations();
  REQUIRE(!documented.empty());
  for (const auto& [method, pattern] : documented) {
    INFO(method << " " << pattern << " is in docs/openapi.yaml but no route is registered for it");
    CHECK(registered.count({method, pattern}) == 1);
  }
  INFO("paths listed more than once in docs/openapi.yaml");
  CHECK(repeated == std::vector<std::string>{});
}

namespace {

// The error codes the sources can answer with: a status followed by the code (`404, "not_found"`, also a
// conditional `503, full ? "storage_full" : "storage_unavailable"`) or a code assigned (`r.code = "..."`).
std::set<std::string> coded_errors() {
  static const std::regex kStatusThenCode(R"re(\b[45][0-9][0-9],\s*([^,;]*))re");
  static const std::regex kAssigned(R"re(\bcode = "([a-z_]+)")re");
  static const std::regex kLiteral(R"re("([a-z_]+)")re");
  std::set<std::string> out;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(DIALERD_SOURCE_DIR "/src")) {
    if (entry.path().extension() != ".cpp") continue;
    const std::string text = testing::read_file(entry.path().string());
    for (std::sregex_iterator m(text.begin(), text.end(), kStatusThenCode), end; m != end; ++m) {
      const std::string expr = (*m)[1];
      for (std::sregex_iterator l(expr.begin(), expr.end(), kLiteral); l != end; ++l) out.insert((*l)[1]);
    }
    for (std::sregex_iterator m(text.begin(), text.end(), kAssigned), end; m != end; ++m) out.insert((*m)[1]);
  }
  return out;
}

// The `code` enum of components/schemas/Error.
std::set<std::string> documented_error_codes(const std::string& yaml) {
  const auto error_at = yaml.find("\n    Error:\n");
  REQUIRE(error_at != std::string::npos);
  const auto enum_at = yaml.find("enum:\n", error_at);
  const auto message_at = yaml.find("message:", enum_at);
  REQUIRE(enum_at != std::string::npos);
  REQUIRE(message_at != std::string::npos);
  static const std::regex kItem(R"re(- ([a-z_]+)\n)re");
  std::set<std::string> out;
  const std::string block = yaml.substr(enum_at, message_at - enum_at);
  for (std::sregex_iterator m(block.begin(), block.end(), kItem), end; m != end; ++m) out.insert((*m)[1]);
  return out;
}

}  // namespace

TEST_CASE("openapi: every error code the sources answer with is in the Error schema's enum") {
  const auto documented = documented_error_codes(spec_text());
  const auto coded = coded_errors();
  REQUIRE(coded.count("not_found") == 1);  // the scan finds codes at all
  REQUIRE(coded.count("storage_full") == 1);
  for (const auto& code : coded) {
    INFO(code << " is answered by src/ but missing from components/schemas/Error code enum in docs/openapi.yaml");
    CHECK(documented.count(code) == 1);
  }
}
