// The scheduler's loop on simulated time (util::SimulatedTimeSystem): a fake in-process provider, a
// temporary store, and time that moves only when the test says. Each test checks what was sent and the
// instant the loop chose to wake at, never by sleeping.
#include <catch2/catch.hpp>

#include "dialerd/scheduler/scheduler.hpp"
#include "dialerd/store/sqlite/db.hpp"
#include "dialerd/store/store.hpp"
#include "support/daemon_process.hpp"

using namespace dialerd;
using domain::UnixMs;

namespace {

const UnixMs kWednesdayNoon = 1772625600000;  // 2026-03-04 12:00 UTC
const UnixMs kSecond = 1000, kHour = 3600 * kSecond;

// Takes every chunk at once: accepts its calls (an outcome follows later), or, while `failing`, answers
// like a provider that cannot be reached.
class FakeProvider final : public providers::Provider {
 public:
  FakeProvider(std::string name, int chunk_size) : name_(std::move(name)), chunk_size_(chunk_size) {}
  const std::string& name() const override { return name_; }
  const std::string& kind() const override { return kind_; }
  int chunk_size() const override { return chunk_size_; }
  awaitable<providers::Submission> submit(const domain::DispatchChunk& chunk,
                                          const providers::BeforeSend& before_send) override {
    before_send();
    chunks.push_back(chunk);
    providers::Submission s;
    if (failing) {
      s.health = providers::Health::failed;
      s.failure = "connect";
    }
    for (const auto& call : chunk.calls)
      s.results.push_back({failing ? domain::SubmitResult::Kind::not_submitted : domain::SubmitResult::Kind::accepted,
                           call.id, failing ? "" : provider_call_id(call.id), failing ? "connection refused" : "", 0});
    co_return s;
  }
  providers::EventsParse parse_events(std::string_view) const override { return util::fail("no callbacks"); }

  std::string provider_call_id(domain::CallId id) const { return name_ + "-" + std::to_string(id); }
  std::size_t calls() const {
    std::size_t n = 0;
    for (const auto& c : chunks) n += c.calls.size();
    return n;
  }

  std::vector<domain::DispatchChunk> chunks;
  bool failing = false;

 private:
  std::string name_, kind_ = "fake";
  int chunk_size_;
};

domain::CampaignSpec spec(int concurrency = 10) {
  domain::CampaignSpec s;
  s.name = "loop";
  s.agent_id = "agent_1";
  s.provider = "acme";
  s.from_number = "+14155550100";
  s.concurrency = concurrency;
  s.status = domain::CampaignStatus::running;
  return s;
}

// The scheduler with its store, io_context and simulated time.
class Loop {
 public:
  explicit Loop(int chunk_size = 10, std::map<std::string, providers::Limits> limits = {}) {
    scheduler::ProviderMap map;
    for (const char* name : {"acme", "backup"}) {
      auto fake = std::make_shared<FakeProvider>(name, chunk_size);
      fakes_[name] = fake;
      map[name] = fake;
    }
    scheduler.set_providers(map);
    scheduler.set_limits(limits);
    schedule::RetrySettings retry;
    retry.jitter = 0;
    scheduler.set_retry_settings(retry);
  }
  ~Loop() {
    scheduler.stop_claiming();
    settle();
  }
  FakeProvider& fake(const std::string& name = "acme") { return *fakes_.at(name); }

