// dialerctl top against a running daemon's database: one plain snapshot when stdout is not a terminal
// (or with --once), and on a terminal (a pseudo-terminal here) a redrawn view until q or Ctrl-C.
#include <poll.h>
#include <pty.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <csignal>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "support/api.hpp"
#include "support/daemon_process.hpp"

using namespace dialerd::testing;

namespace {

// Campaigns in every state top shows, held still so the counts are known: the "slow" simulator never
// answers within the test, the "fast" one completes every call at once.
struct OpenCampaigns {
  TempDir dir;
  DaemonProcess daemon{dir, config()};
  std::string slow, kept_open, later, paused, finished;

  static json config() {
    json mix = {{"completed", 1.0}, {"no_answer", 0}, {"busy", 0}, {"voicemail", 0}, {"failed", 0}};
    return {{"compliance", {{"respectful_hours", {{"start", "00:00"}, {"end", "24:00"}}}}},
            {"providers",
             {{"slow", {{"kind", "simulator"}, {"simulator", {{"delay_ms", 600000}}}}},
              {"fast", {{"kind", "simulator"}, {"simulator", {{"delay_ms", 10}, {"seed", 1}, {"mix", mix}}}}}}}};
  }

  std::string create(const std::string& name, const std::string& provider, int concurrency, int contacts,
                     int number_base, json extra = json::object()) {
    json body = {{"name", name},
                 {"agent_id", "agent_1"},
                 {"provider", provider},
                 {"from_number", "+14155550100"},
                 {"concurrency", concurrency},
                 {"contacts", json::array()}};
    for (int i = 0; i < contacts; ++i)
      body["contacts"].push_back({{"phone_number", nanp_phone(i, "415", number_base)}});
    body.update(extra);
    auto created = http_post(daemon.url("/v1/campaigns"), body.dump());
    REQUIRE(created.status == 201);
    return created.body["data"]["id"].get<std::string>();
  }

  OpenCampaigns() {
    slow = create("top slow", "slow", 10, 15, 3010000);
    kept_open = create("top kept open", "fast", 5, 3, 3020000, {{"complete_when_done", false}});
    later = create("top later", "slow", 4, 2, 3030000, {{"scheduled_at", "2099-01-01T09:00:00Z"}});
    paused = create("top paused", "slow", 2, 4, 3040000, {{"scheduled_at", "2099-01-01T09:00:00Z"}});
    REQUIRE(http_post(daemon.url("/v1/campaigns/" + paused + "/pause"), "").status == 200);
    finished = create("top finished", "fast", 5, 2, 3050000);
    REQUIRE(wait_until([&] {
      auto c = campaign_of(daemon, slow)["counts"];
      return c["in_progress"] == 10 && c["pending"] == 5;
    }));
    REQUIRE(wait_until([&] { return campaign_of(daemon, kept_open)["counts"]["completed"] == 3; }));
    REQUIRE(wait_until([&] { return campaign_of(daemon, finished)["status"] == "completed"; }));
    REQUIRE(campaign_of(daemon, kept_open)["status"] == "running");
  }

