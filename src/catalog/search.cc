#include "catalog/search.h"

#include <algorithm>
#include <array>
#include <cstdint>

#include "base/utf8.h"

namespace tongban::catalog {
namespace {

// Everyday phrasing around what is wanted. Longer phrases first, so 怎么办理 goes before 怎么.
constexpr std::array<std::string_view, 22> kStopPhrases = {
    "怎么办理", "如何办理", "怎样办理", "在哪里办", "去哪里办", "怎么办", "如何", "怎么",
    "怎样",     "办理",     "申请",     "我要",     "我想",     "想要",   "需要", "哪里",
    "在哪",     "什么",     "手续",     "流程",     "一下",     "请问"};
// Single characters that never carry the subject of a query. Characters that occur inside
// matter names (可 of 许可, 证 of 许可证, 开 of 开店) must not be here.
constexpr std::array<std::string_view, 12> kStopChars = {"我", "要", "想", "的", "了", "吗",
                                                         "呢", "啊", "吧", "么", "该", "哪"};

bool IsCjk(uint32_t cp) {
  return (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x2FA1F) || cp == 0x3007;
}

bool IsAsciiWord(uint32_t cp) {
  return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
}

// Calls on_run(chars, kind) for every CJK run (its characters) and every ASCII word (one
// element, lower-cased); everything else separates runs.
template <typename OnCjk, typename OnWord>
void Segment(std::string_view text, OnCjk on_cjk, OnWord on_word) {
  std::vector<std::string_view> run;
  std::string word;
  auto flush = [&] {
    if (!run.empty()) on_cjk(run);
    run.clear();
    if (!word.empty()) on_word(word);
    word.clear();
  };
  for (size_t i = 0; i < text.size();) {
    // An invalid byte decodes as U+FFFD: one separator byte.
    const utf8::Decoded d = utf8::Decode(text, i);
    const uint32_t cp = d.code_point;
    const size_t n = d.length;
    if (IsCjk(cp)) {
      if (!word.empty()) flush();
      run.push_back(text.substr(i, n));
    } else if (IsAsciiWord(cp)) {
      if (!run.empty()) flush();
      word += static_cast<char>(cp >= 'A' && cp <= 'Z' ? cp - 'A' + 'a' : cp);
    } else {
      flush();
    }
    i += n;
  }
  flush();
}

// Replaces every occurrence of `what` in `text` with a space (a separator).
void CutOut(std::string& text, std::string_view what) {
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at)) {
    text.replace(at, what.size(), " ");
  }
}

}  // namespace

std::map<std::string, int> IndexTerms(const ImplementationItem& item, const BasicItem& basic) {
  std::map<std::string, int> terms;
  auto add = [&](std::string_view text, SearchField field) {
    const int weight = static_cast<int>(field);
    auto put = [&](std::string term) {
      int& w = terms[std::move(term)];
      w = std::max(w, weight);
    };
    Segment(
        text,
        [&](const std::vector<std::string_view>& run) {
          for (size_t i = 0; i < run.size(); ++i) {
            put(std::string(run[i]));
            if (i + 1 < run.size()) put(std::string(run[i]) + std::string(run[i + 1]));
          }
        },
        [&](const std::string& word) { put(word); });
  };
  add(basic.name, SearchField::kName);
  add(item.code, SearchField::kName);
  add(basic.code, SearchField::kName);
  for (const auto& k : item.keywords) add(k, SearchField::kKeyword);
  for (const auto& a : item.aliases) add(a, SearchField::kKeyword);
  add(item.result_licence_type, SearchField::kDescription);
  for (const auto& s : item.scenarios) add(s.name, SearchField::kDescription);
  return terms;
}

std::vector<std::string> QueryTerms(std::string_view query, size_t max_terms) {
  auto terms_of = [&](std::string_view text) {
    std::vector<std::string> out;
    auto put = [&](std::string term) {
      if (out.size() < max_terms && std::find(out.begin(), out.end(), term) == out.end()) {
        out.push_back(std::move(term));
      }
    };
    Segment(
        text,
        [&](const std::vector<std::string_view>& run) {
          if (run.size() == 1) put(std::string(run[0]));
          for (size_t i = 0; i + 1 < run.size(); ++i) {
            put(std::string(run[i]) + std::string(run[i + 1]));
          }
        },
        [&](const std::string& word) { put(word); });
    return out;
  };
  std::string cut(query);
  for (std::string_view phrase : kStopPhrases) CutOut(cut, phrase);
  for (std::string_view c : kStopChars) CutOut(cut, c);
  auto terms = terms_of(cut);
  if (terms.empty()) terms = terms_of(query);
  return terms;
}

}  // namespace tongban::catalog
