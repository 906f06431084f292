// Similarity of demand texts, for suggesting duplicates when a demand is entered. The idea of
// the catalog's Chinese search (catalog/search.h): every adjacent pair of CJK characters is a
// term, a lone CJK character is one, and ASCII letters and digits form lower-case words.
#pragma once

#include <set>
#include <string>
#include <string_view>

namespace tongban::demands {

// The distinct terms of `text`: CJK bigrams, lone CJK characters, lower-case ASCII words.
std::set<std::string> TextTerms(std::string_view text);

// The Dice coefficient of the two term sets: 2|A ∩ B| / (|A| + |B|), 0 when both are empty.
double Similarity(const std::set<std::string>& a, const std::set<std::string>& b);

}  // namespace tongban::demands
