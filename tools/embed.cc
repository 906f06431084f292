// Writes a C++ source file holding the given files as a `tongban::EmbeddedFile` array, so that
// SQL, calendars and code lists travel inside the binary. Usage:
//   embed OUT VAR BASE FILE...   (names are recorded relative to BASE)
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: embed OUT VAR BASE FILE...\n");
    return 2;
  }
  const std::string out_path = argv[1];
  const std::string var = argv[2];
  const std::filesystem::path base = argv[3];
  std::ostringstream out;
  out << "#include \"base/embedded.h\"\n\nnamespace tongban {\n\n";
  std::ostringstream entries;
  for (int i = 4; i < argc; ++i) {
    std::ifstream in(argv[i], std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "embed: cannot read %s\n", argv[i]);
      return 1;
    }
    const std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    out << "static const char kData" << i << "[] =\n\"";
    static const char* kHex = "0123456789abcdef";
    size_t column = 0;
    for (unsigned char c : data) {
      out << "\\x" << kHex[c >> 4] << kHex[c & 15];
      if (++column == 64) {  // "\x.." escapes are greedy: a literal break ends each run
        out << "\"\n\"";
        column = 0;
      }
    }
    out << "\";\n\n";
    const std::string rel = std::filesystem::relative(argv[i], base).generic_string();
    entries << "    {\"" << rel << "\", std::string_view(kData" << i << ", " << data.size()
            << ")},\n";
  }
  out << "extern const EmbeddedFile " << var << "[];\nextern const size_t " << var << "_count;\n";
  out << "const EmbeddedFile " << var << "[] = {\n" << entries.str() << "};\n";
  out << "const size_t " << var << "_count = " << (argc - 4) << ";\n\n}  // namespace tongban\n";
  const std::string text = out.str();
  {
    std::ifstream old(out_path, std::ios::binary);
    const std::string prev((std::istreambuf_iterator<char>(old)), std::istreambuf_iterator<char>());
    if (prev == text) return 0;
  }
  std::ofstream f(out_path, std::ios::binary | std::ios::trunc);
  f << text;
  return f ? 0 : 1;
}
