// Phone-number check cost: ns per number through normalize_phone (the fast path) and, as the reference
// measured in the same run, through libphonenumber's Parse + IsValidNumber + Format
// (normalize_phone_reference), for four classes of input. Also the one-time cost of building the tables.
#include <malloc.h>

#include <chrono>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "dialerd/domain/phone.hpp"

using namespace dialerd;
using Clock = std::chrono::steady_clock;

namespace {
struct Input {
  std::string text, region;
};

template <class F>
double ns_per(const std::vector<Input>& inputs, F&& normalize, int& valid) {
  valid = 0;
  auto t0 = Clock::now();
  for (const auto& in : inputs) valid += normalize(in.text, in.region).has_value();
  return std::chrono::duration<double, std::nano>(Clock::now() - t0).count() / static_cast<double>(inputs.size());
}
}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"phone_bench: ns per phone number, fast path against libphonenumber"};
  int n = 200000;
  cli.add_option("--numbers", n, "Numbers per input class")->capture_default_str();
  CLI11_PARSE(cli, argc, argv);

  domain::is_known_region("US");  // libphonenumber's own metadata, which the tables are not
  auto heap0 = mallinfo2().uordblks;
  auto t0 = Clock::now();
  bool fast = domain::phone_fast_path_enabled();  // builds the tables
  double build_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  auto tables_heap = mallinfo2().uordblks - heap0;
  std::cout << fmt::format("tables built in {:.1f} ms, heap {:.2f} MiB; fast path {}\n", build_ms,
                           static_cast<double>(tables_heap) / (1 << 20), fast ? "on" : "OFF");

  std::mt19937_64 rng(12345);
  auto digits = [&](int k) {
    std::string s;
    for (int i = 0; i < k; ++i) s.push_back(static_cast<char>('0' + rng() % 10));
    return s;
  };
  auto npa = [&] { return std::to_string(201 + rng() % 789); };
  struct Class {
    const char* name;
    std::vector<Input> inputs;
  };
  std::vector<Class> classes = {{"E.164 US +1NPA555XXXX", {}},
                                {"E.164 GB +447...", {}},
                                {"national (NPA) 555-XXXX, region US", {}},
                                {"random +1 + 10 digits, mostly invalid", {}}};
  for (int i = 0; i < n; ++i) {
    classes[0].inputs.push_back({"+1" + npa() + "555" + digits(4), "US"});
    classes[1].inputs.push_back({"+447" + std::to_string(4 + rng() % 6) + digits(8), "US"});
    classes[2].inputs.push_back({"(" + npa() + ") 555-" + digits(4), "US"});
    classes[3].inputs.push_back({"+1" + digits(10), "US"});
  }
  std::cout << "| input | libphonenumber | fast path | valid |\n|---|---:|---:|---:|\n";
  for (const auto& c : classes) {
    int valid_ref = 0, valid_fast = 0;
    // The reference on a tenth of the inputs: it is ~100 times slower.
    std::vector<Input> some(c.inputs.begin(), c.inputs.begin() + std::max(1, n / 10));
    double ref = ns_per(some, domain::normalize_phone_reference, valid_ref);
    double fast_ns = ns_per(c.inputs, domain::normalize_phone, valid_fast);
    std::cout << fmt::format("| {} | {:.2f} µs | {:.3f} µs | {:.0f} % |\n", c.name, ref / 1000, fast_ns / 1000,
                             100.0 * valid_fast / static_cast<double>(c.inputs.size()));
  }
  // After use: the heap the tables hold once the inputs above have been checked (RE2 builds its DFA states
  // lazily), with the inputs themselves freed.
  classes.clear();
  classes.shrink_to_fit();
  std::cout << fmt::format("heap after the runs: {:.2f} MiB above the start\n",
                           static_cast<double>(mallinfo2().uordblks - heap0) / (1 << 20));
  return 0;
}