  std::string top_command(const std::string& args) const {
    return std::string(DIALERCTL_BIN) + " --db " + daemon.db_path() + " top " + args;
  }
};

// The line of `text` that contains `needle`, and the line after it (a campaign's two lines).
std::string campaign_lines(const std::string& text, const std::string& needle) {
  auto at = text.find(needle);
  if (at == std::string::npos) return "";
  auto start = text.rfind('\n', at);
  start = start == std::string::npos ? 0 : start + 1;
  auto end = text.find('\n', at);
  end = end == std::string::npos ? text.size() : text.find('\n', end + 1);
  return text.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

// A program on a pseudo-terminal of 40 rows by 120 columns, as an operator's terminal would run it.
class OnTerminal {
 public:
  explicit OnTerminal(const std::string& command) {
    // Built before fork: the child only calls async-signal-safe functions.
    std::string sh = "/bin/sh", flag = "-c", cmd = "exec " + command, term = "TERM=xterm";
    std::vector<char*> argv = {sh.data(), flag.data(), cmd.data(), nullptr};
    std::vector<char*> envp = {term.data(), nullptr};
    winsize size{};
    size.ws_row = 40;
    size.ws_col = 120;
    pid_ = forkpty(&master_, nullptr, nullptr, &size);
    if (pid_ < 0) throw std::runtime_error("forkpty failed");
    if (pid_ == 0) {
      execve(argv[0], argv.data(), envp.data());
      _exit(127);
    }
  }
  ~OnTerminal() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    close(master_);
  }
  OnTerminal(const OnTerminal&) = delete;
  OnTerminal& operator=(const OnTerminal&) = delete;

  // Reads the screen's output until `done` holds for it.
  bool read_until(const std::function<bool(const std::string&)>& done) {
    return wait_until([&] {
      read_some();
      return done(output_);
    });
  }
  void signal(int sig) { ::kill(pid_, sig); }
  void type(const std::string& keys) { REQUIRE(write(master_, keys.data(), keys.size()) == ssize_t(keys.size())); }
  // The exit status, reading the output meanwhile so the program never blocks on a full terminal.
  std::optional<int> wait_exit() {
    int status = 0;
    if (!wait_until([&] {
          read_some();
          return waitpid(pid_, &status, WNOHANG) == pid_;
        }))
      return std::nullopt;
    pid_ = -1;
    read_some();
    return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  }
  termios settings() const {
    termios t{};
    tcgetattr(master_, &t);
    return t;
  }
  const std::string& output() const { return output_; }

 private:
  void read_some() {
    pollfd in{master_, POLLIN, 0};
    while (poll(&in, 1, 50) > 0 && (in.revents & POLLIN)) {
      char buf[4096];
      auto n = read(master_, buf, sizeof buf);
      if (n <= 0) return;  // EIO once the program has exited
      output_.append(buf, static_cast<std::size_t>(n));
    }
  }

  int master_ = -1;
  pid_t pid_ = -1;
  std::string output_;
};

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("dialerctl top prints one plain snapshot of each open campaign when stdout is not a terminal") {
  OpenCampaigns c;
  std::string once, piped;
  REQUIRE(run_command(c.top_command("--once"), once) == 0);
  REQUIRE(run_command(c.top_command(""), piped) == 0);  // popen: stdout is a pipe, so no loop either
  for (const auto& out : {once, piped}) {
    INFO(out);
    CHECK(out.find('\x1b') == std::string::npos);
    CHECK_THAT(out, Catch::Contains("dispatch rate over the last 2s"));

    auto slow = campaign_lines(out, "top slow");
    CHECK_THAT(slow, Catch::Contains(c.slow + "  top slow"));
    CHECK_THAT(slow, Catch::Contains("running"));
    CHECK_THAT(slow, Catch::Contains("]   0%  0/15"));
    CHECK_THAT(slow, Catch::Contains("completed 0  failed 0  pending 5  |  dispatch "));
    CHECK_THAT(slow, Catch::Contains("|  in flight 10/10  |  eta —"));  // one snapshot: no completion rate

    auto kept = campaign_lines(out, "top kept open");
    CHECK_THAT(kept, Catch::Contains("[########################################] 100%  3/3"));
    CHECK_THAT(kept, Catch::Contains("completed 3  failed 0  pending 0  |  dispatch "));
    CHECK_THAT(kept, Catch::Contains("|  in flight 0/5  |  eta —"));

    auto later = campaign_lines(out, "top later");
    CHECK_THAT(later, Catch::Contains("scheduled"));
    CHECK_THAT(later,
               Catch::Contains("pending 2  |  dispatch 0.0/s  |  in flight 0/4  |  starts 2099-01-01 09:00:00Z"));

    auto paused = campaign_lines(out, "top paused");
    CHECK_THAT(paused, Catch::Contains("paused"));
    CHECK_THAT(paused, Catch::Contains("pending 4  |  dispatch 0.0/s  |  in flight 0/2  |  eta —"));

    CHECK_THAT(out, !Catch::Contains("top finished"));  // completed: nothing left to watch
  }

  std::string text;
  REQUIRE(run_command(c.top_command("--interval 5 --json"), text) == 0);
  auto rows = json::parse(text);
  REQUIRE(rows.size() == 4);
  CHECK(rows[0]["name"] == "top slow");
  CHECK(rows[0]["in_flight"] == 10);
  CHECK(rows[0]["concurrency"] == 10);
  CHECK(rows[0]["pending"] == 5);
  CHECK(rows[0]["eta"].is_null());
  CHECK(rows[1]["completed"] == 3);
  CHECK(rows[2]["starts_at"] == "2099-01-01T09:00:00.000Z");
  CHECK(rows[3]["status"] == "paused");

  CHECK(run_command(c.top_command("--interval 0"), text) != 0);  // out of range
  CHECK_THAT(text, Catch::Contains("--interval"));
}

TEST_CASE("dialerctl top on a terminal redraws until q or Ctrl-C then exits 0 and gives the terminal back") {
  OpenCampaigns c;
  OnTerminal screen(c.top_command("--interval 0.2"));
  // Two frames drawn in place (cursor home) mean it refreshes; the first one shows the campaigns.
  REQUIRE(screen.read_until([](const std::string& out) { return count(out, "\x1b[H") >= 2; }));
  const auto& out = screen.output();
  CHECK_THAT(out, Catch::Contains("\x1b[?25l"));  // cursor hidden while it draws
  CHECK_THAT(out, Catch::Contains("q or Ctrl-C quits"));
  CHECK_THAT(out, Catch::Contains("top slow"));
  CHECK_THAT(out, Catch::Contains("completed 0  failed 0  pending 5  |  dispatch "));
  CHECK_THAT(out, Catch::Contains("in flight 10/10"));
  CHECK_THAT(out, Catch::Contains("top kept open"));
  CHECK_FALSE(screen.settings().c_lflag & ICANON);  // keys one at a time, for q

  SECTION("q quits") {
    screen.type("q");
  }
  SECTION("Ctrl-C quits") {
    screen.type("\x03");
  }  // the terminal turns it into SIGINT
  SECTION("SIGTERM quits") {
    screen.signal(SIGTERM);
  }
  REQUIRE(screen.wait_exit() == 0);
  // After the last frame: the cursor is shown again, and keys are read by lines and echoed again.
  CHECK_THAT(screen.output().substr(screen.output().rfind("\x1b[H")), Catch::Contains("\x1b[?25h"));
  CHECK(screen.settings().c_lflag & ICANON);
  CHECK(screen.settings().c_lflag & ECHO);
}
