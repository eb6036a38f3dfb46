#pragma once
// Runs the real dialerd binary for black-box tests: temporary state, port 0 on loopback, clean stop.
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dialerd/http/client.hpp"

namespace dialerd::testing {

using json = nlohmann::json;

// A fresh directory under $TMPDIR, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

void write_file(const std::string& path, const std::string& text);
std::string read_file(const std::string& path);

class DaemonProcess {
 public:
  // Extra environment for the daemon. NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID are always cleared
  // first, so a test run under systemd does not talk to the test runner's service manager.
  using Environment = std::map<std::string, std::string>;

  // Writes `config` (state_dir and listen are filled in when absent) into `dir` and starts dialerd, with
  // `args` after --config (e.g. {"--test-clock", "2026-06-15T12:00:00Z"}: each start() begins there).
  DaemonProcess(const TempDir& dir, json config, Environment env = {}, std::vector<std::string> args = {});
  ~DaemonProcess();
  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;

  void start();
  // SIGTERM and wait; returns the exit status (or -signal).
  int stop();
  void kill9();
  // Sends `sig` (e.g. SIGHUP) without waiting.
  void signal(int sig);
  // Waits up to `timeout` for the daemon to exit: its exit status (or -signal), or nothing if it still runs.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);
  bool running();
  int pid() const { return pid_; }
  int port() const { return port_; }
  std::string url(const std::string& path) const;
  std::string log() const;
  const std::string& db_path() const { return db_path_; }
  const std::string& config_path() const { return config_path_; }

 private:
  std::string config_path_, log_path_, db_path_, port_path_;
  Environment env_;
  std::vector<std::string> args_;
  int pid_ = -1;
  int port_ = 0;
};

struct HttpResult {
  int status = 0;
  json body;
  std::string raw;
};
// Blocking HTTP helpers; a transport error fails the test.
HttpResult http_get(const std::string& url);
HttpResult http_post(const std::string& url, const std::string& body,
                     const std::string& content_type = "application/json");

// Sends `bytes` as they are over one loopback connection to `port` and returns everything the server
// writes back until it closes the connection (bytes the HTTP client would refuse or fix up: odd targets,
// framing). Ask with "Connection: close" for an answer that ends.
std::string raw_exchange(int port, const std::string& bytes);
// The status code of the first answer in `raw_exchange`'s result, 0 if there is none.
int raw_status(const std::string& answer);

// Polls `done` until it is true or `timeout` passes; returns its last value. For waiting on a real
// process, not for testing timing.
bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout = std::chrono::seconds(30));

// The daemon's /metrics text; the value of one series ("name" or "name{labels}") on it, -1 when absent.
std::string metrics(const DaemonProcess& d);
double metric(const DaemonProcess& d, const std::string& series);

// Waits until the daemon's background `loop` ("scheduler" or "webhooks") is at rest: no pass due and
// nothing it started still in flight (dialerd_loop_busy 0). What a test checks for absence ("nothing was
// sent") after this holds until the next timer or request, with no sleep.
bool wait_loop_idle(const DaemonProcess& d, const std::string& loop);

// Runs a command, returning its exit status and capturing stdout+stderr.
int run_command(const std::string& command, std::string& output);

}  // namespace dialerd::testing
