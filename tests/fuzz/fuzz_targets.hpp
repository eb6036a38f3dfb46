#pragma once
// The fuzz targets as plain functions: each libFuzzer binary (libfuzzer_main.cpp) calls one of them, and the
// unit tests replay the seed corpus through the same functions (tests/unit/fuzz_corpus_test.cpp), so the
// invariants are checked by every CI run, with or without clang.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace dialerd::fuzz {

// A broken promise of the code under test. libfuzzer_main.cpp turns it into an abort (a crash libFuzzer
// keeps a reproducer of); the replay test into a failure naming the corpus file.
struct Violation : std::logic_error {
  using std::logic_error::logic_error;
};
[[noreturn]] inline void fail(const std::string& what) {
  throw Violation(what);
}
inline void expect(bool ok, const std::string& what) {
  if (!ok) fail(what);
}

// parse_csv: accepted tables keep their promises (header, row line numbers) and survive a round trip.
int fuzz_csv_one(const std::uint8_t* data, std::size_t size);
// parse_config: a Config or InvalidConfig, nothing else.
int fuzz_config_one(const std::uint8_t* data, std::size_t size);
// The v1 API's request bodies through the real router and store. Byte 0 picks the route, byte 1 the
// campaign; the rest is the body. Answers are 2xx, 4xx with error.code, or 503: never 500.
int fuzz_api_one(const std::uint8_t* data, std::size_t size);
// Starts fuzz_api_one's next input on a fresh database (the replay test does so for each file).
void fuzz_api_reset();
// Every provider kind's answer and callback parsers. Byte 0 picks the kind and the parser.
int fuzz_provider_one(const std::uint8_t* data, std::size_t size);
// A DNC list import's body reader: byte 0 picks the format and the step; the same numbers, counts and errors
// whatever the step, and from the body gzip-compressed.
int fuzz_dnc_import_one(const std::uint8_t* data, std::size_t size);

}  // namespace dialerd::fuzz
