// Chinese search over matters: the terms a matter version is indexed under and the terms a
// query is looked up by. Neither SQLite's trigram tokenizer (nothing shorter than three
// characters) nor pg_trgm (poor on CJK) finds two-character Chinese words, so the application
// segments text itself and keeps the index in an ordinary table, identical on both backends:
// every CJK character as a unigram and every adjacent pair as a bigram, ASCII letters and
// digits as lower-case words.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/model.h"

namespace tongban::catalog {

// How much a term weighs by the field it was found in (the highest field wins per term).
enum class SearchField {
  kDescription = 1,  // scenario names and the result licence type
  kKeyword = 2,      // keywords and aliases
  kName = 3,         // the basic item's name and the codes
};

// Every term of one matter version with its weight: bigrams and unigrams of each CJK run and
// lower-case ASCII words of the name, codes, keywords, aliases and description texts.
std::map<std::string, int> IndexTerms(const ImplementationItem& item, const BasicItem& basic);

// The terms of a query in everyday phrasing ("我要开餐馆", "怎么办理公共场所卫生许可"): stop
// phrases and characters (我 要 想 怎么 办理 的 了 …) are cut out first, then each CJK run
// gives its bigrams (a run of one character gives that character) and each ASCII word itself,
// lower-cased. When stop words are all there is, the query is taken as written. At most
// `max_terms` distinct terms, in order of appearance.
std::vector<std::string> QueryTerms(std::string_view query, size_t max_terms = 32);

}  // namespace tongban::catalog
