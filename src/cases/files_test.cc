// Material files: sniffing by bytes, the EICAR simulator, content-addressed storage.
#include "cases/files.h"

#include <gtest/gtest.h>

#include <unistd.h>
#include <filesystem>

#include <fstream>

#include "crypto/sm3.h"

namespace tongban::cases {
namespace {

TEST(SniffMediaType, JudgesTheBytesNotTheName) {
  EXPECT_EQ(SniffMediaType("%PDF-1.7\n..."), "application/pdf");
  EXPECT_EQ(SniffMediaType("\x89PNG\r\n\x1a\n...."), "image/png");
  EXPECT_EQ(SniffMediaType("\xFF\xD8\xFF\xE0...."), "image/jpeg");
  std::string ofd("PK\x03\x04", 4);
  ofd += std::string(22, '\0');
  ofd += std::string("\x07\x00\x00\x00", 4);
  ofd += "OFD.xml<ofd/>";
  EXPECT_EQ(SniffMediaType(ofd), "application/ofd");
  std::string zip = ofd;
  zip.replace(30, 7, "a.docxx");
  EXPECT_EQ(SniffMediaType(zip), "");
  EXPECT_EQ(SniffMediaType("MZ\x90\x00 an executable"), "");
  EXPECT_EQ(SniffMediaType("plain text that says %PDF- later"), "");
}

TEST(SimulatedVirusScanner, FlagsEicarOnly) {
  SimulatedVirusScanner scanner;
  const std::string eicar = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";
  EXPECT_EQ(*scanner.Scan("%PDF-1.4 " + eicar), ScanVerdict::kInfected);
  EXPECT_EQ(*scanner.Scan("%PDF-1.4 clean"), ScanVerdict::kClean);
}

TEST(BlobStore, NamesFilesByTheirSm3AndDetectsDamage) {
  const std::string dir = ::testing::TempDir() + "/blobs-" + std::to_string(::getpid());
  BlobStore store(dir);
  auto h = store.Put("%PDF-1.4 hello");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(*h, crypto::Sm3Hex("%PDF-1.4 hello"));
  EXPECT_EQ(*store.Put("%PDF-1.4 hello"), *h);  // stored once
  EXPECT_EQ(*store.Get(*h), "%PDF-1.4 hello");
  EXPECT_EQ(store.Get(std::string(64, 'a')).error().code(), ErrorCode::kNotFound);
  std::ofstream(store.PathOf(*h), std::ios::trunc) << "changed";
  EXPECT_EQ(store.Get(*h).error().code(), ErrorCode::kIntegrity);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace tongban::cases
