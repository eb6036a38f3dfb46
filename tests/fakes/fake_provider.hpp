#pragma once
// What every fake provider shares: an HTTP/1.1 server on 127.0.0.1:0 on its own thread, injected faults, a
// record of contract violations and of what was received, and a reporter thread that posts outcome
// callbacks back to dialerd. Each fake (fake_batchcall, fake_veritus, ...) adds its API's strict checks.
//
// The server is a small Beast server of its own rather than dialerd's http::Server, so a fault can close a
// connection without answering (a provider that crashed mid-request) while production code stays as it is.
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "dialerd/http/message.hpp"

namespace dialerd::testing {

// What a fake does with one request: answer it, or close the connection without answering.
struct FakeAnswer {
  http::Response response;
  bool drop = false;
};

class FakeProvider {
 public:
  // Reads one request that no injected fault took; runs on the server thread with mutex() held.
  using Handle = std::function<FakeAnswer(const http::Request&)>;
  // The status to report for one call: (its key, e.g. the number, and how many times it was received).
  using OutcomeFn = std::function<std::string(const std::string& key, int times_seen)>;

  explicit FakeProvider(Handle handle);
  ~FakeProvider();
  FakeProvider(const FakeProvider&) = delete;
  FakeProvider& operator=(const FakeProvider&) = delete;

  std::string base_url() const;

  // Outcome callbacks go to this dialerd events URL, one POST per accepted request, retried while dialerd
  // answers 503; any other refusal is a violation.
  void report_to(const std::string& events_url, OutcomeFn outcome);
  // Sign each callback: X-Dialerd-Signature = hex HMAC-SHA256 of the body under `secret`.
  void sign_reports(std::string secret);

  // The next `count` requests get `status` (with Retry-After when retry_after is not empty), unrecorded.
  void inject(int status, int count, std::string retry_after = "");
  // The next `count` requests get `status` with this body and Content-Type (HTML, a truncated answer, an
  // echo of the request, a huge body...), unrecorded.
  void inject_raw(int status, int count, std::string body, std::string content_type = "text/html");
  // The next `count` requests are read in full, then their connection is closed without an answer, and
  // nothing of them is recorded.
  void inject_drop(int count);
  // Every request is taken this long after it arrived (a slow provider).
  void set_delay(std::chrono::milliseconds delay);

  // Random faults (the fault harness): each request, with probability `rate`, gets one of, in equal shares:
  // 500; 429 with Retry-After: 0; 503; its connection closed without an answer; a slow answer (`slow`
  // late, then handled normally: taken by the provider after the client may have given up); and, when
  // the fake supports it, a partial failure (see partial_now). Seeded, so a run can be replayed.
  void random_faults(double rate, std::uint64_t seed, std::chrono::milliseconds slow, bool partial = false);
  // How many of each random fault were injected: "500", "429", "503", "drop", "slow", "partial".
  std::map<std::string, int> faults_injected() const;
  // For handlers, with mutex() held: this request was drawn for a partial failure (e.g. a 207).
  bool partial_now() const;

  std::vector<std::string> violations() const;
  std::map<std::string, int> received() const;  // key (number, customer id) -> times accepted
  std::size_t items_received() const;           // calls accepted, over all requests
  std::size_t requests() const;                 // requests that reached the fake, faults included
  std::size_t max_outstanding() const;          // most calls accepted and not yet reported, at once
  std::size_t reported() const;                 // calls whose outcome dialerd took

  // For the fakes' handlers, with mutex() held.
  std::mutex& mutex() const;
  void violation(const std::string& why);
  int receive(const std::string& key);  // counts one accepted call; returns how many times its key was taken
  bool reporting() const;               // report_to was called
  std::string outcome_for(const std::string& key, int times_seen) const;
  // Queues one callback POST carrying `body`, for `calls` calls of the given keys.
  void queue_report(nlohmann::json body, std::vector<std::string> keys);
  bool outstanding(const std::string& key) const;  // accepted and its outcome not yet sent

  static http::Response json_response(int status, const nlohmann::json& body);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Milliseconds since the Unix epoch, now.
std::int64_t wall_ms();

}  // namespace dialerd::testing
