// The sd_notify protocol as systemd sees it: the real daemon, with NOTIFY_SOCKET pointing at a datagram
// socket the test reads. READY=1, watchdog pings, RELOADING=1/READY=1 around SIGHUP, STOPPING=1, and the
// second stop signal that ends a drain at once.
#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "fakes/silent_provider.hpp"
#include "support/daemon_process.hpp"

using namespace dialerd::testing;

namespace {

// What systemd would listen on: an AF_UNIX datagram socket; each datagram is one notification. A thread
// reads it all the time, as systemd does: sd_notify blocks when the receiver's queue is full
// (net.unix.max_dgram_qlen, often 10), which would stall the daemon's loop while the test looks elsewhere.
class NotifySocket {
 public:
  explicit NotifySocket(std::string path) : path_(std::move(path)) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    REQUIRE(path_.size() < sizeof addr.sun_path);
    std::memcpy(addr.sun_path, path_.c_str(), path_.size() + 1);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    timeval poll_interval{0, 20000};
    REQUIRE(::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &poll_interval, sizeof poll_interval) == 0);
    reader_ = std::thread([this] {
      char buf[4096];
      while (!stop_) {
        ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
        if (n < 0) continue;  // the receive timeout: look at stop_ again
        std::lock_guard lock(mu_);
        messages_.emplace_back(buf, static_cast<std::size_t>(n));
      }
    });
  }
  ~NotifySocket() {
    stop_ = true;
    reader_.join();
    ::close(fd_);
  }
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  const std::string& path() const { return path_; }

  // Every notification received so far, in order.
  std::vector<std::string> messages() const {
    std::lock_guard lock(mu_);
    return messages_;
  }

  // Waits for the first notification at index `from` or later that has the line `line`; its index.
  std::optional<std::size_t> wait_for(std::size_t from, const std::string& line) {
    std::optional<std::size_t> found;
    wait_until([&] {
      auto all = messages();
      for (std::size_t i = from; i < all.size(); ++i)
        if (has_line(all[i], line)) {
          found = i;
          return true;
        }
      return false;
    });
    return found;
  }

  // The value of `NAME=` in the notification, if it has that field.
  static std::optional<std::string> field(const std::string& message, const std::string& name) {
    std::size_t start = 0;
    while (start <= message.size()) {
      auto end = message.find('\n', start);
      if (end == std::string::npos) end = message.size();
      auto line = message.substr(start, end - start);
      if (line.rfind(name + "=", 0) == 0) return line.substr(name.size() + 1);
      start = end + 1;
    }
    return std::nullopt;
  }
  static bool has_line(const std::string& message, const std::string& line) {
    auto eq = line.find('=');
    return field(message, line.substr(0, eq)) == line.substr(eq + 1);
  }

 private:
  std::string path_;
  int fd_ = -1;
  mutable std::mutex mu_;
  std::vector<std::string> messages_;
  std::atomic<bool> stop_{false};
  std::thread reader_;
};

std::uint64_t monotonic_usec_now() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1000000u + static_cast<std::uint64_t>(ts.tv_nsec) / 1000u;
}

bool all_digits(const std::string& s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
}

const json kAllDay = {{"respectful_hours", {{"start", "00:00"}, {"end", "24:00"}}}};

}  // namespace