  domain::CampaignId add(const domain::CampaignSpec& s, int contacts) {
    std::vector<domain::ContactInput> people;
    for (int i = 0; i < contacts; ++i) {
      domain::ContactInput c;
      // Iceland keeps UTC all year: the legal window, 08:00-21:00 in the number's zone, is 08:00-21:00 UTC.
      c.phone = "+354611" + std::to_string(1000 + next_phone_++);
      c.timezone = "Atlantic/Reykjavik";
      people.push_back(std::move(c));
    }
    auto id = store.create_campaign(s, people, time.now_ms());
    scheduler.wake();  // as the API does
    settle();
    return id;
  }
  // Runs every handler that is ready, until none is: what the daemon would do before its next timer.
  void settle() {
    ioc.restart();
    while (ioc.poll() > 0) {
    }
  }
  void start() {
    scheduler.start();
    settle();
  }
  void advance_to(UnixMs t) {
    time.set(t);
    settle();
  }
  // The provider reports `outcome` for every call of its `n`-th chunk.
  void report(const std::string& provider, std::size_t n, domain::Outcome outcome) {
    std::vector<domain::OutcomeReport> reports;
    for (const auto& call : fake(provider).chunks.at(n).calls)
      reports.push_back({fake(provider).provider_call_id(call.id), outcome, ""});
    scheduler.apply_outcomes(provider, reports);
    settle();
  }

  testing::TempDir dir;
  store::Store store{store::StoreOptions{dir.file("q.db"), "normal", 5000, 1000, /*seed=*/7}};
  util::SimulatedTimeSystem time{kWednesdayNoon};  // before the io_context: timers in its handlers die first
  asio::io_context ioc;
  scheduler::Scheduler scheduler{ioc, store, time, /*seed=*/11};

 private:
  std::map<std::string, std::shared_ptr<FakeProvider>> fakes_;
  int next_phone_ = 0;
};

}  // namespace

TEST_CASE("scheduler loop: a scheduled campaign starts at its trigger instant and not a millisecond before") {
  Loop loop;
  auto s = spec();
  s.status = domain::CampaignStatus::scheduled;
  s.schedule_type = "scheduled";
  s.trigger_at = kWednesdayNoon + kHour;
  auto id = loop.add(s, 3);
  loop.start();
  CHECK(loop.fake().calls() == 0);
  CHECK(loop.time.next_deadline() == kWednesdayNoon + kHour);  // it sleeps until the trigger, no polling
  loop.advance_to(kWednesdayNoon + kHour - 1);
  CHECK(loop.fake().calls() == 0);
  CHECK(loop.store.campaign(id)->status == domain::CampaignStatus::scheduled);
  loop.advance_to(kWednesdayNoon + kHour);
  CHECK(loop.store.campaign(id)->status == domain::CampaignStatus::running);
  CHECK(loop.fake().calls() == 3);
}

TEST_CASE("scheduler loop: concurrency holds calls back until outcomes free a slot") {
  Loop loop;
  auto id = loop.add(spec(/*concurrency=*/2), 5);
  loop.start();
  REQUIRE(loop.fake().chunks.size() == 1);
  CHECK(loop.fake().calls() == 2);
  CHECK(loop.store.counts(id).in_progress == 2);
  CHECK(loop.time.next_deadline() == std::nullopt);  // at capacity: only an outcome wakes it
  loop.report("acme", 0, domain::Outcome::completed);
  CHECK(loop.fake().calls() == 4);
  loop.report("acme", 1, domain::Outcome::completed);
  CHECK(loop.fake().calls() == 5);
  CHECK(loop.store.campaign(id)->status == domain::CampaignStatus::running);
  loop.report("acme", 2, domain::Outcome::completed);
  CHECK(loop.store.counts(id).completed == 5);
  CHECK(loop.store.campaign(id)->status == domain::CampaignStatus::completed);
}

TEST_CASE("scheduler loop: outside the campaign's window it wakes when the window opens") {
  Loop loop;
  auto s = spec();
  s.start_time = "09:00";
  s.end_time = "17:00";
  loop.time.set(kWednesdayNoon + 6 * kHour);  // 18:00 UTC
  loop.add(s, 3);
  loop.start();
  CHECK(loop.fake().calls() == 0);
  const UnixMs thursday_nine = kWednesdayNoon + 21 * kHour;
  CHECK(loop.time.next_deadline() == thursday_nine);
  loop.advance_to(thursday_nine - 1);
  CHECK(loop.fake().calls() == 0);
  loop.advance_to(thursday_nine);
  CHECK(loop.fake().calls() == 3);
}

