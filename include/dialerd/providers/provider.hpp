#pragma once
// Provider adapters (pure: build a request, read an answer) and the runtime Provider the scheduler uses.
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dialerd/asio.hpp"
#include "dialerd/domain/dispatch.hpp"
#include "dialerd/providers/guard.hpp"
#include "dialerd/util/result.hpp"
#include "dialerd/util/timer.hpp"

namespace dialerd::config {
struct ProviderConfig;
}

namespace dialerd::providers {

struct WireRequest {
  std::string method = "POST";
  std::string path;  // appended to the provider's base_url
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct WireAnswer {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

// Inbound callbacks parsed into outcomes, or what is wrong; non-terminal statuses (ringing, ...) yield no report.
using EventsParse = util::Result<std::vector<domain::OutcomeReport>>;

// One adapter per provider API, in providers/<kind>/. No I/O: every function is testable on its own.
class Adapter {
 public:
  virtual ~Adapter() = default;
  virtual WireRequest build_request(const domain::DispatchChunk& chunk) const = 0;
  // Reads a 2xx answer into one result per call of the chunk.
  virtual std::vector<domain::SubmitResult> parse_answer(const domain::DispatchChunk& chunk,
                                                         const WireAnswer& answer) const = 0;
  virtual EventsParse parse_events(std::string_view body) const = 0;
};

// What one submission came to: a result per call, and what it says about the provider's health.
struct Submission {
  std::vector<domain::SubmitResult> results;
  Health health = Health::ok;
  UnixMs retry_after_ms = 0;  // what the provider asked for (Retry-After), 0 if nothing
  std::string failure;        // when not ok: a class for metrics (connect, timeout, connection, http_5xx, ...)
};

// Called by a provider right before the first byte of a submission may leave (after connecting): the
// scheduler records durably that the chunk may have reached the provider (Store::mark_sent). If it throws,
// nothing is sent and the submission ends as not submitted.
using BeforeSend = std::function<void()>;

// The scheduler's view of a configured provider.
class Provider {
 public:
  virtual ~Provider() = default;
  virtual const std::string& name() const = 0;
  virtual const std::string& kind() const = 0;
  virtual int chunk_size() const = 0;
  // Submits a claimed chunk; answers one result per call. Never throws for provider or network trouble.
  // `before_send` runs once, right before anything of the chunk can reach the provider (not at all when
  // nothing is sent); it must outlive the call.
  virtual awaitable<Submission> submit(const domain::DispatchChunk& chunk, const BeforeSend& before_send) = 0;
  virtual EventsParse parse_events(std::string_view body) const = 0;
  // At start-up: the provider call ids of calls it accepted before a restart and has not reported on.
  // Remote providers keep their own state and report by callback; the in-process simulator re-simulates.
  virtual void resume(std::vector<std::string> /*provider_call_ids*/) {}
};

// Where providers that report outcomes themselves (the simulator) deliver them.
using OutcomeSink = std::function<void(const std::string& provider, std::vector<domain::OutcomeReport>)>;

// What a runtime provider runs on: the event loop, where its own outcomes go, and the time (the instant a
// Retry-After date is read against, the simulator's delays).
struct Runtime {
  asio::io_context& ioc;
  OutcomeSink sink;
  util::TimeSystem& time;
};

std::unique_ptr<Provider> make_provider(const config::ProviderConfig& config, const Runtime& runtime);

// A reload's providers: unchanged ones kept as they are; HTTP providers whose settings changed (base_url,
// credentials, ca_file, chunk size, timeout) made anew, so the next submission uses the new settings while
// submissions in flight finish on the old object; new ones made. A changed kind, a changed simulator and
// a removed provider need a restart: the running object stays, and `needs_restart` names it.
// Throws (nothing applied) when a new provider cannot be made, e.g. an unreadable ca_file.
struct Reloaded {
  std::map<std::string, std::shared_ptr<Provider>> providers;
  std::vector<std::string> changed, added, needs_restart;
};
Reloaded reload_providers(const std::map<std::string, config::ProviderConfig>& old_config,
                          const std::map<std::string, config::ProviderConfig>& new_config,
                          const std::map<std::string, std::shared_ptr<Provider>>& running, const Runtime& runtime);

}  // namespace dialerd::providers