TEST_CASE("systemd: READY=1 once serving, watchdog pings, RELOADING=1 then READY=1 on SIGHUP, STOPPING=1") {
  TempDir dir;
  NotifySocket notify(dir.file("notify.sock"));
  json config = {{"compliance", kAllDay},
                 {"providers", {{"sim", {{"kind", "simulator"}, {"simulator", {{"delay_ms", 600000}}}}}}}};
  // WATCHDOG_PID is left unset (DaemonProcess clears it), which sd_watchdog_enabled reads as "this process".
  DaemonProcess daemon(dir, config, {{"NOTIFY_SOCKET", notify.path()}, {"WATCHDOG_USEC", "200000"}});

  // The port file exists (DaemonProcess waited for it). READY=1 comes with it, after the start-up status,
  // and says the database is open: its STATUS= counts campaigns.
  auto ready = notify.wait_for(0, "READY=1");
  REQUIRE(ready);
  auto seen = notify.messages();
  INFO("notifications: " << json(seen).dump());
  CHECK(NotifySocket::has_line(seen.front(), "STATUS=starting: opening the database"));
  CHECK(NotifySocket::field(seen.front(), "EXTEND_TIMEOUT_USEC") == "900000000");  // room for a migration
  CHECK(NotifySocket::field(seen[*ready], "STATUS") == "running: 0 campaign(s), 0 paused, 0 call(s) in flight, 0 held");
  for (std::size_t i = 0; i < *ready; ++i) CHECK_FALSE(NotifySocket::has_line(seen[i], "WATCHDOG=1"));
  CHECK(http_get(daemon.url("/readyz")).status == 200);

  // The event loop pings at half of WATCHDOG_USEC.
  auto ping = notify.wait_for(*ready + 1, "WATCHDOG=1");
  REQUIRE(ping);
  REQUIRE(notify.wait_for(*ping + 1, "WATCHDOG=1"));
  CHECK_THAT(daemon.log(), Catch::Contains("systemd watchdog: 200 ms, pinged every 100 ms"));

  // Three calls in progress (the simulator answers after ten minutes), then a reload.
  json body = {{"name", "notify"}, {"agent_id", "agent_1"}, {"provider", "sim"}, {"from_number", "+14155550100"}};
  body["concurrency"] = 10;
  body["contacts"] = json::array();
  for (int i = 0; i < 3; ++i) body["contacts"].push_back({{"phone_number", "+1415300200" + std::to_string(i)}});
  auto created = http_post(daemon.url("/v1/campaigns"), body.dump());
  REQUIRE(created.status == 201);
  auto id = created.body["data"]["id"].get<std::string>();
  REQUIRE(wait_until(
      [&] { return http_get(daemon.url("/v1/campaigns/" + id)).body["data"]["counts"]["in_progress"] == 3; }));

  daemon.signal(SIGHUP);
  auto reloading = notify.wait_for(*ready + 1, "RELOADING=1");
  REQUIRE(reloading);
  // RELOADING=1 carries MONOTONIC_USEC in the same datagram, on CLOCK_MONOTONIC (systemd checks it
  // against its own clock), so it is not after our reading of that clock.
  auto monotonic = NotifySocket::field(notify.messages()[*reloading], "MONOTONIC_USEC");
  REQUIRE(monotonic);
  REQUIRE(all_digits(*monotonic));
  CHECK(std::stoull(*monotonic) <= monotonic_usec_now());
  auto reloaded = notify.wait_for(*reloading + 1, "READY=1");
  REQUIRE(reloaded);
  CHECK(NotifySocket::field(notify.messages()[*reloaded], "STATUS") ==
        "running: 1 campaign(s), 0 paused, 3 call(s) in flight, 0 held");
  CHECK_THAT(daemon.log(), Catch::Contains("reload: config re-read and applied"));

  // A reload of a broken file keeps the running config, and STATUS= says so until a reload succeeds.
  auto good_config = read_file(daemon.config_path());
  write_file(daemon.config_path(), "{ this is not json");
  daemon.signal(SIGHUP);
  reloading = notify.wait_for(*reloaded + 1, "RELOADING=1");
  REQUIRE(reloading);
  reloaded = notify.wait_for(*reloading + 1, "READY=1");
  REQUIRE(reloaded);
  CHECK_THAT(*NotifySocket::field(notify.messages()[*reloaded], "STATUS"),
             Catch::Contains("the last reload failed and the running config was kept"));
  CHECK(daemon.running());
  write_file(daemon.config_path(), good_config);
  daemon.signal(SIGHUP);
  reloading = notify.wait_for(*reloaded + 1, "RELOADING=1");
  REQUIRE(reloading);
  reloaded = notify.wait_for(*reloading + 1, "READY=1");
  REQUIRE(reloaded);
  CHECK_THAT(*NotifySocket::field(notify.messages()[*reloaded], "STATUS"), !Catch::Contains("failed"));

  // SIGTERM: STOPPING=1, with more stop time asked for than the drain can take (default 10 s + 10 s).
  CHECK(daemon.stop() == 0);
  auto stopping = notify.wait_for(*reloaded + 1, "STOPPING=1");
  REQUIRE(stopping);
  CHECK(NotifySocket::field(notify.messages()[*stopping], "EXTEND_TIMEOUT_USEC") == "20000000");
  CHECK_THAT(*NotifySocket::field(notify.messages()[*stopping], "STATUS"), Catch::StartsWith("stopping: draining"));
  seen = notify.messages();
  for (std::size_t i = *stopping + 1; i < seen.size(); ++i) CHECK_FALSE(NotifySocket::has_line(seen[i], "READY=1"));
}