TEST_CASE("scheduler loop: max_calls_per_day stops the day's calls and the next day resumes in the legal window") {
  Loop loop;
  auto s = spec();
  s.max_calls_per_day = 2;
  auto id = loop.add(s, 5);
  loop.start();
  CHECK(loop.fake().calls() == 2);
  loop.report("acme", 0, domain::Outcome::completed);
  CHECK(loop.fake().calls() == 2);  // the budget is spent, not the concurrency
  const UnixMs thursday_midnight = kWednesdayNoon + 12 * kHour;
  CHECK(loop.time.next_deadline() == thursday_midnight);
  loop.advance_to(thursday_midnight);
  // A new day's budget, but 00:00 is outside the legal 08:00-21:00 in the contacts' zone.
  CHECK(loop.fake().calls() == 2);
  CHECK(loop.time.next_deadline() == thursday_midnight + 8 * kHour);
  loop.advance_to(thursday_midnight + 8 * kHour);
  CHECK(loop.fake().calls() == 4);
  CHECK(loop.store.counts(id).pending == 1);
}

TEST_CASE("scheduler loop: while a breaker is open the calls go to the failover provider") {
  providers::Limits limits;
  limits.breaker_failures = 1;
  limits.breaker_open_ms = 30 * kSecond;
  Loop loop(10, {{"acme", limits}, {"backup", limits}});
  loop.fake("acme").failing = true;
  auto s = spec();
  s.options["failover_provider"] = "backup";
  auto with_failover = loop.add(s, 3);
  loop.start();
  // The first chunk fails and opens acme's breaker; its calls, certainly not sent, go to backup at once.
  CHECK(loop.fake("acme").calls() == 3);
  CHECK(loop.fake("backup").calls() == 3);
  CHECK(loop.store.counts(with_failover).in_progress == 3);

  // A campaign with no failover waits for acme's breaker: one probe call when it half-opens, then the rest.
  loop.fake("acme").failing = false;
  loop.add(spec(), 3);
  CHECK(loop.fake("acme").calls() == 3);
  REQUIRE(loop.time.next_deadline().has_value());
  CHECK(*loop.time.next_deadline() == kWednesdayNoon + 30 * kSecond);
  loop.advance_to(kWednesdayNoon + 30 * kSecond);
  REQUIRE(loop.fake("acme").chunks.size() == 3);
  CHECK(loop.fake("acme").chunks[1].calls.size() == 1);  // the probe risks one call
  CHECK(loop.fake("acme").chunks[2].calls.size() == 2);  // it closed the breaker: the rest follow
  CHECK(loop.fake("backup").calls() == 3);
}

TEST_CASE("scheduler loop: campaigns sharing a provider at its in-flight limit take turns") {
  providers::Limits limits;
  limits.max_in_flight = 1;
  Loop loop(/*chunk_size=*/2, {{"acme", limits}});
  auto a = loop.add(spec(), 4);
  auto b = loop.add(spec(), 4);
  loop.start();
  std::vector<domain::CampaignId> order;
  for (const auto& chunk : loop.fake().chunks) order.push_back(chunk.campaign_id);
  CHECK(order == std::vector<domain::CampaignId>{a, b, a, b});
}

TEST_CASE("scheduler loop: a call with no outcome within calls.timeout_seconds gets the timeout outcome") {
  Loop loop;
  loop.scheduler.set_call_timeout(60);
  auto id = loop.add(spec(), 1);
  loop.start();
  CHECK(loop.store.counts(id).in_progress == 1);
  CHECK(loop.time.next_deadline() == kWednesdayNoon + 60 * kSecond);
  loop.advance_to(kWednesdayNoon + 60 * kSecond - 1);
  CHECK(loop.store.counts(id).in_progress == 1);
  loop.advance_to(kWednesdayNoon + 60 * kSecond);
  CHECK(loop.store.counts(id).failed == 1);
  CHECK(loop.store.campaign(id)->status == domain::CampaignStatus::completed);
}

