// XPath/XQuery 2.0 regular expressions (the dialect FEEL's `matches`, `replace` and `split`
// use) on PCRE2. The XPath syntax is translated where the two differ (character class
// subtraction `[a-z-[aeiou]]`, the name classes `\i \c`, block names `\p{IsBasicLatin}`, `$`
// only at the end, `.` excluding newlines unless flag `s`), matching is over UTF-8 with
// Unicode properties, and match and depth limits keep a hostile pattern or a long input from
// hanging or overflowing the stack: such a match is an error, never a wait.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace tongban::feel {

// A compiled pattern; immutable and safe to use from several threads at once (each match uses
// its own match data). Cheap to copy.
class XPathRegex {
 public:
  // `flags` is any combination of `s` (dot matches newlines), `m` (multi-line ^ $), `i`
  // (case-insensitive), `x` (whitespace in the pattern ignored), `q` (pattern is a literal
  // string). kInvalidArgument naming the problem for an invalid pattern or an unknown flag.
  static Result<XPathRegex> Compile(std::string_view pattern, std::string_view flags = "");

  // Whether the pattern matches some part of `input` (fn:matches).
  Result<bool> Matches(std::string_view input) const;
  // Every non-overlapping match replaced (fn:replace). In `replacement`, `$N` is group N
  // (the longest group number that exists, as XPath says; a missing group is ""), `\$` and
  // `\\` are literal; any other `\` or a `$` not followed by a digit is an error. Refuses
  // a pattern that matches the empty string, as XPath does. With flag `q` the replacement is
  // literal too.
  Result<std::string> Replace(std::string_view input, std::string_view replacement) const;
  // The parts of `input` between matches (fn:tokenize); refuses a pattern that matches the
  // empty string. An empty input gives an empty list.
  Result<std::vector<std::string>> Split(std::string_view input) const;

 private:
  struct Compiled;
  explicit XPathRegex(std::shared_ptr<const Compiled> compiled) : compiled_(std::move(compiled)) {}
  std::shared_ptr<const Compiled> compiled_;
};

// One-shot helpers: compile then run (FEEL built-ins with a non-constant pattern).
Result<bool> RegexMatches(std::string_view input, std::string_view pattern,
                          std::string_view flags = "");
Result<std::string> RegexReplace(std::string_view input, std::string_view pattern,
                                 std::string_view replacement, std::string_view flags = "");
Result<std::vector<std::string>> RegexSplit(std::string_view input, std::string_view pattern,
                                            std::string_view flags = "");

// The translated PCRE2 pattern (exposed for tests and error messages).
Result<std::string> TranslateXPathRegex(std::string_view pattern, bool dot_all);

}  // namespace tongban::feel