TEST_CASE("systemd: no watchdog pings when WATCHDOG_PID names another process") {
  TempDir dir;
  NotifySocket notify(dir.file("notify.sock"));
  DaemonProcess daemon(
      dir, {{"providers", {{"sim", {{"kind", "simulator"}}}}}},
      {{"NOTIFY_SOCKET", notify.path()}, {"WATCHDOG_USEC", "200000"}, {"WATCHDOG_PID", std::to_string(::getpid())}});
  REQUIRE(notify.wait_for(0, "READY=1"));
  CHECK_THAT(daemon.log(), !Catch::Contains("systemd watchdog"));
  CHECK(daemon.stop() == 0);
  for (const auto& message : notify.messages()) CHECK_FALSE(NotifySocket::has_line(message, "WATCHDOG=1"));
}

TEST_CASE("systemd: a second SIGTERM during the drain exits at once with status 1") {
  TempDir dir;
  NotifySocket notify(dir.file("notify.sock"));
  SilentProvider provider;
  json config = {{"compliance", kAllDay},
                 {"shutdown", {{"drain_timeout_ms", 600000}}},
                 {"providers",
                  {{"acme",
                    {{"kind", "batchcall"},
                     {"base_url", provider.base_url()},
                     {"api_key", "k"},
                     {"api_secret", "s"},
                     {"timeout_ms", 600000}}}}}};
  DaemonProcess daemon(dir, config, {{"NOTIFY_SOCKET", notify.path()}});
  json body = {{"name", "drain"},
               {"agent_id", "agent_1"},
               {"provider", "acme"},
               {"from_number", "+14155550100"},
               {"contacts", {{{"phone_number", "+14153002000"}}}}};
  REQUIRE(http_post(daemon.url("/v1/campaigns"), body.dump()).status == 201);
  REQUIRE(wait_until([&] { return daemon.log().find("submitting 1 calls to acme") != std::string::npos; }));

  daemon.signal(SIGTERM);
  auto stopping = notify.wait_for(0, "STOPPING=1");
  REQUIRE(stopping);
  CHECK(NotifySocket::field(notify.messages()[*stopping], "STATUS") == "stopping: draining 1 submission(s) in flight");
  // The drain would wait ten minutes; systemd is asked for that plus the margin.
  CHECK(NotifySocket::field(notify.messages()[*stopping], "EXTEND_TIMEOUT_USEC") == "610000000");
  CHECK(daemon.running());

  daemon.signal(SIGTERM);
  auto status = daemon.wait_exit(std::chrono::seconds(30));
  REQUIRE(status);
  CHECK(*status == 1);
  CHECK_THAT(daemon.log(), Catch::Contains("second stop signal: exiting now"));
}