TEST_CASE("scheduler loop: a retry is sent at its retry instant") {
  Loop loop;
  auto s = spec();
  s.retry_attempts = 1;
  s.retry_delay_s = 300;
  auto id = loop.add(s, 1);
  loop.start();
  loop.report("acme", 0, domain::Outcome::no_answer);
  CHECK(loop.store.counts(id).pending == 1);
  CHECK(loop.time.next_deadline() == kWednesdayNoon + 300 * kSecond);  // jitter 0
  loop.advance_to(kWednesdayNoon + 300 * kSecond - 1);
  CHECK(loop.fake().chunks.size() == 1);
  loop.advance_to(kWednesdayNoon + 300 * kSecond);
  REQUIRE(loop.fake().chunks.size() == 2);
  CHECK(loop.fake().chunks[1].calls.at(0).attempt == 2);
}

TEST_CASE(
    "scheduler loop: an answer that cannot be written is tried again until it is - the calls never stay dispatching") {
  Loop loop;
  // Another connection makes writing the answer fail as a full disk would, until the trigger is dropped.
  store::sqlite::Db db(loop.dir.file("q.db"), store::sqlite::Db::Mode::read_write, 1000);
  db.exec(
      "CREATE TRIGGER refuse_answers BEFORE UPDATE OF state ON calls WHEN NEW.state = 'in_progress' "
      "BEGIN SELECT RAISE(ABORT, 'injected: database or disk is full'); END");
  auto id = loop.add(spec(), 3);
  loop.start();
  CHECK(loop.fake().calls() == 3);
  CHECK(loop.store.counts(id).dispatching == 3);
  CHECK(loop.time.next_deadline() == kWednesdayNoon + 100);  // tried again after 100 ms, then 200, 400, ...
  loop.advance_to(kWednesdayNoon + 100);
  CHECK(loop.store.counts(id).dispatching == 3);
  CHECK(loop.time.next_deadline() == kWednesdayNoon + 300);
  db.exec("DROP TRIGGER refuse_answers");
  loop.advance_to(kWednesdayNoon + 300);
  CHECK(loop.store.counts(id).dispatching == 0);
  CHECK(loop.store.counts(id).in_progress == 3);
  CHECK(loop.fake().calls() == 3);  // written, not sent again
}

TEST_CASE("scheduler loop: the scheduler's retry settings decide what an outcome does - the store records it") {
  Loop loop;
  schedule::RetrySettings retry;
  retry.jitter = 0;
  retry.max_delay_s = 60;                          // caps the campaign's 300 s
  retry.retryable = {domain::Outcome::no_answer};  // busy is not retried
  loop.scheduler.set_retry_settings(retry);
  auto s = spec();
  s.retry_attempts = 2;
  s.retry_delay_s = 300;
  auto id = loop.add(s, 2);
  loop.start();
  REQUIRE(loop.fake().chunks.size() == 1);
  std::vector<domain::OutcomeReport> reports = {
      {loop.fake().provider_call_id(loop.fake().chunks[0].calls[0].id), domain::Outcome::no_answer, ""},
      {loop.fake().provider_call_id(loop.fake().chunks[0].calls[1].id), domain::Outcome::busy, ""}};
  loop.scheduler.apply_outcomes("acme", reports);
  loop.settle();
  CHECK(loop.store.counts(id).pending == 1);
  CHECK(loop.store.counts(id).failed == 1);
  CHECK(loop.time.next_deadline() == kWednesdayNoon + 60 * kSecond);
}

