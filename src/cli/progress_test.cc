#include "cli/progress.h"

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>

#include <gtest/gtest.h>

namespace tongban::cli {
namespace {

// What `write` prints to a FILE, as text.
std::string Captured(const std::function<void(std::FILE*)>& write) {
  char* buffer = nullptr;
  size_t size = 0;
  std::FILE* out = open_memstream(&buffer, &size);
  if (out == nullptr) return "open_memstream failed";
  write(out);
  std::fclose(out);
  std::string text(buffer, size);
  std::free(buffer);
  return text;
}

TEST(ProgressBarTest, RendersBarPercentRateAndTimeLeft) {
  EXPECT_EQ(RenderProgressBar({.stage = "difference",
                               .fraction = 0.25,
                               .total = 10000000,
                               .seconds = 2.0,
                               .unit = "persons"},
                              20),
            "[#####...............]  25%  1,250,000 persons/s  eta 6 s  difference");
  EXPECT_EQ(
      RenderProgressBar({.stage = "write", .fraction = 0.5, .total = 1000, .seconds = 100}, 10),
      "[#####.....]  50%  5 persons/s  eta 1:40  write");
  // Nothing known yet: no rate, no time left.
  EXPECT_EQ(RenderProgressBar({.stage = "load", .fraction = 0, .total = 0, .seconds = 0.5}, 10),
            "[..........]   0%  -- persons/s  eta --  load");
  // Out-of-range fractions are clamped, never a longer bar.
  EXPECT_EQ(RenderProgressBar({.stage = "done", .fraction = 1.5, .total = 4, .seconds = 2}, 4),
            "[####] 100%  2 persons/s  eta 0 s  done");
}

TEST(ProgressBarTest, PlainLinesWhenNotATerminal) {
  const std::string text = Captured([](std::FILE* out) {
    double now = 0;  // a fake clock: seconds since the start
    ProgressReporter reporter(out, false, [&] { return now; });
    reporter.Update("load", 0, 0);
    now = 0.8;
    reporter.Update("match", 0.4, 100000);
    now = 1.0;
    reporter.Update("difference", 0.6, 100000);
    now = 1.1;
    reporter.Update("difference", 0.65, 100000);  // same tenth of the same stage: no line
    now = 1.2;
    reporter.Update("difference", 0.72, 100000);  // a new tenth
    now = 1.6;
    reporter.Update("done", 1, 100000);
    reporter.Finish();
  });
  EXPECT_EQ(text,
            "progress 0% load -- persons/s eta --\n"
            "progress 40% match 40000/100000 persons 50000 persons/s eta 2 s\n"
            "progress 60% difference 60000/100000 persons 60000 persons/s eta 1 s\n"
            "progress 72% difference 72000/100000 persons 60000 persons/s eta 1 s\n"
            "progress 100% done 100000/100000 persons 62500 persons/s eta 0 s\n");
  EXPECT_EQ(text.find('\r'), std::string::npos);
}

TEST(ProgressBarTest, OneLineRedrawnOnATerminal) {
  const std::string text = Captured([](std::FILE* out) {
    double now = 0;
    ProgressReporter reporter(
        out, true, [&] { return now; }, "persons", 0.1);
    reporter.Update("match", 0.4, 1000);
    now = 0.05;
    reporter.Update("match", 0.45, 1000);  // within the redraw interval: skipped
    now = 0.2;
    reporter.Update("match", 0.5, 1000);
    reporter.Finish();
  });
  EXPECT_EQ(text,
            "\r[############..................]  40%  -- persons/s  eta --  match\x1b[K"
            "\r[###############...............]  50%  2,500 persons/s  eta 1 s  match\x1b[K\n");
}

}  // namespace
}  // namespace tongban::cli
