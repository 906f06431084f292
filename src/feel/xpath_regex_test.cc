#include "feel/xpath_regex.h"

#include <gtest/gtest.h>

#include <chrono>

namespace tongban::feel {
namespace {

bool M(std::string_view input, std::string_view pattern, std::string_view flags = "") {
  Result<bool> r = RegexMatches(input, pattern, flags);
  EXPECT_TRUE(r.ok()) << pattern << ": " << (r.ok() ? "" : r.error().message());
  return r.ok() && *r;
}

std::string R(std::string_view input, std::string_view pattern, std::string_view replacement,
              std::string_view flags = "") {
  Result<std::string> r = RegexReplace(input, pattern, replacement, flags);
  EXPECT_TRUE(r.ok()) << pattern << ": " << (r.ok() ? "" : r.error().message());
  return r.ok() ? *r : "<error>";
}

TEST(XPathRegexTest, MatchesAsXPath) {
  EXPECT_TRUE(M("abracadabra", "bra"));
  EXPECT_TRUE(M("abracadabra", "^a.*a$"));
  EXPECT_FALSE(M("abracadabra", "^bra"));
  EXPECT_TRUE(M("foobar", "^fo*b"));  // DMN 1.5 example
  EXPECT_FALSE(M("abc\n", "abc$"));   // $ only at the very end
  EXPECT_TRUE(M("abc\ndef", "^def$", "m"));
  EXPECT_FALSE(M("a\nb", "a.b"));
  EXPECT_TRUE(M("a\nb", "a.b", "s"));
  EXPECT_FALSE(M("a\rb", "a.b"));
  EXPECT_TRUE(M("ABC", "abc", "i"));
  EXPECT_TRUE(M("abc", "a b c", "x"));
  EXPECT_TRUE(M("a.c", ".", "q"));
  EXPECT_FALSE(M("abc", ".", "q"));
  EXPECT_TRUE(M("A.C", "a.c", "qi"));
  EXPECT_TRUE(M("中华人民共和国", "^\\p{IsCJKUnifiedIdeographs}+$"));
  EXPECT_FALSE(M("中华abc", "^\\p{IsCJKUnifiedIdeographs}+$"));
  EXPECT_TRUE(M("Hello", "^\\p{IsBasicLatin}+$"));
  EXPECT_TRUE(M("é", "^\\p{L}$"));
  EXPECT_TRUE(M("\u00e9", "^.$"));  // one character, two bytes
  EXPECT_TRUE(M("xml:name", "^\\i\\c*$"));
  EXPECT_FALSE(M("1abc", "^\\i\\c*$"));
  EXPECT_TRUE(M("b", "^[a-z-[aeiou]]$"));
  EXPECT_FALSE(M("e", "^[a-z-[aeiou]]$"));
  EXPECT_TRUE(M("x", "^[a-z-[a-w-[x]]]$"));
  EXPECT_TRUE(M("\u3000", "^\\S$"));  // XPath \s is only space, tab, CR, LF
  EXPECT_TRUE(M("abab", "^(ab)\\1$"));
  EXPECT_TRUE(M("310101199001011234", "^\\d{17}[\\dX]$"));
  EXPECT_TRUE(M("aaa", "^a{2,}$"));
}

TEST(XPathRegexTest, RejectsWhatXPathForbids) {
  for (auto [pattern, flags] : std::initializer_list<std::pair<std::string_view, std::string_view>>{
           {"\\b", ""},
           {"(?=a)", ""},
           {"(?i)a", ""},
           {"a{", ""},
           {"a{2,1}", ""},
           {"[a", ""},
           {"(a", ""},
           {"a)", ""},
           {"*a", ""},
           {"a**", ""},
           {"\\1(a)", ""},
           {"\\p{IsNoSuchBlock}", ""},
           {"\\p{Xx}", ""},
           {"[]", ""},
           {"a", "g"},
           {"\\", ""},
           {"[a[b]]", ""}}) {
    EXPECT_FALSE(XPathRegex::Compile(pattern, flags).ok()) << pattern << " /" << flags;
  }
}

TEST(XPathRegexTest, Replace) {
  EXPECT_EQ(R("abcd", "(ab)|(a)", "[1=$1][2=$2]"), "[1=ab][2=]cd");  // DMN 1.5 example
  EXPECT_EQ(R("abracadabra", "bra", "*"), "a*cada*");
  EXPECT_EQ(R("abracadabra", "a.*a", "*"), "*");
  EXPECT_EQ(R("abracadabra", "a.*?a", "*"), "*c*bra");
  EXPECT_EQ(R("abracadabra", "a", ""), "brcdbr");
  EXPECT_EQ(R("darted", "^(.*?)d(.*)$", "$1c$2"), "carted");
  EXPECT_EQ(R("a", "(a)", "$10"), "a0");  // $1 then a literal 0
  EXPECT_EQ(R("price 5", "\\d", "\\$$0"), "price $5");
  EXPECT_EQ(R("a.b", ".", "$1", "q"), "a$1b");
  EXPECT_EQ(R("中文中文", "文", "字"), "中字中字");
  EXPECT_FALSE(RegexReplace("abc", "x*", "y").ok());  // matches the empty string
  EXPECT_FALSE(RegexReplace("abc", "b", "$").ok());
  EXPECT_FALSE(RegexReplace("abc", "b", "\\n").ok());
}

TEST(XPathRegexTest, Split) {
  Result<std::vector<std::string>> r = RegexSplit("John Doe", "\\s");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (std::vector<std::string>{"John", "Doe"}));
  r = RegexSplit("a;b;;c;", ";");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (std::vector<std::string>{"a", "b", "", "c", ""}));
  r = RegexSplit("", ";");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
  EXPECT_FALSE(RegexSplit("abc", "x?").ok());
}

TEST(XPathRegexTest, LongInputsAndHostilePatternsEndQuickly) {
  const std::string big(1 << 20, 'a');
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(M(big, "^a+$"));
  EXPECT_FALSE(M(big, "b"));
  Result<std::string> replaced = RegexReplace(big, "a", "b");
  ASSERT_TRUE(replaced.ok());
  EXPECT_EQ(replaced->size(), big.size());
  EXPECT_EQ(replaced->front(), 'b');

  // Exponential backtracking: an error, not a hang.
  const std::string hostile = std::string(40, 'a') + "!";
  Result<bool> r = RegexMatches(hostile, "^(a+)+$");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("limit"), std::string::npos) << r.error().message();
  r = RegexMatches(big + "!", "^(a|aa)*$");
  EXPECT_FALSE(r.ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
}

TEST(XPathRegexTest, CompiledPatternIsReusable) {
  Result<XPathRegex> re = XPathRegex::Compile("^[0-9]{6}$");
  ASSERT_TRUE(re.ok());
  EXPECT_TRUE(*re->Matches("310101"));
  EXPECT_FALSE(*re->Matches("31010"));
  EXPECT_FALSE(*re->Matches("3101011"));
  Result<std::string> t = TranslateXPathRegex("[a-z-[aeiou]].", false);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t, "(?:(?![aeiou])[a-z])[^\\n\\r]");
}

}  // namespace
}  // namespace tongban::feel
