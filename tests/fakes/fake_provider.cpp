#include "fakes/fake_provider.hpp"

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <deque>
#include <optional>
#include <random>
#include <set>
#include <thread>

#include "dialerd/asio.hpp"
#include "dialerd/http/client.hpp"
#include "dialerd/util/crypto.hpp"

namespace dialerd::testing {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct FakeProvider::Impl {
  Handle handle;
  asio::io_context ioc;
  tcp::acceptor acceptor{ioc};
  std::thread io_thread;

  mutable std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> violations;
  std::map<std::string, int> seen;
  std::multiset<std::string> in_flight;  // keys accepted whose outcome was not yet sent
  std::size_t items = 0, requests = 0, outstanding = 0, max_outstanding = 0, reported = 0;
  int inject_status = 0, inject_count = 0, drop_count = 0;
  std::string inject_retry_after;
  std::optional<std::string> inject_body;  // inject_raw: this body instead of the JSON error
  std::string inject_content_type;
  std::string events_url, events_secret;
  OutcomeFn outcome;
  struct Report {
    json body;
    std::vector<std::string> keys;
  };
  std::deque<Report> to_report;
  bool stopping = false;
  std::thread reporter;
  std::atomic<std::chrono::milliseconds> delay{std::chrono::milliseconds(0)};
  double fault_rate = 0;
  std::mt19937_64 fault_rng;
  std::chrono::milliseconds fault_slow{0};
  bool fault_partial = false, partial = false;
  std::map<std::string, int> faults;

  // The random fault for the next request, or "" (with mu held).
  std::string draw_fault() {
    if (fault_rate <= 0 || std::uniform_real_distribution<double>(0, 1)(fault_rng) >= fault_rate) return "";
    static const char* kinds[] = {"500", "429", "503", "drop", "slow", "partial"};
    auto n = fault_partial ? 6 : 5;
    std::string kind = kinds[std::uniform_int_distribution<int>(0, n - 1)(fault_rng)];
    ++faults[kind];
    return kind;
  }

  static http::Request to_request(const bhttp::request<bhttp::string_body>& in) {
    http::Request req;
    req.method = std::string(in.method_string());
    req.target = std::string(in.target());
    http::parse_target(req.target, req.path, req.query);
    for (const auto& f : in) {
      std::string n(f.name_string());
      for (auto& c : n) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      req.headers[n] = std::string(f.value());
    }
    req.body = in.body();
    return req;
  }

  FakeAnswer answer(const http::Request& req, const std::string& fault) {
    std::lock_guard lock(mu);
    ++requests;
    if (fault == "drop") return {{}, true};
    if (fault == "500" || fault == "429" || fault == "503") {
      http::Response r = json_response(std::stoi(fault), {{"error", "injected"}, {"status", false}});
      if (fault == "429") r.headers.emplace_back("Retry-After", "0");
      return {r, false};
    }
    partial = fault == "partial";
    struct Reset {
      bool& flag;
      ~Reset() { flag = false; }
    } reset{partial};
    if (drop_count > 0) {
      --drop_count;
      return {{}, true};
    }
    if (inject_count > 0) {
      --inject_count;
      http::Response r = json_response(inject_status, {{"error", "injected"}, {"status", false}});
      if (inject_body) {
        r.body = *inject_body;
        r.content_type = inject_content_type;
      }
      if (!inject_retry_after.empty()) r.headers.emplace_back("Retry-After", inject_retry_after);
      return {r, false};
    }
    return handle(req);
  }

  awaitable<void> session(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    boost::system::error_code ec;
    for (;;) {
      bhttp::request_parser<bhttp::string_body> parser;
      parser.body_limit(64 << 20);
      stream.expires_after(std::chrono::seconds(30));
      co_await bhttp::async_read(stream, buffer, parser, asio::redirect_error(use_awaitable, ec));
      if (ec) co_return;
      const auto& in = parser.get();
      http::Request req = to_request(in);
      std::string fault;
      {
        std::lock_guard lock(mu);
        fault = draw_fault();
      }
      auto d = delay.load();
      if (fault == "slow") d += fault_slow;
      if (d.count() > 0) {
        asio::steady_timer timer(ioc, d);
        co_await timer.async_wait(asio::redirect_error(use_awaitable, ec));
      }
      FakeAnswer out = answer(req, fault);
      if (out.drop) {
        // Gone without a word after the whole request arrived: the client cannot know what happened.
        stream.socket().shutdown(tcp::socket::shutdown_both, ec);
        stream.socket().close(ec);
        co_return;
      }
      bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(out.response.status), 11};
      res.set(bhttp::field::content_type, out.response.content_type);
      for (const auto& [k, v] : out.response.headers) res.set(k, v);
      res.body() = out.response.body;
      res.keep_alive(in.keep_alive());
      res.prepare_payload();
      stream.expires_after(std::chrono::seconds(30));
      co_await bhttp::async_write(stream, res, asio::redirect_error(use_awaitable, ec));
      if (ec || !res.keep_alive()) {
        stream.socket().shutdown(tcp::socket::shutdown_send, ec);
        co_return;
      }
    }
  }

  awaitable<void> accept_loop() {
    for (;;) {
      boost::system::error_code ec;
      tcp::socket socket = co_await acceptor.async_accept(asio::redirect_error(use_awaitable, ec));
      if (ec) co_return;
      asio::co_spawn(ioc, session(std::move(socket)), asio::detached);
    }
  }

