// The shell of `dialerctl top`: reads the reports (store::Reports), and on a terminal redraws until told to stop.
#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <string_view>
#include <system_error>

#include "dialerd/ctl/top.hpp"
#include "dialerd/util/clock.hpp"

namespace dialerd::ctl {
namespace {

volatile std::sig_atomic_t g_stop = 0;
volatile std::sig_atomic_t g_resized = 0;

extern "C" void on_signal(int sig) {
  if (sig == SIGWINCH)
    g_resized = 1;
  else
    g_stop = 1;
}

// The terminal while top owns it: SIGINT, SIGTERM and SIGWINCH are blocked except while waiting (so
// none slips in between a check and the wait), keys arrive one at a time without echo, the cursor is
// hidden. The destructor puts everything back, also when a read throws.
class Terminal {
 public:
  Terminal() {
    g_stop = 0;
    g_resized = 0;
    sigset_t ours;
    sigemptyset(&ours);
    for (int sig : kSignals) sigaddset(&ours, sig);
    sigprocmask(SIG_BLOCK, &ours, &saved_mask_);
    wait_mask_ = saved_mask_;
    for (int sig : kSignals) sigdelset(&wait_mask_, sig);
    struct sigaction action {};
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    for (std::size_t i = 0; i < kSignals.size(); ++i) sigaction(kSignals[i], &action, &saved_actions_[i]);

    if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved_termios_) == 0) {
      termios keys = saved_termios_;
      keys.c_lflag &= ~static_cast<tcflag_t>(ICANON | ECHO);  // ISIG stays: Ctrl-C is still SIGINT
      keys.c_cc[VMIN] = 0;
      keys.c_cc[VTIME] = 0;
      keys_ = tcsetattr(STDIN_FILENO, TCSANOW, &keys) == 0;
    }
    std::cout << "\x1b[?25l\x1b[2J" << std::flush;
  }

  ~Terminal() {
    std::cout << "\x1b[?25h\n" << std::flush;
    if (keys_) tcsetattr(STDIN_FILENO, TCSANOW, &saved_termios_);
    // Unblock while our handler is still installed, so a second Ctrl-C already pending cannot kill the
    // process on its way out.
    sigprocmask(SIG_SETMASK, &saved_mask_, nullptr);
    for (std::size_t i = 0; i < kSignals.size(); ++i) sigaction(kSignals[i], &saved_actions_[i], nullptr);
  }

  Terminal(const Terminal&) = delete;
  Terminal& operator=(const Terminal&) = delete;

  // Waits up to `ms` for q, a signal or the time, whichever comes first.
  enum class Wake { time, resize, stop };
  Wake wait(std::int64_t ms) {
    if (ms < 0) ms = 0;
    timespec timeout{static_cast<time_t>(ms / 1000), static_cast<long>(ms % 1000 * 1'000'000)};
    pollfd in{keys_ ? STDIN_FILENO : -1, POLLIN, 0};
    int n = ppoll(&in, 1, &timeout, &wait_mask_);
    if (n < 0 && errno != EINTR) throw std::system_error(errno, std::generic_category(), "ppoll");
    if (g_stop) return Wake::stop;
    if (g_resized) {
      g_resized = 0;
      return Wake::resize;
    }
    if (n > 0 && (in.revents & POLLIN)) {
      char keys[64];
      auto got = read(STDIN_FILENO, keys, sizeof keys);
      for (ssize_t i = 0; i < got; ++i)
        if (keys[i] == 'q' || keys[i] == 'Q') return Wake::stop;
    } else if (n > 0) {
      keys_ = false;  // the terminal hung up: stop listening, or ppoll would return at once forever
    }
    return Wake::time;
  }

  // Columns and rows; zeros when unknown.
  static std::pair<int, int> size() {
    winsize ws{};
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) != 0) return {0, 0};
    return {ws.ws_col, ws.ws_row};
  }

 private:
  static constexpr std::array<int, 3> kSignals = {SIGINT, SIGTERM, SIGWINCH};
  sigset_t saved_mask_{};
  sigset_t wait_mask_{};
  std::array<struct sigaction, 3> saved_actions_{};
  termios saved_termios_{};
  bool keys_ = false;
};

bool stdout_is_live_terminal() {
  const char* term = std::getenv("TERM");
  return isatty(STDOUT_FILENO) && !(term && std::string_view(term) == "dumb");
}

}  // namespace

std::vector<TopRow> read_top_rows(store::Reports& reports, UnixMs now, std::int64_t interval_ms) {
  return reports.open_campaigns(now - interval_ms, now);
}

int run_top(store::Reports& reports, const TopOptions& options) {
  util::SystemClock clock;
  TopView view(options.interval_ms);
  if (options.once || options.json || !stdout_is_live_terminal()) {
    const auto now = clock.now_ms();
    view.update(now, read_top_rows(reports, now, options.interval_ms));
    if (options.json)
      std::cout << view.to_json().dump(2) << "\n";
    else
      for (const auto& line : view.render({})) std::cout << line << "\n";
    return 0;
  }

  Terminal terminal;
  bool clear = false;
  for (;;) {
    const auto now = clock.now_ms();
    view.update(now, read_top_rows(reports, now, options.interval_ms));
    const auto [columns, rows] = Terminal::size();
    const auto lines = view.render({Style::ansi, columns, rows, true});
    // Overwrite in place and erase what is left of each line and below: no flicker, no scrolling.
    std::string frame = clear ? "\x1b[2J\x1b[H" : "\x1b[H";
    for (std::size_t i = 0; i < lines.size(); ++i) frame += lines[i] + "\x1b[K" + (i + 1 < lines.size() ? "\n" : "");
    frame += "\x1b[J";
    std::cout << frame << std::flush;
    clear = false;

    const auto next = now + options.interval_ms;
    for (;;) {
      const auto wake = terminal.wait(next - clock.now_ms());
      if (wake == Terminal::Wake::stop) return 0;
      if (wake == Terminal::Wake::resize) {
        clear = true;
        break;
      }
      if (clock.now_ms() >= next) break;
    }
  }
}

}  // namespace dialerd::ctl
