#pragma once
// A fake of addCallsToBatch (POST /api/call/addCallsToBatch), strict about the documented
// contract: x-api-key, JSON, a known batchId, 1..max_records call_data records each with a phoneNumber of
// E.164 digits (no '+'), the agent's required variables, and no record re-added while its earlier call is
// still pending. It chunks call_data by 1000 like the provider, can fail chunks (207 with failedChunks),
// and reports each added call's outcome back to dialerd.
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

namespace dialerd::testing {

class FakeAddCalls {
 public:
  struct Request {
    nlohmann::json body;
    int http_status = 0;  // what the fake answered: 200 or 207
    std::int64_t received_at_ms = 0;
  };
  // (phoneNumber as sent, times added) -> the status to report.
  using OutcomeFn = std::function<std::string(const std::string& phone_number, int times_seen)>;

  explicit FakeAddCalls(std::string api_key = "test-key", std::string batch_id = "64e5f12345abcdef98765432",
                        std::size_t max_records = 1000);
  ~FakeAddCalls();

  std::string base_url() const;
  // The provider entry for dialerd's config that reaches this fake with the key and batch it accepts (kind,
  // base_url, api_key, batch_id); a test adds its own keys (timeout_ms, chunk_size, ...).
  nlohmann::json provider_config() const;
  void report_to(const std::string& events_url, OutcomeFn outcome);
  // Every record must carry these variables (the agent's variable schema); a record without one is a 400.
  void require_variables(std::vector<std::string> names);
  // The next `requests` requests fail the provider chunks numbered in `chunk_nums` (1-based, 1000 records
  // each): their records are not added and the answer is a 207 with failedChunks.
  void fail_chunks(int requests, std::set<int> chunk_nums = {1}, std::string error = "Database connection error");
  // Faults: see FakeProvider.
  void inject(int status, int count, std::string retry_after = "");
  void inject_drop(int count);
  void set_delay(std::chrono::milliseconds delay);
  // Random faults (FakeProvider::random_faults); the partial one is a 207 failing provider chunk 1.
  void random_faults(double rate, std::uint64_t seed, std::chrono::milliseconds slow);
  std::map<std::string, int> faults_injected() const;

  std::vector<Request> requests() const;  // every request that passed the contract checks
  std::vector<std::string> violations() const;
  std::map<std::string, int> received_numbers() const;  // phoneNumber -> times added
  std::size_t calls_added() const;
  std::size_t reported() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dialerd::testing
