// The module include graph (include/dialerd/<module>/, src/<module>/) has no cycles, and the config value
// types pull in no Asio, and the API, the loops and dialerctl know no SQLite: low modules stay low as the
// tree grows (docs/ARCHITECTURE.md, "Modules").
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

const fs::path kRoot = DIALERD_SOURCE_DIR;

// The module a file belongs to: include/dialerd/<m>/... or src/<m>/...; "" for the entry points and
// include/dialerd/asio.hpp.
std::string module_of(const fs::path& file) {
  auto rel = fs::relative(file, kRoot);
  std::vector<std::string> parts(rel.begin(), rel.end());
  if (parts.size() >= 4 && parts[0] == "include" && parts[1] == "dialerd") return parts[2];
  if (parts.size() >= 3 && parts[0] == "src") return parts[1];
  return "";
}

std::vector<std::string> includes_of(const fs::path& file) {
  static const std::regex kInclude(R"(^\s*#\s*include\s*[<"]([^>"]+)[>"])");
  std::vector<std::string> out;
  std::ifstream in(file);
  std::smatch m;
  for (std::string line; std::getline(in, line);)
    if (std::regex_search(line, m, kInclude)) out.push_back(m[1]);
  return out;
}

std::vector<fs::path> sources() {
  std::vector<fs::path> out;
  for (const char* dir : {"include/dialerd", "src"})
    for (const auto& e : fs::recursive_directory_iterator(kRoot / dir))
      if (e.is_regular_file() && (e.path().extension() == ".hpp" || e.path().extension() == ".cpp"))
        out.push_back(e.path());
  return out;
}

// The error vocabulary (util::Result, like std::expected), which every module may use, domain's
// normalize_phone included: it is no edge of the graph, since it includes nothing of dialerd (checked below)
// and so cannot close a cycle.
const std::string kResultHeader = "dialerd/util/result.hpp";

}  // namespace

TEST_CASE("structure: modules include each other without cycles") {
  REQUIRE(fs::exists(kRoot / "include" / kResultHeader));
  for (const auto& inc : includes_of(kRoot / "include" / kResultHeader)) {
    INFO(kResultHeader << " includes " << inc);
    CHECK(inc.rfind("dialerd/", 0) != 0);
  }
  static const std::regex kDialerd(R"(^dialerd/([a-z_]+)/)");
  std::map<std::string, std::map<std::string, std::string>> edges;  // from -> to -> a file that does it
  for (const auto& file : sources()) {
    auto from = module_of(file);
    if (from.empty()) continue;
    for (const auto& inc : includes_of(file)) {
      std::smatch m;
      if (inc != kResultHeader && std::regex_search(inc, m, kDialerd) && m[1] != from)
        edges[from].emplace(m[1], fs::relative(file, kRoot).string());
    }
  }
  REQUIRE(edges.size() > 5);
  // Depth-first search; a back edge is a cycle, reported with the files that make it.
  std::map<std::string, int> state;  // 0 new, 1 on the path, 2 done
  std::vector<std::string> path;
  std::vector<std::string> cycles;
  std::function<void(const std::string&)> visit = [&](const std::string& m) {
    state[m] = 1;
    path.push_back(m);
    for (const auto& [to, file] : edges[m]) {
      if (state[to] == 1) {
        std::string text;
        auto start = std::find(path.begin(), path.end(), to);
        for (auto it = start; it != path.end(); ++it) {
          auto next = it + 1 == path.end() ? to : *(it + 1);
          text += *it + " -> " + next + " (" + edges[*it][next] + ")  ";
        }
        cycles.push_back(text);
      } else if (state[to] == 0) {
        visit(to);
      }
    }
    path.pop_back();
    state[m] = 2;
  };
  for (const auto& [m, _] : edges)
    if (state[m] == 0) visit(m);
  for (const auto& c : cycles) FAIL_CHECK("include cycle: " << c);
  CHECK(cycles.empty());
}

TEST_CASE("structure: the config value types include no Asio") {
  // Every header reachable from include/dialerd/config/ through dialerd includes.
  std::set<fs::path> seen;
  std::vector<fs::path> todo;
  for (const auto& e : fs::directory_iterator(kRoot / "include/dialerd/config")) todo.push_back(e.path());
  REQUIRE_FALSE(todo.empty());
  while (!todo.empty()) {
    auto file = todo.back();
    todo.pop_back();
    if (!seen.insert(file).second) continue;
    for (const auto& inc : includes_of(file)) {
      INFO(fs::relative(file, kRoot).string() << " includes " << inc);
      CHECK(inc.rfind("boost/", 0) != 0);
      CHECK(inc != "dialerd/asio.hpp");
      if (inc.rfind("dialerd/", 0) == 0) todo.push_back(kRoot / "include" / inc);
    }
  }
}

TEST_CASE("structure: the API, the loops and dialerctl see the store's roles and errors, not SQLite") {
  // Typed store errors (store/errors.hpp) are what they catch, the roles' interfaces (campaigns.hpp,
  // claims.hpp, ...) are what they use and store::Reports is what dialerctl reads: no SQL outside store/,
  // and a second backend changes none of them. Only the daemon's wiring (app/) names the SQLite store.
  std::vector<fs::path> files = {kRoot / "src/dialerctl.cpp"};
  for (const char* dir : {"src/api", "include/dialerd/api", "src/scheduler", "include/dialerd/scheduler",
                          "src/webhooks", "include/dialerd/webhooks", "src/ctl", "include/dialerd/ctl"})
    for (const auto& e : fs::recursive_directory_iterator(kRoot / dir)) files.push_back(e.path());
  for (const auto& file : files)
    for (const auto& inc : includes_of(file)) {
      INFO(fs::relative(file, kRoot).string() << " includes " << inc);
      CHECK(inc != "sqlite3.h");
      CHECK(inc.rfind("dialerd/store/sqlite/", 0) != 0);
      CHECK(inc != "dialerd/store/store.hpp");
    }
}

TEST_CASE("structure: the store's role interfaces name no SQLite type") {
  int roles = 0;
  for (const auto& e : fs::directory_iterator(kRoot / "include/dialerd/store")) {
    if (!e.is_regular_file() || e.path().filename() == "store.hpp") continue;
    ++roles;
    std::ifstream in(e.path());
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    INFO(fs::relative(e.path(), kRoot).string());
    for (const char* name : {"sqlite3", "sqlite::", "Stmt", "Db&"}) CHECK(text.find(name) == std::string::npos);
  }
  CHECK(roles >= 7);  // campaigns, contacts, claims, outcomes, outbox, reports, dispatch_queue (+ errors)
}
