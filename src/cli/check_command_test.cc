// Runs the built `tongban` binary and checks what a person or a script sees: exit codes,
// stdout and the --json object.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

using ::testing::HasSubstr;

struct Outcome {
  int exit_code = -1;
  std::string out;
};

// Runs tongban with `args` (already shell-quoted where needed); stderr joins stdout only when
// asked, so tests can tell which stream a message went to.
Outcome Tongban(const std::string& args, bool with_stderr = false) {
  const std::string command =
      fmt::format("'{}' {}{}", TONGBAN_BINARY, args, with_stderr ? " 2>&1" : " 2>/dev/null");
  Outcome run;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  char buffer[4096];
  size_t n = 0;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) run.out.append(buffer, n);
  const int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

TEST(CheckCommand, ValidIdNumber) {
  Outcome r = Tongban("check id-number 11010519491231002X");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("valid: 11010519491231002X\n"));
  EXPECT_THAT(r.out, HasSubstr("birth date: 1949-12-31"));
  EXPECT_THAT(r.out, HasSubstr("sex: female"));
  EXPECT_THAT(r.out, HasSubstr("region: 110105 北京市朝阳区"));
}

TEST(CheckCommand, InvalidIdNumberExitsOneWithTheReasonOnStdout) {
  Outcome r = Tongban("check id-number 110105194912310021");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "invalid: ID number: check character expected X, got 1\n");
}

TEST(CheckCommand, FifteenDigitsPrintTheEighteenDigitForm) {
  Outcome r = Tongban("check id-number 110105491231002");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("18-digit form: 11010519491231002X"));
}

TEST(CheckCommand, AbolishedCodeIsValidWithAWarning) {
  Outcome r = Tongban("check id-number 432930196003050019");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("warning: region code 432930 is not in the current GB/T 2260"));
}

TEST(CheckCommand, JsonOutput) {
  Outcome r = Tongban("check id-number 432930196003050019 --json");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr(R"("valid":true)"));
  EXPECT_THAT(r.out, HasSubstr(R"("kind":"id-number")"));
  EXPECT_THAT(r.out, HasSubstr(R"("normalized":"432930196003050019")"));
  EXPECT_THAT(r.out, HasSubstr(R"("error":null)"));
  EXPECT_THAT(r.out, HasSubstr(R"("birth_date":"1960-03-05")"));
  EXPECT_THAT(r.out, HasSubstr(R"("warnings":["region code 432930 is not)"));

  Outcome bad = Tongban("check uscc 91350100M000100Y44 --json");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_EQ(bad.out, R"({"error":"USCC: check character expected 3, got 4","kind":"uscc",)"
                     R"("normalized":null,"valid":false,"warnings":[]})"
                     "\n");
}

TEST(CheckCommand, Uscc) {
  Outcome r = Tongban("check uscc 91350100M000100Y43");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("department: 9 工商"));
  EXPECT_THAT(r.out, HasSubstr("region: 350100 福建省福州市"));
  Outcome bad = Tongban("check uscc 94350100M000100Y4R");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.out, HasSubstr("institution type 4 (position 2) does not exist"));
}

TEST(CheckCommand, Region) {
  Outcome r = Tongban("check region 431128 --json");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr(R"("full_name":"湖南省永州市新田县")"));
  EXPECT_THAT(r.out, HasSubstr(R"("level":"county")"));
  Outcome gone = Tongban("check region 432930");
  EXPECT_EQ(gone.exit_code, 1);
  EXPECT_EQ(gone.out, "invalid: region code 432930 is not in the current list\n");
}

TEST(CheckCommand, LicenceId) {
  Outcome r = Tongban(
      "check licence-id "
      "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("issuer: 11430000006122244L"));
  Outcome bad = Tongban(
      "check licence-id "
      "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.7");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.out, HasSubstr("check character expected U, got 7"));
}

TEST(CheckCommand, UnknownKindIsAUsageError) {
  Outcome r = Tongban("check passport X", true);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.exit_code, 1);
}

class RegionsImport : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           fmt::format("tongban-cli-test-{}-{}", getpid(),
                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& text) {
    const auto path = dir_ / name;
    std::ofstream(path, std::ios::binary) << text;
    return path.string();
  }
  std::string Db() const { return fmt::format("--db 'sqlite:{}/t.db'", dir_.string()); }
  std::filesystem::path dir_;
};

TEST_F(RegionsImport, ImportsThenShows) {
  const std::string file = Write("v.tsv", "# villages\n430102001001\t测试居委会\n");
  Outcome r = Tongban(fmt::format("regions import '{}' {}", file, Db()));
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("imported 1 regions into sqlite:"));
  Outcome show = Tongban(fmt::format("regions show 430102001001 {}", Db()));
  EXPECT_EQ(show.exit_code, 0);
  EXPECT_EQ(show.out, "430102001001\tvillage\t430102001\t湖南省长沙市芙蓉区文艺路街道测试居委会\n");
}

TEST_F(RegionsImport, BadFileImportsNothing) {
  const std::string file = Write("bad.tsv", "430102001001\t好\n43010200100X\t坏\n");
  Outcome r = Tongban(fmt::format("regions import '{}' {}", file, Db()), true);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.out, HasSubstr("the region file has 1 invalid line"));
  EXPECT_THAT(r.out, HasSubstr("line 2: region code: character at position 12 is not a digit"));
  // Nothing was written: the database was not even created.
  EXPECT_FALSE(std::filesystem::exists(dir_ / "t.db"));
}

}  // namespace
