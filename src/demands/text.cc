#include "demands/text.h"

#include <cstdint>
#include <vector>

#include "base/utf8.h"

namespace tongban::demands {
namespace {

bool IsCjk(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x2FFFF);
}

bool IsAsciiWord(char32_t c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

}  // namespace

std::set<std::string> TextTerms(std::string_view text) {
  std::set<std::string> terms;
  std::vector<std::string_view> run;  // the CJK characters of the current run
  std::string word;
  auto end_run = [&] {
    if (run.size() == 1) terms.emplace(run[0]);
    for (size_t k = 1; k < run.size(); ++k)
      terms.insert(std::string(run[k - 1]) + std::string(run[k]));
    run.clear();
  };
  auto end_word = [&] {
    if (!word.empty()) terms.insert(word);
    word.clear();
  };
  size_t i = 0;
  while (i < text.size()) {
    const size_t start = i;
    const utf8::Decoded d = utf8::Decode(text, i);  // an invalid byte: U+FFFD, a separator
    const char32_t c = d.code_point;
    i += d.length;
    if (IsCjk(c)) {
      end_word();
      run.push_back(text.substr(start, i - start));
    } else if (IsAsciiWord(c)) {
      end_run();
      word.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
    } else {
      end_run();
      end_word();
    }
  }
  end_run();
  end_word();
  return terms;
}

double Similarity(const std::set<std::string>& a, const std::set<std::string>& b) {
  if (a.empty() && b.empty()) return 0;
  size_t common = 0;
  auto x = a.begin();
  auto y = b.begin();
  while (x != a.end() && y != b.end()) {
    if (*x < *y) {
      ++x;
    } else if (*y < *x) {
      ++y;
    } else {
      ++common;
      ++x;
      ++y;
    }
  }
  return 2.0 * static_cast<double>(common) / static_cast<double>(a.size() + b.size());
}

}  // namespace tongban::demands
