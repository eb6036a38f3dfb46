#include "support/daemon_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <thread>
#include <vector>

#include "dialerd/asio.hpp"  // first: it includes <utility> before Asio's coroutine headers

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include "dialerd/http/client.hpp"

namespace dialerd::testing {

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/dialerd-test-XXXXXX";
  if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

DaemonProcess::DaemonProcess(const TempDir& dir, json config, Environment env, std::vector<std::string> args)
    : env_(std::move(env)), args_(std::move(args)) {
  if (!config.contains("state_dir")) config["state_dir"] = dir.file("state");
  if (!config.contains("listen")) config["listen"] = {{"address", "127.0.0.1"}, {"port", 0}};
  if (!config.contains("log")) config["log"] = {{"level", "debug"}};
  // The suite runs at any hour: unless a test sets compliance (to test calling hours, at an instant it
  // chooses with --test-clock), the legal window is open all day. Otherwise a run in the US evening
  // would find every +1 415 contact outside 08:00-21:00 and wait instead of calling.
  // Likewise the default US rule set (state hours, Sunday bans) applies only where a test names it.
  if (!config.contains("compliance"))
    config["compliance"] = {{"respectful_hours", {{"start", "00:00"}, {"end", "24:00"}}}};
  if (!config["compliance"].contains("rules")) config["compliance"]["rules"] = "none";
  config_path_ = dir.file("dialerd.json");
  log_path_ = dir.file("dialerd.log");
  db_path_ = config["state_dir"].get<std::string>() + "/dialerd.db";
  port_path_ = config["state_dir"].get<std::string>() + "/dialerd.port";
  write_file(config_path_, config.dump(2));
  start();
}

DaemonProcess::~DaemonProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    bool gone = wait_until([&] { return waitpid(pid_, nullptr, WNOHANG) == pid_; }, std::chrono::seconds(15));
    if (!gone) {
      ::kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
}

void DaemonProcess::start() {
  std::error_code ec;
  std::filesystem::remove(port_path_, ec);
  // The child's environment and argv are built before fork: the child only calls async-signal-safe functions.
  std::vector<std::string> env_text;
  for (char** e = environ; *e; ++e) {
    std::string_view entry(*e);
    auto name = entry.substr(0, entry.find('='));
    if (name != "NOTIFY_SOCKET" && name != "WATCHDOG_USEC" && name != "WATCHDOG_PID" &&
        !env_.contains(std::string(name)))
      env_text.emplace_back(entry);
  }
  for (const auto& [name, value] : env_) env_text.push_back(name + "=" + value);
  std::vector<char*> envp;
  for (auto& entry : env_text) envp.push_back(entry.data());
  envp.push_back(nullptr);
  std::string bin = DIALERD_BIN, config_flag = "--config";
  std::vector<char*> argv = {bin.data(), config_flag.data(), config_path_.data()};
  for (auto& a : args_) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    int fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
    }
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  pid_ = pid;
  bool up = wait_until(
      [&] {
        if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
          pid_ = -1;
          return true;
        }
        return std::filesystem::exists(port_path_);
      },
      std::chrono::seconds(20));
  if (pid_ < 0 || !up) throw std::runtime_error("dialerd did not start; log:\n" + log());
  port_ = std::stoi(read_file(port_path_));
}

int DaemonProcess::stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

void DaemonProcess::kill9() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

void DaemonProcess::signal(int sig) {
  if (pid_ > 0) ::kill(pid_, sig);
}

std::optional<int> DaemonProcess::wait_exit(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return std::nullopt;
  int status = 0;
  if (!wait_until([&] { return waitpid(pid_, &status, WNOHANG) == pid_; }, timeout)) return std::nullopt;
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

bool DaemonProcess::running() {
  return pid_ > 0 && waitpid(pid_, nullptr, WNOHANG) == 0;
}

std::string DaemonProcess::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

std::string DaemonProcess::log() const {
  return read_file(log_path_);
}

namespace {
HttpResult exchange(http::ClientRequest req) {
  req.timeout_ms = 30000;
  auto result = http::fetch_blocking(std::move(req));
  if (!result) throw std::runtime_error("HTTP failed: " + result.error().message);
  auto& res = *result;
  HttpResult out;
  out.status = res.status;
  out.raw = res.body;
  out.body = json::parse(res.body, nullptr, false);
  return out;
}
}  // namespace

HttpResult http_get(const std::string& url) {
  http::ClientRequest req;
  req.method = "GET";
  req.url = url;
  return exchange(std::move(req));
}

HttpResult http_post(const std::string& url, const std::string& body, const std::string& content_type) {
  http::ClientRequest req;
  req.method = "POST";
  req.url = url;
  req.body = body;
  req.content_type = content_type;
  return exchange(std::move(req));
}

std::string raw_exchange(int port, const std::string& bytes) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)});
  boost::asio::write(socket, boost::asio::buffer(bytes));
  std::string answer;
  char buf[4096];
  boost::system::error_code ec;
  while (!ec) answer.append(buf, socket.read_some(boost::asio::buffer(buf), ec));
  return answer;
}

int raw_status(const std::string& answer) {
  if (answer.rfind("HTTP/1.1 ", 0) != 0 || answer.size() < 12) return 0;
  return std::atoi(answer.substr(9, 3).c_str());
}

bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

std::string metrics(const DaemonProcess& d) {
  auto r = http::fetch_blocking({"GET", d.url("/metrics"), {}, "", "text/plain", 5000});
  return r && r->status == 200 ? r->body : std::string();
}

double metric(const DaemonProcess& d, const std::string& series) {
  const std::string text = metrics(d);
  const auto at = text.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + series.size() + 2));
}

bool wait_loop_idle(const DaemonProcess& d, const std::string& loop) {
  return wait_until([&] { return metric(d, "dialerd_loop_busy{loop=\"" + loop + "\"}") == 0; });
}

int run_command(const std::string& command, std::string& output) {
  output.clear();
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return -1;
  char buf[4096];
  while (std::size_t n = fread(buf, 1, sizeof buf, pipe)) output.append(buf, n);
  int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace dialerd::testing
