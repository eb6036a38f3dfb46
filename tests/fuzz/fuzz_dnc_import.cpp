// DncImportReader (src/api/dnc_import.hpp), the body of a DNC list import, on arbitrary bytes. Byte 0 picks
// the format (even: text, odd: CSV) and how many lines each step reads (1 + byte 0 / 2 % 8); the rest is the
// body. What it promises, checked on every input:
//  - it never throws; a whole-body problem is fatal(), and then nothing more is read;
//  - every key is a number a list holds: it prints as E.164 and reads back as itself;
//  - every line is counted once: keys + bad lines <= lines; the errors kept name lines in order, within
//    the body, at most max_errors of them, and no more than the bad lines counted;
//  - the step size changes nothing: reading in steps of one line gives the same keys, counts and errors;
//  - a body sent gzip-compressed (one member, or split in two members) reads as the plain body.
#include <string>
#include <vector>

#include "api/dnc_import.hpp"
#include "dialerd/domain/dnc.hpp"
#include "fuzz_targets.hpp"
#include "support/gzip.hpp"

namespace dialerd::fuzz {

namespace {

using api::DncImportReader;
using api::DncLineError;
using testing::gzip;

struct Read {
  std::vector<std::int64_t> keys;
  std::vector<DncLineError> errors;
  std::int64_t lines = 0, invalid = 0;
  std::string fatal;
  bool gzip = false;
};

constexpr std::size_t kMaxErrors = 5;

Read read_all(std::string_view body, DncImportReader::Format format, std::size_t step) {
  DncImportReader reader(body, format);
  Read r;
  int rounds = 0;
  try {
    while (reader.next(step, r.keys, r.errors, kMaxErrors)) expect(++rounds < 1000000, "the reader never ends");
  } catch (const std::exception& e) {
    fail(std::string("the reader threw: ") + e.what());
  }
  expect(!reader.next(step, r.keys, r.errors, kMaxErrors), "the reader went on after it said it was done");
  r.lines = reader.lines();
  r.invalid = reader.invalid();
  r.fatal = reader.fatal();
  r.gzip = reader.gzip();
  return r;
}

void check(const Read& r, std::size_t body_lines) {
  for (auto key : r.keys) {
    std::string error;
    const auto phone = domain::dnc_phone(key);
    expect(domain::parse_dnc_number(phone, error) == key, "key " + std::to_string(key) + " does not read back");
    expect(domain::dnc_key(phone) == key, "key " + std::to_string(key) + " is not its E.164 number's key");
  }
  expect(static_cast<std::int64_t>(r.keys.size()) + r.invalid <= r.lines,
         std::to_string(r.keys.size()) + " numbers and " + std::to_string(r.invalid) + " bad lines in " +
             std::to_string(r.lines) + " lines");
  expect(r.lines <= static_cast<std::int64_t>(body_lines), "more lines counted than the body has");
  expect(r.errors.size() <= kMaxErrors, "more errors kept than asked");
  expect(static_cast<std::int64_t>(r.errors.size()) <= r.invalid, "more errors kept than bad lines counted");
  for (std::size_t i = 0; i < r.errors.size(); ++i) {
    expect(r.errors[i].line >= 1 && r.errors[i].line <= r.lines, "an error names a line not read");
    if (i > 0) expect(r.errors[i].line > r.errors[i - 1].line, "errors out of line order");
    expect(!r.errors[i].error.empty(), "an error that says nothing");
    expect(r.errors[i].text.size() <= 100, "an error's text is not cut to 100 bytes");
  }
}

bool same(const Read& a, const Read& b) {
  if (a.keys != b.keys || a.lines != b.lines || a.invalid != b.invalid || a.fatal != b.fatal) return false;
  if (a.errors.size() != b.errors.size()) return false;
  for (std::size_t i = 0; i < a.errors.size(); ++i)
    if (a.errors[i].line != b.errors[i].line || a.errors[i].text != b.errors[i].text ||
        a.errors[i].error != b.errors[i].error)
      return false;
  return true;
}

}  // namespace

int fuzz_dnc_import_one(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto format = data[0] % 2 ? DncImportReader::Format::csv : DncImportReader::Format::text;
  const std::size_t step = 1 + (data[0] / 2) % 8;
  const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  const std::size_t body_lines = 1 + static_cast<std::size_t>(std::count(body.begin(), body.end(), '\n'));

  auto r = read_all(body, format, step);
  check(r, r.gzip ? static_cast<std::size_t>(r.lines) : body_lines);
  expect(same(r, read_all(body, format, 1)), "reading one line at a time gave another result");
  if (r.gzip) return 0;  // the body is gzip already: its decoded text is not at hand to compare

  const auto packed = read_all(gzip(body), format, step);
  expect(packed.gzip, "a gzip body was not recognised");
  expect(same(r, packed), "the gzip body read differently from the plain one");
  const std::size_t half = body.size() / 2;
  const auto members = read_all(gzip(body.substr(0, half)) + gzip(body.substr(half)), format, step);
  expect(same(r, members), "a body in two gzip members read differently from the plain one");
  return 0;
}

}  // namespace dialerd::fuzz
