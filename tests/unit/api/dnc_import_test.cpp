// The DNC import reader: plain text and CSV, gzip (one member or several, cut short, corrupt), a batch of
// lines at a time, per-line errors with their line numbers, and the cap on errors kept.
#include <catch2/catch.hpp>

#include "api/dnc_import.hpp"
#include "support/gzip.hpp"

using dialerd::api::DncImportReader;
using dialerd::api::DncLineError;
using dialerd::testing::gzip;

namespace {

struct Read {
  std::vector<std::int64_t> keys;
  std::vector<DncLineError> errors;
  std::string fatal;
  std::int64_t lines = 0, invalid = 0;
  bool gzip = false;
};

Read read_all(const std::string& body, DncImportReader::Format format = DncImportReader::Format::text,
              std::string column = {}, std::size_t batch = 3, std::size_t max_errors = 100) {
  DncImportReader reader(body, format, column);
  Read r;
  while (reader.next(batch, r.keys, r.errors, max_errors)) {
  }
  r.fatal = reader.fatal();
  r.lines = reader.lines();
  r.invalid = reader.invalid();
  r.gzip = reader.gzip();
  return r;
}

}  // namespace

TEST_CASE("dnc import: plain text one number per line - blanks and comments skipped - errors by line") {
  auto r = read_all("# registry copy\n+12025550123\n\n2025550124\r\nnot a number\n12025550125");
  CHECK(r.fatal.empty());
  CHECK(r.keys == std::vector<std::int64_t>{12025550123, 12025550124, 12025550125});
  CHECK(r.lines == 6);
  CHECK(r.invalid == 1);
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].line == 5);
  CHECK(r.errors[0].text == "not a number");
  CHECK_THAT(r.errors[0].error, Catch::Contains("unexpected character"));
}

TEST_CASE("dnc import: CSV finds the phone column by name or by ?column= and reports short rows") {
  auto r = read_all(
      "\xEF\xBB\xBF"
      "id,Phone_Number,name\n1,+12025550123,\"Smith, Ann\"\n2\n3,\"(202) 555-0124\",Bo\n",
      DncImportReader::Format::csv);
  CHECK(r.fatal.empty());
  CHECK(r.keys == std::vector<std::int64_t>{12025550123, 12025550124});
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].line == 3);
  CHECK_THAT(r.errors[0].error, Catch::Contains("phone column is field 2"));

  auto named = read_all("a,b\n2025550123,x\n", DncImportReader::Format::csv, "A");
  CHECK(named.keys == std::vector<std::int64_t>{12025550123});
  auto missing = read_all("a,b\n2025550123,x\n", DncImportReader::Format::csv);
  CHECK_THAT(missing.fatal, Catch::Contains("no column phone_number, phone, number or telephone"));
  auto unknown = read_all("a,b\n2025550123,x\n", DncImportReader::Format::csv, "tel");
  CHECK_THAT(unknown.fatal, Catch::Contains("no column \"tel\""));
}

TEST_CASE("dnc import: gzip bodies decode in pieces - several members - cut short or corrupt is fatal") {
  std::string text;
  for (int i = 0; i < 200000; ++i) text += "+1202" + std::to_string(2000000 + i) + "\n";  // 2.6 MB: several fills
  auto r = read_all(gzip(text), DncImportReader::Format::text, {}, 50000);
  CHECK(r.gzip);
  CHECK(r.fatal.empty());
  REQUIRE(r.keys.size() == 200000);
  CHECK(r.keys.front() == 12022000000);
  CHECK(r.keys.back() == 12022199999);

  auto two = read_all(gzip("+12025550123\n") + gzip("2025550124\n"));
  CHECK(two.fatal.empty());
  CHECK(two.keys == std::vector<std::int64_t>{12025550123, 12025550124});

  auto whole = gzip(text);
  auto cut = read_all(whole.substr(0, whole.size() / 2));
  CHECK_THAT(cut.fatal, Catch::Contains("cut short"));
  auto corrupt = whole;
  corrupt[whole.size() / 2] = static_cast<char>(corrupt[whole.size() / 2] ^ 0x5a);
  corrupt[whole.size() / 2 + 1] = static_cast<char>(corrupt[whole.size() / 2 + 1] ^ 0x33);
  auto bad = read_all(corrupt);
  CHECK_THAT(bad.fatal, Catch::Contains("gzip body is corrupt"));
}

TEST_CASE("dnc import: only the first errors are kept - every bad line is counted") {
  std::string text;
  for (int i = 0; i < 50; ++i) text += "x\n";
  auto r = read_all(text, DncImportReader::Format::text, {}, 7, 10);
  CHECK(r.invalid == 50);
  CHECK(r.errors.size() == 10);
  CHECK(r.errors.back().line == 10);
}