  void report_loop() {
    std::unique_lock lock(mu);
    for (;;) {
      cv.wait(lock, [&] { return stopping || !to_report.empty(); });
      if (stopping) return;
      Report report = std::move(to_report.front());
      to_report.pop_front();
      // From the provider's side a call stops being in flight when its outcome is sent.
      outstanding -= report.keys.size();
      for (const auto& k : report.keys) in_flight.erase(in_flight.find(k));
      // Like a real provider, retry a callback until dialerd takes it (it may be restarting).
      for (int attempt = 0; !stopping; ++attempt) {
        std::string url = events_url, secret = events_secret;
        lock.unlock();
        http::ClientRequest req;
        req.url = url;
        req.body = report.body.dump();
        if (!secret.empty()) req.headers.emplace_back("X-Dialerd-Signature", util::hmac_sha256_hex(secret, req.body));
        req.timeout_ms = 30000;
        auto res = http::fetch_blocking(std::move(req));
        lock.lock();
        if (res && res->status == 200) break;
        if (res && res->status != 503) {
          violations.push_back("dialerd refused an events POST: " + std::to_string(res->status) + " " + res->body);
          break;
        }
        if (attempt == 1000) {
          violations.push_back("dialerd never took an events POST");
          break;
        }
        lock.unlock();
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        lock.lock();
      }
      reported += report.keys.size();
    }
  }
};

FakeProvider::FakeProvider(Handle handle) : impl_(std::make_unique<Impl>()) {
  impl_->handle = std::move(handle);
  tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(ep.protocol());
  impl_->acceptor.bind(ep);
  impl_->acceptor.listen();
  asio::co_spawn(impl_->ioc, impl_->accept_loop(), asio::detached);
  impl_->io_thread = std::thread([this] { impl_->ioc.run(); });
  impl_->reporter = std::thread([this] { impl_->report_loop(); });
}

FakeProvider::~FakeProvider() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->cv.notify_all();
  impl_->reporter.join();
  impl_->ioc.stop();
  impl_->io_thread.join();
}

std::string FakeProvider::base_url() const {
  return "http://127.0.0.1:" + std::to_string(impl_->acceptor.local_endpoint().port());
}

void FakeProvider::report_to(const std::string& events_url, OutcomeFn outcome) {
  std::lock_guard lock(impl_->mu);
  impl_->events_url = events_url;
  impl_->outcome = std::move(outcome);
}

void FakeProvider::sign_reports(std::string secret) {
  std::lock_guard lock(impl_->mu);
  impl_->events_secret = std::move(secret);
}

void FakeProvider::inject(int status, int count, std::string retry_after) {
  std::lock_guard lock(impl_->mu);
  impl_->inject_status = status;
  impl_->inject_count = count;
  impl_->inject_retry_after = std::move(retry_after);
  impl_->inject_body.reset();
}

void FakeProvider::inject_raw(int status, int count, std::string body, std::string content_type) {
  std::lock_guard lock(impl_->mu);
  impl_->inject_status = status;
  impl_->inject_count = count;
  impl_->inject_retry_after.clear();
  impl_->inject_body = std::move(body);
  impl_->inject_content_type = std::move(content_type);
}

void FakeProvider::inject_drop(int count) {
  std::lock_guard lock(impl_->mu);
  impl_->drop_count = count;
}

void FakeProvider::random_faults(double rate, std::uint64_t seed, std::chrono::milliseconds slow, bool partial) {
  std::lock_guard lock(impl_->mu);
  impl_->fault_rate = rate;
  impl_->fault_rng.seed(seed);
  impl_->fault_slow = slow;
  impl_->fault_partial = partial;
}

std::map<std::string, int> FakeProvider::faults_injected() const {
  std::lock_guard lock(impl_->mu);
  return impl_->faults;
}

bool FakeProvider::partial_now() const {
  return impl_->partial;
}

void FakeProvider::set_delay(std::chrono::milliseconds delay) {
  impl_->delay.store(delay);
}

std::vector<std::string> FakeProvider::violations() const {
  std::lock_guard lock(impl_->mu);
  return impl_->violations;
}
std::map<std::string, int> FakeProvider::received() const {
  std::lock_guard lock(impl_->mu);
  return impl_->seen;
}
std::size_t FakeProvider::items_received() const {
  std::lock_guard lock(impl_->mu);
  return impl_->items;
}
std::size_t FakeProvider::requests() const {
  std::lock_guard lock(impl_->mu);
  return impl_->requests;
}
std::size_t FakeProvider::max_outstanding() const {
  std::lock_guard lock(impl_->mu);
  return impl_->max_outstanding;
}
std::size_t FakeProvider::reported() const {
  std::lock_guard lock(impl_->mu);
  return impl_->reported;
}

std::mutex& FakeProvider::mutex() const {
  return impl_->mu;
}

void FakeProvider::violation(const std::string& why) {
  impl_->violations.push_back(why);
}

int FakeProvider::receive(const std::string& key) {
  ++impl_->items;
  return ++impl_->seen[key];
}

bool FakeProvider::reporting() const {
  return impl_->outcome && !impl_->events_url.empty();
}

std::string FakeProvider::outcome_for(const std::string& key, int times_seen) const {
  return impl_->outcome(key, times_seen);
}

void FakeProvider::queue_report(json body, std::vector<std::string> keys) {
  impl_->outstanding += keys.size();
  impl_->max_outstanding = std::max(impl_->max_outstanding, impl_->outstanding);
  for (const auto& k : keys) impl_->in_flight.insert(k);
  impl_->to_report.push_back({std::move(body), std::move(keys)});
  impl_->cv.notify_all();
}

bool FakeProvider::outstanding(const std::string& key) const {
  return impl_->in_flight.count(key) > 0;
}

http::Response FakeProvider::json_response(int status, const json& body) {
  http::Response r;
  r.status = status;
  r.body = body.dump();
  return r;
}

}  // namespace dialerd::testing