TEST_CASE("scheduler loop: calls_per_second paces the claims and the loop wakes when the next call may start") {
  Loop loop;
  auto s = spec(/*concurrency=*/10);
  s.calls_per_second = 2;
  auto id = loop.add(s, 5);
  loop.start();
  CHECK(loop.fake().calls() == 2);
  CHECK(loop.time.next_deadline() == kWednesdayNoon + 1000);  // when the first calls leave the window
  loop.advance_to(kWednesdayNoon + 999);
  CHECK(loop.fake().calls() == 2);
  loop.advance_to(kWednesdayNoon + 1000);
  CHECK(loop.fake().calls() == 4);
  loop.advance_to(kWednesdayNoon + 2000);
  CHECK(loop.fake().calls() == 5);
  CHECK(loop.store.counts(id).in_progress == 5);
  // What GET /v1/calls/{id} and call now see: one call in the window, so one more may start now, and
  // after that one the next when the 5th call leaves the window.
  CHECK_FALSE(loop.scheduler.paced_until(*loop.store.campaign(id), 0, kWednesdayNoon + 2000));
  CHECK(loop.scheduler.paced_until(*loop.store.campaign(id), 1, kWednesdayNoon + 2000) == kWednesdayNoon + 3000);
}

TEST_CASE("scheduler loop: a workspace's ceiling is shared by its running campaigns, and another workspace's is not") {
  Loop loop;
  loop.scheduler.set_workspace_ceilings({{"initech", 5}});
  auto limited = spec();
  limited.workspace = "initech";
  auto a = loop.add(limited, 1);
  auto b = loop.add(limited, 6);
  auto c = loop.add(limited, 6);
  auto other = spec();
  other.workspace = "globex";
  auto g = loop.add(other, 6);
  loop.start();
  // 5 for initech's three campaigns: a quota of 2 each (rounded up); a has 1 call. globex has no ceiling.
  CHECK(loop.store.in_flight(a) == 1);
  CHECK(loop.store.in_flight(b) == 2);
  CHECK(loop.store.in_flight(c) == 2);
  CHECK(loop.store.in_flight(g) == 6);
  CHECK(loop.store.workspace_in_flight("initech") == 5);
  CHECK(loop.store.workspace_in_flight("globex") == 6);
  CHECK(loop.time.next_deadline() == std::nullopt);  // at the ceiling: only an outcome wakes it
  const auto first_chunk_of = [&](domain::CampaignId id) {
    const auto& chunks = loop.fake().chunks;
    for (std::size_t i = 0; i < chunks.size(); ++i)
      if (chunks[i].campaign_id == id) return i;
    FAIL("no chunk of campaign " << id);
    return chunks.size();
  };
  // a's call ends: its quota is free; b and c are at theirs, so the slot is shared by them, b first (the
  // least recently served).
  loop.report("acme", first_chunk_of(a), domain::Outcome::completed);
  CHECK(loop.store.in_flight(b) == 3);
  CHECK(loop.store.in_flight(c) == 2);
  // a has completed: the quota is now 3 each. b's first two end: c takes the one below its quota, b the
  // other.
  loop.report("acme", first_chunk_of(b), domain::Outcome::completed);
  CHECK(loop.store.in_flight(b) == 2);
  CHECK(loop.store.in_flight(c) == 3);
  CHECK(loop.store.workspace_in_flight("initech") == 5);
  // A reload raising the ceiling counts at the next pass: quota 5; b has 2 calls left, c takes 2.
  loop.scheduler.set_workspace_ceilings({{"initech", 9}});
  loop.scheduler.wake();
  loop.settle();
  CHECK(loop.store.in_flight(b) == 4);
  CHECK(loop.store.in_flight(c) == 5);
}

