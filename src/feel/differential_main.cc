// feel_differential: writes the feelin differential corpus (see differential.h), one JSON line per
// expression with tongban's result, for tests/feelin/diff.mjs to compare with feelin.
//
//   feel_differential [--seed N] [--count N] --out FILE
//   feel_differential --eval EXPRESSION     one expression, no variables: its typed JSON line
//
// A separate binary, not a `tongban` subcommand: it exists only for the test, and keeping it out
// of the command keeps the generator out of the shipped binary and out of src/cli.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>

#include "feel/differential.h"

int main(int argc, char** argv) {
  uint64_t seed = 20261126;
  int count = 12000;
  std::string out;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string_view flag = argv[i];
    std::string value = argv[i + 1];
    if (flag == "--seed") {
      seed = std::strtoull(value.c_str(), nullptr, 10);
    } else if (flag == "--count") {
      count = std::atoi(value.c_str());
    } else if (flag == "--out") {
      out = value;
    } else if (flag == "--eval") {
      tongban::feel::differential::Case c;
      c.family = "eval";
      c.text = value;
      std::printf("%s\n", tongban::feel::differential::EvaluateCase(0, c).c_str());
      return 0;
    } else {
      std::fprintf(stderr, "unknown flag %s\n", argv[i]);
      return 2;
    }
  }
  if (out.empty() || count <= 0) {
    std::fprintf(stderr, "usage: feel_differential [--seed N] [--count N>0] --out FILE\n");
    return 2;
  }
  std::ofstream file(out);
  if (!file) {
    std::fprintf(stderr, "cannot write %s\n", out.c_str());
    return 1;
  }
  int id = 0;
  for (const auto& c : tongban::feel::differential::GenerateCorpus(seed, count)) {
    file << tongban::feel::differential::EvaluateCase(id++, c) << '\n';
  }
  file.close();
  if (!file) {
    std::fprintf(stderr, "cannot write %s\n", out.c_str());
    return 1;
  }
  std::fprintf(stderr, "feel_differential: %d expressions (seed %llu) -> %s\n", count,
               static_cast<unsigned long long>(seed), out.c_str());
  return 0;
}