TEST_CASE("scheduler loop: each from number places its daily cap - the loop wakes at the campaign's next day") {
  Loop loop;
  auto s = spec(/*concurrency=*/10);
  s.from_numbers = {"+14155550100", "+14155550101"};
  s.max_calls_per_number_per_day = 2;
  auto id = loop.add(s, 6);
  loop.start();
  // One caller id per chunk (the fake takes one per request): 2 from each number, then none has room.
  REQUIRE(loop.fake().calls() == 4);
  std::map<std::string, int> per_number;
  for (const auto& chunk : loop.fake().chunks)
    for (const auto& call : chunk.calls) ++per_number[call.from_number];
  CHECK(per_number == std::map<std::string, int>{{"+14155550100", 2}, {"+14155550101", 2}});
  for (std::size_t i = 0; i < loop.fake().chunks.size(); ++i) loop.report("acme", i, domain::Outcome::completed);
  CHECK(loop.fake().calls() == 4);                      // an outcome frees a slot, not a number's cap
  const UnixMs midnight = kWednesdayNoon + 12 * kHour;  // the campaign's zone is UTC
  CHECK(loop.time.next_deadline() == midnight);
  loop.advance_to(midnight - 1);
  CHECK(loop.fake().calls() == 4);
  // A new day: the numbers have room again, and the contacts' legal hours (08:00 in Reykjavik) come next.
  loop.advance_to(midnight);
  CHECK(loop.fake().calls() == 4);
  CHECK(loop.time.next_deadline() == midnight + 8 * kHour);
  loop.advance_to(midnight + 8 * kHour);
  CHECK(loop.fake().calls() == 6);
  CHECK(loop.store.counts(id).pending == 0);
}

TEST_CASE("scheduler loop: a from number whose last calls failed rests - the other goes on - then both rest") {
  Loop loop;
  auto s = spec(/*concurrency=*/1);
  const std::string a = "+14155550100", b = "+14155550101";
  s.from_numbers = {a, b};
  s.number_rest = domain::NumberRest{2, 600, {domain::Outcome::failed}};
  loop.add(s, 8);
  loop.start();
  const auto from = [&](std::size_t n) { return loop.fake().chunks.at(n).calls.at(0).from_number; };
  REQUIRE(loop.fake().calls() == 1);
  CHECK(from(0) == a);
  loop.report("acme", 0, domain::Outcome::failed);
  CHECK(from(1) == b);
  loop.report("acme", 1, domain::Outcome::failed);
  CHECK(from(2) == a);
  loop.advance_to(kWednesdayNoon + 10 * kSecond);
  loop.report("acme", 2, domain::Outcome::failed);  // a's second failure in a row: a rests
  CHECK(from(3) == b);
  loop.advance_to(kWednesdayNoon + 20 * kSecond);
  loop.report("acme", 3, domain::Outcome::failed);  // and now b
  CHECK(loop.fake().chunks.size() == 4);
  CHECK(loop.time.next_deadline() == kWednesdayNoon + 610 * kSecond);  // when a's rest ends
  loop.advance_to(kWednesdayNoon + 610 * kSecond - 1);
  CHECK(loop.fake().chunks.size() == 4);
  loop.advance_to(kWednesdayNoon + 610 * kSecond);
  REQUIRE(loop.fake().chunks.size() == 5);
  CHECK(from(4) == a);
  // On probation: one more failure rests it again at once; b is still resting, so nothing goes out.
  loop.advance_to(kWednesdayNoon + 615 * kSecond);
  loop.report("acme", 4, domain::Outcome::failed);
  CHECK(loop.fake().chunks.size() == 5);
  CHECK(loop.time.next_deadline() == kWednesdayNoon + 620 * kSecond);  // b's rest ends first now
  loop.advance_to(kWednesdayNoon + 620 * kSecond);
  REQUIRE(loop.fake().chunks.size() == 6);
  CHECK(from(5) == b);
  // A call that does not fail ends the run: b stays usable.
  loop.report("acme", 5, domain::Outcome::completed);
  REQUIRE(loop.fake().chunks.size() == 7);
  CHECK(from(6) == b);
}
